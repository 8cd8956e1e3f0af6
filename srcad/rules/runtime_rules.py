"""Derivative rules of srcad's own runtime helpers, for transforming generated code again.

A gradient srcad generated is plain Python calling `_rt.unbroadcast`, `_rt.add_at`, ...; with
these rules forward mode can run through it, which is how `hessian`, `jvp(grad(f))` and
`grad(grad(f))` work. Most helpers here are linear in their cotangent arguments (or bilinear,
for the matmul ones), so their forward rules are the helper applied to tangents, written once
by `linear` and `bilinear` (linear.py). The rest (prod_others, norm_weights, uncumprod,
cholesky_grad, the solve and einsum cotangents, logsumexp_weights) also depend nonlinearly on
the primal values they are given: their tangents are runtime helpers, `<helper>_tangent`
beside each, derived in their docstrings (that of logsumexp_weights fits in its rule).
"""
from .. import runtime as _rt
from .linear import bilinear, linear

VJP = {}  # reverse mode over generated code is not supported: forward over reverse is used

JVP = {
    _rt.unbroadcast:      linear(_rt.unbroadcast, 0),
    _rt.unreduce:         linear(_rt.unreduce, 0),
    _rt.matmul_left:      bilinear(_rt.matmul_left, 0, 2),
    _rt.matmul_right:     bilinear(_rt.matmul_right, 0, 1),
    _rt.log:           lambda dx, ans, x: dx / x,
    _rt.power_log:     lambda dx, ans, x: dx * _rt.inverse_or_zero(x),
    _rt.power_slope:   lambda dx, dy, ans, x, y: dx * y * _rt.power_slope(x, y - 1)
                           + dy * (1.0 + y * _rt.power_log(x)) * x ** (y - 1),
    _rt.over:          lambda da, db, ans, a, b: _rt.over(da - ans * db, b),
    _rt.expit:         lambda dz, ans, z: _rt.expit_tangent(dz, z),
    _rt.item:             linear(_rt.item, 0),
    _rt.add_at:           linear(_rt.add_at, 0, 3),
    _rt.drop_last:        linear(_rt.drop_last, 0),
    _rt.add:              linear(_rt.add, 0, 1),
    _rt.sum_grad:         linear(_rt.sum_grad, 0),
    _rt.unstack:          linear(_rt.unstack, 0),
    _rt.gradient:         linear(_rt.gradient, 0),
    _rt.unshared:      lambda dg, dothers, ans, g, others: dg,
    _rt.zeros_as:         linear(_rt.zeros_as, 0),
    _rt.saved:            linear(_rt.saved, 0),
    _rt.copied:           linear(_rt.copied, 0),
    _rt.zero_at:          linear(_rt.zero_at, 0),
    # the helpers of the numpy table's rules
    _rt.shaped_like:      linear(_rt.shaped_like, 0),
    _rt.dot_left:         bilinear(_rt.dot_left, 0, 2),
    _rt.dot_right:        bilinear(_rt.dot_right, 0, 1),
    _rt.inner_left:       bilinear(_rt.inner_left, 0, 2),
    _rt.inner_right:      bilinear(_rt.inner_right, 0, 1),
    _rt.tensordot_left:   bilinear(_rt.tensordot_left, 0, 2),
    _rt.tensordot_right:  bilinear(_rt.tensordot_right, 0, 1),
    _rt.variance_grad:    linear(_rt.variance_grad, 0),
    _rt.uncumsum:         linear(_rt.uncumsum, 0),
    _rt.unravel:          linear(_rt.unravel, 0),
    _rt.undiagonal:       linear(_rt.undiagonal, 0),
    _rt.undiag:           linear(_rt.undiag, 0),
    _rt.unconcatenate:    linear(_rt.unconcatenate, 0),
    _rt.unhstack:         linear(_rt.unhstack, 0),
    _rt.unvstack:         linear(_rt.unvstack, 0),
    _rt.untile:           linear(_rt.untile, 0),
    _rt.unrepeat:         linear(_rt.unrepeat, 0),
    _rt.untake:           linear(_rt.untake, 0),
    _rt.unsort:           linear(_rt.unsort, 0),
    _rt.undiff:           linear(_rt.undiff, 0),
    _rt.cast_back:        linear(_rt.cast_back, 0),
    _rt.share_extremum:   linear(_rt.share_extremum, 0),
    _rt.unsort_items:     linear(_rt.unsort_items, 0),
    _rt.unlist:           linear(_rt.unlist, 0),
    _rt.unlinspace:       linear(_rt.unlinspace, 0),
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
    _rt.eigh_grad:       lambda dg, dpair, dUPLO, ans, g, pair, UPLO: _rt.eigh_grad_tangent(dg, dpair, g, pair, UPLO),
    _rt.svd_grad:        lambda dg, dfactors, da, dfull_matrices, dcompute_uv, ans, g, factors, a, full_matrices,
                                compute_uv: _rt.svd_grad_tangent(dg, dfactors, da, g, factors, a, full_matrices,
                                                                 compute_uv),
    _rt.pinv_grad:       lambda dg, dp, da, ans, g, p, a: _rt.pinv_grad_tangent(dg, dp, da, g, p, a),
    _rt.logsumexp_weights: lambda dy, da, daxis, dkeepdims, db, ans, y, a, axis, keepdims, b=None:
                             _rt.logsumexp_weights(y, a, axis, keepdims, b) * (da - _rt.unreduce(dy, a, axis, keepdims))
                             + _rt.logsumexp_weights(y, a, axis, keepdims) * db,
}

NO_DERIVATIVE = {_rt.reduced_size, _rt.sign, _rt.abs_slope, _rt.inverse_or_zero, _rt.zeros_like, _rt.scalar_seed, reversed, slice,
                 _rt.extremum_weights, _rt.clip_passes, _rt.clip_at_min, _rt.clip_at_max,
                 _rt.inverse_permutation, _rt.method_axes, _rt.disjoint_write}
