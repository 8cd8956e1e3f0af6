"""Optimise generated code: constant folding, copy propagation and dead code, to a fixed point.

- folding: `a * 1.0`, `1.0 * a`, `a / 1`, `a ** 1`, `a + 0.0`, `a - 0.0`, `-(-a)`, `-1.0 * a`,
  and operators on two constants;
- copy propagation: `b = a` (a name or a number), where `b` is assigned once, read only after
  it in the same block, and `a` is not reassigned meanwhile, disappears and `b` is read as `a`;
- copies back: `a = b` then `b = a`, neither stored in between, loses the second;
- zero starts: `v = 0.0` followed, before any other use of `v`, by `v += e` becomes `v = e`;
- dead code: an assignment to a name nobody reads, whose value has no effect, disappears.

Calls are removed only when they are known to be pure (rule tables).
"""
import operator

import gast

from . import gastutil as g

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def simplify(tree, pure_calls=lambda call: False):
    """`tree` (a FunctionDef) simplified; `pure_calls(call)` says which calls may be dropped."""
    tree = g.clone(tree)
    for _ in range(1000):
        changed = _fold(tree)
        changed |= _propagate_copies(tree)
        changed |= _merge_zero_starts(tree)
        changed |= _remove_copies_back(tree)
        changed |= _remove_dead(tree, pure_calls)
        if not changed:
            break
    return tree


# --- folding --------------------------------------------------------------------------------

def _fold(tree):
    folder = _Folder()
    folder.visit(tree)
    return folder.changed


def _is_const(node, *values):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float) \
        and (not values or node.value in values)


class _Folder(gast.NodeTransformer):
    changed = False

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, type(node.op)
        if _is_const(left) and _is_const(right) and op in _FOLD:
            try:
                return self._done(g.const(_FOLD[op](left.value, right.value)))
            except (ZeroDivisionError, OverflowError):
                return node
        if op is gast.Mult and _is_const(right, 1):
            return self._done(left)
        if op is gast.Mult and _is_const(left, 1):
            return self._done(right)
        if op is gast.Mult and _is_const(left, -1):
            return self._done(gast.UnaryOp(op=gast.USub(), operand=right))
        if op is gast.Mult and _is_const(right, -1):
            return self._done(gast.UnaryOp(op=gast.USub(), operand=left))
        if op in (gast.Div, gast.Pow) and _is_const(right, 1):
            return self._done(left)
        if op in (gast.Add, gast.Sub) and _is_const(right, 0):
            return self._done(left)
        if op is gast.Add and _is_const(left, 0):
            return self._done(right)
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        inner = node.operand
        if isinstance(node.op, gast.USub) and isinstance(inner, gast.UnaryOp) \
                and isinstance(inner.op, gast.USub):
            return self._done(inner.operand)
        if isinstance(node.op, gast.USub) and _is_const(inner):
            return self._done(g.const(-inner.value))
        return node

    def _done(self, node):
        self.changed = True
        return node


# --- copy propagation -----------------------------------------------------------------------

def _stores(tree):
    """How many times each name is stored (assignments, augmented ones, loop targets, params)."""
    counts = {}
    for node in gast.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            counts[node.id] = counts.get(node.id, 0) + 1
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            counts[node.target.id] = counts.get(node.target.id, 0) + 1
    return counts


def _blocks(tree):
    """Every statement list in the function (its body, and each branch's and loop's)."""
    out, work = [], [tree]
    while work:
        node = work.pop()
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], gast.stmt):
                out.append(stmts)
                work.extend(s for s in stmts if isinstance(s, (gast.If, gast.For, gast.While)))
    return out


def _reads(node, name_):
    return any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id == name_
               for n in gast.walk(node))


def _writes(node, name_):
    return any(isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id == name_
               for n in gast.walk(node)) or any(
        isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name) and n.target.id == name_
        for n in gast.walk(node))


def _propagate_copies(tree):
    """Remove one copy `a = b` (b a name or a number) whose reads can all read `b` instead:
    `a` is stored nowhere else, read only after the copy in its block, and `b` is not stored
    while `a` may still be read."""
    stores = _stores(tree)
    total_reads = {}
    for n in gast.walk(tree):
        if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
            total_reads[n.id] = total_reads.get(n.id, 0) + 1
    for stmts in _blocks(tree):
        for i, stmt in enumerate(stmts):
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and isinstance(stmt.value, (gast.Name, gast.Constant))):
                continue
            target, source = stmt.targets[0].id, stmt.value
            if stores.get(target) != 1 or isinstance(source, gast.Constant) \
                    and type(source.value) not in (int, float):
                continue
            rest = stmts[i + 1:]
            users = [j for j, s_ in enumerate(rest) if _reads(s_, target)]
            if sum(_count_reads(s_, target) for s_ in rest) != total_reads.get(target, 0):
                continue  # read elsewhere too (before the copy, or in another block)
            if isinstance(source, gast.Name) and users:
                last = users[-1]
                between = rest[:last] + ([rest[last]] if isinstance(rest[last], (gast.If, gast.For, gast.While)) else [])
                if any(_writes(s_, source.id) for s_ in between):
                    continue
            del stmts[i]
            _Substitute({target: source.id if isinstance(source, gast.Name) else source}).visit_list(rest)
            return True
    return False


