"""The derivatives of np.linalg.eigh, np.linalg.svd and np.linalg.pinv (real matrices, stacks
of them too), each cotangent helper followed by its tangent.

Where the derivative does not exist they say so with nan, never with a number: eigenvectors
of a repeated eigenvalue and singular vectors of a repeated singular value are not determined
by the matrix (nor is their order, which numpy sorts by value), so the derivative of any
vector of such a pair is nan whenever the vectors' cotangent or tangent is asked for.
Eigenvalues alone, and singular values alone, have their derivative wherever they are distinct. Signs: numpy (LAPACK) picks each vector's
sign; the derivative is that of the vector numpy returned, moved continuously (unit length
kept), so a function of the vectors should not depend on their signs for finite differences to
agree with it (v[:, i] ** 2, v @ v.T, or a sign fixed by the function itself).
"""
import numpy as np

from .core import divide_where


def _swap(x):
    return np.swapaxes(x, -1, -2)


def _parts(g, n):
    """The cotangents (or tangents) of an `n`-tuple output, None for each one that is zero
    (the reverse sweep's 0.0 for the whole tuple, or for one of its items)."""
    if type(g) is float:
        return (None,) * n
    return tuple(None if type(p) is float and p == 0.0 else p for p in g)


def _gap_inverse(values, x):
    """F o x with F_ij = 1 / (values_j - values_i) off the diagonal, 0 on it; where two values
    are equal the vectors' derivative does not exist: nan."""
    gap = values[..., None, :] - values[..., :, None]
    off = ~np.eye(values.shape[-1], dtype=bool)
    return np.where(off & (gap == 0), np.nan, divide_where(x, gap, off & (gap != 0)))


def _one_triangle(s, upper):
    """The cotangent of the matrix numpy reads one triangle of (eigh's UPLO), from the
    cotangent `s` of the symmetric matrix it stands for: each entry off the diagonal stands
    for two."""
    if upper:
        return np.triu(s) + np.triu(_swap(s), 1)
    return np.tril(s) + np.tril(_swap(s), -1)


def eigh_grad(g, ans, UPLO):
    """The cotangent of `a` in `w, v = np.linalg.eigh(a, UPLO)`: for the symmetric matrix,
    V (diag(gw) + F o (V^T gv)) V^T, F_ij = 1 / (w_j - w_i); then onto the triangle read."""
    w, v = ans
    gw, gv = _parts(g, 2)
    inner = np.zeros(v.shape, v.dtype) if gv is None else _gap_inverse(w, _swap(v) @ gv)
    if gw is not None:
        inner = inner + np.eye(w.shape[-1], dtype=w.dtype) * gw[..., None, :]
    s = v @ inner @ _swap(v)
    return _one_triangle(s, UPLO == "U")


def eigh_tangent(da, ans, UPLO):
    """The tangent of `w, v = np.linalg.eigh(a, UPLO)`: with P = V^T dA V (dA the symmetric
    matrix of the triangle read), dw = diag(P), dv = V (F o P)."""
    w, v = ans
    upper = UPLO == "U"
    sym = (np.triu(da) + _swap(np.triu(da, 1))) if upper else (np.tril(da) + _swap(np.tril(da, -1)))
    p = _swap(v) @ sym @ v
    return np.diagonal(p, axis1=-2, axis2=-1).copy(), v @ _gap_inverse(w, p)


def _factors(ans, a, full_matrices, compute_uv):
    """(U, s, V^T) of the reduced SVD: the output itself, else computed again (compute_uv=False).
    With full_matrices=True only a square matrix is accepted: for any other, the extra singular
    vectors are not determined by the matrix."""
    m, n = np.shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise ValueError("srcad differentiates np.linalg.svd of a non-square matrix with "
                         "full_matrices=False only: the extra singular vectors full_matrices=True "
                         "adds are not determined by the matrix")
    return ans if compute_uv else np.linalg.svd(a, full_matrices=False)


def svd_grad(g, ans, a, full_matrices, compute_uv):
    """The cotangent of `a` in `np.linalg.svd(a, full_matrices, compute_uv)` (Townsend,
    "Differentiating the singular value decomposition", 2016): with F_ij = 1 / (s_j^2 - s_i^2),
    U [(F o (U^T gU - gU^T U)) S + diag(gs) + S (F o (V^T gV - gV^T V))] V^T
    + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)."""
    u, s, vt = _factors(ans, a, full_matrices, compute_uv)
    gu, gs, gvt = _parts(g, 3) if compute_uv else (None, g, None)
    v = _swap(vt)
    inner = np.zeros(np.shape(s) + s.shape[-1:], s.dtype)
    out = 0.0
    if type(gs) is float:  # compute_uv=False: the output s itself is all zero so far
        gs = None
    if gs is not None:
        inner = inner + np.eye(s.shape[-1], dtype=s.dtype) * gs[..., None, :]
    squares = s * s
    if gu is not None:
        ut_gu = _swap(u) @ gu
        inner = inner + _gap_inverse(squares, ut_gu - _swap(ut_gu)) * s[..., None, :]
        out = out + (gu - u @ ut_gu) / s[..., None, :] @ vt
    if gvt is not None:
        gv = _swap(gvt)
        vt_gv = vt @ gv
        inner = inner + s[..., :, None] * _gap_inverse(squares, vt_gv - _swap(vt_gv))
        out = out + (u / s[..., None, :]) @ (_swap(gv) - (_swap(gv) @ v) @ vt)
    return u @ inner @ vt + out


