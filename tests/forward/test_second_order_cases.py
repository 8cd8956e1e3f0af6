"""Second order and forward mode on cases that once crashed or gave zeros, each minimised.

The oracle: closed forms, and 5-point differences of the analytic gradient (hessians).
- a helper that saves values (`mul`) called before one that saves nothing (`ident`): forward
  mode over the generated gradient kept the helpers' tape and its tangents out of step;
- a gradient srcad made, called by f, with numpy scalar arguments: its second derivatives
  were taken for constants (zero);
- a global or closure value passed to a helper: the hessian read the tangent of a name never
  given one (NameError);
- `np.linalg.slogdet` in forward mode: its rule's tuple of tangents broke the optimiser.
"""
import math

import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, five_point, load_function

HELPERS = '''
import numpy as np


def mul(a, b):
    return a * b


def ident(a):
    return a


def saves_then_saves_nothing(x):
    y = mul(x, x)
    z = ident(y)
    return z * x


def saves_nothing_then_saves(x):
    y = ident(x)
    z = mul(y, x)
    return z * y


def in_a_loop(x, n):
    s = x
    for _ in range(n):
        s = ident(mul(s, x))
    return s
'''


@pytest.fixture(scope="module")
def helpers():
    return load_function(HELPERS, "mul").__globals__


@pytest.mark.parametrize("x", [1.5, -0.7])
def test_grad_of_grad_through_a_helper_that_saves_nothing(helpers, x):
    # x * x * x: second derivative 6 x
    assert_close(srcad.grad(srcad.grad(helpers["saves_then_saves_nothing"]))(x), 6.0 * x, rtol=1e-12)
    assert_close(srcad.grad(srcad.grad(helpers["saves_nothing_then_saves"]))(x), 6.0 * x, rtol=1e-12)
    assert_close(srcad.hessian(helpers["saves_then_saves_nothing"])(x), 6.0 * x, rtol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 3])
def test_grad_of_grad_through_helpers_in_a_loop(helpers, n):
    x = 0.9  # x ** (n + 1): second derivative (n + 1) n x ** (n - 1)
    assert_close(srcad.grad(srcad.grad(helpers["in_a_loop"]))(x, n), (n + 1) * n * x ** (n - 1), rtol=1e-12)


CALLS_A_GRADIENT = '''
import srcad


def g(x):
    return x * x * x


dg = srcad.grad(g)


def f(x):
    return dg(x) * x


def g2(x, y):
    return x * x * y


dg2 = srcad.grad(g2, wrt=1)


def f2(x, y):
    return dg2(x, y) * y
'''


@pytest.fixture(scope="module")
def calls_a_gradient():
    return load_function(CALLS_A_GRADIENT, "f").__globals__


@pytest.mark.parametrize("x", [1.5, np.float64(1.5), np.float32(1.5), np.int64(2), np.array(1.5)],
                         ids=["float", "float64", "float32", "int64", "0-d array"])
def test_reverse_mode_over_a_called_gradient_with_numpy_scalars(calls_a_gradient, x):
    # f = 3 x ** 3: f' = 9 x ** 2
    gradient = srcad.grad(calls_a_gradient["f"])(x)
    np.testing.assert_allclose(float(gradient), 9.0 * float(x) ** 2, rtol=1e-6)


@pytest.mark.parametrize("scalar", [float, np.float64, np.array], ids=["float", "float64", "0-d array"])
def test_reverse_mode_over_a_called_gradient_with_two_arguments(calls_a_gradient, scalar):
    x, y = scalar(1.5), scalar(0.5)  # f2 = x ** 2 y: (2 x y, x ** 2)
    dx, dy = srcad.grad(calls_a_gradient["f2"], wrt=(0, 1))(x, y)
    np.testing.assert_allclose([float(dx), float(dy)], [2 * 1.5 * 0.5, 1.5 ** 2], rtol=1e-12)


GLOBALS_TO_HELPERS = '''
import numpy as np

C = 2.0
A = np.array([1.0, 2.0, 3.0])
L = [1.0, 4.0]


def h(x, c):
    return np.sum(x * x * c)


def second(x, values):
    return x * x * values[1]


def global_float(x):
    return h(x, C)


def global_array(x):
    return h(x, A)


def global_list(x):
    return second(x, L)


def closure():
    k = 3.0

    def f(x):
        return second(x, (k, k)) + h(x, k)
    return f
'''


@pytest.fixture(scope="module")
def globals_to_helpers():
    return load_function(GLOBALS_TO_HELPERS, "h").__globals__


@pytest.mark.parametrize("name, second", [("global_float", 4.0), ("global_list", 8.0)])
def test_hessian_of_a_global_passed_to_a_helper(globals_to_helpers, name, second):
    f = globals_to_helpers[name]
    assert_close(srcad.hessian(f)(1.5), second, rtol=1e-12)
    assert_close(srcad.grad(srcad.grad(f))(1.5), second, rtol=1e-12)


