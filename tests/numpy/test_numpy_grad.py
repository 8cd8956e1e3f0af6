"""`srcad.grad` through the whole pipeline on numpy programs, against finite differences.

tests/rules checks each rule as a lambda; here the rules are inlined into generated code by the
real transform: method and attribute spellings, indexing and slicing, float32 and integer
arguments, and a two-layer softmax classifier against its hand-written gradient.
"""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

try:
    import scipy.special  # noqa: F401  (the generated modules import it)
except ModuleNotFoundError:
    scipy = None

NEEDS_SCIPY = pytest.mark.skipif(scipy is None, reason="scipy is optional")
IMPORTS = "import numpy as np\n" + ("import scipy.special\n" if scipy else "")


def weighted(expr, names="x"):
    """`f(<names>, w) = sum(<expr> * w)`, written to a real module (numpy and scipy imported),
    so that any output shape gives a scalar with a non-trivial gradient."""
    return load_function(f"{IMPORTS}\n\ndef f({', '.join(names)}, w):\n    return np.sum(({expr}) * w)\n", "f")


def sample(shape, rng):
    """Values of magnitude in [0.3, 1.5], either sign (a Python float for shape ())."""
    value = rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return float(value) if shape == () else value


def check(expr, shapes, rng):
    """srcad.grad of `weighted(expr)` equals finite differences, for arguments of `shapes`."""
    f = weighted(expr, "xy"[:len(shapes)])
    args = [sample(s, rng) for s in shapes]
    w = rng.standard_normal(np.shape(f(*args, 1.0)))
    wrt = tuple(range(len(shapes))) if len(shapes) > 1 else 0
    got = srcad.grad(f, wrt=wrt)(*args, w)
    assert_close(got, fd_grad(f, (*args, w), wrt), rtol=1e-5, atol=1e-6)
    return got


# ---------------------------------------------------------------- every kind of rule, inlined

