"""The numpy and scipy rule tables beyond what tests/rules checks entry by entry: float32 in
gives float32 out, ties, zeros in products, the method wrappers.

tests/rules/test_rules.py checks every entry against finite differences in float64; here the
same domains are sampled in float32, and a rule's cotangents (and tangent) must stay float32
wherever the function's own result is float32.
"""
import inspect

import numpy as np
import pytest

import srcad.rules
from rules.domains import DOMAINS, GIVEN, primal, sample
from rules.test_rules import check_jvp, check_vjp
from srcad.rules import numpy_rules

F32 = np.dtype(np.float32)
TABLES = [m for m in srcad.rules.DOMAINS if m.__name__.rsplit(".", 1)[-1] in ("numpy_rules", "linalg_rules", "scipy_rules")]
WIDENING = {np.float_power}  # computes in float64 whatever it is given
try:  # scipy is optional
    import scipy.special
    # their normalising constants (betaln, gammaln of the shape parameters) are float64 numpy
    # scalars for Python-float shapes, which widen a float32 x's cotangent; the gradient
    # handed back is cast to x's dtype (_rt.gradient)
    WIDENING |= {scipy.special.betainc, scipy.special.stdtr}
except ModuleNotFoundError:
    pass


def float32(value):
    if isinstance(value, list):
        return [float32(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return value.astype(np.float32)
    return value


def dtypes(value):
    """The dtypes of the arrays and numpy scalars in `value` (lists and tuples searched)."""
    if isinstance(value, (list, tuple)):
        return set().union(*map(dtypes, value)) if value else set()
    return {value.dtype} if isinstance(value, (np.ndarray, np.generic)) else set()


def like(value, rng):
    """A random value of `value`'s structure and dtype (float32 stays float32)."""
    if isinstance(value, (list, tuple)):
        return [like(v, rng) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(rng.standard_normal(np.shape(value))).astype(value.dtype)[()]
    return float(rng.standard_normal())


def has_array(shape):
    """Whether an argument of this shape (or list of shapes) is sampled as an array."""
    if isinstance(shape, list):
        return any(map(has_array, shape))
    return isinstance(shape, tuple) and shape != ()


def float32_cases(table):
    """Every call of every entry that has an array argument to make float32."""
    out = []
    for module in TABLES:
        for key, rule in getattr(module, table).items():
            if key in WIDENING:
                continue
            for call in DOMAINS[key].calls:
                if any(has_array(shape) for shape, sampler in zip(call.shapes, DOMAINS[key].args)
                       if sampler is not GIVEN):
                    out.append(pytest.param(key, rule, call, id=f"{key.__name__}-{call.id}"))
    return out


def float32_arguments(key, call, rng):
    """float32 arguments for `call` and the output, or None where the output is not float32
    (numpy widens some mixes, such as np.dot of a float32 array and a Python float)."""
    args = float32(list(sample(DOMAINS[key], call, rng)))
    ans = primal(key, DOMAINS[key])(*args, **call.kwargs)
    if F32 not in dtypes(args) or dtypes(ans) != {F32}:
        return None
    return args, ans


@pytest.mark.parametrize("key, rule, call", float32_cases("VJP"))
def test_float32_operands_get_float32_cotangents(key, rule, call, rng):
    found = float32_arguments(key, call, rng)
    if found is None:
        pytest.skip("numpy's own result is not float32 here")
    args, ans = found
    cotangents = rule(like(ans, rng), ans, *args, **call.kwargs)
    cotangents = cotangents if isinstance(cotangents, tuple) else (cotangents,)
    for i in DOMAINS[key].wrt:
        if i < len(args) and F32 in dtypes(args[i]):
            assert dtypes(cotangents[i]) <= {F32}, f"cotangent {i}: {dtypes(cotangents[i])}"


@pytest.mark.parametrize("key, rule, call", float32_cases("JVP"))
def test_float32_operands_get_float32_tangents(key, rule, call, rng):
    found = float32_arguments(key, call, rng)
    if found is None:
        pytest.skip("numpy's own result is not float32 here")
    args, ans = found
    n = list(inspect.signature(rule).parameters).index("ans")
    zero = np.float32(0.0)  # forward mode drops zero tangents; a float32 zero stands for them
    tangents = [like(args[i], rng) if i < len(args) and i in DOMAINS[key].wrt else zero
                for i in range(n)]
    assert dtypes(rule(*tangents, ans, *args, **call.kwargs)) <= {F32}


# ---------------------------------------------------------------- ties and zeros


@pytest.mark.parametrize("fn", [np.max, np.amax, np.min, np.amin])
def test_max_and_min_share_the_cotangent_between_ties(fn):
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    if fn in (np.min, np.amin):
        a = -a
    rule = numpy_rules.VJP[fn]
    np.testing.assert_allclose(rule(1.0, fn(a), a), [[0, 0.5, 0.5], [0, 0, 0]])
    np.testing.assert_allclose(rule(np.ones(2), fn(a, axis=1), a, axis=1),
                               [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_maximum_gives_a_tie_to_the_first_operand():
    x = np.array([1.0, 2.0])
    cotangents = numpy_rules.VJP[np.maximum](np.ones(2), x, x, x)
    np.testing.assert_array_equal(cotangents[0], [1.0, 1.0])
    np.testing.assert_array_equal(cotangents[1], [0.0, 0.0])


ZEROS = np.array([[0.5, 0.0, 2.0, -1.5], [0.0, 1.2, 0.0, 0.7], [1.1, -0.4, 0.9, 1.3]])


@pytest.mark.parametrize("fn, kwargs", [
    (np.prod, {}), (np.prod, {"axis": 1}), (np.prod, {"axis": 0, "keepdims": True}),
    (np.cumprod, {}), (np.cumprod, {"axis": 1}), (np.cumprod, {"axis": 0}),
])
def test_products_are_exact_where_factors_are_zero(fn, kwargs, rng):
    args = (ZEROS,)
    check_vjp(fn, numpy_rules.VJP[fn], args, kwargs, (0,), False, rng)
    check_jvp(fn, numpy_rules.JVP[fn], args, kwargs, (0,), rng)


# ---------------------------------------------------------------- the method wrappers


def test_reshape_method_takes_the_shape_either_way():
    a = np.arange(12.0).reshape(3, 4)
    for shape in [(2, 6), ((2, 6),), (12,), (-1,), ((4, 3),)]:
        np.testing.assert_array_equal(numpy_rules.reshape_method(a, *shape), a.reshape(*shape))
    np.testing.assert_array_equal(numpy_rules.reshape_method(a, 2, 6, order="F"),
                                  a.reshape(2, 6, order="F"))


def test_transpose_method_takes_the_axes_either_way():
    a = np.arange(24.0).reshape(2, 3, 4)
    for axes in [(), (2, 0, 1), ((1, 2, 0),), ([1, 0, 2],), (None,)]:
        np.testing.assert_array_equal(numpy_rules.transpose_method(a, *axes), a.transpose(*axes))


@pytest.mark.parametrize("dtype", [np.float32, "float64", int, bool])
def test_astype_method_is_the_method(dtype):
    a = np.array([[0.5, -1.5], [2.25, 0.0]])
    result = numpy_rules.astype_method(a, dtype)
    assert result.dtype == a.astype(dtype).dtype
    np.testing.assert_array_equal(result, a.astype(dtype))


def test_every_method_spelling_names_a_function_with_an_entry():
    registry = srcad.rules.registry()
    assert [name for name, fn in numpy_rules.METHODS.items() if not registry.knows(fn)] == []
    assert [name for name, fn in numpy_rules.ATTRIBUTES.items() if not registry.knows(fn)] == []
