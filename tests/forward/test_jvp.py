"""Forward mode: srcad.jvp over both oracle corpora, and custom forward rules.

`jvp(f, wrt)(*args, *tangents)` gives `(f(*args), J v)`: the tangent is compared with 5-point
central differences along the same direction v (`fd_directional`, rtol 1e-6), the value with
f's own output, and the tangent's kind with the output's (an array of the output's shape for an
array, a float for a scalar, a tuple for a tuple). Directions are random, seeded, and scaled so
that their largest entry is 1: the stencil then moves each argument by no more than the steps
the control-flow corpus keeps on one control path.

Custom rules are registered on functions of modules written by `load_function` only, since
registration is global (never on a numpy or math function the tables already cover).
"""
import ast
import inspect
import math
import textwrap

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_directional, load_function, names, params, wrt_positions
from oracle import corpus, corpus_control

ALL_CASES = corpus.CASES + corpus.VJP_CASES + corpus_control.CASES + corpus_control.VJP_CASES

# Known srcad bugs (reported; strict, so that a fix turns these into failures asking for the
# mark to go).
TANGENT_NOT_INITIALISED = (
    "srcad bug: forward mode never initialises the tangent of a variable that is inactive on "
    "entry and becomes active by reassignment in a loop or branch (`x = x * y` with only y in "
    "wrt): UnboundLocalError on dx in the generated *_jvp (minimal: for_range_power wrt=1)")
NUMPY_SCALAR_TANGENT = (
    "srcad bug: for an output that is a numpy scalar (np.float64, from np.sum, np.dot, np.sin "
    "of a float, ...) the tangent is a 0-d ndarray, not a float: runtime.tangent_out tests "
    "`type(y) is float`")
CRASHES = {}  # case name -> reason: jvp with the case's own wrt raises (none at the time of writing)
# (case name, position): jvp with wrt the single position crashes.
SINGLE_WRT_CRASHES = set()  # fixed: an argument left out of wrt gets a zero tangent


def direction_like(value, rng):
    """A random tangent of the kind of `value`, its largest entry of size 1."""
    if np.ndim(value) == 0:
        return float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0))
    v = rng.standard_normal(np.shape(value))
    return v / np.max(np.abs(v))


def directions(case, rng):
    positions, _ = wrt_positions(case.function, case.wrt)
    return positions, [direction_like(case.args[p], rng) for p in positions]


def assert_same_structure_close(actual, expected, rtol, atol):
    """Values of the same structure (floats, arrays, tuples), shapes equal, numbers close."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), (actual, expected)
        for a, e in zip(actual, expected):
            assert_same_structure_close(a, e, rtol, atol)
        return
    assert np.shape(actual) == np.shape(expected), f"shape {np.shape(actual)}, not {np.shape(expected)}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def assert_tangent_shaped_like(tangent, output):
    """An array output's tangent is a float64 array of its shape; a scalar's is 0-d."""
    if isinstance(output, tuple):
        assert isinstance(tangent, tuple) and len(tangent) == len(output), (tangent, output)
        for t, o in zip(tangent, output):
            assert_tangent_shaped_like(t, o)
        return
    if isinstance(output, np.ndarray):
        assert isinstance(tangent, np.ndarray), f"expected an ndarray, got {type(tangent).__name__}"
        assert tangent.shape == output.shape
        assert tangent.dtype == np.float64
    else:
        assert np.ndim(tangent) == 0, f"expected a scalar tangent, got shape {np.shape(tangent)}"


def scalar_parts(output):
    """The scalar (non-array) parts of an output."""
    parts = output if isinstance(output, tuple) else (output,)
    return [p for p in parts if not isinstance(p, np.ndarray)]


def has_numpy_scalar_output(case):
    return any(isinstance(p, np.generic) for p in scalar_parts(case.function(*case.args)))


SCALAR_OUTPUT_CASES = [case for case in ALL_CASES if scalar_parts(case.function(*case.args))]
NUMPY_SCALAR_OUTPUT_CASES = [case for case in SCALAR_OUTPUT_CASES if has_numpy_scalar_output(case)]
PYTHON_SCALAR_OUTPUT_CASES = [case for case in SCALAR_OUTPUT_CASES if not has_numpy_scalar_output(case)]
MULTI_WRT_CASES = [case for case in ALL_CASES if len(wrt_positions(case.function, case.wrt)[0]) > 1]


def reassigns_an_argument(fn):
    """Whether fn's body assigns to one of its parameters (`x = ...`, `x += ...`, `for x in`)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    function = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))
    params = {a.arg for a in function.args.args}
    return any(isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in params
               for node in ast.walk(function))