def test_hessian_of_a_global_array_passed_to_a_helper(globals_to_helpers):
    x = np.array([0.5, 1.0, -1.0])
    assert_close(srcad.hessian(globals_to_helpers["global_array"])(x), np.diag([2.0, 4.0, 6.0]), rtol=1e-12)


def test_hessian_of_a_closure_value_passed_to_a_helper(globals_to_helpers):
    f = globals_to_helpers["closure"]()
    assert_close(srcad.hessian(f)(1.5), 12.0, rtol=1e-12)  # 3 x ** 2 + 3 x ** 2


SLOGDET = '''
import numpy as np


def logdet(x):
    _s, l = np.linalg.slogdet(x)
    return l


def sign_times_logdet(x):
    s, l = np.linalg.slogdet(x)
    return s * l
'''

X = np.array([[2.0, 0.5], [0.3, 1.5]])


@pytest.mark.parametrize("name", ["logdet", "sign_times_logdet"])
def test_jvp_through_slogdet(name):
    f = load_function(SLOGDET, name)
    v = np.array([[0.3, -0.2], [0.7, 0.1]])
    value, tangent = srcad.jvp(f)(X, v)
    assert value == pytest.approx(math.log(abs(np.linalg.det(X))), rel=1e-12)
    assert tangent == pytest.approx(np.trace(np.linalg.solve(X, v)), rel=1e-12)  # d log|det| = tr(X^-1 V)


def test_hessian_through_slogdet_matches_differences_of_the_gradient():
    f = load_function(SLOGDET, "logdet")
    hessian = srcad.hessian(f)(X)
    expected = np.empty((2, 2, 2, 2))
    for index in np.ndindex(X.shape):
        def along(t, index=index):
            moved = X.copy()
            moved[index] = t
            return np.linalg.inv(moved).T  # the gradient of log|det X|
        expected[(...,) + index] = five_point(along, X[index])
    assert_close(hessian, expected, rtol=1e-7, atol=1e-9)


MADE = '''
import srcad


def g(x, y):
    return x * x * y


def quartic(x):
    return x * x * x * x


values_and_gradients = srcad.value_and_grad(g)
both_gradients = srcad.grad(g, wrt=(0, 1))
hessian_of_g = srcad.hessian(g)
tangents_of_g = srcad.jvp(g)
jacobian_of_g = srcad.jacobian(g)


def calls_value_and_grad(x, y):
    v, d = values_and_gradients(x, y)
    return d * x


def calls_grad_of_two(x, y):
    a, b = both_gradients(x, y)
    return a * y


def calls_hessian(x, y):
    return hessian_of_g(x, y) * x


def calls_jvp(x, y):
    v, t = tangents_of_g(x, y, 1.0)
    return t * x


def calls_jacobian(x, y):
    return jacobian_of_g(x, y) * x
'''


@pytest.fixture(scope="module")
def made():
    return load_function(MADE, "g").__globals__


@pytest.mark.parametrize("name, call", [
    ("calls_value_and_grad", "values_and_gradients(x, y)"), ("calls_grad_of_two", "both_gradients(x, y)"),
    ("calls_hessian", "hessian_of_g(x, y)"), ("calls_jvp", "tangents_of_g(x, y, 1.0)"),
    ("calls_jacobian", "jacobian_of_g(x, y)")])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_calling_a_derivative_srcad_made_other_than_a_gradient_is_refused(made, name, call, mode):
    # functools.wraps gave these g's module and source: they were differentiated as if they were
    # g (calls_hessian: gradient (4.42, 0.98) where the truth is (2.6, 1.4))
    f = made[name]
    with pytest.raises(srcad.SrcadError, match="a derivative srcad made") as info:
        if mode == "reverse":
            srcad.grad(f, wrt=(0, 1))(0.7, 1.3)
        else:
            srcad.jvp(f)(0.7, 1.3, 1.0)
    assert_cites(info.value, f, call)


@pytest.mark.parametrize("make", [
    lambda g: srcad.hessian(g),
    lambda g: srcad.jacobian(srcad.grad(g), mode="forward"),
    lambda g: srcad.jacobian(g),
    lambda g: srcad.jvp(g)], ids=["hessian", "jacobian of grad", "jacobian", "jvp"])
def test_differentiating_a_jacobian_or_hessian_srcad_made_is_refused(made, make):
    # grad(hessian(quartic)) gave the second derivative (5.88 at 0.7), grad(jacobian(quartic)) the
    # first (1.372): the truths are 16.8 and 5.88
    with pytest.raises(srcad.SrcadError, match="srcad does not differentiate those again"):
        srcad.grad(make(made["quartic"]))(0.7)
