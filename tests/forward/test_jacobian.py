"""srcad.jacobian in both modes: against each other, finite differences and shapes.

`jacobian(f, wrt, mode)(*args)` has shape `out.shape + arg.shape` (a float when both are
scalars; a tuple for a tuple wrt). Reverse mode builds it a row per output element, forward
mode a column per argument element, so the two agreeing to rounding is a check of each; both
are compared with a Jacobian of 5-point central differences, a column per argument element
(rtol 1e-6). The functions are this file's own: wide (R^3 -> R^100) and tall (R^100 -> R^3)
maps, loops, branches, helpers, lists and numpy with array outputs.
"""
import math
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

import srcad
from helpers import fd_directional, fd_grad, wrt_positions

MODES = ["reverse", "forward"]

# Known srcad bugs, case name -> reason (strict xfails; none at the time of writing: reverse
# mode's loop bug that made rnn_state's Jacobian by w wrong was fixed while these were written).
REVERSE_WRONG = {}

_RNG = np.random.default_rng(4321)
GRID = np.linspace(0.0, 1.0, 100)
WEIGHTS = _RNG.uniform(-0.3, 0.3, size=(3, 100))
COLUMN = np.array([1.0, 2.0, 3.0])


class Case(NamedTuple):
    name: str
    function: Callable
    args: tuple
    wrt: Any = 0


# ---------------------------------------------------------------- functions

def expand_to_100(x):
    return np.sin(GRID * x[0]) * x[1] + np.exp(-GRID) * x[2] ** 2


def summarise_100(x):
    return np.tanh(WEIGHTS @ x) * np.sum(x * x) * 0.01


def moments_of_100(x):
    return np.array([np.mean(x), np.mean(x * x), np.mean(np.sin(x))])


def scalar_to_vector(t):
    return np.array([t, t * t, math.sin(t)])


def vector_to_scalar(x):
    return np.sum(x ** 3) + x[0] * x[1]


def scalar_to_scalar(x, y):
    return x * math.sin(y) + math.exp(x * 0.5)


def matrix_to_vector(a):
    return np.tanh(a @ COLUMN)


def vector_to_matrix(x):
    return np.outer(x, np.sin(x)) + x[0]


def slices(x):
    return x[0] * x[1:] + x[:-1] ** 2


def loop_over_a_new_name(x):
    h = x
    for i in range(3):
        h = np.tanh(h) * 0.8 + 0.1 * x
    return h


def loop_with_index(x):
    out = np.zeros(3)
    for i in range(3):
        out = out + np.cos(x * (i + 1)) / (i + 1)
    return out * x


def while_shrinks(x):
    while np.sum(x * x) > 1.0:
        x = x * 0.7
    return x * np.exp(x)


def branch_on_sum(x):
    if np.sum(x) > 0.0:
        z = x * x
    else:
        z = np.sin(x)
    return z * 2.0


def _smooth(v):
    return v / (1.0 + v * v)


def _scaled(v, k):
    if k > 1.0:
        return v * k
    return v - k


def helpers(x, k):
    return _smooth(x) * _scaled(x, k)


def list_of_rows(x):
    rows = []
    for i in range(4):
        rows.append(np.sin(x * (i + 1)))
    return np.stack(rows)


def rnn_state(w, h0):
    h = h0
    for t in range(3):
        h = np.tanh(w @ h + 0.1 * t)
    return h


def two_arguments(x, s):
    return np.exp(x * s) + s * s


_X3 = np.array([0.3, -0.5, 0.8])
_X100 = _RNG.uniform(-1.0, 1.0, 100)
_BIG3 = np.array([1.5, -2.0, 2.5])      # squared norm 12.5, then 6.1, 3.0, 1.47, 0.72
_POSITIVE_SUM = np.array([0.8, -0.3, 1.1])
_NEGATIVE_SUM = np.array([-0.8, 0.3, -1.1])
_A23 = _RNG.uniform(-0.5, 0.5, (2, 3))
_W33 = _RNG.uniform(-0.6, 0.6, (3, 3))

