"""Derivative rules of srcad's own runtime helpers, for transforming generated code again.

A gradient srcad generated is plain Python calling `_rt.unbroadcast`, `_rt.add_at`, ...; with
these rules forward mode can run through it, which is how `hessian`, `jvp(grad(f))` and
`grad(grad(f))` work. Every helper here is linear in its cotangent arguments (or bilinear, for
the matmul ones), so each forward rule reads like the helper applied to tangents.
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
    _rt.item:          lambda db, di, ans, b, i: _rt.item(db, i),
    _rt.add_at:        lambda db, da, dindex, dg, ans, b, a, index, g: _rt.add_at(db, a, index, dg),
    _rt.drop_last:     lambda db, ans, b: _rt.drop_last(db),
    _rt.add:           lambda da, db, ans, a, b: _rt.add(da, db),
    _rt.sum_grad:      lambda dg, diterable, ans, g, iterable: _rt.sum_grad(dg, iterable),
    _rt.unstack:       lambda dg, darrays, daxis, ans, g, arrays, axis=0: _rt.unstack(dg, arrays, axis),
    _rt.gradient:      lambda dg, dx, ans, g, x: _rt.gradient(dg, x),
}

NO_DERIVATIVE = {_rt.reduced_size, _rt.sign, _rt.zeros_like, _rt.scalar_seed, reversed, slice}
