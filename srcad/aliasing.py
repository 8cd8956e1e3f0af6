"""Aliasing: which names may share memory, and whether each write into memory is safe.

srcad gives every name its own adjoint; numpy lets names share memory. After `v = y[1:]`, a
write through `v` changes `y`, and `y`'s adjoint never hears of it. So a write is
differentiated right only when no other name that is read later sees the memory it changes.
This pass decides that for every write of the three-address function:

- `a[i] = v` and `a[i] += v` (a store into `a`);
- `a += e`, `a *= e` on an array or a list: Python changes the object in place, srcad computes
  a new one, which is the same only where no one else sees the old object;
- `np.multiply(a, b, out=c)`, `np.add.at(a, i, v)`, `np.copyto(a, b)`, a method call that may
  change its receiver (`a.fill(0.0)`, `xs.append(v)`), a call of a function with no rule for
  its effect alone, and a call of a user function that writes into an array it is given.

May-alias classes join names between which a view, or the object itself, may pass: plain
assignment, indexing and slicing, attributes, `reshape`, `.T`, `ravel`, `np.asarray`, every
call not known to return new memory (helpers included: they may return an argument or a view
of it), and containers with what they hold. The classes ignore the order of statements, so
they may be larger than the truth, never smaller.

A write is accepted when it changes nothing that varies with the inputs; or when no other name
of its class is live after it (read by a later statement; arguments and globals are always
live, the caller sees them); or when each other live name was read from the written array by
a plain index (`h = H[t]`: a row or a number): then the generated code checks, before the
write, that it does not touch their memory (`_rt.disjoint_write`). Everything else is refused
at the line of the write, saying what to write instead.
"""
import builtins
import inspect
import math
import re

import gast
import numpy as np

from . import gastutil as g
from . import runtime
from .errors import Unsupported
from .ir import bound_arguments, parameters
from .liveness import live_after
from .parse import UNRESOLVED
from .rules import numpy_rules, registry
from .rules.callees import is_user_function

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

# Functions that write into their first argument; and methods that change their receiver.
_WRITERS = [np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis]
MUTATORS = {"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault",
            "popitem", "sort", "reverse", "fill", "resize", "itemset", "put", "partition",
            "setflags", "setfield", "byteswap", "__setitem__", "__iadd__", "__imul__"}
_LIST_GROWTH = {"append"}  # the reverse transform differentiates appends itself
_LIST_METHODS = {"append", "extend", "insert", "remove", "pop", "clear"}


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


def _arrays(simple, facts):
    """Names known to hold numpy arrays (or numpy numbers), never lists: of array kind, or
    made only by numpy's constructors and ufuncs, by indexing them or arithmetic with them."""
    defs = _definitions(simple)
    arrays = {n for n, kind in facts.kinds.items() if kind == ARRAY}

    def array_valued(value):
        if isinstance(value, gast.Call):
            fn = facts.calls.get(id(value))
            return isinstance(fn, np.ufunc) or any(fn is m for m in _MAKERS)
        if isinstance(value, gast.Subscript):
            return isinstance(value.value, gast.Name) and value.value.id in arrays
        if isinstance(value, gast.BinOp):
            return any(isinstance(o, gast.Name) and o.id in arrays for o in (value.left, value.right))
        return isinstance(value, gast.Name) and value.id in arrays
    changed = True
    while changed:
        new = {t for t, values in defs.items() if t not in arrays and all(map(array_valued, values))}
        arrays |= new
        changed = bool(new)
    return arrays


def _definitions(simple):
    """name -> the values assigned to it (`t = value`) by the simple statements."""
    defs = {}
    for stmt in simple:
        if isinstance(stmt, gast.Assign):
            for t in g.assigned_names(stmt.targets[0]):
                defs.setdefault(t, []).append(stmt.value)
    return defs


def _containers(simple):
    """Names made only as list, dict or set literals: new containers, never an array."""
    defs = _definitions(simple)
    return {t for t, values in defs.items() if all(isinstance(v, (gast.List, gast.Dict, gast.Set)) for v in values)}


def _memory(facts, name_):
    """Whether `name_` may hold mutable memory (not a Python number, not a range)."""
    return facts.kinds.get(name_) not in (FLOAT, RANGE)


def _flows(stmt, facts, arrays):
    """(name, [names it may now share memory with]) for one simple statement."""
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):  # a list element holds the object; an array copies
            base = target.value
            if isinstance(base, gast.Name) and base.id not in arrays:
                return [(base.id, _names(stmt.value, facts))]
            return []
        out = [(t, _shared(stmt.value, t, facts, arrays)) for t in g.assigned_names(target)
               if _memory(facts, t)]
        return out + _call_effects(stmt.value, facts)
    if isinstance(stmt, gast.Expr):
        return _call_effects(stmt.value, facts)
    return []


