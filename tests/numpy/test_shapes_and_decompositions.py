"""np.atleast_1d/2d/3d, np.linspace with differentiated ends, np.rot90, np.row_stack,
np.zeros_like then writes, np.full and np.full_like, and np.linalg.eigh, svd and pinv, end to end: grad against 5-point
differences, jvp against differences along a random direction, srcad.tape against grad.

The decompositions' functions do not depend on the signs numpy picks for the vectors
(v ** 2, u @ u.T, ...), and their sample matrices have distinct eigenvalues and singular
values; where they are repeated, what reaches the vectors is nan, never a number.
"""
import warnings

import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, fd_directional, fd_grad, load_function

SOURCE = '''
import numpy as np


def atleast(x):
    return np.sum(np.atleast_2d(x) ** 2) + np.sum(np.atleast_1d(x) * 3.0) + np.sum(np.sin(np.atleast_3d(x)))


def linspace_ends(a, b):
    return np.sum(np.linspace(a, b, 5) ** 2) + np.sum(np.cos(np.linspace(a * b, 2.0, 4, endpoint=False)))


def linspace_arrays(x, y):
    return np.sum(np.linspace(x, y, 4, axis=1) ** 3)


def linspace_keywords(x):
    return np.sum(np.linspace(x[:2], x[2], num=3, endpoint=False, axis=-1) ** 2)


def rotated(m):
    w = np.arange(12.0).reshape(4, 3)
    return np.sum(np.rot90(m) * w) + np.sum(np.rot90(m * m, 3) * w) + np.sum(np.rot90(m, 2) ** 2)


def row_stacked(x, y):
    return np.sum(np.row_stack([x, y * x]) ** 2)


def zeros_then_writes(x):
    z = np.zeros_like(x)
    z[0] = x[1] * x[2]
    z[2] = np.sin(x[0])
    return np.sum(z * x)


def filled(x):
    z = np.full_like(x, x[0]) * np.full_like(x, 2.0)
    return np.sum(z * x) + np.sum(np.full((2, 3), x[1]) * x[2])


def eigh_values(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w * np.array([1.0, -2.0, 0.5]))


def eigh_vectors(a):
    s = a @ a.T + a
    w, v = np.linalg.eigh(s, UPLO="U")
    return np.sum(v ** 2 * np.arange(9.0).reshape(3, 3)) + np.sum((v * w) @ v.T * a)


def svd_reduced(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum(s * s * s) + np.sum(u @ u.T * a[:, :1]) + np.sum(np.cumsum(vt ** 2, axis=1))


def svd_values(a):
    return np.sum(np.sqrt(np.linalg.svd(a, compute_uv=False)))


def svd_square(a):
    u, s, vt = np.linalg.svd(a)
    return np.sum((u * s) @ vt * a) + np.sum(u ** 2 * s)


def pinv_of(a):
    p = np.linalg.pinv(a)
    return np.sum(p * p) + np.sum(p @ a)
'''

RNG = np.random.default_rng(14)
X3 = np.array([0.7, -1.3, 0.4])
M34 = RNG.uniform(-1.0, 1.0, (3, 4))
SEP33 = np.diag([1.0, 2.0, 3.0]) + RNG.uniform(-0.2, 0.2, (3, 3))
SEP43 = np.vstack([np.diag([1.0, 2.0, 3.0]), np.zeros((1, 3))]) + RNG.uniform(-0.2, 0.2, (4, 3))
SEP34 = SEP43.T.copy()

# name, args, wrt
CASES = [
    ("atleast", (X3,), 0), ("atleast", (0.6,), 0),
    ("linspace_ends", (0.3, 1.2), (0, 1)),
    ("linspace_arrays", (X3, np.array([1.0, 0.5, -0.2])), (0, 1)),
    ("linspace_keywords", (X3,), 0),
    ("rotated", (M34,), 0),
    ("row_stacked", (X3, np.array([1.0, 0.5, -0.2])), (0, 1)),
    ("zeros_then_writes", (X3,), 0),
    ("filled", (X3,), 0),
    ("eigh_values", (SEP33,), 0),
    ("eigh_vectors", (SEP33,), 0),
    ("svd_reduced", (SEP43,), 0), ("svd_reduced", (SEP34,), 0),
    ("svd_values", (SEP43,), 0), ("svd_values", (np.stack([SEP34, 0.5 * SEP34]),), 0),
    ("svd_square", (SEP33,), 0),
    ("pinv_of", (SEP43,), 0), ("pinv_of", (SEP34,), 0), ("pinv_of", (SEP33,), 0),
]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


@pytest.fixture(scope="module")
def functions():
    return {name: load_function(SOURCE, name) for name in {case[0] for case in CASES}}


