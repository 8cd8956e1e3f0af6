"""Reverse mode: the derivative function `f_vjp(<f's parameters>, b<out>=1.0)`.

It runs a forward sweep (the primal statements, which in SSA form overwrite nothing) and then a
reverse sweep: for each active statement, last to first, one adjoint statement per active
operand, inlined from the rule table (`bx = bt * math.cos(x)`). The first contribution to an
adjoint assigns it; later ones add (`+=` on floats, `bx = bx + ...` on arrays, which never
mutates a value another adjoint may share). It returns `(value, gradient)`, the gradient a
single adjoint or a tuple in `wrt` order.
"""
from dataclasses import dataclass, field

import gast

from .. import gastutil as g
from .. import runtime
from ..analyze import FLOAT
from ..errors import Unsupported
from ..parse import UNRESOLVED
from ..rules import registry
from .templates import bind, inline

FORWARD_SWEEP = "forward sweep"
REVERSE_SWEEP = "reverse sweep"


def comment(text):
    """A statement the emitter prints as `# text`."""
    stmt = gast.Expr(value=g.name("__srcad_comment__"))
    stmt.comment = text
    return stmt


@dataclass
class Derivative:
    tree: gast.FunctionDef
    seed: str                  # the name of the output's cotangent parameter
    return_lineno: int
    seed_defaults: tuple = field(default=(1.0,))


VARIANTS = ("vjp", "value_and_grad", "grad")


def reverse(tree, src, facts, names, variant="vjp"):
    """The reverse-mode derivative of the three-address `tree`, as one of three variants:

    - "vjp": `f_vjp(..., by=1.0)` returns `(value, gradient)` for the cotangent `by`;
    - "value_and_grad": `f_vjp(...)` returns `(value, gradient)` with the seed 1.0;
    - "grad": `f_grad(...)` returns the gradient alone, with the seed 1.0.

    With the seed 1.0 the optimiser folds it away; where the output is not known to be a float,
    `_rt.scalar_seed(y)` makes it, refusing a non-scalar `y` before the reverse sweep runs."""
    return _Reverse(tree, src, facts, names, variant).function()


