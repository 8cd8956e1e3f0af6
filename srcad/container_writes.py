"""Assignments in the rewrite of containers as their leaves (containers.py): binding names to
containers, unpacking them, and writes into a container of known structure, each leaf copied
into a leaf name of its own (`Writes`, a part of `containers._Rewriter`)."""
import gast

from . import gastutil as g
from . import pytree
from .container_structure import NOT_CONSTANT, Expressions, Static, describe
from .errors import Unsupported


class Writes:
    """The assignment methods of `containers._Rewriter`."""

    def visit_Assign(self, stmt):
        out = []
        value = self.inlined(stmt.value, out, stmt) if len(stmt.targets) == 1 else None
        value = self.value(stmt.value) if value is None else value
        if len(stmt.targets) > 1 and isinstance(value, Static):
            value = self.settled(value, out, stmt)
        elif len(stmt.targets) > 1:
            temp = self.names.temp()
            out.append(g.assign(temp, value, stmt))
            value = g.name(temp)
        for target in stmt.targets:
            out += self.assign(target, value, stmt)
        return out

    def assign(self, target, value, stmt):
        """Statements binding `target` to `value` (a gast expression or a Static)."""
        if isinstance(target, gast.Name):
            self.poisoned.pop(target.id, None)
            self.constants.pop(target.id, None)
            if isinstance(value, gast.Constant):
                self.constants[target.id] = value.value
            if isinstance(value, Static):
                out = []
                self.env[target.id] = self.named(value, (target.id,), out, stmt)
                return out
            self.env.pop(target.id, None)
            return [g.assign(target, value, stmt)]
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(target, value, stmt)
        if isinstance(target, (gast.Subscript, gast.Attribute)):
            base = self.value(target.value)
            if isinstance(base, Static):
                return self.store_into(base, target, value, stmt)
            target = Expressions(self).visit(target)
        return [g.assign(target, self.expr(value, stmt) if isinstance(value, Static) else value, stmt)]

    def unpack(self, target, value, stmt):
        if not isinstance(value, Static):
            for name_ in g.assigned_names(target):
                self.env.pop(name_, None)
            return [g.assign(Expressions(self).visit(target), value, stmt)]
        if any(isinstance(t, gast.Starred) for t in target.elts) or value.shape not in (
                pytree.LIST, pytree.TUPLE, pytree.NAMEDTUPLE) or len(target.elts) != len(value.items):
            raise Unsupported(stmt, f"cannot unpack a {describe(value)} into {len(target.elts)} names",
                              "Unpack as many names as it has items, without *")
        out = []
        value = self.settled(value, out, stmt)
        for t, item in zip(target.elts, value.items):
            out += self.assign(t, item, stmt)
        return out

    def store_into(self, base, target, value, stmt):
        """`base[key] = value` or `base.field = value` into a container whose structure is known."""
        key = self.constant_key(target)
        if key is NOT_CONSTANT:
            raise Unsupported(stmt, f"cannot differentiate a write into a {describe(base)} at a computed key",
                              "Use constant keys, or an array")
        index = base.index_of(key)
        if index is None and (base.shape != pytree.DICT or self.depth > base.depth):
            raise Unsupported(stmt, f"cannot differentiate adding {key!r} to a {describe(base)} here",
                              "Give a container all its keys where it is made")
        old = base.items[index] if index is not None else None
        if self.depth > base.depth and isinstance(old, Static) != isinstance(value, Static):
            raise Unsupported(stmt, f"cannot differentiate changing what the {describe(base)} holds at "
                              f"{key!r} (a container or a value) inside a branch or loop",
                              "Give the item the same structure on every path")
        if base.shared:
            raise Unsupported(stmt, f"cannot differentiate a write into a {describe(base)} that another "
                              "name also holds", "Build a new container instead")
        out = []
        part = base.prefix + (key,)
        if isinstance(value, Static):
            item = self.named(value, part, out, stmt)
        else:
            out.append(g.assign(self.leaf_name(part), value, stmt))
            item = g.name(self.leaf_name(part))
        if index is None:
            base.keys.append(key)
            base.items.append(item)
        else:
            base.items[index] = item
        return out

    def named(self, static, prefix, out, stmt):
        """A Static of `static`'s structure whose every leaf is copied into its own leaf name
        `prefix_key` (appending the copies to `out`): re-binding a name a leaf read, or the
        container `static` was read from, leaves it as it was. A named container copied so
        (`e = d`) is `shared`: writes into either would be seen by both in Python."""
        if static.prefix is not None:
            static.shared = True
        pairs = []  # (leaf name, expression), in flatten order
        made = self.renamed_copy(static, prefix, pairs, _held_twice(static))
        targets = {leaf for leaf, _ in pairs}
        if any(n.id in targets for _, expr in pairs for n in gast.walk(expr) if isinstance(n, gast.Name)):
            held = []  # an item reads a leaf being written (d = {"a": d["b"], "b": d["a"]})
            for leaf, expr in pairs:
                temp = self.names.temp()
                out.append(g.assign(temp, expr, stmt))
                held.append((leaf, g.name(temp)))
            pairs = held
        out.extend(g.assign(leaf, expr, stmt) for leaf, expr in pairs if not _is_name(expr, leaf))
        made.shared = static.prefix is not None
        return made

    def renamed_copy(self, static, prefix, pairs, twice=frozenset()):
        """A copy of `static` with its leaves named after `prefix`. A container in it that a
        name holds too (`[d, d]`, `{"p": d}`), or that it holds twice (`[{"w": x}] * 2`), is
        one object in Python, but gets leaves of its own on each path here: writes into it
        are refused (they would be seen on every path)."""
        items = []
        for key, item in zip(static.keys, static.items):
            part = prefix + (key,)
            if isinstance(item, Static):
                copied = self.renamed_copy(item, part, pairs, twice)
                if item.prefix is not None or id(item) in twice:
                    item.shared = copied.shared = True
                items.append(copied)
            else:
                pairs.append((self.leaf_name(part), item))
                items.append(g.name(self.leaf_name(part)))
        return Static(static.shape, static.keys, items, static.type_, None, prefix, self.depth)

    def settled(self, static, out, stmt):
        """`static` with its leaves that are not constants copied to temporaries (before an
        unpacking assigns names its leaves may read: `a, b = b, {"k": a}`); a named container's
        leaves are leaf names, which no unpacking writes."""
        if static.prefix is not None:
            return static
        items = []
        for item in static.items:
            if isinstance(item, Static):
                items.append(self.settled(item, out, stmt))
            elif isinstance(item, gast.Constant):
                items.append(item)
            else:
                temp = self.names.temp()
                out.append(g.assign(temp, item, stmt))
                items.append(g.name(temp))
        return Static(static.shape, static.keys, items, static.type_, static.argument, static.prefix, static.depth)

    def visit_AugAssign(self, stmt):
        target = stmt.target
        if isinstance(target, (gast.Subscript, gast.Attribute)):
            base = self.value(target.value)
            if isinstance(base, Static):
                current = self.value(target)
                value = gast.BinOp(left=self.expr(current, stmt), op=stmt.op,
                                   right=self.expr(self.value(stmt.value), stmt))
                return self.store_into(base, target, value, stmt)
        if isinstance(target, gast.Name) and target.id in self.env:
            raise Unsupported(stmt, f"cannot differentiate {_op_text(stmt.op)}= on the {describe(self.env[target.id])} "
                              f"{target.id}", "Build a new container")
        return [Expressions(self).visit(stmt)]


def _is_name(expr, name_):
    return isinstance(expr, gast.Name) and expr.id == name_


def _held_twice(static):
    """The ids of the containers `static` holds more than once (at any depth)."""
    seen, twice = set(), set()
    work = [i for i in static.items if isinstance(i, Static)]
    while work:
        item = work.pop()
        if id(item) in seen:
            twice.add(id(item))
            continue
        seen.add(id(item))
        work.extend(i for i in item.items if isinstance(i, Static))
    return frozenset(twice)


def _op_text(op):
    return g.OPERATOR_SYMBOLS.get(type(op), type(op).__name__)