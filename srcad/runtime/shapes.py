"""The cotangents of numpy's shape functions: diagonal, ravel, concatenate and stacking, tile,
repeat, take, sort, diff, clip, transpose's axes and astype. Each returns its operand's exact
shape and keeps its float dtype."""
import numpy as np

from .containers import repeats
from .core import (array_of, float_dtype, is_foreign, like_kind, permutation, shaped_like, size_of,
                   spread_over, summed_by_source, unbroadcast, zeros_of)


def undiagonal(g, a, offset=0, axis1=0, axis2=1):
    """The cotangent of `a` in `np.diagonal(a, offset, axis1, axis2)`: `g` on that diagonal,
    zeros elsewhere (`g` may have length 1 along the diagonal: `np.trace`'s)."""
    if is_foreign(g) or is_foreign(a):
        return _undiagonal_lazily(g, a, offset, axis1, axis2)
    out = np.zeros(np.shape(a), float_dtype(g, a))
    n = np.diagonal(out, offset, axis1, axis2).shape[-1]
    i = np.arange(n)
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    view[..., i + max(-offset, 0), i + max(offset, 0)] = g
    return out


def _undiagonal_lazily(g, a, offset, axis1, axis2):
    """undiagonal without writing into an array: `g` spread along the rows of a mask of the
    diagonal (element i of the diagonal sits in row i + max(-offset, 0))."""
    shape = np.shape(a)
    rows, columns = shape[axis1], shape[axis2]
    mask = np.eye(rows, columns, offset, dtype=float_dtype(g, a))
    length = np.shape(g)[-1]
    which = np.clip(np.arange(rows) - max(-offset, 0), 0, max(length - 1, 0))
    spread = np.take(like_kind(g, a), which, axis=-1)[..., :, None] * mask
    return np.moveaxis(spread, (-2, -1), (axis1, axis2))


def undiag(g, v, k):
    """The cotangent of `v` in `np.diag(v, k)`: a diagonal of `g`, or `g` on one."""
    if np.ndim(v) == 1:
        return np.diagonal(g, k)
    return undiagonal(g, v, k, 0, 1)


def _ravel_order(a, order):
    """np.ravel's `order` for `a` as "C", "F" or "K" ("A" is F for a Fortran-ordered `a`)."""
    if is_foreign(a) and order in "AK":  # no memory layout to follow: C order, as it reads
        return "C"
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
        return shaped_like(g, a, order)
    out = np.empty(size_of(a), np.asarray(g).dtype)
    out[_ravel_positions(a)] = np.ravel(g)
    return shaped_like(out, a)


def ravel_tangent(da, a, order="C"):
    """The tangent of `np.ravel(a, order)`, read in the order `a`'s own elements are read."""
    order = _ravel_order(a, order)
    if order != "K":
        return np.ravel(da) if order == "C" else np.ravel(da, order)  # dask's ravel: no order
    return np.ravel(da)[_ravel_positions(a)]


def inverse_permutation(axes, ndim):
    """The axes that undo np.transpose(x, axes) (None for None: a reversal undoes itself)."""
    if axes is None:
        return None
    return permutation([int(ax) % ndim for ax in axes])


def _parts(parts, seq):
    """Cotangents of the items of `seq` (a list; for an array, its rows stacked again)."""
    parts = [shaped_like(p, x) for p, x in zip(parts, seq)]
    if isinstance(seq, (list, tuple)):
        return parts
    return np.reshape(np.stack(parts), np.shape(seq))


def unconcatenate(g, arrays, axis=0):
    """The cotangents of the arrays that `np.concatenate(arrays, axis)` joined."""
    if axis is None:
        ends = np.cumsum([size_of(x) for x in arrays])[:-1]
        return _parts(_split(np.ravel(g), ends, 0), arrays)
    ends = np.cumsum([np.shape(x)[axis] for x in arrays])[:-1]
    return _parts(_split(g, ends, axis), arrays)


def _split(g, ends, axis):
    """np.split(g, ends, axis) by slicing (dask lacks np.split: it would compute)."""
    axis %= np.ndim(g)
    bounds = [0] + [int(e) for e in ends] + [np.shape(g)[axis]]
    lead = (slice(None),) * axis
    return [g[lead + (slice(start, stop),)] for start, stop in zip(bounds, bounds[1:])]


def unhstack(g, tup):
    """The cotangents of the arrays that `np.hstack(tup)` joined."""
    items = [np.atleast_1d(x) for x in tup]
    axis = 0 if items[0].ndim == 1 else 1
    return _parts(_split(g, np.cumsum([x.shape[axis] for x in items])[:-1], axis), tup)


def unvstack(g, tup):
    """The cotangents of the arrays that `np.vstack(tup)` joined."""
    items = [np.atleast_2d(x) for x in tup]
    return _parts(_split(g, np.cumsum([x.shape[0] for x in items])[:-1], 0), tup)


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
    if is_foreign(g) or is_foreign(a):
        return shaped_like(np.moveaxis(_unrepeat_lazily(g, n, repeats, axis), 0, axis), a)
    moved = np.moveaxis(np.asarray(g), axis, 0)
    out = np.zeros((n,) + moved.shape[1:], float_dtype(g, a))
    np.add.at(out, np.repeat(np.arange(n), repeats), moved)
    return shaped_like(np.moveaxis(out, 0, axis), a)


def _unrepeat_lazily(g, n, repeats, axis):
    """The copies of each of `n` elements summed along `axis` of `g`, brought to the front,
    without np.add.at: a reshape for a whole number of repeats, else a product with the 0/1
    matrix of which element each copy is of."""
    moved = np.moveaxis(g, axis, 0)
    if np.ndim(repeats) == 0:
        return np.sum(np.reshape(moved, (n, int(repeats)) + moved.shape[1:]), axis=1)
    return summed_by_source(moved, np.repeat(np.arange(n), repeats), n)


