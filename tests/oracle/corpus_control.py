"""The control-flow corpus: functions with if/for/while, helpers, lists and tuples, with samples.

`CASES` holds functions with a scalar output, for grad / value_and_grad; `VJP_CASES` holds
functions with an array or tuple output, for vjp. Every sample point is away from branch
switch points and changes of loop counts: the finite-difference stencil around it (steps of up
to 2e-3 * max(1, |x|)) follows the same control path as the point itself, which
`test_control.py` checks by tracing the bytecode each evaluation runs. Where the gradient has
a short closed form it is given too, in the structure of `wrt`.

Helpers (functions whose name starts with `_`) are called by the cases and are not cases.
"""
import math
from typing import Any, Callable, NamedTuple

import numpy as np


class Case(NamedTuple):
    name: str
    function: Callable
    args: tuple
    wrt: Any = 0
    closed_form: Any = None  # the gradient at args, structured like wrt; None if not given


_RNG = np.random.default_rng(31337)


def _uniform(shape, low=-1.0, high=1.0):
    return _RNG.uniform(low, high, size=shape)


# ---------------------------------------------------------------- if / elif / else on values

def if_else_scalar(x):
    if x > 1.0:
        y = x * x
    else:
        y = math.sin(x)
    return y * 3.0


def if_without_else(x, y):
    z = x * y
    if z > 0.5:
        z = z * z + x
    return z + y


def if_elif_else(x, y):
    if x < -1.0:
        z = x * y
    elif x < 1.0:
        z = math.exp(x) + y
    else:
        z = x / y
    return z * x


def nested_if(x, y):
    if x > 0.0:
        if y > 0.0:
            z = x * y
        else:
            z = x - y * y
    else:
        if y > x:
            z = math.cos(x * y)
        else:
            z = y ** 3
    return z + x


def if_on_array_sum(x):
    if np.sum(x) > 0.0:
        y = np.sum(x * x)
    else:
        y = np.sum(np.sin(x))
    return y


def if_on_array_mean_keeps_arrays(x, w):
    if np.mean(x * x) > 0.5:
        y = x / np.sum(x * x)
    else:
        y = x * 2.0
    return np.sum(y * w)


def conditional_expression(x, y):
    z = x * y if x > y else x + y
    w = math.sin(z) if z < 0.0 else z * z
    return w + z


def and_or_not_in_condition(x, y):
    if x > 0.0 and not y > 2.0 or x > 5.0:
        z = x * y
    else:
        z = x + y
    if (x < 0.0 or y < 0.0) and not (x > 3.0):
        z = z * 2.0
    return z


def chained_comparison(x, y):
    if 0.0 < x < 1.0 <= y:
        z = x * math.log(y)
    else:
        z = x * y
    return z


def branch_on_flag_argument(x, mode):
    if mode == "square":
        return x * x
    elif mode == "sine":
        return math.sin(x)
    return x


def branch_ignores_an_argument(x, y):
    if x > 0.0:
        return x * x
    return y * x


def early_return_in_branch(x):
    y = x * 2.0
    if y > 3.0:
        return math.log(y)
    z = y * y
    if z > 1.0:
        return z - y
    return z


def branch_reassigns_argument(x, y):
    if y > 0.0:
        x = x * y
        y = y + x
    else:
        y = y - x
    return x * y


# ---------------------------------------------------------------- for loops over ranges

def for_range_power(x, y, n):
    for i in range(n):
        x = x * y
    return x


def for_range_start_stop_step(x):
    s = 0.0
    for i in range(2, 11, 3):
        s = s + math.sin(x * i) / i
    return s


def for_range_negative_step(x):
    for i in range(6, -3, -2):
        x = x * 0.9 + i * math.sin(x)
    return x


def loop_square_plus_one(x):
    for i in range(3):
        x = x * x + 1.0
    return x


def loop_variable_dead_after_the_loop(x):
    s = 0.0
    for i in range(3):
        s = s + x
        x = x * 0.5
    return s


def for_range_uses_index(x, n):
    s = 0.0
    for i in range(n):
        s = s + x ** i / (i + 1)
    return s


