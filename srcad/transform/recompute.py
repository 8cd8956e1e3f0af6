"""Store or recompute: which values a straight-line loop turn saves for its reverse, and which the
reversed turn computes again (a part of reverse_control.py's `snapshot_body`).

A turn pushes one tuple of the values its reverse reads. A float made by one addition,
subtraction or multiplication (`t2 = p * x`), or copied, from values the reversed turn has
anyway costs less to compute again than to push and pop; a call (`math.sin`), a division or
anything on arrays is stored. What the reversed turn has anyway:

- before its pop, the values the turn ended with: a turn ends with copies back into its
  loop-carried variables (`x = t6`), so `t6` is `x` as the reversed turn starts;
- after its pop, the values popped, and what they make;
- always, constants and variables set once outside any loop (`p`).

The recomputed values are the same operations on the same values, so the same bits.
"""
from dataclasses import dataclass, field

import gast

from .. import gastutil as g
from ..analyze import FLOAT
from ..ir import comment

CHEAP = (gast.Add, gast.Sub, gast.Mult, gast.USub, gast.UAdd)


@dataclass
class Plan:
    stored: list                                 # pushed and popped, in the order kept
    before: list = field(default_factory=list)   # statements before the pop
    after: list = field(default_factory=list)    # statements after the pop


def plan(kept, body, copies, turn, facts, layout):
    """The Plan for a turn (`turn` its statements, `body` those but the copies deferred to its
    end) whose reverse reads `kept`."""
    invariant = _invariant(turn, layout)
    defs = {s.targets[0].id: s for s in body if isinstance(s, gast.Assign)
            and isinstance(s.targets[0], gast.Name)}
    # t6 -> x: t6 is x as the reversed turn starts, where x is popped back each turn
    ends = {c.value.id: c.targets[0].id for c in copies
            if c.targets[0].id in kept and facts.kind(c.value) == FLOAT}
    early = {}   # value -> its statement, before the pop
    for name_, stmt in defs.items():
        if name_ in ends:
            early[name_] = g.assign(name_, g.name(ends[name_]), stmt)
        elif cheap(stmt, facts) and _operands(stmt) <= set(early) | invariant:
            early[name_] = stmt
    stored = [n for n in kept if n not in early and not (n in defs and cheap(defs[n], facts))]
    late = {}    # value -> its statement, after the pop
    for name_, stmt in defs.items():
        if name_ not in early and name_ not in stored and cheap(stmt, facts) \
                and _operands(stmt) <= set(early) | set(late) | set(stored) | invariant:
            late[name_] = stmt
    stored += [n for n in kept if n not in early and n not in late and n not in stored]
    stored = [n for n in kept if n in stored]
    needed = _needed([n for n in kept if n not in stored], {**early, **late})
    # before the pop, `x` itself stands for `t6`: a copy `t6 = x` only where the reverse reads t6
    before = [_again(early[n], ends) for n in early if n in needed and (n not in ends or n in kept)]
    after = [_again(late[n]) for n in late if n in needed]
    if before:
        before.insert(0, comment("computed again from the values the turn ended with", note=True))
    if after:
        after.insert(0, comment("computed again: cheaper than saving them", note=True))
    return Plan(stored, before, after)


def _invariant(turn, layout):
    """Variables the turn reads that hold one value for good: parameters and variables of the
    function set once, outside any loop (a global may be re-bound by a helper meanwhile)."""
    set_in = {n.id for s in turn for n in g.walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    read = {n for s in turn for n in g.names_in(s)}
    return {n for n in read - set_in if n in layout.defs and layout.stable(n)}


def cheap(stmt, facts):
    """`v = a <op> b`, `v = -a` or `v = a` on floats, with + - *."""
    value = stmt.value
    if isinstance(value, gast.Name):
        return facts.kind(stmt.targets[0]) == FLOAT and facts.kind(value) == FLOAT
    op = getattr(value, "op", None)
    if not isinstance(op, CHEAP) or not isinstance(value, (gast.BinOp, gast.UnaryOp)):
        return False
    operands = [value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand]
    return facts.kind(stmt.targets[0]) == FLOAT and all(
        isinstance(o, gast.Name) and facts.kind(o) == FLOAT
        or isinstance(o, gast.Constant) and type(o.value) in (int, float) for o in operands)


def _operands(stmt):
    return set(g.names_in(stmt.value))


def _needed(wanted, statements):
    """The values to compute again: those wanted, and the ones they are computed from."""
    needed, work = set(), list(wanted)
    while work:
        name_ = work.pop()
        if name_ in needed or name_ not in statements:
            continue
        needed.add(name_)
        work.extend(_operands(statements[name_]))
    return needed


def _again(stmt, renamed=None):
    """`stmt` once more, reading `renamed`'s values under their new names."""
    value = g.clone(stmt.value)
    for node in g.walk(value):
        if isinstance(node, gast.Name) and renamed and node.id in renamed:
            node.id = renamed[node.id]
    return g.located(g.assign(stmt.targets[0].id, value), stmt)
