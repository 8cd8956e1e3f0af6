"""Calls from a differentiated function to the user's own functions.

Such a call is differentiated by differentiating the callee too (compiled once per callee,
differentiated parameters and argument kinds), split into a forward part and a reverse part
(see split.py): the caller's forward sweep calls `h_fwd(_tape, ...)` where it called `h(...)`,
and its reverse sweep calls `h_bwd(_tape, bt)` for the cotangents of the arguments.
"""
import inspect

import gast

from .. import effects
from .. import gastutil as g
from ..gastutil import callable_text
from ..analyze import ARRAY, FLOAT, OTHER, kind_of_value
from ..errors import Unsupported
from ..ir import bound_arguments, parameters
from ..parse import UNRESOLVED, is_generated
from ..rules import registry
from ..rules.callees import is_user_function, made_by_srcad


def refuse_made_by_srcad(fn, stmt, text):
    """A derivative srcad made that has no rule (only `srcad.grad(g)` with one wrt gets one,
    see srcad/made.py) is refused, not taken for the function it differentiates."""
    if made_by_srcad(fn):
        raise Unsupported(stmt, f"cannot differentiate the call of {text}, a derivative srcad made "
                                "other than a gradient with respect to one argument",
                          "Call srcad.grad(g) (one wrt) in differentiated code and build the rest from "
                          "it, or differentiate g's composition directly (hessian(f), jacobian(f))")


def bind_arguments(fn, call, stmt):
    """([(parameter name, argument expression)] of `call` to `fn`, defaults left out; the kinds
    of `fn`'s parameters' defaults)."""
    bound, signature = bound_arguments(fn, call, stmt)
    kinds = {p.name: _default_kind(p) for p in signature.parameters.values()}
    return bound, kinds


def _default_kind(param):
    if param.default is inspect.Parameter.empty:
        return OTHER
    return kind_of_value(param.default)


def argument_kind(expr, facts):
    if isinstance(expr, gast.Constant):
        return kind_of_value(expr.value)
    return facts.kind(expr)


def passes_active_container(call, facts):
    """Whether the call passes a differentiated list (or other container) that the callee may
    append to: then it must be differentiated even if its result is not."""
    return any(isinstance(a, gast.Name) and facts.is_active(a.id)
               and facts.kinds.get(a.id) not in (FLOAT, ARRAY) for a in call.args)


def mutated_parameters(fn):
    """The parameters `fn` changes in place (`xs.append(v)`, `a[i] = v`, other method calls)."""
    from ..parse import function
    tree = function(fn).tree
    params = set(parameters(tree))
    out = set()
    for node in g.walk(tree):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and isinstance(node.func.value, gast.Name):
            out.add(node.func.value.id)
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store) \
                and isinstance(node.value, gast.Name):
            out.add(node.value.id)
    return out & params


def refuse_changed_indirectly(fn, containers, stmt):
    """Forward mode: a call of `fn` that changes one of the differentiated `containers` (its
    parameters) through another name (`q = xs; q.append(v)`) or another function is refused:
    the tangents follow only what `fn` changes itself (`xs.append(v)`). srcad's own
    functions (a derivative's forward part pushing onto the tape it is given, passing it on)
    keep their tape and tangent tape in step themselves."""
    if not containers or is_generated(fn.__code__.co_filename):
        return
    changed = (effects.changed_parameters(fn) - mutated_parameters(fn)) & set(containers)
    if changed:
        raise Unsupported(stmt, f"cannot differentiate the call of {fn.__name__}, which changes the "
                                f"differentiated {', '.join(sorted(changed))} it is given through another "
                                "name or another function", f"Change it in {fn.__name__} itself "
                                "(xs.append(v)), or return the new values from the function instead")


def forward_call(target, fwd_ref, tape, call, like):
    """`target = h_fwd(_tape, <the call's arguments>)`."""
    new = g.call(fwd_ref, [g.name(tape)] + [g.clone(a) for a in call.args],
                 [gast.keyword(arg=k.arg, value=g.clone(k.value)) for k in call.keywords])
    return g.assign(target, new, like)


# Statements the transforms copy into the primal code as they are: nothing in them has a
# derivative (`assert` and `raise` run in the forward sweep, where f would run them).
KEPT_STATEMENTS = (gast.Pass, gast.Assert, gast.Raise, gast.Break, gast.Continue)


def refuse_unknown(stmt):
    """Any statement kind the transforms do not handle is refused, never passed through."""
    if not isinstance(stmt, KEPT_STATEMENTS):
        raise Unsupported(stmt, f"cannot differentiate a {type(stmt).__name__} statement",
                          "Write it with assignments, if, for, while and return")


def check_effect_call(stmt, facts):
    """`f(a, b)` run for its effect, given a value that depends on the inputs: `print`, and a
    function with a derivative rule (its result dropped), leave that value alone; any other
    function (`np.add.at(y, i, x)`, `np.copyto`) may write it into an array srcad does not see
    change, so it is refused. Method calls on the function's own names and calls of the
    user's functions are the transforms' to handle."""
    call = stmt.value
    if not isinstance(call, gast.Call) or isinstance(call.func, gast.Attribute) \
            and isinstance(call.func.value, gast.Name) and call.func.value.id in facts.kinds:
        return  # a method of a local value
    fn = facts.calls.get(id(call), UNRESOLVED)
    varied = sorted({n for a in list(call.args) + [k.value for k in call.keywords]
                     for n in g.names_in(a) if n in facts.varied})
    if not varied or fn is print or fn is not UNRESOLVED and is_user_function(fn):
        return
    if fn is not UNRESOLVED and registry().knows(fn) and not any(k.arg == "out" for k in call.keywords):
        return
    raise Unsupported(stmt, f"cannot differentiate the call of {callable_text(call.func)} for its effect "
                            f"on {', '.join(varied)}: srcad cannot follow what it changes in place",
                      "Assign the result of a function that returns a new value instead")