def for_range_over_array_length(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + x[i] * x[i] * (i + 1)
    return s


def for_loop_carries_an_array(x):
    h = x
    for i in range(4):
        h = np.sin(h) * 0.5 + h * h * 0.1
    return np.sum(h)


# ---------------------------------------------------------------- for loops over sequences

def for_over_array_rows(a, x):
    s = 0.0
    for row in a:
        s = s + np.tanh(row @ x)
    return s


def for_over_array_elements(x):
    s = 1.0
    for v in x:
        s = s * 0.5 + v * v
    return s


def for_over_list_of_constants(x):
    for c in [0.5, 1.5, -2.0]:
        x = x * c + math.sin(x)
    return x


def for_over_tuple_of_values(x, y):
    s = 0.0
    for v in (x, y, x * y):
        s = s * v + 1.0
    return s


def for_enumerate_rows(a, x):
    s = 0.0
    for i, row in enumerate(a):
        s = s + (i + 1) * np.sum(row * x) ** 2
    return s


def for_zip(x, y):
    s = 0.0
    for p, q in zip(x, y):
        s = s + p * q
    return s


def for_reversed_array(x):
    s = 0.0
    for v in reversed(x):
        s = s * 0.5 + v
    return s


def for_reversed_range(x, y):
    for i in reversed(range(4)):
        x = x * y + i * 0.25
    return x


# ---------------------------------------------------------------- while loops

def while_halving(x):
    while x > 1.0:
        x = x / 2
    return x


def while_counter(x, n):
    i = 0
    while i < n:
        x = math.sin(x) + x * 0.5
        i = i + 1
    return x


def while_growth(x):
    while x < 10.0:
        x = x * 1.5 + 0.2
    return x


def while_true_with_break(x, y):
    s = x
    while True:
        s = s * y + x
        if s > 20.0:
            break
    return s


def while_with_break_and_counter(x):
    i = 0
    while i < 50:
        x = x + math.sin(x) * 0.5
        i = i + 1
        if x > 2.5:
            break
    return x * i


def while_on_array_norm(x):
    while np.sum(x * x) > 1.0:
        x = x * 0.7
    return np.sum(x * x * x)


# ---------------------------------------------------------------- nested loops

def nested_two_loops(x, y):
    s = 0.0
    for i in range(3):
        for j in range(2):
            s = s + math.sin(x * i + y * j) * 0.5
    return s


def nested_three_loops(x, y):
    for i in range(2):
        for j in range(3):
            for k in range(2):
                x = x * 0.9 + math.sin(y * (i + 1) - k) * 0.1
                y = y + x * 0.05 * j
    return x * y


def nested_triangular_loops(x, n):
    s = 0.0
    for i in range(n):
        for j in range(i):
            s = s + math.cos(x * (i - j))
    return s


def nested_while_in_for(x):
    s = 0.0
    for i in range(3):
        v = x * (i + 1)
        while v > 1.0:
            v = v * 0.6
        s = s + v
    return s


# ---------------------------------------------------------------- break, continue, return in loops

def break_on_data(x):
    s = 0.0
    for i in range(10):
        s = s + x * (i + 1)
        if s > 5.0:
            break
    return s * x


def continue_on_index(x):
    s = 0.0
    for i in range(6):
        if i % 2 == 0:
            continue
        s = s + math.sin(x * i)
    return s


def continue_on_data(x):
    s = 0.0
    for i in range(6):
        v = math.sin(x * (i + 1))
        if v < 0.0:
            continue
        s = s + v * v
    return s


def return_inside_for(x):
    s = 1.0
    for i in range(20):
        s = s * x + 0.1
        if s > 4.0:
            return s * i
    return -s


def return_inside_while(x):
    i = 0
    while i < 100:
        x = x * 1.3
        if x > 7.0:
            return x + i
        i = i + 1
    return x


def return_inside_nested_loops(x, y):
    for i in range(5):
        for j in range(5):
            x = x + y * 0.3
            if x > 3.0:
                return x * (i + j + 1)
    return x


def break_inner_loop_only(x):
    s = 0.0
    for i in range(4):
        for j in range(10):
            s = s + x * 0.2
            if s > 1.5 * (i + 1):
                break
        s = s * 0.9
    return s


def break_continue_and_code_after(x, y):
    s = 0.0
    for i in range(8):
        if i == 1:
            continue
        s = s + x * y * i
        if s > 6.0:
            break
        s = s - 0.1 * y
    t = s * x
    return t + y


# ---------------------------------------------------------------- calls to user functions

def _smooth(v):
    return v / (1.0 + v * v)


def _affine(v, scale=2.0, shift=0.0):
    return scale * v + shift


def _polar(x, y):
    return math.hypot(x, y), math.atan2(y, x)


def _twice_smoothed(v):
    return _smooth(_smooth(v)) + _smooth(v * 0.5)


def _step(x, y):
    if x > y:
        return x - 0.1 * math.sin(y)
    return x + 0.2 * y * y


def _loop_in_helper(v, n):
    for i in range(n):
        v = v * 0.8 + math.cos(v)
    return v


def _sum_squares(arrays):
    s = 0.0
    for a in arrays:
        s = s + np.sum(a * a)
    return s


def _weighted(values, weights):
    s = 0.0
    for v, w in zip(values, weights):
        s = s + v * w
    return s


def _branchy(x, y):
    if x > y:
        z = x * math.sin(y)
    else:
        z = x * y * y
    return z


def _pair(a, b):
    return a * b, a + b


def helper_once(x, y):
    return _smooth(x * y) + x


def helper_calls_helper(x):
    return _twice_smoothed(x) * x


def helper_keywords_and_defaults(x, y):
    a = _affine(x)
    b = _affine(x, shift=y)
    c = _affine(y, scale=x)
    d = _affine(v=x, shift=1.0, scale=y)
    return a * b + c * d


def helper_returns_tuple(x, y):
    r, theta = _polar(x, y)
    return r * math.cos(2.0 * theta)


def helper_called_several_times(x, y):
    a = _smooth(x)
    b = _smooth(y)
    c = _smooth(a * b)
    return a + b * c + _smooth(c)


def helper_inside_loop(x, y):
    for i in range(4):
        x = _step(x, y)
    return x * y


def helper_with_loop(x, n):
    return _loop_in_helper(x, n) + _loop_in_helper(x * 2.0, 2)


def helper_with_a_branch(x, y):
    return _branchy(x, y) * y


def augment_then_unpack_a_helpers_pair(x, y):
    for i in range(2):
        x += 0.25 * x
    x, y = _pair(x, y)
    return x + y


def list_of_arrays_to_helper(x):
    parts = [x, np.sin(x), x * 2.0]
    return _sum_squares(parts)


def list_of_scalars_to_helper(x, y):
    values = [x, y, x * y]
    weights = [0.5, -1.0, 2.0]
    return _weighted(values, weights)


DECAY = 0.9
TARGETS = np.array([0.3, -0.2, 0.8])


def _distance_to_targets(x):
    return np.sum((x - TARGETS) ** 2)


def global_constants(x):
    s = 0.0
    for i in range(5):
        s = s * DECAY + x
    return s * _distance_to_targets(x * np.ones(3))


def _make_horner(coefficients):
    def horner(x):
        s = 0.0
        for c in coefficients:
            s = s * x + c
        return s

    return horner


def _make_scaled_sine(scale):
    def scaled_sine(x, y):
        if x > y:
            return scale * math.sin(x * y)
        return scale * y

    return scaled_sine


closure_horner = _make_horner((1.0, -2.0, 0.5, 3.0))
closure_scaled_sine = _make_scaled_sine(2.5)


# ---------------------------------------------------------------- lists and tuples

def list_append_then_index(x):
    xs = []
    for i in range(4):
        x = math.sin(x) + 0.5 * x
        xs.append(x)
    return xs[1] * xs[-1] + xs[2]


def list_append_then_iterate(x, y):
    xs = []
    for i in range(3):
        xs.append(x * y + i)
        x = x * 0.5
    s = 0.0
    for v in xs:
        s = s + v * v
    return s


def list_append_then_sum(x):
    xs = []
    for i in range(5):
        xs.append(math.cos(x * i))
    return sum(xs)


def list_append_then_stack(a, w):
    rows = []
    for row in a:
        rows.append(np.tanh(row * w))
    m = np.stack(rows)
    return np.sum(m * m)


def list_append_in_branch(x):
    xs = [x]
    for i in range(5):
        if i % 2 == 0:
            xs.append(xs[-1] * x)
        else:
            xs.append(xs[-1] + 1.0)
    return xs[-1] + xs[3]


def tuple_pack_unpack_in_loop(x, y):
    a, b = x, y
    for i in range(5):
        a, b = b, a + b * 0.5
    return a * b


def tuple_of_state(x, y):
    state = (x, y)
    for i in range(3):
        p, q = state
        state = (p * q, p - q)
    u, v = state
    return u + v


# ---------------------------------------------------------------- models

def rnn(w, u, xs, h0):
    h = h0
    for t in range(5):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h * h)


