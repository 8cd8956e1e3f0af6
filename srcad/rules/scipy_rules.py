"""Derivative rules of `scipy.special` functions (scipy is optional: without it, srcad.rules
leaves this table out).

`g` is the output's cotangent, `ans` the output, then the call's arguments with scipy's own
parameter names and defaults; a forward rule takes one tangent per leading parameter. A
one-operand elementwise function's rule is in `ELEMENTWISE`, once, for both modes.
"""
import math

import numpy as np
import scipy.special

from .. import runtime as _rt

# One operand, elementwise: a rule serves both modes (`dx` in the place of `g`: see
# rules/elementwise.py)
ELEMENTWISE = {
    scipy.special.expit:       lambda g, ans, x: g * ans * (1.0 - ans),
    scipy.special.logit:       lambda g, ans, x: g / (x * (1.0 - x)),
    scipy.special.log_expit:   lambda g, ans, x: g * (1.0 - np.exp(ans)),
    scipy.special.gamma:       lambda g, ans, x: g * ans * scipy.special.digamma(x),
    scipy.special.gammaln:     lambda g, ans, x: g * scipy.special.digamma(x),
    scipy.special.digamma:     lambda g, ans, x: g * scipy.special.zeta(2.0, x),   # the trigamma function
    scipy.special.erf:         lambda g, ans, x: g * _rt.TWO_OVER_SQRT_PI * np.exp(-x * x),
    scipy.special.erfc:        lambda g, ans, x: -g * _rt.TWO_OVER_SQRT_PI * np.exp(-x * x),
    scipy.special.erfinv:      lambda g, ans, x: g * (math.sqrt(math.pi) / 2.0) * np.exp(ans * ans),
    scipy.special.ndtr:        lambda g, ans, x: g * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi),
}

VJP = {
    **ELEMENTWISE,
    scipy.special.logsumexp:   lambda g, ans, a, axis=None, b=None, keepdims=False, return_sign=False:
                                   (_rt.unreduce(g, a, axis, keepdims)
                                    * _rt.logsumexp_weights(ans, a, axis, keepdims, b),
                                    None,
                                    _rt.unbroadcast(_rt.unreduce(g, a, axis, keepdims)
                                                    * _rt.logsumexp_weights(ans, a, axis, keepdims), b)),
    scipy.special.softmax:     lambda g, ans, x, axis=None: ans * (g - np.sum(g * ans, axis=axis, keepdims=True)),
    scipy.special.log_softmax: lambda g, ans, x, axis=None: g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True),
    scipy.special.xlogy:       lambda g, ans, x, y: (g * _rt.log(y), g * x / y),
}

JVP = {
    **ELEMENTWISE,
    scipy.special.logsumexp:   lambda da, daxis, db, ans, a, axis=None, b=None, keepdims=False, return_sign=False:
                                   np.sum(da * _rt.logsumexp_weights(ans, a, axis, keepdims, b), axis=axis,
                                          keepdims=keepdims)
                                   + np.sum(db * _rt.logsumexp_weights(ans, a, axis, keepdims), axis=axis,
                                            keepdims=keepdims),
    scipy.special.softmax:     lambda dx, ans, x, axis=None: ans * (dx - np.sum(dx * ans, axis=axis, keepdims=True)),
    scipy.special.log_softmax: lambda dx, ans, x, axis=None: dx - np.sum(np.exp(ans) * dx, axis=axis, keepdims=True),
    scipy.special.xlogy:       lambda dx, dy, ans, x, y: dx * _rt.log(y) + dy * x / y,
}

# Elementwise functions whose operands broadcast against each other.
BROADCASTING = {scipy.special.xlogy}
