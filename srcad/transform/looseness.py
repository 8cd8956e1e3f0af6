"""Which adjoints of floats may come out as numpy scalars rather than Python floats.

The gradient of a Python float is a Python float. Most adjoint terms of a float are: arithmetic
on Python floats (the seed, float arguments, values computed from them by arithmetic or `math`
functions) and `_rt.unbroadcast(..., x)` to a float `x`. A term is "loose" (it may be a numpy
scalar, `np.float64`) where it calls anything else (`np.cos(x)`), reads a primal value that may
be a numpy scalar (`t = np.exp(x)`, `s = arr.sum()`, `v = a[0]`), or reads an adjoint that is
loose itself. The reverse sweep records, per adjoint, whether one of its terms was loose in
itself and which names its terms read; `Looseness.loose()` closes that over the adjoints read
(the order in which the reverse sweep met them does not matter), and `gradient()` wraps only
the loose gradients with `_rt.gradient` (the generated code stays as it is where the type is
already right).
"""
import gast

from .. import gastutil as g
from ..analyze import FLOAT, INT


class Looseness:
    def __init__(self, body, facts, float_modules, lookup):
        self.facts, self.float_modules = facts, float_modules
        self.numbers = python_numbers(body, facts, float_modules, lookup)
        self.intrinsic = set()   # primals one of whose adjoint's terms may be a numpy scalar
        self.reads = {}          # primal -> names its adjoint's terms read (outside float calls)

    def add(self, primal):
        """`primal`'s adjoint receives a term that may be a numpy scalar."""
        self.intrinsic.add(primal)

    def record(self, primal, term, rt):
        """`primal`'s adjoint receives `term` (from the rule templates or the sweep)."""
        if not _plain_float_term(term, self.float_modules, rt):
            self.intrinsic.add(primal)
        else:
            self.reads.setdefault(primal, set()).update(_names_outside_calls(term))

    def loose(self, adjoints, seed):
        """The primals whose adjoints may be numpy scalars, for `adjoints` (primal -> adjoint
        name) and the output's cotangent `seed` (a Python float: 1.0, or the caller's)."""
        primal_of = {a: p for p, a in adjoints.items()}
        found = set(self.intrinsic)
        changed = True
        while changed:  # to a fixed point: an adjoint reading a loose adjoint is loose
            changed = False
            for primal, names in self.reads.items():
                if primal not in found and any(self._loose_name(n, primal_of, seed, found) for n in names):
                    found.add(primal)
                    changed = True
        return found

    def _loose_name(self, name_, primal_of, seed, found):
        primal = primal_of.get(name_)
        if name_ == seed:  # a Python float, unless the output's adjoint also takes loose terms
            return primal in found
        if primal is not None:  # an adjoint: of a number, and not loose itself
            return primal in found or self.facts.kinds.get(primal) not in (FLOAT, INT)
        return name_ not in self.numbers  # a primal value (or a temporary of the sweep)


def python_numbers(body, facts, float_modules, lookup):
    """Names that surely hold Python floats or ints wherever they are assigned in `body` (three-
    address code): float and int arguments, globals bound to floats or ints (`lookup(name)` what
    a global denotes; the derivative is bound to its type), constants, and arithmetic and `math`
    calls on them. Anything else (a numpy call, a method, an element of an array, a loop's
    target) may be a numpy scalar."""
    assigned, others, read = {}, set(), set()
    for node in g.walk(gast.Module(body=list(body), type_ignores=[])):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
            read.add(node.id)
        if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name):
            assigned.setdefault(node.targets[0].id, []).append(node.value)
        elif isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign, gast.For, gast.comprehension,
                               gast.NamedExpr)):
            for target in (node.targets if isinstance(node, gast.Assign) else [node.target]):
                others.update(g.names_in(target))
    numbers = {p for p, kind in facts.kinds.items() if kind in (FLOAT, INT)}
    outside = read - set(assigned) - others - set(facts.kinds)
    numbers |= {n for n in outside if type(lookup(n)) in (float, int)}
    numbers = (numbers | set(assigned)) - others
    changed = True
    while changed:  # to a fixed point: a name loses its place when one of its values may not be a number
        changed = False
        for name_, values in assigned.items():
            if name_ in numbers and not all(_number_value(v, numbers, float_modules) for v in values):
                numbers.discard(name_)
                changed = True
    return numbers


def _number_value(value, numbers, float_modules):
    """Whether the expression `value` is surely a Python number given the names in `numbers`."""
    for node in g.walk(value):
        if isinstance(node, gast.Constant):
            if not isinstance(node.value, (int, float)):
                return False
        elif isinstance(node, gast.Name):
            if node.id not in numbers and not (node.id in float_modules):
                return False
        elif isinstance(node, gast.Call):
            func = node.func
            if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                    and func.value.id in float_modules):
                return False
        elif isinstance(node, gast.Attribute):
            if not (isinstance(node.value, gast.Name) and node.value.id in float_modules):
                return False
        elif not isinstance(node, (gast.BinOp, gast.UnaryOp, gast.operator, gast.unaryop, gast.expr_context)):
            return False
    return True


def _names_outside_calls(term):
    """The names `term` reads outside calls (which `_plain_float_term` allowed: `math`
    functions and `_rt.unbroadcast` to a float, both giving Python floats)."""
    out, work = set(), [term]
    while work:
        node = work.pop()
        if isinstance(node, gast.Call):
            continue
        if isinstance(node, gast.Name):
            out.add(node.id)
        work.extend(gast.iter_child_nodes(node))
    return out


def _plain_float_term(term, float_modules, rt):
    """Whether a cotangent term of a float is a Python float given the names it reads (arithmetic
    on names and constants, math functions, `_rt.unbroadcast` to a float) rather than surely
    something else."""
    for node in g.walk(term):
        if isinstance(node, (gast.Subscript, gast.List, gast.Tuple)):
            return False
        if isinstance(node, gast.Call):
            func = node.func
            if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                    and (func.value.id in float_modules
                         or func.value.id == rt and func.attr == "unbroadcast")):
                return False
    return True