def scalar_recurrence(x, y):
    for i in range(100):
        x = x + 0.01 * math.sin(x * y)
        y = y * math.cos(0.01 * x)
    return x * y


def gradient_descent_steps(x, lr):
    w = 0.0
    for i in range(10):
        g = 2.0 * (w - x)
        w = w - lr * g
    return w * w


# ---------------------------------------------------------------- sample points

_A34 = _uniform((3, 4))
_V4 = _uniform(4)
_W4 = _uniform(4)
_POSITIVE4 = _uniform(4, 0.2, 1.0)
_ROWS52 = _uniform((5, 2))
_W33 = _uniform((3, 3), -0.6, 0.6)
_U32 = _uniform((3, 2), -0.8, 0.8)
_H3 = _uniform(3)
_BIG3 = np.array([1.5, -2.0, 2.5])  # squared norm 12.5, then 6.1, 3.0, 1.47, 0.72: four shrinks
_SUM_POSITIVE = np.array([0.8, -0.3, 1.1, 0.4])
_SUM_NEGATIVE = np.array([-0.8, 0.3, -1.1, 0.2])
_MEAN_SQUARE_ABOVE_HALF = np.array([0.3, 1.6, -0.4, 0.9])  # mean square 0.905

_HALVE_X = 5.0  # 5 / 8: three halvings
_GROWTH_X = 1.3  # 1.3, 2.15, 3.425, 5.3375, 8.206, 12.509: five steps
_POW = (1.1, 0.9, 7)

