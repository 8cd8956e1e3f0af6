"""Cheaper loop turns in a reverse-mode gradient that runs as it is (never transformed again:
the pipeline applies these passes after the array passes). A long loop of scalar code spends
its time on a few dozen bytecodes a turn, so each one saved counts; every bit of the result
stays as it was.

- invariants: `t10 = 0.01 * p` in a loop whose turns never change `p` is computed once, just
  before the loop, or at the top of the function where the same statement on parameters is
  repeated in several loops (a loop and its reverse; `hoist_invariants`);
- copies forwarded: in a reversed turn, `bt6 = bx; bt6 += e; bx = bt6` becomes `bx += e`, and
  `bt11 = by; bp += bt11 * 0.01; by = bt11 * t8; bt8 = bt11 * y` reads `by` itself, its
  reassignment moved after the last read of the copy (`forward_copies`);
- signs: `bt7 = -bt8 * math.sin(t7)` read once, as `bx += bt7 * 0.01`, leaves its negation to
  the constant, `bx += bt7 * -0.01` (negation is exact: the same bits; `fold_signs`);
- `math` functions looked up once: a loop whose turns call nothing but rule-table functions,
  srcad's runtime and the methods of its own tape reads `math.sin` once into a local before
  it starts (`bind_functions`, in loops_calls.py).
"""
import gast

from .. import gastutil as g
from ..ir import COMPOUND, comment, comment_text, is_note
from .loops_calls import bind_functions
from .recompute import CHEAP

LOOPS = (gast.For, gast.While)


def apply(tree, floats, cheap, names, resolve, pure_call):
    """Run the passes on `tree` (a finished gradient), in place. `floats`: names known to hold
    numbers (primal floats and their adjoints); `cheap(stmt)`: whether `stmt` is float
    arithmetic that cannot raise (+, -, * on floats and numeric constants); `names`, `resolve`
    and `pure_call`: see loops_calls.bind_functions."""
    local = turn_local(tree)
    if hoist_invariants(tree, cheap, local):
        local = turn_local(tree)  # a value computed before its loop now lives into it
    # forwarding a copy keeps every other name as turn-local as it was: found once
    for owner, _, stmts in list(g.statement_lists(tree)):
        if isinstance(owner, LOOPS):
            forward_copies(stmts, floats, local)
    fold_signs(tree, floats, local)
    bind_functions(tree, names, resolve, pure_call)


# --- invariants ------------------------------------------------------------------------------

def hoist_invariants(tree, cheap, local):
    """Move each loop's invariant float arithmetic to just before the loop (see the module's
    text), or to the top of the function where it is repeated in several loops: whether any
    moved. `local`: see turn_local."""
    # moving statements changes no count, and removing the repeated ones only those of
    # names then assigned once, at the top
    counts = _counts(tree)
    return _hoist_repeated(tree, cheap, counts[0], local) | _hoist_before_loops(tree, cheap, counts)


def _hoist_repeated(tree, cheap, stores, local):
    """`t3 = p * p` in several loops (a loop and its reverse, the copies of a checkpointed
    loop), on parameters nothing assigns: computed once, at the top of the function. Every
    assignment of `t3` gives it the same value, so every read sees that value."""
    params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    fixed = {p for p in params if p not in stores}
    found, in_loops = {}, set()  # target -> [(its statement list, the statement)]
    for owner, _, stmts in g.statement_lists(tree):
        for stmt in stmts:
            target = g.single_target(stmt)
            if target in local:
                found.setdefault(target, []).append((stmts, stmt))
                if isinstance(owner, LOOPS):
                    in_loops.add(target)
    top = []
    for target, places in found.items():
        first = places[0][1]
        if target in in_loops and len(places) == stores[target] > 1 and cheap(first) \
                and set(g.names_in(first.value)) <= fixed \
                and all(gast.dump(s.value) == gast.dump(first.value) for _, s in places):
            for stmts, stmt in places:
                _remove(stmts, stmt, cheap)
            top.append(first)
    if top:
        start = 1 if comment_text(tree.body[0]) is not None else 0
        tree.body[start:start] = [comment("the same in every turn of every loop: computed once", note=True)] + top
        for owner, field, stmts in list(g.statement_lists(tree)):
            if not stmts and field == "body":
                stmts.append(gast.Pass())
    return bool(top)