def _call_effects(value, facts):
    """A method call joins its receiver with its arguments (`xs.append(a)`)."""
    if not isinstance(value, gast.Call):
        return []
    receiver = _local_receiver(value, facts)
    return [] if receiver is None else [(receiver, _names(value, facts))]


def _names(node, facts):
    """The names in `node` that may hold memory (of a call: its arguments and receiver, not
    the function)."""
    if isinstance(node, gast.Call):
        parts = list(node.args) + [k.value for k in node.keywords]
        receiver = _local_receiver(node, facts)
        node = g.tuple_(parts + ([g.name(receiver)] if receiver else []))
    return [n for n in g.names_in(node) if _memory(facts, n)]


def _shared(value, target, facts, arrays):
    """Names whose memory `target = value` may share."""
    if isinstance(value, (gast.Constant, gast.Compare, gast.JoinedStr)):
        return []
    if isinstance(value, gast.Name):
        return _names(value, facts)
    if isinstance(value, gast.Subscript):
        return _names(value.value, facts)  # a view, or an element, of the base; never the index
    if isinstance(value, gast.Attribute):
        return [] if value.attr in INACTIVE_ATTRIBUTES else _names(value.value, facts)
    if isinstance(value, gast.BinOp):
        # arithmetic makes a new value; `+` and `*` of lists and tuples copy their references
        if not isinstance(value.op, (gast.Add, gast.Mult)) or target in arrays:
            return []
        return [n for n in _names(value, facts) if n not in arrays]
    if isinstance(value, gast.UnaryOp):
        return []
    if isinstance(value, gast.Call):
        return [] if returns_new(facts.calls.get(id(value), UNRESOLVED), value, facts) \
            else _names(value, facts)
    return _names(value, facts)


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


def _local_receiver(call, facts):
    func = call.func
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
            and func.value.id in facts.local:
        return func.value.id
    return None


# --- writes -----------------------------------------------------------------------------------

class Write:
    """A statement writing into the memory that `base` names: `how` is one of "store",
    "in place", "out", "writer", "method", "helper", "call"; `what` names the function, method or
    operator; `values`: the names whose values it writes."""

    def __init__(self, stmt, base, how, what="", values=()):
        self.stmt, self.base, self.how, self.what, self.values = stmt, base, how, what, list(values)


def _writes(stmt, facts, written_parameters):
    out = []
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            out.append(Write(stmt, target.value.id, "store", "", g.names_in(stmt.value)))
        old, op = getattr(stmt, "in_place", (None, ""))
        kind = facts.kinds.get(old)
        if old is not None and kind not in (FLOAT, RANGE) and not isinstance(kind, tuple):
            out.append(Write(stmt, old, "in place", op, g.names_in(stmt.value)))
    value = stmt.value if isinstance(stmt, (gast.Assign, gast.Expr)) else None
    if isinstance(value, gast.Call):
        out += _call_writes(stmt, value, facts, written_parameters)
    return out


def _call_writes(stmt, call, facts, written_parameters):
    fn = facts.calls.get(id(call), UNRESOLVED)
    what = _spelled(call.func)
    values = g.names_in(g.tuple_(list(call.args) + [k.value for k in call.keywords]))
    out = [Write(stmt, n, "out", what, values) for k in call.keywords if k.arg == "out"
           for n in _names(k.value, facts)]
    first = call.args[0] if call.args else None
    if isinstance(first, gast.Name) and (any(fn is w for w in _WRITERS) or _is_ufunc_at(fn)):
        out.append(Write(stmt, first.id, "writer", what, values))
    receiver = _local_receiver(call, facts)
    if receiver is not None:
        if isinstance(stmt, gast.Expr) or call.func.attr in MUTATORS:
            out.append(Write(stmt, receiver, "method", call.func.attr, g.names_in(g.tuple_(call.args))))
    elif fn is not UNRESOLVED and is_user_function(fn):
        bound, _ = bound_arguments(fn, call, stmt)
        written = written_parameters(fn, {p: facts.kind(a) for p, a in bound})
        out += [Write(stmt, a.id, "helper", f"{fn.__name__}'s {p}") for p, a in bound
                if p in written and isinstance(a, gast.Name) and _memory(facts, a.id)]
    elif isinstance(stmt, gast.Expr) and not _pure(fn, call, facts):
        out += [Write(stmt, n, "call", what) for n in _names(g.tuple_(call.args), facts)]
    return out


def _is_ufunc_at(fn):
    return getattr(fn, "__name__", "") == "at" and isinstance(getattr(fn, "__self__", None), np.ufunc)


def _pure(fn, call, facts):
    """A call for its effect alone that changes none of its arguments."""
    return fn is print or returns_new(fn, call, facts) or any(fn is v for v in VIEWS)


