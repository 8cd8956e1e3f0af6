"""Derivative rules of numpy functions, for arrays (and numpy scalars).

`g` is the output's cotangent, `ans` the output, then the call's arguments with numpy's own
parameter names and defaults. Cotangents of elementwise functions in `BROADCASTING` are summed
back to each operand's shape by the transform; every other rule returns its operand's shape.
"""
import numpy as np

from .. import runtime as _rt

VJP = {
    np.exp:      lambda g, ans, x: g * ans,
    np.log:      lambda g, ans, x: g / x,
    np.sin:      lambda g, ans, x: g * np.cos(x),
    np.cos:      lambda g, ans, x: -g * np.sin(x),
    np.tan:      lambda g, ans, x: g * (1.0 + ans * ans),
    np.tanh:     lambda g, ans, x: g * (1.0 - ans * ans),
    np.sqrt:     lambda g, ans, x: g / (2.0 * ans),
    np.square:   lambda g, ans, x: g * 2.0 * x,
    np.abs:      lambda g, ans, x: g * np.sign(x),
    np.negative: lambda g, ans, x: -g,
    np.add:      lambda g, ans, x, y: (g, g),
    np.subtract: lambda g, ans, x, y: (g, -g),
    np.multiply: lambda g, ans, x, y: (g * y, g * x),
    np.divide:   lambda g, ans, x, y: (g / y, -g * ans / y),
    np.power:    lambda g, ans, x, y: (g * y * np.power(x, y - 1), g * ans * _rt.log(x)),
    np.maximum:  lambda g, ans, x, y: (g * (x >= y), g * (x < y)),
    np.minimum:  lambda g, ans, x, y: (g * (x <= y), g * (x > y)),
    np.sum:      lambda g, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                     _rt.unreduce(g, a, axis, keepdims),
    np.mean:     lambda g, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                     _rt.unreduce(g, a, axis, keepdims) / _rt.reduced_size(a, axis),
    np.dot:      lambda g, ans, a, b: (_rt.matmul_left(g, a, b), _rt.matmul_right(g, a, b)),
    np.matmul:   lambda g, ans, x1, x2: (_rt.matmul_left(g, x1, x2), _rt.matmul_right(g, x1, x2)),
    np.stack:    lambda g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind":
                     _rt.unstack(g, arrays, axis),
    np.array:    lambda g, ans, object, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None:
                     _rt.unstack(g, object) if isinstance(object, (list, tuple))
                     else np.reshape(g, np.shape(object)),
}

JVP = {
    np.exp:      lambda dx, ans, x: dx * ans,
    np.log:      lambda dx, ans, x: dx / x,
    np.sin:      lambda dx, ans, x: dx * np.cos(x),
    np.cos:      lambda dx, ans, x: -dx * np.sin(x),
    np.tan:      lambda dx, ans, x: dx * (1.0 + ans * ans),
    np.tanh:     lambda dx, ans, x: dx * (1.0 - ans * ans),
    np.sqrt:     lambda dx, ans, x: dx / (2.0 * ans),
    np.square:   lambda dx, ans, x: dx * 2.0 * x,
    np.abs:      lambda dx, ans, x: dx * np.sign(x),
    np.negative: lambda dx, ans, x: -dx,
    np.add:      lambda dx, dy, ans, x, y: dx + dy,
    np.subtract: lambda dx, dy, ans, x, y: dx - dy,
    np.multiply: lambda dx, dy, ans, x, y: dx * y + x * dy,
    np.divide:   lambda dx, dy, ans, x, y: (dx - ans * dy) / y,
    np.power:    lambda dx, dy, ans, x, y: dx * y * np.power(x, y - 1) + dy * ans * _rt.log(x),
    np.maximum:  lambda dx, dy, ans, x, y: np.where(x >= y, dx, dy),
    np.minimum:  lambda dx, dy, ans, x, y: np.where(x <= y, dx, dy),
    np.sum:      lambda da, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                     np.sum(da, axis=axis, keepdims=keepdims),
    np.mean:     lambda da, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                     np.mean(da, axis=axis, keepdims=keepdims),
    np.dot:      lambda da, db, ans, a, b: np.dot(da, b) + np.dot(a, db),
    np.matmul:   lambda dx1, dx2, ans, x1, x2: dx1 @ x2 + x1 @ dx2,
    np.stack:    lambda darrays, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind":
                     np.stack(darrays, axis),
    np.array:    lambda dobject, ans, object, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None:
                     np.array(dobject, ndmin=ndmin),
}

BROADCASTING = {np.add, np.subtract, np.multiply, np.divide, np.power, np.maximum, np.minimum}

NO_DERIVATIVE = {np.floor, np.ceil, np.round, np.rint, np.trunc, np.sign, np.argmax, np.argmin,
                 np.shape, np.ndim, np.size, np.zeros, np.ones, np.zeros_like, np.ones_like,
                 np.empty, np.empty_like, np.full, np.arange, np.linspace, np.eye, np.isnan,
                 np.isfinite, np.isinf, np.greater, np.less, np.equal, np.not_equal,
                 np.greater_equal, np.less_equal, np.logical_and, np.logical_or, np.logical_not}

# Method spellings: `x.sum(axis=0)` is normalised to `np.sum(x, axis=0)`.
METHODS = {"sum": np.sum, "mean": np.mean, "dot": np.dot}

# Attribute spellings: `x.T` is normalised to `np.transpose(x)`.
ATTRIBUTES = {}