PROGRAMS = [
    # elementwise, broadcasting
    ("np.exp2(x) + np.expm1(x) + np.log1p(x * x)", [(3, 4)]),
    ("np.cbrt(x) + np.reciprocal(x) + np.square(x)", [(3, 4)]),
    ("np.arcsinh(x) + np.arctan(x) + np.sinh(x) + np.cosh(x)", [(3, 4)]),
    ("np.arcsin(x / 2.0) + np.arccos(x / 2.0) + np.arctanh(x / 2.0)", [(3, 4)]),
    ("np.log2(np.abs(x)) + np.log10(np.fabs(x)) + np.deg2rad(x)", [(3, 4)]),
    ("np.hypot(x, y)", [(3, 1), (4,)]),
    ("np.arctan2(x, y)", [(3, 4), (4,)]),
    ("np.logaddexp(x, y) + np.logaddexp2(x, y)", [(3, 4), ()]),
    ("np.maximum(x, 0.0) + np.minimum(x, y)", [(3, 4), (4,)]),
    ("np.fmax(x, y) * np.fmin(x, y)", [(3, 4), (3, 4)]),
    ("np.clip(x, -0.5, 0.5)", [(3, 4)]),
    ("np.clip(x, y, 1.0)", [(3, 4), (4,)]),
    ("np.clip(x, None, 0.5)", [(3, 4)]),
    ("np.where(x > 0, x, y)", [(3, 4), (4,)]),
    ("np.where(x > 0, x * x, 0.0)", [(3, 4)]),
    ("np.power(x, 3) + np.float_power(x * x + 1.0, y)", [(3, 4), (4,)]),
    ("np.mod(x, 0.7) + np.copysign(x, y)", [(3, 4), (3, 4)]),
    # reductions
    ("np.sum(x, axis=(0, -1), keepdims=True)", [(2, 3, 4)]),
    ("np.mean(x, axis=-2)", [(2, 3, 4)]),
    ("np.prod(x, axis=1)", [(3, 4)]),
    ("np.max(x, axis=0) + np.amin(x)", [(3, 4)]),
    ("np.var(x, axis=1, ddof=1) + np.std(x)", [(3, 4)]),
    ("np.cumsum(x, axis=1) + np.cumprod(x, axis=1)", [(3, 4)]),
    ("np.cumsum(x) * np.cumprod(x)", [(3, 4)]),
    ("np.sort(x, axis=1) + np.sort(x, axis=0)", [(3, 4)]),
    ("np.diff(x, n=2, axis=0)", [(4, 3)]),
    # linear algebra
    ("np.dot(x, y)", [(3, 4), (4, 2)]),
    ("np.dot(x, y)", [(2, 3, 4), (5, 4, 2)]),
    ("np.matmul(x, y)", [(2, 3, 4), (4,)]),
    ("np.inner(x, y)", [(3, 4), (2, 4)]),
    ("np.outer(x, y)", [(3,), (2, 2)]),
    ("np.vdot(x, y)", [(3, 4), (2, 6)]),
    ("np.tensordot(x, y, axes=([1, 0], [0, 1]))", [(3, 2, 4), (2, 3, 5)]),
    ("np.einsum('ij,jk->ik', x, y)", [(3, 4), (4, 2)]),
    ("np.einsum('...ij,jk', x, y)", [(2, 3, 4), (4, 2)]),
    ("np.einsum('ii', x) + np.trace(x) + np.sum(np.diagonal(x))", [(3, 3)]),
    ("np.diag(x, 1)[:4, 1:] + np.diag(np.diag(np.diag(x)))", [(4,)]),
    ("np.linalg.norm(x) + np.linalg.norm(x, axis=1) + np.linalg.norm(x, ord='nuc')", [(3, 4)]),
    ("np.linalg.inv(x + 3.0 * np.eye(3))", [(3, 3)]),
    ("np.linalg.solve(x + 3.0 * np.eye(3), y)", [(3, 3), (3,)]),
    ("np.linalg.det(x + 3.0 * np.eye(3)) + np.linalg.slogdet(x + 3.0 * np.eye(3))[1]", [(3, 3)]),
    ("np.linalg.cholesky(x @ x.T + np.eye(3))", [(3, 3)]),
    # shapes
    ("np.reshape(x, (4, 3)) + np.ravel(x).reshape((4, 3))", [(3, 4)]),
    ("np.transpose(x, (1, 2, 0)) + np.swapaxes(np.moveaxis(x, 0, -1), 0, 0)", [(2, 3, 4)]),
    ("np.expand_dims(x, 1) * np.squeeze(y)", [(3, 4), (3, 1, 4)]),
    ("np.broadcast_to(x, (3, 4))", [(4,)]),
    ("np.stack([x, y], axis=1)", [(3,), (3,)]),
    ("np.stack(x)", [(3, 4)]),
    ("np.concatenate([x, y], axis=1)", [(3, 2), (3, 4)]),
    ("np.concatenate((x, y), axis=None)", [(2, 2), (3,)]),
    ("np.hstack([x, y])", [(3,), (2,)]),
    ("np.vstack([x, y])", [(3,), (2, 3)]),
    ("np.tile(x, (2, 1, 2))", [(2, 3)]),
    ("np.repeat(x, [1, 0, 2], axis=1)", [(2, 3)]),
    ("np.flip(x, 0) + np.fliplr(x) + np.flipud(x) + np.roll(x, 1, axis=1)", [(3, 4)]),
    ("np.triu(x) + np.tril(x, -1)", [(3, 3)]),
    ("np.take(x, [0, 2, 2, 11])", [(3, 4)]),
    ("np.array([x, y]) + np.asarray(x) + np.copy(y)", [(), ()]),
    # scipy.special
    pytest.param("scipy.special.logsumexp(x, axis=1)", [(3, 4)], marks=NEEDS_SCIPY),
    pytest.param("scipy.special.logsumexp(x, axis=1, b=y * y)", [(3, 4), (3, 4)], marks=NEEDS_SCIPY),
    pytest.param("scipy.special.expit(x) + scipy.special.log_expit(x)", [(3, 4)], marks=NEEDS_SCIPY),
    pytest.param("scipy.special.softmax(x, axis=1) + scipy.special.log_softmax(x, axis=0)", [(3, 4)],
                 marks=NEEDS_SCIPY),
    pytest.param("scipy.special.gammaln(x * x + 1.0) + scipy.special.digamma(x * x + 1.0)", [(3, 4)],
                 marks=NEEDS_SCIPY),
    pytest.param("scipy.special.erf(x) + scipy.special.xlogy(x, y * y + 1.0)", [(3, 4), (4,)],
                 marks=NEEDS_SCIPY),
]


@pytest.mark.parametrize("expr, shapes", PROGRAMS, ids=lambda p: p if isinstance(p, str) else None)
def test_numpy_programs_match_finite_differences(expr, shapes, rng):
    check(expr, shapes, rng)


# ---------------------------------------------------------------- method and attribute spellings

