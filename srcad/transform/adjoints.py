"""Adjoint terms of one three-address statement `t = <value>`, inlined from the rule tables.

`terms(value, bt, ans, stmt)` gives `(operand, term)` pairs: the cotangent `term` flows into
`operand` (added to its adjoint). An `AddAt` term says "add `g` into the operand's adjoint at
`index`" (indexing), which the caller turns into a call of `_rt.add_at`.
"""
from dataclasses import dataclass

import gast

from .. import gastutil as g
from ..gastutil import callable_text, index_value
from .. import runtime
from ..analyze import FLOAT, OTHER
from ..errors import Unsupported
from ..parse import UNRESOLVED
from ..rules import registry
from ..rules.operators import rule_key
from . import calls
from .templates import bind, inline, refuse_no_rule


@dataclass
class Prelude:
    """A value computed once before the terms, which read it as `t[i]` (their subscript's
    value is filled in with the temporary holding it)."""
    value: object


@dataclass
class AddAt:
    index: object  # gast expression
    g: object      # gast expression


class Terms:
    def __init__(self, facts, namespace):
        self.facts = facts
        self.ns = namespace

    def __call__(self, value, bt, ans, stmt):
        visit = getattr(self, "adjoint_" + type(value).__name__, None)
        if visit is None:
            raise expression_refused(value, stmt)
        return visit(value, bt, ans, stmt)

    def rt(self, helper):
        return g.attr(self.ns.refer(runtime, "_rt"), helper)

    def adjoint_Name(self, value, bt, ans, stmt):
        return [(value, bt)]

    def adjoint_Constant(self, value, bt, ans, stmt):
        return []

    def adjoint_BinOp(self, value, bt, ans, stmt):
        rule = registry().reverse_rule(rule_key(value.op, value.right))
        if rule is None:
            raise operator_refused(value.op, stmt)
        terms = inline(rule, {"g": bt, "ans": ans, "x": value.left, "y": value.right}, self.ns)
        operands = [value.left, value.right]
        return [(o, self.unbroadcast(t, o, ans, rule)) for o, t in zip(operands, terms)]

    def adjoint_UnaryOp(self, value, bt, ans, stmt):
        rule = registry().reverse_rule(type(value.op))
        if rule is None:
            raise operator_refused(value.op, stmt)
        return [(value.operand, inline(rule, {"g": bt, "ans": ans, "x": value.operand}, self.ns))]

    def adjoint_Call(self, value, bt, ans, stmt):
        fn = self.facts.calls.get(id(value), UNRESOLVED)
        if fn is not UNRESOLVED and registry().has_no_derivative(fn):
            return []  # math.floor(x): a constant to the derivative
        rule = registry().reverse_rule(fn) if fn is not UNRESOLVED else None
        if rule is None and fn is UNRESOLVED and isinstance(value.func, gast.Attribute) \
                and isinstance(value.func.value, gast.Name):
            raise Unsupported(stmt, f"cannot differentiate the method call "
                                    f"{callable_text(value.func)}() on a differentiated value",
                              _method_hint(value.func, self.facts))
        if rule is None:
            text = callable_text(value.func)
            calls.refuse_made_by_srcad(fn, stmt, text)
            seen = "" if fn is not UNRESOLVED else " (not a function srcad can see)"
            raise Unsupported(stmt, f"no derivative rule for {text}{seen}",
                              f"Register one with srcad.defvjp({text}, rule)")
        if any(isinstance(a, gast.Starred) for a in value.args):
            raise Unsupported(stmt, "cannot differentiate a call with *args", "Pass arguments one by one")
        if rule.custom:
            return self.custom_terms(rule, fn, value, bt, ans, stmt)
        try:
            values = bind(rule, 2, value.args, {k.arg: k.value for k in value.keywords})
        except TypeError as error:
            raise rule_mismatch(stmt, callable_text(value.func), error, "defvjp") from None
        values.update(g=bt, ans=ans)
        terms = inline(rule, values, self.ns)
        terms = terms if isinstance(terms, list) else [terms]
        for p, t in zip(rule.params[2:], terms):
            operand = values.get(p)
            if t is not None and isinstance(operand, gast.Name) and self.facts.is_active(operand.id):
                refuse_no_rule(t, self.ns, stmt)
        return [(values[p], self.unbroadcast(t, values[p], ans, rule))
                for p, t in zip(rule.params[2:], terms) if p in values and t is not None]

    def custom_terms(self, rule, fn, value, bt, ans, stmt):
        """A rule registered with defvjp is called: `t = _rt.custom_vjp(rule, n, bt, ans, *args)`
        gives one cotangent per positional argument (zero where the rule said None)."""
        if value.keywords:
            raise Unsupported(stmt, f"cannot pass keyword arguments to {callable_text(value.func)}, "
                                    "whose derivative rule was registered with defvjp",
                              "Pass its arguments by position")
        own = getattr(rule.fn, "__name__", "")
        name_ = own if own.isidentifier() else getattr(fn, "__name__", "custom") + "_vjp"
        call = g.call(self.rt("custom_vjp"), [self.ns.refer(rule.fn, name_), g.const(len(value.args)),
                                              bt, ans] + [g.clone(a) for a in value.args])
        return [Prelude(call)] + [(a, g.subscript(None, g.const(i))) for i, a in enumerate(value.args)]

    def adjoint_Tuple(self, value, bt, ans, stmt):
        return [(e, g.call(self.rt("item"), [bt, g.const(i)])) for i, e in enumerate(value.elts)]

    adjoint_List = adjoint_Tuple

    def adjoint_Subscript(self, value, bt, ans, stmt):
        refuse_indexed_object(value, self.facts, stmt)
        return [(value.value, AddAt(index_value(value.slice, self.ns), bt))]

    def unbroadcast(self, term, operand, ans, rule):
        """`term` summed back to `operand`'s shape where the rule's operands may broadcast."""
        if term is None or not rule.broadcasts:
            return term
        if self.facts.kind(operand) == FLOAT and self.facts.kind(ans) == FLOAT:
            return term
        return g.call(self.rt("unbroadcast"), [term, g.clone(operand)])


