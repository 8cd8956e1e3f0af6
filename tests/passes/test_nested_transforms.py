"""A differentiated function may itself call srcad.grad(g): the gradient it calls has rules of
its own (a Hessian-vector product backwards, a jvp forwards), by forward over reverse."""
import math

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

MODULE = '''
import math
import numpy as np
import srcad


def g(x, y):
    return math.sin(x) * y * y


DG = srcad.grad(g)


def made_inside(x, y):
    dg = srcad.grad(g)
    return dg(x, y) * x


def made_outside(x, y):
    return DG(x, y) + srcad.grad(g, wrt=1)(x, y)


def energy(q):
    return np.sum(q ** 4) + np.sum(q[:-1] * q[1:])


def speed_of_descent(q):
    step = srcad.grad(energy)(q)
    return np.sum(step * step)
'''


@pytest.fixture(scope="module")
def module():
    return load_function(MODULE, "g").__globals__


def test_grad_of_a_function_that_calls_srcad_grad(module):
    x, y = 0.7, 1.3
    closed = (-math.sin(x) * y * y * x + math.cos(x) * y * y, 2 * math.cos(x) * y * x)
    assert_close(srcad.grad(module["made_inside"], wrt=(0, 1))(x, y), closed, rtol=1e-12)


def test_a_gradient_made_at_module_level_and_one_made_inside(module):
    x, y = 0.7, 1.3
    closed = (-math.sin(x) * y * y + 2 * math.cos(x) * y, 2 * math.cos(x) * y + 2 * math.sin(x))
    assert_close(srcad.grad(module["made_outside"], wrt=(0, 1))(x, y), closed, rtol=1e-12)


def test_forward_mode_through_a_called_gradient(module):
    f = module["made_inside"]
    x, y = 0.7, 1.3
    _, tangent = srcad.jvp(f, wrt=0)(x, y, 1.0)
    assert tangent == pytest.approx(fd_grad(f, (x, y), 0), rel=1e-7)


def test_arrays_through_a_called_gradient(module):
    f = module["speed_of_descent"]
    q = np.array([0.3, -0.8, 0.5, 1.1])
    assert_close(srcad.grad(f)(q), fd_grad(f, (q,)))


def test_source_of_a_gradient_in_forward_mode_is_what_hessians_run(module):
    text = srcad.source(srcad.grad(module["g"]), mode="forward", args=(0.7, 1.3))
    assert text.startswith("def g_grad_jvp(") and "dx" in text
    first = srcad.source(srcad.grad(module["g"]), mode="forward")  # float arguments by default
    assert first == text
