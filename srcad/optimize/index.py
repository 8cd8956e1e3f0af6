"""What the simplifier's passes ask of the function, answered without walking it again.

- `Known`: what each statement (with everything nested in it) reads and stores, and whether
  its value is free of effects, remembered across the passes of one simplification. A pass
  that changes a statement says so (`changed`), and one that adds or removes statements in a
  list says so for the list's owner (`block_changed`), which also forgets the branches and
  loops around it. Folding constants never changes which names a statement reads or stores.
- `Block`: one statement list indexed for a sweep: per position the names read and stored,
  per name the positions, kept current as the sweep renames and deletes.
- `Counts`: over the whole function, how many times each name is stored and read.
"""
import bisect

import gast

from .. import gastutil as g
from ..ir import COMPOUND, blocks


class Known:
    def __init__(self, pure_calls=lambda call: False):
        self.pure_calls = pure_calls
        self._names, self._pure, self._owners = {}, {}, {}

    def names(self, stmt):
        """({name: times read}, {names stored}, {name: times stored}) in `stmt` (see names_in)."""
        found = self._names.get(stmt)
        if found is None:
            found = self._names[stmt] = names_in(stmt)
        return found

    def pure(self, stmt):
        """Whether `stmt.value` calls nothing but `pure_calls` and yields, awaits or binds nothing."""
        found = self._pure.get(stmt)
        if found is None:
            found = self._pure[stmt] = _is_pure(stmt.value, self.pure_calls)
        return found

    def blocks(self, tree):
        """(owner, statements) for every non-empty statement list in the function (its body, and
        each branch's and loop's), each before the lists nested in it."""
        found = []
        for owner, _, stmts in g.statement_lists(tree):
            for stmt in stmts:
                if isinstance(stmt, COMPOUND):
                    self._owners[stmt] = owner
            if stmts:
                found.append((owner, stmts))
        return found

    def changed(self, stmt):
        """`stmt` (and what is nested in it) reads or stores other names now."""
        work = [stmt]
        while work:
            stmt = work.pop()
            self._names.pop(stmt, None)
            if isinstance(stmt, COMPOUND):
                for stmts in blocks(stmt):
                    work.extend(stmts)

    def block_changed(self, owner):
        """A statement list of `owner` gained or lost statements: `owner` and the branches and
        loops around it read and store other names now."""
        while owner is not None:
            self._names.pop(owner, None)
            owner = self._owners.get(owner)


def _is_pure(expr, pure_calls):
    for node in g.nodes(expr):
        if isinstance(node, gast.Call) and not pure_calls(node):
            return False
        if isinstance(node, (gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr)):
            return False
    return True


def names_in(node):
    """({name: times read}, {names stored}, {name: times stored}) in `node` and everything
    nested in it. Stored: a name in a store context or the target of an augmented assignment;
    the counts also take a deletion, and count an augmented assignment twice."""
    reads, writes, stores = {}, set(), {}
    for child in g.nodes(node):
        if isinstance(child, gast.Name):
            if isinstance(child.ctx, gast.Load):
                reads[child.id] = reads.get(child.id, 0) + 1
                continue
            if isinstance(child.ctx, gast.Store):
                writes.add(child.id)
            stores[child.id] = stores.get(child.id, 0) + 1
        elif isinstance(child, gast.AugAssign) and isinstance(child.target, gast.Name):
            writes.add(child.target.id)
            stores[child.target.id] = stores.get(child.target.id, 0) + 1
    return reads, writes, stores


class Counts:
    """Over the whole function: how many times each name is stored (assigned, a loop's target,
    deleted, bound as a parameter; an augmented assignment counts twice) and read (in its body:
    `loads`; also in its parameters' defaults: `all_loads`)."""

    def __init__(self, tree, known):
        self.stores, self.loads = {}, {}
        args = tree.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                self.stores[arg.id] = self.stores.get(arg.id, 0) + 1
        for stmt in tree.body:
            reads, _, stores = known.names(stmt)
            _add(self.loads, reads)
            _add(self.stores, stores)
        self.tree = tree

    def all_loads(self):
        loads = dict(self.loads)
        for part in [self.tree.args, self.tree.returns] + self.tree.decorator_list:
            if part is not None:
                _add(loads, names_in(part)[0])
        return loads


