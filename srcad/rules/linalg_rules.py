"""Derivative rules of numpy's linear algebra, `np.linalg`, for arrays (stacks of matrices too).

The conventions are numpy_rules.py's: `g` the output's cotangent, `ans` the output, then the
call's arguments with numpy's own names and defaults; a forward rule takes one tangent per
leading parameter, then `ans` and the arguments. The helpers they call are in
runtime/linalg.py and runtime/decompositions.py.

Choices where the derivative is not unique: the max-norms, and a repeated largest singular
value, share `g` equally between tied elements (as np.max's rule does). `cholesky` and `eigh`
read one triangle of `a`, as numpy does, so their cotangents lie in that triangle. `eigh` and
`svd` need distinct eigenvalues (singular values) for the vectors' derivatives: at a repeated
one these are nan; the vectors' signs are numpy's. `svd` with full_matrices=True is
differentiated for square matrices only, and `pinv` for full-rank ones (a ValueError
otherwise).
"""
import numpy as np

from .. import runtime as _rt

VJP = {
    np.linalg.norm: lambda g, ans, x, ord=None, axis=None, keepdims=False:
                       _rt.unreduce(g, x, axis, keepdims) * _rt.norm_weights(ans, x, ord, axis, keepdims),
    np.linalg.inv: lambda g, ans, a: -(np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2)),
    np.linalg.solve: lambda g, ans, a, b: (_rt.solve_left(g, ans, a, b), _rt.solve_right(g, ans, a, b)),
    np.linalg.det: lambda g, ans, a: np.expand_dims(g * ans, (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),
    np.linalg.slogdet: lambda g, ans, a:
                       np.expand_dims(_rt.item(g, 1), (-2, -1)) * np.swapaxes(np.linalg.inv(a), -1, -2),
    np.linalg.cholesky: lambda g, ans, a, upper=False: _rt.cholesky_grad(g, ans, upper),
    np.linalg.eigh: lambda g, ans, a, UPLO="L": _rt.eigh_grad(g, ans, UPLO),
    np.linalg.svd: lambda g, ans, a, full_matrices=True, compute_uv=True:
                       _rt.svd_grad(g, ans, a, full_matrices, compute_uv),
    np.linalg.pinv: lambda g, ans, a: _rt.pinv_grad(g, ans, a),
}

JVP = {
    np.linalg.norm: lambda dx, ans, x, ord=None, axis=None, keepdims=False:
                       np.sum(_rt.norm_weights(ans, x, ord, axis, keepdims) * dx, axis=axis, keepdims=keepdims),
    np.linalg.inv: lambda da, ans, a: -(ans @ da @ ans),
    np.linalg.solve: lambda da, db, ans, a, b: _rt.solve_tangent(da, db, ans, a, b),
    np.linalg.det: lambda da, ans, a: ans * np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1),
    np.linalg.slogdet: lambda da, ans, a:
                       (np.zeros_like(ans[0]), np.trace(np.linalg.solve(a, da), axis1=-2, axis2=-1)),
    np.linalg.cholesky: lambda da, ans, a, upper=False: _rt.cholesky_tangent(da, ans, upper),
    np.linalg.eigh: lambda da, ans, a, UPLO="L": _rt.eigh_tangent(da, ans, UPLO),
    np.linalg.svd: lambda da, dfull_matrices, dcompute_uv, ans, a, full_matrices=True, compute_uv=True:
                       _rt.svd_tangent(da, ans, a, full_matrices, compute_uv),
    np.linalg.pinv: lambda da, ans, a: _rt.pinv_tangent(da, ans, a),
}