def svd_tangent(da, ans, a, full_matrices, compute_uv):
    """The tangent of `np.linalg.svd(a, full_matrices, compute_uv)`: with P = U^T dA V,
    ds = diag(P), dU = U (F o (P S + S P^T)) + (I - U U^T) dA V S^-1,
    dV = V (F o (S P + P^T S)) + (I - V V^T) dA^T U S^-1, F_ij = 1 / (s_j^2 - s_i^2)."""
    u, s, vt = _factors(ans, a, full_matrices, compute_uv)
    v = _swap(vt)
    p = _swap(u) @ da @ v
    ds = np.diagonal(p, axis1=-2, axis2=-1).copy()
    if not compute_uv:
        return ds
    squares = s * s
    ps = p * s[..., None, :]
    sp = s[..., :, None] * p
    du = u @ _gap_inverse(squares, ps + _swap(ps)) + (da @ v - u @ p) / s[..., None, :]
    dv = v @ _gap_inverse(squares, sp + _swap(sp)) + (_swap(da) @ u - v @ _swap(p)) / s[..., None, :]
    return du, ds, _swap(dv)


def _full_rank(a):
    """Refuse a pinv whose matrix is not of full rank (or is cut to a lower rank by rcond):
    its derivative there is not the one below."""
    m, n = np.shape(a)[-2:]
    if np.any(np.linalg.matrix_rank(a) < min(m, n)):
        raise ValueError("srcad differentiates np.linalg.pinv of full-rank matrices only: the "
                         "pseudo-inverse jumps where the rank changes")


def pinv_grad(g, ans, a):
    """The cotangent of `a` in `ans = np.linalg.pinv(a)` (full rank; A+ = ans):
    -A+^T g A+^T + (I - A A+) g^T A+ A+^T + A+^T A+ g^T (I - A+ A)."""
    _full_rank(a)
    pt, gt = _swap(ans), _swap(g)
    left = gt - a @ (ans @ gt)                       # (I - A A+) g^T
    right = gt - (gt @ ans) @ a                      # g^T (I - A+ A)
    return -(pt @ g @ pt) + left @ (ans @ pt) + (pt @ ans) @ right


def pinv_tangent(da, ans, a):
    """The tangent of `ans = np.linalg.pinv(a)` (full rank):
    -A+ dA A+ + A+ A+^T dA^T (I - A A+) + (I - A+ A) dA^T A+^T A+."""
    _full_rank(a)
    pt, dat = _swap(ans), _swap(da)
    return (-(ans @ da @ ans) + (ans @ pt) @ (dat - (dat @ a) @ ans)
            + (dat - ans @ (a @ dat)) @ (pt @ ans))


def _tangent_parts(d, like, n):
    """The tangents of an `n`-tuple (or its cotangent), zeros where forward mode passed 0.0."""
    parts = _parts(d, n)
    return tuple(np.zeros(np.shape(x)) if p is None else p for p, x in zip(parts, like))


def _dense(d, like):
    """A tangent as an array: zeros of `like`'s shape where forward mode passed 0.0."""
    return np.zeros(np.shape(like)) if type(d) is float else d


def _gap_inverse_tangent(values, dvalues, x, dx):
    """The tangent of `_gap_inverse(values, x)`: F o dx + dF o x, dF_ij = -(dv_j - dv_i) F_ij^2."""
    f = _gap_inverse(values, np.ones(np.shape(x)))
    dgap = dvalues[..., None, :] - dvalues[..., :, None]
    return f * dx - dgap * f * f * x


