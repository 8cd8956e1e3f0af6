"""Passes over a shape-specialised derivative (optimize/shapes.py) for its loops, where the
array passes (arrays.py) do not go:

- passes through: `x = 0.0` overwritten before anything reads it, and `y = x` after `x = y`
  with neither changed in between, go (an adjoint handed through a loop turn unchanged);
- copies: `bt10 = bt12` read in place of `bt10` where both keep their values meanwhile (the
  writing-out of helpers leaves many: `t17 = _rt.zeros_as(bt10, t10)` became `t17 = bt10`);
- the tape: a loop turn pushes one tuple of the values its reversed turn reads; those it no
  longer reads (read before only for their shapes) are left out of the push and the pop;
- accumulation in place: an adjoint that starts as 0.0 and is only ever added to in loops
  (`bWh = bWh + np.outer(t19, h)`) starts as zeros of its known shape and is added into
  (`bWh += ...`): its array is the derivative's own, and no other name reads it until the
  last addition.

loop_sums.py then takes such an adjoint's sums over the turns out of the loop.
"""
import gast

from .. import gastutil as g
from ..ir import COMPOUND


def propagate_copies(tree):
    """Drop `x = y` (two names) where `x` is stored there only, read only in the statements
    after it in the same list, and `y` is not stored again before the last of those reads."""
    changed = True
    while changed:
        changed = False
        scan = g.Scan(tree)
        for _, _, stmts in g.statement_lists(tree):
            for i, stmt in enumerate(stmts):
                if _propagate(stmts, i, stmt, scan):
                    del stmts[i]
                    changed = True
                    break
            if changed:
                break


def _propagate(stmts, i, stmt, scan):
    target = g.single_target(stmt)
    if target is None or not isinstance(stmt.value, gast.Name) or scan.stores.get(target) != 1:
        return False
    source = stmt.value.id
    if source == target:
        return False
    reads = scan.loads.get(target, [])
    after = stmts[i + 1:]
    positions = _positions(after)
    if any(id(n) not in positions for n in reads):
        return False
    last = max((positions[id(n)] for n in reads), default=-1)
    if any(source in stored_names(s) for s in after[:last + 1]):
        return False
    for n in reads:
        n.id = source
    return True


def _positions(stmts):
    """id of each node under `stmts` -> the index of the statement holding it."""
    found = {}
    for k, stmt in enumerate(stmts):
        for node in g.walk(stmt):
            found[id(node)] = k
    return found


def stored_names(stmt):
    """Names `stmt` stores, deletes or binds as a loop target, at any depth."""
    return {n.id for n in g.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}


# --- the tape ----------------------------------------------------------------------------------

def trim_tape(tree):
    """Leave out of each pushed tuple the names its pops never read again: a pop read in a
    top-level loop, whose names are not read in that loop or after it (a push and pop left
    with no name go)."""
    pops, pushes = {}, {}  # (tape, names) -> statements
    for node in g.walk(tree):
        key = pop_key(node)
        if key is not None:
            pops.setdefault(key, []).append(node)
        key = push_key(node)
        if key is not None:
            pushes.setdefault(key, []).append(node)
    body = tree.body
    reads_from = _reads_from(body)
    for key, found in pops.items():
        if key not in pushes or len(key[1]) < 2:
            continue
        dead = set(key[1])
        for pop in found:
            loop = next((k for k, s in enumerate(body) if isinstance(s, gast.For) and pop in s.body), None)
            if loop is None:
                dead = set()
                break
            dead &= set(key[1]) - reads_from[loop]
        kept = [n for n in key[1] if n not in dead]
        if not dead:
            continue
        if not kept:  # nothing left to keep: no push, no pop
            _drop_statements(tree, {id(s) for s in found + pushes[key]})
            continue
        for pop in found:
            pop.targets[0].elts = [g.store(n) for n in kept]
        for push in pushes[key]:
            push.value.args[0].elts = [g.name(n) for n in kept]


def _drop_statements(tree, dropped):
    for node, field, stmts in list(g.statement_lists(tree)):
        if any(id(s) in dropped for s in stmts):
            setattr(node, field, [s for s in stmts if id(s) not in dropped] or [gast.Pass()])


def _reads_from(body):
    """For each top-level statement k: the names read in body[k:]."""
    out = [set() for _ in range(len(body) + 1)]
    for k in range(len(body) - 1, -1, -1):
        out[k] = out[k + 1] | set(g.names_in(body[k]))
    return out


def pop_key(node):
    """(tape, names) of `names... = tape.pop()`; else None."""
    if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Tuple) \
            and _is_method(node.value, "pop", 0) and all(isinstance(e, gast.Name) for e in node.targets[0].elts):
        return node.value.func.value.id, tuple(e.id for e in node.targets[0].elts)
    return None


def push_key(node):
    """(tape, names) of `tape.append((names...))`; else None."""
    if isinstance(node, gast.Expr) and _is_method(node.value, "append", 1):
        item = node.value.args[0]
        if isinstance(item, gast.Tuple) and all(isinstance(e, gast.Name) for e in item.elts):
            return node.value.func.value.id, tuple(e.id for e in item.elts)
    return None


