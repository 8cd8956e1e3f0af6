"""Forward mode: `f_jvp(<f's parameters>, d<x1>, d<x2>, ...)` returns `(value, tangent)`.

Each active statement is followed by its tangent statement, inlined from the rule tables'
`JVP` entries (`dz = dx * math.cos(x)`): no tape, no second sweep; branches and loops stay as
they are, with tangents updated beside their primals. A tangent that is zero (an operand that
does not depend on the inputs) is dropped from the rule's expression before it is emitted, so
`z = x * c` gives `dz = dx * c`, not `dz = dx * c + x * 0`.
"""
import gast

from .. import gastutil as g
from ..gastutil import callable_text
from ..ir import parameters
from .. import runtime
from ..analyze import ARRAY, FLOAT
from ..errors import Unsupported
from ..parse import UNRESOLVED
from ..rules import registry
from ..rules.callees import is_user_function
from ..rules.operators import rule_key
from . import calls
from .adjoints import expression_refused, operator_refused, refuse_indexed_object, rule_mismatch
from .reverse import Derivative
from .templates import bind, inline, refuse_no_rule

ZERO = "__srcad_zero__"  # stands for a zero tangent inside a rule's expression until pruned


def forward(tree, src, facts, names, derive_call):
    """The forward-mode derivative of the three-address `tree`; `derive_call` compiles the
    derivative of a user function the code calls (the pipeline's own, see transform.reverse)."""
    return _Forward(tree, src, facts, names, derive_call).function()


