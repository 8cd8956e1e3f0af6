"""Optimise generated code: constant folding, copy propagation and dead code, to a fixed point.

- folding: `a * 1.0`, `1.0 * a`, `a / 1`, `a ** 1`, `a + 0.0`, `a - 0.0`, `-(-a)`, `-1.0 * a`,
  and operators on two constants;
- copy propagation: `b = a` (a name or a constant), where `b` is assigned once and `a` is
  never reassigned, disappears and `b` is read as `a`;
- dead code: an assignment to a name nobody reads, whose value has no effect, disappears.

Only names assigned once, outside loops, are substituted, so the pass is sound for any code
the transforms emit. Calls are removed only when they are known to be pure (rule tables).
"""
import operator

import gast

from . import gastutil as g

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def simplify(tree, pure_calls=lambda call: False):
    """`tree` (a FunctionDef) simplified; `pure_calls(call)` says which calls may be dropped."""
    tree = g.clone(tree)
    for _ in range(10):
        changed = _fold(tree)
        changed |= _propagate_copies(tree)
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


def _in_loops(tree):
    names = set()
    for node in gast.walk(tree):
        if isinstance(node, (gast.For, gast.While)):
            names.update(n.id for n in gast.walk(node) if isinstance(n, gast.Name)
                         and isinstance(n.ctx, gast.Store))
    return names


def _propagate_copies(tree):
    stores = _stores(tree)
    looped = _in_loops(tree)
    copies = {}
    for stmt in tree.body:  # top level only: a copy there dominates every later read
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], gast.Name) \
                and isinstance(stmt.value, (gast.Name, gast.Constant)):
            target = stmt.targets[0].id
            if stores.get(target) != 1 or target in looped:
                continue
            if isinstance(stmt.value, gast.Constant):
                if type(stmt.value.value) in (int, float):
                    copies[target] = stmt.value
            elif stores.get(stmt.value.id, 0) <= 1 and stmt.value.id not in looped:
                copies[target] = stmt.value.id
    if not copies:
        return False
    for target, source in list(copies.items()):
        while isinstance(source, str) and source in copies:
            source = copies[source]
        copies[target] = source
    tree.body = [s for s in tree.body if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)
                                              and s.targets[0].id in copies)]
    _Substitute(copies).visit(tree)
    return True


class _Substitute(gast.NodeTransformer):
    """Reads of copied names become reads of their sources (a name or a constant)."""

    def __init__(self, copies):
        self.copies = copies

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