def _spelled(func):
    return func.id if isinstance(func, gast.Name) else \
        f"{_spelled(func.value)}.{func.attr}" if isinstance(func, gast.Attribute) else "the function"


# --- the check --------------------------------------------------------------------------------

def check(tree, simple, facts, params, src, helper_facts):
    """Refuse every write of the three-address `tree` that may be differentiated wrong; fill in
    `facts.aliases` (the classes), `facts.local` and `facts.guards` (id of a store -> the names
    the generated code checks it does not touch, and the message if it does).
    `helper_facts(fn, kinds, src)`: analyze's facts of a helper the code calls, or None."""
    _Checker(tree, simple, facts, params, src, helper_facts).run()


class _Checker:
    def __init__(self, tree, simple, facts, params, src, helper_facts, depth=0):
        self.tree, self.simple, self.facts, self.src, self.depth = tree, simple, facts, src, depth
        self.helper_facts = helper_facts
        stored = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)
                  and isinstance(n.ctx, (gast.Store, gast.Param))}
        facts.local = set(params) | stored
        read = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        self.params = {p for p in params if _memory(facts, p)}
        self.outside = self.params | (read - facts.local)  # the caller sees these
        self.arrays = _arrays(simple, facts)
        self.containers = _containers(simple)
        facts.aliases = self.sets = classes(simple, facts, self.arrays)
        self.live = live_after(tree.body)
        self.helpers = {}

    def run(self):
        for stmt in self.simple:
            for write in _writes(stmt, self.facts, self.written_parameters):
                self.judge(write)

    def judge(self, write):
        facts = self.facts
        members = self.sets.members(write.base)
        # a list changed (`xs.append(v)`, `xs[i] = v` on a list literal) changes no object it
        # holds: only the names of the list itself matter, never an array it holds
        container = write.how == "method" and write.what in _LIST_METHODS \
            or write.how == "store" and write.base in self.containers
        changed = [write.base] if container else members
        if not any(n in facts.varied for n in list(changed) + write.values):
            return  # it changes nothing that varies with the inputs
        if write.how in _REFUSED:
            raise Unsupported(write.stmt, *_REFUSED[write.how](write, _user(write.base)))
        outside = sorted(members & self.outside - (self.arrays if container else set()))
        if outside and not (write.how == "method" and write.what in _LIST_GROWTH):
            raise Unsupported(write.stmt, *_caller_sees(write, outside[0], outside[0] in self.params))
        stmt = write.stmt
        rebound = set(g.assigned_names(stmt.targets[0])) if isinstance(stmt, gast.Assign) else set()
        others = (members & self.live.get(id(stmt), set())) - rebound - {write.base}
        if container:
            others -= self.arrays
        if not others:
            return
        if write.how == "store" and all(self.read_by_index(b, write.base) for b in others):
            facts.guards[id(stmt)] = tuple(sorted(others))
            return
        raise Unsupported(stmt, *_shared_memory(write, others))

    def read_by_index(self, name_, base, seen=()):
        """Whether every definition of `name_` is `name_ = base[i]` or `base[i, j]` with plain
        indices (a row, or a number), or a copy of such a name: whether it overlaps a write is
        told at run time."""
        defs = [s for s in self.simple if isinstance(s, gast.Assign) and name_ in g.assigned_names(s.targets[0])]
        return bool(defs) and name_ not in seen and all(
            isinstance(s.targets[0], gast.Name) and (
                isinstance(s.value, gast.Subscript) and isinstance(s.value.value, gast.Name)
                and s.value.value.id == base and plain_index(s.value.slice)
                or isinstance(s.value, gast.Name) and self.read_by_index(s.value.id, base, seen + (name_,)))
            for s in defs)

    def written_parameters(self, fn, kinds):
        """The parameters of the user function `fn` (given arguments of `kinds`) whose memory
        it may write into (appends aside), by the same analysis of its own body; all of them
        where that cannot be told. Worked out once per analysis (never kept across them)."""
        key = (id(fn), tuple(sorted(kinds.items(), key=str)))
        if key not in self.helpers:
            self.helpers[key] = (fn, set())  # while it is worked out (recursion)
            self.helpers[key] = (fn, _written_parameters(fn, kinds, self))
        return self.helpers[key][1]


def _written_parameters(fn, kinds, caller):
    every = set(inspect.signature(fn).parameters)
    found = caller.helper_facts(fn, {p: k for p, k in kinds.items() if isinstance(k, str)}, caller.src) \
        if caller.depth <= 8 else None
    if found is None:
        return every
    tree, simple, facts = found
    params = parameters(tree)
    checker = _Checker(tree, simple, facts, params, caller.src, caller.helper_facts, caller.depth + 1)
    checker.helpers = caller.helpers
    written = set()
    for stmt in simple:
        for write in _writes(stmt, facts, checker.written_parameters):
            if not (write.how == "method" and write.what in _LIST_GROWTH):
                written |= checker.sets.members(write.base)
    return written & set(params)