@pytest.fixture(autouse=True)
def _no_row_stack_warning():
    with warnings.catch_warnings():  # numpy 2 deprecates np.row_stack, which the user called
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_grad_matches_differences(name, args, wrt, functions):
    f = functions[name]
    assert_close(srcad.grad(f, wrt=wrt)(*args), fd_grad(f, args, wrt), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_jvp_matches_differences(name, args, wrt, functions, rng):
    f = functions[name]
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    directions = [rng.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray)
                  else float(rng.standard_normal()) for p in positions]
    _, tangent = srcad.jvp(f, wrt=wrt)(*args, *directions)
    assert tangent == pytest.approx(fd_directional(f, args, positions, directions), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_tape_agrees(name, args, wrt, functions):
    f = functions[name]
    if name in ("zeros_then_writes", "filled"):  # writes into arrays (np.full writes its fill)
        pytest.skip("the tape cannot record writes into arrays")
    assert_close(srcad.tape.grad(f, wrt=wrt)(*args), srcad.grad(f, wrt=wrt)(*args), rtol=1e-9, atol=1e-12)


def test_linspace_closed_form():
    f = load_function(SOURCE, "linspace_ends")
    a, b = 0.3, 1.2
    t = np.arange(5) / 4.0
    x = a + (b - a) * t
    u = np.arange(4) / 4.0
    y = a * b + (2.0 - a * b) * u
    da = np.sum(2 * x * (1 - t)) - np.sum(np.sin(y) * (1 - u) * b)
    db = np.sum(2 * x * t) - np.sum(np.sin(y) * (1 - u) * a)
    assert_close(srcad.grad(f, wrt=(0, 1))(a, b), (da, db), rtol=1e-12)


def test_eigenvalues_closed_form():
    # d w_i / d A = v_i v_i^T for a symmetric A; numpy reads the lower triangle, so the
    # cotangent of each entry below the diagonal counts both of its places
    f = load_function(SOURCE, "eigh_values")
    a = SEP33 + SEP33.T
    w, v = np.linalg.eigh(a)
    full = sum(c * np.outer(v[:, i], v[:, i]) for i, c in enumerate([1.0, -2.0, 0.5]))
    expected = np.tril(full) + np.tril(full.T, -1)
    assert_close(srcad.grad(f)(a), expected, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- where no derivative exists

REPEATED = '''
import numpy as np


def values(x):
    w, v = np.linalg.eigh(x * np.eye(3))
    return np.sum(w * w)


def vectors(x):
    w, v = np.linalg.eigh(np.diag(x))
    return np.sum(v[0] * np.array([1.0, 2.0, 3.0]))
'''


def test_repeated_eigenvalues_give_nan_through_the_vectors_only():
    values, vectors = load_function(REPEATED, "values"), load_function(REPEATED, "vectors")
    assert srcad.grad(values)(2.0) == pytest.approx(12.0)   # 3 x^2: the values alone are fine
    assert srcad.jvp(values)(2.0, 1.0)[1] == pytest.approx(12.0)
    assert np.isnan(srcad.grad(vectors)(np.array([1.0, 1.0, 2.0]))).any()
    assert np.isnan(srcad.jvp(vectors)(np.array([1.0, 1.0, 2.0]), np.array([0.0, 1.0, 0.0]))[1])
    assert np.all(np.isfinite(srcad.grad(vectors)(np.array([1.0, 1.5, 2.0]))))


def test_svd_full_matrices_of_a_rectangle_is_refused():
    f = load_function('''
import numpy as np


def f(a):
    u, s, vt = np.linalg.svd(a)
    return np.sum(u[:, 0] ** 2 * s[0])
''', "f")
    with pytest.raises(ValueError, match="full_matrices=False"):
        srcad.grad(f)(SEP43)
    assert srcad.grad(f)(SEP33).shape == (3, 3)


@pytest.mark.parametrize("call", ["np.full(3, x, int)", "np.full_like(np.ones(3), x, int)",
                                  "np.linspace(0.0, x, 5, True, True)[0]",
                                  "np.linspace(0.0, x, 5, dtype=np.float32)"])
def test_arguments_a_rule_leaves_out_are_refused(call):
    # a positional dtype (or retstep) must not be taken for a parameter the rule knows
    f = load_function(f'''
import numpy as np


def f(x):
    return np.sum({call} * 1.0) * x
''', "f")
    with pytest.raises(srcad.SrcadError, match="cannot match the call"):
        srcad.grad(f)(1.5)


def test_pinv_of_a_rank_deficient_matrix_is_refused():
    f = load_function(SOURCE, "pinv_of")
    low_rank = np.outer([1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0])
    with pytest.raises(ValueError, match="full-rank"):
        srcad.grad(f)(low_rank)