CASES = [
    Case("if_else_scalar_then", if_else_scalar, (1.7,), 0, 6.0 * 1.7),
    Case("if_else_scalar_else", if_else_scalar, (0.4,), 0, 3.0 * math.cos(0.4)),
    Case("if_without_else_taken", if_without_else, (1.2, 0.9), (0, 1), (2 * 1.2 * 0.81 + 1.0, 2 * 1.44 * 0.9 + 1.0)),
    Case("if_without_else_skipped", if_without_else, (0.3, 0.8), (0, 1), (0.8, 1.3)),
    Case("if_elif_else_first", if_elif_else, (-1.8, 0.7), (0, 1)),
    Case("if_elif_else_middle", if_elif_else, (0.3, 0.7), (0, 1)),
    Case("if_elif_else_last", if_elif_else, (2.2, 0.7), (0, 1)),
    Case("nested_if_inner_else", nested_if, (0.9, -0.6), (0, 1)),
    Case("nested_if_outer_else", nested_if, (-0.7, 0.4), (0, 1)),
    Case("if_on_array_sum_positive", if_on_array_sum, (_SUM_POSITIVE,), 0, 2.0 * _SUM_POSITIVE),
    Case("if_on_array_sum_negative", if_on_array_sum, (_SUM_NEGATIVE,), 0, np.cos(_SUM_NEGATIVE)),
    Case("if_on_array_mean_keeps_arrays", if_on_array_mean_keeps_arrays, (_MEAN_SQUARE_ABOVE_HALF, _W4), (0, 1)),
    Case("if_on_array_mean_else", if_on_array_mean_keeps_arrays, (_V4 * 0.5, _W4), (0, 1), (_W4 * 2.0, _V4)),
    Case("conditional_expression", conditional_expression, (1.4, 0.6), (0, 1)),
    Case("conditional_expression_other", conditional_expression, (-0.6, 0.3), (0, 1)),
    Case("and_or_not_in_condition", and_or_not_in_condition, (0.7, 1.4), (0, 1)),
    Case("and_or_not_in_condition_other", and_or_not_in_condition, (-0.5, 2.6), (0, 1)),
    Case("chained_comparison", chained_comparison, (0.4, 1.8), (0, 1), (math.log(1.8), 0.4 / 1.8)),
    Case("chained_comparison_fails", chained_comparison, (1.4, 1.8), (0, 1), (1.8, 1.4)),
    Case("branch_on_flag_argument", branch_on_flag_argument, (0.8, "sine"), "x", math.cos(0.8)),
    Case("branch_ignores_an_argument", branch_ignores_an_argument, (0.8, 1.5), (0, 1), (1.6, 0.0)),
    Case("branch_ignores_an_array", branch_ignores_an_argument, (0.8, _V4), (1,), (np.zeros(4),)),
    Case("early_return_in_branch_first", early_return_in_branch, (2.0,), 0, 0.5),
    Case("early_return_in_branch_second", early_return_in_branch, (1.2,), 0, 8.0 * 1.2 - 2.0),
    Case("early_return_in_branch_last", early_return_in_branch, (0.3,), 0, 8.0 * 0.3),
    Case("branch_reassigns_argument", branch_reassigns_argument, (0.6, 1.3), (0, 1)),
    Case("for_range_power", for_range_power, _POW, (0, 1),
         (_POW[1] ** 7, 7 * _POW[0] * _POW[1] ** 6)),
    Case("for_range_start_stop_step", for_range_start_stop_step, (0.35,), 0,
         sum(math.cos(0.35 * i) for i in (2, 5, 8))),
    Case("for_range_negative_step", for_range_negative_step, (0.45,)),
    Case("loop_square_plus_one", loop_square_plus_one, (0.5,), 0, 2 * 0.5 * 2 * 1.25 * 2 * 2.5625),
    Case("loop_variable_dead_after_the_loop", loop_variable_dead_after_the_loop, (1.0,), 0, 1.75),
    Case("for_range_uses_index", for_range_uses_index, (1.3, 5), 0,
         sum(i * 1.3 ** (i - 1) / (i + 1) for i in range(5))),
    Case("for_range_over_array_length", for_range_over_array_length, (_V4,), 0,
         2.0 * _V4 * np.arange(1, 5)),
    Case("for_loop_carries_an_array", for_loop_carries_an_array, (_V4,)),
    Case("for_over_array_rows", for_over_array_rows, (_A34, _V4), (0, 1)),
    Case("for_over_array_elements", for_over_array_elements, (_V4,), 0,
         2.0 * _V4 * 0.5 ** np.arange(3, -1, -1)),
    Case("for_over_list_of_constants", for_over_list_of_constants, (0.8,)),
    Case("for_over_tuple_of_values", for_over_tuple_of_values, (0.7, 1.3), (0, 1)),
    Case("for_enumerate_rows", for_enumerate_rows, (_A34, _V4), ("a", "x")),
    Case("for_zip", for_zip, (_V4, _W4), (0, 1), (_W4, _V4)),
    Case("for_reversed_array", for_reversed_array, (_V4,), 0, 0.5 ** np.arange(4)),
    Case("for_reversed_range", for_reversed_range, (0.9, 1.1), (0, 1)),
    Case("while_halving", while_halving, (_HALVE_X,), 0, 2.0 ** -3),
    Case("while_halving_no_iteration", while_halving, (0.6,), 0, 1.0),
    Case("while_counter", while_counter, (0.7, 6)),
    Case("while_growth", while_growth, (_GROWTH_X,), 0, 1.5 ** 5),
    Case("while_true_with_break", while_true_with_break, (1.1, 1.6), (0, 1)),
    Case("while_with_break_and_counter", while_with_break_and_counter, (0.4,)),
    Case("while_on_array_norm", while_on_array_norm, (_BIG3,), 0, 3.0 * _BIG3 ** 2 * 0.7 ** 12),
    Case("nested_two_loops", nested_two_loops, (0.6, -0.4), (0, 1)),
    Case("nested_three_loops", nested_three_loops, (0.8, 0.5), (0, 1)),
    Case("nested_triangular_loops", nested_triangular_loops, (0.3, 4), 0,
         sum(-(i - j) * math.sin(0.3 * (i - j)) for i in range(4) for j in range(i))),
    Case("nested_while_in_for", nested_while_in_for, (0.75,)),
    Case("break_on_data", break_on_data, (0.55,), 0, 2 * 0.55 * sum(range(1, 5))),
    Case("break_never_taken", break_on_data, (0.05,), 0, 2 * 0.05 * sum(range(1, 11))),
    Case("continue_on_index", continue_on_index, (0.7,), 0,
         sum(i * math.cos(0.7 * i) for i in (1, 3, 5))),
    Case("continue_on_data", continue_on_data, (0.9,)),
    Case("return_inside_for", return_inside_for, (1.3,)),
    Case("return_inside_for_never", return_inside_for, (0.5,)),
    Case("return_inside_while", return_inside_while, (0.9,), 0, 1.3 ** 8),
    Case("return_inside_nested_loops", return_inside_nested_loops, (0.25, 0.45), (0, 1)),
    Case("break_inner_loop_only", break_inner_loop_only, (0.35,)),
    Case("break_continue_and_code_after", break_continue_and_code_after, (0.8, 1.2), (0, 1)),
    Case("helper_once", helper_once, (0.7, 1.3), (0, 1)),
    Case("helper_calls_helper", helper_calls_helper, (0.9,)),
    Case("helper_keywords_and_defaults", helper_keywords_and_defaults, (0.6, -1.4), (0, 1)),
    Case("helper_returns_tuple", helper_returns_tuple, (1.2, 0.5), (0, 1)),
    Case("helper_called_several_times", helper_called_several_times, (0.8, -1.7), (0, 1)),
    Case("helper_inside_loop", helper_inside_loop, (1.0, 0.7), (0, 1)),
    Case("helper_with_loop", helper_with_loop, (0.4, 3)),
    Case("helper_with_a_branch", helper_with_a_branch, (1.0, 0.7), (0, 1),
         (0.7 * math.sin(0.7), math.sin(0.7) + 0.7 * math.cos(0.7))),
    Case("helper_with_a_branch_else", helper_with_a_branch, (0.5, 0.7), (0, 1), (0.7 ** 3, 1.5 * 0.7 ** 2)),
    Case("augment_then_unpack_a_helpers_pair", augment_then_unpack_a_helpers_pair, (0.7, 1.1), (0, 1),
         (1.5625 * 2.1, 1.5625 * 0.7 + 1.0)),
    Case("list_of_arrays_to_helper", list_of_arrays_to_helper, (_V4,), 0,
         2.0 * _V4 + 2.0 * np.sin(_V4) * np.cos(_V4) + 8.0 * _V4),
    Case("list_of_scalars_to_helper", list_of_scalars_to_helper, (0.7, 1.3), (0, 1), (0.5 + 2.0 * 1.3, -1.0 + 2.0 * 0.7)),
    Case("global_constants", global_constants, (0.45,)),
    Case("closure_horner", closure_horner, (1.3,), 0, 3 * 1.3 ** 2 - 4.0 * 1.3 + 0.5),
    Case("closure_scaled_sine", closure_scaled_sine, (1.2, 0.5), (0, 1),
         (2.5 * 0.5 * math.cos(0.6), 2.5 * 1.2 * math.cos(0.6))),
    Case("list_append_then_index", list_append_then_index, (0.8,)),
    Case("list_append_then_iterate", list_append_then_iterate, (0.9, -0.6), (0, 1)),
    Case("list_append_then_sum", list_append_then_sum, (0.45,), 0,
         sum(-i * math.sin(0.45 * i) for i in range(5))),
    Case("list_append_then_stack", list_append_then_stack, (_A34, _W4), (0, 1)),
    Case("list_append_in_branch", list_append_in_branch, (1.3,)),
    Case("tuple_pack_unpack_in_loop", tuple_pack_unpack_in_loop, (0.6, -0.9), (0, 1)),
    Case("tuple_of_state", tuple_of_state, (1.1, 0.4), (0, 1)),
    Case("rnn", rnn, (_W33, _U32, _ROWS52, _H3), (0, 1, 2, 3)),
    Case("scalar_recurrence", scalar_recurrence, (0.7, 1.3), (0, 1)),
    Case("gradient_descent_steps", gradient_descent_steps, (1.5, 0.1), (0, 1)),
]


