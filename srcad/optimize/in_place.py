"""Large temporaries reused in place, in a shape-specialised gradient that runs as it is.

A statement `bz = bt2 * t1` where `bt2` is an array the derivative made itself (the result of
arithmetic or of a numpy ufunc, assigned once) and read nowhere else gives its memory to the
product: `bz = _rt.into(bt2, np.multiply, t1)` multiplies into `bt2` and names it `bz`;
`_rt.expit(t2)` of such a `t2` computes in it (`overwrite=True`). A new array of a few hundred
kilobytes costs more than the arithmetic on it (its pages come fresh from the system, each
one faulted in on first touch), and numpy cannot reuse a temporary that a name still holds
(one that no name holds, `by * c + bc`, numpy itself reuses from 256 KiB). Only arrays the
shape inference knows to hold at least `LARGE` elements are rewritten (smaller ones come from
the allocator's free lists: the call would cost more than it saves), only at the top level of
the function (loops have their own accumulators, see loops.py), and only for `+`, `-`, `*`
and `/`. At run time `_rt.into` writes into the array only where the result has its shape and
dtype and the array owns its memory; else it computes the result as the operator would: the
bits are the same either way.

`spread_numbers`: a uniform cotangent spread over an array's shape and then combined with an
array of that very shape is the number itself, `bt3 * _rt.expit(t2)`.
"""
import gast
import numpy as np

from .. import gastutil as g
from ..ir import comment, is_note, stand_in_text
from .arrays import shape_only_reads

LARGE = 1 << 14  # elements: 128 KiB of float64, the size above which allocations are fresh pages

_UFUNCS = {gast.Add: np.add, gast.Sub: np.subtract, gast.Mult: np.multiply, gast.Div: np.divide}
_COMMUTATIVE = (gast.Add, gast.Mult)  # exactly, in IEEE arithmetic


def reuse_temporaries(tree, seen, numpy, resolve, rt):
    """Rewrite, in the top-level statements of `tree`, each `c = a op b` whose operand `a` (or
    `b`, for + and *) names a large temporary the derivative owns and reads only there, and
    each `_rt.expit(a)` of one (see the module's text). `seen`: the shape inference's
    alternatives of each BinOp's operands and runtime call's arguments; `numpy()`: a Name for
    the numpy module; `resolve(func)`: what a call's function denotes; `rt`: the name of
    srcad's runtime."""
    owned = _Owned(tree, resolve, rt)
    for stmt in tree.body:
        for call in [n for n in g.nodes(stmt) if g.is_rt_call(n, rt, "expit")]:
            arguments = seen.get(call)
            if len(call.args) == 1 and not call.keywords and arguments is not None \
                    and owned(call.args[0], arguments[0]):
                call.keywords = [gast.keyword(arg="overwrite", value=g.const(True))]
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, gast.Assign) and g.single_target(stmt) else None
        operands = seen.get(value) if isinstance(value, gast.BinOp) and type(value.op) in _UFUNCS else None
        if operands is None:
            continue
        sides = [(value.left, value.right, operands[0])]
        if isinstance(value.op, _COMMUTATIVE):
            sides.append((value.right, value.left, operands[1]))
        for mine, other, alternatives in sides:
            if owned(mine, alternatives):
                stmt.value = g.located(g.call(g.attr(g.name(rt), "into"), [
                    mine, g.attr(numpy(), _UFUNCS[type(value.op)].__name__), other]), stmt)
                break


def spread_numbers(tree, seen, rt):
    """`_rt.spread(u, carrier) op a` is `u op a` where the array `a` has the carrier's shape
    (as `spread` itself says; op: + - * /): no broadcast view is made. For derivatives whose
    arrays are float64 (a float32 `a` times the float64 view would be float64, times the
    number float32)."""
    carriers = set()
    for node in g.nodes(tree):
        operands = seen.get(node) if isinstance(node, gast.BinOp) and type(node.op) in _UFUNCS else None
        if operands is None:
            continue
        for field, other in (("left", 1), ("right", 0)):
            spread = getattr(node, field)
            if g.is_rt_call(spread, rt, "spread") and len(spread.args) == 2:
                arguments = seen.get(spread)
                if arguments is not None and _known_array(operands[other]) \
                        and arguments[1] == operands[other]:
                    setattr(node, field, spread.args[0])
                    if isinstance(spread.args[1], gast.Name):
                        carriers.add(spread.args[1].id)
    _drop_unread_stand_ins(tree, seen, rt, carriers)


