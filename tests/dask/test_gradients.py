"""Gradients of numpy functions called on dask arrays: built lazily, computed by dask.

The derivative runs under a scheduler that refuses to compute, so any step that pulls a dask
array into memory fails the test; the lazy gradient is then computed and compared with a
closed form (the logistic loss's gradient written out by hand) and with srcad on the same
values as numpy arrays.
"""
import logging
import multiprocessing
import os

import numpy as np
import pytest

import srcad
from helpers import fd_grad, load_function

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

LOGISTIC = """
import numpy as np

def loss(w, X, y, lam):
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z) / X.shape[0] + lam * np.sum(w * w)
"""


def refuse_to_compute(dsk, keys, **kwargs):
    raise AssertionError("a dask array was computed while the derivative ran")


def never_computed():
    return dask.config.set(scheduler=refuse_to_compute)


@pytest.fixture
def data(rng):
    X = rng.standard_normal((600, 4))
    y = (rng.random(600) > 0.5).astype(float)
    w = rng.standard_normal(4) * 0.3
    return w, X, y, da.from_array(X, chunks=(150, 4)), da.from_array(y, chunks=150)


def by_hand(w, X, y, lam):
    """The logistic loss's gradient in w, written out: X^T (expit(Xw) - y) / n + 2 lam w."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return X.T @ (p - y) / X.shape[0] + 2.0 * lam * w


def test_gradient_on_dask_arrays_is_lazy_and_right(data):
    loss = load_function(LOGISTIC, "loss")
    w, X, y, Xd, yd = data
    with never_computed():
        g = srcad.grad(loss)(w, Xd, yd, 0.1)
    assert isinstance(g, da.Array) and g.shape == w.shape
    np.testing.assert_allclose(g.compute(), by_hand(w, X, y, 0.1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g.compute(), srcad.grad(loss)(w, X, y, 0.1), rtol=1e-12, atol=1e-14)


def test_value_and_gradients_in_several_arguments_stay_lazy(data):
    loss = load_function(LOGISTIC, "loss")
    w, X, y, Xd, yd = data
    with never_computed():
        value, (gw, gX, glam) = srcad.value_and_grad(loss, wrt=(0, 1, 3))(da.from_array(w), Xd, yd, 0.1)
    assert all(isinstance(v, da.Array) for v in (value, gw, gX))
    assert isinstance(glam, da.Array)  # sum(w * w) of a dask w: lazy too
    value, gw, gX, glam = dask.compute(value, gw, gX, glam)
    assert value == pytest.approx(loss(w, X, y, 0.1), rel=1e-12)
    np.testing.assert_allclose(gw, by_hand(w, X, y, 0.1), rtol=1e-12, atol=1e-14)
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    np.testing.assert_allclose(gX, np.outer(p - y, w) / X.shape[0], rtol=1e-12, atol=1e-14)
    assert glam == pytest.approx(float(np.sum(w * w)), rel=1e-12)


def test_jvp_on_dask_arrays_is_lazy(data):
    loss = load_function(LOGISTIC, "loss")
    w, X, y, Xd, yd = data
    v = np.linspace(-1.0, 1.0, 4)
    with never_computed():
        value, tangent = srcad.jvp(loss)(w, Xd, yd, 0.1, v)
    assert isinstance(tangent, da.Array)
    assert float(tangent.compute()) == pytest.approx(float(by_hand(w, X, y, 0.1) @ v), rel=1e-10)


ELEMENTWISE = """
import numpy as np

def f(x, s):
    t = np.tanh(x[:, 0] * s) + np.abs(x).mean(axis=1) ** 2
    u = np.where(t > 0.2, np.exp(-t), np.sqrt(t * t + 1.0))
    return np.sum(np.maximum(u, 0.3) * x[:, 1]) + np.max(x) - np.var(x, axis=0).sum()
"""


def test_indexing_reductions_and_where_on_dask_arrays(rng):
    f = load_function(ELEMENTWISE, "f")
    x = rng.standard_normal((40, 3))
    with never_computed():
        gx, gs = srcad.grad(f, wrt=(0, 1))(da.from_array(x, chunks=(10, 3)), 0.7)
    assert isinstance(gx, da.Array)
    gx, gs = dask.compute(gx, gs)
    np.testing.assert_allclose(gx, fd_grad(f, (x, 0.7), 0), rtol=1e-6, atol=1e-8)
    assert float(gs) == pytest.approx(float(fd_grad(f, (x, 0.7), 1)), rel=1e-6)


BRANCH = """
import numpy as np

def f(x):
    if np.sum(x) > 0:
        return np.sum(x * x)
    return np.sum(np.sin(x))
