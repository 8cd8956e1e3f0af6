"""Aliasing: which names may share memory.

srcad gives every name its own adjoint; numpy lets names share memory. After `v = y[1:]`, a
write through `v` changes `y`, and `y`'s adjoint never hears of it. So a write is
differentiated right only when no other name that is read later sees the memory it changes.
writes.py decides, for every write, whether another name read later may see it; this
module finds which names may share memory.

May-alias classes join names between which a view, or the object itself, may pass: plain
assignment, indexing and slicing, attributes, `reshape`, `.T`, `ravel`, `np.asarray`, every
call not known to return new memory (helpers included: they may return an argument or a view
of it), and containers with what they hold. The classes ignore the order of statements, so
they may be larger than the truth, never smaller.
"""
import builtins
import math

import gast
import numpy as np

from . import gastutil as g
from .parse import UNRESOLVED
from .rules import numpy_rules, registry

FLOAT, RANGE, ARRAY = "float", "range", "array"  # analyze's kinds (analyze imports this module)
INACTIVE_ATTRIBUTES = {"shape", "ndim", "dtype", "size", "itemsize", "nbytes"}

# Functions that may return a view of an argument, or the argument itself.
_VIEW_NAMES = ("asarray asanyarray ascontiguousarray asfortranarray asarray_chkfinite require "
               "reshape ravel transpose swapaxes moveaxis rollaxis squeeze expand_dims "
               "broadcast_to broadcast_arrays diagonal diag real imag flip fliplr flipud rot90 "
               "einsum atleast_1d atleast_2d atleast_3d split array_split hsplit vsplit dsplit")
VIEWS = [getattr(np, n) for n in _VIEW_NAMES.split() if hasattr(np, n)]

# numpy's constructors of new arrays
_MAKERS = [np.zeros, np.ones, np.empty, np.full, np.zeros_like, np.ones_like, np.empty_like,
           np.full_like, np.eye, np.identity, np.array, np.copy, np.arange, np.linspace]

# Builtins whose result shares nothing with their arguments.
_NEW_BUILTINS = {float, int, bool, complex, abs, len, round, pow, divmod, str, repr, hash,
                 isinstance, range, print, format, type, id, callable}


class Sets:
    """Union-find over names: `members(n)` is every name that may share memory with `n`."""

    def __init__(self):
        self.parent = {}

    def find(self, n):
        root = n
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while n != root:  # path compression
            self.parent[n], n = root, self.parent[n]
        return root

    def join(self, a, b):
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def members(self, n):
        root = self.find(n)
        return {m for m in self.parent if self.find(m) == root} | {n}


def classes(simple, facts, arrays):
    """The may-alias classes of the simple statements `simple` (see analyze); `arrays`: the
    names known to hold numpy values (`_arrays`)."""
    sets = Sets()
    for stmt in simple:
        for target, sources in _flows(stmt, facts, arrays):
            for source in sources:
                sets.join(target, source)
    return sets


def array_names(simple, facts):
    """Names known to hold numpy arrays (or numpy or float numbers), never lists: of array
    kind, or made only by numpy's constructors and ufuncs, float constants, by indexing them or
    arithmetic with them (a list times or plus a float or an array is no list), or by indexing
    a list of them (or a list of such lists, a nested comprehension's, as many times)."""
    return {n for n, depth in list_depths(simple, facts).items() if depth == 0}


def list_depths(simple, facts):
    """name -> how many plain indices lead from it to a number or an array: 0 for those, 1 for a
    list of them, 2 for a list of such lists, ...; names not known to be so are left out. Lists
    count when made as literals and grown only by `append` (`_list_items`)."""
    defs = _definitions(simple)
    depth = {n: 0 for n, kind in facts.kinds.items() if kind == ARRAY}
    items = _list_items(simple, defs, facts)

    def of(value):  # the depth of an expression, None where unknown
        if isinstance(value, gast.Call):
            fn = facts.calls.get(id(value))
            if fn in (max, min) and len(value.args) == 1 and not value.keywords:
                return 0 if of(value.args[0]) == 1 else None  # one of the list's numbers
            return 0 if isinstance(fn, np.ufunc) or any(fn is m for m in _MAKERS) else None
        if isinstance(value, gast.Subscript):
            base = of(value.value) if isinstance(value.value, gast.Name) else None
            if not base:  # an array indexed is numpy's (a number or an array); else unknown
                return base
            one = isinstance(value.slice, (gast.Name, gast.Constant)) and not isinstance(
                getattr(value.slice, "value", 0), (slice, type(None), type(Ellipsis)))
            return base - 1 if one else None
        if isinstance(value, gast.BinOp):
            return 0 if 0 in (operand(value.left), operand(value.right)) else None
        return operand(value)

    def operand(value):  # not an int constant: a list times 3 is a list
        if isinstance(value, gast.Name):
            return depth.get(value.id)
        return 0 if isinstance(value, gast.Constant) and type(value.value) is float else None

    def of_name(name_):
        if name_ in items:  # a list: one deeper than all it holds (an empty one holds numbers)
            inner = {of(v) for v in items[name_]} or {0}
            return inner.pop() + 1 if len(inner) == 1 and None not in inner else None
        found = {of(v) for v in defs[name_]}
        return found.pop() if len(found) == 1 else None
    changed = True
    while changed:
        new = {t: d for t in defs if t not in depth for d in [of_name(t)] if d is not None}
        depth.update(new)
        changed = bool(new)
    return depth


