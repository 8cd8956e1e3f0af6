"""Analyse: which variables are active, what kind of value each holds, what each call denotes.

- varied: depends on a `wrt` input through operations that carry a derivative;
- useful: influences the returned value;
- active = varied and useful: only active statements get adjoints;
- kinds: "float" (a Python number), "array" (numpy), or "other" (anything else, or unknown),
  inferred from the kinds of the arguments of the call being specialised;
- calls: the object each call's function denotes (resolved through the user's globals);
- aliases: which names may share memory; every write into memory is checked against them
  (aliasing.py, writes.py), refused where it could be differentiated wrong, and checked at run time
  where only the memory of a row read by a plain index could overlap it.

activity.py finds the varied and useful sets; this module the kinds, the calls and the facts
that join them. The analysis is flow-insensitive over the three-address tree; straight-line
variables are in SSA form after normalisation, so for them it is exact, and elsewhere it errs
on the active side.
"""
import inspect
import math
from dataclasses import dataclass, field

import gast
import numpy as np

from . import activity, aliasing, writes
from . import gastutil as g
from .depends import Identity
from .errors import SrcadError, Unsupported
from .parse import UNRESOLVED, is_generated
from .rules import numpy_rules, registry
from .rules.callees import API, is_user_function, made_by_srcad

FLOAT, ARRAY, OTHER = "float", "array", "other"
RANGE = "range"  # a range object: its elements are ints (FLOAT to the analysis)
INT = "int"  # an argument kind only: a Python int is a FLOAT to the analysis, but its gradient
             # must still be made a float
INACTIVE_ATTRIBUTES = aliasing.INACTIVE_ATTRIBUTES


@dataclass
class Facts:
    wrt: tuple                                   # parameter names differentiated
    kinds: dict = field(default_factory=dict)    # variable -> FLOAT / ARRAY / OTHER
    varied: set = field(default_factory=set)
    useful: set = field(default_factory=set)
    calls: dict = field(default_factory=dict)    # id(Call node) -> the object its function denotes
    returns: list = field(default_factory=list)  # the Return statements
    int_params: set = field(default_factory=set)  # parameters given Python ints
    number_params: set = field(default_factory=set)  # parameters given Python floats or ints
    single: bool = True                          # one gradient, not a tuple of them
    keep: list = field(default_factory=list)
    complex_powers: bool = False                  # a float `**` may give a complex number
    aliases: object = None                       # aliasing.Sets: names that may share memory
    local: set = field(default_factory=set)      # the function's own names (parameters too)
    guards: dict = field(default_factory=dict)   # id(a[i] = v) -> names checked at run time
    changers: dict = field(default_factory=dict)  # user function -> the parameters it may change

    @property
    def active(self):
        return self.varied & self.useful

    def is_active(self, name_):
        return name_ in self.varied and name_ in self.useful

    def clone(self, node):
        """A copy of `node` whose calls are known to denote what the original's do."""
        copy = g.clone(node)
        for old, new in zip(g.walk(node), g.walk(copy)):
            if isinstance(old, gast.Call) and id(old) in self.calls:
                self.calls[id(new)] = self.calls[id(old)]
                self.keep.append(new)  # its id must stay its own

        return copy

    def kind(self, expr):
        if isinstance(expr, gast.Name):
            return self.kinds.get(expr.id, OTHER)
        if isinstance(expr, gast.Constant):
            return kind_of_value(expr.value)
        return OTHER


def kind_of_value(value):
    if type(value) in (float, int, bool):
        return FLOAT
    if isinstance(value, (np.ndarray, np.generic)):
        return ARRAY
    return OTHER


def kind_of_type(type_):
    if type_ in (int, bool):
        return INT
    if type_ is float:
        return FLOAT
    if issubclass(type_, (np.ndarray, np.generic)):
        return ARRAY
    return OTHER