"""


def test_python_if_on_dask_values_computes_as_in_dask(rng):
    """A Python `if` on an array value is the user's choice: dask computes it, as it would
    without srcad, and the gradient is that branch's."""
    f = load_function(BRANCH, "f")
    x = np.abs(rng.standard_normal(8))
    g = srcad.grad(f)(da.from_array(x, chunks=4))
    np.testing.assert_allclose(np.asarray(g), 2.0 * x, rtol=1e-12)


CUMPROD = """
import numpy as np

def f(x):
    return np.sum(np.cumprod(x))
"""


def test_a_step_that_needs_values_is_refused_naming_it(rng):
    f = load_function(CUMPROD, "f")
    with never_computed(), pytest.raises(srcad.SrcadError, match="needs the values.*np.cumprod"):
        srcad.grad(f)(da.from_array(rng.standard_normal(6), chunks=3))


LINALG = """
import numpy as np

def inv_and_solve(a):
    return np.sum(np.linalg.inv(a) ** 2) + np.sum(np.linalg.solve(a, np.arange(3.0)))

def svd(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum(s ** 3) + np.sum(u ** 2 * np.arange(3.0)) + np.sum(vt ** 2 * np.arange(3.0)[:, None])

def norms(a):
    return np.linalg.norm(a, 2) + np.linalg.norm(a, "nuc") + np.linalg.norm(a[:, 0])

def det(a):
    return np.linalg.det(a)

def slogdet(a):
    return np.linalg.slogdet(a)[1]

def eigh(a):
    w, v = np.linalg.eigh(a)
    return np.sum(w ** 2) + np.sum(v ** 2 * np.arange(3.0))

def pinv(a):
    return np.sum(np.linalg.pinv(a) ** 2)

def cholesky(a):
    return np.sum(np.linalg.cholesky(a))
"""
MATRIX = np.array([[2.0, 0.3, -0.4], [0.5, 1.5, 0.2], [-0.1, 0.6, 3.0]])
SYMMETRIC = MATRIX + MATRIX.T  # eigenvalues 3.2, 3.6, 5.6 or so: apart


def matrix_of(x):
    """x as a dask array of one chunk: square, as dask's LU and Cholesky need."""
    return da.from_array(x, chunks=x.shape)


@pytest.mark.parametrize("name", ["inv_and_solve", "svd", "norms"])
def test_linear_algebra_dask_implements_stays_lazy(name):
    f = load_function(LINALG, name)
    with never_computed():
        g = srcad.grad(f)(matrix_of(MATRIX))
    assert isinstance(g, da.Array)
    np.testing.assert_allclose(g.compute(), fd_grad(f, (MATRIX,), 0), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["det", "slogdet", "eigh", "pinv"])
def test_linear_algebra_dask_lacks_computes_as_in_dask(name):
    """np.linalg.det, slogdet, eigh and pinv have no dask version: numpy computes them (dask
    warns), as it would without srcad, and the gradient is right."""
    f = load_function(LINALG, name)
    x = SYMMETRIC if name == "eigh" else MATRIX
    with pytest.warns(FutureWarning, match="not implemented by Dask"):
        g = srcad.grad(f)(matrix_of(x))
    np.testing.assert_allclose(np.asarray(g), fd_grad(f, (x,), 0), rtol=1e-6, atol=1e-8)


def test_cholesky_of_a_dask_array_is_refused():
    """dask's np.linalg.cholesky returns the upper factor, numpy's the lower one: srcad cannot
    tell which it was given, and says so rather than differentiate the other one."""
    f = load_function(LINALG, "cholesky")
    with never_computed(), pytest.raises(srcad.SrcadError, match="cholesky.*Compute the matrix first"):
        srcad.grad(f)(matrix_of(SYMMETRIC))


HELPERS = """
import numpy as np

def layer(X, w):
    return np.tanh(X @ w) * 2.0

def loss(w, X, s):
    h = layer(X, w)
    return np.sum(h * h) * s + np.mean(X[:, 0] * s) + np.max(np.abs(X)) + np.sum(np.var(X, axis=0))
"""


