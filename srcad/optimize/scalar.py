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

from .. import gastutil as g
from ..ir import BLOCK_FIELDS, COMPOUND

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def simplify(tree, pure_calls=lambda call: False, adjoints=None, floats=frozenset(),
             harmless=frozenset(), float_modules=frozenset()):
    """`tree` (a FunctionDef) simplified; `pure_calls(call)` says which calls may be dropped.

    Given `adjoints` (the derivative's adjoint names), only statements assigning them are
    folded or removed: the primal statements stay as the user wrote them (a `* 1.0` there may
    be a deliberate conversion, and a call there may raise). An identity is folded away only
    where the type cannot change: on a float (an adjoint, a float constant, a name in
    `floats`, a call of a function of a module in `float_modules`) or inside arithmetic with
    one. Primal statements computing the names in `harmless` may be removed too."""
    tree = g.clone(tree)
    floats = frozenset(floats) | frozenset(adjoints or ())
    removable = None if adjoints is None else frozenset(adjoints) | frozenset(harmless)
    for _ in range(1000):
        changed = _fold(tree, adjoints, floats, float_modules)
        changed |= _propagate_copies(tree)
        changed |= _merge_zero_starts(tree)
        changed |= _remove_copies_back(tree)
        changed |= _remove_dead(tree, pure_calls, removable)
        if not changed:
            break
    _fill_emptied_blocks(tree)
    return tree


def _fill_emptied_blocks(tree):
    """The passes delete statements from any block (a copy, a dead store); a branch or loop
    body left empty becomes `pass`, since an empty one does not compile."""
    for _, field, stmts in g.statement_lists(tree):
        if not stmts and field == "body":
            stmts.append(gast.Pass())


# --- folding --------------------------------------------------------------------------------

def _fold(tree, adjoints, floats, float_modules):
    folder = _Folder(floats if adjoints is not None else None, float_modules)
    for node in gast.walk(tree):
        if adjoints is None and isinstance(node, gast.stmt) and not isinstance(node, gast.FunctionDef):
            for field, value in gast.iter_fields(node):
                if isinstance(value, gast.expr) and field not in ("target", "targets"):
                    setattr(node, field, folder.fold(value, absorbing=False))
        elif isinstance(node, (gast.Assign, gast.AugAssign)):
            target = node.targets[0] if isinstance(node, gast.Assign) else node.target
            if isinstance(target, gast.Name) and target.id in adjoints:
                node.value = folder.fold(node.value, absorbing=False)
    return folder.changed


def _is_const(node, *values):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float) \
        and (not values or node.value in values)


_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div)


class _Folder:
    """Folds constants and identities in one expression. `floats` None: every value is a float."""

    def __init__(self, floats, float_modules=frozenset()):
        self.floats = floats
        self.float_modules = float_modules
        self.changed = False

    def is_float(self, node):
        if self.floats is None:
            return True
        if isinstance(node, gast.Constant):
            return type(node.value) is float
        if isinstance(node, gast.Name):
            return node.id in self.floats
        if isinstance(node, gast.BinOp) and isinstance(node.op, _ARITHMETIC + (gast.Pow,)):
            return self.is_float(node.left) or self.is_float(node.right)
        if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
            return self.is_float(node.operand)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and isinstance(node.func.value, gast.Name):
            return node.func.value.id in self.float_modules
        return False

    def fold(self, node, absorbing):
        """`node` folded; `absorbing`: its value meets a float in arithmetic, so its own type
        does not matter."""
        if isinstance(node, gast.BinOp):
            return self.fold_binop(node, absorbing)
        if isinstance(node, gast.UnaryOp):
            return self.fold_unary(node, absorbing)
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.expr):
                setattr(node, field, self.fold(value, False))
            elif isinstance(value, list):
                setattr(node, field, [self.fold(v, False) if isinstance(v, gast.expr) else v for v in value])
        return node

    def fold_binop(self, node, absorbing):
        op = type(node.op)
        arithmetic = op in _ARITHMETIC
        node.left = self.fold(node.left, arithmetic and self.is_float(node.right))
        node.right = self.fold(node.right, arithmetic and self.is_float(node.left))
        left, right = node.left, node.right
        if _is_const(left) and _is_const(right) and op in _FOLD:
            try:
                return self._done(g.const(_FOLD[op](left.value, right.value)))
            except (ZeroDivisionError, OverflowError):
                return node

        def may_become(operand):  # may `node` be replaced by (something of the type of) operand?
            return absorbing or self.is_float(operand)
        if op is gast.Mult and _is_const(right, 1) and may_become(left):
            return self._done(left)
        if op is gast.Mult and _is_const(left, 1) and may_become(right):
            return self._done(right)
        if op is gast.Mult and _is_const(left, -1) and may_become(right):
            return self._done(gast.UnaryOp(op=gast.USub(), operand=right))
        if op is gast.Mult and _is_const(right, -1) and may_become(left):
            return self._done(gast.UnaryOp(op=gast.USub(), operand=left))
        if op in (gast.Div, gast.Pow) and _is_const(right, 1) and may_become(left):
            return self._done(left)
        if op in (gast.Add, gast.Sub) and _is_const(right, 0) and may_become(left):
            return self._done(left)
        if op is gast.Add and _is_const(left, 0) and may_become(right):
            return self._done(right)
        return node

    def fold_unary(self, node, absorbing):
        node.operand = self.fold(node.operand, absorbing)
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

def _blocks(tree):
    """Every statement list in the function (its body, and each branch's and loop's)."""
    out, work = [], [tree]
    while work:
        node = work.pop()
        for field in BLOCK_FIELDS:
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], gast.stmt):
                out.append(stmts)
                work.extend(s for s in stmts if isinstance(s, COMPOUND))
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
    stores = g.Scan(tree).stores
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
                between = rest[:last] + ([rest[last]] if isinstance(rest[last], COMPOUND) else [])
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
    stores = g.Scan(tree).stores
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
    if any(isinstance(s, COMPOUND) for s in between):
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

def _remove_dead(tree, pure_calls, adjoints=None):
    reads = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    changed = False
    for node, field, stmts in g.statement_lists(tree):
        kept = [s for s in stmts if not _is_dead(s, reads, pure_calls, adjoints)]
        if len(kept) != len(stmts):
            changed = True
            setattr(node, field, kept or ([gast.Pass()] if field == "body" else []))
    return changed


def _is_dead(stmt, reads, pure_calls, adjoints):
    target = g.single_target(stmt)
    if target is None and isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        target = stmt.target.id
    if target is None:
        return False
    if adjoints is not None and target not in adjoints:
        return False
    return target not in reads and _is_pure(stmt.value, pure_calls)


def _is_pure(expr, pure_calls):
    for node in gast.walk(expr):
        if isinstance(node, gast.Call) and not pure_calls(node):
            return False
        if isinstance(node, (gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr)):
            return False
    return True