METHODS = [
    "x.sum()", "x.sum(axis=0)", "x.mean(axis=-1, keepdims=True)", "x.max()", "x.max(axis=1)",
    "x.min(0)", "x.prod()", "x.prod(axis=1)", "x.var()", "x.var(axis=0, ddof=1)", "x.std(axis=1)",
    "x.cumsum(axis=1)", "x.cumprod()", "x.ravel()", "x.flatten()", "x.swapaxes(0, 1)",
    "x.clip(-0.5, 0.5)", "x.clip(min=-0.5)", "x.dot(x.T)", "x.trace()", "x.diagonal(1)",
    "x.repeat(2, axis=1)", "x.take([0, 5, 5])", "x[:, :1].squeeze()",
    "x.sum(axis=0).mean() + x.T.dot(x).max()",
    # spelled as calls of numpy_rules' small wrappers: the numbers may come one by one
    "x.reshape(4, 3)", "x.reshape((4, 3))", "x.reshape(-1)", "x.reshape(2, 3, 2, order='F')",
    "x.transpose()", "x.transpose(1, 0)", "x.transpose((1, 0))", "x.astype(np.float64)",
    "x.astype(int) + x",
    # attributes
    "x.T", "x.T.T + x", "x.real", "x.T @ x",
]


@pytest.mark.parametrize("expr", METHODS)
def test_method_and_attribute_spellings(expr, rng):
    check(expr, [(3, 4)], rng)


# ---------------------------------------------------------------- indexing and slicing as values

INDEXING = [
    "x[1]", "x[1, 2]", "x[-1, -2]", "x[1:3]", "x[:, 0]", "x[::-1]", "x[1:, ::2]", "x[0:2, 1:3]",
    "x[..., None]", "x[None, :, 1]", "x[..., 1]", "x[1][2]", "x[::-1][1:]", "x.T[0]",
    "x[x > 0]", "x[np.array([True, False, True])]",
    "x[np.array([0, 2, 2, 1])]", "x[:, [3, 0, 3]]",
    "x[np.array([0, 2, 2]), np.array([1, 1, 3])]", "x[np.arange(3), np.array([0, 3, 3])]",
    "x[[0, 0, 1]]", "x[[2, 0], [1, 1]]",
]


@pytest.mark.parametrize("expr", INDEXING)
def test_indexing_and_slicing(expr, rng):
    check(expr, [(3, 4)], rng)


def picked(x, i, j):
    return np.sum(x[i] * x[i, j]) + np.sum(x[i:] ** 2) + x[j - 1, -i]


def test_int_indices_passed_as_arguments_flow_through(rng):
    x = rng.standard_normal((3, 4))
    assert_close(srcad.grad(picked)(x, 1, 2), fd_grad(picked, (x, 1, 2)), rtol=1e-6)


# ---------------------------------------------------------------- dtypes

FLOAT32 = [
    ("np.tanh(x) * np.exp(-x)", [(3, 4)]), ("np.sum(x, axis=0) / np.linalg.norm(x)", [(3, 4)]),
    ("x @ y + np.maximum(x @ y, 0.0)", [(3, 4), (4, 2)]), ("np.cumprod(x, axis=1) + np.max(x)", [(3, 4)]),
    ("np.einsum('ij,jk->ik', x, y)", [(3, 4), (4, 2)]),
    ("np.linalg.inv(x + 3.0 * np.eye(3, dtype=np.float32))", [(3, 3)]),
    ("np.where(x > 0, x, 0.1 * x)", [(3, 4)]), ("np.concatenate([x, x * x])", [(3,)]),
    ("x[np.array([0, 2, 2])]", [(3, 4)]),
]


@pytest.mark.parametrize("expr, shapes", FLOAT32)
def test_float32_arguments_get_float32_gradients(expr, shapes, rng):
    f = weighted(expr, "xy"[:len(shapes)])
    args = [np.asarray(sample(s, rng), np.float32) for s in shapes]
    w = rng.standard_normal(np.shape(f(*args, 1.0))).astype(np.float32)
    wrt = tuple(range(len(shapes))) if len(shapes) > 1 else 0
    got = srcad.grad(f, wrt=wrt)(*args, w)
    expected = srcad.grad(f, wrt=wrt)(*[a.astype(np.float64) for a in args], w.astype(np.float64))
    for g32, g64 in zip(*((got, expected) if isinstance(got, tuple) else ((got,), (expected,)))):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5)


def scaled_by_counts(x, counts):
    return np.sum(counts * np.sin(x)) + np.sum(x[counts])