def eigh_grad_tangent(dg, dpair, g, pair, UPLO):
    """The tangent of `eigh_grad(g, pair, UPLO)` = V M V^T (onto the triangle read), with
    M = diag(gw) + F o (V^T gv): dV M V^T + V dM V^T + V M dV^T,
    dM = diag(dgw) + dF o X + F o (dV^T gv + V^T dgv), X = V^T gv."""
    w, v = pair
    dw, dv = _tangent_parts(dpair, pair, 2)
    zeros = (np.zeros(np.shape(w)), np.zeros(np.shape(v)))
    gw, gv = (zeros if type(g) is float else _tangent_parts(g, pair, 2))
    dgw, dgv = (zeros if type(dg) is float else _tangent_parts(dg, pair, 2))
    x = _swap(v) @ gv
    m = _gap_inverse(w, x) + np.eye(w.shape[-1]) * gw[..., None, :]
    dm = (_gap_inverse_tangent(w, dw, x, _swap(dv) @ gv + _swap(v) @ dgv)
          + np.eye(w.shape[-1]) * dgw[..., None, :])
    ds = dv @ m @ _swap(v) + v @ dm @ _swap(v) + v @ m @ _swap(dv)
    return _one_triangle(ds, UPLO == "U")


def pinv_grad_tangent(dg, dp, da, g, p, a):
    """The tangent of `pinv_grad(g, p, a)` (p = pinv(a)), term by term by the product rule."""
    dg, dp, da = _dense(dg, g), _dense(dp, p), _dense(da, a)
    pt, gt, dpt, dgt = _swap(p), _swap(g), _swap(dp), _swap(dg)
    left = gt - a @ (p @ gt)
    dleft = dgt - da @ (p @ gt) - a @ (dp @ gt) - a @ (p @ dgt)
    right = gt - (gt @ p) @ a
    dright = dgt - (dgt @ p) @ a - (gt @ dp) @ a - (gt @ p) @ da
    return (-(dpt @ g @ pt + pt @ dg @ pt + pt @ g @ dpt)
            + dleft @ (p @ pt) + left @ (dp @ pt + p @ dpt)
            + (dpt @ p + pt @ dp) @ right + (pt @ p) @ dright)


def svd_grad_tangent(dg, dans, da, g, ans, a, full_matrices, compute_uv):
    """The tangent of `svd_grad(g, ans, a, full_matrices, compute_uv)`, term by term by the
    product rule (the factors' tangents are svd_tangent's, recomputed where compute_uv=False)."""
    u, s, vt = _factors(ans, a, full_matrices, compute_uv)
    if compute_uv:
        du, ds, dvt = _tangent_parts(dans, ans, 3)
    else:
        du, ds, dvt = svd_tangent(_dense(da, a), (u, s, vt), a, False, True)
    zeros = tuple(np.zeros(np.shape(x)) for x in (u, s, vt))
    if compute_uv:
        gu, gs, gvt = zeros if type(g) is float else _tangent_parts(g, (u, s, vt), 3)
        dgu, dgs, dgvt = zeros if type(dg) is float else _tangent_parts(dg, (u, s, vt), 3)
    else:
        gu, gvt, dgu, dgvt = zeros[0], zeros[2], zeros[0], zeros[2]
        gs = zeros[1] if type(g) is float else g
        dgs = zeros[1] if type(dg) is float else dg
    eye = np.eye(s.shape[-1])
    squares, dsquares = s * s, 2.0 * s * ds
    x = _swap(u) @ gu - _swap(gu) @ u
    dx = (_swap(du) @ gu + _swap(u) @ dgu) - (_swap(dgu) @ u + _swap(gu) @ du)
    y = vt @ _swap(gvt) - gvt @ _swap(vt)
    dy = (dvt @ _swap(gvt) + vt @ _swap(dgvt)) - (dgvt @ _swap(vt) + gvt @ _swap(dvt))
    fx, fy = _gap_inverse(squares, x), _gap_inverse(squares, y)
    dfx, dfy = _gap_inverse_tangent(squares, dsquares, x, dx), _gap_inverse_tangent(squares, dsquares, y, dy)
    inner = eye * gs[..., None, :] + fx * s[..., None, :] + s[..., :, None] * fy
    dinner = (eye * dgs[..., None, :] + dfx * s[..., None, :] + fx * ds[..., None, :]
              + ds[..., :, None] * fy + s[..., :, None] * dfy)
    # (I - U U^T) gU S^-1 V^T and U S^-1 gV^T (I - V V^T)
    left = (gu - u @ (_swap(u) @ gu)) / s[..., None, :]
    dleft = ((dgu - du @ (_swap(u) @ gu) - u @ (_swap(du) @ gu) - u @ (_swap(u) @ dgu)) / s[..., None, :]
             - left * (ds / s)[..., None, :])
    right = (gvt - (gvt @ _swap(vt)) @ vt) / s[..., :, None]
    dright = ((dgvt - (dgvt @ _swap(vt)) @ vt - (gvt @ _swap(dvt)) @ vt - (gvt @ _swap(vt)) @ dvt)
              / s[..., :, None] - right * (ds / s)[..., :, None])
    return (du @ inner @ vt + u @ dinner @ vt + u @ inner @ dvt
            + dleft @ vt + left @ dvt + du @ right + u @ dright)