class _Forward:
    def __init__(self, tree, src, facts, names, derive_call):
        self.tree, self.src, self.facts, self.names = tree, src, facts, names
        self.ns = src.namespace
        self.derive_call = derive_call
        self.tangents = {}

    def rt(self, helper):
        return g.attr(self.ns.refer(runtime, "_rt"), helper)

    def tangent(self, name_):
        if name_ not in self.tangents:
            self.tangents[name_] = self.names.tangent(name_)
        return self.tangents[name_]

    def active(self, expr):
        return isinstance(expr, gast.Name) and self.facts.is_active(expr.id)

    # --- the function ------------------------------------------------------------------------

    def function(self):
        for p in self.facts.wrt:
            self.tangent(p)
        params = parameters(self.tree)
        start = [g.assign(self.tangent(p), self.zero(g.name(p)), self.tree)  # reassigned later from
                 for p in params + self.free_active(params)  # active values; a global or closure
                 if p not in self.facts.wrt and self.facts.is_active(p)]  # value passed to a helper
        body = start + self.block(self.tree.body)
        args = g.clone(self.tree.args)
        args.args += [gast.Name(id=self.tangent(p), ctx=gast.Param(), annotation=None, type_comment=None)
                      for p in self.facts.wrt]
        if args.defaults or args.kwonlyargs:
            args.defaults = args.defaults + [g.const(None)] * len(self.facts.wrt) if args.defaults else []
        fdef = gast.FunctionDef(name=self.names.fresh(self.tree.name + "_jvp"), args=args, body=body,
                                decorator_list=[], returns=None, type_comment=None, type_params=[])
        ret = self.tree.body[-1]
        return Derivative(gast.copy_location(fdef, self.tree), None, getattr(ret, "lineno", self.tree.lineno),
                          (None,) * len(self.facts.wrt) if self.tree.args.defaults else (),
                          frozenset(self.tangents.values()), frozenset(), frozenset())

    def free_active(self, params):
        """Names read but never assigned here (globals, closure values) that the analysis calls
        active: a container passed to a helper may be changed by it. Their tangent starts at 0."""
        assigned = set(params) | {n.id for n in g.walk(self.tree)
                                  if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}
        read = {n.id: None for n in g.walk(self.tree) if isinstance(n, gast.Name)
                and isinstance(n.ctx, gast.Load) and n.id not in assigned}
        return [n for n in read if self.facts.is_active(n)]

    def block(self, stmts):
        out = []
        for stmt in stmts:
            visit = getattr(self, "visit_" + type(stmt).__name__, None)
            if visit is None:
                calls.refuse_unknown(stmt)
            out += visit(stmt) if visit else [stmt]
        return out

    def visit_Return(self, stmt):
        value = stmt.value
        tangent = self.tangent_of_atom(value, value)
        plain = self.facts.kind(value) == FLOAT and not (self.facts.int_params or self.facts.complex_powers)
        out = tangent if plain \
            else g.call(self.rt("tangent_out"), [tangent, g.clone(value)])
        return [g.located(gast.Return(value=g.tuple_([g.clone(value), out])), stmt)]

    def visit_If(self, stmt):
        new = g.clone(stmt)
        new.body = self.block(stmt.body) or [gast.Pass()]
        new.orelse = self.block(stmt.orelse)
        return [new]

    def visit_While(self, stmt):
        new = g.clone(stmt)
        new.body = self.block(stmt.body) or [gast.Pass()]
        return [new]

    def visit_For(self, stmt):
        new = g.clone(stmt)
        body = self.block(stmt.body)
        target, items = stmt.target.id, stmt.iter
        if self.facts.is_active(target) and self.active(items):  # for row, drow in zip(X, dX)
            new.target = g.tuple_([g.store(target), g.store(self.tangent(target))])
            new.target.ctx = gast.Store()
            new.iter = g.call(self.ns.refer(zip, "zip"), [g.clone(items), g.name(self.tangent(items.id))])
        elif self.facts.is_active(target):
            body = [g.assign(self.tangent(target), self.zero(g.name(target)), stmt)] + body
        new.body = body or [gast.Pass()]
        return [new]

    def visit_Expr(self, stmt):
        call = stmt.value
        if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) \
                and isinstance(call.func.value, gast.Name) and self.facts.is_active(call.func.value.id):
            receiver = call.func.value.id
            if call.func.attr != "append" or len(call.args) != 1 or call.keywords:
                raise Unsupported(stmt, f"cannot differentiate the method call .{call.func.attr}() "
                                        "that changes a differentiated value",
                                  "Build the list with append only, or assign a new value")
            item = call.args[0]
            tangent = self.tangent_of_atom(item, item)
            append = g.call(g.attr(g.name(self.tangent(receiver)), "append"), [tangent])
            return [stmt, g.located(gast.Expr(value=append), stmt)]
        calls.check_effect_call(stmt, self.facts)
        return [stmt]

    def visit_Assign(self, stmt):
        target = stmt.targets[0]
        if not isinstance(target, gast.Name):
            return self.visit_store(stmt)
        name_ = target.id
        value = stmt.value
        fn = self.facts.calls.get(id(value)) if isinstance(value, gast.Call) else None
        if fn is not None and is_user_function(fn) and (
                self.facts.is_active(name_) or calls.passes_active_container(value, self.facts)):
            return self.user_call(stmt, fn)
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
                and isinstance(value.func.value, gast.Name) and value.func.attr == "pop" \
                and self.facts.is_active(value.func.value.id) and not value.args:
            # a list of values and its list of tangents shrink together, used or not
            pop = g.call(g.attr(g.name(self.tangent(value.func.value.id)), "pop"), [])
            target = self.tangent(name_) if self.facts.is_active(name_) else self.names.fresh("_")
            return [stmt, g.assign(target, pop, stmt)]
        if not self.facts.is_active(name_):
            return [stmt]
        tangent = self.tangent_of(value, g.name(name_), stmt)
        return [stmt, g.assign(self.tangent(name_), tangent, stmt)]

    def visit_store(self, stmt):
        target = stmt.targets[0]
        base = target.value
        if not (isinstance(base, gast.Name) and base.id in self.facts.useful
                and (self.facts.is_active(base.id) or self.active(stmt.value))):
            return [stmt]  # an array nothing differentiated reads later needs no tangent
        writable = g.call(self.rt("writable_tangent"), [g.name(self.tangent(base.id)), g.name(base.id)])
        store = gast.Subscript(value=g.name(self.tangent(base.id)), slice=g.clone(target.slice), ctx=gast.Store())
        return [stmt, g.assign(self.tangent(base.id), writable, stmt),
                g.assign(store, self.tangent_of_atom(stmt.value, stmt.value), stmt)]

    # --- tangent expressions -------------------------------------------------------------------

    def zero(self, like):
        if self.facts.kind(like) == FLOAT:
            return g.const(0.0)
        return g.call(self.rt("zeros_like"), [g.clone(like)])

    def tangent_of_atom(self, expr, like):
        if self.active(expr):
            return g.name(self.tangent(expr.id))
        return self.zero(like)

    def tangent_of(self, value, ans, stmt):
        """The tangent of `ans = value` as an expression."""
        if not any(self.facts.is_active(n) for n in g.names_in(value)):
            return self.zero(ans)  # a constant, or made of inactive values only
        if isinstance(value, gast.Name):
            return self.tangent_of_atom(value, ans)
        if isinstance(value, (gast.Tuple, gast.List)):
            elts = [self.tangent_of_atom(e, e) for e in value.elts]
            return g.tuple_(elts) if isinstance(value, gast.Tuple) else gast.List(elts=elts, ctx=gast.Load())
        if isinstance(value, gast.Subscript):
            refuse_indexed_object(value, self.facts, stmt)
            if not self.active(value.value):
                return self.zero(ans)
            return gast.Subscript(value=g.name(self.tangent(value.value.id)), slice=g.clone(value.slice),
                                  ctx=gast.Load())
        if isinstance(value, (gast.BinOp, gast.UnaryOp)):
            binary = isinstance(value, gast.BinOp)
            rule = registry().forward_rule(rule_key(value.op, value.right) if binary else type(value.op))
            if rule is None:
                raise operator_refused(value.op, stmt)
            return self.from_rule(rule, [value.left, value.right] if binary else [value.operand], {}, ans, stmt,
                                  f"the operator {type(value.op).__name__}")
        if isinstance(value, gast.Call):
            fn = self.facts.calls.get(id(value), UNRESOLVED)
            if fn is not UNRESOLVED and registry().has_no_derivative(fn):
                return self.zero(ans)
            rule = registry().forward_rule(fn) if fn is not UNRESOLVED else None
            if rule is None:
                calls.refuse_made_by_srcad(fn, stmt, callable_text(value.func))
            keywords = {k.arg: k.value for k in value.keywords}
            if rule is not None and rule.custom:
                return self.custom(rule, fn, value, ans, stmt)
            return self.from_rule(rule, value.args, keywords, ans, stmt, callable_text(value.func),
                                  hint=f"Register one with srcad.defjvp({callable_text(value.func)}, rule)")
        raise expression_refused(value, stmt)

    def from_rule(self, rule, args, keywords, ans, stmt, what, hint="Rewrite it with operators that have one"):
        if rule is None:
            raise Unsupported(stmt, f"no forward derivative rule for {what}", hint)
        params = rule.params
        n_tangents = params.index("ans")
        try:
            values = bind(rule, n_tangents + 1, args, keywords)
        except TypeError as error:
            raise rule_mismatch(stmt, what, error, "defjvp") from None
        primal_params = params[n_tangents + 1:]
        for tangent_param, primal_param in zip(params[:n_tangents], primal_params):
            arg = values.get(primal_param)
            values[tangent_param] = g.name(self.tangent(arg.id)) if self.active(arg) else g.name(ZERO)
        values["ans"] = ans
        inlined = inline(rule, values, self.ns)
        if isinstance(inlined, list):  # a function of tuple output (slogdet): a tuple of tangents
            return self.tuple_tangent(inlined, ans)
        expr = _prune(inlined, set(self.tangents.values()) | {ZERO})
        if expr is None:
            return self.zero(ans)
        refuse_no_rule(expr, self.ns, stmt)
        if rule.broadcasts and self.facts.kind(ans) != FLOAT:
            expr = g.call(self.rt("broadcast_like"), [expr, g.clone(ans)])
        return expr

    def tuple_tangent(self, elts, ans):
        """`(de0, de1)` for a rule whose body is a tuple; an element with no derivative (None,
        or zero once the zero tangents are pruned) is a zero like that element of `ans`."""
        tangents = set(self.tangents.values()) | {ZERO}
        pruned = [None if e is None else _prune(e, tangents) for e in elts]
        return g.tuple_(e if e is not None else g.call(self.rt("zeros_like"), [g.subscript(g.clone(ans), g.const(i))])
                        for i, e in enumerate(pruned))

    def custom(self, rule, fn, value, ans, stmt):
        """A rule registered with defjvp: `_rt.custom_jvp(rule, (dx, None), ans, x, c)`."""
        if value.keywords:
            raise Unsupported(stmt, f"cannot pass keyword arguments to {callable_text(value.func)}, "
                                    "whose derivative rule was registered with defjvp",
                              "Pass its arguments by position")
        dargs = g.tuple_(g.name(self.tangent(a.id)) if self.active(a) else g.const(None) for a in value.args)
        name_ = getattr(fn, "__name__", "custom")
        return g.call(self.rt("custom_jvp"), [self.ns.refer(rule.fn, name_ + "_jvp"), dargs, ans]
                      + [g.clone(a) for a in value.args])

    def user_call(self, stmt, fn):
        """`t = h(a, b)`: `t, dt = h_jvp(a, b, da)` with h's own forward-mode derivative."""
        name_, call = stmt.targets[0].id, stmt.value
        bound, kinds = calls.bind_arguments(fn, call, stmt)
        active = [(p, a) for p, a in bound if self.active(a)]
        if not active:  # a constant result, which may still overwrite an active variable
            return [stmt, g.assign(self.tangent(name_), self.zero(g.name(name_)), stmt)] \
                if self.facts.is_active(name_) else [stmt]
        kinds.update({p: calls.argument_kind(a, self.facts) for p, a in bound})
        calls.refuse_changed_indirectly(fn, [p for p, _ in active if kinds.get(p) not in (FLOAT, ARRAY)], stmt)
        compiled = self.derive_call(fn, tuple(p for p, _ in active), kinds, stmt, mode="forward")
        jvp_fn = compiled.bind(fn)
        args = [g.clone(a) for a in call.args]
        keywords = [gast.keyword(arg=k.arg, value=g.clone(k.value)) for k in call.keywords]
        tangents = [g.name(self.tangent(a.id)) for _, a in active]
        new = g.call(self.ns.refer(jvp_fn, fn.__name__ + "_jvp"), args, keywords)
        new.keywords += [gast.keyword(arg=jvp_param, value=t)
                         for jvp_param, t in zip(compiled.tangent_params, tangents)]
        target = g.tuple_([g.store(name_), g.store(self.tangent(name_))])
        target.ctx = gast.Store()
        return [g.assign(target, new, stmt)]


