"""Derivative rules of numpy functions, for arrays (and numpy scalars).

`g` is the output's cotangent, `ans` the output, then the call's arguments with numpy's own
parameter names and defaults. A forward rule takes one tangent per leading parameter (`dx`
for `x`, ...; a constant's tangent may be a plain 0.0), then `ans` and the same arguments.
A one-operand elementwise function has one entry, in `ELEMENTWISE`: its reverse rule, which
with `dx` in the place of `g` is its forward rule too (rules/elementwise.py).
Cotangents of elementwise functions in `BROADCASTING` are summed back to each operand's shape
by the transform; every other rule returns its operand's exact shape.

Choices where the derivative is not unique: `max`/`min` share `g` equally between tied
elements; `maximum`, `minimum`, `fmax`, `fmin` give a tie to the first operand; `clip` gives a
tie with a bound to `a`; `abs` takes 1 at 0 and `sign`-like kinks 0, as JAX does. Other edges
are JAX's too: d log(x) and d sqrt(x) at 0 are inf (also for Python floats, where a plain
division would raise), the exponent's derivative of `power(0, y)` is 0, and `where` passes
0 * (what the unused branch's rule gives) back, so an inf there makes a nan, as in JAX (write
the double `where` instead). `linspace` is differentiated in its ends. The rules of
`np.linalg` are in linalg_rules.py.
A parameter a rule leaves out (linspace's retstep and dtype, full's dtype) is refused when the
call passes it; the rules' parameters after `*` are keyword-only, as they are in numpy, so
that no positional argument is taken for one of them.
"""
import math

import numpy as np

from .. import runtime as _rt
from ..runtime.core import is_foreign
from .linear import tangent_applied, tangent_product


# np.row_stack, an alias of np.vstack that numpy 2 deprecates (np.vstack where it is gone)
row_stack = getattr(np, "row_stack", np.vstack)


def reshape_method(a, *shape, order="C"):
    """`a.reshape(2, 3)` and `a.reshape((2, 3))`: the method takes the shape either way (its
    rules take up to six numbers one by one: a rule's template cannot spread `*shape`)."""
    shape = shape[0] if len(shape) == 1 else shape
    return np.reshape(a, shape) if order == "C" else np.reshape(a, shape, order=order)  # dask: no order


def transpose_method(a, *axes):
    """`a.transpose(1, 0)`, `a.transpose((1, 0))` and `a.transpose()` (its rules take up to six
    axes one by one: a rule's template cannot spread `*axes`)."""
    return np.transpose(a, _rt.method_axes(*axes))


def flatten_method(a, order="C"):
    """`a.flatten()`: always a copy (`np.ravel` may return a view, which a write would go through)."""
    return (np.ravel(a) if order == "C" else np.ravel(a, order)).copy()  # dask's ravel: no order


def copy_method(a, order="C"):
    """`a.copy()`: a new array with the same values (for a list or a dict, a shallow copy)."""
    return a.copy(order) if isinstance(a, np.ndarray) else a.copy()


def astype_method(a, dtype, order="K", casting="unsafe", subok=True, copy=True):
    """`a.astype(dtype)`, for arrays and numpy scalars (another library's array by its own
    method, which may take fewer options: dask's takes casting and copy)."""
    if is_foreign(a):
        return a.astype(dtype, casting=casting, copy=copy)
    return np.asarray(a).astype(dtype, order, casting, subok, copy)


