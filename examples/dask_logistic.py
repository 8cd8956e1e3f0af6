"""Logistic regression on a dask array, trained by gradient descent on a dask.distributed cluster.

`loss` is plain numpy. Called on dask arrays, numpy hands each of its functions to dask
(`__array_function__`, `__array_ufunc__`), and so does the derivative srcad generates from it:
`srcad.grad(loss)(w, X, y, lam)` returns a lazy dask array, a graph of chunk-sized numpy
operations that the cluster's workers compute when asked (`.compute()`). Nothing is gathered
into one process: the data stay in the workers' memory, chunk by chunk.

    python examples/dask_logistic.py              # a LocalCluster of 2 worker processes
    python examples/dask_logistic.py --threads    # 2 worker threads (starts faster)

It prints the cluster's dashboard address (open it while it trains to watch the tasks), the
derivative srcad runs, the loss at each step, and checks the last gradient against central
differences of the loss, computed on the cluster too. Needs `pip install srcad[dask]`.
"""
import sys

import dask.array as da
import numpy as np
from dask.distributed import Client, LocalCluster

import srcad

FEATURES, LAM, RATE = 20, 1e-3, 10.0


def loss(w, X, y, lam):
    """The mean logistic loss of a linear model, plus an L2 penalty."""
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z) / X.shape[0] + lam * np.sum(w * w)


def make_data(rows, chunks):
    """Features in [-0.5, 0.5) and labels drawn from a known logistic model, as dask arrays."""
    rng = da.random.default_rng(0)
    X = rng.random((rows, FEATURES), chunks=(chunks, FEATURES)) - 0.5
    true_w = np.linspace(-3.0, 3.0, FEATURES)
    p = 1.0 / (1.0 + np.exp(-(X @ true_w)))
    y = (rng.random(rows, chunks=chunks) < p).astype(float)
    return X, y


def train(client, X, y, steps):
    grad_loss = srcad.grad(loss)
    w = np.zeros(FEATURES)
    for step in range(steps):
        g = grad_loss(w, X, y, LAM)          # a lazy dask array: nothing computed yet
        value, g = client.compute([loss(w, X, y, LAM), g], sync=True)   # on the workers
        print(f"step {step}: loss {value:.6f}")
        w = w - RATE * g
    return w, g


def check_gradient(client, w, g, X, y):
    """<g, v> against a central difference of the loss along a random direction v."""
    v = np.random.default_rng(1).standard_normal(FEATURES)
    h = 1e-4
    up, down = client.compute([loss(w + h * v, X, y, LAM), loss(w - h * v, X, y, LAM)], sync=True)
    difference = (up - down) / (2.0 * h)
    assert abs(difference - g @ v) <= 1e-6 * max(1.0, abs(difference)), (difference, g @ v)
    print(f"gradient check passed: <grad, v> = {g @ v:.9f}, central difference {difference:.9f}")


def main(processes=True, rows=400_000, chunks=50_000, steps=5):
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        print(f"dask dashboard: {client.dashboard_link}")
        X, y = make_data(rows, chunks)
        X, y = client.persist([X, y])   # generated once, kept in the workers' memory
        print(srcad.source(loss, of="grad"))
        w, g = train(client, X, y, steps)
        print("w =", np.round(w, 2))
        # the gradient at the last step's w, which the check is about
        g = client.compute(srcad.grad(loss)(w, X, y, LAM), sync=True)
        check_gradient(client, w, g, X, y)


if __name__ == "__main__":
    main(processes="--threads" not in sys.argv)
