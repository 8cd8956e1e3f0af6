"""Loops in the rewrite of containers as their leaves (containers.py): a loop over a container
(`for W, b in layers:`, `for k, v in p.items()`, `enumerate`, `zip`, `reversed`) unrolled, one
copy of its body per element; any other loop kept (`Unrolling`, a part of
`containers._Rewriter`)."""
import copy

import gast

from . import gastutil as g
from . import pytree
from .container_structure import Expressions, Static
from .errors import Unsupported


class Unrolling:
    """The loop methods of `containers._Rewriter`."""

    def visit_For(self, stmt):
        elements = self.elements(stmt.iter)
        if elements is not None:
            return self.unrolled(stmt, elements)
        iterable = self.expr(self.value(stmt.iter), stmt)
        for name_ in g.assigned_names(stmt.target):
            self.env.pop(name_, None)
        target = Expressions(self).visit(stmt.target)
        body = self.loop_body(stmt)
        orelse = self.block(stmt.orelse)
        return [gast.For(target=target, iter=iterable, body=body or [gast.Pass()], orelse=orelse,
                         type_comment=None)]

    def unrolled(self, stmt, elements):
        """A loop over a container: its body once per element, the loop variable bound to it."""
        if _stops_early(stmt.body):
            raise Unsupported(stmt, "cannot differentiate break or continue in a loop over a container",
                              "Loop over range(len(...)) and index, or move the test into an if")
        out = []
        for element in elements:
            out += self.assign(stmt.target, element, stmt)
            out += self.block(copy.deepcopy(stmt.body))
        return out + self.block(stmt.orelse)

    def literal_item(self, expr):
        """An item of a literal looped over: a tuple or list literal in it as a container, so
        that `for name, w in (("a", 1.0), ("b", 2.0))` binds name to a constant key."""
        if isinstance(expr, (gast.Tuple, gast.List)) and not any(isinstance(e, gast.Starred) for e in expr.elts):
            shape, type_ = (pytree.TUPLE, tuple) if isinstance(expr, gast.Tuple) else (pytree.LIST, list)
            return Static(shape, range(len(expr.elts)), [self.literal_item(e) for e in expr.elts], type_)
        return self.value(expr)

    def elements(self, iterable):
        """The elements a loop over `iterable` visits, where its structure decides them (gast
        expressions or Statics), else None."""
        if isinstance(iterable, gast.Call) and not iterable.keywords and isinstance(iterable.func, gast.Name) \
                and iterable.func.id in ("enumerate", "zip", "reversed") and iterable.func.id not in self.env:
            parts = [self.elements(arg) for arg in iterable.args]
            if not parts or any(p is None for p in parts):
                return None
            if iterable.func.id == "enumerate" and len(parts) == 1:
                return [self.pair(g.const(i), e) for i, e in enumerate(parts[0])]
            if iterable.func.id == "reversed" and len(parts) == 1:
                return list(reversed(parts[0]))
            if iterable.func.id == "zip":
                return [Static(pytree.TUPLE, range(len(row)), row, tuple) for row in zip(*parts)]
            return None
        if isinstance(iterable, (gast.List, gast.Tuple)) and not any(
                isinstance(e, gast.Starred) for e in iterable.elts):  # a literal: its items
            return [self.literal_item(e) for e in iterable.elts]
        value = self.value(iterable)
        if not isinstance(value, Static):
            return None
        if value.shape == pytree.DICT:
            return [g.const(k) for k in value.keys]
        if value.shape in (pytree.LIST, pytree.TUPLE, pytree.NAMEDTUPLE):
            return list(value.items)
        return None

    def dict_view(self, call):
        """`p.keys()`, `p.values()`, `p.items()` of a dict of known structure, as a list, or None."""
        func = call.func
        if not (isinstance(func, gast.Attribute) and func.attr in ("items", "keys", "values")
                and not call.args and not call.keywords):
            return None
        base = self.value(func.value)
        if not (isinstance(base, Static) and base.shape == pytree.DICT):
            return None
        keys = [g.const(k) for k in base.keys]
        items = {"keys": keys, "values": base.items,
                 "items": [self.pair(k, v) for k, v in zip(keys, base.items)]}[func.attr]
        return Static(pytree.LIST, range(len(items)), items, list)

    def pair(self, first, second):
        return Static(pytree.TUPLE, (0, 1), (first, second), tuple)


def _stops_early(body):
    """Whether a loop body has a break or continue of its own."""
    work = list(body)
    while work:
        stmt = work.pop()
        if isinstance(stmt, (gast.Break, gast.Continue)):
            return True
        if isinstance(stmt, (gast.If, gast.With, gast.Try)):
            work.extend(getattr(stmt, "body", []) + getattr(stmt, "orelse", []))
    return False