# ---- elementwise, one operand: a rule serves both modes (`dx` in the place of `g`: see
# rules/elementwise.py)
ELEMENTWISE = {
    np.exp:        lambda g, ans, x: g * ans,
    np.exp2:       lambda g, ans, x: g * ans * math.log(2.0),
    np.expm1:      lambda g, ans, x: g * (ans + 1.0),
    np.log:        lambda g, ans, x: _rt.over(g, x),
    np.log2:       lambda g, ans, x: _rt.over(g, x * math.log(2.0)),
    np.log10:      lambda g, ans, x: _rt.over(g, x * math.log(10.0)),
    np.log1p:      lambda g, ans, x: _rt.over(g, 1.0 + x),
    np.sqrt:       lambda g, ans, x: g / (2.0 * ans),
    np.cbrt:       lambda g, ans, x: g / (3.0 * ans * ans),
    np.square:     lambda g, ans, x: g * 2.0 * x,
    np.reciprocal: lambda g, ans, x: -g * ans * ans,
    np.sin:        lambda g, ans, x: g * np.cos(x),
    np.cos:        lambda g, ans, x: -g * np.sin(x),
    np.tan:        lambda g, ans, x: g * (1.0 + ans * ans),
    np.arcsin:     lambda g, ans, x: g / np.sqrt(1.0 - x * x),
    np.arccos:     lambda g, ans, x: -g / np.sqrt(1.0 - x * x),
    np.arctan:     lambda g, ans, x: g / (1.0 + x * x),
    np.sinh:       lambda g, ans, x: g * np.cosh(x),
    np.cosh:       lambda g, ans, x: g * np.sinh(x),
    np.tanh:       lambda g, ans, x: g * (1.0 - ans * ans),
    np.arcsinh:    lambda g, ans, x: g / np.sqrt(x * x + 1.0),
    np.arccosh:    lambda g, ans, x: g / np.sqrt(x * x - 1.0),
    np.arctanh:    lambda g, ans, x: g / (1.0 - x * x),
    np.abs:        lambda g, ans, x: g * _rt.abs_slope(x),
    np.fabs:       lambda g, ans, x: g * _rt.abs_slope(x),
    np.negative:   lambda g, ans, x: -g,
    np.positive:   lambda g, ans, x: g,
    np.deg2rad:    lambda g, ans, x: g * (math.pi / 180.0),
    np.radians:    lambda g, ans, x: g * (math.pi / 180.0),
    np.rad2deg:    lambda g, ans, x: g * (180.0 / math.pi),
    np.degrees:    lambda g, ans, x: g * (180.0 / math.pi),
}