def dataflow(tree, src, wrt, arg_kinds):
    """Facts about the three-address `tree` differentiated with respect to `wrt` (a name, or a
    tuple of names for a tuple of gradients),
    for arguments of the kinds `arg_kinds` (parameter name -> kind)."""
    facts = Facts((wrt,) if isinstance(wrt, str) else tuple(wrt), single=isinstance(wrt, str))
    simple = _simple_statements(tree.body)
    facts.returns = [s for s in simple if isinstance(s, gast.Return)]
    for stmt in simple:
        for node in g.nodes(stmt):
            if isinstance(node, gast.Call):
                facts.calls[id(node)] = fn = src.resolve(node.func)
                if made_by_srcad(fn):
                    API.rules_for_made(fn)  # a gradient srcad made: rules by forward mode
    facts.int_params = {p for p, kind in arg_kinds.items() if kind == INT}
    facts.number_params = {p for p, kind in arg_kinds.items() if kind in (INT, FLOAT)}
    arg_kinds = {p: FLOAT if kind == INT else kind for p, kind in arg_kinds.items()}
    _infer_kinds(simple, facts, arg_kinds, src)
    facts.complex_powers = any(_may_be_complex_power(s, facts) for s in simple)
    activity.propagate_varied(simple, facts)
    activity.propagate_useful(simple, facts, activity.mutated_params(simple, set(arg_kinds)))
    if not is_generated(src.filename):  # srcad's own writes (restoring saved values) are safe
        writes.check(tree, simple, facts, list(arg_kinds), src, helper_facts)
        writes.insert_guards(tree, facts, src.namespace, src.filename)
    return facts


def _may_be_complex_power(stmt, facts):
    """Whether `stmt` is `t = a ** b` on Python numbers with `b` not a whole constant: Python
    gives a complex number for a negative `a` (numpy gives nan), which the derivative must
    refuse rather than pass on."""
    value = getattr(stmt, "value", None)
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Pow)):
        return False
    if ARRAY in (facts.kind(value.left), facts.kind(value.right)):
        return False
    exponent = value.right
    return not (isinstance(exponent, gast.Constant) and type(exponent.value) in (int, float)
                and float(exponent.value).is_integer())


def may_share(facts, name_):
    """The names that may share memory with `name_` (itself included)."""
    return facts.aliases.members(name_) if facts.aliases is not None else {name_}


def _simple_statements(body):
    """Every non-compound statement, in program order, with loop targets as pseudo-assignments."""
    out, work = [], list(reversed(body))
    while work:
        stmt = work.pop()
        if isinstance(stmt, gast.If):
            work.extend(reversed(stmt.body + stmt.orelse))
        elif isinstance(stmt, gast.For):
            out.append(g.located(g.assign(g.clone(stmt.target), _element_of(stmt.iter)), stmt))
            work.extend(reversed(stmt.body + stmt.orelse))
        elif isinstance(stmt, gast.While):
            work.extend(reversed(stmt.body + stmt.orelse))
        else:
            out.append(stmt)
    return out


def _element_of(iterable):
    """The value a `for` target takes: an element of `iterable`, like `iterable[i]`."""
    return g.subscript(iterable, g.const(0))


def _infer_kinds(simple, facts, arg_kinds, src):
    kinds = facts.kinds
    kinds.update(arg_kinds)
    for _ in range(3):  # loops may carry a kind around: a few sweeps reach the fixed point
        for stmt in simple:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                if isinstance(stmt.value, gast.Constant) and stmt.value.value is None:
                    continue  # `y = None` before a branch sets it says nothing of its kind
                kind = _kind_of(stmt.value, facts, src)
                name_ = stmt.targets[0].id
                kinds[name_] = _join(kinds.get(name_), kind)
            else:
                for t in activity.targets_of(stmt, facts):
                    kinds[t] = _join(kinds.get(t), OTHER if t not in kinds else kinds[t])


def _join(a, b):
    if a is None or a == b:
        return b
    return OTHER