# One argument at a time leaves the others inactive, which matters where a parameter is
# reassigned: an inactive value may become active there, or the reverse.
SINGLE_WRT_CASES = [case for case in MULTI_WRT_CASES if reassigns_an_argument(case.function)]
SINGLE_WRT_PARAMS = [
    pytest.param(case, p, id=f"{case.name}-{p}",
                 marks=[pytest.mark.xfail(strict=True, reason=TANGENT_NOT_INITIALISED)]
                 if (case.name, p) in SINGLE_WRT_CRASHES else
                 [pytest.mark.xfail(strict=True, reason=CRASHES[case.name])] if case.name in CRASHES else [])
    for case in SINGLE_WRT_CASES for p in wrt_positions(case.function, case.wrt)[0]]


# ---------------------------------------------------------------- the oracle itself

def test_the_corpora_are_all_here():
    assert len(ALL_CASES) >= 150
    assert len(set(names(ALL_CASES))) == len(ALL_CASES)
    assert len(MULTI_WRT_CASES) >= 50
    assert 0 < len(NUMPY_SCALAR_OUTPUT_CASES) < len(SCALAR_OUTPUT_CASES)


def test_directional_differences_of_a_linear_map_are_exact(rng):
    a = rng.standard_normal((3, 4))
    x, v = rng.standard_normal(4), rng.standard_normal(4)
    assert_close(fd_directional(lambda x: a @ x, (x,), [0], [v]), a @ v, rtol=1e-9)


# ---------------------------------------------------------------- jvp against differences