def test_an_int_array_outside_wrt_flows_through(rng):
    x, counts = rng.standard_normal(4), np.array([0, 3, 3, 1])
    got = srcad.grad(scaled_by_counts)(x, counts)
    assert got.dtype == np.float64
    assert_close(got, counts * np.cos(x) + np.bincount(counts, minlength=4))


def int_in_wrt(n, x):
    return np.sum(n * n * x) + np.sum(np.sin(n))


def test_an_int_array_in_wrt_gets_a_float64_gradient(rng):
    n, x = np.array([1, 2, 3]), rng.standard_normal(3)
    got = srcad.grad(int_in_wrt)(n, x)
    assert got.dtype == np.float64
    assert_close(got, 2.0 * n * x + np.cos(n))


# ---------------------------------------------------------------- ties

def largest(x):
    return np.max(x) + x.max(axis=1).sum()


def test_max_shares_the_gradient_between_ties():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    assert_close(srcad.grad(largest)(x), np.array([[0.0, 1.0, 1.0], [1 / 3, 1 / 3, 1 / 3]]))


# ---------------------------------------------------------------- a two-layer softmax classifier

def mlp_loss(w1, b1, w2, b2, x, y):
    """Mean softmax cross-entropy of a tanh network; `y` one-hot."""
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(y * log_p) / x.shape[0]


def mlp_loss_by_labels(w1, b1, w2, b2, x, labels):
    """The same loss, spelled with methods, a function of ours and integer labels."""
    h = np.tanh(x.dot(w1) + b1)
    logits = h @ w2 + b2
    log_p = logits - log_sum_exp(logits, axis=1, keepdims=True)
    return -log_p[np.arange(x.shape[0]), labels].mean()


def log_sum_exp(a, axis, keepdims):
    top = a.max(axis=axis, keepdims=True)
    return top + np.log(np.exp(a - top).sum(axis=axis, keepdims=keepdims))


def mlp_gradient(w1, b1, w2, b2, x, y):
    """The backpropagation a person would write."""
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d_logits = (p - y) / x.shape[0]
    d_h = d_logits @ w2.T * (1.0 - h * h)
    return x.T @ d_h, d_h.sum(axis=0), h.T @ d_logits, d_logits.sum(axis=0)


def mlp_problem(rng, dtype=np.float64, batch=16, sizes=(30, 16, 10)):
    n_in, n_hidden, n_out = sizes
    params = (rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in), 0.1 * rng.standard_normal(n_hidden),
              rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden), 0.1 * rng.standard_normal(n_out))
    x = rng.standard_normal((batch, n_in))
    labels = rng.integers(0, n_out, batch)
    return tuple(p.astype(dtype) for p in params), x.astype(dtype), labels, np.eye(n_out, dtype=dtype)[labels]


@pytest.mark.parametrize("loss", [mlp_loss, mlp_loss_by_labels])
def test_mlp_gradient_matches_the_hand_written_one(loss, rng):
    params, x, labels, y = mlp_problem(rng)
    target = y if loss is mlp_loss else labels
    got = srcad.grad(loss, wrt=(0, 1, 2, 3))(*params, x, target)
    for ours, theirs in zip(got, mlp_gradient(*params, x, y)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_mlp_in_float32_stays_float32(rng):
    params, x, labels, y = mlp_problem(rng, np.float32)
    got = srcad.grad(mlp_loss, wrt=(0, 1, 2, 3))(*params, x, y)
    expected = mlp_gradient(*(p.astype(np.float64) for p in params), x.astype(np.float64), y.astype(np.float64))
    for ours, theirs in zip(got, expected):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)


def test_mlp_value_and_grad_agrees_with_the_loss(rng):
    params, x, labels, y = mlp_problem(rng)
    value, grads = srcad.value_and_grad(mlp_loss, wrt=(0, 1, 2, 3))(*params, x, y)
    assert value == pytest.approx(mlp_loss(*params, x, y))
    assert len(grads) == 4


def test_logaddexp_gradient_needs_no_exponential_that_overflows():
    f = load_function("import numpy as np\n\ndef f(x, y):\n    return np.sum(np.logaddexp(x, y))\n", "f")
    x, y = np.array([800.0, -800.0, 0.0, 3.0]), np.array([0.0, 0.0, 0.0, np.inf])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        gx, gy = srcad.grad(f, wrt=(0, 1))(x, y)
    assert_close(gx, np.array([1.0, 0.0, 0.5, 0.0]), rtol=1e-15, atol=1e-300)
    assert_close(gy, np.array([0.0, 1.0, 0.5, 1.0]), rtol=1e-15, atol=1e-300)
