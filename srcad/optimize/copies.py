"""Copies and zero starts, one sweep over each statement list per pass.

- copy propagation: `b = a` (a name or a number), where `b` is assigned once, read only after
  it in the same block, and `a` is not reassigned meanwhile, disappears and `b` is read as `a`;
- copies back: `a = b` then `b = a`, neither stored in between, loses the second;
- zero starts: `v = 0.0` followed, before any other use of `v`, by `v += e` becomes `v = e`.

Each pass visits every statement list once, in order, and rewrites every statement that
qualifies (once, each pass rewrote the first one and started again from the top, walking the
whole function for each question it asked: the simplifier's time grew with the cube of the
function's length). The questions ("which statement next reads `b`?", "is `a` read anywhere
before?") are answered by `Block`, an index of one statement list kept current as it is
rewritten, so a pass costs about one walk of the function (less: what each statement reads
and stores is remembered from pass to pass, see index.py).
"""
import bisect

import gast

from .. import gastutil as g
from .index import Block, Counts, names_in


def propagate_copies(tree, known):
    """Remove every copy `a = b` (b a name or a number) whose reads can all read `b` instead:
    `a` is stored nowhere else, read only after the copy in its block, and `b` is not stored
    while `a` may still be read. Whether something changed."""
    counts, changed = None, False
    for owner, stmts in _blocks_with(_is_copy, tree, known):
        counts = counts or Counts(tree, known)
        block = Block(owner, stmts, known)
        copies = {}  # name -> what its reads become (a name, or a number's Constant)
        for i, stmt in enumerate(stmts):
            if _is_copy(stmt) and _propagate(block, i, stmt, copies, counts):
                changed = True
        if copies:  # every statement reading a copy was renamed in the index: `touched`
            resolved = _resolved(copies)
            for p in block.touched:
                _substitute(stmts[p], resolved)
        block.compact()
    return changed


def _propagate(block, i, stmt, copies, counts):
    """Propagate the copy `stmt` at position `i` if it qualifies (see propagate_copies)."""
    target, source = stmt.targets[0].id, _resolve(stmt.value, copies)
    if source == target and stmt.value.id != target:  # `b = a` once `a = b` went: a no-op
        block.delete(i)
        counts.stores[target] -= 1
        counts.loads[target] -= 1
        return True
    if counts.stores.get(target) != 1 or isinstance(source, gast.Constant) \
            and type(source.value) not in (int, float):
        return False
    users = block.reads_after(target, i)
    if sum(block.reads[p][target] for p in users) != counts.loads.get(target, 0):
        return False  # read elsewhere too (before the copy, or in another block)
    if isinstance(source, str) and users:
        last, stored = users[-1], block.next_write(source, i)
        if stored is not None and (stored < last or stored == last and block.is_compound(last)):
            return False
    block.delete(i)
    counts.stores[target] -= 1
    moved = counts.loads.pop(target, 0)
    if isinstance(source, str):
        counts.loads[source] = counts.loads.get(source, 0) - 1 + moved
        for p in users:
            block.rename_reads(p, target, source)
    else:
        for p in users:
            block.rename_reads(p, target, None)
    copies[target] = source
    return True