def _add(totals, counts):
    for name_, count in counts.items():
        totals[name_] = totals.get(name_, 0) + count


class Block:
    """One statement list, indexed: per position, the names its statement (and everything
    nested in it) reads (`reads[p]`: name -> how many times) and stores (`writes[p]`); per
    name, the positions that read or store it, in order. A rewrite tells the index what it
    changed (`rename_reads`, `rename_writes`, `delete`); a position's sets are the truth, the
    per-name lists may hold stale positions, which the queries skip. `compact()` removes the
    deleted statements from the list at the end of a sweep; `touched` are the positions whose
    statements a sweep changed."""

    def __init__(self, owner, stmts, known):
        self.owner, self.stmts, self.known = owner, stmts, known
        self.reads, self.writes, self.deleted, self.touched = [], [], set(), set()
        self._read_at, self._write_at, self._compound = {}, {}, []
        for p, stmt in enumerate(stmts):
            reads, writes, _ = known.names(stmt)
            self.reads.append(dict(reads))
            self.writes.append(set(writes))
            for name_ in reads:
                self._read_at.setdefault(name_, []).append(p)
            for name_ in writes:
                self._write_at.setdefault(name_, []).append(p)
            if isinstance(stmt, COMPOUND):
                self._compound.append(p)

    def is_compound(self, p):
        return isinstance(self.stmts[p], COMPOUND)

    def next_compound(self, p):
        """The first compound statement after `p` (len(stmts) if none)."""
        k = bisect.bisect_right(self._compound, p)
        return self._compound[k] if k < len(self._compound) else len(self.stmts)

    def next_write(self, name_, p):
        return next(self._positions(self._write_at, self.writes, name_, p), None)

    def next_touch(self, name_, p):
        """The first position after `p` whose statement reads or stores `name_`."""
        found = [q for q in (next(self._positions(self._read_at, self.reads, name_, p), None),
                             self.next_write(name_, p)) if q is not None]
        return min(found) if found else None

    def reads_after(self, name_, p):
        return list(self._positions(self._read_at, self.reads, name_, p))

    def writes_between(self, name_, p, q):
        return list(self._positions(self._write_at, self.writes, name_, p, q))

    def touches_between(self, name_, p, q):
        return sorted(set(self._positions(self._read_at, self.reads, name_, p, q))
                      | set(self._positions(self._write_at, self.writes, name_, p, q)))

    def _positions(self, at, facts, name_, after, before=None):
        positions = at.get(name_, ())
        for k in range(bisect.bisect_right(positions, after), len(positions)):
            p = positions[k]
            if before is not None and p >= before:
                return
            if name_ in facts[p]:
                yield p

    def rename_reads(self, p, old, new):
        count = self.reads[p].pop(old, 0)
        if count:
            self.touched.add(p)
            if new is not None:
                self.reads[p][new] = self.reads[p].get(new, 0) + count
                _insert(self._read_at.setdefault(new, []), p)

    def rename_writes(self, p, old, new):
        if old in self.writes[p]:
            self.touched.add(p)
            self.writes[p].discard(old)
            self.writes[p].add(new)
            _insert(self._write_at.setdefault(new, []), p)

    def delete(self, p):
        self.deleted.add(p)
        self.reads[p], self.writes[p] = {}, set()

    def replace(self, p, stmt):
        self.stmts[p] = stmt
        self.touched.add(p)

    def compact(self):
        """The sweep is over: the deleted statements go, and `known` forgets what changed."""
        for p in self.touched - self.deleted:
            self.known.changed(self.stmts[p])
        if self.deleted or self.touched:
            self.known.block_changed(self.owner)
        if self.deleted:
            self.stmts[:] = [s for p, s in enumerate(self.stmts) if p not in self.deleted]


def _insert(positions, p):
    k = bisect.bisect_left(positions, p)
    if k == len(positions) or positions[k] != p:
        positions.insert(k, p)
