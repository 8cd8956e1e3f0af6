"""The longer math of linear algebra: matmul, np.linalg.solve, cholesky and norm; each
cotangent helper followed by its tangent (forward mode over generated gradients)."""
import numpy as np

from ..errors import SrcadError
from .core import array_of, divide_where, float_dtype, is_foreign, is_zero, tangent_or_zeros, unbroadcast, unreduce
from .scalars import abs_slope, inverse_or_zero


def _swap(x):
    return np.swapaxes(x, -1, -2)


def matmul_left(g, a, b):
    """Cotangent of `a` in `a @ b` (numpy's matmul rules: vectors promoted, batches broadcast;
    also `np.dot` of up to 2-d operands)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2:
        if b.ndim == 1:
            return g[:, None] * b      # matrix @ vector: the outer product
        if b.ndim == 2:
            return g @ b.T             # matrix @ matrix
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    full = _matmul_cotangent(g, a, b)
    left = full @ np.swapaxes(_as_matrix(b, column=True), -1, -2)
    if np.ndim(a) == 1:
        left = left[..., 0, :]
    return unbroadcast(left, a)


def matmul_right(g, a, b):
    """Cotangent of `b` in `a @ b` (see matmul_left)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim in (1, 2):
        return a.T @ g                 # matrix @ vector or matrix
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    full = _matmul_cotangent(g, a, b)
    right = np.swapaxes(_as_matrix(a, column=False), -1, -2) @ full
    if np.ndim(b) == 1:
        right = right[..., 0]
    return unbroadcast(right, b)


def _as_matrix(x, column):
    """A 1-d operand of matmul as the matrix numpy makes of it: a row on the left, a column
    on the right."""
    if np.ndim(x) != 1:
        return x
    return x[:, None] if column else x[None, :]


def _matmul_cotangent(g, a, b):
    """The output cotangent with the axes numpy dropped for 1-d operands put back."""
    g = array_of(g)
    if np.ndim(b) == 1:
        g = g[..., None]
    if np.ndim(a) == 1:
        g = np.expand_dims(g, -2)
    return g


def solve_right(g, ans, a, b):
    """The cotangent of `b` in `ans = np.linalg.solve(a, b)`: solve(a^T, g)."""
    return unbroadcast(_solve(_swap(a), g, b), b)


def solve_right_tangent(dg, da, g, a, b):
    """The tangent of `solve_right(g, ans, a, b)` (which does not read `ans`)."""
    return unbroadcast(_solve_cotangent_tangent(dg, da, g, a, b)[1], b)


def solve_left(g, ans, a, b):
    """The cotangent of `a` in `ans = np.linalg.solve(a, b)`: -solve(a^T, g) ans^T."""
    gb = _solve(_swap(a), g, b)
    ga = -gb[..., :, None] * ans[..., None, :] if np.ndim(b) == 1 else -(gb @ _swap(ans))
    return unbroadcast(ga, a)


def solve_left_tangent(dg, dans, da, g, ans, a, b):
    """The tangent of `solve_left(g, ans, a, b)` = -gb ans^T: -(dgb ans^T + gb dans^T)."""
    gb, dgb = _solve_cotangent_tangent(dg, da, g, a, b)
    dans = tangent_or_zeros(dans, ans)
    if np.ndim(b) == 1:
        dga = -(dgb[..., :, None] * ans[..., None, :] + gb[..., :, None] * dans[..., None, :])
    else:
        dga = -(dgb @ _swap(ans) + gb @ _swap(dans))
    return unbroadcast(dga, a)


def _solve_cotangent_tangent(dg, da, g, a, b):
    """gb = solve(a^T, g), the cotangent of b in solve(a, b), and its tangent
    solve(a^T, dg - da^T gb)."""
    gb = _solve(_swap(a), g, b)
    if is_zero(dg) and is_zero(da):
        return gb, np.zeros_like(gb)
    rhs = 0.0 if is_zero(dg) else dg
    if not is_zero(da):
        rhs = rhs - ((_swap(da) @ gb[..., None])[..., 0] if np.ndim(b) == 1 else _swap(da) @ gb)
    return gb, _solve(_swap(a), rhs, b)


def solve_tangent(da, db, ans, a, b):
    """The tangent of `ans = np.linalg.solve(a, b)`: solve(a, db - da ans)."""
    rhs = 0.0 if is_zero(db) else db
    if not is_zero(da):
        rhs = rhs - ((da @ ans[..., None])[..., 0] if np.ndim(b) == 1 else da @ ans)
    return _solve(a, rhs, b)


def _solve(a, rhs, b):
    """np.linalg.solve(a, rhs) for a right-hand side shaped like `b` (or like the result)."""
    if np.ndim(b) == 1:
        return np.linalg.solve(a, array_of(rhs)[..., None])[..., 0]
    return np.linalg.solve(a, rhs)