CASES = [
    Case("expand_to_100", expand_to_100, (_X3,)),
    Case("summarise_100", summarise_100, (_X100,)),
    Case("moments_of_100", moments_of_100, (_X100,)),
    Case("scalar_to_vector", scalar_to_vector, (0.4,)),
    Case("vector_to_scalar", vector_to_scalar, (_X3,)),
    Case("scalar_to_scalar", scalar_to_scalar, (0.5, 0.7), "y"),
    Case("matrix_to_vector", matrix_to_vector, (_A23,)),
    Case("vector_to_matrix", vector_to_matrix, (_X3,)),
    Case("slices", slices, (np.array([0.3, -0.5, 0.8, 1.2]),)),
    Case("loop_over_a_new_name", loop_over_a_new_name, (_X3,)),
    Case("loop_with_index", loop_with_index, (_X3,)),
    Case("while_shrinks", while_shrinks, (_BIG3,)),
    Case("branch_on_sum_positive", branch_on_sum, (_POSITIVE_SUM,)),
    Case("branch_on_sum_negative", branch_on_sum, (_NEGATIVE_SUM,)),
    Case("helpers_first_branch", helpers, (_X3, 1.5), 0),
    Case("helpers_second_branch", helpers, (_X3, 0.5), 0),
    Case("list_of_rows", list_of_rows, (_X3,)),
    Case("rnn_state_wrt_matrix", rnn_state, (_W33, _X3), "w"),
    Case("rnn_state_wrt_state", rnn_state, (_W33, _X3), 1),
    Case("two_arguments_wrt_scalar", two_arguments, (_X3, 0.6), 1),
]


def names(cases):
    return [case.name for case in cases]


def params(cases, known_bugs=None):
    """The cases as pytest params, a strict xfail on those named in `known_bugs`."""
    known_bugs = known_bugs or {}
    return [pytest.param(case, id=case.name, marks=[pytest.mark.xfail(strict=True, reason=known_bugs[case.name])]
                         if case.name in known_bugs else []) for case in cases]


def mode_params(cases):
    """(case, mode) params; reverse mode is xfail where REVERSE_WRONG says so."""
    return [pytest.param(case, mode, id=f"{case.name}-{mode}",
                         marks=[pytest.mark.xfail(strict=True, reason=REVERSE_WRONG[case.name])]
                         if mode == "reverse" and case.name in REVERSE_WRONG else [])
            for case in cases for mode in MODES]


def fd_jacobian(f, args, position):
    """The Jacobian by 5-point differences, a column per element of args[position]."""
    x = args[position]
    if np.ndim(x) == 0:
        column = fd_directional(f, args, [position], [1.0])
        return column if np.ndim(column) else float(column)
    out_shape = np.shape(f(*args))
    jacobian = np.empty(out_shape + np.shape(x))
    for index in np.ndindex(np.shape(x)):
        unit = np.zeros(np.shape(x))
        unit[index] = 1.0
        jacobian[(Ellipsis,) + index] = fd_directional(f, args, [position], [unit])
    return jacobian


def assert_jacobian_kind(jacobian, output, arg):
    if np.ndim(output) == 0 and np.ndim(arg) == 0:
        assert type(jacobian) is float, f"expected a float, got {type(jacobian).__name__}"
        return
    assert isinstance(jacobian, np.ndarray), f"expected an ndarray, got {type(jacobian).__name__}"
    assert jacobian.shape == np.shape(output) + np.shape(arg)
    assert jacobian.dtype == np.float64


# ---------------------------------------------------------------- the oracle itself

def test_there_are_enough_maps_of_every_kind():
    assert len({case.function for case in CASES}) >= 12
    shapes = {(np.shape(c.function(*c.args)), np.shape(c.args[wrt_positions(c.function, c.wrt)[0][0]]))
              for c in CASES}
    assert ((100,), (3,)) in shapes and ((3,), (100,)) in shapes


def test_fd_jacobian_of_a_linear_map_is_the_matrix(rng):
    a = rng.standard_normal((4, 3))
    np.testing.assert_allclose(fd_jacobian(lambda x: a @ x, (rng.standard_normal(3),), 0), a, rtol=1e-9)


# ---------------------------------------------------------------- both modes

