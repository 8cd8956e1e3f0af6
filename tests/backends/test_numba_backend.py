"""backend="numba": the derivative compiled with numba.njit gives srcad's own gradient (checked
against central differences), and what numba cannot compile is refused at the user's line.

numba compiles for seconds: each derivative here is compiled once for the module."""
import math
import sys

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, line_of, load_function
from srcad.numba_backend import Compiler

numba = pytest.importorskip("numba")
try:
    import scipy  # noqa: F401 - numba compiles `@` and np.dot only with scipy installed
    HAS_SCIPY = True
except ModuleNotFoundError:
    HAS_SCIPY = False

SOURCE = '''
import math
import numpy as np


class Box:
    factor = 2.0


BOX = Box()


def recurrence(x, n=200):
    s = x
    for i in range(n):
        s = math.sin(s) * 0.9 + x * 0.1
    return s


def stops(x, n=30):
    s = x
    for i in range(n):
        s = math.sin(s) + x * 0.5
        if s > 1.2:
            break
        s = s * s
    return s


def bump(v):
    return v * v + math.exp(v)


def with_helper(x, y):
    return bump(x) * y + bump(y)


def array_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += np.sin(x[i]) * x[i]
    return s


def layer(x, W):
    h = np.tanh(W @ x)
    return np.mean(h ** 2) + np.dot(x, x)


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def running_total(x):
    return np.sum(np.cumsum(x))


def reductions(x, v):
    """np.sum over an axis (the one numba's takes), np.max/np.min/np.amax of the whole array
    (ties share the derivative), the 2-norm, a column read by a slice."""
    rows = np.sum(x * x, axis=-1)
    return np.sum(np.sum(x, axis=0) ** 2) + np.sum(rows * x[:, 0]) + np.max(v) * 2.0 \
        + np.min(v) + np.amax(x * v) + np.linalg.norm(x) * np.linalg.norm(v)


def linear_algebra(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2) + np.linalg.det(A) + np.sum(np.linalg.inv(A) * A)


def boxed(x):
    return x * BOX.factor


def outer_sum(c, r):
    return np.sum(c * r)


def mixed(x, v):
    return math.sqrt(x) * np.sum(np.abs(v) * v) + np.sum(np.abs(v) ** x) + np.mean(v @ v * v)
'''


@pytest.fixture(scope="module")
def m():
    return sys.modules[load_function(SOURCE, "recurrence").__module__]


def test_grad_and_value_and_grad_of_a_loop(m):
    x = 0.3
    assert srcad.grad(m.recurrence, backend="numba")(x) == srcad.grad(m.recurrence)(x)
    assert srcad.grad(m.recurrence, backend="numba")(x) == pytest.approx(fd_grad(m.recurrence, (x,), 0), rel=1e-7)
    value, gradient = srcad.value_and_grad(m.recurrence, backend="numba")(x, 50)
    assert value == m.recurrence(x, 50)
    assert gradient == pytest.approx(srcad.grad(m.recurrence)(x, 50), rel=1e-12)
    texts = [text for _, text in Compiler.lines.values() if "def recurrence_grad(" in text]
    assert any("_tape_0[_tape_at] = s" in text for text in texts)  # its tape became an array


@pytest.mark.parametrize("x", [0.3, 0.9])
def test_a_loop_that_breaks_keeps_its_list_tape(m, x):
    assert srcad.grad(m.stops, backend="numba")(x) == pytest.approx(srcad.grad(m.stops)(x), rel=1e-12)
    assert srcad.grad(m.stops)(x) == pytest.approx(fd_grad(m.stops, (x,), 0), rel=1e-6)


def test_a_helper_call(m):
    got = srcad.grad(m.with_helper, (0, 1), backend="numba")(0.3, 0.7)
    assert_close(got, srcad.grad(m.with_helper, (0, 1))(0.3, 0.7), rtol=1e-12)


@pytest.mark.parametrize("name, args", [
    ("array_loop", (np.linspace(-1.0, 1.0, 7),)),
    ("layer", (np.linspace(-1.0, 1.0, 3), np.arange(6.0).reshape(2, 3) / 6.0)),
])
def test_arrays(m, name, args):
    fn = getattr(m, name)
    if name == "layer" and not HAS_SCIPY:
        with pytest.raises(srcad.SrcadError, match="scipy"):  # numba's `@` needs scipy's BLAS
            srcad.grad(fn, backend="numba")(*args)
        return
    got = srcad.grad(fn, backend="numba")(*args)
    assert type(got) is np.ndarray and got.shape == args[0].shape
    assert_close(got, fd_grad(fn, args, 0), rtol=1e-6)


def test_twins_of_division_abs_and_powers(m):
    args = (0.7, np.array([0.5, -1.5, 2.0]))
    if not HAS_SCIPY:
        with pytest.raises(srcad.SrcadError, match="scipy"):  # numba's `@` needs scipy's BLAS
            srcad.grad(m.mixed, (0, 1), backend="numba")(*args)
        return
    got = srcad.grad(m.mixed, (0, 1), backend="numba")(*args)
    want = srcad.grad(m.mixed, (0, 1))(*args)
    assert got[0] == pytest.approx(want[0], rel=1e-12) and np.allclose(got[1], want[1], rtol=1e-12)
    assert_close(got[0], fd_grad(m.mixed, args, 0), rtol=1e-6)
    assert srcad.grad(m.mixed, backend="numba")(0.0, args[1]) == srcad.grad(m.mixed)(0.0, args[1])  # inf


def test_a_cotangent_summed_over_broadcast_axes_is_refused_not_wrong(m):
    with pytest.raises(srcad.SrcadError, match="does not sum a cotangent back over broadcast axes"):
        srcad.grad(m.outer_sum, backend="numba")(np.ones((3, 1)), np.ones((1, 4)))