def _phi(x):
    """The lower triangle of `x` with its diagonal halved."""
    return np.tril(x) - 0.5 * x * np.eye(x.shape[-1], dtype=x.dtype)


def _numpy_factor(L):
    """Refuse a Cholesky factor of another library: dask's np.linalg.cholesky returns the upper
    triangular factor where numpy's returns the lower one (and takes no `upper=`), so the
    factor's type does not tell which triangle it is, and a derivative taken for the other one
    would be silently wrong."""
    if is_foreign(L):
        raise SrcadError(
            f"srcad cannot differentiate np.linalg.cholesky of a {type(L).__module__}.{type(L).__name__}: "
            "another library's cholesky may return the upper triangular factor where numpy's returns the "
            "lower one (dask's does), so srcad cannot tell which factor it was given. Compute the matrix "
            "first and pass a numpy array there (a.compute())")


def cholesky_grad(g, ans, upper):
    """The cotangent of `a` in `ans = np.linalg.cholesky(a, upper=upper)`. numpy reads one
    triangle of `a` (the lower one, or the upper one for upper=True), so the cotangent lies
    in that triangle: exact for any `a`, and for a symmetric `a` it sums to the usual one."""
    _numpy_factor(ans)
    L, gL = (_swap(ans), _swap(g)) if upper else (ans, g)
    p = _phi(_swap(L) @ gL)
    s = _swap(np.linalg.solve(_swap(L), _swap(np.linalg.solve(_swap(L), p))))  # L^-T p L^-1
    lower = np.tril(s) + np.tril(_swap(s), -1)
    return _swap(lower) if upper else lower


def cholesky_grad_tangent(dg, dans, g, ans, upper):
    """The tangent of `cholesky_grad(g, ans, upper)`: with s = L^-T phi(L^T gL) L^-1,
    ds = L^-T dphi L^-1 - L^-T dL^T s - s dL L^-1 (d L^-1 = -L^-1 dL L^-1)."""
    dg, dans = tangent_or_zeros(dg, g), tangent_or_zeros(dans, ans)
    L, gL, dL, dgL = (_swap(v) for v in (ans, g, dans, dg)) if upper else (ans, g, dans, dg)
    s = _cholesky_sandwich(L, _phi(_swap(L) @ gL))
    dp = _phi(_swap(dL) @ gL + _swap(L) @ dgL)
    ds = (_cholesky_sandwich(L, dp) - np.linalg.solve(_swap(L), _swap(dL) @ s)
          - _swap(np.linalg.solve(_swap(L), _swap(dL) @ _swap(s))))
    lower = np.tril(ds) + np.tril(_swap(ds), -1)
    return _swap(lower) if upper else lower


def _cholesky_sandwich(L, p):
    """L^-T p L^-1."""
    return _swap(np.linalg.solve(_swap(L), _swap(np.linalg.solve(_swap(L), p))))


def cholesky_tangent(da, ans, upper):
    """The tangent of `ans = np.linalg.cholesky(a, upper=upper)`: L phi(L^-1 dA L^-T)."""
    _numpy_factor(ans)
    L, da = (_swap(ans), _swap(da)) if upper else (ans, da)
    sym = np.tril(da) + _swap(np.tril(da, -1))
    x = _swap(np.linalg.solve(L, _swap(np.linalg.solve(L, sym))))  # L^-1 dA L^-T
    dl = L @ _phi(x)
    return _swap(dl) if upper else dl


def norm_weights(ans, x, ord, axis, keepdims):
    """d np.linalg.norm(x, ord, axis) / dx, an array of x's shape: the cotangent is
    `unreduce(g, x, axis, keepdims) * weights`, the tangent `sum(weights * dx, axis)`.
    Ties (of max-norms, of the largest singular value) share the derivative equally."""
    if type(x) is float or type(x) is int:
        return abs_slope(x)
    x = array_of(x)
    n = unreduce(ans, x, axis, keepdims)
    matrix = (axis is None and ord is not None and x.ndim == 2) or np.ndim(axis) == 1 and len(axis) == 2
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        return x / n
    if not matrix:
        if ord == 0:
            return np.zeros_like(x)
        if ord == 1:
            return abs_slope(x)  # 1 at 0, as abs's derivative (JAX's)
        if ord in (np.inf, -np.inf):
            at = np.abs(x) == n
            return np.sign(x) * at / np.sum(at, axis=axis, keepdims=True).astype(float_dtype(x))
        return np.sign(x) * (np.abs(x) / n) ** (ord - 1)
    rows, cols = (0, 1) if axis is None else axis
    if ord in ("nuc", 2, -2):
        u, s, vt = np.linalg.svd(np.moveaxis(x, (rows, cols), (-2, -1)), full_matrices=False)
        if ord == "nuc":
            w = u @ vt
        else:
            k = 0 if ord == 2 else -1
            at = s == s[..., k:k + 1 if k == 0 else None]
            share = at / np.sum(at, axis=-1, keepdims=True).astype(s.dtype)
            w = (u * share[..., None, :]) @ vt
        return np.moveaxis(w, (-2, -1), (rows, cols))
    if ord in (1, -1, np.inf, -np.inf):  # the largest (smallest) column (row) sum of |x|
        summed, across = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = np.sum(np.abs(x), axis=summed, keepdims=True)
        best = np.max(sums, axis=across, keepdims=True) if ord > 0 else np.min(sums, axis=across, keepdims=True)
        at = sums == best
        return np.sign(x) * at / np.sum(at, axis=across, keepdims=True).astype(float_dtype(x))
    raise ValueError(f"srcad has no derivative of np.linalg.norm with ord={ord!r}")