@pytest.mark.parametrize("chunks", [(11, 3), ((2, 5, 4), (1, 2)), (1, 1)], ids=["one chunk", "uneven", "chunks of 1"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_chunkings_dtypes_and_a_helper_on_dask_arrays(chunks, dtype, rng):
    """A user helper called on dask arrays, a Python float mixed in, float32 data: the gradients
    stay lazy, keep numpy's dtypes and agree with central differences."""
    f = load_function(HELPERS, "loss")
    w, X = rng.standard_normal(3).astype(dtype), rng.standard_normal((11, 3)).astype(dtype)
    with never_computed():
        grads = srcad.grad(f, wrt=(0, 1, 2))(w, da.from_array(X, chunks=chunks), 0.7)
    assert all(isinstance(g, da.Array) for g in grads)
    eager = srcad.grad(f, wrt=(0, 1, 2))(w, X, 0.7)
    computed = dask.compute(*grads)
    assert [g.dtype for g in computed[:2]] == [g.dtype for g in eager[:2]] == [np.dtype(dtype)] * 2
    tolerance = 1e-4 if dtype == np.float32 else 1e-6
    for i, g in enumerate(computed):
        x64 = tuple(np.asarray(v, dtype=float) if np.ndim(v) else v for v in (w, X, 0.7))
        np.testing.assert_allclose(np.asarray(g, dtype=float), fd_grad(f, x64, i), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("scalar", [0.7, np.float64(0.7), "dask"], ids=["float", "np.float64", "0-d dask"])
def test_a_number_mixed_with_dask_arrays_gets_a_lazy_gradient(scalar, rng):
    """A Python float, a numpy scalar, or a 0-d dask array beside a dask array: its gradient
    reads the dask array, so it is a 0-d dask array, computed when asked."""
    f = load_function(HELPERS, "loss")
    w, X = rng.standard_normal(3), rng.standard_normal((11, 3))
    s = da.from_array(np.array(0.7)) if scalar == "dask" else scalar
    with never_computed():
        gs = srcad.grad(f, wrt=2)(w, da.from_array(X, chunks=(4, 3)), s)
    assert isinstance(gs, da.Array) and gs.shape == ()
    assert float(gs.compute()) == pytest.approx(float(fd_grad(f, (w, X, 0.7), 2)), rel=1e-6)


def test_jvp_through_a_helper_on_dask_arrays(rng):
    f = load_function(HELPERS, "loss")
    w, X, v = rng.standard_normal(3), rng.standard_normal((11, 3)), rng.standard_normal((11, 3))
    with never_computed():
        value, tangent = srcad.jvp(f, wrt=1)(w, da.from_array(X, chunks=(4, 2)), 0.7, da.from_array(v, chunks=(4, 2)))
    assert isinstance(value, da.Array) and isinstance(tangent, da.Array)
    assert float(value.compute()) == pytest.approx(f(w, X, 0.7), rel=1e-12)
    assert float(tangent.compute()) == pytest.approx(float(np.sum(fd_grad(f, (w, X, 0.7), 1) * v)), rel=1e-6)


MASKED = """
import numpy as np

def f(x):
    return np.sum(x[x > 0] ** 2)
"""


def test_a_boolean_mask_of_a_dask_array_is_refused_naming_np_where(rng):
    """x[x > 0] of a dask array has a length dask knows only once computed: the cotangent
    cannot be put back lazily, and the refusal says to write np.where instead."""
    f = load_function(MASKED, "f")
    with never_computed(), pytest.raises(srcad.SrcadError, match="boolean mask.*np.where"):
        srcad.grad(f)(da.from_array(rng.standard_normal(8), chunks=3))


@pytest.fixture(scope="module")
def client():
    """A dask.distributed LocalCluster of two worker processes (one thread each), shared by
    the tests of this module. Its workers are forked from this process where the platform can
    fork: they start in about a second, where spawned ones import dask afresh (5 to 10 s)."""
    distributed = pytest.importorskip("distributed")
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with dask.config.set({"distributed.worker.multiprocessing-method": method}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                     silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


def test_the_cluster_computes_in_two_worker_processes(client):
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_the_same_gradient_on_a_distributed_cluster(client, data):
    loss = load_function(LOGISTIC, "loss")
    w, X, y, Xd, yd = data
    g = srcad.grad(loss)(w, Xd, yd, 0.1)
    computed = client.compute(g).result()
    np.testing.assert_allclose(computed, by_hand(w, X, y, 0.1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(computed, srcad.grad(loss)(w, X, y, 0.1), rtol=1e-12, atol=1e-14)


def test_several_gradients_and_a_tangent_on_the_cluster(client, rng):
    """Gradients of indexing, reductions and `np.where` (whose cotangents are built from
    srcad's helpers: sums by a 0/1 matrix, numbers spread over chunks) and a jvp tangent,
    computed together on the workers."""
    f = load_function(ELEMENTWISE, "f")
    x = rng.standard_normal((40, 3))
    v = rng.standard_normal((40, 3))
    xd = da.from_array(x, chunks=(10, 3))
    with never_computed():
        gx, gs = srcad.grad(f, wrt=(0, 1))(xd, 0.7)
        _, tangent = srcad.jvp(f)(xd, 0.7, da.from_array(v, chunks=(10, 3)))
    gx, gs, tangent = client.gather(client.compute([gx, gs, tangent]))
    np.testing.assert_allclose(gx, fd_grad(f, (x, 0.7), 0), rtol=1e-6, atol=1e-8)
    assert float(gs) == pytest.approx(float(fd_grad(f, (x, 0.7), 1)), rel=1e-6)
    assert float(tangent) == pytest.approx(float(np.sum(fd_grad(f, (x, 0.7), 0) * v)), rel=1e-6)
