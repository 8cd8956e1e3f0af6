"""Edge values, as JAX gives them: powers, roots and logarithms at 0, `abs` at 0, the norm of a
zero vector, `where` with nan in the unused branch.

Each row's expected value is what `jax.grad` (and `jax.jacfwd`) return for the same function
in float64 (JAX 0.10, `jax_enable_x64`; math spelled with jax.numpy), written down here so that the test needs no JAX: its rules (`pow`'s
jvp takes log(1) for a zero base, `abs`'s derivative is 1 at 0, `where` multiplies the unused
branch's derivative by 0, so an inf there makes a nan). Every row is checked in reverse mode
(`grad`), forward mode (`jacobian(mode="forward")`, one jvp per element) and, where the
function is spelled with operators and numpy, on the tape; math and numpy spellings, scalars
and arrays. At these points Python floats used to raise (`ZeroDivisionError`, `math domain
error`) where numpy gave inf or nan.
"""
import math

import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import load_function

SOURCE = '''
import math
import numpy as np

def root(x):
    return x ** 0.5

def square(x):
    return x ** 2.0

def first_power(x):
    return x ** 1.0

def zeroth_power(x):
    return x ** 0.0

def whole_zeroth_power(x):
    return x ** 0

def power(x, p):
    return x ** p

def summed_power(x, p):
    return np.sum(x ** p)

def summed_np_power(x, p):
    return np.sum(np.power(x, p))

def summed_float_power(x, p):
    return np.sum(np.float_power(x, p))

def summed_inverse(x):
    return np.sum(x ** -1.0)

def math_pow(x, p):
    return math.pow(x, p)

def math_sqrt(x):
    return math.sqrt(x)

def math_asin(x):
    return math.asin(x)

def math_acos(x):
    return math.acos(x)

def math_acosh(x):
    return math.acosh(x)

def np_sqrt(x):
    return np.sqrt(x)

def summed_sqrt(x):
    return np.sum(np.sqrt(x))

def builtin_abs(x):
    return abs(x)

def math_fabs(x):
    return math.fabs(x)

def np_abs(x):
    return np.abs(x)

def summed_abs(x):
    return np.sum(np.abs(x))

def norm(x):
    return np.linalg.norm(x)

def norm_1(x):
    return np.linalg.norm(x, 1)

def np_log(x):
    return np.log(x)

def np_log2(x):
    return np.log2(x)

def np_log10(x):
    return np.log10(x)

def np_log1p(x):
    return np.log1p(x)

def summed_log(x):
    return np.sum(np.log(x))

def root_where_positive(x):
    return np.where(x > 0, np.sqrt(x), 0.0)

def log_where_positive(x):
    return np.where(x > 0, np.log(x), 0.0)

def summed_root_where_positive(x):
    return np.sum(np.where(x > 0, np.sqrt(x), 0.0))

def root_where_positive_twice(x):
    safe = np.where(x > 0, x, 1.0)
    return np.where(x > 0, np.sqrt(safe), 0.0)

def where_nan_unused(x):
    return np.where(x > 0, x * 3.0, np.nan)
'''

INF, NAN = math.inf, math.nan
ZEROS = np.zeros(3)
X012 = np.array([0.0, 1.0, 2.0])

SAME = object()


def row(name, args, wrt, grad, uses_math=False, forward=SAME):
    """A case: `jax.grad`'s value, and `jax.jacfwd`'s where it differs (a jvp along a unit
    vector multiplies the other elements' inf by 0: nan; `where` selects the tangent, so
    forward mode gives 0 where reverse mode gives 0 * nan). `uses_math`: the tape cannot run it."""
    forward = grad if forward is SAME else forward
    return pytest.param(name, args, wrt, grad, forward, uses_math, id=f"{name}-{args[wrt]!r}-wrt{wrt}")


