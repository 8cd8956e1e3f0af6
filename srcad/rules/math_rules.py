"""Derivative rules of the `math` module and of Python's numeric builtins, for plain floats.

Read it as a cheat-sheet: `g` is the output's cotangent, `ans` the output, then the arguments.
Two-argument rules return a tuple of cotangents, one per argument. A one-operand function's
rule is in `ELEMENTWISE`, once: with `dx` in the place of `g` it is its forward rule too.

Builtins over sequences: `max`/`min` take up to four values or one sequence (a list, a tuple,
a 1-d array) and share `g` equally between the values equal to the result, as np.max's rule
does (Python returns the first of them); `sorted` sends each item's cotangent back to where it
came from (ties keep their order, as Python's stable sort does); `tuple`/`list` of an array or
a list give a list whose items' cotangents are stacked back.

At the edges the values are JAX's: d sqrt(x) and d pow(x, 0.5) at 0, d asin(x) and d acosh(x)
at 1 are inf (where a plain float division would raise), d abs(x) at 0 is 1, and
d pow(x, y)/dy at x = 0 is 0.
"""
import math

from .. import runtime as _rt

# One operand, elementwise: a rule serves both modes (`dx` in the place of `g`: see
# rules/elementwise.py)
ELEMENTWISE = {
    math.exp:      lambda g, ans, x: g * ans,
    math.expm1:    lambda g, ans, x: g * (ans + 1.0),
    math.log1p:    lambda g, ans, x: g / (1.0 + x),
    math.log2:     lambda g, ans, x: g / (x * math.log(2.0)),
    math.log10:    lambda g, ans, x: g / (x * math.log(10.0)),
    math.sqrt:     lambda g, ans, x: _rt.over(g, 2.0 * ans),
    math.sin:      lambda g, ans, x: g * math.cos(x),
    math.cos:      lambda g, ans, x: -g * math.sin(x),
    math.tan:      lambda g, ans, x: g * (1.0 + ans * ans),
    math.asin:     lambda g, ans, x: _rt.over(g, math.sqrt(1.0 - x * x)),
    math.acos:     lambda g, ans, x: _rt.over(-g, math.sqrt(1.0 - x * x)),
    math.atan:     lambda g, ans, x: g / (1.0 + x * x),
    math.sinh:     lambda g, ans, x: g * math.cosh(x),
    math.cosh:     lambda g, ans, x: g * math.sinh(x),
    math.tanh:     lambda g, ans, x: g * (1.0 - ans * ans),
    math.asinh:    lambda g, ans, x: g / math.sqrt(x * x + 1.0),
    math.acosh:    lambda g, ans, x: _rt.over(g, math.sqrt(x * x - 1.0)),
    math.atanh:    lambda g, ans, x: g / (1.0 - x * x),
    math.erf:      lambda g, ans, x: g * _rt.TWO_OVER_SQRT_PI * math.exp(-x * x),
    math.erfc:     lambda g, ans, x: -g * _rt.TWO_OVER_SQRT_PI * math.exp(-x * x),
    math.fabs:     lambda g, ans, x: g * _rt.abs_slope(x),
    math.degrees:  lambda g, ans, x: g * (180.0 / math.pi),
    math.radians:  lambda g, ans, x: g * (math.pi / 180.0),
    abs:           lambda g, ans, x: g * _rt.abs_slope(x),
    float:         lambda g, ans, x: g,
}

VJP = {
    **ELEMENTWISE,
    math.log:      lambda g, ans, x, base=math.e: (g / (x * math.log(base)),
                                                   -g * ans / (base * math.log(base))),
    math.pow:      lambda g, ans, x, y: (g * _rt.power_slope(x, y), g * ans * _rt.power_log(x)),
    math.atan2:    lambda g, ans, y, x: (g * x / (x * x + y * y), -g * y / (x * x + y * y)),
    math.hypot:    lambda g, ans, x, y: (g * x / ans, g * y / ans),
    math.copysign: lambda g, ans, x, y: (g * math.copysign(1.0, x) * math.copysign(1.0, y), None),
    sum:           lambda g, ans, iterable, start=0: (_rt.sum_grad(g, iterable), _rt.unbroadcast(g, start)),
    # max(a, b, ...) of up to four values, or max(sequence): ties share g (as np.max's rule);
    # key is keyword-only, as in Python: a fifth value must not be taken for it
    max:           lambda g, ans, arg0, arg1=None, arg2=None, arg3=None, *, key=None:
                       (_rt.share_extremum(g, ans, 0, (arg0, arg1, arg2, arg3)),
                        _rt.share_extremum(g, ans, 1, (arg0, arg1, arg2, arg3)),
                        _rt.share_extremum(g, ans, 2, (arg0, arg1, arg2, arg3)),
                        _rt.share_extremum(g, ans, 3, (arg0, arg1, arg2, arg3))),
    min:           lambda g, ans, arg0, arg1=None, arg2=None, arg3=None, *, key=None:
                       (_rt.share_extremum(g, ans, 0, (arg0, arg1, arg2, arg3)),
                        _rt.share_extremum(g, ans, 1, (arg0, arg1, arg2, arg3)),
                        _rt.share_extremum(g, ans, 2, (arg0, arg1, arg2, arg3)),
                        _rt.share_extremum(g, ans, 3, (arg0, arg1, arg2, arg3))),
    sorted:        lambda g, ans, iterable, key=None, reverse=False: _rt.unsort_items(g, iterable, key, reverse),
    tuple:         lambda g, ans, iterable=(): _rt.unlist(g, iterable),
    list:          lambda g, ans, iterable=(): _rt.unlist(g, iterable),
}

JVP = {
    **ELEMENTWISE,
    math.log:      lambda dx, dbase, ans, x, base=math.e: dx / (x * math.log(base))
                                                           - dbase * ans / (base * math.log(base)),
    math.pow:      lambda dx, dy, ans, x, y: dx * _rt.power_slope(x, y) + dy * ans * _rt.power_log(x),
    math.atan2:    lambda dy, dx, ans, y, x: (dy * x - dx * y) / (x * x + y * y),
    math.hypot:    lambda dx, dy, ans, x, y: (dx * x + dy * y) / ans,
    math.copysign: lambda dx, dy, ans, x, y: dx * math.copysign(1.0, x) * math.copysign(1.0, y),
    sum:           lambda diterable, dstart, ans, iterable, start=0: _rt.sum_tangent(diterable, dstart),
    max:           lambda darg0, darg1, darg2, darg3, ans, arg0, arg1=None, arg2=None, arg3=None, *, key=None:
                       _rt.extremum_tangent(ans, (darg0, darg1, darg2, darg3), (arg0, arg1, arg2, arg3)),
    min:           lambda darg0, darg1, darg2, darg3, ans, arg0, arg1=None, arg2=None, arg3=None, *, key=None:
                       _rt.extremum_tangent(ans, (darg0, darg1, darg2, darg3), (arg0, arg1, arg2, arg3)),
    sorted:        lambda diterable, dkey, dreverse, ans, iterable, key=None, reverse=False:
                       _rt.sorted_tangent(diterable, iterable, key, reverse),
    tuple:         lambda diterable, ans, iterable=(): tuple(diterable),
    list:          lambda diterable, ans, iterable=(): list(diterable),
}

NO_DERIVATIVE = {math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite,
                 math.factorial, math.gcd, math.isclose, round, int, bool, len, range, isinstance}
