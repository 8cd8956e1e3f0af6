"""A pass over a finished reverse-mode derivative (see arrays.py) that moves negations into
constants.

Signs: `bt3 = -e` that is read once, beside a constant factor, becomes `bt3 = e` and the
constant changes sign (`bt3 * 2 * t2` becomes `bt3 * -2 * t2`); a negation of a value read
only there moves into that value's constant the same way. Negation is exact, so every bit
of the result stays the same.
"""
import gast

from .. import gastutil as g
from ..gastutil import is_rt_call


def fold_signs(tree, rt, adjoints):
    """Move negations of the cotangents `adjoints` into constant factors (see the module's
    text). The primal statements stay as they are."""
    _PullSigns(rt).visit(tree)
    while _fold_signs_once(tree, rt, adjoints):
        pass


class _PullSigns(gast.NodeTransformer):
    """`unbroadcast(-e, x)` is `-unbroadcast(e, x)`; `a + -b` is `a - b`."""

    def __init__(self, rt):
        self.rt = rt

    def visit_Call(self, node):
        self.generic_visit(node)
        if is_rt_call(node, self.rt, "unbroadcast") and node.args and _is_neg(node.args[0]):
            node.args[0] = node.args[0].operand
            return gast.UnaryOp(op=gast.USub(), operand=node)
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (gast.Add, gast.Sub)) and _is_neg(node.right) \
                and is_rt_call(node.right.operand, self.rt, "unbroadcast"):
            node.op = gast.Sub() if isinstance(node.op, gast.Add) else gast.Add()
            node.right = node.right.operand
        return node


def _fold_signs_once(tree, rt, adjoints):
    scan = g.Scan(tree)
    reads = scan.loads
    defs = {g.single_target(s): s for s in tree.body
            if g.single_target(s) in adjoints and scan.stores.get(g.single_target(s)) == 1}
    changed = False
    for target, stmt in defs.items():
        if _is_neg(stmt.value) and len(reads.get(target, ())) == 1:
            constant = _constant_beside(reads[target][0], scan.parents)
            if constant is not None:  # `b = -e` read once as `b * c * ...`: b = e, c = -c
                stmt.value = stmt.value.operand
                constant.value = -constant.value
                changed = True
    if changed:
        return True
    for node in scan.nodes:  # -b, -unbroadcast(b, x): b read only here takes the sign
        if not _is_neg(node):
            continue
        inner = node.operand
        name_ = inner.args[0] if is_rt_call(inner, rt, "unbroadcast") and inner.args else inner
        if isinstance(name_, gast.Name) and name_.id in defs and len(reads.get(name_.id, ())) == 1 \
                and _absorb(defs[name_.id], rt):
            g.replace_child(scan.parents[id(node)], node, inner)
            return True  # the scan is stale now
    return False


def _absorb(stmt, rt):
    """Negate the value `stmt` assigns, by a constant factor or a negation in it, if it has one."""
    holder, field, e = stmt, "value", stmt.value
    while is_rt_call(e, rt, "unbroadcast") and e.args:
        holder, field, e = e, None, e.args[0]
    if _is_neg(e):
        if field is None:
            holder.args[0] = e.operand
        else:
            setattr(holder, field, e.operand)
        return True
    constant = _chain_constant(e)
    if constant is None:
        return False
    constant.value = -constant.value
    return True


def _constant_beside(node, parents):
    """A number multiplying (or dividing) in the same product as `node`."""
    top = node
    while isinstance(parents.get(id(top)), gast.BinOp) \
            and isinstance(parents[id(top)].op, (gast.Mult, gast.Div)):
        top = parents[id(top)]
    return _chain_constant(top) if top is not node else None


def _chain_constant(e):
    work = [e]
    while work:
        e = work.pop()
        if isinstance(e, gast.BinOp) and isinstance(e.op, (gast.Mult, gast.Div)):
            work += [e.right, e.left]
        elif isinstance(e, gast.Constant) and type(e.value) in (int, float) and e.value != 0:
            return e
    return None


def _is_neg(e):
    return isinstance(e, gast.UnaryOp) and isinstance(e.op, gast.USub)