# calls that never change a list they are given (any other call may append to it)
_READ_ONLY = (max, min, len, sum, sorted, zip, enumerate, tuple, list, reversed, np.array,
              np.asarray, np.stack, np.sum, np.concatenate, np.vstack, np.hstack, np.mean)


def _list_items(simple, defs, facts):
    """list name -> every value it may hold, for lists made only as literals and grown only
    by `append` (any other change of the list, or another definition, leaves it out). A name
    given such a list (`row = t`, its only definition) shares its items."""
    items = {t: [e for v in values for e in v.elts] for t, values in defs.items()
             if all(isinstance(v, gast.List) for v in values)}
    for t, values in defs.items():
        if len(values) == 1 and isinstance(values[0], gast.Name) and values[0].id in items and t not in items:
            items[t] = items[values[0].id]  # one list of items under both names

    def forget(name_):  # the list is changed otherwise: under every name it has
        held = items.pop(name_, None)
        for other in [n for n, v in items.items() if v is held]:
            del items[other]
    for stmt in simple:
        for node in g.nodes(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                    and isinstance(node.func.value, gast.Name) and node.func.value.id in items:
                if node.func.attr == "append" and len(node.args) == 1:
                    items[node.func.value.id].append(node.args[0])
                else:
                    forget(node.func.value.id)
            elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) \
                    and isinstance(node.value, gast.Name):
                forget(node.value.id)  # an item written: its value is not followed
            elif isinstance(node, gast.Call) and not any(facts.calls.get(id(node)) is f for f in _READ_ONLY):
                for arg in node.args + [k.value for k in node.keywords]:  # a callee may append
                    if isinstance(arg, gast.Name):
                        forget(arg.id)
    return items


def _definitions(simple):
    """name -> the values assigned to it (`t = value`) by the simple statements."""
    defs = {}
    for stmt in simple:
        if isinstance(stmt, gast.Assign):
            for t in g.assigned_names(stmt.targets[0]):
                defs.setdefault(t, []).append(stmt.value)
    return defs


def unshared_changes(tree, simple, facts):
    """ids of the statements that change a list no other name holds yet: `row.append(v)` or
    `row[i] = v` after the list is made (`row = []`, `row = [0.0] * n`, `row = xs.copy()`,
    `row = list(xs)`, each the only definition of its name) earlier in the same block or an
    enclosing one, with no statement in between that may give it to another name
    (`rows.append(row)`, `r = row`). A nested comprehension builds its rows so
    (`row = []; for j in ...: row.append(e); rows.append(row)`): each turn of the outer loop
    makes a new list, fills it, and only then shares it, so the changes reach no list that
    `rows` holds, which the classes above (blind to order) cannot tell."""
    counts = {}
    for stmt in simple:
        if isinstance(stmt, gast.Assign):
            for name_ in g.assigned_names(stmt.targets[0]):
                counts[name_] = counts.get(name_, 0) + 1
    out = set()
    for _, _, stmts in g.statement_lists(tree):
        for d, stmt in enumerate(stmts):
            made = _made_list(stmt, set(), facts)
            if made is None or counts.get(made) != 1:
                continue
            holders, retired = {made}, set()
            for later in stmts[d + 1:]:
                derived = _made_list(later, holders, facts)
                if derived is not None and counts.get(derived) == 1:
                    if isinstance(later.value, gast.Name):  # `row = t`: t may no longer be read
                        holders.discard(later.value.id)
                        retired.add(later.value.id)
                    holders.add(derived)  # the list under another name, or a new one made of it
                    continue
                changes = [n for n in g.walk(later) if _changes_list(n, holders)]
                if _may_share(later, holders | retired, changes):
                    break
                out.update(id(n) for n in changes)
    return out


