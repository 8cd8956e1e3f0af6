"""An array pass (see arrays.py) that spares a whole pass over memory: uniform cotangents.

The cotangent of a sum over a whole array is the same number at every
element. It is kept as that number: `bt10 = by` stands for `by` at every element of `t10`.
Spread back over the axes of another reduction, it is the same number; scaled, negated or
summed back to an operand's shape (`_rt.unbroadcast_uniform(bt10, t10,
t6)`: the number each element of `t6`'s cotangent receives) it stays one number. Where it
meets arrays it becomes `_rt.spread(bt10, t10, t8)`: the number itself when the arrays of
the product already have every element the cotangent has (the result is the same, shape
and values), else the number spread over `t10`'s shape as a broadcast view.
"""
import gast

from .. import gastutil as g
from ..gastutil import is_rt_call

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


def _is_const(e, value):
    return isinstance(e, gast.Constant) and e.value is value
