"""Writes into memory: each is differentiated right, checked at run time, or refused.

srcad gives every name its own adjoint; numpy lets names share memory (aliasing.py finds
which may). This pass decides, for every write of the three-address function, whether it
is differentiated right:

- `a[i] = v` and `a[i] += v` (a store into `a`);
- `a += e`, `a *= e` on an array or a list: Python changes the object in place, srcad computes
  a new one, which is the same only where no one else sees the old object;
- `np.multiply(a, b, out=c)`, `np.add.at(a, i, v)`, `np.copyto(a, b)`, a method call that may
  change its receiver (`a.fill(0.0)`, `xs.append(v)`), a call of a function with no rule for
  its effect alone, and a call of a user function that writes into an array it is given.

A write is accepted when it changes nothing that varies with the inputs; or when no other name
of its class is live after it (read by a later statement; arguments and globals are always
live, the caller sees them); or when each other live name was read from the written array by
a plain index (`h = H[t]`: a row or a number): then the generated code checks, before the
write, that it does not touch their memory (`_rt.disjoint_write`). Everything else is refused
at the line of the write, saying what to write instead.
"""
import inspect
import re

import gast
import numpy as np

from . import gastutil as g
from . import runtime
from .aliasing import (FLOAT, RANGE, VIEWS, array_names, classes, container_names, copied_from,
                       local_receiver, may_hold_memory, memory_names, returns_new, unshared_changes)
from .errors import Unsupported
from .ir import augmented, bound_arguments, parameters
from .liveness import live_after
from .parse import UNRESOLVED
from .rules.callees import is_user_function

# Functions that write into their first argument; and methods that change their receiver.
_WRITERS = [np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis]
MUTATORS = {"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault",
            "popitem", "sort", "reverse", "fill", "resize", "itemset", "put", "partition",
            "setflags", "setfield", "byteswap", "__setitem__", "__iadd__", "__imul__"}
