"""Derivative rules of Python's operators, keyed by gast operator class.

Each rule is `lambda g, ans, *operands: cotangents` (one per operand, a tuple for two): `g` the
output's cotangent, `ans` the output. The templates work on floats and arrays alike; the
transform sums a cotangent back to a broadcast operand's shape.
"""
import gast

from .. import runtime as _rt


class WholePow(gast.Pow):
    """`x ** n` with `n` a whole constant >= 1 (`x ** 2`): its rule needs no guard (no
    0 ** negative, no complex power), so the transforms inline it as plain arithmetic."""


# The unary operators: a rule serves both modes (`dx` in the place of `g`: rules/elementwise.py)
ELEMENTWISE = {
    gast.USub:    lambda g, ans, x: -g,
    gast.UAdd:    lambda g, ans, x: g,
}

VJP = {
    gast.Add:     lambda g, ans, x, y: (g, g),
    gast.Sub:     lambda g, ans, x, y: (g, -g),
    gast.Mult:    lambda g, ans, x, y: (g * y, g * x),
    gast.Div:     lambda g, ans, x, y: (g / y, -g * ans / y),
    gast.Pow:     lambda g, ans, x, y: (g * _rt.power_slope(x, y), g * ans * _rt.power_log(x)),
    WholePow:     lambda g, ans, x, y: (g * y * x ** (y - 1), g * ans * _rt.power_log(x)),
    gast.Mod:     lambda g, ans, x, y: (g, -g * (x // y)),
    gast.MatMult: lambda g, ans, x, y: (_rt.matmul_left(g, x, y), _rt.matmul_right(g, x, y)),
    **ELEMENTWISE,
}

JVP = {
    gast.Add:     lambda dx, dy, ans, x, y: dx + dy,
    gast.Sub:     lambda dx, dy, ans, x, y: dx - dy,
    gast.Mult:    lambda dx, dy, ans, x, y: dx * y + x * dy,
    gast.Div:     lambda dx, dy, ans, x, y: (dx - ans * dy) / y,
    gast.Pow:     lambda dx, dy, ans, x, y: dx * _rt.power_slope(x, y) + dy * ans * _rt.power_log(x),
    WholePow:     lambda dx, dy, ans, x, y: dx * y * x ** (y - 1) + dy * ans * _rt.power_log(x),
    gast.Mod:     lambda dx, dy, ans, x, y: dx - dy * (x // y),
    gast.MatMult: lambda dx, dy, ans, x, y: dx @ y + x @ dy,
    **ELEMENTWISE,
}

# Operators whose operands broadcast against each other.
BROADCASTING = {gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow, WholePow, gast.Mod}


def rule_key(op, right):
    """The table key of operator `op` whose right operand is the expression `right`."""
    if type(op) is gast.Pow and isinstance(right, gast.Constant) and type(right.value) in (int, float) \
            and right.value >= 1 and float(right.value).is_integer():
        return WholePow
    return type(op)

# Operators whose result carries no derivative.
NO_DERIVATIVE = {gast.FloorDiv,
                 gast.Not, gast.Eq, gast.NotEq, gast.Lt, gast.LtE,
                 gast.Gt, gast.GtE, gast.Is, gast.IsNot, gast.In, gast.NotIn}
