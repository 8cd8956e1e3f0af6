"""What every helper builds on: cotangents summed back to an operand's shape (unbroadcast),
spread over a reduction's (unreduce), real numbers only (NotReal), and the calls of rules a
user registered.

`float_dtype`, `is_zero`, `tangent_or_zeros` and `refuse_complex` serve the other runtime
modules; generated code does not call them.
"""
import math

import numpy as np

from ..errors import SrcadError


class NotReal(Exception):
    """Raised where a complex number meets a derivative (srcad differentiates real code only:
    taking the real part would be silently wrong); the API turns it into a SrcadError."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


def refuse_complex(what):
    """Refuse a complex value (NotReal), `what` saying where it was met."""
    raise NotReal(what)


def is_foreign(x):
    """Whether `x` is another library's array that numpy's functions dispatch to (a dask
    array: `__array_function__`), which srcad's helpers keep as it is, never converting it.
    The tape's values (srcad/tape/node.py) are taken the numpy way, so that the tape records
    the numpy calls."""
    kind = type(x)
    if kind is np.ndarray or kind is float or kind is np.float64 or kind is int:
        return False  # the common kinds first: hasattr of a missing attribute costs more
    return hasattr(kind, "__array_function__") and not getattr(kind, "__srcad_traced__", False)


def spread_over(v, like):
    """`v` broadcast over the shape of `like`, where `like` is another library's array: in its
    chunks (zeros like it, plus v), so that what follows works chunk by chunk. (A dask
    broadcast_to makes one chunk of the whole shape, which the next operation would fill.)"""
    if not is_foreign(like):
        return np.broadcast_to(v, np.shape(like))
    return zeros_of(like, np.shape(like), np.result_type(v, float_dtype(like))) + v


def like_kind(v, like, dtype=np.float64):
    """`v` as an array of `like`'s kind: where `like` is another library's array and `v` is
    not (the reverse sweep's 1.0, a numpy constant), a small array of that library holding
    `v`, so that what is spread from it over `like`'s shape stays lazy too."""
    if is_foreign(like) and not is_foreign(v):
        return zeros_of(like, np.shape(v), np.result_type(v, dtype)) + v
    return v


def size_of(x):
    """The number of elements of `x` (np.size computes a dask array: dask lacks it)."""
    return x.size if type(x) is np.ndarray else math.prod(np.shape(x))


def divide_where(x, y, where):
    """x / y where `where` holds, 0 elsewhere: np.divide(x, y, out=zeros, where=where) in
    spellings another library's array takes (dask's divide has no numpy `out=`)."""
    return np.where(where, x / np.where(where, y, 1.0), 0.0)


def summed_by_source(moved, source, n):
    """Rows of `moved` summed into `n` rows, row j into row source[j]: np.add.at written as a
    product with a 0/1 matrix, which a dask array takes lazily."""
    of = (np.arange(n)[:, None] == np.ravel(source)[None, :]).astype(moved.dtype)
    return np.tensordot(of, moved, axes=1)


def permutation(keys):
    """The axes that sort `keys`, as a tuple of ints (`np.transpose` of a dask array takes no
    numpy array of axes)."""
    return tuple(int(i) for i in np.argsort(keys))


def array_of(x):
    """`np.asarray(x)`, but another library's array as it is (asarray would compute it)."""
    return x if is_foreign(x) else np.asarray(x)


def real_float(v):
    """`float(v)` for a real number `v`; a complex `v` is refused rather than cut to its real
    part (which numpy does, with only a warning). Another library's 0-d array stays as it is
    (`float()` would compute a dask array)."""
    if np.iscomplexobj(v):
        refuse_complex(f"a complex value reached the gradient ({v!r})")
    if is_foreign(v):
        return v
    return float(v)


def needs_values(x, what):
    """Refuse to go on where `what` needs the values of `x`, another library's array, which
    srcad never computes (the user decides when a dask array is computed)."""
    raise SrcadError(f"srcad needs the values of a {type(x).__module__}.{type(x).__name__} to {what}, "
                     "and does not compute it. Pass a numpy array there (x.compute()), or "
                     "write that step with numpy functions the array library implements")


def unbroadcast(g, x):
    """The cotangent `g` summed back to the shape of operand `x` it was broadcast from."""
    if type(x) is float or type(x) is int:
        return g if type(g) is float else real_float(np.sum(g))
    if type(x) is np.ndarray and type(g) is np.ndarray and x.shape == g.shape:
        return g  # the common case, first
    if isinstance(x, (list, tuple)):
        raise TypeError("srcad cannot differentiate + or * on lists or tuples of differentiated "
                        "values (concatenation, repetition); use numpy arrays")
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    if is_foreign(g) or is_foreign(x):  # kept lazy: spread, or summed as below
        g = like_kind(g, x)
        if g.ndim == 0 and shape:
            return spread_over(g, x)
        if _unknown_lengths_alike(g.shape, shape):
            return g
    else:
        g = np.asarray(g)
        if g.ndim == 0 and shape:  # the reverse sweep's 0.0 (an adjoint still all zero)
            return np.full(shape, g[()])
    extra = g.ndim - len(shape)
    if extra < 0 or any(m < n for m, n in zip(g.shape[extra:], shape)):
        if is_foreign(g):
            needs_values(g, "tell whether a cotangent larger than its operand is all zero")
        if not g.any():  # built from a 0.0 adjoint and a smaller operand: zero all the same
            return np.zeros(shape, dtype=np.result_type(g, float))
        raise ValueError(f"srcad internal error: a cotangent of shape {g.shape} for a value "
                         f"of shape {shape}")
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if not shape:
        return g.reshape(())[()] if isinstance(x, np.generic) else g.reshape(())
    return g if g.shape == shape else g.reshape(shape)


def _unknown_lengths_alike(shape, like):
    """Whether `shape` is `like` where both have lengths not known before computing (dask's nan,
    after a boolean mask, which equals nothing, itself included): a cotangent computed from the
    masked value elementwise has the value's shape."""
    return len(shape) == len(like) and all(m == n or (m != m and n != n) for m, n in zip(shape, like))


def unreduce(g, a, axis, keepdims):
    """The cotangent of a reduction (`sum`) over `axis`, spread back over `a`'s shape."""
    if type(a) is float or type(a) is int:
        return real_float(g)
    shape = np.shape(a)
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axes = sorted(ax % len(shape) for ax in axes)
        for ax in axes:
            g = np.expand_dims(g, ax)
    if is_foreign(a):
        return spread_over(g, a)
    return np.broadcast_to(g, shape)


def reduced_size(a, axis):
    """How many elements each result of a reduction over `axis` of `a` summarises."""
    shape = np.shape(a)
    if axis is None:
        return max(math.prod(shape), 1)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return math.prod(shape[ax] for ax in axes)


def broadcast_like(d, like):
    """A tangent `d` spread over the shape of `like`, the value it is the tangent of."""
    if type(d) is np.ndarray and type(like) is np.ndarray and d.shape == like.shape:
        return d  # the common case, told at once
    if np.shape(d) == np.shape(like):
        return d
    return np.broadcast_to(d, np.shape(like))


def shaped_like(out, a, order="C"):
    """`out` reshaped (in `order`) to the shape of operand `a`: a float where `a` is a Python
    number. A single value for a larger `a` is the reverse sweep's 0.0 (an adjoint still all
    zero, through any elementwise steps): zeros of `a`'s shape."""
    if type(a) is float or type(a) is int:
        return real_float(np.sum(out))
    if size_of(out) == 1:  # a number spread over a dask `a`: a dask array too
        out = like_kind(out, a)
    if size_of(out) == 1 and size_of(a) != 1:
        if is_foreign(out) or is_foreign(a):
            return spread_over(np.reshape(out, ()), a)
        return np.full(np.shape(a), np.reshape(out, ()))
    if order != "C":  # said only where needed: dask's reshape takes no order
        return np.reshape(out, np.shape(a), order=order)
    if is_foreign(out):
        return _reshaped_lazily(out, np.shape(a))
    return np.reshape(out, np.shape(a))


def _reshaped_lazily(x, shape):
    """`np.reshape(x, shape)` of another library's array. dask reshapes in one step only by
    merging or splitting whole axes (NotImplementedError otherwise, before anything runs);
    flattening, then splitting the one axis, always works."""
    try:
        return np.reshape(x, shape)
    except NotImplementedError:
        return np.reshape(np.ravel(x), shape)


def float_dtype(*xs):
    """The dtype of cotangents of `xs`: their common float dtype, else float64."""
    dtype = np.result_type(*xs)
    return dtype if dtype.kind == "f" else np.dtype(np.float64)


def is_zero(d):
    """Whether a tangent is the plain 0.0 forward mode passes for a constant operand."""
    return d is None or (type(d) is float and d == 0.0)


def tangent_or_zeros(d, x):
    """The tangent `d` of `x`, with a plain 0.0 spelled out as zeros of `x`'s shape (of `x`'s
    kind: lazy zeros for a dask array)."""
    if not is_zero(d):
        return d
    return zeros_of(x, np.shape(x), float_dtype(x))


def zeros_of(like, shape, dtype=np.float64):
    """Zeros of `shape`: a numpy array, or where `like` is another library's array, one of its
    kind (`np.zeros_like` dispatches: a dask array of zeros, made lazily)."""
    if is_foreign(like):  # of like's own shape: in its chunks (given a shape, dask picks its own)
        if tuple(shape) == np.shape(like):
            return np.zeros_like(like, dtype=dtype)
        return np.zeros_like(like, dtype=dtype, shape=shape)
    return np.zeros(shape, dtype)


def no_rule_for(d, fn_name, param):
    """The term of a rule for a parameter it has no derivative for (betainc's shape parameters
    `a` and `b`): the transforms refuse the call where that argument is differentiated, before
    anything runs, and the tape when it would call this. Called anyway (a rule's tests evaluate
    every term), it gives zero along a zero `d` and nan along any other, never a number that
    could pass for a derivative."""
    if d is None:
        return 0.0
    if is_foreign(d):  # np.any would compute it: zero where d is zero, nan elsewhere
        return np.where(d == 0, d * 0.0, d * np.nan)
    if is_zero(d) or not np.any(d):
        return d * 0.0
    return d * np.nan


def custom_vjp(rule, n, g, ans, *args):
    """Call a rule registered with srcad.defvjp: `n` cotangents, 0.0 where it gives None."""
    out = rule(g, ans, *args)
    if n == 1:
        out = (out,)
    return tuple(0.0 if c is None else c for c in out)


def custom_jvp(rule, dargs, ans, *args):
    """Call a rule registered with srcad.defjvp."""
    return rule(dargs, ans, *args)