def _prune(expr, tangents):
    """`expr` with the ZERO tangents removed by linearity; None if it is zero altogether.
    `tangents` holds the tangent names (and ZERO): the arguments a rule is linear in."""
    def prune(e):
        return _prune(e, tangents)

    def mentions(e):
        return any(isinstance(n, gast.Name) and n.id in tangents for n in g.walk(e))
    if isinstance(expr, gast.Name):
        return None if expr.id == ZERO else expr
    if isinstance(expr, gast.BinOp):
        left, right = prune(expr.left), prune(expr.right)
        op = type(expr.op)
        if op in (gast.Mult, gast.MatMult):
            if left is None or right is None:
                return None
        elif op is gast.Div:
            if left is None:
                return None
        elif op is gast.Add:
            if left is None:
                return right
            if right is None:
                return left
        elif op is gast.Sub:
            if right is None:
                return left
            if left is None:
                return gast.UnaryOp(op=gast.USub(), operand=right)
        expr.left = left if left is not None else g.const(0.0)
        expr.right = right if right is not None else g.const(0.0)
        return expr
    if isinstance(expr, gast.UnaryOp):
        operand = prune(expr.operand)
        if operand is None:
            return None
        expr.operand = operand
        return expr
    if isinstance(expr, gast.Call):
        tangent_args = [a for a in expr.args if mentions(a)]
        pruned = [prune(a) if mentions(a) else a for a in expr.args]
        if tangent_args and all(p is None for a, p in zip(expr.args, pruned) if mentions(a)):
            if not any(mentions(k.value) for k in expr.keywords):
                return None
        expr.args = [p if p is not None else g.const(0.0) for p in pruned]
        return expr
    if isinstance(expr, gast.Subscript):
        value = prune(expr.value)
        if value is None:
            return None
        expr.value = value
        return expr
    if isinstance(expr, (gast.Tuple, gast.List)):
        expr.elts = [p if p is not None else g.const(0.0) for p in map(prune, expr.elts)]
        return expr
    return expr
