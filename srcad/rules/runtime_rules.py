"""Derivative rules of srcad's own runtime helpers, for transforming generated code again.

A gradient srcad generated is plain Python calling `_rt.unbroadcast`, `_rt.add_at`, ...; with
these rules forward mode can run through it, which is how `hessian`, `jvp(grad(f))` and
`grad(grad(f))` work. Most helpers here are linear in their cotangent arguments (or bilinear,
for the matmul ones), so their forward rules read like the helper applied to tangents. The
rest (prod_others, norm_weights, uncumprod, cholesky_grad, the solve and einsum cotangents,
logsumexp_weights) also depend nonlinearly on the primal values they are given: their
tangents are runtime helpers, `<helper>_tangent` beside each, derived in their docstrings (that of
logsumexp_weights fits in its rule).
"""
from .. import runtime as _rt

VJP = {}  # reverse mode over generated code is not supported: forward over reverse is used

JVP = {
    _rt.unbroadcast:   lambda dg, dx, ans, g, x: _rt.unbroadcast(dg, x),
    _rt.unreduce:      lambda dg, da, daxis, dkeepdims, ans, g, a, axis, keepdims:
                           _rt.unreduce(dg, a, axis, keepdims),
    _rt.matmul_left:   lambda dg, da, db, ans, g, a, b: _rt.matmul_left(dg, a, b) + _rt.matmul_left(g, a, db),
    _rt.matmul_right:  lambda dg, da, db, ans, g, a, b: _rt.matmul_right(dg, a, b) + _rt.matmul_right(g, da, b),
    _rt.log:           lambda dx, ans, x: dx / x,
    _rt.power_log:     lambda dx, ans, x: dx * _rt.inverse_or_zero(x),
    _rt.power_slope:   lambda dx, dy, ans, x, y: dx * y * _rt.power_slope(x, y - 1)
                           + dy * (1.0 + y * _rt.power_log(x)) * x ** (y - 1),
    _rt.over:          lambda da, db, ans, a, b: _rt.over(da - ans * db, b),
    _rt.expit:         lambda dz, ans, z: _rt.expit_tangent(dz, z),
    _rt.item:          lambda db, di, ans, b, i: _rt.item(db, i),
    _rt.add_at:        lambda db, da, dindex, dg, ans, b, a, index, g: _rt.add_at(db, a, index, dg),
    _rt.drop_last:     lambda db, ans, b: _rt.drop_last(db),
    _rt.add:           lambda da, db, ans, a, b: _rt.add(da, db),
    _rt.sum_grad:      lambda dg, diterable, ans, g, iterable: _rt.sum_grad(dg, iterable),
    _rt.unstack:       lambda dg, darrays, daxis, ans, g, arrays, axis=0: _rt.unstack(dg, arrays, axis),
    _rt.gradient:      lambda dg, dx, ans, g, x: _rt.gradient(dg, x),
    _rt.unshared:      lambda dg, dothers, ans, g, others: dg,
    _rt.zeros_as:      lambda dg, dlike, ans, g, like: _rt.zeros_as(dg, like),
    _rt.saved:         lambda dx, ans, x: _rt.saved(dx),
    _rt.copied:        lambda dx, ans, x: _rt.copied(dx),
    _rt.zero_at:       lambda db, dindex, ans, b, index: _rt.zero_at(db, index),
    # the helpers of the numpy table's rules
    _rt.shaped_like:     lambda dout, da, dorder, ans, out, a, order="C": _rt.shaped_like(dout, a, order),
    _rt.dot_left:        lambda dg, da, db, ans, g, a, b: _rt.dot_left(dg, a, b) + _rt.dot_left(g, a, db),
    _rt.dot_right:       lambda dg, da, db, ans, g, a, b: _rt.dot_right(dg, a, b) + _rt.dot_right(g, da, b),
    _rt.inner_left:      lambda dg, da, db, ans, g, a, b: _rt.inner_left(dg, a, b) + _rt.inner_left(g, a, db),
    _rt.inner_right:     lambda dg, da, db, ans, g, a, b: _rt.inner_right(dg, a, b) + _rt.inner_right(g, da, b),
    _rt.tensordot_left:  lambda dg, da, db, daxes, ans, g, a, b, axes=2:
                             _rt.tensordot_left(dg, a, b, axes) + _rt.tensordot_left(g, a, db, axes),
    _rt.tensordot_right: lambda dg, da, db, daxes, ans, g, a, b, axes=2:
                             _rt.tensordot_right(dg, a, b, axes) + _rt.tensordot_right(g, da, b, axes),
    _rt.variance_grad:   lambda da, daxis, dddof, ans, a, axis, ddof: _rt.variance_grad(da, axis, ddof),
    _rt.uncumsum:        lambda dg, da, daxis, ans, g, a, axis: _rt.uncumsum(dg, a, axis),
    _rt.unravel:         lambda dg, da, dorder, ans, g, a, order="C": _rt.unravel(dg, a, order),
    _rt.undiagonal:      lambda dg, da, doffset, daxis1, daxis2, ans, g, a, offset=0, axis1=0, axis2=1:
                             _rt.undiagonal(dg, a, offset, axis1, axis2),
    _rt.undiag:          lambda dg, dv, dk, ans, g, v, k: _rt.undiag(dg, v, k),
    _rt.unconcatenate:   lambda dg, darrays, daxis, ans, g, arrays, axis=0: _rt.unconcatenate(dg, arrays, axis),
    _rt.unhstack:        lambda dg, dtup, ans, g, tup: _rt.unhstack(dg, tup),
    _rt.unvstack:        lambda dg, dtup, ans, g, tup: _rt.unvstack(dg, tup),
    _rt.untile:          lambda dg, dA, dreps, ans, g, A, reps: _rt.untile(dg, A, reps),
    _rt.unrepeat:        lambda dg, da, drepeats, daxis, ans, g, a, repeats, axis=None: _rt.unrepeat(dg, a, repeats, axis),
    _rt.untake:          lambda dg, da, dindices, daxis, dmode, ans, g, a, indices, axis=None, mode="raise":
                             _rt.untake(dg, a, indices, axis, mode),
    _rt.unsort:          lambda dg, da, daxis, ans, g, a, axis=-1: _rt.unsort(dg, a, axis),
    _rt.undiff:          lambda dg, da, dn, daxis, ans, g, a, n=1, axis=-1: _rt.undiff(dg, a, n, axis),
    _rt.cast_back:       lambda dg, da, ddtype, ans, g, a, dtype: _rt.cast_back(dg, a, dtype),
    # helpers that are not linear in what varies: their tangents are helpers too. A helper's
    # own `ans` (the primal output it is given) is spelled after what it is: n, c, L, x, y.
    _rt.prod_others:     lambda da, daxis, ans, a, axis: _rt.prod_others_tangent(da, a, axis),
    _rt.norm_weights:    lambda dn, dx, dord, daxis, dkeepdims, ans, n, x, ord, axis, keepdims:
                             _rt.norm_weights_tangent(dn, dx, n, x, ord, axis, keepdims),
    _rt.uncumprod:       lambda dg, dc, da, daxis, ans, g, c, a, axis:
                             _rt.uncumprod_tangent(dg, dc, da, g, c, a, axis),
    _rt.cholesky_grad:   lambda dg, dL, dupper, ans, g, L, upper: _rt.cholesky_grad_tangent(dg, dL, g, L, upper),
    _rt.solve_left:      lambda dg, dx, da, db, ans, g, x, a, b: _rt.solve_left_tangent(dg, dx, da, g, x, a, b),
    _rt.solve_right:     lambda dg, dx, da, db, ans, g, x, a, b: _rt.solve_right_tangent(dg, da, g, a, b),
    _rt.einsum_grad:     lambda dg, dk, dsubscripts, doperand0, doperand1, doperand2, doperand3, ans, g, k, subscripts,
                                operand0, operand1=None, operand2=None, operand3=None:
                             _rt.einsum_grad_tangent(dg, (doperand0, doperand1, doperand2, doperand3), g, k, subscripts,
                                                     (operand0, operand1, operand2, operand3)),
    _rt.logsumexp_weights: lambda dy, da, daxis, dkeepdims, db, ans, y, a, axis, keepdims, b=None:
                             _rt.logsumexp_weights(y, a, axis, keepdims, b) * (da - _rt.unreduce(dy, a, axis, keepdims))
                             + _rt.logsumexp_weights(y, a, axis, keepdims) * db,
}

NO_DERIVATIVE = {_rt.reduced_size, _rt.sign, _rt.abs_slope, _rt.inverse_or_zero, _rt.zeros_like, _rt.scalar_seed, reversed, slice,
                 _rt.extremum_weights, _rt.clip_passes, _rt.clip_at_min, _rt.clip_at_max,
                 _rt.inverse_permutation, _rt.method_axes, _rt.disjoint_write}