def _is_method(value, method, n):
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
        and value.func.attr == method and isinstance(value.func.value, gast.Name) \
        and len(value.args) == n and not value.keywords


# --- accumulation in place ---------------------------------------------------------------------

def accumulate_in_place(tree, seen, zeros):
    """`b = b + x` in loops becomes `b += x`, and `b = 0.0` before them `b = zeros(shape)`,
    where every such `x` is an array of one shape (`seen`: the inference's alternatives of each
    `+`'s operands), `b` is 0.0 or an array of that shape there, and from `b = 0.0` to the
    last addition `b` is stored and read by these statements only. `zeros(shape)` builds the
    expression of a new array of float64 zeros."""
    body = tree.body
    scan = g.Scan(tree)
    params = {a.id for a in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs}
    updates, starts, other, made = {}, {}, {}, {}
    for node in scan.nodes:
        if not isinstance(node, (gast.Assign, gast.AugAssign, gast.For, gast.Delete)):
            continue
        shape = _update_shape(node, seen)
        if shape is not None:
            updates.setdefault(node.targets[0].id, []).append((node, shape))
            continue
        target = g.single_target(node)
        if target is not None and isinstance(node.value, gast.Constant) and node.value.value == 0.0 \
                and any(node is stmt for stmt in body):
            starts.setdefault(target, []).append(node)
            continue
        for name_ in stored_names(node) if not isinstance(node, gast.For) else _stored_target(node):
            other.setdefault(name_, []).append(node)
    for b, found in updates.items():
        shapes = {shape for _, shape in found}
        if b in params or len(shapes) != 1 or len(starts.get(b, ())) != 1:
            continue
        start = starts[b][0]
        first = body.index(start)
        tops = [scan.top[id(node)] for node, _ in found]
        last = max(tops)
        if min(tops) <= first or not all(isinstance(body[k], COMPOUND) for k in tops):
            continue
        if any(first <= scan.top[id(n)] <= last for n in other.get(b, ())):
            continue
        own = {id(node.value.left) for node, _ in found}
        if any(first <= scan.top[id(n)] <= last and id(n) not in own for n in scan.loads.get(b, ())):
            continue
        made[b] = shapes.pop()
        start.value = zeros(made[b])
        start.accumulator_start = True  # see hoist_sums
        for node, _ in found:
            augmented = g.located(gast.AugAssign(target=g.store(b), op=gast.Add(), value=node.value.right), node)
            g.replace_child(scan.parents[id(node)], node, augmented)
    return made


def _update_shape(node, seen):
    """The shape of `b = b + x` where `b` holds 0.0 or an array of the shape of the array `x`."""
    target = g.single_target(node)
    value = getattr(node, "value", None)
    if target is None or not isinstance(value, gast.BinOp) or not isinstance(value.op, gast.Add) \
            or not isinstance(value.left, gast.Name) or value.left.id != target \
            or target in g.names_in(value.right):
        return None
    operands = seen.get(value)
    if operands is None or None in operands or len(operands[1]) != 1:
        return None
    kind, shape = next(iter(operands[1]))
    if kind != "ndarray" or not shape or not operands[0] <= {("zero", ()), ("ndarray", shape)}:
        return None
    return shape


def _stored_target(loop):
    return {n.id for n in g.walk(loop.target) if isinstance(n, gast.Name)}


# --- passes through ----------------------------------------------------------------------------

def drop_passes_through(tree):
    """In each statement list: `x = 0.0` overwritten later in the list before anything names
    `x` goes; then `y = x` where `x = y` stands earlier in the list and neither name is
    stored in between goes too (the loss's adjoint passed through a turn: `bt14 = bloss;
    bloss = 0.0; ...; bloss = bt14` leaves `bt14 = bloss`, a copy)."""
    for _, _, stmts in g.statement_lists(tree):
        named = [_named(s) for s in stmts]
        dead = [i for i, s in enumerate(stmts) if _overwritten(stmts, named, i)]
        for i in reversed(dead):
            del stmts[i], named[i]
        back = [j for j, s in enumerate(stmts) if _copied_back(stmts, named, j)]
        for j in reversed(back):
            del stmts[j]


def _named(stmt):
    return {n.id for n in g.walk(stmt) if isinstance(n, gast.Name)}


def _overwritten(stmts, named, i):
    target = g.single_target(stmts[i])
    if target is None or not isinstance(stmts[i].value, gast.Constant):
        return False
    for k in range(i + 1, len(stmts)):
        if g.single_target(stmts[k]) == target and target not in g.names_in(stmts[k].value):
            return True
        if target in named[k]:
            return False
    return False


def _copied_back(stmts, named, j):
    """Whether stmts[j] is `y = x` after `x = y`, neither stored in between."""
    y = g.single_target(stmts[j])
    if y is None or not isinstance(stmts[j].value, gast.Name):
        return False
    x = stmts[j].value.id
    for k in range(j - 1, -1, -1):
        if g.single_target(stmts[k]) == x and isinstance(stmts[k].value, gast.Name) and stmts[k].value.id == y:
            return True
        if {x, y} & stored_names(stmts[k]):
            return False
    return False