def _remove(stmts, stmt, cheap):
    """Take `stmt` out of `stmts`, and the note above it where the note (`# computed again:
    ...`) would now stand above something else."""
    k = stmts.index(stmt)
    del stmts[k]
    if k and is_note(stmts[k - 1]) and (k == len(stmts) or g.single_target(stmts[k]) is None
                                         or not cheap(stmts[k])):
        del stmts[k - 1]


def _hoist_before_loops(tree, cheap, counts):
    """A statement `v = a * b` at the top of the loop's body moves when: it cannot raise,
    nothing in the loop assigns `a` or `b`, both hold a value when the loop starts (parameters,
    or set by a statement before it), and `v` is assigned nowhere else and read only after it
    in the same body. A loop of no turns then computes a value nothing reads."""
    params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    work, hoisted = [(tree.body, params)], False
    while work:
        stmts, bound = work.pop()
        k = 0
        while k < len(stmts):
            stmt = stmts[k]
            if isinstance(stmt, LOOPS):
                moved = _invariants(counts, stmt, bound, cheap)
                if moved:
                    hoisted = True
                    stmts[k:k] = [comment("the same every turn: computed once, before the loop", note=True)] + moved
                    bound = bound | {s.targets[0].id for s in moved}
                    k += len(moved) + 1
                inner = bound | (set(g.assigned_names(stmt.target)) if isinstance(stmt, gast.For) else set())
                work.append((stmt.body, inner))
            elif isinstance(stmt, gast.If):
                work += [(stmt.body, bound), (stmt.orelse, bound)]
            elif isinstance(stmt, gast.Assign):
                bound = bound | {n for t in stmt.targets for n in g.assigned_names(t)}
            k += 1
    return hoisted


def _invariants(counts, loop, bound, cheap):
    """The statements taken out of the top of `loop`'s body (in their order), to go before it.
    `counts`: (stores, reads) of each name in the function (`_counts`)."""
    candidates = [s for s in loop.body if g.single_target(s) is not None and cheap(s)]
    if not candidates:
        return []
    stored = _counts(loop)[0]
    moved = []
    for stmt in candidates:
        target = stmt.targets[0].id
        if stored.get(target) != 1:
            continue
        operands = set(g.names_in(stmt.value))
        if operands & set(stored) or not operands <= bound | {s.targets[0].id for s in moved}:
            continue
        if counts[0].get(target) != 1 or not _read_only_after(counts[1], loop, stmt, target):
            continue
        loop.body.remove(stmt)
        moved.append(stmt)
        stored.pop(target)
    if moved and not loop.body:
        loop.body.append(gast.Pass())
    return moved


def _counts(node):
    """({name: how many times `node` assigns it}, {name: how many times it reads it}):
    assignments, augmented ones (a read too), loop targets and deletions; a comprehension has
    none in a finished derivative."""
    stores, reads = {}, {}
    for n in g.nodes(node):
        if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
            stores[n.id] = stores.get(n.id, 0) + 1
        read = _read_name(n)
        if read is not None:
            reads[read] = reads.get(read, 0) + 1
    return stores, reads


def _read_only_after(reads, loop, stmt, target):
    """Whether all the reads of `target` (`reads[target]` in the function) are in `loop`'s body
    after `stmt`."""
    after = loop.body[loop.body.index(stmt) + 1:]
    return sum(1 for s in after for n in g.nodes(s) if _reads(n, target)) == reads.get(target, 0)


def _reads(node, name_):
    return _read_name(node) == name_


def _read_name(node):
    """The name `node` reads: a Name loaded, or the target of an augmented assignment."""
    if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
        return node.id
    if isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
        return node.target.id
    return None