VJP = {
    **ELEMENTWISE,
    np.real:       lambda g, ans, val: g,  # not in ELEMENTWISE: a complex tangent's real part

    # ---- elementwise, two or three operands (BROADCASTING: summed back by the transform)
    np.add:        lambda g, ans, x1, x2: (g, g),
    np.subtract:   lambda g, ans, x1, x2: (g, -g),
    np.multiply:   lambda g, ans, x1, x2: (g * x2, g * x1),
    np.divide:     lambda g, ans, x1, x2: (g / x2, -g * ans / x2),
    np.power:      lambda g, ans, x1, x2: (g * x2 * np.power(x1, x2 - 1), g * ans * _rt.power_log(x1)),
    np.float_power: lambda g, ans, x1, x2: (g * x2 * np.float_power(x1, x2 - 1), g * ans * _rt.power_log(x1)),
    np.mod:        lambda g, ans, x1, x2: (g, -g * np.floor_divide(x1, x2)),
    np.fmod:       lambda g, ans, x1, x2: (g, -g * np.trunc(x1 / x2)),
    np.arctan2:    lambda g, ans, x1, x2: (g * x2 / (x1 * x1 + x2 * x2), -g * x1 / (x1 * x1 + x2 * x2)),
    np.hypot:      lambda g, ans, x1, x2: (g * x1 / ans, g * x2 / ans),
    np.logaddexp:  lambda g, ans, x1, x2: (g * _rt.expit(x1 - x2), g * _rt.expit(x2 - x1)),
    np.logaddexp2: lambda g, ans, x1, x2: (g * np.exp2(x1 - ans), g * np.exp2(x2 - ans)),
    np.copysign:   lambda g, ans, x1, x2: (g * _rt.sign(x1) * np.copysign(1.0, ans), None),
    np.maximum:    lambda g, ans, x1, x2: (g * (x1 >= x2), g * (x1 < x2)),
    np.minimum:    lambda g, ans, x1, x2: (g * (x1 <= x2), g * (x1 > x2)),
    np.fmax:       lambda g, ans, x1, x2: (g * ((x1 >= x2) | np.isnan(x2)), g * ((x1 < x2) | np.isnan(x1))),
    np.fmin:       lambda g, ans, x1, x2: (g * ((x1 <= x2) | np.isnan(x2)), g * ((x1 > x2) | np.isnan(x1))),
    np.where:      lambda g, ans, condition, x, y: (None, np.where(condition, g, 0.0), np.where(condition, 0.0, g)),
    np.clip:       lambda g, ans, a, a_min=None, a_max=None, out=None, min=None, max=None:
                       (g * _rt.clip_passes(a, a_min, a_max, min, max),
                        g * _rt.clip_at_min(a, a_min, a_max, min, max),
                        g * _rt.clip_at_max(a, a_min, a_max, min, max), None,
                        g * _rt.clip_at_min(a, a_min, a_max, min, max),
                        g * _rt.clip_at_max(a, a_min, a_max, min, max)),

    # ---- reductions (axis: None, an int, negative, a tuple; keepdims)
    np.sum:        lambda g, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims),
    np.mean:       lambda g, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) / _rt.reduced_size(a, axis),
    np.prod:       lambda g, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) * _rt.prod_others(a, axis),
    np.max:        lambda g, ans, a, axis=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) * _rt.extremum_weights(ans, a, axis, keepdims),
    np.min:        lambda g, ans, a, axis=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) * _rt.extremum_weights(ans, a, axis, keepdims),
    np.amax:       lambda g, ans, a, axis=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) * _rt.extremum_weights(ans, a, axis, keepdims),
    np.amin:       lambda g, ans, a, axis=None, out=None, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) * _rt.extremum_weights(ans, a, axis, keepdims),
    np.var:        lambda g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
                       _rt.unreduce(g, a, axis, keepdims) * _rt.variance_grad(a, axis, ddof),
    np.std:        lambda g, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
                       _rt.unreduce(g / (2.0 * ans), a, axis, keepdims) * _rt.variance_grad(a, axis, ddof),
    np.cumsum:     lambda g, ans, a, axis=None, dtype=None, out=None: _rt.uncumsum(g, a, axis),
    np.cumprod:    lambda g, ans, a, axis=None, dtype=None, out=None: _rt.uncumprod(g, ans, a, axis),
    np.diff:       lambda g, ans, a, n=1, axis=-1: _rt.undiff(g, a, n, axis),
    np.sort:       lambda g, ans, a, axis=-1, kind=None, order=None, stable=None: _rt.unsort(g, a, axis),

    # ---- linear algebra
    np.dot:        lambda g, ans, a, b, out=None: (_rt.dot_left(g, a, b), _rt.dot_right(g, a, b)),
    np.matmul:     lambda g, ans, x1, x2: (_rt.matmul_left(g, x1, x2), _rt.matmul_right(g, x1, x2)),
    np.inner:      lambda g, ans, a, b: (_rt.inner_left(g, a, b), _rt.inner_right(g, a, b)),
    np.outer:      lambda g, ans, a, b, out=None: (_rt.shaped_like(np.dot(g, np.ravel(b)), a),
                                                   _rt.shaped_like(np.dot(np.ravel(a), g), b)),
    np.vdot:       lambda g, ans, a, b: (_rt.shaped_like(g * b, a), _rt.shaped_like(g * a, b)),
    np.tensordot:  lambda g, ans, a, b, axes=2: (_rt.tensordot_left(g, a, b, axes),
                                                 _rt.tensordot_right(g, a, b, axes)),
    np.einsum:     lambda g, ans, subscripts, operand0, operand1=None, operand2=None, operand3=None, optimize=False:
                       (None, _rt.einsum_grad(g, 0, subscripts, operand0, operand1, operand2, operand3),
                        _rt.einsum_grad(g, 1, subscripts, operand0, operand1, operand2, operand3),
                        _rt.einsum_grad(g, 2, subscripts, operand0, operand1, operand2, operand3),
                        _rt.einsum_grad(g, 3, subscripts, operand0, operand1, operand2, operand3)),
    np.trace:      lambda g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, out=None:
                       _rt.undiagonal(np.expand_dims(g, -1), a, offset, axis1, axis2),
    np.diagonal:   lambda g, ans, a, offset=0, axis1=0, axis2=1: _rt.undiagonal(g, a, offset, axis1, axis2),
    np.diag:       lambda g, ans, v, k=0: _rt.undiag(g, v, k),

    # ---- shapes, copies and gathers
    np.reshape:    lambda g, ans, a, shape=None, order="C", newshape=None, copy=None: _rt.shaped_like(g, a, order),
    np.atleast_1d: lambda g, ans, ary: _rt.shaped_like(g, ary),
    np.atleast_2d: lambda g, ans, ary: _rt.shaped_like(g, ary),
    np.atleast_3d: lambda g, ans, ary: _rt.shaped_like(g, ary),
    reshape_method: lambda g, ans, a, shape0=None, shape1=None, shape2=None, shape3=None, shape4=None, shape5=None,
                          order="C": _rt.shaped_like(g, a, order),
    np.ravel:      lambda g, ans, a, order="C": _rt.unravel(g, a, order),
    flatten_method: lambda g, ans, a, order="C": _rt.unravel(g, a, order),
    np.transpose:  lambda g, ans, a, axes=None: np.transpose(g, _rt.inverse_permutation(axes, np.ndim(a))),
    transpose_method: lambda g, ans, a, axes0=None, axes1=None, axes2=None, axes3=None, axes4=None, axes5=None:
                       np.transpose(g, _rt.inverse_permutation(
                           _rt.method_axes(axes0, axes1, axes2, axes3, axes4, axes5), np.ndim(a))),
    np.swapaxes:   lambda g, ans, a, axis1, axis2: np.swapaxes(g, axis1, axis2),
    np.moveaxis:   lambda g, ans, a, source, destination: np.moveaxis(g, destination, source),
    np.expand_dims: lambda g, ans, a, axis: _rt.shaped_like(g, a),
    np.squeeze:    lambda g, ans, a, axis=None: _rt.shaped_like(g, a),
    np.broadcast_to: lambda g, ans, array, shape, subok=False: _rt.unbroadcast(g, array),
    np.stack:      lambda g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind":
                       _rt.unstack(g, arrays, axis) if isinstance(arrays, (list, tuple))
                       else np.moveaxis(g, axis, 0),
    np.concatenate: lambda g, ans, arrays, axis=0, out=None, dtype=None, casting="same_kind":
                       _rt.unconcatenate(g, arrays, axis),
    np.hstack:     lambda g, ans, tup, dtype=None, casting="same_kind": _rt.unhstack(g, tup),
    np.vstack:     lambda g, ans, tup, dtype=None, casting="same_kind": _rt.unvstack(g, tup),
    row_stack:     lambda g, ans, tup, dtype=None, casting="same_kind": _rt.unvstack(g, tup),
    np.tile:       lambda g, ans, A, reps: _rt.untile(g, A, reps),
    np.repeat:     lambda g, ans, a, repeats, axis=None: _rt.unrepeat(g, a, repeats, axis),
    np.take:       lambda g, ans, a, indices, axis=None, out=None, mode="raise": _rt.untake(g, a, indices, axis, mode),
    np.flip:       lambda g, ans, m, axis=None: np.flip(g, axis),
    np.fliplr:     lambda g, ans, m: np.fliplr(g),
    np.rot90:      lambda g, ans, m, k=1, axes=(0, 1): np.rot90(g, -k, axes),
    np.linspace:   lambda g, ans, start, stop, num=50, endpoint=True, *, axis=0:
                       (_rt.unlinspace(g, start, stop, num, endpoint, axis, 0),
                        _rt.unlinspace(g, start, stop, num, endpoint, axis, 1)),
    np.full:       lambda g, ans, shape, fill_value, *, order="C", like=None:
                       (None, _rt.unbroadcast(_rt.cast_back(g, ans, ans.dtype), fill_value)),
    np.full_like:  lambda g, ans, a, fill_value, *, order="K", subok=True, shape=None:
                       (None, _rt.unbroadcast(_rt.cast_back(g, ans, ans.dtype), fill_value)),
    np.flipud:     lambda g, ans, m: np.flipud(g),
    np.roll:       lambda g, ans, a, shift, axis=None: np.roll(g, np.negative(shift), axis),
    np.triu:       lambda g, ans, m, k=0: np.triu(g, k),
    np.tril:       lambda g, ans, m, k=0: np.tril(g, k),
    np.copy:       lambda g, ans, a, order="K", subok=False:
                       _rt.unstack(g, a) if isinstance(a, (list, tuple)) else g,
    np.array:      lambda g, ans, object, dtype=None, copy=True, order="K", subok=False, ndmin=0, like=None:
                       _rt.unstack(g, object) if isinstance(object, (list, tuple))
                       else _rt.shaped_like(g, object),
    np.asarray:    lambda g, ans, a, dtype=None, order=None, device=None, copy=None, like=None:
                       _rt.unstack(g, a) if isinstance(a, (list, tuple)) else _rt.shaped_like(g, a),
    astype_method: lambda g, ans, a, dtype, order="K", casting="unsafe", subok=True, copy=True:
                       _rt.cast_back(g, a, dtype),
    copy_method:   lambda g, ans, a, order="C": g,
}

