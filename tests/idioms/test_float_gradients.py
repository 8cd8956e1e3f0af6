"""The gradient with respect to a Python float is a Python float, never a numpy scalar, in grad,
value_and_grad and vjp alike: where an adjoint of a float reads numpy values (`np.exp(x)`, an
adjoint carried round a loop that numpy calls fed), the generated code makes it a float; where
it is one already, the code stays as it was (no `_rt.gradient`).

Oracle: central differences, and the tape's gradient (its own float conversion aside).
"""
import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, fd_grad, load_function

SOURCE = """
import numpy as np

A = np.array([1.0, 2.0, 0.5])
C = 2.5
NUMPY_C = np.float64(2.5)


def exp_plus_itself(x):
    return np.exp(x) + x


def reassigned_in_a_loop(x):
    y = x
    for i in range(3):
        y = y * np.cos(y)
    return y


def numpy_value_times_float(x):
    z = np.exp(x)
    w = z * 2.0
    return w * x + z


def halved_while_large(x):
    t = np.sqrt(x)
    while t > 0.1:
        t = t * 0.5 * np.float64(1.0)
    return t + x


def branch_on_float(x):
    if x > 0.0:
        return np.tanh(x) * x
    return x


def accumulator_over_global(x):
    s = 0.0
    for v in A:
        s += np.sin(v * x)
    return s


def two_floats(x, y):
    return np.sin(x) * y + x * y


def float_times_array_sum(x):
    return x * A.sum()


def global_float_scale(x):
    return x * C + np.sin(C) * x


def global_numpy_scale(x):
    return x * NUMPY_C + x


def exp_helper(z):
    return np.exp(z) * z


def calls_a_helper(x):
    return exp_helper(x * 2.0) * x + np.cos(x)
"""

CASES = [
    ("exp_plus_itself", (1.3,), 0),
    ("reassigned_in_a_loop", (1.3,), 0),
    ("numpy_value_times_float", (0.7,), 0),
    ("halved_while_large", (2.5,), 0),
    ("branch_on_float", (1.3,), 0),
    ("accumulator_over_global", (0.4,), 0),
    ("two_floats", (0.4, 1.5), (0, 1)),
    ("float_times_array_sum", (0.4,), 0),
    ("global_float_scale", (0.4,), 0),
    ("global_numpy_scale", (0.4,), 0),
    ("calls_a_helper", (0.4,), 0),
]


@pytest.fixture(scope="module")
def functions():
    return {name: load_function(SOURCE, name) for name, _, _ in CASES}


def _floats(gradient):
    return list(gradient) if isinstance(gradient, tuple) else [gradient]


@pytest.mark.parametrize("name, args, wrt", CASES, ids=[c[0] for c in CASES])
def test_float_arguments_get_float_gradients(name, args, wrt, functions):
    f = functions[name]
    expected = fd_grad(f, args, wrt)
    _, pullback = srcad.vjp(f, wrt=wrt)(*args)
    for gradient in (srcad.grad(f, wrt=wrt)(*args), srcad.value_and_grad(f, wrt=wrt)(*args)[1], pullback(1.0)):
        assert [type(v) for v in _floats(gradient)] == [float] * len(_floats(gradient))
        assert_close(gradient, expected, rtol=1e-6)
    assert_close(srcad.grad(f, wrt=wrt)(*args), srcad.tape.grad(f, wrt=wrt)(*args), rtol=1e-10)


def test_the_code_converts_only_where_the_adjoint_may_be_a_numpy_scalar(functions):
    converted = srcad.source(functions["exp_plus_itself"], of="grad", args=(1.3,))
    assert "_rt.gradient(" in converted  # bx += bt1 * t1, t1 = np.exp(x): a numpy scalar
    for name in ("float_times_array_sum", "global_float_scale"):
        plain = srcad.source(functions[name], of="grad", args=(0.4,))
        assert "_rt.gradient(" not in plain  # _rt.unbroadcast(..., x), a global float: floats already


@pytest.mark.parametrize("name, args, wrt", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("cotangent", [np.float64(1.0), np.array(1.0), 1], ids=["float64", "0-d array", "int"])
def test_a_numpy_cotangent_gives_float_gradients_too(name, args, wrt, cotangent, functions):
    # vjp's pullback takes the caller's cotangent where grad seeds 1.0: same gradient types
    f = functions[name]
    gradient = srcad.vjp(f, wrt=wrt)(*args)[1](cotangent)
    assert [type(v) for v in _floats(gradient)] == [float] * len(_floats(gradient))
    assert_close(gradient, srcad.grad(f, wrt=wrt)(*args), rtol=1e-15)


@pytest.mark.parametrize("scalar", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name, args, wrt", CASES, ids=[c[0] for c in CASES])
def test_numpy_scalar_arguments_get_numpy_scalar_gradients(name, args, wrt, scalar, functions):
    # a numpy scalar's gradient is a numpy scalar of its dtype, as in autograd: not a 0-d array
    f = functions[name]
    args = tuple(scalar(a) for a in args)
    expected = fd_grad(lambda *a: f(*(np.float64(v) for v in a)), tuple(map(float, args)), wrt)
    _, pullback = srcad.vjp(f, wrt=wrt)(*args)
    gradients = [srcad.grad(f, wrt=wrt)(*args), srcad.value_and_grad(f, wrt=wrt)(*args)[1],
                 pullback(scalar(1.0)), srcad.tape.grad(f, wrt=wrt)(*args)]
    for gradient in gradients:
        assert [type(v) for v in _floats(gradient)] == [scalar] * len(_floats(gradient))
        np.testing.assert_allclose(_floats(gradient), _floats(expected),
                                   rtol=1e-6 if scalar is np.float64 else 1e-3)