# ---------------------------------------------------------------- array and tuple outputs

def vjp_loop_array_output(x):
    for i in range(3):
        x = np.sin(x) * 1.5 + 0.1 * x
    return x


def vjp_branch_array_output(x, y):
    if np.sum(x) > 0.0:
        z = x * y
    else:
        z = x + y
    return np.tanh(z)


def vjp_stacked_states(x, y):
    states = []
    h = x
    for i in range(3):
        h = np.tanh(h * y + i)
        states.append(h)
    return np.stack(states)


def vjp_rnn_states(w, xs, h0):
    h = h0
    for t in range(4):
        h = np.tanh(w @ h + xs[t])
    return h


def vjp_tuple_from_loop(x, y):
    a = x
    b = y
    for i in range(3):
        if a > b:
            a = a * 0.5
        else:
            b = b * 0.5 + a
    return a * b, a + b


VJP_CASES = [
    Case("vjp_loop_array_output", vjp_loop_array_output, (_V4,)),
    Case("vjp_branch_array_output", vjp_branch_array_output, (_SUM_POSITIVE, _W4), (0, 1)),
    Case("vjp_stacked_states", vjp_stacked_states, (_V4, 0.7), (0, 1)),
    Case("vjp_rnn_states", vjp_rnn_states, (_W33, _uniform((4, 3)), _H3), (0, 1, 2)),
    Case("vjp_tuple_from_loop", vjp_tuple_from_loop, (1.3, 0.4), ("y", "x")),
]