JVP = {
    **ELEMENTWISE,
    np.real:       tangent_applied(np.real, VJP),

    # ---- elementwise, two or three operands
    np.add:        lambda dx1, dx2, ans, x1, x2: dx1 + dx2,
    np.subtract:   lambda dx1, dx2, ans, x1, x2: dx1 - dx2,
    np.multiply:   lambda dx1, dx2, ans, x1, x2: dx1 * x2 + x1 * dx2,
    np.divide:     lambda dx1, dx2, ans, x1, x2: (dx1 - ans * dx2) / x2,
    np.power:      lambda dx1, dx2, ans, x1, x2: dx1 * x2 * np.power(x1, x2 - 1) + dx2 * ans * _rt.power_log(x1),
    np.float_power: lambda dx1, dx2, ans, x1, x2: dx1 * x2 * np.float_power(x1, x2 - 1) + dx2 * ans * _rt.power_log(x1),
    np.mod:        lambda dx1, dx2, ans, x1, x2: dx1 - dx2 * np.floor_divide(x1, x2),
    np.fmod:       lambda dx1, dx2, ans, x1, x2: dx1 - dx2 * np.trunc(x1 / x2),
    np.arctan2:    lambda dx1, dx2, ans, x1, x2: (dx1 * x2 - dx2 * x1) / (x1 * x1 + x2 * x2),
    np.hypot:      lambda dx1, dx2, ans, x1, x2: (dx1 * x1 + dx2 * x2) / ans,
    np.logaddexp:  lambda dx1, dx2, ans, x1, x2: dx1 * _rt.expit(x1 - x2) + dx2 * _rt.expit(x2 - x1),
    np.logaddexp2: lambda dx1, dx2, ans, x1, x2: dx1 * np.exp2(x1 - ans) + dx2 * np.exp2(x2 - ans),
    np.copysign:   lambda dx1, dx2, ans, x1, x2: dx1 * _rt.sign(x1) * np.copysign(1.0, ans),
    np.maximum:    lambda dx1, dx2, ans, x1, x2: np.where(x1 >= x2, dx1, dx2),
    np.minimum:    lambda dx1, dx2, ans, x1, x2: np.where(x1 <= x2, dx1, dx2),
    np.fmax:       lambda dx1, dx2, ans, x1, x2: np.where((x1 >= x2) | np.isnan(x2), dx1, dx2),
    np.fmin:       lambda dx1, dx2, ans, x1, x2: np.where((x1 <= x2) | np.isnan(x2), dx1, dx2),
    np.where:      lambda dcondition, dx, dy, ans, condition, x, y: np.where(condition, dx, dy),
    np.clip:       lambda da, da_min, da_max, dout, dmin, dmax, ans, a, a_min=None, a_max=None, out=None,
                          min=None, max=None:
                       da * _rt.clip_passes(a, a_min, a_max, min, max)
                       + da_min * _rt.clip_at_min(a, a_min, a_max, min, max)
                       + da_max * _rt.clip_at_max(a, a_min, a_max, min, max)
                       + dmin * _rt.clip_at_min(a, a_min, a_max, min, max)
                       + dmax * _rt.clip_at_max(a, a_min, a_max, min, max),

    # ---- reductions
    np.sum:        tangent_applied(np.sum, VJP, "axis=", "keepdims="),
    np.mean:       tangent_applied(np.mean, VJP, "axis=", "keepdims="),
    np.prod:       lambda da, ans, a, axis=None, dtype=None, out=None, keepdims=False:
                       np.sum(da * _rt.prod_others(a, axis), axis=axis, keepdims=keepdims),
    np.max:        lambda da, ans, a, axis=None, out=None, keepdims=False:
                       np.sum(da * _rt.extremum_weights(ans, a, axis, keepdims), axis=axis, keepdims=keepdims),
    np.min:        lambda da, ans, a, axis=None, out=None, keepdims=False:
                       np.sum(da * _rt.extremum_weights(ans, a, axis, keepdims), axis=axis, keepdims=keepdims),
    np.amax:       lambda da, ans, a, axis=None, out=None, keepdims=False:
                       np.sum(da * _rt.extremum_weights(ans, a, axis, keepdims), axis=axis, keepdims=keepdims),
    np.amin:       lambda da, ans, a, axis=None, out=None, keepdims=False:
                       np.sum(da * _rt.extremum_weights(ans, a, axis, keepdims), axis=axis, keepdims=keepdims),
    np.var:        lambda da, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
                       np.sum(da * _rt.variance_grad(a, axis, ddof), axis=axis, keepdims=keepdims),
    np.std:        lambda da, ans, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
                       np.sum(da * _rt.variance_grad(a, axis, ddof), axis=axis, keepdims=keepdims) / (2.0 * ans),
    np.cumsum:     tangent_applied(np.cumsum, VJP, "axis="),
    np.cumprod:    lambda da, ans, a, axis=None, dtype=None, out=None: _rt.cumprod_tangent(da, ans, a, axis),
    np.diff:       tangent_applied(np.diff, VJP, "n", "axis"),
    np.sort:       lambda da, ans, a, axis=-1, kind=None, order=None, stable=None:
                       np.take_along_axis(da, np.argsort(a, axis=axis, kind="stable"), axis=axis),

    # ---- linear algebra
    np.dot:        tangent_product(np.dot, VJP),
    np.matmul:     lambda dx1, dx2, ans, x1, x2: dx1 @ x2 + x1 @ dx2,
    np.inner:      tangent_product(np.inner, VJP),
    np.outer:      tangent_product(np.outer, VJP),
    np.vdot:       tangent_product(np.vdot, VJP),
    np.tensordot:  tangent_product(np.tensordot, VJP, "axes"),
    np.einsum:     lambda dsubscripts, doperand0, doperand1, doperand2, doperand3, ans, subscripts, operand0,
                          operand1=None, operand2=None, operand3=None, optimize=False:
                       _rt.einsum_tangent(subscripts, (doperand0, doperand1, doperand2, doperand3),
                                          (operand0, operand1, operand2, operand3)),
    np.trace:      tangent_applied(np.trace, VJP, "offset", "axis1", "axis2"),
    np.diagonal:   tangent_applied(np.diagonal, VJP, "offset", "axis1", "axis2"),
    np.diag:       tangent_applied(np.diag, VJP, "k"),

    # ---- shapes, copies and gathers
    np.reshape:    lambda da, ans, a, shape=None, order="C", newshape=None, copy=None:
                       _rt.shaped_like(da, ans, order),
    np.atleast_1d: lambda dary, ans, ary: np.reshape(dary, np.shape(ans)),
    np.atleast_2d: lambda dary, ans, ary: np.reshape(dary, np.shape(ans)),
    np.atleast_3d: lambda dary, ans, ary: np.reshape(dary, np.shape(ans)),
    reshape_method: lambda da, ans, a, shape0=None, shape1=None, shape2=None, shape3=None, shape4=None, shape5=None,
                          order="C": _rt.shaped_like(da, ans, order),
    np.ravel:      lambda da, ans, a, order="C": _rt.ravel_tangent(da, a, order),
    flatten_method: lambda da, ans, a, order="C": _rt.ravel_tangent(da, a, order).copy(),
    np.transpose:  tangent_applied(np.transpose, VJP, "axes"),
    transpose_method: lambda da, ans, a, axes0=None, axes1=None, axes2=None, axes3=None, axes4=None, axes5=None:
                       np.transpose(da, _rt.method_axes(axes0, axes1, axes2, axes3, axes4, axes5)),
    np.swapaxes:   tangent_applied(np.swapaxes, VJP, "axis1", "axis2"),
    np.moveaxis:   tangent_applied(np.moveaxis, VJP, "source", "destination"),
    np.expand_dims: tangent_applied(np.expand_dims, VJP, "axis"),
    np.squeeze:    lambda da, ans, a, axis=None: np.reshape(da, np.shape(ans)),
    np.broadcast_to: tangent_applied(np.broadcast_to, VJP, "shape"),
    np.stack:      tangent_applied(np.stack, VJP, "axis"),
    np.concatenate: tangent_applied(np.concatenate, VJP, "axis"),
    np.hstack:     tangent_applied(np.hstack, VJP),
    np.vstack:     tangent_applied(np.vstack, VJP),
    row_stack:     lambda dtup, ans, tup, dtype=None, casting="same_kind": np.vstack(dtup),
    np.tile:       tangent_applied(np.tile, VJP, "reps"),
    np.repeat:     tangent_applied(np.repeat, VJP, "repeats", "axis"),
    np.take:       lambda da, ans, a, indices, axis=None, out=None, mode="raise":
                       _rt.take_tangent(da, indices, axis, mode),
    np.flip:       tangent_applied(np.flip, VJP, "axis"),
    np.fliplr:     tangent_applied(np.fliplr, VJP),
    np.rot90:      tangent_applied(np.rot90, VJP, "k", "axes"),
    np.linspace:   lambda dstart, dstop, dnum, dendpoint, ans, start, stop, num=50, endpoint=True, *, axis=0:
                       _rt.linspace_tangent(dstart, dstop, ans, num, endpoint, axis),
    np.full:       lambda dshape, dfill_value, ans, shape, fill_value, *, order="C", like=None:
                       _rt.full_tangent(dfill_value, ans),
    np.full_like:  lambda da, dfill_value, ans, a, fill_value, *, order="K", subok=True, shape=None:
                       _rt.full_tangent(dfill_value, ans),
    np.flipud:     tangent_applied(np.flipud, VJP),
    np.roll:       tangent_applied(np.roll, VJP, "shift", "axis"),
    np.triu:       tangent_applied(np.triu, VJP, "k"),
    np.tril:       tangent_applied(np.tril, VJP, "k"),
    np.copy:       lambda da, ans, a, order="K", subok=False: np.array(da),
    np.array:      tangent_applied(np.array, VJP, "ndmin="),
    np.asarray:    lambda da, ans, a, dtype=None, order=None, device=None, copy=None, like=None:
                       np.reshape(np.asarray(da), np.shape(ans)),
    astype_method: lambda da, ans, a, dtype, order="K", casting="unsafe", subok=True, copy=True:
                       _rt.cast_back(da, ans, dtype),
    copy_method:   lambda da, ans, a, order="C": _rt.copied(da),
}