def _made_list(stmt, holders, facts):
    """`xs` of `xs = value` where `value` makes a new list (`[...]`, `ys.copy()`, `list(ys)`);
    or with `holders` given, where it is one of them (`row = t`) or a new list made of one
    (`h * n`, `h + ys`); else None."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)):
        return None
    value = stmt.value
    if holders:
        made = isinstance(value, gast.Name) and value.id in holders or isinstance(value, gast.BinOp) \
            and isinstance(value.op, (gast.Mult, gast.Add)) and any(
                isinstance(o, gast.Name) and o.id in holders for o in (value.left, value.right))
    else:
        made = isinstance(value, gast.List) or isinstance(value, gast.Call) and any(
            facts.calls.get(id(value)) is fn for fn in (list, numpy_rules.copy_method))
    return stmt.targets[0].id if made else None


def _changes_list(stmt, holders):
    """Whether `stmt` is `xs.append(v)` (or `extend`, `insert`) or `xs[i] = v`, xs in `holders`."""
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        return isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
            and func.value.id in holders and func.attr in ("append", "extend", "insert")
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript) \
        and isinstance(stmt.targets[0].value, gast.Name) and stmt.targets[0].value.id in holders


def _may_share(stmt, holders, changes):
    """Whether `stmt` reads one of `holders` other than as the list its `changes` change (a
    list read anywhere else may be handed on: appended, assigned, passed, returned, gone over)."""
    allowed = {id(c.value.func.value) if isinstance(c, gast.Expr) else id(c.targets[0].value) for c in changes}
    return any(isinstance(n, gast.Name) and n.id in holders and isinstance(n.ctx, gast.Load)
               and id(n) not in allowed for n in g.walk(stmt))


def container_names(simple, facts):
    """Names made only as list, dict or set literals, or as copies (`xs.copy()`): new
    containers, whose elements a store replaces (it changes no object another name holds)."""
    defs = _definitions(simple)

    def new_container(value):
        return isinstance(value, (gast.List, gast.Dict, gast.Set)) or isinstance(value, gast.Call) \
            and facts.calls.get(id(value)) is numpy_rules.copy_method
    return {t for t, values in defs.items() if all(map(new_container, values))}


def copied_from(simple, facts):
    """name -> the names it is a copy of (`ys = xs.copy()`: xs): a store into the copy replaces
    its own element, the original keeps its own."""
    found = {}
    for stmt in simple:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Call) \
                and facts.calls.get(id(stmt.value)) is numpy_rules.copy_method \
                and stmt.value.args and isinstance(stmt.value.args[0], gast.Name):
            for name_ in g.assigned_names(stmt.targets[0]):
                found.setdefault(name_, set()).add(stmt.value.args[0].id)
    return found


def may_hold_memory(facts, name_):
    """Whether `name_` may hold mutable memory (not a Python number, not a range)."""
    return facts.kinds.get(name_) not in (FLOAT, RANGE)


def _flows(stmt, facts, arrays):
    """(name, [names it may now share memory with]) for one simple statement."""
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):  # a list element holds the object; an array copies
            base = target.value
            if isinstance(base, gast.Name) and base.id not in arrays:
                return [(base.id, memory_names(stmt.value, facts))]
            return []
        out = [(t, _shared(stmt.value, t, facts, arrays)) for t in g.assigned_names(target)
               if may_hold_memory(facts, t)]
        return out + _call_effects(stmt.value, facts)
    if isinstance(stmt, gast.Expr):
        return _call_effects(stmt.value, facts)
    return []


def _call_effects(value, facts):
    """A method call joins its receiver with its arguments (`xs.append(a)`)."""
    if not isinstance(value, gast.Call):
        return []
    receiver = local_receiver(value, facts)
    return [] if receiver is None else [(receiver, memory_names(value, facts))]


def memory_names(node, facts):
    """The names in `node` that may hold memory (of a call: its arguments and receiver, not
    the function)."""
    if isinstance(node, gast.Call):
        parts = list(node.args) + [k.value for k in node.keywords]
        receiver = local_receiver(node, facts)
        node = g.tuple_(parts + ([g.name(receiver)] if receiver else []))
    return [n for n in g.names_in(node) if may_hold_memory(facts, n)]


def _shared(value, target, facts, arrays):
    """Names whose memory `target = value` may share."""
    if isinstance(value, (gast.Constant, gast.Compare, gast.JoinedStr)):
        return []
    if isinstance(value, gast.Name):
        return memory_names(value, facts)
    if isinstance(value, gast.Subscript):
        return memory_names(value.value, facts)  # a view, or an element, of the base; never the index
    if isinstance(value, gast.Attribute):
        return [] if value.attr in INACTIVE_ATTRIBUTES else memory_names(value.value, facts)
    if isinstance(value, gast.BinOp):
        # arithmetic makes a new value; `+` and `*` of lists and tuples copy their references
        if not isinstance(value.op, (gast.Add, gast.Mult)) or target in arrays:
            return []
        return [n for n in memory_names(value, facts) if n not in arrays]
    if isinstance(value, gast.UnaryOp):
        return []
    if isinstance(value, gast.Call):
        return [] if returns_new(facts.calls.get(id(value), UNRESOLVED), value, facts) \
            else memory_names(value, facts)
    return memory_names(value, facts)


def returns_new(fn, call, facts):
    """Whether the call `call` of `fn` surely returns memory no argument shares."""
    if any(k.arg in ("out", "copy") for k in call.keywords):
        return False
    if fn is UNRESOLVED or any(fn is v for v in VIEWS) or fn in (numpy_rules.reshape_method,
                                                                numpy_rules.transpose_method):
        return False
    if fn is numpy_rules.copy_method:  # deep for arrays, shallow for lists
        return all(facts.kind(a) == ARRAY for a in call.args)
    if isinstance(fn, np.ufunc) or getattr(math, getattr(fn, "__name__", ""), None) is fn:
        return True
    if getattr(builtins, getattr(fn, "__name__", ""), None) is fn:
        return fn in _NEW_BUILTINS
    return registry().covers(fn)


def local_receiver(call, facts):
    func = call.func
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
            and func.value.id in facts.local:
        return func.value.id
    return None