# --- copies forwarded ------------------------------------------------------------------------

_SAME, _COPY_CHANGED, _SOURCE_CHANGED = "same", "copy changed", "source changed"


def forward_copies(stmts, floats, local):
    """Remove the copies `a = b` of numbers in the loop body `stmts` whose reads can read `b`
    instead (the module's text), one at a time until none is left. `local`: the names whose
    values live in one statement list only (`turn_local`)."""
    while True:
        refs = [_names(s) for s in stmts]  # the names each statement refers to
        for i, stmt in enumerate(stmts):
            a = g.single_target(stmt)
            b = stmt.value.id if a and isinstance(stmt.value, gast.Name) else None
            if b and a != b and a in floats and b in floats and a in local \
                    and not any(a in r for r in refs[:i]) and _forward(stmts, refs, i, a, b):
                break
        else:
            return


def _forward(stmts, refs, i, a, b):
    """Forward the copy `stmts[i]`, `a = b`, if every read of `a` can read `b`: whether it
    went. Walking the statements that refer to `a` after it, `a` and `b` hold the same value
    (`_SAME`) until one of them is assigned; reads of `a` are fine until `b` changes, reads of
    `b` until `a` changes, and `b = a` makes them the same again. An assignment to `b` before a
    later read of `a` moves after that read where nothing between depends on it. `refs`: the
    names each statement refers to, kept in step with `stmts`."""
    while True:
        last = max((k for k in range(i + 1, len(stmts)) if a in refs[k]), default=None)
        if last is None:
            return False
        state, k = _SAME, i + 1
        while k <= last and state is not None:
            state, move = _step(stmts[k], a, b, state, k < last)
            if move:
                if not _movable(stmts, k, last):
                    return False
                stmts.insert(last, stmts.pop(k))
                refs.insert(last, refs.pop(k))
                break
            k += 1
        else:
            if state is None or state == _COPY_CHANGED:
                return False  # afterwards `b` would hold the value `a` had
            _rename(stmts, i, last, a, b)
            return True
        if state is None:
            return False


def _step(stmt, a, b, state, read_later):
    """(the state after `stmt`, or None where `a` cannot be renamed `b`; whether `stmt`, an
    assignment to `b`, must move after the later reads of `a`)."""
    reads, writes = _reads_writes(stmt)
    if isinstance(stmt, COMPOUND) and (a in writes or b in writes) or a in writes and b in writes:
        return None, False
    if a in reads and state == _SOURCE_CHANGED or b in reads and state == _COPY_CHANGED:
        return None, False
    if g.single_target(stmt) == b and isinstance(stmt.value, gast.Name) and stmt.value.id == a:
        return _SAME, False  # `b = a`: the same value again (the statement goes)
    if a in writes:
        return (None if state == _SOURCE_CHANGED else _COPY_CHANGED), False
    if b in writes:
        return _SOURCE_CHANGED, read_later
    return state, False


def _movable(stmts, k, last):
    """Whether `stmts[k]` (`b = e` with e arithmetic) can move after `stmts[last]`: nothing
    between reads or assigns what it assigns, or assigns what it reads."""
    stmt = stmts[k]
    if g.single_target(stmt) is None and not isinstance(stmt, gast.AugAssign) or not _arithmetic(stmt.value):
        return False
    reads, writes = _reads_writes(stmt)
    for other in stmts[k + 1:last + 1]:
        if isinstance(other, COMPOUND) or comment_text(other) is not None:
            return False
        other_reads, other_writes = _reads_writes(other)
        if writes & (other_reads | other_writes) or reads & other_writes:
            return False
    return True


def _arithmetic(expr):
    return all(isinstance(n, (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant))
               and (not isinstance(n, (gast.BinOp, gast.UnaryOp)) or isinstance(n.op, CHEAP))
               for n in g.nodes(expr))