@pytest.mark.parametrize("case", params(ALL_CASES, CRASHES))
def test_jvp_matches_directional_differences(case, rng):
    positions, v = directions(case, rng)
    _, tangent = srcad.jvp(case.function, wrt=case.wrt)(*case.args, *v)
    expected = fd_directional(case.function, case.args, positions, v)
    assert_same_structure_close(tangent, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", params(ALL_CASES, CRASHES))
def test_jvp_value_is_the_output(case, rng):
    _, v = directions(case, rng)
    value, _ = srcad.jvp(case.function, wrt=case.wrt)(*case.args, *v)
    assert_same_structure_close(value, case.function(*case.args), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", params(ALL_CASES, CRASHES))
def test_tangent_has_the_shape_of_the_output(case, rng):
    _, v = directions(case, rng)
    _, tangent = srcad.jvp(case.function, wrt=case.wrt)(*case.args, *v)
    assert_tangent_shaped_like(tangent, case.function(*case.args))


def assert_scalar_tangents_are_floats(tangent, output):
    tangents = tangent if isinstance(output, tuple) else (tangent,)
    outputs = output if isinstance(output, tuple) else (output,)
    for t, o in zip(tangents, outputs):
        if not isinstance(o, np.ndarray):
            assert isinstance(t, float) and not isinstance(t, np.ndarray), (
                f"a {type(o).__name__} output has a {type(t).__name__} tangent")


@pytest.mark.parametrize("case", params(PYTHON_SCALAR_OUTPUT_CASES, CRASHES))
def test_tangent_of_a_float_output_is_a_float(case, rng):
    _, v = directions(case, rng)
    _, tangent = srcad.jvp(case.function, wrt=case.wrt)(*case.args, *v)
    assert_scalar_tangents_are_floats(tangent, case.function(*case.args))


@pytest.mark.parametrize("name", ["np_exp_sum", "np_functions_on_floats", "dot_vector_vector", "for_zip",
                                  "vjp_tuple_of_array_and_float"])
def test_tangent_of_a_numpy_scalar_output_is_a_float(name, rng):
    # Every case with a numpy-scalar output behaves alike (NUMPY_SCALAR_OUTPUT_CASES); these
    # few stand for them, one per way of making such an output.
    (case,) = [c for c in ALL_CASES if c.name == name]
    assert case in NUMPY_SCALAR_OUTPUT_CASES
    _, v = directions(case, rng)
    _, tangent = srcad.jvp(case.function, wrt=case.wrt)(*case.args, *v)
    assert_scalar_tangents_are_floats(tangent, case.function(*case.args))


@pytest.mark.parametrize("case", params(ALL_CASES, CRASHES))
def test_jvp_is_linear_in_the_tangents(case, rng):
    _, v = directions(case, rng)
    _, w = directions(case, rng)
    h = srcad.jvp(case.function, wrt=case.wrt)
    _, jv = h(*case.args, *v)
    _, jw = h(*case.args, *w)
    _, combined = h(*case.args, *[2.0 * a - 0.5 * b for a, b in zip(v, w)])

    def mix(a, b):
        if isinstance(a, tuple):
            return tuple(mix(x, y) for x, y in zip(a, b))
        return 2.0 * np.asarray(a) - 0.5 * np.asarray(b)

    assert_same_structure_close(combined, mix(jv, jw), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- wrt: positions, tuples, names

@pytest.mark.parametrize("case, position", SINGLE_WRT_PARAMS)
def test_single_wrt_of_a_multi_argument_case(case, position, rng):
    v = direction_like(case.args[position], rng)
    _, tangent = srcad.jvp(case.function, wrt=position)(*case.args, v)
    expected = fd_directional(case.function, case.args, [position], [v])
    assert_same_structure_close(tangent, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", params(MULTI_WRT_CASES, CRASHES))
def test_tuple_wrt_takes_one_tangent_each_in_order(case, rng):
    # One unit tangent at a time: the tuple jvp then gives that argument's own column.
    positions, _ = wrt_positions(case.function, case.wrt)
    h = srcad.jvp(case.function, wrt=case.wrt)
    zeros = [0.0 if np.ndim(case.args[p]) == 0 else np.zeros(np.shape(case.args[p])) for p in positions]
    for k, p in enumerate(positions):
        v = list(zeros)
        v[k] = direction_like(case.args[p], rng)
        _, tangent = h(*case.args, *v)
        expected = fd_directional(case.function, case.args, [p], [v[k]])
        assert_same_structure_close(tangent, expected, rtol=1e-6, atol=1e-8)


def test_tuple_wrt_with_too_few_tangents_is_not_accepted():
    h = srcad.jvp(corpus.textbook, wrt=(0, 1))
    with pytest.raises((TypeError, srcad.SrcadError)):
        h(2.0, 5.0, 1.0)


@pytest.mark.parametrize("case", params([c for c in ALL_CASES if c.name in {
    "matmul_vector_vector", "vjp_tuple_of_floats", "vjp_tuple_from_loop", "helper_returns_tuple"}], CRASHES))
def test_tuple_wrt_order_is_wrt_order_not_parameter_order(case, rng):
    positions, _ = wrt_positions(case.function, case.wrt)
    reversed_wrt = tuple(reversed(positions))
    v = [direction_like(case.args[p], rng) for p in positions]
    _, forwards = srcad.jvp(case.function, wrt=tuple(positions))(*case.args, *v)
    _, backwards = srcad.jvp(case.function, wrt=reversed_wrt)(*case.args, *reversed(v))
    assert_same_structure_close(backwards, forwards, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", params([c for c in ALL_CASES if any(
    isinstance(w, str) for w in (c.wrt if isinstance(c.wrt, tuple) else (c.wrt,)))], CRASHES))
def test_wrt_by_name_is_wrt_by_position(case, rng):
    positions, as_tuple = wrt_positions(case.function, case.wrt)
    by_position = tuple(positions) if as_tuple else positions[0]
    v = [direction_like(case.args[p], rng) for p in positions]
    by_name_out = srcad.jvp(case.function, wrt=case.wrt)(*case.args, *v)
    by_position_out = srcad.jvp(case.function, wrt=by_position)(*case.args, *v)
    assert_same_structure_close(by_name_out, by_position_out, rtol=0, atol=0)


def test_wrt_by_name_on_the_textbook():
    value, tangent = srcad.jvp(corpus.textbook, wrt="x2")(2.0, 5.0, 1.0)
    assert value == pytest.approx(math.log(2.0) + 10.0 - math.sin(5.0), rel=1e-15)
    assert tangent == pytest.approx(2.0 - math.cos(5.0), rel=1e-14)
    names_out = srcad.jvp(corpus.textbook, wrt=("x2", "x1"))(2.0, 5.0, 1.0, 1.0)
    assert names_out[1] == pytest.approx(5.5 + 2.0 - math.cos(5.0), rel=1e-14)


def test_arguments_not_in_wrt_pass_through_untouched():
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    value, tangent = srcad.jvp(corpus.shape_tuple)(x, (3, 4), np.ones(3))
    np.testing.assert_array_equal(x, before)
    assert value == pytest.approx(np.sum(x * x) * 3 + 4)
    assert tangent == pytest.approx(6.0 * np.sum(x))


def test_decorator_forms():
    @srcad.jvp
    def bare(x):
        return x * x

    assert bare(3.0, 1.0) == (9.0, 6.0)
    with_options = srcad.jvp(wrt=(0, 1))(corpus.arithmetic)
    plain = srcad.jvp(corpus.arithmetic, wrt=(0, 1))
    assert with_options(1.5, -2.5, 1.0, 0.5) == plain(1.5, -2.5, 1.0, 0.5)
    assert plain.__name__ == "arithmetic"


# ---------------------------------------------------------------- custom forward rules

MODULE = '''
import math
import numpy as np
import srcad

CALLS = []


def cube(x):
    return x * x * x


def uses_cube(x):
    return cube(x) + x


def power(x, k):
    return x ** k


def uses_power(x, k):
    return power(x, k) * 2.0


def uses_cube_in_a_loop(x):
    s = 0.0
    for i in range(3):
        s = s + cube(x * (i + 1))
    return s


@srcad.primitive
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defjvp
def softplus_jvp(dargs, ans, x):
    CALLS.append("softplus")
    (dx,) = dargs
    return dx / (1.0 + np.exp(-x))


@srcad.primitive
def opaque_body(x, k):
    try:                      # srcad could not transform this body: it never has to
        return math.sin(x) * k
    except ValueError:
        return 0.0


opaque_body.defjvp(lambda dargs, ans, x, k: (dargs[0] * math.cos(x) * k if dargs[0] is not None else 0.0)
                   + (dargs[1] * math.sin(x) if dargs[1] is not None else 0.0))


@srcad.primitive
def no_rule(x):
    return math.sin(x)


def uses_softplus(x):
    return np.sum(softplus(x) * x)


def uses_softplus_array_out(x):
    return softplus(x * 2.0) - x


def uses_opaque_body(x, k):
    return opaque_body(x, k) + x * k


def uses_no_rule(x):
    return no_rule(x) * 2.0
'''


@pytest.fixture(scope="module")
def module():
    return load_function(MODULE, "uses_cube").__globals__


def test_defjvp_on_a_user_function_is_used_instead_of_its_body(module):
    seen = []

    def rule(dargs, ans, x):
        seen.append((dargs, ans, x))
        return dargs[0] * 3.0 * x * x
    srcad.defjvp(module["cube"], rule)
    value, tangent = srcad.jvp(module["uses_cube"])(1.5, 2.0)
    assert value == 1.5 ** 3 + 1.5
    assert tangent == pytest.approx(2.0 * (3.0 * 1.5 ** 2 + 1.0), rel=1e-14)
    assert seen == [((2.0,), 1.5 ** 3, 1.5)]


def test_defjvp_rule_sees_none_for_an_inactive_argument(module):
    seen = []

    def rule(dargs, ans, x, k):
        seen.append(dargs)
        dx, dk = dargs
        out = 0.0
        if dx is not None:
            out = out + dx * k * x ** (k - 1)
        if dk is not None:
            out = out + dk * ans * math.log(x)
        return out
    srcad.defjvp(module["power"], rule)
    f = module["uses_power"]
    _, tangent = srcad.jvp(f, wrt=0)(1.7, 2.5, 1.0)
    assert seen[-1] == (1.0, None)
    assert tangent == pytest.approx(fd_directional(f, (1.7, 2.5), [0], [1.0]), rel=1e-8)
    _, tangent = srcad.jvp(f, wrt=1)(1.7, 2.5, 1.0)
    assert seen[-1] == (None, 1.0)
    assert tangent == pytest.approx(fd_directional(f, (1.7, 2.5), [1], [1.0]), rel=1e-8)
    _, tangent = srcad.jvp(f, wrt=(0, 1))(1.7, 2.5, 0.5, -1.0)
    assert seen[-1] == (0.5, -1.0)
    assert tangent == pytest.approx(fd_directional(f, (1.7, 2.5), [0, 1], [0.5, -1.0]), rel=1e-8)


def test_defjvp_rule_inside_a_loop(module):
    srcad.defjvp(module["cube"], lambda dargs, ans, x: dargs[0] * 3.0 * x * x)
    f = module["uses_cube_in_a_loop"]
    _, tangent = srcad.jvp(f)(0.6, 1.0)
    assert tangent == pytest.approx(3.0 * 0.6 ** 2 * (1 + 8 + 27), rel=1e-12)


def test_primitive_with_a_decorated_jvp_rule(module):
    f = module["uses_softplus"]
    x = np.array([-1.0, 0.5, 2.0])
    v = np.array([0.3, -1.0, 0.7])
    del module["CALLS"][:]
    value, tangent = srcad.jvp(f)(x, v)
    assert module["CALLS"] == ["softplus"]
    assert value == pytest.approx(f(x), rel=1e-15)
    assert_close(float(tangent), fd_directional(f, (x,), [0], [v]), rtol=1e-8)


def test_primitive_rule_gives_an_array_tangent(module):
    f = module["uses_softplus_array_out"]
    x = np.array([-1.0, 0.5, 2.0])
    v = np.array([0.3, -1.0, 0.7])
    _, tangent = srcad.jvp(f)(x, v)
    assert_close(tangent, fd_directional(f, (x,), [0], [v]), rtol=1e-8)


def test_primitive_body_is_never_transformed(module):
    f = module["uses_opaque_body"]
    for wrt, v in ((0, [1.0]), (1, [1.0]), ((0, 1), [0.4, -0.8])):
        positions = list(wrt) if isinstance(wrt, tuple) else [wrt]
        _, tangent = srcad.jvp(f, wrt=wrt)(0.9, 1.6, *v)
        assert tangent == pytest.approx(fd_directional(f, (0.9, 1.6), positions, v), rel=1e-8)


def test_primitive_without_a_jvp_rule_is_refused_with_a_hint(module):
    f = module["uses_no_rule"]
    with pytest.raises(srcad.SrcadError) as info:
        srcad.jvp(f)(0.5, 1.0)
    assert "no_rule" in str(info.value) and "defjvp" in str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + 1


def test_primitive_still_calls_as_itself(module):
    assert module["softplus"](0.0) == pytest.approx(math.log(2.0))
    assert module["softplus"].__name__ == "softplus"