def _remove_copies_back(tree):
    """`a = b` and later `b = a`: one variable where two were.

    With neither stored in between, the second copy is a no-op. With `a` updated in between
    but `b` untouched, and after the copy back `a` read only before `b` is next stored, `a` can
    be `b` throughout (`bt5 = bx; bt5 += e; bx = bt5` is `bx += e`)."""
    stores = _stores(tree)
    for stmts in _blocks(tree):
        for i, stmt in enumerate(stmts):
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and isinstance(stmt.value, gast.Name)):
                continue
            a, b = stmt.targets[0].id, stmt.value.id
            for j in range(i + 1, len(stmts)):
                later = stmts[j]
                if _is_copy(later, b, a):
                    if not _writes_any(stmts[i + 1:j], a):
                        del stmts[j]
                        return True
                    if _coalescible(stmts, i, j, a, b, stores):
                        _Substitute({a: b}).visit_list(stmts[i + 1:j])
                        renamed = _Renamer(a, b)
                        for k in range(i + 1, j):
                            renamed.visit(stmts[k])
                        _Substitute({a: b}).visit_list(stmts[j + 1:])
                        del stmts[j]
                        del stmts[i]
                        return True
                    break
                if _reads(later, b) or _writes(later, b):
                    break
    return False


def _is_copy(stmt, target, source):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and stmt.targets[0].id == target and isinstance(stmt.value, gast.Name) \
        and stmt.value.id == source


def _writes_any(stmts, name_):
    return any(_writes(s, name_) for s in stmts)


def _coalescible(stmts, i, j, a, b, stores):
    """After the copy back at `j`, `a` is not stored again and is read only before `b` is
    stored; and `a` is stored only between `i` and `j` (plain statements there)."""
    between = stmts[i + 1:j]
    if any(isinstance(s, (gast.If, gast.For, gast.While)) for s in between):
        return False
    if stores.get(a, 0) != 1 + sum(_writes(s, a) for s in between):
        return False
    for later in stmts[j + 1:]:
        if _writes(later, a):
            return False
        if _writes(later, b):
            return not _reads(later, a) or isinstance(later, (gast.Assign, gast.AugAssign))
    return True


class _Renamer(gast.NodeTransformer):
    """Stores to `old` become stores to `new`."""

    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old:
            node.id = self.new
        return node


def _count_reads(node, name_):
    return sum(1 for n in gast.walk(node) if isinstance(n, gast.Name)
               and isinstance(n.ctx, gast.Load) and n.id == name_)


def _merge_zero_starts(tree):
    """`v = 0.0` then, before any other use of `v`, `v += e`: becomes `v = e`."""
    for stmts in _blocks(tree):
        for i, stmt in enumerate(stmts):
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)
                    and _is_const(stmt.value, 0)):
                continue
            v = stmt.targets[0].id
            for j in range(i + 1, len(stmts)):
                later = stmts[j]
                if not (_reads(later, v) or _writes(later, v)):
                    continue
                term = _accumulated(later, v)
                if term is not None and not _reads(term, v):
                    stmts[j] = g.located(g.assign(v, term), later)
                    del stmts[i]
                    return True
                break
    return False


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


class _Substitute(gast.NodeTransformer):
    """Reads of copied names become reads of their sources (a name or a constant)."""

    def __init__(self, copies):
        self.copies = copies

    def visit_list(self, stmts):
        for stmt in stmts:
            self.visit(stmt)

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load) and node.id in self.copies:
            source = self.copies[node.id]
            return g.name(source) if isinstance(source, str) else g.const(source.value)
        return node


# --- dead code ------------------------------------------------------------------------------

def _remove_dead(tree, pure_calls):
    reads = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    changed = False
    work = [tree]
    while work:
        node = work.pop()
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            kept = [s for s in stmts if not _is_dead(s, reads, pure_calls)]
            if len(kept) != len(stmts):
                changed = True
                setattr(node, field, kept or ([gast.Pass()] if field == "body" else []))
            work.extend(s for s in kept if isinstance(s, (gast.If, gast.For, gast.While)))
    return changed


def _is_dead(stmt, reads, pure_calls):
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id not in reads and _is_pure(stmt.value, pure_calls)
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        return stmt.target.id not in reads and _is_pure(stmt.value, pure_calls)
    return False


def _is_pure(expr, pure_calls):
    for node in gast.walk(expr):
        if isinstance(node, gast.Call) and not pure_calls(node):
            return False
        if isinstance(node, (gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr)):
            return False
    return True
