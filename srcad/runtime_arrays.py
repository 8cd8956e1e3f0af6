"""The longer math of the numpy and scipy rule tables (srcad/rules/numpy_rules.py and
scipy_rules.py), and its tangents for forward mode over generated gradients.

Generated code reaches these through `srcad.runtime` (as `_rt`), which re-exports them.
Cotangent helpers return their operand's exact shape (a float for a Python number) and keep its
float dtype: float32 in, float32 out.
"""
import numpy as np

from .runtime import abs_slope, inverse_or_zero, real_float, reduced_size, unbroadcast, unreduce

def shaped_like(out, a, order="C"):
    """`out` reshaped (in `order`) to the shape of operand `a`: a float where `a` is a Python
    number. A single value for a larger `a` is the reverse sweep's 0.0 (an adjoint still all
    zero, through any elementwise steps): zeros of `a`'s shape."""
    if type(a) is float or type(a) is int:
        return real_float(np.sum(out))
    if np.size(out) == 1 and np.size(a) != 1:
        return np.full(np.shape(a), np.reshape(out, ()))
    return np.reshape(out, np.shape(a), order=order)


def _float_dtype(*xs):
    """The dtype of cotangents of `xs`: their common float dtype, else float64."""
    dtype = np.result_type(*xs)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def _is_zero(d):
    """Whether a tangent is the plain 0.0 forward mode passes for a constant operand."""
    return d is None or (type(d) is float and d == 0.0)


def _swap(x):
    return np.swapaxes(x, -1, -2)