ROWS = [
    # x ** p at x = 0: both derivatives
    row("root", (0.0,), 0, INF),
    row("square", (0.0,), 0, 0.0),
    row("first_power", (0.0,), 0, 1.0),
    row("zeroth_power", (0.0,), 0, NAN),         # 0.0 * 0 ** -1: JAX's pow of a float 0.0
    row("whole_zeroth_power", (0.0,), 0, 0.0),   # JAX's integer_pow of 0
    row("power", (0.0, 2.0), 0, 0.0),
    row("power", (0.0, 0.5), 0, INF),
    row("power", (0.0, 2.0), 1, 0.0),
    row("power", (0.0, 0.5), 1, 0.0),
    row("power", (0.0, 0.0), 1, 0.0),
    row("power", (-2.0, 2.0), 1, NAN),           # log of a negative base
    row("power", (-2.0, 2.0), 0, -4.0),
    row("summed_power", (X012, 2.0), 1, 4.0 * math.log(2.0)),
    row("summed_power", (X012, 2.0), 0, np.array([0.0, 2.0, 4.0])),
    row("summed_power", (X012, 0.5), 0, np.array([INF, 0.5, 0.5 * 2.0 ** -0.5]),
        forward=np.array([INF, NAN, NAN])),
    row("summed_power", (np.array([0.0, 1.0]), -1.0), 1, NAN),  # inf * log(1)
    row("summed_np_power", (X012, 2.0), 1, 4.0 * math.log(2.0)),
    row("summed_float_power", (X012, 2.0), 1, 4.0 * math.log(2.0)),
    row("summed_inverse", (np.array([0.0, 1.0]),), 0, np.array([-INF, -1.0]), forward=np.array([-INF, NAN])),
    row("math_pow", (0.0, 0.5), 0, INF, uses_math=True),
    row("math_pow", (0.0, 2.0), 1, 0.0, uses_math=True),
    # sqrt at 0
    row("math_sqrt", (0.0,), 0, INF, uses_math=True),
    # the inverse functions at the ends of their domains (a root of 0 in the denominator)
    row("math_asin", (1.0,), 0, INF, uses_math=True),
    row("math_acos", (1.0,), 0, -INF, uses_math=True),
    row("math_acosh", (1.0,), 0, INF, uses_math=True),
    row("np_sqrt", (0.0,), 0, INF),
    row("summed_sqrt", (np.array([0.0, 4.0]),), 0, np.array([INF, 0.25]), forward=np.array([INF, NAN])),
    # abs at 0: 1, as JAX's select(x >= 0, g, -g) (also at -0.0)
    row("builtin_abs", (0.0,), 0, 1.0),
    row("builtin_abs", (-0.0,), 0, 1.0),
    row("math_fabs", (0.0,), 0, 1.0, uses_math=True),
    row("math_fabs", (-0.0,), 0, 1.0, uses_math=True),
    row("np_abs", (0.0,), 0, 1.0),
    row("summed_abs", (np.array([0.0, -2.0, 3.0]),), 0, np.array([1.0, -1.0, 1.0])),
    # the norm of a zero vector (or matrix)
    row("norm", (ZEROS,), 0, np.full(3, NAN)),
    row("norm", (np.zeros((2, 2)),), 0, np.full((2, 2), NAN)),
    row("norm_1", (ZEROS,), 0, np.ones(3)),
    # log of 0
    row("np_log", (0.0,), 0, INF),
    row("np_log2", (0.0,), 0, INF),
    row("np_log10", (0.0,), 0, INF),
    row("np_log1p", (-1.0,), 0, INF),
    row("summed_log", (np.array([0.0, 2.0]),), 0, np.array([INF, 0.5]), forward=np.array([INF, NAN])),
    # where with nan (or inf) in the unused branch
    row("root_where_positive", (-1.0,), 0, NAN, forward=0.0),
    row("log_where_positive", (0.0,), 0, NAN, forward=0.0),
    row("summed_root_where_positive", (np.array([-1.0, 0.0, 4.0]),), 0, np.array([NAN, NAN, 0.25]),
        forward=np.array([0.0, 0.0, 0.25])),
    row("root_where_positive_twice", (-1.0,), 0, 0.0),
    row("where_nan_unused", (1.0,), 0, 3.0),
]


def _check(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=1e-12, atol=0.0, equal_nan=True)


pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, at these points


@pytest.mark.parametrize("name, args, wrt, grad, forward, uses_math", ROWS)
def test_reverse_mode_gives_jaxs_value(name, args, wrt, grad, forward, uses_math):
    f = load_function(SOURCE, name)
    _check(srcad.grad(f, wrt)(*args), grad)
    _check(srcad.value_and_grad(f, wrt)(*args)[1], grad)


