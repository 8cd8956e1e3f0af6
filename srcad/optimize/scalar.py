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
from . import copies
from .index import Counts, Known

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow}


def simplify(tree, pure_calls=lambda call: False, adjoints=None, floats=frozenset(),
             harmless=frozenset(), float_modules=frozenset(), in_place=False):
    """`tree` (a FunctionDef) simplified; `pure_calls(call)` says which calls may be dropped.

    Given `adjoints` (the derivative's adjoint names), only statements assigning them are
    folded or removed: the primal statements stay as the user wrote them (a `* 1.0` there may
    be a deliberate conversion, and a call there may raise). An identity is folded away only
    where the type cannot change: on a float (an adjoint, a float constant, a name in
    `floats`, a call of a function of a module in `float_modules`) or inside arithmetic with
    one. Primal statements computing the names in `harmless` may be removed too.

    `in_place`: the caller has no further use for `tree`, which is simplified and returned
    (the pipeline's own derivative: copying it took a tenth of a long function's first call)."""
    tree = tree if in_place else g.clone(tree)
    floats = frozenset(floats) | frozenset(adjoints or ())
    removable = None if adjoints is None else frozenset(adjoints) | frozenset(harmless)
    known = Known(pure_calls)
    for _ in range(1000):
        changed = _fold(tree, adjoints, floats, float_modules)
        changed |= copies.propagate_copies(tree, known)
        changed |= copies.merge_zero_starts(tree, known)
        changed |= copies.remove_copies_back(tree, known)
        changed |= _remove_dead(tree, known, removable)
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
    """Fold every statement's expressions (given `adjoints`, only those assigned to them).
    Folding removes constants and operators, never a name."""
    folder = _Folder(floats if adjoints is not None else None, float_modules)
    for node in (stmt for _, _, stmts in g.statement_lists(tree) for stmt in stmts):
        if adjoints is None:
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


# --- dead code ------------------------------------------------------------------------------

def _remove_dead(tree, known, removable=None):
    """Remove every assignment to a name nobody reads whose value has no effect, then those
    that only the removed ones read, and so on (a worklist over how often each name is read).
    `removable`: the names whose assignments may go (None: any). Whether something changed."""
    reads = Counts(tree, known).all_loads()
    assignments = {}  # name -> the statements assigning it that could go once it is unread
    for _, stmts in known.blocks(tree):
        for stmt in stmts:
            target = _assigned(stmt)
            if target is not None and (removable is None or target in removable) and known.pure(stmt):
                assignments.setdefault(target, []).append(stmt)
    work = [name_ for name_ in assignments if not reads.get(name_)]
    dead = set()
    while work:
        for stmt in assignments.pop(work.pop(), ()):
            dead.add(id(stmt))
            for name_, count in known.names(stmt)[0].items():
                reads[name_] -= count
                if not reads[name_] and name_ in assignments:
                    work.append(name_)
    if not dead:
        return False
    for node, field, stmts in g.statement_lists(tree):
        kept = [s for s in stmts if id(s) not in dead]
        if len(kept) != len(stmts):
            setattr(node, field, kept or ([gast.Pass()] if field == "body" else []))
            known.block_changed(node)
    return True


def _assigned(stmt):
    """The name `stmt` assigns (`v = e`, `v += e`), or None."""
    target = g.single_target(stmt)
    if target is None and isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        target = stmt.target.id
    return target