def norm_weights_tangent(dans, dx, ans, x, ord, axis, keepdims):
    """The tangent of `norm_weights(ans, x, ord, axis, keepdims)`: zero for the piecewise
    constant weights (ord 0, 1, inf and the matrix max-norms), by the singular vectors' own
    derivatives for the matrix 2-norms and the nuclear norm."""
    if type(x) is float or type(x) is int:
        return 0.0
    x = array_of(x)
    dx = np.broadcast_to(tangent_or_zeros(dx, x), x.shape)
    dn = 0.0 if is_zero(dans) else unreduce(dans, x, axis, keepdims)
    n = unreduce(ans, x, axis, keepdims)
    matrix = (axis is None and ord is not None and x.ndim == 2) or np.ndim(axis) == 1 and len(axis) == 2
    if ord is None or ord == "fro" or (ord == 2 and not matrix):  # x / n
        return (dx - x / n * dn) / n
    if not matrix:  # sign(x) r^(p-1), r = |x| / n
        if ord in (0, 1, np.inf, -np.inf):
            return np.zeros(x.shape, float_dtype(x))
        r = np.abs(x) / n
        return (ord - 1) * r ** (ord - 2) * (dx - np.sign(x) * r * dn) / n
    if ord not in ("nuc", 2, -2):
        return np.zeros(x.shape, float_dtype(x))
    rows, cols = (0, 1) if axis is None else axis
    x, dx = (np.moveaxis(v, (rows, cols), (-2, -1)) for v in (x, dx))
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    dw = _polar_tangent(u, s, vt, dx) if ord == "nuc" else _singular_pair_tangent(u, s, vt, dx, ord)
    return np.moveaxis(dw, (-2, -1), (rows, cols))


def _projected_terms(u, s, vt, dx):
    """(I - U U^T) dX V S^-1 and S^-1 U^T dX (I - V V^T): the parts of dX outside the
    singular subspaces, which move the singular vectors of a rectangular matrix."""
    v, inv = _swap(vt), inverse_or_zero(s)
    left = dx @ v * inv[..., None, :]
    right = inv[..., :, None] * (_swap(u) @ dx)
    return left - u @ (_swap(u) @ left), right - (right @ v) @ vt


def _polar_tangent(u, s, vt, dx):
    """The tangent of U V^T (the weights of the nuclear norm): U Omega V^T plus the parts
    outside the singular subspaces, Omega_ij = (F_ij - F_ji) / (s_i + s_j), F = U^T dX V."""
    f = _swap(u) @ dx @ _swap(vt)
    total = s[..., :, None] + s[..., None, :]
    omega = divide_where(f - _swap(f), total, total != 0)
    left, right = _projected_terms(u, s, vt, dx)
    return u @ omega @ vt + left @ vt + u @ right


def _singular_pair_tangent(u, s, vt, dx, ord):
    """The tangent of the weights of the matrix 2-norm (ord 2) or -2: u_k v_k^T for the
    largest (smallest) singular value, shared between ties as norm_weights shares them.
    dU = U (E o (F S + S F^T)) + ..., dV = V (E o (S F + F^T S)) + ..., E_ij = 1/(s_j^2 - s_i^2)
    (Townsend, "Differentiating the singular value decomposition", 2016)."""
    k = 0 if ord == 2 else -1
    at = s == s[..., k:k + 1 if k == 0 else None]
    share = at / np.sum(at, axis=-1, keepdims=True).astype(s.dtype)
    f = _swap(u) @ dx @ _swap(vt)
    gap = s[..., None, :] ** 2 - s[..., :, None] ** 2
    e = divide_where(1.0, gap, gap != 0)
    sf = s[..., :, None] * f
    fs = f * s[..., None, :]
    left, right = _projected_terms(u, s, vt, dx)
    du = u @ (e * (fs + _swap(fs))) + left
    dvt = _swap(e * (sf + _swap(sf))) @ vt + right
    return (du * share[..., None, :]) @ vt + (u * share[..., None, :]) @ dvt