def _drop_unread_stand_ins(tree, seen, rt, names):
    """Replace by a comment the stand-ins for `names` that nothing reads any more (a spread's
    carrier, now the number alone), where their operands' shapes are known and
    broadcast: the stand-in could not raise, so it has nothing left to do."""
    reads = {n.id for n in g.nodes(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
    body, kept = tree.body, []
    for k, stmt in enumerate(body):
        target = g.single_target(stmt)
        call = getattr(stmt, "value", None)
        if target in names and target not in reads and g.is_rt_call(call, rt, "stand_in") \
                and _broadcast(seen.get(call)):
            if kept and kept[-1] is body[k - 1] and is_note(body[k - 1]):
                kept.pop()  # its comment, "t3 = ...: only its shape is needed", says so now
            kept.append(comment(f"{target} = {stand_in_text(stmt)}: not needed", note=True))
            continue
        kept.append(stmt)
    body[:] = kept


def _broadcast(arguments):
    """Whether the alternatives of a stand-in's operands are each one number or one numpy
    array of a known shape, and those shapes broadcast together."""
    if arguments is None:
        return False
    shapes = []
    for alternatives in arguments:
        if alternatives is None or len(alternatives) != 1:
            return False
        (kind, shape), = alternatives
        if kind not in ("zero", "float", "int", "generic", "ndarray") \
                or not all(isinstance(n, int) for n in shape):
            return False
        shapes.append(shape)
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


class _Owned:
    """Whether a Name reads a large array the derivative made itself (assigned once, at the
    top level, from arithmetic, a ufunc or `expit`), read nowhere else but for its shape."""

    def __init__(self, tree, resolve, rt):
        self.resolve, self.rt = resolve, rt
        self.stores, self.loads, self.definitions = {}, {}, {}
        # stand-ins read every operand for its shape only (an array they name may be written
        # over, its shape kept)
        calls = [n for n in g.nodes(tree) if isinstance(n, gast.Call)]
        shape_only = shape_only_reads(calls, rt, every=("stand_in",))
        for node in g.nodes(tree):
            if isinstance(node, gast.Name) and id(node) not in shape_only:
                counts = self.loads if isinstance(node.ctx, gast.Load) else \
                    self.stores if isinstance(node.ctx, gast.Store) else {}
                counts[node.id] = counts.get(node.id, 0) + 1
        for arg in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs:
            self.stores[arg.id] = self.stores.get(arg.id, 0) + 1
        for stmt in tree.body:
            if isinstance(stmt, gast.Assign) and g.single_target(stmt) is not None:
                self.definitions[g.single_target(stmt)] = stmt.value

    def __call__(self, node, alternatives):
        return isinstance(node, gast.Name) and self.stores.get(node.id) == 1 \
            and self.loads.get(node.id) == 1 and _large(alternatives) \
            and _fresh(self.definitions.get(node.id), self.resolve, self.rt)


def _known_array(alternatives):
    """Whether the alternatives are one numpy array of a known shape (not 0-d)."""
    if alternatives is None or len(alternatives) != 1:
        return False
    (kind, shape), = alternatives
    return kind == "ndarray" and bool(shape) and all(isinstance(n, int) for n in shape)


def _large(alternatives):
    """Whether the alternatives are one numpy array of a known shape with LARGE elements."""
    return _known_array(alternatives) and int(np.prod(next(iter(alternatives))[1])) >= LARGE


def _fresh(value, resolve, rt):
    """Whether `value` (an assigned expression) makes a new array (or a number): arithmetic, a
    negation, a numpy ufunc called without keywords, or srcad's runtime's `expit` and `into`
    (which return a new array or the one given them)."""
    if isinstance(value, gast.BinOp):
        return True
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, gast.USub)
    if not isinstance(value, gast.Call):
        return False
    if g.is_rt_call(value, rt):
        return value.func.attr in ("expit", "into")
    fn = resolve(value.func)
    return isinstance(fn, np.ufunc) and fn.nout == 1 and not value.keywords
