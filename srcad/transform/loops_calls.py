"""`math` functions looked up once before a loop of a gradient that runs as it is (a pass of
loops_speed.py's): `math.sin(t3)` in a turn costs a global and an attribute lookup before the
call, each turn; `math_sin = math.sin` before the loop and `math_sin(t3)` in it, one local.

Only where nothing a turn calls can re-bind `math.sin` meanwhile: every call in the loop is of
a function of the rule tables or of srcad's runtime, a method of a list or schedule the
derivative made itself (its tape), or `range`, `reversed`, `len`.
"""
import builtins
import math

import gast

from .. import gastutil as g
from ..ir import comment

HARMLESS_BUILTINS = (builtins.range, builtins.reversed, builtins.len)


def bind_functions(tree, names, resolve, pure_call):
    """Rewrite the calls of `math` functions in each outermost loop that qualifies (see the
    module's text). `names`: fresh names; `resolve(func)`: the object a call's function names;
    `pure_call(call)`: a call of a rule-table function or of the runtime."""
    own = _own_objects(tree, pure_call)
    bound = {}  # "math.sin" -> its local name (the same one before every loop)
    work = [tree.body]
    while work:
        stmts = work.pop()
        k = 0
        while k < len(stmts):
            stmt = stmts[k]
            if isinstance(stmt, (gast.For, gast.While)):
                calls = [n for n in g.nodes(stmt) if isinstance(n, gast.Call)]
                if all(_harmless(c, resolve, pure_call, own) for c in calls):
                    binding = _bind(calls, names, resolve, bound, stmt)
                    stmts[k:k] = binding
                    k += len(binding)
                else:
                    work.append(stmt.body)
            elif isinstance(stmt, gast.If):
                work += [stmt.body, stmt.orelse]
            k += 1


def _bind(calls, names, resolve, bound, like):
    """The statements binding the `math` functions `calls` call, before the loop `like`
    (the calls rewritten to read them)."""
    binding = []
    for call in calls:
        func = call.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)
                and resolve(func.value) is math and callable(getattr(math, func.attr, None))):
            continue
        text = g.callable_text(func)
        if text not in bound:
            bound[text] = names.fresh(text.replace(".", "_"))
        if not any(s.targets[0].id == bound[text] for s in binding):
            binding.append(g.assign(bound[text], g.clone(func), like))
        call.func = g.name(bound[text])
    if binding:
        texts = ", ".join(g.callable_text(s.value) for s in binding)
        binding.insert(0, comment(f"{texts} looked up once, not every turn", note=True))
    return binding


def _harmless(call, resolve, pure_call, own):
    func = call.func
    if pure_call(call) or any(resolve(func) is b for b in HARMLESS_BUILTINS):
        return True
    return isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id in own


def _own_objects(tree, pure_call):
    """Names the derivative assigns only lists `[]` it makes or values of runtime calls (its
    tape, a checkpointing schedule): their methods call no user code."""
    made, other = set(), set()
    for node in g.nodes(tree):
        if isinstance(node, gast.Assign):
            names_ = {n for t in node.targets for n in g.assigned_names(t)}
            fresh = isinstance(node.value, gast.List) and not node.value.elts \
                or isinstance(node.value, gast.Call) and pure_call(node.value)
            (made if fresh and len(node.targets) == 1 and isinstance(node.targets[0], gast.Name) else other).update(names_)
        elif isinstance(node, (gast.AugAssign, gast.For)):
            other.update(g.assigned_names(node.target))
    return made - other