@pytest.mark.parametrize("name, args, wrt, grad, forward, uses_math", ROWS)
def test_forward_mode_gives_jaxs_value(name, args, wrt, grad, forward, uses_math):
    f = load_function(SOURCE, name)
    _check(srcad.jacobian(f, wrt, mode="forward")(*args), forward)


@pytest.mark.parametrize("name, args, wrt, grad, forward, uses_math", ROWS)
def test_the_tape_gives_jaxs_value(name, args, wrt, grad, forward, uses_math):
    if uses_math:
        pytest.skip("math calls cannot be recorded by a tape")
    f = load_function(SOURCE, name)
    _check(srcad.tape.grad(f, wrt)(*args), grad)


def test_a_whole_constant_power_stays_plain_arithmetic():
    """`x ** 2` needs no guard: its derivative is inlined as `2.0 * x`, no helper call."""
    f = load_function(SOURCE, "square")
    text = srcad.source(f, of="grad")
    assert "_rt." not in text and "2.0 * x" in text
    g = load_function(SOURCE, "root")
    assert "_rt.power_slope(x, 0.5)" in srcad.source(g, of="grad")


# ------------------------------------------------------------ the sigmoid of logaddexp's rule

EXTREMES = np.array([-800.0, -740.0, -720.0, -30.0, -1.0, -0.0, 0.0, 1e-300, 2.5, 40.0, 720.0, 800.0,
                     np.inf, -np.inf, np.nan])


def test_logaddexps_derivative_at_extreme_inputs_is_exact_and_silent():
    """d/dz logaddexp(0, z) = 1 / (1 + exp(-z)) = exp(z) / (1 + exp(z)), computed from
    exp(-|z|) alone: no overflow warning where exp(|z|) overflows (|z| > 709), and below
    -709 the exact tiny value (a subnormal down to -745), not 0. The expected values are
    those formulas in exact float arithmetic where they do not overflow."""
    f = load_function('''
        import numpy as np

        def softplus_sum(z):
            return np.sum(np.logaddexp(0.0, z))
    ''', "softplus_sum")
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # (underflow is the point)
        finite = EXTREMES[np.isfinite(EXTREMES)]
        got = srcad.grad(f)(finite)
        got_tape = srcad.tape.grad(f)(finite)
    expected = [math.exp(v) / (1.0 + math.exp(v)) if v < 0 else 1.0 / (1.0 + math.exp(-v)) for v in finite]
    assert got.tolist() == expected and got_tape.tolist() == expected
    assert got[finite == -720.0][0] == math.exp(-720.0) > 0.0
    with np.errstate(over="raise"):
        assert srcad.grad(f)(EXTREMES[-3:]).tolist()[:2] == [1.0, 0.0]
        assert math.isnan(srcad.grad(f)(EXTREMES[-3:])[2])
    for v in (-800.0, -720.0, 0.0, 720.0, 800.0):   # the scalar path
        assert srcad.grad(lambda z: np.logaddexp(0.0, z))(v) == \
            (math.exp(v) / (1.0 + math.exp(v)) if v < 0 else 1.0 / (1.0 + math.exp(-v)))


def test_logaddexps_derivative_away_from_overflow_agrees_with_the_guarded_formula():
    """Where no z is below -700 (nan aside) the sigmoid is 1 / (1 + exp(-z)) as it stands;
    it agrees with the overflow-safe formula to a few units in the last place, float32 too."""
    f = load_function('''
        import numpy as np

        def softplus_sum(z):
            return np.sum(np.logaddexp(0.0, z))
    ''', "softplus_sum")
    z = np.concatenate([np.linspace(-699.0, 699.0, 1001), [np.nan, -0.0, 1e-300]])
    expected = np.array([math.exp(v) / (1.0 + math.exp(v)) if v < 0 else 1.0 / (1.0 + math.exp(-v))
                         for v in z])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = srcad.grad(f)(z)
    np.testing.assert_array_max_ulp(got[np.isfinite(z)], expected[np.isfinite(z)], maxulp=4)
    assert np.isnan(got[np.isnan(z)]).all()
    z32 = np.linspace(-80.0, 80.0, 501, dtype=np.float32)   # exp(-z) is finite in float32 (< 88.7)
    single = srcad.grad(f)(z32)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, [1.0 / (1.0 + math.exp(-float(v))) for v in z32], rtol=1e-6, atol=0)