def _rename(stmts, i, last, a, b):
    """Drop the copy `stmts[i]` and read `b` for `a` up to `stmts[last]`, dropping the `b = b`
    left where the value went back."""
    for stmt in stmts[i + 1:last + 1]:
        for node in g.nodes(stmt):
            if isinstance(node, gast.Name) and node.id == a:
                node.id = b
    kept = [s for s in stmts[i + 1:last + 1]
            if not (g.single_target(s) == b and isinstance(s.value, gast.Name) and s.value.id == b)]
    stmts[i:last + 1] = kept


def _reads_writes(stmt):
    reads = {n.id for n in g.nodes(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    writes = {n.id for n in g.nodes(stmt) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        reads.add(stmt.target.id)
    return reads, writes


def _names(stmt):
    return {n.id for n in g.nodes(stmt) if isinstance(n, gast.Name)}


def turn_local(tree):
    """Names whose every read follows an assignment to them earlier in the same statement
    list: no value of theirs lives from one list (a turn, a branch) into another."""
    covered, uncovered = set(), set()
    for _, _, stmts in g.statement_lists(tree):
        assigned = set()
        for stmt in stmts:
            for node in g.nodes(stmt, own_lines=True):
                name_ = _read_name(node)
                if name_ is not None:
                    (covered if name_ in assigned else uncovered).add(name_)
            if isinstance(stmt, gast.Assign):
                assigned.update(n for t in stmt.targets for n in g.assigned_names(t))
    params = {a.id for a in tree.args.args + tree.args.posonlyargs + tree.args.kwonlyargs}
    return covered - uncovered - params


# --- signs -----------------------------------------------------------------------------------

def fold_signs(tree, floats, local):
    """`v = -u * e` in a loop, read once as `w += v * c` with `c` a number: `v = u * e` and
    `w += v * -c`. Both are products, so the sign moves exactly; a negation less a turn.
    `local`: see forward_copies."""
    for owner, _, stmts in g.statement_lists(tree):
        if not isinstance(owner, LOOPS):
            continue
        for i, stmt in enumerate(stmts):
            target = g.single_target(stmt)
            if target in floats and target in local:
                _fold_sign(stmts, i, target)


def _fold_sign(stmts, i, target):
    negation = _negated_factor(stmts[i])
    if negation is None:
        return
    holder, field = negation
    later = [n for s in stmts[i + 1:] for n in g.nodes(s) if _reads(n, target)]
    if len(later) != 1 or not isinstance(later[0], gast.Name) \
            or any(target in _names(s) for s in stmts[:i]) \
            or any(target in _reads_writes(s)[1] for s in stmts[i + 1:]):
        return
    constant = _constant_beside(stmts[i + 1:], later[0])
    if constant is not None:
        setattr(holder, field, getattr(holder, field).operand)
        constant.value = -constant.value


def _negated_factor(stmt):
    """(node, field) holding a negation `-u` that is a factor of `stmt`'s value, or None."""
    holder, field = stmt, "value"
    while True:
        e = getattr(holder, field)
        if isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub):
            return holder, field
        if not (isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult)):
            return None
        holder, field = e, "left"


def _constant_beside(stmts, read):
    """The number multiplying `read` in the product it is a factor of, or None."""
    parents = {}
    for stmt in stmts:
        for node in g.nodes(stmt):
            for child in gast.iter_child_nodes(node):
                parents[id(child)] = node
    top = read
    while isinstance(parents.get(id(top)), gast.BinOp) and isinstance(parents[id(top)].op, gast.Mult):
        top = parents[id(top)]
    for node in g.nodes(top) if top is not read else ():
        if isinstance(node, gast.Constant) and type(node.value) in (int, float) and node.value != 0 \
                and _product_factor(top, node):
            return node
    return None


def _product_factor(top, node):
    """Whether `node` is reached from `top` through multiplications only."""
    work = [top]
    while work:
        e = work.pop()
        if e is node:
            return True
        if isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult):
            work += [e.left, e.right]
    return False