# Elementwise functions whose operands broadcast against each other.
BROADCASTING = {np.add, np.subtract, np.multiply, np.divide, np.power, np.float_power, np.mod,
                np.fmod, np.arctan2, np.hypot, np.logaddexp, np.logaddexp2, np.copysign,
                np.maximum, np.minimum, np.fmax, np.fmin, np.where, np.clip}

# Results that carry no derivative: constructors of constants, integer and boolean results,
# step functions, comparisons, tests, indices. (np.full, np.full_like, np.arange, np.linspace
# and np.logspace are not here: their values depend on their float arguments.)
NO_DERIVATIVE = {
    np.zeros, np.ones, np.empty, np.zeros_like, np.ones_like,
    np.empty_like, np.eye, np.identity, np.tri,
    np.floor, np.ceil, np.round, np.around, np.rint, np.trunc, np.fix, np.sign, np.signbit,
    np.floor_divide, np.heaviside,
    np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero, np.flatnonzero,
    np.count_nonzero, np.searchsorted, np.digitize, np.bincount,
    np.shape, np.ndim, np.size,
    np.isnan, np.isfinite, np.isinf, np.isclose, np.allclose, np.array_equal, np.all, np.any,
    np.greater, np.less, np.equal, np.not_equal, np.greater_equal, np.less_equal,
    np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
    np.intp, np.bool_,
}

# Method spellings: `x.sum(axis=0)` is normalised to `np.sum(x, axis=0)`. Only names no
# builtin container has (no `sort`, `index`, `count`), and `copy`, which works on any receiver
# with a `copy` method (a new array, or a shallow copy of a list or a dict).
METHODS = {
    "sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min,
    "var": np.var, "std": np.std, "cumsum": np.cumsum, "cumprod": np.cumprod,
    "dot": np.dot, "trace": np.trace, "diagonal": np.diagonal,
    "reshape": reshape_method, "transpose": transpose_method, "ravel": np.ravel,
    "flatten": flatten_method, "squeeze": np.squeeze, "swapaxes": np.swapaxes,
    "repeat": np.repeat, "take": np.take, "clip": np.clip, "astype": astype_method,
    "copy": copy_method, "argmax": np.argmax, "argmin": np.argmin, "argsort": np.argsort, "round": np.round,
    "nonzero": np.nonzero, "all": np.all, "any": np.any,
}

# Attribute spellings: `x.T` is normalised to `np.transpose(x)`.
ATTRIBUTES = {"T": np.transpose, "real": np.real}