class _Reverse:
    def __init__(self, tree, src, facts, names, variant):
        self.variant = variant
        self.tree = tree
        self.src = src
        self.facts = facts
        self.names = names
        self.ns = src.namespace
        self.adjoints = {}     # primal name -> adjoint name
        self.assigned = set()  # adjoints that hold a value already

    def function(self):
        body = self.tree.body
        for stmt in body:
            if isinstance(stmt, (gast.If, gast.For, gast.While)):
                raise Unsupported(stmt, "cannot differentiate control flow yet",
                                  "Branches and loops are the control-flow issue's work")
        returns = [i for i, s in enumerate(body) if isinstance(s, gast.Return)]
        if returns != [len(body) - 1]:
            raise Unsupported(body[returns[0]] if returns else self.tree,
                              "cannot differentiate a function without a single final return",
                              "End the function with one return statement")
        ret = body[-1]
        primal = body[:-1]
        out = ret.value
        seed = self.names.adjoint(out.id if isinstance(out, gast.Name) else "out")
        if isinstance(out, gast.Name) and self.facts.is_active(out.id):
            self.adjoints[out.id] = seed
            self.assigned.add(seed)
        adjoint = []
        for stmt in reversed(primal):
            adjoint.extend(self.statement(stmt))
        gradients = [self.gradient(p) for p in self.facts.wrt]
        finish = [s for s, _ in gradients if s is not None]
        grads = [e for _, e in gradients]
        result = grads[0] if self.facts.single else g.tuple_(grads)
        args = g.clone(self.tree.args)
        returned = result if self.variant == "grad" else g.tuple_([g.clone(out), result])
        seeding = []
        if self.variant == "vjp":
            args.args.append(gast.Name(id=seed, ctx=gast.Param(), annotation=None, type_comment=None))
            args.defaults.append(g.const(1.0))
        elif self.facts.kind(out) == FLOAT:
            seeding = [g.assign(seed, g.const(1.0), ret)]
        else:
            check = g.call(g.attr(self.ns.refer(runtime, "_rt"), "scalar_seed"), [g.clone(out)])
            seeding = [g.assign(seed, check, ret)]
        ret_stmt = g.located(gast.Return(value=returned), ret)
        new_body = [comment(FORWARD_SWEEP)] + primal + [comment(REVERSE_SWEEP)] + seeding \
            + adjoint + finish + [ret_stmt]
        suffix = "_grad" if self.variant == "grad" else "_vjp"
        fdef = gast.FunctionDef(name=self.names.fresh(self.tree.name + suffix), args=args,
                                body=new_body, decorator_list=[], returns=None,
                                type_comment=None, type_params=[])
        return Derivative(gast.copy_location(fdef, self.tree), seed, ret.lineno,
                          (1.0,) if self.variant == "vjp" else ())

    # --- one primal statement -> its adjoint statements ---------------------------------------

    def statement(self, stmt):
        if not isinstance(stmt, gast.Assign) or not isinstance(stmt.targets[0], gast.Name):
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript) \
                    and self.facts.is_active(getattr(stmt.targets[0].value, "id", "")):
                raise Unsupported(stmt, "cannot differentiate an assignment into an array yet",
                                  "Build the array with np.stack or np.concatenate")
            return []
        target = stmt.targets[0].id
        if not self.facts.is_active(target) or target not in self.adjoints:
            return []
        bt = g.name(self.adjoints[target])
        value = stmt.value
        visit = getattr(self, "adjoint_" + type(value).__name__, None)
        if visit is None:
            raise Unsupported(stmt, f"cannot differentiate {_describe(value)}",
                              "Rewrite it with operators and numpy or math functions")
        out = []
        for operand, term in visit(value, bt, g.name(target), stmt):
            if term is not None and isinstance(operand, gast.Name) and self.facts.is_active(operand.id):
                out.append(self.accumulate(operand.id, term, stmt))
        return out

    def adjoint_Name(self, value, bt, ans, stmt):
        return [(value, bt)]

    def adjoint_BinOp(self, value, bt, ans, stmt):
        op = type(value.op)
        rule = registry().reverse_rule(op)
        if rule is None:
            raise Unsupported(stmt, f"no derivative rule for the operator {_op_text(value.op)}",
                              "Rewrite it with operators that have one")
        operands = [value.left, value.right]
        terms = inline(rule, {"g": bt, "ans": ans, "x": value.left, "y": value.right}, self.ns)
        return [(o, self.unbroadcast(t, o, ans, rule)) for o, t in zip(operands, terms)]

    def adjoint_UnaryOp(self, value, bt, ans, stmt):
        rule = registry().reverse_rule(type(value.op))
        if rule is None:
            raise Unsupported(stmt, f"no derivative rule for the operator {_op_text(value.op)}", "")
        return [(value.operand, inline(rule, {"g": bt, "ans": ans, "x": value.operand}, self.ns))]

    def adjoint_Call(self, value, bt, ans, stmt):
        fn = self.facts.calls.get(id(value), UNRESOLVED)
        rule = registry().reverse_rule(fn) if fn is not UNRESOLVED else None
        if rule is None:
            raise Unsupported(stmt, f"no derivative rule for {_describe_callable(value.func, fn)}",
                              f"Register one with srcad.defvjp({_callable_text(value.func)}, rule)")
        if any(isinstance(a, gast.Starred) for a in value.args):
            raise Unsupported(stmt, "cannot differentiate a call with *args", "Pass arguments one by one")
        try:
            values = bind(rule, 2, value.args, {k.arg: k.value for k in value.keywords})
        except TypeError as error:
            raise Unsupported(stmt, f"cannot match the call to the derivative rule of "
                                    f"{_callable_text(value.func)} ({error})", "") from None
        values.update(g=bt, ans=ans)
        terms = inline(rule, values, self.ns)
        params = rule.params[2:]
        if not isinstance(terms, list):
            terms = [terms]
        pairs = []
        for name_, term in zip(params, terms):
            if name_ in values:
                operand = values[name_]
                pairs.append((operand, self.unbroadcast(term, operand, ans, rule) if term is not None else None))
        return pairs

    def adjoint_Tuple(self, value, bt, ans, stmt):
        return [(e, g.subscript(bt, g.const(i))) for i, e in enumerate(value.elts)]

    adjoint_List = adjoint_Tuple

    def adjoint_Subscript(self, value, bt, ans, stmt):
        raise Unsupported(stmt, "cannot differentiate indexing yet",
                          "Indexing is the numpy issue's work; use arithmetic for now")

    # --- helpers ------------------------------------------------------------------------------

    def unbroadcast(self, term, operand, ans, rule):
        """`term` summed back to `operand`'s shape where the rule's operands may broadcast."""
        if term is None or not rule.broadcasts:
            return term
        if self.facts.kind(operand) == FLOAT and self.facts.kind(ans) == FLOAT:
            return term
        return g.call(g.attr(self.ns.refer(runtime, "_rt"), "unbroadcast"), [term, g.clone(operand)])

    def adjoint_name(self, primal):
        if primal not in self.adjoints:
            self.adjoints[primal] = self.names.adjoint(primal)
        return self.adjoints[primal]

    def accumulate(self, primal, term, like):
        name_ = self.adjoint_name(primal)
        if name_ not in self.assigned:
            self.assigned.add(name_)
            return g.assign(name_, term, like)
        if self.facts.kinds.get(primal) == FLOAT:
            return g.aug_add(name_, term, like)
        return g.assign(name_, gast.BinOp(left=g.name(name_), op=gast.Add(), right=term), like)

    def gradient(self, param):
        """(a finishing statement or None, the expression returned as `param`'s gradient)."""
        rt = self.ns.refer(runtime, "_rt")
        name_ = self.adjoints.get(param)
        if name_ is None or name_ not in self.assigned:
            if self.facts.kinds.get(param) == FLOAT:
                return None, g.const(0.0)
            return None, g.call(g.attr(rt, "zeros_like"), [g.name(param)])
        if self.facts.int_params and self.facts.kinds.get(param) == FLOAT:
            # ints in play: after folding, an adjoint may be a bare int; a gradient is a float
            return None, g.call(self.ns.refer(float, "float"), [g.name(name_)])
        if self.facts.kinds.get(param) == FLOAT:
            return None, g.name(name_)
        finish = g.assign(name_, g.call(g.attr(rt, "gradient"), [g.name(name_), g.name(param)]))
        return finish, g.name(name_)


def _op_text(op):
    return {gast.FloorDiv: "//", gast.Mod: "%", gast.MatMult: "@", gast.BitAnd: "&",
            gast.BitOr: "|", gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>",
            gast.Invert: "~"}.get(type(op), type(op).__name__)


def _describe(value):
    return {gast.BoolOp: "and/or on a differentiable value (use an if statement)",
            gast.Attribute: f"the attribute .{getattr(value, 'attr', '')}"}.get(
        type(value), f"a {type(value).__name__} expression")


def _callable_text(func):
    parts = []
    while isinstance(func, gast.Attribute):
        parts.append(func.attr)
        func = func.value
    parts.append(func.id if isinstance(func, gast.Name) else type(func).__name__)
    return ".".join(reversed(parts))


def _describe_callable(func, fn):
    text = _callable_text(func)
    if fn is UNRESOLVED:
        return f"{text} (not a function srcad can see)"
    return text
