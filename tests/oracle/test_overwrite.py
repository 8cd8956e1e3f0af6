"""A differentiated variable overwritten by a value that does not depend on the inputs.

`if y > top: y = top` cuts y's old value off: the gradient through y is zero where the branch
ran. The reverse sweep must reset y's adjoint when it passes such an assignment, and forward
mode must reset y's tangent, whatever the new value is (a constant, an int, an inactive
variable or expression, a helper's or a non-differentiable function's result, a loop target);
where the new value reads the old one (`x = x`, `x = h(x)`), what flows back to the old value
is added after the reset.
Each case is checked against its closed form and against central differences, by grad, jvp
and grad of grad.
"""
import math

import numpy as np

import pytest

import srcad
from helpers import assert_close, fd_grad


def clamp(x, c):
    s = x * 2.0
    if c > 0:
        s = 0.61
    return s * 3.0


def clamp_elif_int(x, c):
    s = x * 2.0
    if c < -2.0:
        s = s * 2.0
    elif c > 0:
        s = 1
    else:
        s = x
    return s * 3.0


def clamp_else_inactive(x, c):
    s = x * 2.0
    if c < 0:
        s = s + 1.0
    else:
        s = c * 2.0
    return s * 3.0


def clamp_to_inactive_name(x, c):
    s = x * 2.0
    top = c + 1.0
    if c > 0:
        s = top
    return s * 3.0


def clamp_in_loop(x, c):
    s = x * 2.0
    t = s
    for _ in range(3):
        s = s * x
        if s > 1.5:
            s = 1.5
    return s * 3.0 + t


def reset_in_while(x, c):
    s = x * 2.0
    n = 0
    while n < 2:
        s = s * x
        n = n + 1
        s = c
    return s * 3.0 + x


def reset_each_turn(x, c):
    s = x * 2.0
    for _ in range(2):
        s = c
    return s * 3.0 + x


def _double(a):
    return a * 2.0


def reset_by_helper(x, c):
    s = x * 2.0
    if c > 0:
        s = _double(c)
    return s * 3.0


def reset_by_floor(x, c):
    s = x * 2.0
    if c > 0:
        s = math.floor(x)
    return s * 3.0


def reset_by_loop_target(x, c):
    s = x * 2.0
    for s in range(2):
        pass
    return s * 3.0 + x


def reset_at_top(x, c):
    s = x * 2.0
    u = s * x
    s = 0.5
    return s * x + u


def self_copy(x, c):
    if c > 0:
        x = x
    return x * x


def _square(a):
    return a * a


def self_call_in_branch(x, c):
    if c > 0:
        x = _square(x)
    return x * 3.0


# (function, args, closed-form d/dx)
CASES = [
    (clamp, (0.7, 1.0), 0.0),
    (clamp, (0.7, -1.0), 6.0),
    (clamp_elif_int, (0.7, 1.0), 0.0),
    (clamp_elif_int, (0.7, -1.0), 3.0),
    (clamp_elif_int, (0.7, -3.0), 12.0),
    (clamp_else_inactive, (0.7, 1.0), 0.0),
    (clamp_else_inactive, (0.7, -1.0), 6.0),
    (clamp_to_inactive_name, (0.7, 1.0), 0.0),
    (clamp_in_loop, (1.3, 0.0), 2.0),                           # clamped on the first turn
    (clamp_in_loop, (0.8, 0.0), 24.0 * 0.8 ** 3 + 2.0),  # never clamped: 3 * 2x^4 + 2x
    (reset_in_while, (0.7, 1.0), 1.0),
    (reset_each_turn, (0.7, 1.0), 1.0),
    (reset_by_helper, (0.7, 1.0), 0.0),
    (reset_by_floor, (0.7, 1.0), 0.0),
    (reset_by_floor, (0.7, -1.0), 6.0),
    (reset_by_loop_target, (0.7, 1.0), 1.0),
    (reset_at_top, (0.7, 1.0), 0.5 + 4.0 * 0.7),
    (self_copy, (0.7, 1.0), 1.4),                # the new value's adjoint flows to the old
    (self_call_in_branch, (0.7, 1.0), 6.0 * 0.7),
    (self_call_in_branch, (0.7, -1.0), 3.0),
]
IDS = [f"{f.__name__}-{args}" for f, args, _ in CASES]


@pytest.mark.parametrize("f, args, expected", CASES, ids=IDS)
def test_closed_form_agrees_with_differences(f, args, expected):
    assert_close(fd_grad(f, args), expected, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("f, args, expected", CASES, ids=IDS)
def test_grad(f, args, expected):
    assert_close(srcad.grad(f)(*args), expected)


@pytest.mark.parametrize("f, args, expected", CASES, ids=IDS)
def test_jvp(f, args, expected):
    value, tangent = srcad.jvp(f)(*args, 1.0)
    assert value == f(*args)
    assert tangent == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("f, args, expected", CASES, ids=IDS)
def test_second_derivative(f, args, expected):
    assert srcad.grad(srcad.grad(f))(*args) == pytest.approx(fd_grad(srcad.grad(f), args), abs=1e-6)


# ---------------------------------------------------------------- arrays
# An array's adjoint that is still all zero is the reverse sweep's 0.0; where it reaches a
# rule that reshapes or splits (np.array of a list, np.cumsum, unbroadcast), the rule must
# read it as zeros of the operand's shape.

def array_reset_in_branch(x, c):
    y = np.array([x, 2.0 * x])
    if c > 0:
        y = np.zeros(2)
    return np.sum(y * y) + x


def array_unused_on_one_path(x, c):
    y = np.array([x, x])
    if c > 0:
        y = np.array([x, 2.0 * x])
        return np.sum(y)
    return x


def array_rebound_parameter(v, c):
    v = np.cumsum(v * v)
    if c > 0:
        c = 1.0
    else:
        c = v[-1]
    return c * 2.0


W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.4], [0.2, 0.1, 0.9]])


