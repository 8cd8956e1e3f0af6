"""Comprehensions and generator expressions as the loops they stand for.

`[e for v in xs if c]` becomes, before normalisation,

    t = []
    for v in xs:
        if c:
            t.append(e)

and the expression is replaced by `t`; a generator expression is built the same way (as a
list: the values are the same, only computed at once), and `sum(e for v in xs)` is the loop
that adds them, `t = 0; for v in xs: t = t + e`, left to right from 0 as Python's `sum`.
Several `for` clauses nest in order. A comprehension whose element is a comprehension
(`[[e for j in js] for i in is]`, a list of lists) becomes nested loops: the statement
`t.append([e for j in js])` in the outer loop is normalised in turn, so each row is built by its
own loop and appended once it is full (aliasing.unshared_changes tells writes.py that those
appends reach no row the outer list holds). The generated code then shows the loop, and the
reverse sweep differentiates it as any loop the user writes.

A comprehension has a scope of its own: its variables are not the function's. Each is given
a name of its own where the function uses the same name elsewhere (`v` -> `v_2`), so that the
loop never overwrites one of the function's variables.

A dict comprehension `{k: e for k, v in p.items()}` is written out earlier, before containers.py
(`dicts_written_out`), as the loop filling a new dict, `t = {}; for k, v in p.items(): t[k] = e`.
containers.py unrolls loops over containers and over constant tuples, so a dict whose keys are
known when f is specialised gets them, each key its own variable; keys that are not known then
(`for i in range(n)`, an `if` clause) are refused there, as writes at computed keys or keys
added in a branch.
"""
import gast

from . import gastutil as g
from .errors import Unsupported

LOWERED = (gast.ListComp, gast.GeneratorExp)

# where a dict comprehension is left in place (normalize.py refuses it): evaluated only on some
# paths, or in a scope of its own
_CONDITIONAL = (gast.BoolOp, gast.IfExp, gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.SetComp)


def dicts_written_out(tree, names):
    """`tree`, changed in place: each dict comprehension a statement evaluates (not one inside
    and/or, `a if c else b`, a lambda, another comprehension or a while test: those are refused
    later) written out before the statement as the loop filling a new dict, and replaced by it."""
    outside = names_outside(tree)
    changed = True
    while changed:  # the loops written out may hold dict comprehensions in turn
        changed = False
        for node, field, stmts in list(g.statement_lists(tree)):
            out = []
            for stmt in stmts:
                target = _filled_directly(stmt)
                found = [(target, stmt.value)] if target else _DictsOf(names).hoisted(stmt)
                for result, comprehension in found:
                    statements, renamed = lowered(comprehension, result, names, outside)
                    outside |= renamed | {result}
                    out += statements
                    changed = True
                if not target:
                    out.append(stmt)
            setattr(node, field, out)
    return tree


def _filled_directly(stmt):
    """The name of `d = {k: e for ...}` that the loop can fill itself (no second name holding
    the same dict), unless the comprehension reads the old `d`; else None."""
    if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.DictComp) and len(stmt.targets) == 1 \
            and isinstance(stmt.targets[0], gast.Name) \
            and stmt.targets[0].id not in {n.id for n in gast.walk(stmt.value) if isinstance(n, gast.Name)}:
        return stmt.targets[0].id
    return None


class _DictsOf(gast.NodeTransformer):
    """Replaces the dict comprehensions a statement evaluates itself by new names."""

    def __init__(self, names):
        self.names = names
        self.found = []

    def hoisted(self, stmt):
        """[(name, comprehension)] taken out of `stmt`'s own expressions, in order."""
        own = {gast.If: ["test"], gast.For: ["iter"], gast.Assign: ["value"], gast.AugAssign: ["value"],
               gast.AnnAssign: ["value"], gast.Return: ["value"], gast.Expr: ["value"]}.get(type(stmt), [])
        for field in own:
            if getattr(stmt, field, None) is not None:
                setattr(stmt, field, self.visit(getattr(stmt, field)))
        return self.found

    def visit_DictComp(self, node):
        result = self.names.temp()
        self.found.append((result, node))
        return g.located(g.name(result), node)

    def generic_visit(self, node):
        if isinstance(node, _CONDITIONAL):
            return node
        return super().generic_visit(node)


def lowered(expr, result, names, outside, accumulate=None):
    """Statements computing the comprehension `expr` into the new variable `result`: its
    elements appended to a list (put at their keys for a dict comprehension), or, with
    `accumulate` (the start value), added to it. `names` gives fresh names; `outside`: the
    names the function uses outside comprehensions."""
    renames = {}
    clauses = []
    for clause in expr.generators:
        if clause.is_async:
            raise Unsupported(expr, "cannot differentiate an async comprehension",
                              "Write a plain comprehension (for, not async for) over a list")
        iterable = _renamed(clause.iter, renames)  # evaluated before the clause binds its names
        for name_ in sorted(g.assigned_names(clause.target)):
            renames[name_] = names.fresh(name_) if name_ in outside else name_
        clauses.append((_renamed(clause.target, renames), iterable,
                        [_renamed(c, renames) for c in clause.ifs]))
    if isinstance(expr, gast.DictComp):
        start = gast.Dict(keys=[], values=[])
        item = gast.Subscript(value=g.name(result), slice=_renamed(expr.key, renames), ctx=gast.Store())
        add = g.assign(item, _renamed(expr.value, renames))
    elif accumulate is None:
        start = gast.List(elts=[], ctx=gast.Load())
        add = gast.Expr(value=g.call(g.attr(g.name(result), "append"), [_renamed(expr.elt, renames)]))
    else:
        start = accumulate
        add = g.assign(result, gast.BinOp(left=g.name(result), op=gast.Add(), right=_renamed(expr.elt, renames)))
    body = [add]
    for target, iterable, conditions in reversed(clauses):
        for condition in reversed(conditions):
            body = [gast.If(test=condition, body=body, orelse=[])]
        body = [gast.For(target=target, iter=iterable, body=body, orelse=[], type_comment=None)]
    statements = [g.assign(result, start)] + body
    work = list(statements)
    while work:  # every statement, those in the loops' bodies too, at the comprehension's line
        stmt = work.pop()
        g.located(stmt, expr)
        work.extend(getattr(stmt, "body", []))
    return statements, set(renames.values())


def names_outside(tree):
    """The names a function uses outside its comprehensions (and generator expressions)."""
    found = set()
    work = [tree]
    while work:
        node = work.pop()
        if isinstance(node, (gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)):
            continue
        if isinstance(node, gast.Name):
            found.add(node.id)
        work.extend(gast.iter_child_nodes(node))
    return found


def _renamed(node, renames):
    """A copy of `node` with the names in `renames` renamed (loads and stores alike: a nested
    comprehension that binds the same name binds the new one, which it then renames again)."""
    node = g.clone(node)
    for sub in gast.walk(node):
        if isinstance(sub, gast.Name) and sub.id in renames:
            sub.id = renames[sub.id]
    return node
