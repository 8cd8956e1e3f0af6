"""Activity: which variables are varied (depend on a `wrt` input through operations that carry a
derivative) and which are useful (influence the returned value), found from what each simple
statement reads and defines. analyze.py computes the kinds these passes read and joins the two
sets into the active ones.
"""
import inspect

import gast

from . import effects
from . import gastutil as g
from .aliasing import ARRAY, FLOAT, INACTIVE_ATTRIBUTES, RANGE
from .parse import UNRESOLVED
from .rules import registry
from .rules.callees import is_user_function


def targets_of(stmt, facts=None):
    """Names a simple statement (re)defines: `t = ...`, `a[i] = t` (a), `a.append(t)` (a), and
    the containers passed to a user function that may change them (`h(tape, x)` appending)."""
    if isinstance(stmt, gast.Assign):
        target = stmt.targets[0]
        if isinstance(target, gast.Subscript):
            return [target.value.id] if isinstance(target.value, gast.Name) else []
        return g.assigned_names(target) + _containers_passed(stmt.value, facts)
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
                and (facts is None or func.value.id in facts.kinds):
            return [func.value.id]  # a method call may change its (local) receiver (xs.append(t))
    return []


def _containers_passed(value, facts):
    if facts is None or not isinstance(value, gast.Call):
        return []
    fn = facts.calls.get(id(value), UNRESOLVED)
    if fn is UNRESOLVED or not is_user_function(fn):
        return []
    if fn not in facts.changers:
        facts.changers[fn] = effects.changed_parameters(fn)
    changed = facts.changers[fn]
    try:
        bound = inspect.signature(fn).bind(*value.args, **{k.arg: k.value for k in value.keywords})
    except TypeError:  # *args or **kwargs at the call: any container it is given
        return [a.id for a in list(value.args) + [k.value for k in value.keywords]
                if isinstance(a, gast.Name) and _may_hold_a_container(facts, a.id)]
    return [a.id for p, a in bound.arguments.items() if p in changed and isinstance(a, gast.Name)
            and _may_hold_a_container(facts, a.id)]


def _may_hold_a_container(facts, name_):
    return facts.kinds.get(name_) not in (FLOAT, ARRAY, RANGE)


def _sources(stmt):
    """The expression whose value flows into the statement's targets."""
    if isinstance(stmt, gast.Assign):
        return stmt.value
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        return g.tuple_(list(stmt.value.args) + [k.value for k in stmt.value.keywords])
    if isinstance(stmt, gast.Return):
        return stmt.value
    return None


def _carries_derivative(expr, facts):
    """Whether the value of `expr` can depend differentiably on its operands."""
    reg = registry()
    if isinstance(expr, gast.BinOp) or isinstance(expr, gast.UnaryOp):
        return not reg.has_no_derivative(type(expr.op))
    if isinstance(expr, (gast.Compare, gast.JoinedStr)):
        return False
    if isinstance(expr, gast.BoolOp):
        return not all(isinstance(v, (gast.Compare, gast.UnaryOp)) for v in expr.values)
    if isinstance(expr, gast.Attribute):
        return expr.attr not in INACTIVE_ATTRIBUTES
    if isinstance(expr, gast.Call):
        return not reg.has_no_derivative(facts.calls.get(id(expr), UNRESOLVED))
    return True


def propagate_varied(simple, facts):
    facts.varied = set(facts.wrt)
    flows = []  # (names read, names defined) of each statement that may carry a derivative
    for stmt in simple:
        source = _sources(stmt)
        if source is not None and _carries_derivative(source, facts):
            flows.append((g.names_in(source), targets_of(stmt, facts)))
    changed = True
    while changed:
        changed = False
        for reads, targets in flows:
            if any(n in facts.varied for n in reads):
                for t in targets:
                    if t not in facts.varied:
                        facts.varied.add(t)
                        changed = True


def mutated_params(simple, params):
    """Parameters the function changes in place (appends to, writes into): the caller sees
    them after the call, so they are outputs too."""
    out = set()
    for stmt in simple:
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
                and isinstance(stmt.value.func, gast.Attribute) and isinstance(stmt.value.func.value, gast.Name):
            out.add(stmt.value.func.value.id)
        elif isinstance(stmt, gast.Assign) and _pops(stmt.value):
            # `_ = tape.pop()` shrinks the caller's list even when the popped value goes unused:
            # forward mode must pop the list of tangents beside it, or the two fall out of step
            out.add(stmt.value.func.value.id)
        elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript) \
                and isinstance(stmt.targets[0].value, gast.Name):
            out.add(stmt.targets[0].value.id)
    return out & params


def _pops(expr):
    return isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute) \
        and expr.func.attr == "pop" and isinstance(expr.func.value, gast.Name)


def propagate_useful(simple, facts, outputs=()):
    facts.useful = set(outputs)
    for stmt in facts.returns:
        facts.useful.update(g.names_in(stmt.value))
    flows = [(targets_of(stmt, facts), stmt) for stmt in reversed(simple) if not isinstance(stmt, gast.Return)]
    reads = {}  # id(statement) -> the names its sources read, found once
    changed = True
    while changed:
        changed = False
        for targets, stmt in flows:
            if not any(t in facts.useful for t in targets):
                continue
            if id(stmt) not in reads:
                reads[id(stmt)] = g.names_in(_sources(stmt))
            for n in reads[id(stmt)]:
                if n not in facts.useful:
                    facts.useful.add(n)
                    changed = True
