"""Two array passes (see optimize_arrays.py) that each spare a whole pass over memory.

- uniform cotangents: the cotangent of a sum over a whole array is the same number at every
  element. It is kept as that number: `bt10 = by` stands for `by` at every element of `t10`.
  Spread back over the axes of another reduction, it is the same number; scaled, negated or
  summed back to an operand's shape (`_rt.unbroadcast_uniform(bt10, t10,
  t6)`: the number each element of `t6`'s cotangent receives) it stays one number. Where it
  meets arrays it becomes `_rt.spread(bt10, t10, t8)`: the number itself when the arrays of
  the product already have every element the cotangent has (the result is the same, shape
  and values), else the number spread over `t10`'s shape as a broadcast view;
- signs: `bt3 = -e` that is read once, beside a constant factor, becomes `bt3 = e` and the
  constant changes sign (`bt3 * 2 * t2` becomes `bt3 * -2 * t2`); a negation of a value read
  only there moves into that value's constant the same way. Negation is exact, so every bit
  of the result stays the same.
"""
import gast

from . import gastutil as g

# where a helper reads an argument for its shape alone: helper -> positions (None: all from 1)
SHAPE_ONLY = {"spread": None, "unbroadcast_uniform": (1, 2)}


class Uniform:
    """Finds the uniform cotangents of a derivative (`run`), keeps them as numbers and spreads
    them where they meet arrays; `carriers` is what it found."""

    def __init__(self, tree, rt, arrays, floats):
        self.tree, self.rt, self.arrays, self.floats = tree, rt, arrays, floats
        self.carriers = {}   # uniform adjoint -> the primal whose shape it is spread over
        self.scalar = set()  # ids of the reads of uniform adjoints kept as numbers

    def run(self, scan=None):
        stores = self.stores = (scan or g.Scan(self.tree)).stores
        for stmt in self.tree.body:
            target = g.single_target(stmt)
            if target is None or stores.get(target) != 1 or target not in self.arrays:
                continue
            found = self.uniform(stmt.value)
            if found is not None:
                stmt.value, self.carriers[target] = found
        if self.carriers:
            self.spread_the_rest()

    def rt_call(self, node, helper):
        return is_rt_call(node, self.rt, helper)

    def helper(self, name_, args):
        return g.call(g.attr(g.name(self.rt), name_), args)

    def uniform(self, e):
        """(the number, the carrier's name) if `e` is a uniform cotangent; else None."""
        if isinstance(e, gast.Name) and e.id in self.carriers:
            self.scalar.add(id(e))
            return e, self.carriers[e.id]
        if self.rt_call(e, "unreduce") and len(e.args) == 4 and self.fixed(e.args[1]):
            inner = self.uniform(e.args[0]) if isinstance(e.args[0], gast.Name) else None
            if inner is not None:  # spread back over the reduced axes: the same number
                return inner[0], e.args[1].id
        if self.rt_call(e, "unreduce") and len(e.args) == 4 and g.is_atom(e.args[0]) \
                and isinstance(e.args[1], gast.Name) and _is_const(e.args[2], None) \
                and _is_const(e.args[3], False):
            if isinstance(e.args[0], gast.Name) and e.args[0].id in self.carriers \
                    or not self.fixed(e.args[1]):
                return None  # its own shape is not known to be (); a carrier whose shape may change
            return e.args[0], e.args[1].id
        if self.rt_call(e, "unbroadcast") and len(e.args) == 2 and self.fixed(e.args[1]) \
                and (e.args[1].id in self.arrays or e.args[1].id in self.floats):
            inner = self.uniform(e.args[0])
            if inner is None:
                return None
            value, carrier = inner
            operand = e.args[1].id
            if operand == carrier:
                return value, carrier
            return self.helper("unbroadcast_uniform", [value, g.name(carrier), g.name(operand)]), operand
        if isinstance(e, gast.BinOp) and isinstance(e.op, (gast.Mult, gast.Div)):
            sides = [(e.left, e.right)] + ([(e.right, e.left)] if isinstance(e.op, gast.Mult) else [])
            for mine, other in sides:
                if self.is_number(other):
                    inner = self.uniform(mine)
                    if inner is not None:
                        if mine is e.left:
                            e.left = inner[0]
                        else:
                            e.right = inner[0]
                        return e, inner[1]
            return None
        if isinstance(e, gast.UnaryOp) and isinstance(e.op, (gast.USub, gast.UAdd)):
            inner = self.uniform(e.operand)
            if inner is not None:
                e.operand = inner[0]
                return e, inner[1]
        return None

    def fixed(self, e):
        """Whether `e` is a name assigned once (its shape is the same wherever it is read)."""
        return isinstance(e, gast.Name) and self.stores.get(e.id) == 1

    def is_number(self, e):
        return isinstance(e, gast.Constant) and type(e.value) in (int, float) \
            or isinstance(e, gast.Name) and e.id in self.floats \
            or self.rt_call(e, "reduced_size")

    def spread_the_rest(self):
        """Every other read of a uniform cotangent becomes `_rt.spread(...)`."""
        scan = g.Scan(self.tree)
        replace = {}
        for name_ in self.carriers:
            for node in scan.loads.get(name_, ()):
                if id(node) not in self.scalar:
                    others = self.cofactors(node, scan.parents)
                    replace[id(node)] = self.helper(
                        "spread", [g.name(name_), g.name(self.carriers[name_])]
                        + [g.name(o) for o in others or ()])
        _Replace(replace).visit(self.tree)

    def cofactors(self, node, parents):
        """The array names multiplied with `node` in its product, if every factor of that
        product is a name or a number; else None."""
        top = node
        while True:
            parent = parents.get(id(top))
            if isinstance(parent, gast.BinOp) and (isinstance(parent.op, gast.Mult) or
                                                   isinstance(parent.op, gast.Div) and parent.left is top):
                top = parent
            else:
                break
        if top is node:
            return None
        leaves = []
        work = [top]
        while work:
            e = work.pop()
            if isinstance(e, gast.BinOp) and isinstance(e.op, (gast.Mult, gast.Div)):
                work += [e.left, e.right]
            else:
                leaves.append(e)
        others = [e for e in leaves if e is not node]
        if not all(self.is_number(e) or isinstance(e, gast.Name) and e.id in self.arrays
                   and e.id not in self.carriers for e in others):
            return None
        return [e.id for e in others if isinstance(e, gast.Name) and e.id in self.arrays]


class _Replace(gast.NodeTransformer):
    def __init__(self, replace):
        self.replace = replace

    def visit_Name(self, node):
        return self.replace.get(id(node), node)


# --- signs ------------------------------------------------------------------------------------

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


def is_rt_call(e, rt, helper=None):
    """Whether `e` calls srcad's runtime (named `rt` in the generated code): `helper`, or any."""
    return isinstance(e, gast.Call) and isinstance(e.func, gast.Attribute) \
        and isinstance(e.func.value, gast.Name) and e.func.value.id == rt \
        and (helper is None or e.func.attr == helper)


def _is_const(e, value):
    return isinstance(e, gast.Constant) and e.value is value