def matrix_product_reset(x, c):
    h = W @ x
    if c > 0:
        h = np.zeros(3)
    return np.sum(h * h) + np.sum(x)


def dot_reset_in_loop(x, c):
    h = np.dot(W, x)
    for _ in range(2):
        if c > 0:
            h = np.ones(3)
    return np.sum(h) + np.sum(x)


def concatenate_and_tile_reset(x, c):
    h = np.concatenate([x, x * 2.0])
    u = np.tile(x, 2)
    if c > 0:
        h = np.ones(6)
        u = np.ones(6)
    return np.sum(h * h) + np.sum(u) + np.sum(x)


ARRAY_X = np.array([0.5, -1.0, 2.0])
ARRAY_CASES = [
    (array_reset_in_branch, (0.7, 1.0), 1.0),
    (array_reset_in_branch, (0.7, -1.0), 2.0 * 0.7 * 5.0 + 1.0),
    (array_unused_on_one_path, (0.7, -1.0), 1.0),
    (array_unused_on_one_path, (0.7, 1.0), 3.0),
    (array_rebound_parameter, (np.array([0.5, -1.0, 2.0]), 1.0), np.zeros(3)),
    (array_rebound_parameter, (np.array([0.5, -1.0, 2.0]), -1.0), 4.0 * np.array([0.5, -1.0, 2.0])),
    (matrix_product_reset, (ARRAY_X, 1.0), np.ones(3)),
    (matrix_product_reset, (ARRAY_X, -1.0), 2.0 * W.T @ W @ ARRAY_X + 1.0),
    (dot_reset_in_loop, (ARRAY_X, 1.0), np.ones(3)),
    (dot_reset_in_loop, (ARRAY_X, -1.0), W.sum(axis=0) + 1.0),
    (concatenate_and_tile_reset, (ARRAY_X, 1.0), np.ones(3)),
    (concatenate_and_tile_reset, (ARRAY_X, -1.0), 10.0 * ARRAY_X + 3.0),
]


@pytest.mark.parametrize("f, args, expected", ARRAY_CASES,
                         ids=[f"{f.__name__}-{args[-1]}" for f, args, _ in ARRAY_CASES])
def test_an_array_adjoint_still_zero_reaches_reshaping_rules(f, args, expected):
    assert_close(fd_grad(f, args), expected, rtol=1e-7, atol=1e-7)
    assert_close(srcad.grad(f)(*args), expected)
    assert srcad.value_and_grad(f)(*args)[0] == f(*args)
    u = np.linspace(-1.0, 1.0, 3) if np.ndim(args[0]) else 0.5  # a direction along x
    assert srcad.jvp(f)(*args, u)[1] == pytest.approx(np.sum(expected * u))


def swap_after_reset(p, s6):
    s6 = s6 * 1.0
    if 1.32 < 1.66:
        s6 = 0.5
    p, s6 = (s6, p)
    return p * 1.0 + s6 * 0.0


def test_a_tuple_swap_after_a_reset_in_a_branch():
    # p ends up holding 0.5, the constant: no derivative reaches either argument
    args = (0.7, 1.3)
    assert fd_grad(swap_after_reset, args, (0, 1)) == pytest.approx((0.0, 0.0), abs=1e-9)
    assert srcad.grad(swap_after_reset, wrt=(0, 1))(*args) == (0.0, 0.0)
    assert srcad.jvp(swap_after_reset, wrt=(0, 1))(*args, 1.0, 1.0) == (0.5, 0.0)


def list_element_overwritten(x, c):
    items = [x, x * x, 2.0 * x]
    items[0] = x * 3.0
    items[1:3] = [c, c]
    return items[0] * items[1] + items[2]


def test_an_element_of_a_list_overwritten():
    # 3x * c + c: d/dx = 3c (the old elements reach nothing)
    args = (0.7, 1.3)
    assert fd_grad(list_element_overwritten, args) == pytest.approx(3.9)
    assert srcad.grad(list_element_overwritten)(*args) == pytest.approx(3.9)
    assert srcad.jvp(list_element_overwritten)(*args, 1.0)[1] == pytest.approx(3.9)


def test_a_slice_of_a_list_written_with_varied_values_is_refused_in_reverse_mode():
    with pytest.raises(srcad.SrcadError, match="slice of the list items"):
        srcad.grad(list_element_overwritten, wrt=1)(0.7, 1.3)
    assert srcad.jvp(list_element_overwritten, wrt=1)(0.7, 1.3, 1.0)[1] == pytest.approx(0.7 * 3.0 + 1.0)
