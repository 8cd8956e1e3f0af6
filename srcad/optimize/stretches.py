"""The tape of a checkpointed loop's stretches (transform/checkpointed.py), over a
shape-specialised derivative (after loops.py's `trim_tape`, which looks at the pops in
top-level loops only).

A stretch pushes what its reverse reads, and its pops stand in loops nested in the schedule's
loop. A popped value that no read can see is left out of the push and the pop: one that every
read finds set again before it (the shape inference wrote out the helpers that read `t4 = W @ h`
for its shape only; the turns run again compute `t4` before they read it).
"""
import gast

from .. import gastutil as g
from ..ir import BLOCK_FIELDS, COMPOUND
from .loops import pop_key, push_key, stored_names


def trim_nested_tape(tree):
    """Leave out of each pushed tuple with a pop in a nested loop the names whose popped values
    no read can see."""
    pops, pushes = {}, {}  # (tape, names) -> statements
    for node in g.walk(tree):
        for key, found in ((pop_key(node), pops), (push_key(node), pushes)):
            if key is not None:
                found.setdefault(key, []).append(node)
    top = {id(s) for loop in tree.body if isinstance(loop, gast.For) for s in loop.body}
    fresh = None
    for key, found in pops.items():
        if key not in pushes or len(key[1]) < 2 or all(id(pop) in top for pop in found):
            continue
        fresh = _reads_not_set_before(tree) if fresh is None else fresh
        kept = [n for n in key[1] if n in fresh]
        if not kept or len(kept) == len(key[1]):
            continue
        for pop in found:
            pop.targets[0].elts = [g.store(n) for n in kept]
        for push in pushes[key]:
            push.value.args[0].elts = [g.name(n) for n in kept]


def _reads_not_set_before(tree):
    """Names read somewhere where the value may not come from an assignment earlier in the
    same statement list or an enclosing one (a tape's pop does not count; an assignment
    before a loop counts inside it only if the loop sets the name nowhere): the names whose
    popped values may be read. The others are always set again before they are read."""
    found = set()
    work = [(tree.body, frozenset())]
    while work:
        stmts, set_before = work.pop()
        for stmt in stmts:
            own = g.nodes(stmt, own_lines=True)
            found.update(n.id for n in own if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                         and n.id not in set_before)
            for field in BLOCK_FIELDS:
                inner = getattr(stmt, field, None) if isinstance(stmt, COMPOUND) else None
                if inner:
                    loop = isinstance(stmt, (gast.For, gast.While))
                    work.append((inner, set_before - stored_names(stmt) if loop else set_before))
            if isinstance(stmt, gast.Assign) and pop_key(stmt) is None:
                set_before = set_before | set(g.assigned_names(stmt.targets[0]))
            elif isinstance(stmt, COMPOUND):  # what it pops may be read after it
                set_before = set_before - {n for p in g.walk(stmt) for n in (pop_key(p) or ((), ()))[1]}
    return found