def _is_copy(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and isinstance(stmt.value, (gast.Name, gast.Constant))


def _resolve(value, copies):
    """What the copy's source reads, after the copies propagated before it in its block."""
    if isinstance(value, gast.Name):
        return copies.get(value.id, value.id)
    return value


def _resolved(copies):
    """`copies` with chains followed to their ends (`a -> b` and then `b -> c`: `a -> c`).
    A source is never a propagated name when it is entered, so the chains have no cycles."""
    out = {}
    for name_, source in copies.items():
        while isinstance(source, str) and source in copies:
            source = copies[source]
        out[name_] = source
    return out


def merge_zero_starts(tree, known):
    """Every `v = 0.0` that is followed, before any other use of `v`, by `v += e`: becomes
    `v = e`. Whether something changed."""
    changed = False
    for owner, stmts in _blocks_with(_is_zero_start, tree, known):
        block = Block(owner, stmts, known)
        for i, stmt in enumerate(stmts):
            if not _is_zero_start(stmt):
                continue
            v = stmt.targets[0].id
            j = block.next_touch(v, i)
            term = None if j is None else _accumulated(stmts[j], v)
            if term is not None and not _reads(term, v):
                block.replace(j, g.located(g.assign(v, term), stmts[j]))
                block.delete(i)
                changed = True
        block.compact()
    return changed


def _is_zero_start(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and _is_zero(stmt.value)


def _is_zero(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float) and node.value == 0


def _accumulated(stmt, v):
    """`e` where `stmt` is `v += e` or `v = v + e`."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, gast.Add) \
            and isinstance(stmt.target, gast.Name) and stmt.target.id == v:
        return stmt.value
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
            and stmt.targets[0].id == v and isinstance(stmt.value, gast.BinOp) \
            and isinstance(stmt.value.op, gast.Add) and isinstance(stmt.value.left, gast.Name) \
            and stmt.value.left.id == v:
        return stmt.value.right
    return None


def _reads(node, name_):
    return name_ in names_in(node)[0]


def remove_copies_back(tree, known):
    """`a = b` and later `b = a`: one variable where two were.

    With neither stored in between, the second copy is a no-op. With `a` updated in between
    but `b` untouched, and after the copy back `a` read only before `b` is next stored, `a` can
    be `b` throughout (`bt5 = bx; bt5 = bt5 + e; bx = bt5` is `bx = bx + e`). Whether something
    changed."""
    counts, changed = None, False
    for owner, stmts in _blocks_with(_is_name_copy, tree, known):
        counts = counts or Counts(tree, known)
        stores, loads = counts.stores, counts.loads
        block = Block(owner, stmts, known)
        for i, stmt in enumerate(stmts):
            if i in block.deleted or not _is_name_copy(stmt):
                continue
            a, b = stmt.targets[0].id, stmt.value.id
            j = block.next_touch(b, i)
            if j is None or not _is_copy_of(stmts[j], b, a):
                continue
            stored = block.next_write(a, i)
            if stored is None or stored >= j:
                block.delete(j)
                stores[b] -= 1
                loads[a] -= 1
                changed = True
            elif _coalescible(block, i, j, a, b, counts):
                _coalesce(block, i, j, a, b, counts)
                changed = True
        block.compact()
    return changed


def _is_name_copy(stmt):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and isinstance(stmt.value, gast.Name)


def _blocks_with(candidate, tree, known):
    """(owner, statements) of each statement list, as `known.blocks` gives them, when it holds
    a statement that `candidate` accepts: a pass indexes no list it has nothing to rewrite in
    (the index costs about a walk of the list)."""
    for owner, stmts in known.blocks(tree):
        if any(candidate(stmt) for stmt in stmts):
            yield owner, stmts


def _is_copy_of(stmt, target, source):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and stmt.targets[0].id == target and isinstance(stmt.value, gast.Name) \
        and stmt.value.id == source


def _coalescible(block, i, j, a, b, counts):
    """After the copy back at `j`, `a` is not stored again and is read only before `b` is
    stored; `a` is stored only between `i` and `j` (plain statements there); and every read of
    `a` in the function is in this block after `i` (not before it in a loop's body, not in
    another block)."""
    if block.next_compound(i) < j:
        return False
    if counts.stores.get(a, 0) != 1 + len(block.writes_between(a, i, j)):
        return False
    reads = block.reads_after(a, i)
    if sum(block.reads[p][a] for p in reads) != counts.loads.get(a, 0):
        return False
    a_stored, b_stored = block.next_write(a, j), block.next_write(b, j)
    if a_stored is not None and (b_stored is None or a_stored <= b_stored):
        return False
    if b_stored is not None:
        if reads[-1] > b_stored:
            return False  # `a` read after `b` changed: it would read the new `b`
        return a not in block.reads[b_stored] \
            or isinstance(block.stmts[b_stored], (gast.Assign, gast.AugAssign))
    return True


def _coalesce(block, i, j, a, b, counts):
    """`a` becomes `b` between `i` and `j` and is read as `b` after `j`; both copies go."""
    renamed = _Renamer(a, b)
    for p in block.touches_between(a, i, j):
        _substitute(block.stmts[p], {a: b})
        renamed.visit(block.stmts[p])
        block.rename_reads(p, a, b)
        block.rename_writes(p, a, b)
    for p in block.reads_after(a, j):
        _substitute(block.stmts[p], {a: b})
        block.rename_reads(p, a, b)
    block.delete(i)
    block.delete(j)
    stores, loads = counts.stores, counts.loads
    stores[b] = stores.get(b, 0) + stores.pop(a) - 2
    loads[b] = loads.get(b, 0) + loads.pop(a, 0) - 2  # the two copies' reads go


class _Renamer(gast.NodeTransformer):
    """Stores to `old` become stores to `new`."""

    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old:
            node.id = self.new
        return node


def _substitute(stmt, copies):
    """Reads of copied names in `stmt` become reads of their sources (a name or a constant),
    in place."""
    work = [stmt]
    while work:
        node = work.pop()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for k, item in enumerate(value):
                    if isinstance(item, gast.Name):
                        value[k] = _substituted(item, copies)
                    elif isinstance(item, gast.AST):
                        work.append(item)
            elif isinstance(value, gast.Name):
                setattr(node, field, _substituted(value, copies))
            elif isinstance(value, gast.AST):
                work.append(value)


def _substituted(node, copies):
    if isinstance(node.ctx, gast.Load) and node.id in copies:
        source = copies[node.id]
        return g.name(source) if isinstance(source, str) else g.const(source.value)
    return node
