"""Derivative rules of `scipy.special` functions (scipy is optional: without it, srcad.rules
leaves this table out).

`g` is the output's cotangent, `ans` the output, then the call's arguments with scipy's own
parameter names and defaults; a forward rule takes one tangent per leading parameter. A
one-operand elementwise function's rule is in `ELEMENTWISE`, once, for both modes.

The incomplete beta and gamma functions and Student's t distribution function (betainc,
gammainc, gammaincc, stdtr: the cdfs of scipy.stats' beta, gamma and t) are differentiated in
their last argument (closed forms); their derivatives in the shape parameters have none, and
neither has zeta's in its first argument or polygamma's in its order: there the term is
`_rt.no_rule_for`, which the transforms refuse at the user's line when that argument is
differentiated.
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
    scipy.special.xlog1py:     lambda g, ans, x, y: (g * np.log1p(y), g * x / (1.0 + y)),
    scipy.special.betaln:      lambda g, ans, a, b: (g * (scipy.special.digamma(a) - scipy.special.digamma(a + b)),
                                                     g * (scipy.special.digamma(b) - scipy.special.digamma(a + b))),
    scipy.special.betainc:     lambda g, ans, a, b, x: (_rt.no_rule_for(g, "scipy.special.betainc", "a"),
                                                        _rt.no_rule_for(g, "scipy.special.betainc", "b"),
                                                        g * np.exp(scipy.special.xlogy(a - 1.0, x)
                                                                   + scipy.special.xlog1py(b - 1.0, -x)
                                                                   - scipy.special.betaln(a, b))),
    scipy.special.gammainc:    lambda g, ans, a, x: (_rt.no_rule_for(g, "scipy.special.gammainc", "a"),
                                                     g * np.exp(scipy.special.xlogy(a - 1.0, x) - x
                                                                - scipy.special.gammaln(a))),
    scipy.special.gammaincc:   lambda g, ans, a, x: (_rt.no_rule_for(g, "scipy.special.gammaincc", "a"),
                                                     -g * np.exp(scipy.special.xlogy(a - 1.0, x) - x
                                                                 - scipy.special.gammaln(a))),
    scipy.special.stdtr:       lambda g, ans, df, t: (_rt.no_rule_for(g, "scipy.special.stdtr", "df"),
                                                      g * np.exp(scipy.special.gammaln((df + 1.0) / 2.0)
                                                                 - scipy.special.gammaln(df / 2.0)
                                                                 - 0.5 * np.log(df * math.pi)
                                                                 - (df + 1.0) / 2.0 * np.log1p(t * t / df))),
    scipy.special.zeta:        lambda g, ans, x, q=None: (_rt.no_rule_for(g, "scipy.special.zeta", "x"),
                                                          -g * x * scipy.special.zeta(x + 1.0, q)),
    scipy.special.polygamma:   lambda g, ans, n, x: (_rt.no_rule_for(g, "scipy.special.polygamma", "n"),
                                                     g * scipy.special.polygamma(n + 1, x)),
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
    scipy.special.xlog1py:     lambda dx, dy, ans, x, y: dx * np.log1p(y) + dy * x / (1.0 + y),
    scipy.special.betaln:      lambda da, db, ans, a, b: da * (scipy.special.digamma(a) - scipy.special.digamma(a + b))
                                   + db * (scipy.special.digamma(b) - scipy.special.digamma(a + b)),
    scipy.special.betainc:     lambda da, db, dx, ans, a, b, x: _rt.no_rule_for(da, "scipy.special.betainc", "a")
                                   + _rt.no_rule_for(db, "scipy.special.betainc", "b")
                                   + dx * np.exp(scipy.special.xlogy(a - 1.0, x) + scipy.special.xlog1py(b - 1.0, -x)
                                                 - scipy.special.betaln(a, b)),
    scipy.special.gammainc:    lambda da, dx, ans, a, x: _rt.no_rule_for(da, "scipy.special.gammainc", "a")
                                   + dx * np.exp(scipy.special.xlogy(a - 1.0, x) - x - scipy.special.gammaln(a)),
    scipy.special.gammaincc:   lambda da, dx, ans, a, x: _rt.no_rule_for(da, "scipy.special.gammaincc", "a")
                                   - dx * np.exp(scipy.special.xlogy(a - 1.0, x) - x - scipy.special.gammaln(a)),
    scipy.special.stdtr:       lambda ddf, dt, ans, df, t: _rt.no_rule_for(ddf, "scipy.special.stdtr", "df")
                                   + dt * np.exp(scipy.special.gammaln((df + 1.0) / 2.0) - scipy.special.gammaln(df / 2.0)
                                                 - 0.5 * np.log(df * math.pi) - (df + 1.0) / 2.0 * np.log1p(t * t / df)),
    scipy.special.zeta:        lambda dx, dq, ans, x, q=None: _rt.no_rule_for(dx, "scipy.special.zeta", "x")
                                   - dq * x * scipy.special.zeta(x + 1.0, q),
    scipy.special.polygamma:   lambda dn, dx, ans, n, x: _rt.no_rule_for(dn, "scipy.special.polygamma", "n")
                                   + dx * scipy.special.polygamma(n + 1, x),
}

# Elementwise functions whose operands broadcast against each other.
BROADCASTING = {scipy.special.xlogy, scipy.special.xlog1py, scipy.special.betaln, scipy.special.betainc,
                scipy.special.gammainc, scipy.special.gammaincc, scipy.special.stdtr, scipy.special.zeta,
                scipy.special.polygamma}
