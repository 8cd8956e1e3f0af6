"""The tape's view of srcad's rule tables: one `Entry` per function or operator, cached.

An entry wraps the table's own lambda (`fn`). For a rule whose body is a tuple of cotangents it
also holds one lambda per operand (`parts`), compiled once from the same template, so that a call
with constant operands computes only the cotangents it needs, as the source transformation's
inlining does (and autograd's per-argument vjps): `x ** 2` at a negative `x` never takes the log
of `x`, and `np.dot(data, w)` never builds the cotangent of `data`.

Entries are looked up by the function object itself (a dict hit, no `inspect`) and forgotten
when the registry changes (`refresh`, once per gradient), so new table rows and `defvjp` rules
are seen without any change here.
"""
import ast
import copy

import gast
import numpy as np

from ..rules import registry


class Entry:
    """How the tape differentiates one function or operator."""
    __slots__ = ("fn", "parts", "single", "broadcasts", "names", "accepts", "no_rule")

    def __init__(self, fn, parts, single, broadcasts, names, accepts, no_rule=frozenset()):
        self.fn = fn                  # rule(g, ans, *args, **kwargs) -> cotangent(s)
        self.parts = parts            # per operand: rule giving its cotangent alone (None: none)
        self.single = single          # fn returns one bare cotangent (None: one per positional arg)
        self.broadcasts = broadcasts  # cotangents are summed back to their operand's shape
        self.names = names            # parameter names after g, ans (None: unknown)
        self.accepts = accepts        # keyword names the rule takes (None: any)
        self.no_rule = no_rule        # positions whose cotangent srcad has no rule for (refused)


class _Marker:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


CONSTANT = _Marker("CONSTANT")  # no derivative: the result is a constant
MISSING = _Marker("MISSING")    # no rule at all: the tape refuses the call

ENTRIES = {}
_signature = None


def refresh():
    """Forget the cached entries if the registry has changed since they were made."""
    global _signature
    reg = registry()
    # The custom rules themselves (not their ids, which a freed rule may pass on).
    signature = (reg, len(reg.vjp), len(reg.no_derivative), tuple(reg.custom_vjp.values()))
    if signature != _signature:
        ENTRIES.clear()
        _signature = signature


def entry(key):
    """The entry of `key` (a function, or a gast operator class): an Entry, CONSTANT or MISSING."""
    try:
        found = ENTRIES.get(key)
    except TypeError:  # an unhashable callable: look it up every time
        return _load(key)
    if found is None:
        found = ENTRIES[key] = _load(key)
    return found


def _load(key):
    reg = registry()
    try:
        rule = reg.reverse_rule(key)  # a defvjp rule first, else the table's
    except TypeError:
        rule = None
    if rule is not None and rule.template is None:
        # defvjp: one cotangent, or a tuple of one per positional argument (README, "API")
        return Entry(rule.fn, None, None, rule.broadcasts, None, None)
    if rule is not None:
        return _from_rule(rule)
    if reg.has_no_derivative(key):
        return CONSTANT
    if key in OPERATOR_UFUNCS:
        return entry(OPERATOR_UFUNCS[key])
    return MISSING


# `array % x` reaches the tape as np.remainder(array, x): where the numpy table has no row for
# the ufunc numpy uses to spell a Python operator, that operator's row is used, as the source
# transformation uses it for `%` whatever the operands.
OPERATOR_UFUNCS = {
    np.add: gast.Add, np.subtract: gast.Sub, np.multiply: gast.Mult, np.divide: gast.Div,
    np.power: gast.Pow, np.remainder: gast.Mod, np.floor_divide: gast.FloorDiv,
    np.matmul: gast.MatMult, np.negative: gast.USub, np.positive: gast.UAdd,
    np.bitwise_and: gast.BitAnd, np.bitwise_or: gast.BitOr, np.bitwise_xor: gast.BitXor,
    np.left_shift: gast.LShift, np.right_shift: gast.RShift, np.invert: gast.Invert,
    np.less: gast.Lt, np.less_equal: gast.LtE, np.greater: gast.Gt, np.greater_equal: gast.GtE,
    np.equal: gast.Eq, np.not_equal: gast.NotEq,
}


def _from_rule(rule):
    args = rule.template.args
    names = rule.params[2:]
    accepts = None if args.kwarg is not None else frozenset(names) | {a.id for a in args.kwonlyargs}
    body = rule.template.body
    if isinstance(body, gast.Tuple):
        parts = tuple(None if _is_none(e) else _part(rule, e) for e in body.elts)
        no_rule = frozenset(i for i, e in enumerate(body.elts) if _no_rule(e))
        return Entry(rule.fn, parts, False, rule.broadcasts, names, accepts, no_rule)
    # A one-expression body is the cotangent of the first operand (as the transform reads it).
    return Entry(rule.fn, (rule.fn,), True, rule.broadcasts, names, accepts)


def _part(rule, expr):
    """`lambda <the rule's parameters>: expr`, compiled in the rule's module, so tracebacks
    point at the table line."""
    lam = gast.Lambda(args=copy.deepcopy(rule.template.args), body=copy.deepcopy(expr))
    tree = ast.fix_missing_locations(gast.gast_to_ast(gast.Expression(body=lam)))
    filename = rule.namespace.get("__file__", "<srcad rules>")
    return eval(compile(tree, filename, "eval"), rule.namespace)


def _is_none(expr):
    return isinstance(expr, gast.Constant) and expr.value is None


def _no_rule(expr):
    """Whether a rule's cotangent is `_rt.no_rule_for(...)`: none srcad has."""
    return isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) and expr.func.attr == "no_rule_for"
