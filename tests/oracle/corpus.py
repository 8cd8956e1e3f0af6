"""The oracle corpus: straight-line functions (no if/for/while), each with sample arguments.

`CASES` holds functions with a scalar output, for grad / value_and_grad; `VJP_CASES` holds
functions with an array or tuple output, for vjp. Every sample point is away from kinks
(abs, maximum, minimum) and domain edges (log, sqrt, asin, ...). Where the gradient has a
short closed form it is given too, in the structure of `wrt`.
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


_RNG = np.random.default_rng(20240)


def _uniform(shape, low=-1.0, high=1.0):
    return _RNG.uniform(low, high, size=shape)


# ---------------------------------------------------------------- Python operators

def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def arithmetic(x, y):
    return x * y + x / y - y + 3.0


def division_chain(x, y):
    return (x - y) / (x + y) / y


def power_constant_exponents(x):
    return x ** 3 + x ** 0.5 + x ** -2 + 2.0 * x ** 2


def power_variable_exponent(x, y):
    return x ** y


def power_variable_in_both(x):
    return 2.0 ** x + x ** x


def unary_minus(x, y):
    z = -x * y
    return -(z - y) + -x


def builtin_abs(x, y):
    return abs(x - 2.0) * y + abs(y)


# ---------------------------------------------------------------- math module

def math_exp_log(x):
    return math.exp(x) * math.log(x)


def math_log_with_base(x, y):
    return math.log(x, 2.0) + math.log(y, x)


def math_log1p_expm1(x):
    return math.log1p(x) * math.expm1(x)


def math_sqrt(x, y):
    return math.sqrt(x * y + 1.0)


def math_trig(x):
    return math.sin(x) * math.cos(x) + math.tan(x)


def math_inverse_trig(x):
    return math.asin(x) + math.acos(x) * x + math.atan(x)


def math_atan2(y, x):
    return math.atan2(y, x)


def math_hyperbolic(x):
    return math.sinh(x) + math.cosh(x) * math.tanh(x)


def math_hypot(x, y):
    return math.hypot(x, y)


def math_pow(x, y):
    return math.pow(x, y) + math.pow(x, 2.0)


def math_erf(x):
    return math.erf(x)


def math_fabs(x, y):
    return math.fabs(x) * y


# ---------------------------------------------------------------- numpy elementwise

def np_exp_sum(x):
    return np.sum(np.exp(x))


def np_log_mean(x):
    return np.mean(np.log(x))


def np_sin_cos(x):
    return np.sum(np.sin(x) * np.cos(x))


def np_tanh(x):
    return np.sum(np.tanh(2.0 * x))


def np_sqrt(x):
    return np.sum(np.sqrt(x))


def np_square(x):
    return np.sum(np.square(x))


def np_abs(x):
    return np.sum(np.abs(x) * x)


def np_add_subtract(x, y):
    return np.sum(np.add(x, y) * np.subtract(x, y))


def np_multiply_divide(x, y):
    return np.sum(np.divide(np.multiply(x, y), y + 2.0))


def np_power_float_exponent(x):
    return np.sum(np.power(x, 3.0)) + np.sum(x ** 2)


def np_power_array_exponent(x, y):
    return np.sum(np.power(x, y))


def np_maximum_minimum(x, y):
    return np.sum(np.maximum(x, y) * 2.0 + np.minimum(x, y) * x)


def np_functions_on_floats(x, y):
    return np.sin(x) * np.exp(y) + np.sqrt(x * x + y * y)


# ---------------------------------------------------------------- broadcasting

def broadcast_scalar_array(a, x):
    return np.sum(a * x + x / a)


def broadcast_column_row(u, v):
    return np.sum(np.sin(u * v) + u)


def broadcast_vector_matrix(b, m):
    return np.sum(np.tanh(m + b) * m)


def broadcast_array_scalar_power(x, s):
    return np.sum((x - s) ** 2 / s)


# ---------------------------------------------------------------- reductions

def sum_axis_none_keepdims(x):
    return np.sum(np.sum(x, axis=None, keepdims=True) * x)


def sum_axis_0(x):
    return np.sum(np.sum(x, axis=0) ** 2)


def sum_axis_0_keepdims_false(x, w):
    return np.sum(np.sum(x * x, axis=0, keepdims=False) * w)


def sum_axis_1(x):
    return np.sum(np.sin(np.sum(x, axis=1)))


def sum_axis_1_keepdims(x):
    return np.sum(x / np.sum(x, axis=1, keepdims=True) * x)


def sum_axis_last_keepdims(x, w):
    s = np.sum(x, axis=-1, keepdims=True)
    return np.sum(w * x / s)


def mean_all(x):
    return np.mean(x * x)


def mean_axis_0_keepdims(x):
    m = np.mean(x, axis=0, keepdims=True)
    return np.sum((x - m) ** 2)


def mean_axis_1(x):
    return np.sum(np.mean(x, axis=1) ** 3)


def mean_axis_last(x):
    return np.sum(np.exp(np.mean(x, axis=-1)))


def mean_axis_last_keepdims(x):
    return np.mean(np.tanh(x - np.mean(x, axis=-1, keepdims=True)))


# ---------------------------------------------------------------- dot and @

def dot_vector_vector(x, y):
    return np.dot(x, y)


def matmul_vector_vector(x, y):
    return (x @ y) * 2.0


def dot_matrix_vector(a, x):
    y = np.dot(a, x)
    return np.sum(y * y)


def matmul_matrix_vector(a, x):
    return np.sum(np.tanh(a @ x))


def dot_matrix_matrix(a, b):
    return np.sum(np.dot(a, b) ** 2)


def matmul_matrix_matrix(a, b):
    c = a @ b
    return np.sum(np.sin(c))


def quadratic_form(x, a):
    return x @ a @ x


# ---------------------------------------------------------------- variables and constants

def overwritten_variable(x):
    x = math.sin(x)
    x = x * x + x
    return x


def overwritten_array(x):
    x = np.sin(x)
    x = x * x
    return np.sum(x)


def augmented_add_mul(x, y):
    z = x
    z += y
    z *= x
    z += x * y
    return z


def augmented_sub_div(x, y):
    z = x * y
    z -= y
    z /= x
    return z


def augmented_argument(x, y):
    x += y
    x *= x
    return x


def tuple_unpacking(x, y):
    a, b = x * 2, y + 1
    return a * b + math.sin(a)


def tuple_swap(x, y):
    x, y = y, x * y
    x, y = x + y, x
    return x * y


SCALE = 0.5
OFFSETS = np.array([0.25, -0.5, 1.0])


def constants(x):
    c = 3.0
    d = c * 2
    return c * x + d + math.pi * x ** 2 + SCALE


def global_array_constant(x):
    return np.sum((x - OFFSETS) ** 2)


# ---------------------------------------------------------------- arguments not in wrt

def int_count(x, n):
    return x * n + x ** n


def int_argument_in_wrt(k, y):
    return k * y + k * k


def string_flag(x, mode):
    y = x * math.exp(x)
    return y


def shape_tuple(x, shape):
    rows, cols = shape
    return np.sum(x * x) * rows + cols


def inactive_array(x, w):
    return np.sum(w * np.sin(x))


def mixed_kinds(x, a, n):
    return np.sum(a * x) ** 2 / n


# ---------------------------------------------------------------- sample points

_X3 = _uniform(3, 0.5, 2.0)
_Y3 = _uniform(3, 0.5, 2.0)
_M34 = _uniform((3, 4))
_POS34 = _uniform((3, 4), 0.5, 2.0)
_A33 = _uniform((3, 3))
_A34 = _uniform((3, 4))
_B42 = _uniform((4, 2))
_V4 = _uniform(4)
_AWAY_FROM_ZERO = np.array([-1.5, -0.4, 0.3, 1.2])
_FIRST = np.array([0.2, -1.0, 1.5, 0.6])
_SECOND = np.array([-0.7, 0.1, 0.4, 1.3])  # differs from _FIRST by at least 0.7 everywhere
_W4 = _uniform(4)

_pow_x, _pow_y = 1.7, 2.3
_erf_x = 0.6

CASES = [
    Case("textbook", textbook, (2.0, 5.0), (0, 1), (5.5, 1.7163378145367738)),
    Case("arithmetic", arithmetic, (1.5, -2.5), (0, 1)),
    Case("division_chain", division_chain, (3.0, 1.25), (0, 1)),
    Case("power_constant_exponents", power_constant_exponents, (1.3,)),
    Case("power_variable_exponent", power_variable_exponent, (_pow_x, _pow_y), (0, 1),
         (_pow_y * _pow_x ** (_pow_y - 1), _pow_x ** _pow_y * math.log(_pow_x))),
    Case("power_variable_in_both", power_variable_in_both, (1.4,)),
    Case("unary_minus", unary_minus, (0.8, -1.9), (0, 1)),
    Case("builtin_abs", builtin_abs, (3.5, -1.25), (0, 1), (-1.25, 0.5)),
    Case("math_exp_log", math_exp_log, (1.7,)),
    Case("math_log_with_base", math_log_with_base, (3.0, 7.0), (0, 1)),
    Case("math_log1p_expm1", math_log1p_expm1, (0.4,)),
    Case("math_sqrt", math_sqrt, (1.2, 2.5), (0, 1)),
    Case("math_trig", math_trig, (0.7,)),
    Case("math_inverse_trig", math_inverse_trig, (0.3,)),
    Case("math_atan2", math_atan2, (1.5, -0.5), (0, 1), (-0.5 / 2.5, -1.5 / 2.5)),
    Case("math_hyperbolic", math_hyperbolic, (0.9,)),
    Case("math_hypot", math_hypot, (3.0, 4.0), (0, 1), (0.6, 0.8)),
    Case("math_pow", math_pow, (1.6, 0.7), (0, 1)),
    Case("math_erf", math_erf, (_erf_x,), 0, 2.0 / math.sqrt(math.pi) * math.exp(-_erf_x ** 2)),
    Case("math_fabs", math_fabs, (-1.5, 2.0), (0, 1), (-2.0, 1.5)),
    Case("np_exp_sum", np_exp_sum, (_V4,), 0, np.exp(_V4)),
    Case("np_log_mean", np_log_mean, (_X3,), 0, 1.0 / (3 * _X3)),
    Case("np_sin_cos", np_sin_cos, (_M34,)),
    Case("np_tanh", np_tanh, (_V4,)),
    Case("np_sqrt", np_sqrt, (_POS34,)),
    Case("np_square", np_square, (_M34,), 0, 2.0 * _M34),
    Case("np_abs", np_abs, (_AWAY_FROM_ZERO,), 0, 2.0 * np.abs(_AWAY_FROM_ZERO)),
    Case("np_add_subtract", np_add_subtract, (_FIRST, _SECOND), (0, 1), (2.0 * _FIRST, -2.0 * _SECOND)),
    Case("np_multiply_divide", np_multiply_divide, (_X3, _Y3), (0, 1)),
    Case("np_power_float_exponent", np_power_float_exponent, (_M34,)),
    Case("np_power_array_exponent", np_power_array_exponent, (_X3, _Y3), (0, 1)),
    Case("np_maximum_minimum", np_maximum_minimum, (_FIRST, _SECOND), (0, 1)),
    Case("np_functions_on_floats", np_functions_on_floats, (0.9, -0.3), (0, 1)),
    Case("broadcast_scalar_array", broadcast_scalar_array, (1.3, _V4), (0, 1)),
    Case("broadcast_column_row", broadcast_column_row, (_uniform((3, 1)), _uniform((1, 4))), (0, 1)),
    Case("broadcast_vector_matrix", broadcast_vector_matrix, (_V4, _M34), (0, 1)),
    Case("broadcast_array_scalar_power", broadcast_array_scalar_power, (_M34, 1.7), (0, 1)),
    Case("sum_axis_none_keepdims", sum_axis_none_keepdims, (_M34,), 0, 2.0 * np.sum(_M34) * np.ones((3, 4))),
    Case("sum_axis_0", sum_axis_0, (_M34,)),
    Case("sum_axis_0_keepdims_false", sum_axis_0_keepdims_false, (_M34, _W4), "x"),
    Case("sum_axis_1", sum_axis_1, (_M34,)),
    Case("sum_axis_1_keepdims", sum_axis_1_keepdims, (_POS34,)),
    Case("sum_axis_last_keepdims", sum_axis_last_keepdims, (_POS34, _W4), "x"),
    Case("mean_all", mean_all, (_M34,), 0, 2.0 * _M34 / 12),
    Case("mean_axis_0_keepdims", mean_axis_0_keepdims, (_M34,)),
    Case("mean_axis_1", mean_axis_1, (_M34,)),
    Case("mean_axis_last", mean_axis_last, (_M34,)),
    Case("mean_axis_last_keepdims", mean_axis_last_keepdims, (_M34,)),
    Case("dot_vector_vector", dot_vector_vector, (_FIRST, _SECOND), (0, 1), (_SECOND, _FIRST)),
    Case("matmul_vector_vector", matmul_vector_vector, (_FIRST, _SECOND), (1, 0), (2.0 * _FIRST, 2.0 * _SECOND)),
    Case("dot_matrix_vector", dot_matrix_vector, (_A34, _V4), (0, 1)),
    Case("matmul_matrix_vector", matmul_matrix_vector, (_A34, _V4), ("a", "x")),
    Case("dot_matrix_matrix", dot_matrix_matrix, (_A34, _B42), (0, 1)),
    Case("matmul_matrix_matrix", matmul_matrix_matrix, (_A34, _B42), (0, 1)),
    Case("quadratic_form", quadratic_form, (_X3, _A33), 0, (_A33 + _A33.T) @ _X3),
    Case("overwritten_variable", overwritten_variable, (0.6,)),
    Case("overwritten_array", overwritten_array, (_V4,)),
    Case("augmented_add_mul", augmented_add_mul, (1.1, -0.7), (0, 1)),
    Case("augmented_sub_div", augmented_sub_div, (1.1, -0.7), (0, 1)),
    Case("augmented_argument", augmented_argument, (1.1, -0.7), (0, 1), (0.8, 0.8)),
    Case("tuple_unpacking", tuple_unpacking, (0.4, 1.3), (0, 1)),
    Case("tuple_swap", tuple_swap, (0.4, 1.3), (0, 1)),
    Case("constants", constants, (0.8,), 0, 3.0 + 2.0 * math.pi * 0.8),
    Case("global_array_constant", global_array_constant, (_X3,), 0, 2.0 * (_X3 - OFFSETS)),
    Case("int_count", int_count, (1.3, 3), 0, 3.0 + 3.0 * 1.3 ** 2),
    Case("int_argument_in_wrt", int_argument_in_wrt, (3, 1.5), (0, 1), (7.5, 3.0)),
    Case("string_flag", string_flag, (0.7, "fast"), "x"),
    Case("shape_tuple", shape_tuple, (_M34, (3, 4)), 0, 6.0 * _M34),
    Case("inactive_array", inactive_array, (_V4, _W4), 0, _W4 * np.cos(_V4)),
    Case("mixed_kinds", mixed_kinds, (0.9, _V4, 2), (0, "a")),
]


# ---------------------------------------------------------------- array and tuple outputs

def vjp_elementwise(x, y):
    return np.sin(x) * y


def vjp_broadcast(u, v):
    return np.exp(u * 0.5) + v * u


def vjp_matmul(a, b):
    return a @ b


def vjp_scalar_times_array(s, x):
    return s * np.tanh(x)


def vjp_sum_axis_0(x):
    return np.sum(x, axis=0)


def vjp_centered_rows(x):
    return x - np.mean(x, axis=1, keepdims=True)


def vjp_tuple_of_array_and_float(x, y):
    return np.exp(x), np.sum(x) * y


def vjp_tuple_of_floats(x, y):
    return x * y, math.sin(x) + y


def vjp_scalar_output(x, y):
    return math.log(x) + x * y - math.sin(y)


VJP_CASES = [
    Case("vjp_elementwise", vjp_elementwise, (_X3, _Y3), (0, 1)),
    Case("vjp_broadcast", vjp_broadcast, (_uniform((3, 1)), _uniform((1, 4))), (0, 1)),
    Case("vjp_matmul", vjp_matmul, (_A34, _B42), (0, 1)),
    Case("vjp_scalar_times_array", vjp_scalar_times_array, (1.4, _M34), (0, 1)),
    Case("vjp_sum_axis_0", vjp_sum_axis_0, (_M34,)),
    Case("vjp_centered_rows", vjp_centered_rows, (_M34,), "x"),
    Case("vjp_tuple_of_array_and_float", vjp_tuple_of_array_and_float, (_X3, 0.8), (0, 1)),
    Case("vjp_tuple_of_floats", vjp_tuple_of_floats, (0.7, -1.2), ("y", "x")),
    Case("vjp_scalar_output", vjp_scalar_output, (2.0, 5.0), (0, 1)),
]