_LIST_GROWTH = {"append"}  # the reverse transform differentiates appends itself
_LIST_METHODS = {"append", "extend", "insert", "remove", "pop", "clear"}


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
        old, op = augmented(stmt)
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
           for n in memory_names(k.value, facts)]
    first = call.args[0] if call.args else None
    if isinstance(first, gast.Name) and (any(fn is w for w in _WRITERS) or _is_ufunc_at(fn)):
        out.append(Write(stmt, first.id, "writer", what, values))
    receiver = local_receiver(call, facts)
    if receiver is not None:
        if isinstance(stmt, gast.Expr) or call.func.attr in MUTATORS:
            out.append(Write(stmt, receiver, "method", call.func.attr, g.names_in(g.tuple_(call.args))))
    elif fn is not UNRESOLVED and is_user_function(fn):
        bound, _ = bound_arguments(fn, call, stmt)
        written = written_parameters(fn, {p: facts.kind(a) for p, a in bound})
        out += [Write(stmt, a.id, "helper", f"{fn.__name__}'s {p}") for p, a in bound
                if p in written and isinstance(a, gast.Name) and may_hold_memory(facts, a.id)]
    elif isinstance(stmt, gast.Expr) and not _pure(fn, call, facts):
        out += [Write(stmt, n, "call", what) for n in memory_names(g.tuple_(call.args), facts)]
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
        stored = {n.id for n in g.walk(tree) if isinstance(n, gast.Name)
                  and isinstance(n.ctx, (gast.Store, gast.Param))}
        facts.local = set(params) | stored
        read = {n.id for n in g.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        self.params = {p for p in params if may_hold_memory(facts, p)}
        self.outside = self.params | (read - facts.local)  # the caller sees these
        self.arrays = array_names(simple, facts)
        self.containers = container_names(simple, facts)
        self.copies = copied_from(simple, facts)
        self.unshared = unshared_changes(tree, simple, facts)
        facts.aliases = self.sets = classes(simple, facts, self.arrays)
        self.live = live_after(tree.body)
        self.helpers = {}

    def run(self):
        iterated = _iterated_in(self.tree)
        for stmt in self.simple:
            for write in _writes(stmt, self.facts, self.written_parameters):
                self.judge_loop(write, iterated.get(id(stmt), ()))
                self.judge(write)

    def judge_loop(self, write, items):
        """Refuse a write, inside `for e in a:`, into the memory of `a`: the loop reads each
        item when its turn comes, after the turns before changed `a`, and the reversed loop
        cannot read that item again (it would see `a` as the later turns left it)."""
        if write.how == "method" and write.what in _LIST_GROWTH:
            return  # a list that grows as it is gone over: the loop is reversed counted
        members = self.sets.members(write.base) | {write.base}
        for name_ in items:
            if name_ in members:
                a = _user(name_)
                raise Unsupported(write.stmt, f"cannot differentiate a write into {a} inside a "
                                  f"loop over {a} (for ... in {a}): each turn reads an item the "
                                  "turns before may have changed",
                                  f"Go over {a} by index instead: for k in range(len({a})): "
                                  f"e = {a}[k]; or over a copy: for e in {a}.copy()")

    def judge(self, write):
        facts = self.facts
        members = self.sets.members(write.base)
        # a list changed (`xs.append(v)`, `xs[i] = v` on a list literal) changes no object it
        # holds: only the names of the list itself matter, never an array it holds
        container = write.how == "method" and write.what in _LIST_METHODS \
            or write.how == "store" and write.base in self.containers
        if id(write.stmt) in self.unshared:
            return  # a new list no other name holds yet (a row of a list of lists being filled)
        changed = [write.base] if container else members
        if not any(n in facts.varied for n in list(changed) + write.values):
            return  # it changes nothing that varies with the inputs
        if write.how in _REFUSED:
            raise Unsupported(write.stmt, *_REFUSED[write.how](write, _user(write.base)))
        outside = sorted(members & self.outside - (self.arrays if container else set())
                         - (self.copies.get(write.base, set()) if container else set()))
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


def _iterated_in(tree):
    """id of each statement -> the names of the arrays or lists that the `for` loops around it
    go over (`for e in a:`, a name)."""
    iterated = {}
    for loop in g.walk(tree):
        if isinstance(loop, gast.For) and isinstance(loop.iter, gast.Name):
            for stmt in loop.body:
                for node in g.walk(stmt):
                    iterated.setdefault(id(node), []).append(loop.iter.id)
    return iterated


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


def _new_array_hint(write):
    """How to do without a function that writes into an array: `np.add.at` is a loop."""
    if write.what.endswith(".at"):
        return "Add in a loop instead: for k in range(len(i)): a[i[k]] += v[k]"
    return "Assign a new array instead"


_REFUSED = {
    "out": lambda w, a: (f"cannot differentiate {w.what}(..., out={a}): it writes into {a} in place",
                         f"Assign the result instead: {a} = {w.what}(...) without out="),
    "writer": lambda w, a: (f"cannot differentiate {w.what}, which writes into {a} in place", _new_array_hint(w)),
    "helper": lambda w, a: (f"cannot differentiate this call: it writes into {a} (as {w.what}), "
                            "and the writes inside a called function are not differentiated",
                            "Return a new array from the function instead of writing into its "
                            "argument (copy it inside first: p = p.copy())"),
    "call": lambda w, a: (f"cannot differentiate the call of {w.what} for its effect: it may "
                          f"change {_names_text([a]).replace('another name', 'an array it is given')} "
                          "in place", _new_array_hint(w)),
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
    if a == p:  # a global is copied under a name of its own (`G = G.copy()` makes G local)
        return (f"cannot differentiate a write into {whose}: it would change {change}",
                f"Copy it first: {a} = {a}.copy()" if is_parameter else
                f"Write into a copy under a new name: {a.lower()}_copy = {a}.copy()")
    # a global's kind is not known: its .copy() could be a list's, sharing the arrays it holds
    copy = ".copy()" if is_parameter else "np.array(...)"
    return (f"cannot differentiate a write into {a}, which may share memory with {whose}: it would "
            f"change {change}", f"Write into a copy: take it with {copy} where {a} is read from {p}")


def _shared_memory(write, others):
    a, names = _user(write.base), _names_text(others)
    if re.fullmatch(r"t\d+", a) and write.how in ("store", "method"):  # `rows[i][j] = v`: no name of its own
        return (f"cannot differentiate a change of an item that {names} holds ({names}[i][j] = ... or "
                f"{names}[i].append(...)) after {names} was made",
                "Fill each row before it goes into the list (row = [0.0] * n; row[j] = ...; "
                "rows.append(row)), or make the list of lists with a nested comprehension "
                "([[... for j in ...] for i in ...]); for an array, write a[i, j] = ...")
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
        for node in g.walk(stmt):
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
