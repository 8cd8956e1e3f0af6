"""Drop a primal call kept only for its errors when the reverse sweep repeats them.

The optimiser keeps a primal call whose value nobody reads (`t4 = math.sin(x2)` in a gradient
that needs only `math.cos(x2)`): the call may raise, and the derivative must raise where the
function does. Where a later statement of the same straight-line block calls a function that
fails on exactly the same arguments (`math.cos` fails where `math.sin` does: on infinities and
non-numbers), with the same argument still holding the same value, and every statement in
between is a plain assignment (no branch, loop or return that could skip the later call), the
earlier call adds nothing but its cost, and it goes. Only `math` functions qualify: their
arguments are numbers, which nothing changes in place. Which error comes first may change
where two statements would both fail (the function's `math.sin(x2)` error, or the
derivative's later one), never whether the derivative raises.

A kept call of a function that fails only outside a known domain (`math.log` below zero) on a
float is evaluated only where its argument may be outside it: `t1 = math.log(x1)` becomes
`x1 > 0.0 or math.log(x1)` (`test_domains`). A comparison costs less than the call, and where
the function would fail the call is made, so the derivative raises the very same error.
"""
import math
from collections import Counter

import gast

from .. import gastutil as g, ir
from .loops import stored_names

# function -> functions that raise for exactly the same arguments
SAME_FAILURES = {math.sin: (math.cos,), math.cos: (math.sin,)}


# function -> (bound, operator): the function cannot fail on a float `a` with `a operator bound`
# (nan fails every comparison: the call is then made, and gives nan as the function does)
DOMAINS = {math.log: (0.0, gast.Gt), math.log2: (0.0, gast.Gt), math.log10: (0.0, gast.Gt),
           math.log1p: (-1.0, gast.Gt), math.sqrt: (0.0, gast.GtE), math.acosh: (1.0, gast.GtE)}


def test_domains(tree, resolve, floats):
    """Replace each unread `t = fn(a)` of `tree` whose `fn` is in DOMAINS and whose `a` is a
    name in `floats` (known to hold a number: an int compares as exactly) by
    `a > bound or fn(a)`, after a comment saying so. Whether anything changed."""
    reads, changed = Counter(g.names_in(tree)), False
    for _, _, stmts in list(g.statement_lists(tree)):
        for stmt in list(stmts):
            target = g.single_target(stmt)
            call = getattr(stmt, "value", None)
            if target is None or reads.get(target) or not _one_name_call(call) \
                    or call.args[0].id not in floats:
                continue
            fn = resolve(call.func)
            domain = next((d for f, d in DOMAINS.items() if f is fn), None)
            if domain is None:
                continue
            bound, operator = domain
            test = gast.Compare(left=g.name(call.args[0].id), ops=[operator()],
                                comparators=[g.const(bound)])
            kept = g.located(gast.Expr(value=gast.BoolOp(op=gast.Or(), values=[test, call])), stmt)
            text = g.expression_text(call)
            at = stmts.index(stmt)
            note = ir.comment(f"{text}: its value is not needed, it is called only where it "
                              f"may fail, as f would", note=True)
            stmts[at:at + 1] = [g.located(note, stmt), kept]
            changed = True
    return changed


def drop_repeated(tree, resolve):
    """Remove, from the top-level block of `tree` (a FunctionDef), each `t = fn(a)` with `t`
    unread whose possible failures a later top-level statement repeats: it calls a function
    of SAME_FAILURES[fn] on `a`, and nothing assigns `a` in between. `resolve(func)`: the
    object a call's function expression denotes. Whether something was removed."""
    body, reads, changed = tree.body, Counter(g.names_in(tree)), False
    for i, stmt in enumerate(body):
        partner = _repeated_later(stmt, body[i + 1:], reads, resolve)
        if partner is not None:  # a comment in its place tells the reader where it went
            body[i] = ir.comment(f"{g.expression_text(stmt.value)} is not evaluated: "
                                 f"{g.expression_text(partner)} below fails where it would")
            changed = True
    return changed


def _repeated_later(stmt, later, reads, resolve):
    """The later call repeating the failures of `stmt`'s, if `stmt` is an unread one-argument
    call that may go, else None."""
    target = g.single_target(stmt)
    call = getattr(stmt, "value", None)
    if target is None or reads.get(target) or not _one_name_call(call):
        return None
    fn = resolve(call.func)
    partners = next((same for f, same in SAME_FAILURES.items() if f is fn), ())
    argument = call.args[0].id
    for after in later:
        if ir.comment_text(after) is not None:
            continue
        if not isinstance(after, (gast.Assign, gast.AugAssign, gast.Return)) or any(
                isinstance(n, _MAYBE) for n in g.nodes(after)):
            return None  # a branch, loop, raise or conditional expression: the call may not run
        for c in g.nodes(after):
            if _one_name_call(c) and c.args[0].id == argument \
                    and any(resolve(c.func) is p for p in partners):
                return c
        if isinstance(after, gast.Return) or argument in stored_names(after):
            return None
    return None


_MAYBE = (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.DictComp,
          gast.SetComp)


def _one_name_call(node):
    return isinstance(node, gast.Call) and len(node.args) == 1 and not node.keywords \
        and isinstance(node.args[0], gast.Name)
