"""The forward rules of srcad's runtime helpers (srcad/rules/runtime_rules.py), end to end.

`srcad.hessian(f)` runs forward mode through the gradient srcad generated for `f`, and so
through the helpers its reverse rules call. Here, for each helper whose rule is not simply the
helper applied to tangents, one function reaching it: its Hessian against 5-point central
differences of `srcad.grad(f)` (one column per element of `x`; O(h**4), so rtol 1e-6).
tests/rules/test_rules.py checks each rule on its own; this checks that the generated code
calls them as they expect, including where they take another path: zeros in `np.prod` and
`np.cumprod`, the max-norms' weights, which find the maxima by comparing with the norm.
"""
import numpy as np
import pytest

try:  # scipy is optional (CI installs the test extra only): its case is skipped without it
    import scipy.special
except ModuleNotFoundError:
    scipy = None

import srcad
from helpers import assert_close, fd_directional


def fd_hessian(f, x):
    """The Jacobian of `srcad.grad(f)` at `x` by differences, shaped `x.shape + x.shape`."""
    grad = srcad.grad(f)
    units = np.eye(x.size).reshape((x.size,) + x.shape)
    columns = [fd_directional(grad, (x,), (0,), (unit,)) for unit in units]
    return np.stack(columns, axis=-1).reshape(x.shape + x.shape)


X = np.array([0.7, -1.3, 0.4, 1.1, -0.6, 0.9])


def prod_all(x):                                     # prod_others
    return np.prod(x)


def prod_rows(x):
    return np.sum(np.prod(np.reshape(x, (2, 3)), axis=1) ** 2)


def norms(x):                                        # norm_weights: the smooth ones
    m = np.reshape(x, (2, 3))
    return np.linalg.norm(x) + np.linalg.norm(x, 3) + np.sum(np.linalg.norm(m, axis=0))


def matrix_norms(x):                                 # norm_weights: by the singular vectors
    m = np.reshape(x, (2, 3))
    return np.linalg.norm(m, "nuc") + np.linalg.norm(m, 2) ** 2 + np.linalg.norm(m.T, -2)


def max_norms(x):                                    # norm_weights: piecewise linear
    return np.linalg.norm(x, np.inf) * np.linalg.norm(x, 1) + np.linalg.norm(np.reshape(x, (2, 3)), np.inf)


def cumulative_product(x):                           # uncumprod
    return np.sum(np.cumprod(x) * np.cos(x))


def cholesky_sum(x):                                 # cholesky_grad
    m = np.reshape(x, (2, 3))
    a = m.T @ m + np.eye(3)
    return np.sum(np.linalg.cholesky(a) * np.sin(a)) + np.sum(np.linalg.cholesky(a, upper=True) ** 2)


def solve_both(x):                                   # solve_left, solve_right
    a = np.outer(x[:3], x[3:]) + 3.0 * np.eye(3)
    return np.sum(np.linalg.solve(a, x[3:]) ** 2) + np.sum(np.linalg.solve(a, np.reshape(x, (3, 2))))


def einsum_products(x):                              # einsum_grad
    m = np.reshape(x, (2, 3))
    return np.einsum("ij,j,ij->", m, np.sin(x[:3]), m) + np.einsum("ij,kj->", m, np.exp(m))


def logsumexp_with_weights(x):                       # logsumexp_weights
    a = np.reshape(x, (3, 2))
    return scipy.special.logsumexp(x) + np.sum(scipy.special.logsumexp(a, axis=0, b=np.exp(0.3 * a)))


def write_into_arrays(x):                           # saved, zero_at
    y = np.zeros(3)
    y[0] = x[1] * x[2]
    z = x * 1.0
    z[1] = y[0] * z[2]
    return np.sum(y * y) + np.sum(z ** 3)


def eigh_parts(x):                                   # eigh_grad
    m = np.reshape(x, (2, 3))
    w, v = np.linalg.eigh(np.diag([1.0, 3.0, 5.0]) + 0.3 * (m.T @ m))
    return np.sum(w * np.array([1.0, -2.0, 0.5])) + np.sum(v ** 2 * np.reshape(np.arange(9.0), (3, 3)))


def svd_parts(x):                                    # svd_grad
    m = np.reshape(x, (2, 3)) + np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    u, s, vt = np.linalg.svd(m, full_matrices=False)
    return np.sum(s ** 3) + np.sum(u ** 2 * np.array([1.0, 2.0])) + np.sum(vt ** 2 * np.arange(3.0)) \
        + np.sum(np.linalg.svd(m, compute_uv=False) ** 2)


def pinv_squares(x):                                 # pinv_grad
    p = np.linalg.pinv(np.reshape(x, (3, 2)) + np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]))
    return np.sum(p ** 2) + np.sum(np.sin(p))


def linspace_cubes(x):                               # unlinspace
    return np.sum(np.linspace(x[0], x[1], 5) ** 3) + np.sum(np.linspace(x[2:4], x[4], 3, axis=1) ** 2)


CASES = [
    (prod_all, X), (prod_all, np.array([0.7, 0.0, 0.4, 1.1, -0.6, 0.9])),
    (prod_all, np.array([0.7, 0.0, 0.4, 0.0, -0.6, 0.9])), (prod_rows, X),
    (norms, X), (matrix_norms, X), (max_norms, X),
    (cumulative_product, X), (cumulative_product, np.array([0.7, -1.3, 0.0, 1.1, -0.6, 0.9])),
    (cholesky_sum, X), (solve_both, X), (einsum_products, X),
    pytest.param(logsumexp_with_weights, X, marks=pytest.mark.skipif(scipy is None, reason="no scipy")),
    (write_into_arrays, X),
    (eigh_parts, X), (svd_parts, X), (pinv_squares, X), (linspace_cubes, X),
]


@pytest.mark.parametrize("f, x", CASES, ids=[
    f"{(c.values if hasattr(c, 'values') else c)[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_hessian_through_the_helpers_matches_differences_of_the_gradient(f, x):
    assert_close(srcad.hessian(f)(x), fd_hessian(f, x), rtol=1e-6, atol=1e-8)
