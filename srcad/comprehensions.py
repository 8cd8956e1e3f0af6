"""Comprehensions and generator expressions as the loops they stand for.

`[e for v in xs if c]` becomes, before normalisation,

    t = []
    for v in xs:
        if c:
            t.append(e)

and the expression is replaced by `t`; a generator expression is built the same way (as a
list: the values are the same, only computed at once), and `sum(e for v in xs)` is the loop
that adds them, `t = 0; for v in xs: t = t + e`, left to right from 0 as Python's `sum`.
Several `for` clauses nest in order. The generated code then shows the loop, and the reverse
sweep differentiates it as any loop the user writes.

A comprehension has a scope of its own: its variables are not the function's. Each is given
a name of its own where the function uses the same name elsewhere (`v` -> `v_2`), so that the
loop never overwrites one of the function's variables.
"""
import gast

from . import gastutil as g
from .errors import Unsupported

LOWERED = (gast.ListComp, gast.GeneratorExp)


def lowered(expr, result, names, outside, accumulate=None):
    """Statements computing the comprehension `expr` into the new variable `result`: its
    elements appended to a list, or, with `accumulate` (the start value), added to it.
    `names` gives fresh names; `outside`: the names the function uses outside comprehensions."""
    renames = {}
    clauses = []
    for clause in expr.generators:
        if clause.is_async:
            raise Unsupported(expr, "cannot differentiate an async comprehension", "Write a for loop")
        iterable = _renamed(clause.iter, renames)  # evaluated before the clause binds its names
        for name_ in sorted(g.assigned_names(clause.target)):
            renames[name_] = names.fresh(name_) if name_ in outside else name_
        clauses.append((_renamed(clause.target, renames), iterable,
                        [_renamed(c, renames) for c in clause.ifs]))
    element = _renamed(expr.elt, renames)
    if accumulate is None:
        start = gast.List(elts=[], ctx=gast.Load())
        add = gast.Expr(value=g.call(g.attr(g.name(result), "append"), [element]))
    else:
        start = accumulate
        add = g.assign(result, gast.BinOp(left=g.name(result), op=gast.Add(), right=element))
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