def plain_index(index):
    """`i`, `i, j`: names and numbers (not slices, not None, not ...)."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    return all(isinstance(p, (gast.Name, gast.Constant)) and not (isinstance(p, gast.Constant)
               and p.value in (None, Ellipsis)) for p in parts)


def _user(name_):
    """The user's spelling of a three-address name: `y` for its version `y_2`."""
    return re.sub(r"_\d+$", "", name_)


def _names_text(names):
    users = sorted({_user(n) for n in names if not re.fullmatch(r"t\d+", n)})
    return ", ".join(users) if users else "another name"


_REFUSED = {
    "out": lambda w, a: (f"cannot differentiate {w.what}(..., out={a}): it writes into {a} in place",
                         f"Assign the result instead: {a} = {w.what}(...) without out="),
    "writer": lambda w, a: (f"cannot differentiate {w.what}, which writes into {a} in place",
                            "Add in a loop instead: for k in range(len(i)): a[i[k]] += v[k]"
                            if w.what.endswith(".at") else "Assign a new array instead"),
    "helper": lambda w, a: (f"cannot differentiate this call: it writes into {a} (as {w.what}), "
                            "and the writes inside a called function are not differentiated",
                            "Return a new array from the function instead of writing into its "
                            "argument (copy it inside first: p = p.copy())"),
    "call": lambda w, a: (f"cannot differentiate the call of {w.what} for its effect: it may "
                          f"change {a} in place", "Assign a new array instead"),
}


def _caller_sees(write, outside, is_parameter):
    """(what, hint) for a write into memory the caller sees: an argument's, or a global's."""
    a, p = _user(write.base), _user(outside)
    whose = f"the argument {p}" if is_parameter else f"the global {p}"
    change = "the caller's array" if is_parameter else f"{p} for every later call"
    if write.how == "in place":
        of = whose if a == p else f"{a}, which may share memory with {whose}"
        return (f"cannot differentiate an in-place update ({a} {write.what} ...) of {of}: it would "
                f"change {change}", f"Write {a} = {a} {write.what[:-1]} ... to make a new array")
    if a == p:
        return (f"cannot differentiate a write into {whose}: it would change {change}",
                f"Copy it first: {a} = {a}.copy()")
    return (f"cannot differentiate a write into {a}, which may share memory with {whose}: it would "
            f"change {change}", f"Write into a copy: take it with .copy() where {a} is read from {p}")


def _shared_memory(write, others):
    a, names = _user(write.base), _names_text(others)
    if write.how == "in place":
        return (f"cannot differentiate an in-place update ({a} {write.what} ...) of an array that "
                f"another name or a view may also refer to ({names})",
                f"Write {a} = {a} {write.what[:-1]} ... to make a new array")
    change = f"the method call .{write.what}() on {a}" if write.how == "method" else f"a write into {a}"
    return (f"cannot differentiate {change}: {names} may view or alias the same memory and "
            "is read after it", "Take a copy with .copy() where the view is made, or build a new "
            "array (np.where, np.concatenate, np.stack)")


def insert_guards(tree, facts, namespace, filename):
    """Put `_rt.disjoint_write(a, i, (h, ...), (file, line, 'a', ('h', ...)))` before each store
    `a[i] = v` that `facts.guards` lists: the run-time check that the write does not touch the
    memory of the names read from `a` by a plain index and read again later. A name that may
    not be bound yet when a check runs (set first in a loop) starts as None."""
    if not facts.guards:
        return
    unbound, defined = set(), set(parameters(tree))
    for stmt in tree.body:
        for node in gast.walk(stmt):
            unbound |= set(facts.guards.get(id(node), ())) - defined
        if isinstance(stmt, gast.Assign):
            defined.update(g.assigned_names(stmt.targets[0]))
    for node, field, stmts in g.statement_lists(tree):
        setattr(node, field, [new for s in stmts for new in _guarded(s, facts, namespace, filename)])
    tree.body[:0] = [g.located(g.assign(n, g.const(None)), tree.body[0]) for n in sorted(unbound)]


def _guarded(stmt, facts, namespace, filename):
    others = facts.guards.get(id(stmt))
    if not others:
        return [stmt]
    target = stmt.targets[0]
    where = g.const((filename, stmt.lineno, _user(target.value.id), tuple(_user(n) for n in others)))
    check = g.attr(namespace.refer(runtime, "_rt"), "disjoint_write")
    call = g.call(check, [g.name(target.value.id), g.index_value(target.slice, namespace),
                          g.tuple_(g.name(n) for n in others), where])
    facts.calls[id(call)] = runtime.disjoint_write  # a check with no derivative (runtime_rules)
    facts.keep.append(call)
    return [g.located(gast.Expr(value=call), stmt), stmt]