def refuse_indexed_object(value, facts, stmt):
    """`np.r_[x, x]`, `np.c_[...]`: an object of a library indexed with values that depend on
    the inputs builds a new value from them by rules srcad does not have; without a refusal
    they would pass as constants (a zero derivative)."""
    if isinstance(value.value, gast.Name) and value.value.id in facts.kinds:
        return  # an element or a slice of the function's own value
    varied = sorted({n for n in g.names_in(value.slice) if n in facts.varied})
    if varied:
        raise Unsupported(stmt, f"cannot differentiate {callable_text(value.value)}[...] of {', '.join(varied)}, "
                                "which has no derivative rule",
                          "Build the array with np.concatenate or np.stack")


def _method_hint(func, facts):
    """What to write instead of the method call `func` (an attribute of a name) that srcad
    cannot differentiate: on a differentiated value, a numpy function; on an object passed in
    (a frozen scipy.stats distribution, say), whose type srcad does not see when it reads f, a
    call it can see."""
    receiver, method = func.value.id, func.attr
    if facts.is_active(receiver) or facts.kinds.get(receiver) != OTHER:
        return "Build lists with append only, and use numpy functions on arrays"
    example = method if method in ("logpdf", "pdf", "cdf") else "logpdf"
    return (f"{receiver} holds an object whose type srcad does not see when it reads f. A scipy.stats "
            f"distribution: make it inside f (scipy.stats.norm(loc, scale).{example}(x)), or pass its "
            f"parameters and call scipy.stats.norm.{example}(x, loc, scale). Another object: pass the "
            f"numbers it holds, or give what {receiver}.{method} computes a rule (@srcad.primitive)")


def _op_text(op):
    return {gast.FloorDiv: "//", gast.Mod: "%", gast.MatMult: "@", gast.BitAnd: "&",
            gast.BitOr: "|", gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>",
            gast.Invert: "~"}.get(type(op), type(op).__name__)


# what to write instead of an operator with no derivative rule (the bitwise ones, on an int
# that srcad differentiates as a number): its arithmetic twin where it has one
_OPERATOR_HINTS = {
    gast.Invert: "Write ~x as -x - 1",
    gast.LShift: "Write x << k as x * 2 ** k",
}
_BITWISE_HINT = ("A bitwise operator has no derivative: apply it to a value that is not differentiated "
                 "(leave the int out of wrt), or write the arithmetic it stands for (~x is -x - 1, "
                 "x << k is x * 2 ** k)")


def operator_refused(op, stmt):
    """The refusal of the operator `op` with no derivative rule (in either mode)."""
    return Unsupported(stmt, f"no derivative rule for the operator {_op_text(op)}",
                       _OPERATOR_HINTS.get(type(op), _BITWISE_HINT))


def expression_refused(value, stmt):
    """The refusal of an expression that has no derivative (in either mode)."""
    if isinstance(value, gast.BoolOp):
        return Unsupported(stmt, "cannot differentiate and/or on a differentiated value",
                           "Use an if statement that assigns the value in each branch")
    what = f"the attribute .{value.attr}" if isinstance(value, gast.Attribute) \
        else f"a {type(value).__name__} expression"
    return Unsupported(stmt, f"cannot differentiate {what}", "Rewrite it with operators and numpy or math functions")


def rule_mismatch(stmt, what, error, register):
    """The refusal of a call its derivative rule does not take (a keyword the rule leaves out)."""
    return Unsupported(stmt, f"cannot match the call to the derivative rule of {what} ({error})",
                       f"Call it without that argument, or register a rule that takes it with "
                       f"srcad.{register}({what}, rule)")