def _reduced_axes(axis, ndim):
    """`axis` of a reduction (None, an int or a tuple; negatives allowed) as a sorted tuple."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(ax) % ndim for ax in axes))


def prod_others(a, axis):
    """For each element of `a`, the product of the others `np.prod(a, axis)` multiplies it with:
    exact where `a` holds zeros (no division)."""
    if type(a) is float or type(a) is int:
        return 1.0
    a = np.asarray(a)
    axes = _reduced_axes(axis, a.ndim)
    kept = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, kept + list(axes))
    flat = np.reshape(moved, moved.shape[:len(kept)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], -1), -1), -1)
    return np.transpose(np.reshape(left * right, moved.shape), np.argsort(kept + list(axes)))


def extremum_weights(ans, a, axis, keepdims):
    """The weight of each element of `a` in its max or min `ans` over `axis`: 1 where it is
    the extremum, shared equally between ties, 0 elsewhere."""
    if type(a) is float or type(a) is int:
        return 1.0
    at = np.asarray(a) == unreduce(ans, a, axis, keepdims)
    return at / np.sum(at, axis=axis, keepdims=True).astype(_float_dtype(a))


def variance_grad(a, axis, ddof):
    """d np.var(a, axis, ddof=ddof) / da, elementwise: 2 (a - mean) / (n - ddof)."""
    centred = a - np.mean(a, axis=axis, keepdims=True)
    return centred * (2.0 / (reduced_size(a, axis) - ddof))


def uncumsum(g, a, axis):
    """The cotangent of `a` in `np.cumsum(a, axis)`: the sums of `g` from each position on."""
    if axis is None:
        return shaped_like(np.flip(np.cumsum(np.flip(np.ravel(g)))), a)
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def uncumprod(g, ans, a, axis):
    """The cotangent of `a` in `ans = np.cumprod(a, axis)`; exact where `a` holds zeros."""
    if axis is None:
        g, ans, a_, axis = np.ravel(g), np.ravel(ans), np.ravel(a), 0
    else:
        a_ = np.asarray(a)
    if np.all(a_ != 0):
        return shaped_like(np.flip(np.cumsum(np.flip(g * ans, axis), axis), axis) / a_, a)
    # ans[i] = ans[i-1] * a[i] backwards: carry[i] = g[i] + carry[i+1] * a[i+1]
    g, ans, a_ = (np.moveaxis(np.asarray(v), axis, 0) for v in (g, ans, a_))
    out = np.zeros(a_.shape, _float_dtype(g, a_))
    carry = 0.0
    for i in reversed(range(len(a_))):
        carry = g[i] + (carry * a_[i + 1] if i + 1 < len(a_) else 0.0)
        out[i] = carry * ans[i - 1] if i > 0 else carry
    return shaped_like(np.moveaxis(out, 0, axis), a)


def cumprod_tangent(da, ans, a, axis):
    """The tangent of `ans = np.cumprod(a, axis)`; exact where `a` holds zeros."""
    if axis is None:
        da, ans, a, axis = np.ravel(da), np.ravel(ans), np.ravel(a), 0
    if np.all(np.asarray(a) != 0):
        return ans * np.cumsum(da / a, axis)
    # d ans[i] = d ans[i-1] * a[i] + ans[i-1] * da[i]
    da, ans, a = (np.moveaxis(np.asarray(v), axis, 0) for v in (da, ans, a))
    out = np.zeros(ans.shape, _float_dtype(da, a))
    out[0] = da[0]
    for i in range(1, len(a)):
        out[i] = out[i - 1] * a[i] + ans[i - 1] * da[i]
    return np.moveaxis(out, 0, axis)


def norm_weights(ans, x, ord, axis, keepdims):
    """d np.linalg.norm(x, ord, axis) / dx, an array of x's shape: the cotangent is
    `unreduce(g, x, axis, keepdims) * weights`, the tangent `sum(weights * dx, axis)`.
    Ties (of max-norms, of the largest singular value) share the derivative equally."""
    if type(x) is float or type(x) is int:
        return abs_slope(x)
    x = np.asarray(x)
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
            return np.sign(x) * at / np.sum(at, axis=axis, keepdims=True).astype(_float_dtype(x))
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
        return np.sign(x) * at / np.sum(at, axis=across, keepdims=True).astype(_float_dtype(x))
    raise ValueError(f"srcad has no derivative of np.linalg.norm with ord={ord!r}")


def undiagonal(g, a, offset=0, axis1=0, axis2=1):
    """The cotangent of `a` in `np.diagonal(a, offset, axis1, axis2)`: `g` on that diagonal,
    zeros elsewhere (`g` may have length 1 along the diagonal: `np.trace`'s)."""
    out = np.zeros(np.shape(a), _float_dtype(g, a))
    n = np.diagonal(out, offset, axis1, axis2).shape[-1]
    i = np.arange(n)
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    view[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return out


def undiag(g, v, k):
    """The cotangent of `v` in `np.diag(v, k)`: a diagonal of `g`, or `g` on one."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k)
    return undiagonal(g, v, k, 0, 1)


def _tensordot_axes(axes, a_ndim, b_ndim):
    """np.tensordot's `axes` as two lists of non-negative axes, of `a` and of `b`."""
    if np.ndim(axes) == 0:
        n = int(axes)
        return list(range(a_ndim - n, a_ndim)), list(range(n))
    xa, xb = axes
    xa = [xa] if np.ndim(xa) == 0 else list(xa)
    xb = [xb] if np.ndim(xb) == 0 else list(xb)
    return [int(i) % a_ndim for i in xa], [int(i) % b_ndim for i in xb]


def tensordot_left(g, a, b, axes=2):
    """The cotangent of `a` in `np.tensordot(a, b, axes)`."""
    xa, xb = _tensordot_axes(axes, np.ndim(a), np.ndim(b))
    fa = [i for i in range(np.ndim(a)) if i not in xa]
    fb = [i for i in range(np.ndim(b)) if i not in xb]
    t = np.tensordot(g, b, axes=(list(range(len(fa), len(fa) + len(fb))), fb))
    # t's axes: a's free ones, then b's contracted ones in increasing order, each standing
    # for the axis of a it was paired with
    return shaped_like(np.transpose(t, np.argsort(fa + [xa[xb.index(i)] for i in sorted(xb)])), a)


def tensordot_right(g, a, b, axes=2):
    """The cotangent of `b` in `np.tensordot(a, b, axes)`."""
    xa, xb = _tensordot_axes(axes, np.ndim(a), np.ndim(b))
    fa = [i for i in range(np.ndim(a)) if i not in xa]
    fb = [i for i in range(np.ndim(b)) if i not in xb]
    t = np.tensordot(a, g, axes=(fa, list(range(len(fa)))))
    return shaped_like(np.transpose(t, np.argsort([xb[xa.index(i)] for i in sorted(xa)] + fb)), b)


def _dot_axes(b):
    """np.dot contracts a's last axis with b's second-to-last (its only one, for a vector)."""
    return [-1], [-2 if np.ndim(b) >= 2 else -1]


def dot_left(g, a, b):
    """The cotangent of `a` in `np.dot(a, b)`, for operands of any number of dimensions."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    return tensordot_left(g, a, b, _dot_axes(b))


def dot_right(g, a, b):
    """The cotangent of `b` in `np.dot(a, b)`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    return tensordot_right(g, a, b, _dot_axes(b))


def inner_left(g, a, b):
    """The cotangent of `a` in `np.inner(a, b)` (a product over the last axes)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    nb = np.ndim(b)
    return np.tensordot(g, b, axes=(list(range(np.ndim(g) - nb + 1, np.ndim(g))), list(range(nb - 1))))


def inner_right(g, a, b):
    """The cotangent of `b` in `np.inner(a, b)`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    na = np.ndim(a)
    return np.tensordot(g, a, axes=(list(range(na - 1)), list(range(na - 1))))


def _einsum_spec(subscripts, ndims):
    """(input subscripts, output subscripts) of an einsum with `...` spelled out as letters."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    inputs = inputs.split(",")
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in spec]
    width = max([n - len(s.replace("...", "")) for s, n in zip(inputs, ndims) if "..." in s] + [0])
    dots = "".join(spare[:width][::-1])
    inputs = [s.replace("...", dots[width - (n - len(s) + 3):]) if "..." in s else s
              for s, n in zip(inputs, ndims)]
    if arrow:
        output = output.replace("...", dots)
    else:
        once = [c for c in "".join(inputs) if "".join(inputs).count(c) == 1 and c not in dots]
        output = dots + "".join(sorted(once))
    return inputs, output, spare[width:]


def einsum_grad(g, k, subscripts, *operands):
    """The cotangent of operand `k` in `np.einsum(subscripts, *operands)` (operands that are
    None, a rule's unused defaults, are left out): `g` contracted with the other operands.
    A letter repeated in the operand (a diagonal) gets an identity matrix, a letter only it
    has (summed away) a vector of ones; axes it broadcast are summed back."""
    operands = [x for x in operands if x is not None]
    if k >= len(operands):
        return None
    inputs, output, spare = _einsum_spec(subscripts, [np.ndim(x) for x in operands])
    x, subs = operands[k], inputs[k]
    shape = np.shape(x)
    dtype = _float_dtype(g, x)
    others = [i for i in range(len(operands)) if i != k]
    elsewhere = set(output + "".join(inputs[i] for i in others))
    target, extra, extra_subs = "", [], []
    for letter, n in zip(subs, shape):
        if letter in target:
            fresh = spare.pop()
            extra.append(np.eye(n, dtype=dtype))
            extra_subs.append(letter + fresh)
            letter = fresh
        elif letter not in elsewhere:
            extra.append(np.ones(n, dtype=dtype))
            extra_subs.append(letter)
        target += letter
    spec = ",".join([output] + [inputs[i] for i in others] + extra_subs) + "->" + target
    out = np.einsum(spec, g, *[operands[i] for i in others], *extra)
    broadcast = tuple(i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1)
    return shaped_like(np.sum(out, axis=broadcast, keepdims=True) if broadcast else out, x)


def einsum_tangent(subscripts, tangents, operands):
    """The tangent of `np.einsum(subscripts, *operands)`: one einsum per varying operand."""
    operands = [x for x in operands if x is not None]
    total = 0.0
    for k, d in enumerate(tangents[:len(operands)]):
        if not _is_zero(d):
            total = total + np.einsum(subscripts, *operands[:k], d, *operands[k + 1:])
    return total


def solve_right(g, ans, a, b):
    """The cotangent of `b` in `ans = np.linalg.solve(a, b)`: solve(a^T, g)."""
    return unbroadcast(_solve(_swap(a), g, b), b)


def solve_left(g, ans, a, b):
    """The cotangent of `a` in `ans = np.linalg.solve(a, b)`: -solve(a^T, g) ans^T."""
    gb = _solve(_swap(a), g, b)
    ga = -gb[..., :, None] * ans[..., None, :] if np.ndim(b) == 1 else -(gb @ _swap(ans))
    return unbroadcast(ga, a)


def solve_tangent(da, db, ans, a, b):
    """The tangent of `ans = np.linalg.solve(a, b)`: solve(a, db - da ans)."""
    rhs = 0.0 if _is_zero(db) else db
    if not _is_zero(da):
        rhs = rhs - ((da @ ans[..., None])[..., 0] if np.ndim(b) == 1 else da @ ans)
    return _solve(a, rhs, b)


def _solve(a, rhs, b):
    """np.linalg.solve(a, rhs) for a right-hand side shaped like `b` (or like the result)."""
    if np.ndim(b) == 1:
        return np.linalg.solve(a, np.asarray(rhs)[..., None])[..., 0]
    return np.linalg.solve(a, rhs)


def _phi(x):
    """The lower triangle of `x` with its diagonal halved."""
    return np.tril(x) - 0.5 * x * np.eye(x.shape[-1], dtype=x.dtype)


def cholesky_grad(g, ans, upper):
    """The cotangent of `a` in `ans = np.linalg.cholesky(a, upper=upper)`. numpy reads one
    triangle of `a` (the lower one, or the upper one for upper=True), so the cotangent lies
    in that triangle: exact for any `a`, and for a symmetric `a` it sums to the usual one."""
    L, gL = (_swap(ans), _swap(g)) if upper else (ans, g)
    p = _phi(_swap(L) @ gL)
    s = _swap(np.linalg.solve(_swap(L), _swap(np.linalg.solve(_swap(L), p))))  # L^-T p L^-1
    lower = np.tril(s) + np.tril(_swap(s), -1)
    return _swap(lower) if upper else lower


def cholesky_tangent(da, ans, upper):
    """The tangent of `ans = np.linalg.cholesky(a, upper=upper)`: L phi(L^-1 dA L^-T)."""
    L, da = (_swap(ans), _swap(da)) if upper else (ans, da)
    sym = np.tril(da) + _swap(np.tril(da, -1))
    x = _swap(np.linalg.solve(L, _swap(np.linalg.solve(L, sym))))  # L^-1 dA L^-T
    dl = L @ _phi(x)
    return _swap(dl) if upper else dl


def _ravel_order(a, order):
    """np.ravel's `order` for `a` as "C", "F" or "K" ("A" is F for a Fortran-ordered `a`)."""
    if order == "A":
        return "F" if np.asarray(a).flags.f_contiguous else "C"
    return order


def _ravel_positions(a):
    """Where each element of np.ravel(a, "K") (memory order) sits in `a`, as a C-order index."""
    a = np.asarray(a)
    laid_out = np.empty_like(a, dtype=np.intp)  # `a`'s layout
    laid_out[...] = np.reshape(np.arange(a.size), a.shape)
    return np.ravel(laid_out, "K")


def unravel(g, a, order="C"):
    """The cotangent of `a` in `np.ravel(a, order)`: `g` put back in `a`'s shape."""
    order = _ravel_order(a, order)
    if order != "K":
        return shaped_like(np.reshape(g, np.shape(a), order=order), a)
    out = np.empty(np.size(a), np.asarray(g).dtype)
    out[_ravel_positions(a)] = np.ravel(g)
    return shaped_like(out, a)


def ravel_tangent(da, a, order="C"):
    """The tangent of `np.ravel(a, order)`, read in the order `a`'s own elements are read."""
    order = _ravel_order(a, order)
    if order != "K":
        return np.ravel(da, order)
    return np.ravel(da)[_ravel_positions(a)]


def inverse_permutation(axes, ndim):
    """The axes that undo np.transpose(x, axes) (None for None: a reversal undoes itself)."""
    if axes is None:
        return None
    return tuple(np.argsort([int(ax) % ndim for ax in axes]))


def _parts(parts, seq):
    """Cotangents of the items of `seq` (a list; for an array, its rows stacked again)."""
    parts = [shaped_like(p, x) for p, x in zip(parts, seq)]
    if isinstance(seq, (list, tuple)):
        return parts
    return np.reshape(np.stack(parts), np.shape(seq))


def unconcatenate(g, arrays, axis=0):
    """The cotangents of the arrays that `np.concatenate(arrays, axis)` joined."""
    if axis is None:
        ends = np.cumsum([np.size(x) for x in arrays])[:-1]
        return _parts(np.split(np.ravel(g), ends), arrays)
    ends = np.cumsum([np.shape(x)[axis] for x in arrays])[:-1]
    return _parts(np.split(g, ends, axis=axis), arrays)


def unhstack(g, tup):
    """The cotangents of the arrays that `np.hstack(tup)` joined."""
    items = [np.atleast_1d(x) for x in tup]
    axis = 0 if items[0].ndim == 1 else 1
    return _parts(np.split(g, np.cumsum([x.shape[axis] for x in items])[:-1], axis=axis), tup)


def unvstack(g, tup):
    """The cotangents of the arrays that `np.vstack(tup)` joined."""
    items = [np.atleast_2d(x) for x in tup]
    return _parts(np.split(g, np.cumsum([x.shape[0] for x in items])[:-1], axis=0), tup)


def untile(g, A, reps):
    """The cotangent of `A` in `np.tile(A, reps)`: the tiles of `g` summed."""
    shape = np.shape(A)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(reps)
    d = max(len(shape), len(reps))
    pairs = zip((1,) * (d - len(reps)) + reps, (1,) * (d - len(shape)) + shape)
    g = np.reshape(g, [n for pair in pairs for n in pair])
    return shaped_like(np.sum(g, axis=tuple(range(0, 2 * d, 2))), A)


def unrepeat(g, a, repeats, axis=None):
    """The cotangent of `a` in `np.repeat(a, repeats, axis)`: each element's copies summed."""
    shape = np.shape(a)
    if axis is None:
        g, axis, n = np.ravel(g), 0, int(np.prod(shape))
    else:
        n = shape[axis]
    moved = np.moveaxis(np.asarray(g), axis, 0)
    out = np.zeros((n,) + moved.shape[1:], _float_dtype(g, a))
    np.add.at(out, np.repeat(np.arange(n), repeats), moved)
    return shaped_like(np.moveaxis(out, 0, axis), a)


def untake(g, a, indices, axis=None, mode="raise"):
    """The cotangent of `a` in `np.take(a, indices, axis, mode=mode)`: `g` added where taken."""
    out = np.zeros((np.size(a),) if axis is None else np.shape(a), _float_dtype(g, a))
    axis = 0 if axis is None else axis % out.ndim
    n = out.shape[axis]
    indices = np.asarray(indices)
    if mode == "wrap":
        indices = indices % n
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    k = indices.ndim  # g holds the taken values along axes axis, ..., axis + k - 1
    g = np.moveaxis(np.asarray(g), list(range(axis, axis + k)), list(range(k)))
    np.add.at(np.moveaxis(out, axis, 0), indices, g)
    return shaped_like(out, a)


def unsort(g, a, axis=-1):
    """The cotangent of `a` in `np.sort(a, axis)`: `g` put back where each element came from."""
    if axis is None:
        order = np.argsort(a, axis=None, kind="stable")
        out = np.zeros(np.size(a), _float_dtype(g, a))
        out[order] = np.ravel(g)
        return shaped_like(out, a)
    out = np.zeros(np.shape(a), _float_dtype(g, a))
    np.put_along_axis(out, np.argsort(a, axis=axis, kind="stable"), g, axis=axis)
    return out


def undiff(g, a, n=1, axis=-1):
    """The cotangent of `a` in `np.diff(a, n, axis)`: the transposed differences, n times."""
    for _ in range(n):
        g = np.moveaxis(np.asarray(g), axis, -1)
        zero = np.zeros(g.shape[:-1] + (1,), g.dtype)
        g = np.moveaxis(np.concatenate([zero, g], -1) - np.concatenate([g, zero], -1), -1, axis)
    return shaped_like(g, a)


def _clip_bounds(a_min, a_max, min, max):
    """np.clip's bounds, given as a_min/a_max or min/max; None is no bound."""
    low = a_min if a_min is not None else min
    high = a_max if a_max is not None else max
    return (-np.inf if low is None else low), (np.inf if high is None else high)


def _indicator(condition, *xs):
    """`condition` as 0.0/1.0 in the float dtype of `xs` (a float for Python numbers): a
    Python float tangent times it keeps a float32 result float32, as a boolean would not."""
    if np.ndim(condition) == 0 and all(type(x) is float or type(x) is int for x in xs):
        return float(condition)
    return np.asarray(condition).astype(_float_dtype(*xs))


def clip_passes(a, a_min, a_max, min=None, max=None):
    """Where `np.clip(a, ...)` is `a` itself (a tie with a bound included), as 0.0/1.0."""
    low, high = _clip_bounds(a_min, a_max, min, max)
    return _indicator((a >= low) & (np.maximum(a, low) <= high), a, low, high)


def clip_at_min(a, a_min, a_max, min=None, max=None):
    """Where `np.clip(a, ...)` is its lower bound, as 0.0/1.0."""
    low, high = _clip_bounds(a_min, a_max, min, max)
    return _indicator((a < low) & (low <= high), a, low, high)


def clip_at_max(a, a_min, a_max, min=None, max=None):
    """Where `np.clip(a, ...)` is its upper bound (also where the bounds cross: numpy's), as
    0.0/1.0."""
    low, high = _clip_bounds(a_min, a_max, min, max)
    return _indicator(np.maximum(a, low) > high, a, low, high)


def method_axes(*axes):
    """The axes of `a.transpose(*axes)` as np.transpose takes them (unused ones are None)."""
    axes = [ax for ax in axes if ax is not None]
    if len(axes) == 1 and np.ndim(axes[0]) == 1:
        return tuple(axes[0])
    return tuple(axes) or None


def cast_back(g, a, dtype):
    """The cotangent of `a` in `a.astype(dtype)`: `g` in `a`'s float dtype; zero for a cast to
    integers or booleans (a step function)."""
    if np.dtype(dtype).kind not in "fc":
        return shaped_like(np.zeros(np.shape(a), _float_dtype(a)), a)
    return shaped_like(np.asarray(g).astype(_float_dtype(a), copy=False), a)


def logsumexp_weights(ans, a, axis, keepdims, b=None):
    """d scipy.special.logsumexp(a, axis, b) / da: the softmax of `a` (times `b`)."""
    weights = np.exp(a - unreduce(ans, a, axis, keepdims))
    return weights if b is None else weights * b


# --- tangents of the helpers above, for forward mode over generated gradients -----------------
# (srcad/rules/runtime_rules.py). A tangent may be the plain 0.0 of a constant operand.

def _tangent_or_zeros(d, x):
    """The tangent `d` of `x`, with a plain 0.0 spelled out as zeros of `x`'s shape."""
    return np.zeros(np.shape(x), _float_dtype(x)) if _is_zero(d) else d


def prod_others_tangent(da, a, axis):
    """The tangent of `prod_others(a, axis)`: of the products left and right of each element,
    by cumprod_tangent, so exact where `a` holds zeros too."""
    if type(a) is float or type(a) is int:
        return 0.0
    a = np.asarray(a)
    da = np.broadcast_to(_tangent_or_zeros(da, a), a.shape)
    axes = _reduced_axes(axis, a.ndim)
    kept = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, kept + list(axes))
    flat = np.reshape(moved, moved.shape[:len(kept)] + (-1,))
    dflat = np.reshape(np.transpose(da, kept + list(axes)), flat.shape)
    left, dleft = _exclusive_cumprod(flat, dflat)
    right, dright = _exclusive_cumprod(np.flip(flat, -1), np.flip(dflat, -1))
    out = dleft * np.flip(right, -1) + left * np.flip(dright, -1)
    return np.transpose(np.reshape(out, moved.shape), np.argsort(kept + list(axes)))


def _exclusive_cumprod(x, dx):
    """The products of the elements before each one along the last axis, and their tangent."""
    ones = np.ones(x.shape[:-1] + (1,), x.dtype)
    shifted = np.concatenate([ones, x[..., :-1]], -1)
    dshifted = np.concatenate([np.zeros_like(ones), dx[..., :-1]], -1)
    products = np.cumprod(shifted, -1)
    return products, cumprod_tangent(dshifted, products, shifted, -1)


def uncumprod_tangent(dg, dans, da, g, ans, a, axis):
    """The tangent of `uncumprod(g, ans, a, axis)`, each of its two ways (with and without
    zeros in `a`) differentiated as it computes."""
    dg, dans, da = _tangent_or_zeros(dg, g), _tangent_or_zeros(dans, ans), _tangent_or_zeros(da, a)
    if axis is None:
        g, ans, dg, dans = (np.ravel(v) for v in (g, ans, dg, dans))
        a_, da, axis = np.ravel(a), np.ravel(da), 0
    else:
        a_ = np.asarray(a)
    if np.all(a_ != 0):
        def from_the_end(x):
            return np.flip(np.cumsum(np.flip(x, axis), axis), axis)
        out = (from_the_end(dg * ans + g * dans) - from_the_end(g * ans) * da / a_) / a_
        return shaped_like(out, a)
    g, ans, a_, dg, dans, da = (np.moveaxis(np.asarray(v), axis, 0) for v in (g, ans, a_, dg, dans, da))
    out = np.zeros(a_.shape, _float_dtype(g, a_))
    carry = dcarry = 0.0
    for i in reversed(range(len(a_))):
        if i + 1 < len(a_):
            carry, dcarry = g[i] + carry * a_[i + 1], dg[i] + dcarry * a_[i + 1] + carry * da[i + 1]
        else:
            carry, dcarry = g[i], dg[i]
        out[i] = dcarry * ans[i - 1] + carry * dans[i - 1] if i > 0 else dcarry
    return shaped_like(np.moveaxis(out, 0, axis), a)


def norm_weights_tangent(dans, dx, ans, x, ord, axis, keepdims):
    """The tangent of `norm_weights(ans, x, ord, axis, keepdims)`: zero for the piecewise
    constant weights (ord 0, 1, inf and the matrix max-norms), by the singular vectors' own
    derivatives for the matrix 2-norms and the nuclear norm."""
    if type(x) is float or type(x) is int:
        return 0.0
    x = np.asarray(x)
    dx = np.broadcast_to(_tangent_or_zeros(dx, x), x.shape)
    dn = 0.0 if _is_zero(dans) else unreduce(dans, x, axis, keepdims)
    n = unreduce(ans, x, axis, keepdims)
    matrix = (axis is None and ord is not None and x.ndim == 2) or np.ndim(axis) == 1 and len(axis) == 2
    if ord is None or ord == "fro" or (ord == 2 and not matrix):  # x / n
        return (dx - x / n * dn) / n
    if not matrix:  # sign(x) r^(p-1), r = |x| / n
        if ord in (0, 1, np.inf, -np.inf):
            return np.zeros(x.shape, _float_dtype(x))
        r = np.abs(x) / n
        return (ord - 1) * r ** (ord - 2) * (dx - np.sign(x) * r * dn) / n
    if ord not in ("nuc", 2, -2):
        return np.zeros(x.shape, _float_dtype(x))
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
    omega = np.divide(f - _swap(f), total, out=np.zeros_like(f), where=total != 0)
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
    e = np.divide(1.0, gap, out=np.zeros_like(gap), where=gap != 0)
    sf = s[..., :, None] * f
    fs = f * s[..., None, :]
    left, right = _projected_terms(u, s, vt, dx)
    du = u @ (e * (fs + _swap(fs))) + left
    dvt = _swap(e * (sf + _swap(sf))) @ vt + right
    return (du * share[..., None, :]) @ vt + (u * share[..., None, :]) @ dvt


def _cholesky_sandwich(L, p):
    """L^-T p L^-1."""
    return _swap(np.linalg.solve(_swap(L), _swap(np.linalg.solve(_swap(L), p))))


def cholesky_grad_tangent(dg, dans, g, ans, upper):
    """The tangent of `cholesky_grad(g, ans, upper)`: with s = L^-T phi(L^T gL) L^-1,
    ds = L^-T dphi L^-1 - L^-T dL^T s - s dL L^-1 (d L^-1 = -L^-1 dL L^-1)."""
    dg, dans = _tangent_or_zeros(dg, g), _tangent_or_zeros(dans, ans)
    L, gL, dL, dgL = (_swap(v) for v in (ans, g, dans, dg)) if upper else (ans, g, dans, dg)
    s = _cholesky_sandwich(L, _phi(_swap(L) @ gL))
    dp = _phi(_swap(dL) @ gL + _swap(L) @ dgL)
    ds = (_cholesky_sandwich(L, dp) - np.linalg.solve(_swap(L), _swap(dL) @ s)
          - _swap(np.linalg.solve(_swap(L), _swap(dL) @ _swap(s))))
    lower = np.tril(ds) + np.tril(_swap(ds), -1)
    return _swap(lower) if upper else lower


def _solve_cotangent_tangent(dg, da, g, a, b):
    """gb = solve(a^T, g), the cotangent of b in solve(a, b), and its tangent
    solve(a^T, dg - da^T gb)."""
    gb = _solve(_swap(a), g, b)
    if _is_zero(dg) and _is_zero(da):
        return gb, np.zeros_like(gb)
    rhs = 0.0 if _is_zero(dg) else dg
    if not _is_zero(da):
        rhs = rhs - ((_swap(da) @ gb[..., None])[..., 0] if np.ndim(b) == 1 else _swap(da) @ gb)
    return gb, _solve(_swap(a), rhs, b)


def solve_right_tangent(dg, da, g, a, b):
    """The tangent of `solve_right(g, ans, a, b)` (which does not read `ans`)."""
    return unbroadcast(_solve_cotangent_tangent(dg, da, g, a, b)[1], b)


def solve_left_tangent(dg, dans, da, g, ans, a, b):
    """The tangent of `solve_left(g, ans, a, b)` = -gb ans^T: -(dgb ans^T + gb dans^T)."""
    gb, dgb = _solve_cotangent_tangent(dg, da, g, a, b)
    dans = _tangent_or_zeros(dans, ans)
    if np.ndim(b) == 1:
        dga = -(dgb[..., :, None] * ans[..., None, :] + gb[..., :, None] * dans[..., None, :])
    else:
        dga = -(dgb @ _swap(ans) + gb @ _swap(dans))
    return unbroadcast(dga, a)


def einsum_grad_tangent(dg, doperands, g, k, subscripts, operands):
    """The tangent of `einsum_grad(g, k, subscripts, *operands)`: linear in `g` and in each
    operand but the k-th (read for its shape only), so one einsum_grad per varying input."""
    operands = [x for x in operands if x is not None]
    if k >= len(operands):
        return None
    total = None if _is_zero(dg) else einsum_grad(dg, k, subscripts, *operands)
    for j, d in enumerate(doperands[:len(operands)]):
        if j != k and not _is_zero(d):
            term = einsum_grad(g, k, subscripts, *operands[:j], d, *operands[j + 1:])
            total = term if total is None else total + term
    if total is None:
        return shaped_like(np.zeros(np.shape(operands[k]), _float_dtype(g, operands[k])), operands[k])
    return total
