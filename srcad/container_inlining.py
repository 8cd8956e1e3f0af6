"""Helpers of the user's given a container, or returning a dict literal, inlined by the rewrite
of containers as their leaves (containers.py): the helper's body, specialised on the container,
goes before the statement calling it and its value where the call was (`Inlining`, a part of
`containers._Rewriter`)."""
import copy
import inspect

import gast

from . import effects
from . import gastutil as g
from .container_structure import Held, Static
from .errors import SrcadError, Unsupported
from .ir import mismatched_call


class Inlining:
    """The inlining methods of `containers._Rewriter`."""

    def lifted(self, stmt, out):
        """`stmt` with the calls inside its expression that are inlined (a helper given a
        container, or returning a dict: `y = h(p, x) * 2.0`) replaced by their values, their
        bodies appended to `out`, in the order Python calls them. A call Python may not make
        (in a conditional expression, after `and`/`or`, in a lambda or a comprehension), or may
        make many times (a `while` test), is left where it is, and refused there. A call that
        is the statement's whole value is the statement's own visit's to inline (only calls in
        its arguments are lifted)."""
        field_ = {gast.Assign: "value", gast.AugAssign: "value", gast.Return: "value", gast.Expr: "value",
                  gast.If: "test"}.get(type(stmt))
        expr = getattr(stmt, field_, None) if field_ else None
        if expr is None:
            return stmt
        whole = expr if self.inlined_as_a_whole(stmt, expr) else None
        if not any(isinstance(n, gast.Call) and n is not whole and self.helper(n.func) is not None
                   for n in g.walk(expr)):
            return stmt
        lifter = _Lifter(self, out, stmt)
        expr = copy.deepcopy(expr)  # the lifter changes it in place
        stmt = copy.copy(stmt)
        setattr(stmt, field_, lifter.generic_visit(expr) if whole is not None else lifter.visit(expr))
        return stmt

    def inlined_as_a_whole(self, stmt, expr):
        """Whether `expr`, the value of `stmt`, is a call the statement's own visit inlines."""
        return isinstance(expr, gast.Call) and isinstance(stmt, (gast.Return, gast.Expr)) \
            or isinstance(expr, gast.Call) and isinstance(stmt, gast.Assign) and len(stmt.targets) == 1

    def inlined(self, expr, out, stmt):
        """The value of `expr`, a call of a helper with a container among its arguments, after
        appending the helper's body (specialised on it) to `out`; None for any other `expr`."""
        if not isinstance(expr, gast.Call):
            return None
        fn = self.helper(expr.func)
        if fn is None:
            return None
        args = [self.value(a) for a in expr.args]
        keywords = {k.arg: self.value(k.value) for k in expr.keywords}
        tree = None
        if not any(isinstance(v, Static) for v in args + list(keywords.values())):
            tree = self.plain_tree(fn)
            if tree is None or not ends_returning_dict(tree):  # a dict it returns: its keys are known here
                return None
        tree = self.helper_tree(fn, stmt)
        try:
            bound = inspect.signature(fn).bind(*args, **keywords)
        except TypeError as error:
            raise mismatched_call(stmt, fn, error) from None
        bound.apply_defaults()
        renamed = {name_: self.names.fresh(f"{fn.__name__}_{name_}") for name_ in _locals_of(tree)}
        for name_, value in bound.arguments.items():
            if not isinstance(value, (Static, gast.AST)):
                value = g.const(value)
            out += self.assign(g.store(renamed[name_]), value, stmt)
        body = _renamed(copy.deepcopy(tree.body), renamed)
        self.inlining.append(fn)
        try:
            out += self.block(body[:-1])
            result = self.value(body[-1].value) if body[-1].value is not None else g.const(None)
        finally:
            self.inlining.pop()
        return result

    def plain_tree(self, fn):
        from . import parse
        try:
            return parse.function(fn).tree
        except SrcadError:  # no source: not inlined (the call is judged later)
            return None

    def helper_tree(self, fn, stmt):
        """The def of `fn`, a helper that can be inlined: same file, globals and no closure as
        the caller, its one `return` last."""
        from . import parse
        if fn in self.inlining:
            raise Unsupported(stmt, f"cannot differentiate the recursive call of {fn.__name__} with a "
                              "container", "Rewrite the recursion as a loop")
        tree = parse.function(fn).tree
        params = tree.args
        returns = [n for n in g.walk(tree) if isinstance(n, gast.Return)]
        if fn.__code__.co_filename != self.filename or fn.__code__.co_freevars or params.vararg \
                or params.kwarg or params.kwonlyargs or params.posonlyargs or len(returns) != 1 \
                or not isinstance(tree.body[-1], gast.Return):
            raise Unsupported(stmt, f"cannot differentiate passing a container to {fn.__name__}, which "
                              "srcad inlines only from the same file, with plain parameters and one "
                              "return at its end", "Pass its items one by one: h(p['W'], p['b'])")
        return tree

    def refuse_container_to_helper(self, call):
        if self.helper(call.func) is None:
            return
        for arg in list(call.args) + [k.value for k in call.keywords]:
            if isinstance(self.value(arg), Static):  # what `lifted` left where it is
                raise Unsupported(call, "cannot differentiate passing a container to a helper function "
                                  "where Python may not call it, or call it many times (a conditional "
                                  "expression, and/or, a lambda, a comprehension, a loop's test), or to "
                                  "a helper changing what it is given, inside an expression",
                                  "Call it in a statement of its own: h = helper(p), then use h")


class _Lifter(gast.NodeTransformer):
    """Replaces the calls in an expression that `_Rewriter.inlined` inlines by their values
    (`Held`), innermost and leftmost first, as Python calls them; not inside the parts of an
    expression Python may not evaluate."""

    def __init__(self, rewriter, out, stmt):
        self.rewriter, self.out, self.stmt = rewriter, out, stmt

    def visit_Call(self, node):
        node = self.generic_visit(node)
        fn = self.rewriter.helper(node.func)
        if fn is not None and effects.changed_parameters(fn):
            return node  # what it changes may be read before it, in the same expression
        value = self.rewriter.inlined(node, self.out, self.stmt)
        return node if value is None else Held(value)

    def visit_kept(self, node):
        return node

    visit_IfExp = visit_BoolOp = visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = \
        visit_GeneratorExp = visit_NamedExpr = visit_kept


def ends_returning_dict(tree):
    last = tree.body[-1] if tree.body else None
    return isinstance(last, gast.Return) and isinstance(last.value, gast.Dict)


def _locals_of(tree):
    names = {a.id for a in tree.args.args}
    for node in g.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            names.add(node.id)
    return sorted(names)


def _renamed(stmts, renamed):
    for stmt in stmts:
        for node in g.walk(stmt):
            if isinstance(node, gast.Name) and node.id in renamed:
                node.id = renamed[node.id]
    return stmts