def _kind_of(expr, facts, src):
    if isinstance(expr, gast.Name):
        if expr.id in facts.kinds:
            return facts.kinds[expr.id]
        value = src.resolve(expr)
        return OTHER if value is UNRESOLVED else kind_of_value(value)
    if isinstance(expr, gast.Constant):
        return kind_of_value(expr.value)
    if isinstance(expr, gast.BinOp):
        kinds = {_kind_of(expr.left, facts, src), _kind_of(expr.right, facts, src)}
        if kinds == {FLOAT} and not isinstance(expr.op, gast.MatMult):
            return FLOAT
        return ARRAY if kinds <= {FLOAT, ARRAY} else OTHER
    if isinstance(expr, gast.UnaryOp):
        return _kind_of(expr.operand, facts, src) if not isinstance(expr.op, gast.Not) else OTHER
    if isinstance(expr, gast.Call):
        return _kind_of_call(expr, facts, src)
    if isinstance(expr, gast.Attribute):
        value = src.resolve(expr)
        return OTHER if value is UNRESOLVED else kind_of_value(value)
    if isinstance(expr, gast.Subscript) and isinstance(expr.value, gast.Name):
        # a local's kind, or a global's (`G[1:]` of a module-level array is an array)
        container = facts.kinds.get(expr.value.id) or _kind_of(expr.value, facts, src)
        if container == RANGE:
            return FLOAT  # an element of a range is an int
        if container == ARRAY:
            return ARRAY  # part of an array: an array, or a numpy scalar
        if isinstance(container, tuple) and isinstance(expr.slice, gast.Constant) \
                and type(expr.slice.value) is int and -len(container) <= expr.slice.value < len(container):
            return container[expr.slice.value]  # an element of a tuple of known kinds
    if isinstance(expr, gast.Tuple):
        return tuple(_kind_of(e, facts, src) for e in expr.elts)
    return OTHER


def _user_return_kind(fn, call, facts, src):
    """The kind a user function returns for arguments of these kinds, by analysing it too
    (OTHER when that cannot be told: keyword arguments, deep or recursive calls, no source).
    Remembered for one derivation only (`src.return_kinds`, shared by the sources it reads),
    under the function object: equal code elsewhere may read globals of other kinds."""
    if call.keywords or src.depth > 8:
        return OTHER
    params = list(inspect.signature(fn, follow_wrapped=False).parameters.values())
    if len(call.args) > len(params) or any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                           for p in params):
        return OTHER
    kinds = {p.name: _kind_of(a, facts, src) for p, a in zip(params, call.args)}
    kinds.update({p.name: kind_of_value(p.default) for p in params[len(call.args):]
                  if p.default is not p.empty})
    key = (Identity(fn), tuple(sorted(kinds.items())))
    if key not in src.return_kinds:
        src.return_kinds[key] = OTHER  # while it is being worked out (recursion)
        src.return_kinds[key] = _returned_kind(fn, kinds, src)
    return src.return_kinds[key]


def _returned_kind(fn, kinds, src):
    found = helper_facts(fn, kinds, src)
    if found is None:
        return OTHER
    _, simple, facts = found
    returned = {facts.kind(s.value) for s in simple if isinstance(s, gast.Return)}
    return returned.pop() if len(returned) == 1 else OTHER


def helper_facts(fn, kinds, within):
    """(three-address tree, its simple statements, Facts with the calls resolved and the kinds
    inferred) of the user function `fn` given arguments of `kinds`, for the derivation whose
    Source is `within`; None where srcad cannot read or normalise it."""
    if within.read_helper is None:
        return None
    try:
        callee, _, tree = within.read_helper(fn, within)
    except (SrcadError, Unsupported):
        return None
    facts = Facts(())
    simple = _simple_statements(tree.body)
    for stmt in simple:
        for node in g.nodes(stmt):
            if isinstance(node, gast.Call):
                facts.calls[id(node)] = callee.resolve(node.func)
    _infer_kinds(simple, facts, kinds, callee)
    return tree, simple, facts


def _kind_of_call(expr, facts, src):
    fn = facts.calls.get(id(expr), UNRESOLVED)
    if fn is range:
        return RANGE
    if inspect.isfunction(fn) and is_user_function(fn):
        return _user_return_kind(fn, expr, facts, src)
    arg_kinds = {_kind_of(a, facts, src) for a in expr.args}
    if fn is numpy_rules.copy_method and arg_kinds == {ARRAY}:
        return ARRAY
    if fn in (abs, float, max, min) and arg_kinds == {FLOAT}:
        return FLOAT
    if fn is not UNRESOLVED and getattr(math, getattr(fn, "__name__", ""), None) is fn:
        return FLOAT if fn not in (math.floor, math.ceil, math.trunc, math.factorial) else OTHER
    module = inspect.getmodule(fn) if fn is not UNRESOLVED else None
    if module is not None and (module.__name__ or "").startswith("numpy") \
            and not registry().has_no_derivative(fn) and registry().reverse_rule(fn) is not None:
        return ARRAY  # a differentiable numpy function gives an array or a numpy scalar
    return OTHER