@pytest.mark.parametrize("case", params(CASES, REVERSE_WRONG))
def test_forward_and_reverse_modes_agree(case):
    reverse = srcad.jacobian(case.function, wrt=case.wrt, mode="reverse")(*case.args)
    forward = srcad.jacobian(case.function, wrt=case.wrt, mode="forward")(*case.args)
    assert np.shape(forward) == np.shape(reverse)
    np.testing.assert_allclose(forward, reverse, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case, mode", mode_params(CASES))
def test_jacobian_matches_finite_differences(case, mode):
    (position,), _ = wrt_positions(case.function, case.wrt)
    jacobian = srcad.jacobian(case.function, wrt=case.wrt, mode=mode)(*case.args)
    np.testing.assert_allclose(jacobian, fd_jacobian(case.function, case.args, position), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_jacobian_has_shape_out_shape_plus_arg_shape(case, mode):
    (position,), _ = wrt_positions(case.function, case.wrt)
    jacobian = srcad.jacobian(case.function, wrt=case.wrt, mode=mode)(*case.args)
    assert_jacobian_kind(jacobian, case.function(*case.args), case.args[position])


def test_the_wide_and_tall_shapes():
    wide = srcad.jacobian(expand_to_100, mode="forward")(_X3)
    tall = srcad.jacobian(summarise_100, mode="reverse")(_X100)
    assert wide.shape == (100, 3) and tall.shape == (3, 100)
    assert srcad.jacobian(matrix_to_vector)(_A23).shape == (2, 2, 3)
    assert srcad.jacobian(vector_to_matrix, mode="forward")(_X3).shape == (3, 3, 3)
    assert srcad.jacobian(rnn_state, wrt=0, mode="forward")(_W33, _X3).shape == (3, 3, 3)


@pytest.mark.parametrize("mode", MODES)
def test_scalar_by_scalar_is_a_float(mode):
    jacobian = srcad.jacobian(scalar_to_scalar, wrt=0, mode=mode)(0.5, 0.7)
    assert type(jacobian) is float
    assert jacobian == pytest.approx(math.sin(0.7) + 0.5 * math.exp(0.25), rel=1e-14)
    assert type(srcad.jacobian(scalar_to_scalar, wrt=1, mode=mode)(0.5, 0.7)) is float


@pytest.mark.parametrize("mode", MODES)
def test_scalar_argument_array_output_is_a_vector(mode):
    jacobian = srcad.jacobian(scalar_to_vector, mode=mode)(0.4)
    assert isinstance(jacobian, np.ndarray) and jacobian.shape == (3,)
    np.testing.assert_allclose(jacobian, [1.0, 0.8, math.cos(0.4)], rtol=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_scalar_output_jacobian_is_the_gradient(mode):
    jacobian = srcad.jacobian(vector_to_scalar, mode=mode)(_X3)
    assert jacobian.shape == (3,)
    np.testing.assert_allclose(jacobian, srcad.grad(vector_to_scalar)(_X3), rtol=1e-12)
    np.testing.assert_allclose(jacobian, fd_grad(vector_to_scalar, (_X3,)), rtol=1e-6)


# ---------------------------------------------------------------- tuple wrt, names

@pytest.mark.parametrize("mode", MODES)
def test_tuple_wrt_gives_a_tuple_of_jacobians(mode):
    jacobians = srcad.jacobian(two_arguments, wrt=(0, 1), mode=mode)(_X3, 0.6)
    assert isinstance(jacobians, tuple) and len(jacobians) == 2
    by_x, by_s = jacobians
    assert by_x.shape == (3, 3) and by_s.shape == (3,)
    np.testing.assert_allclose(by_x, fd_jacobian(two_arguments, (_X3, 0.6), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(by_s, fd_jacobian(two_arguments, (_X3, 0.6), 1), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(by_x, srcad.jacobian(two_arguments, wrt=0, mode=mode)(_X3, 0.6), rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_tuple_wrt_of_a_matrix_and_a_vector(mode):
    by_w, by_h = srcad.jacobian(rnn_state, wrt=("w", "h0"), mode=mode)(_W33, _X3)
    assert by_w.shape == (3, 3, 3) and by_h.shape == (3, 3)
    np.testing.assert_allclose(by_w, fd_jacobian(rnn_state, (_W33, _X3), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(by_h, fd_jacobian(rnn_state, (_W33, _X3), 1), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("mode", MODES)
def test_tuple_wrt_of_two_scalars_gives_two_floats(mode):
    jacobians = srcad.jacobian(scalar_to_scalar, wrt=(1, 0), mode=mode)(0.5, 0.7)
    assert isinstance(jacobians, tuple) and [type(j) for j in jacobians] == [float, float]
    assert jacobians == pytest.approx((0.5 * math.cos(0.7), math.sin(0.7) + 0.5 * math.exp(0.25)), rel=1e-14)


@pytest.mark.parametrize("mode", MODES)
def test_wrt_by_name_is_wrt_by_position(mode):
    by_name = srcad.jacobian(two_arguments, wrt="s", mode=mode)(_X3, 0.6)
    by_position = srcad.jacobian(two_arguments, wrt=1, mode=mode)(_X3, 0.6)
    np.testing.assert_array_equal(by_name, by_position)


def test_mode_must_be_forward_or_reverse():
    with pytest.raises((srcad.SrcadError, ValueError)):
        srcad.jacobian(expand_to_100, mode="sideways")(_X3)


def test_decorator_forms():
    @srcad.jacobian(mode="forward")
    def square_each(x):
        return x * x

    np.testing.assert_allclose(square_each(_X3), np.diag(2.0 * _X3), rtol=1e-15)
    assert square_each.__name__ == "square_each"
