"""Writing a runtime helper out as plain numpy where the shape inference (shapes.py) settles
what it does: `Resolve` rewrites the calls whose arguments' alternatives all agree."""
import gast
import numpy as np

from .. import gastutil as g
from ..gastutil import is_rt_call
from .shape_rules import NUMBERS, NUMERIC, TOP, broadcast, matmul


class Resolve:
    """Rewrites the runtime calls of `tree` whose arguments' alternatives (`seen`) settle what
    the helper does; `numpy()` gives a Name of the numpy module in the generated code."""

    def __init__(self, tree, seen, rt, numpy):
        self.tree, self.seen, self.rt, self.numpy = tree, seen, rt, numpy

    def run(self):
        scan = g.Scan(self.tree)
        for call in reversed(scan.calls):  # inner calls first: an outer one is built from them
            values = self.seen.get(call)
            if values is None or not is_rt_call(call, self.rt) or call.keywords:
                continue
            rewrite = getattr(self, "resolve_" + call.func.attr, None)
            new = rewrite(call.args, values) if rewrite is not None and len(call.args) == len(values) else None
            if new is not None:
                g.replace_child(scan.parents[id(call)], call, new)

    def np_call(self, function, args):
        return g.call(g.attr(self.numpy(), function), args)

    def product(self, left, right, *values):
        """`left * right`, known to the later passes as the product of these alternatives."""
        product = gast.BinOp(left=left, op=gast.Mult(), right=right)
        self.seen.put(product, values)
        return product

    def resolve_unbroadcast(self, args, values):
        if len(args) != 2 or TOP in values:
            return None
        cotangent, operand = values
        if all(_same_shape(c, x) for c in cotangent for x in operand):
            return args[0]
        single = _single(cotangent), _single(operand)
        if None in single or single[0][0] != "ndarray" or single[1][0] != "ndarray":
            return None
        big, small = single[0][1], single[1][1]
        extra = len(big) - len(small)
        if small and extra > 0 and big[extra:] == small:  # summed over leading axes only
            axes = g.tuple_(g.const(i) for i in range(extra))
            return g.call(g.attr(self.numpy(), "sum"), [args[0]], [gast.keyword(arg="axis", value=axes)])
        return None

    def resolve_reduced_size(self, args, values):
        """The number of elements of an array of known shape, for a reduction over all of them."""
        if len(args) != 2 or not (isinstance(args[1], gast.Constant) and args[1].value is None):
            return None
        shapes = {alt[1] for alt in values[0]} if values[0] is not TOP else None
        if not shapes or len(shapes) != 1 or any(alt[0] not in NUMERIC for alt in values[0]):
            return None
        return g.const(max(int(np.prod(shapes.pop())), 1))

    def resolve_spread(self, args, values):
        """`u` itself where the arrays it multiplies cover the carrier's shape (as spread)."""
        if len(args) < 2 or TOP in values:
            return None
        known = [_single(v) for v in values]
        if None in known or any(k[0] not in NUMERIC for k in known) or known[0][1]:
            return None
        shape, shapes = known[1][1], [k[1] for k in known[2:]]
        if not shape or shapes and broadcast([shape] + shapes) == broadcast(shapes):
            return args[0]
        return None

    def resolve_zeros_as(self, args, values):
        if len(args) != 2 or TOP in values:
            return None
        cotangent, like = values
        if any(alt[0] in ("zero", "float") for alt in cotangent) \
                and any(alt[0] == "ndarray" and alt[1] for alt in like):
            return None
        return args[0]

    def resolve_add(self, args, values):
        if len(args) != 2 or TOP in values:
            return None
        a, b = values
        if all(alt[0] == "zero" for alt in a):
            return args[1]
        if all(alt[0] == "zero" for alt in b):
            return args[0]
        if all(alt[0] in NUMERIC for alt in a | b):
            summed = gast.BinOp(left=args[0], op=gast.Add(), right=args[1])
            self.seen.put(summed, values)
            return summed
        return None

    def resolve_matmul_left(self, args, values):
        shapes = _matmul_shapes(values)
        if shapes is None:
            return None
        _, sa, sb = shapes
        cot, _, b = args
        if len(sa) == 2 and len(sb) == 1:
            return self.np_call("outer", [cot, b])
        if len(sa) == 2 and len(sb) == 2:
            return gast.BinOp(left=cot, op=gast.MatMult(), right=g.attr(b, "T"))
        if len(sa) == 1 and len(sb) == 1:
            return self.product(cot, b, values[0], values[2])
        return gast.BinOp(left=b, op=gast.MatMult(), right=cot)  # vector @ matrix

    def resolve_matmul_right(self, args, values):
        shapes = _matmul_shapes(values)
        if shapes is None:
            return None
        _, sa, sb = shapes
        cot, a, _ = args
        if len(sa) == 2 and len(sb) == 1:  # `cot @ a` is `a.T @ cot` for a vector, without a view made
            return gast.BinOp(left=cot, op=gast.MatMult(), right=a)
        if len(sa) == 2:
            return gast.BinOp(left=g.attr(a, "T"), op=gast.MatMult(), right=cot)
        if len(sb) == 1:
            return self.product(cot, a, values[0], values[1])
        return self.np_call("outer", [a, cot])  # vector @ matrix


def _same_shape(cotangent, operand):
    """Whether `unbroadcast` returns a cotangent of these alternatives as it is."""
    if operand[0] in NUMBERS:
        return cotangent[0] in ("zero", "float")
    return operand[0] in ("generic", "ndarray") and cotangent[0] in NUMERIC and cotangent[1] == operand[1]


def _single(value):
    return next(iter(value)) if value is not TOP and len(value) == 1 else None


def _matmul_shapes(values):
    """(cotangent, a's shape, b's shape) where `a @ b` multiplies exact vectors or matrices
    and the cotangent has the product's shape; else None."""
    if len(values) != 3 or TOP in values:
        return None
    a, b = _single(values[1]), _single(values[2])
    if a is None or b is None:
        return None
    product = matmul(a, b)
    if product is None:
        return None
    cotangent = values[0]
    if product[1] == ():
        if not all(alt[0] in NUMERIC and alt[1] == () for alt in cotangent):
            return None
    elif cotangent != frozenset({("ndarray", product[1])}):
        return None
    return cotangent, a[1], b[1]