def test_jvp(m):
    value, tangent = srcad.jvp(m.textbook, (0, 1), backend="numba")(2.0, 5.0, 1.0, 0.0)
    assert value == pytest.approx(m.textbook(2.0, 5.0)) and tangent == pytest.approx(5.5)


def test_grad_of_an_njit_function_is_compiled_with_numba(m):
    jitted = numba.njit(m.textbook)
    gradient = srcad.grad(jitted, (0, 1))
    assert gradient.backend == "numba" and numba.extending.is_jitted(gradient)
    assert gradient(2.0, 5.0) == pytest.approx((5.5, 2.0 - math.cos(5.0)))
    assert srcad.grad(jitted, backend="python")(2.0, 5.0) == pytest.approx(5.5)  # asked for: Python's
    assert not numba.extending.is_jitted(srcad.grad(jitted, backend="python"))


def test_njit_code_calls_the_numba_gradient(m):
    """Gradient descent written in numba, calling srcad's gradients: the same steps as in
    Python with srcad's Python gradients (an oracle checked against differences above)."""
    grad_loop = srcad.grad(numba.njit(m.recurrence))
    value_and_grad_layer = srcad.value_and_grad(numba.njit(m.array_loop))
    tangent = srcad.jvp(m.textbook, (0, 1), backend="numba")

    @numba.njit
    def descend(x, v, steps):
        for _ in range(steps):
            x -= 0.1 * grad_loop(x)  # n left at its default
            value, g = value_and_grad_layer(v)
            v = v - 0.1 * g
        return x, v, value, tangent(2.0, x, 1.0, 0.5)

    x, v, value, (y, dy) = descend(0.3, np.linspace(-1.0, 1.0, 5), 3)
    want_x, want_v = 0.3, np.linspace(-1.0, 1.0, 5)
    for _ in range(3):
        want_x -= 0.1 * srcad.grad(m.recurrence)(want_x)
        want_value, g = srcad.value_and_grad(m.array_loop)(want_v)
        want_v = want_v - 0.1 * g
    assert x == pytest.approx(want_x, rel=1e-12) and value == pytest.approx(want_value, rel=1e-12)
    assert np.allclose(v, want_v, rtol=1e-12, atol=0)
    assert dy == pytest.approx(srcad.jvp(m.textbook, (0, 1))(2.0, x, 1.0, 0.5)[1], rel=1e-12)


def test_a_refusal_comes_out_of_the_njit_code_calling_the_gradient(m):
    gradient = srcad.grad(m.boxed, backend="numba")

    @numba.njit
    def caller(x):
        return gradient(x) * 2.0
    with pytest.raises(srcad.SrcadError) as info:
        caller(1.5)
    assert info.value.lineno == line_of(m.boxed, "x * BOX.factor")


def test_arguments_numba_cannot_take_are_refused(m):
    with pytest.raises(srcad.SrcadError, match="numba cannot take the argument x1 of textbook_grad"):
        srcad.grad(m.textbook, backend="numba")({"a": 1.0}, 2.0)
    with pytest.raises(srcad.SrcadError, match="not containers"):
        srcad.grad(m.textbook, backend="numba")((1.0, 2.0), 2.0)


def test_reductions_over_an_axis_extrema_and_norms(m):
    x = np.array([[0.5, -1.2, 0.8], [0.3, 0.8, -0.4]])
    v = np.array([0.7, -0.2, 0.7])  # a tie for the max: its derivative shared as in Python
    got = srcad.grad(m.reductions, (0, 1), backend="numba")(x, v)
    want = srcad.grad(m.reductions, (0, 1))(x, v)
    for g, w, arg in zip(got, want, (x, v)):
        assert type(g) is np.ndarray and g.shape == arg.shape and np.allclose(g, w, rtol=1e-12, atol=0)
    assert np.allclose(got[0], fd_grad(m.reductions, (x, v), 0), rtol=1e-6)  # smooth in x
    assert got[1][0] == pytest.approx(want[1][0]) and got[1][0] != got[1][1]
    value, tangent = srcad.jvp(m.reductions, 0, backend="numba")(x, v, np.ones_like(x))
    assert value == pytest.approx(m.reductions(x, v)) and tangent == pytest.approx(np.sum(want[0]), rel=1e-12)


def test_linear_algebra(m):
    A = np.array([[2.0, 0.3], [0.1, 1.5]])
    for b in (np.array([0.3, 0.7]), np.array([[0.3, 0.1, -0.2], [0.7, 0.4, 0.9]])):
        if not HAS_SCIPY:
            with pytest.raises(srcad.SrcadError, match="scipy"):  # numba's np.linalg needs scipy's LAPACK
                srcad.grad(m.linear_algebra, (0, 1), backend="numba")(A, b)
            return
        got = srcad.grad(m.linear_algebra, (0, 1), backend="numba")(A, b)
        for g, arg, position in zip(got, (A, b), (0, 1)):
            assert g.shape == arg.shape
            assert np.allclose(g, fd_grad(m.linear_algebra, (A, b), position), rtol=1e-6)


def test_a_helper_without_a_numba_version_is_refused_before_running(m):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(m.running_total, backend="numba")(np.ones(3))
    assert info.value.lineno == line_of(m.running_total, "np.sum(np.cumsum(x))")
    assert "uncumsum, which has no numba version" in str(info.value)
    assert "backend='python'" in str(info.value)


def test_what_numba_cannot_compile_is_refused_at_the_users_line(m):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(m.boxed, backend="numba")(1.5)
    assert info.value.lineno == line_of(m.boxed, "x * BOX.factor")
    assert "numba cannot compile the derivative of boxed" in str(info.value)
    assert "Traceback" not in str(info.value)