def untake(g, a, indices, axis=None, mode="raise"):
    """The cotangent of `a` in `np.take(a, indices, axis, mode=mode)`: `g` added where taken."""
    if is_foreign(g) or is_foreign(a):
        return _untake_lazily(g, a, np.asarray(indices), axis, mode)
    out = np.zeros((size_of(a),) if axis is None else np.shape(a), float_dtype(g, a))
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


def _in_range(indices, n, mode):
    """np.take's `indices` along an axis of length `n` as the positions they take (negative ones
    counted from the end, out-of-range ones wrapped or clipped by `mode`; with mode "raise" the
    primal has already refused those)."""
    return np.clip(indices, 0, n - 1) if mode == "clip" else indices % n


def _untake_lazily(g, a, indices, axis, mode):
    shape = (size_of(a),) if axis is None else np.shape(a)
    axis = 0 if axis is None else axis % len(shape)
    n = shape[axis]
    indices = _in_range(indices, n, mode)
    k = indices.ndim  # g holds the taken values along axes axis, ..., axis + k - 1
    g = np.moveaxis(like_kind(g, a), list(range(axis, axis + k)), list(range(k)))
    rows = np.reshape(g, (indices.size,) + tuple(g.shape[k:]))
    return shaped_like(np.moveaxis(summed_by_source(rows, indices, n), 0, axis), a)


def take_tangent(da, indices, axis=None, mode="raise"):
    """The tangent of `np.take(a, indices, axis, mode=mode)`: the same elements of `da`. Another
    library's array is given positions already in range and no `mode` (dask's take has none),
    and is flattened first for `axis=None` (dask takes along an axis only)."""
    if not is_foreign(da):
        return np.take(da, indices, axis, mode=mode)
    if axis is None:
        da, axis = np.ravel(da), 0
    return np.take(da, _in_range(array_of(indices), np.shape(da)[axis], mode), axis=axis)


def unsort(g, a, axis=-1):
    """The cotangent of `a` in `np.sort(a, axis)`: `g` put back where each element came from."""
    if axis is None:
        order = np.argsort(a, axis=None, kind="stable")
        out = np.zeros(size_of(a), float_dtype(g, a))
        out[order] = np.ravel(g)
        return shaped_like(out, a)
    out = np.zeros(np.shape(a), float_dtype(g, a))
    np.put_along_axis(out, np.argsort(a, axis=axis, kind="stable"), g, axis=axis)
    return out


def undiff(g, a, n=1, axis=-1):
    """The cotangent of `a` in `np.diff(a, n, axis)`: the transposed differences, n times."""
    for _ in range(n):
        g = np.moveaxis(array_of(g), axis, -1)
        zero = zeros_of(g, g.shape[:-1] + (1,), g.dtype)
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
    return array_of(condition).astype(float_dtype(*xs))


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
        return shaped_like(zeros_of(a, np.shape(a), float_dtype(a)), a)
    return shaped_like(array_of(g).astype(float_dtype(a), copy=False), a)


def full_tangent(dfill_value, ans):
    """The tangent of `ans = np.full(shape, fill_value)` (and np.full_like): `dfill_value` over
    `ans`'s shape, in its float dtype (zero where `ans` holds integers); over another library's
    array, in that array's chunks (np.full would make a numpy array)."""
    if is_foreign(ans) or is_foreign(dfill_value):
        return cast_back(spread_over(dfill_value, ans), ans, ans.dtype)
    return cast_back(np.full(np.shape(ans), dfill_value), ans, ans.dtype)


def _linspace_steps(num, endpoint, ndim, dtype):
    """The fractions t of the way from start to stop of np.linspace's samples, along a first
    axis of `ndim` axes: sample k is start + (stop - start) * t[k]."""
    divisions = num - 1 if endpoint else num
    t = np.arange(num, dtype=dtype) / dtype.type(divisions) if divisions > 0 else np.zeros(num, dtype)
    return np.reshape(t, (num,) + (1,) * (ndim - 1))


def unlinspace(g, start, stop, num, endpoint, axis, which):
    """The cotangent of `start` (which = 0) or `stop` (which = 1) in
    `np.linspace(start, stop, num, endpoint, axis=axis)`: g weighted by 1 - t (t) and summed
    over the samples' axis."""
    first = (num,) + np.broadcast_shapes(np.shape(start), np.shape(stop))  # the samples' axis first
    dtype = float_dtype(start, stop)
    if np.ndim(g) == 0:
        g = np.broadcast_to(g, first) if is_foreign(g) else np.full(first, g, dtype)
    else:
        g = np.moveaxis(array_of(g), axis, 0)
    t = _linspace_steps(num, endpoint, len(first), dtype)
    return unbroadcast(np.sum(g * (t if which else 1.0 - t), axis=0), stop if which else start)


def _as(x, dtype):
    return x.astype(dtype) if is_foreign(x) else np.asarray(x, dtype)


def linspace_tangent(dstart, dstop, ans, num, endpoint, axis):
    """The tangent of `ans = np.linspace(start, stop, num, endpoint, axis=axis)` (linear in
    start and stop): the samples of the tangents' line, in `ans`'s shape."""
    first = np.moveaxis(ans, axis, 0).shape
    dtype = float_dtype(ans)
    t = _linspace_steps(num, endpoint, len(first), dtype)
    d = _as(dstart, dtype)[None] * (1 - t) + _as(dstop, dtype)[None] * t
    return np.moveaxis(np.broadcast_to(d, first), 0, axis)
