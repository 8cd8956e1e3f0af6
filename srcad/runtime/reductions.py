"""The longer math of numpy's reductions (prod, max/min, var/std, cumsum, cumprod,
logsumexp), each cotangent helper followed by its tangent (forward mode over generated
gradients)."""
import numpy as np

from .core import array_of, permutation, float_dtype, is_foreign, needs_values, reduced_size, shaped_like, tangent_or_zeros, unreduce


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
    a = array_of(a)
    axes = _reduced_axes(axis, a.ndim)
    kept = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, kept + list(axes))
    flat = np.reshape(moved, moved.shape[:len(kept)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), flat.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.concatenate([ones, np.flip(flat, -1)[..., :-1]], -1), -1), -1)
    return np.transpose(np.reshape(left * right, moved.shape), permutation(kept + list(axes)))


def prod_others_tangent(da, a, axis):
    """The tangent of `prod_others(a, axis)`: of the products left and right of each element,
    by cumprod_tangent, so exact where `a` holds zeros too."""
    if type(a) is float or type(a) is int:
        return 0.0
    a = array_of(a)
    da = np.broadcast_to(tangent_or_zeros(da, a), a.shape)
    axes = _reduced_axes(axis, a.ndim)
    kept = [i for i in range(a.ndim) if i not in axes]
    moved = np.transpose(a, kept + list(axes))
    flat = np.reshape(moved, moved.shape[:len(kept)] + (-1,))
    dflat = np.reshape(np.transpose(da, kept + list(axes)), flat.shape)
    left, dleft = _exclusive_cumprod(flat, dflat)
    right, dright = _exclusive_cumprod(np.flip(flat, -1), np.flip(dflat, -1))
    out = dleft * np.flip(right, -1) + left * np.flip(dright, -1)
    return np.transpose(np.reshape(out, moved.shape), permutation(kept + list(axes)))


def extremum_weights(ans, a, axis, keepdims):
    """The weight of each element of `a` in its max or min `ans` over `axis`: 1 where it is
    the extremum, shared equally between ties, 0 elsewhere."""
    if type(a) is float or type(a) is int:
        return 1.0
    at = array_of(a) == unreduce(ans, a, axis, keepdims)
    return at / np.sum(at, axis=axis, keepdims=True).astype(float_dtype(a))


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
        a_ = array_of(a)
    if is_foreign(a_):  # which way is exact depends on the values (zeros in `a`)
        needs_values(a_, "differentiate np.cumprod (whether it holds zeros)")
    if np.all(a_ != 0):
        return shaped_like(np.flip(np.cumsum(np.flip(g * ans, axis), axis), axis) / a_, a)
    # ans[i] = ans[i-1] * a[i] backwards: carry[i] = g[i] + carry[i+1] * a[i+1]
    g, ans, a_ = (np.moveaxis(np.asarray(v), axis, 0) for v in (g, ans, a_))
    out = np.zeros(a_.shape, float_dtype(g, a_))
    carry = 0.0
    for i in reversed(range(len(a_))):
        carry = g[i] + (carry * a_[i + 1] if i + 1 < len(a_) else 0.0)
        out[i] = carry * ans[i - 1] if i > 0 else carry
    return shaped_like(np.moveaxis(out, 0, axis), a)


def uncumprod_tangent(dg, dans, da, g, ans, a, axis):
    """The tangent of `uncumprod(g, ans, a, axis)`, each of its two ways (with and without
    zeros in `a`) differentiated as it computes."""
    dg, dans, da = tangent_or_zeros(dg, g), tangent_or_zeros(dans, ans), tangent_or_zeros(da, a)
    if axis is None:
        g, ans, dg, dans = (np.ravel(v) for v in (g, ans, dg, dans))
        a_, da, axis = np.ravel(a), np.ravel(da), 0
    else:
        a_ = array_of(a)
    if is_foreign(a_):
        needs_values(a_, "differentiate np.cumprod (whether it holds zeros)")
    if np.all(a_ != 0):
        def from_the_end(x):
            return np.flip(np.cumsum(np.flip(x, axis), axis), axis)
        out = (from_the_end(dg * ans + g * dans) - from_the_end(g * ans) * da / a_) / a_
        return shaped_like(out, a)
    g, ans, a_, dg, dans, da = (np.moveaxis(np.asarray(v), axis, 0) for v in (g, ans, a_, dg, dans, da))
    out = np.zeros(a_.shape, float_dtype(g, a_))
    carry = dcarry = 0.0
    for i in reversed(range(len(a_))):
        if i + 1 < len(a_):
            carry, dcarry = g[i] + carry * a_[i + 1], dg[i] + dcarry * a_[i + 1] + carry * da[i + 1]
        else:
            carry, dcarry = g[i], dg[i]
        out[i] = dcarry * ans[i - 1] + carry * dans[i - 1] if i > 0 else dcarry
    return shaped_like(np.moveaxis(out, 0, axis), a)


def cumprod_tangent(da, ans, a, axis):
    """The tangent of `ans = np.cumprod(a, axis)`; exact where `a` holds zeros."""
    if axis is None:
        da, ans, a, axis = np.ravel(da), np.ravel(ans), np.ravel(a), 0
    if is_foreign(a):
        needs_values(a, "differentiate np.cumprod (whether it holds zeros)")
    if np.all(np.asarray(a) != 0):
        return ans * np.cumsum(da / a, axis)
    # d ans[i] = d ans[i-1] * a[i] + ans[i-1] * da[i]
    da, ans, a = (np.moveaxis(np.asarray(v), axis, 0) for v in (da, ans, a))
    out = np.zeros(ans.shape, float_dtype(da, a))
    out[0] = da[0]
    for i in range(1, len(a)):
        out[i] = out[i - 1] * a[i] + ans[i - 1] * da[i]
    return np.moveaxis(out, 0, axis)


def _exclusive_cumprod(x, dx):
    """The products of the elements before each one along the last axis, and their tangent."""
    ones = np.ones(x.shape[:-1] + (1,), x.dtype)
    shifted = np.concatenate([ones, x[..., :-1]], -1)
    dshifted = np.concatenate([np.zeros_like(ones), dx[..., :-1]], -1)
    products = np.cumprod(shifted, -1)
    return products, cumprod_tangent(dshifted, products, shifted, -1)


def logsumexp_weights(ans, a, axis, keepdims, b=None):
    """d scipy.special.logsumexp(a, axis, b) / da: the softmax of `a` (times `b`)."""
    weights = np.exp(a - unreduce(ans, a, axis, keepdims))
    return weights if b is None else weights * b
