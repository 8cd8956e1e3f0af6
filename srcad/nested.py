"""Functions defined inside the differentiated function, written out where they are called.

    def f(x):
        c = x[0] * 2.0
        def scale(y):
            return y * c
        return np.sum(scale(x))

becomes, before normalisation, `y = x` and then `scale(x)`'s value `y * c` in f's own code, with
the nested function's variables renamed where f uses the same names (`y` -> `y_2`). A name
the nested function reads but does not set is f's variable, read when the call runs: Python's
closures see the value a variable holds at the call, and so does the code written out.

What can be written out so: a nested function called by its name, with positional or keyword
arguments, its parameters plain (defaults constants), its body any statements that end with its
one `return`. Anything else (a nested function passed as a value, returning early, calling
itself, `*args`, `nonlocal`) is refused at its line, saying what to write instead.
"""
import gast

from . import gastutil as g
from .errors import Unsupported

MOVE_OUT = "Define the function at module level and pass it what it reads as arguments"


def checked(fdef):
    """`fdef` (a nested FunctionDef) if it can be written out where it is called, else refuse."""
    args = fdef.args
    if fdef.decorator_list:
        raise Unsupported(fdef, "cannot differentiate a decorated nested function", MOVE_OUT)
    if args.vararg or args.kwarg or args.posonlyargs or args.kwonlyargs:
        raise Unsupported(fdef, f"cannot differentiate the nested function {fdef.name} with "
                                "*args, **kwargs or keyword-only parameters", MOVE_OUT)
    if not all(isinstance(d, gast.Constant) for d in args.defaults):
        raise Unsupported(fdef, f"cannot differentiate the nested function {fdef.name}: a default "
                                "that is not a constant is computed when the function is defined", MOVE_OUT)
    body = _without_docstring(fdef.body)
    returns = [n for stmt in body for n in gast.walk(stmt) if isinstance(n, gast.Return)]
    if not body or not isinstance(body[-1], gast.Return) or body[-1].value is None or len(returns) != 1:
        raise Unsupported(fdef, f"cannot differentiate the nested function {fdef.name}: it must end "
                                "with its one return of a value", "Compute the result in a variable "
                                "and return it at the end")
    for node in gast.walk(gast.Module(body=body, type_ignores=[])):
        if isinstance(node, (gast.Nonlocal, gast.Global, gast.Yield, gast.YieldFrom)):
            raise Unsupported(node, f"cannot differentiate the nested function {fdef.name}: it uses "
                                    f"{type(node).__name__.lower()}", MOVE_OUT)
    return fdef


def written_out(fdef, call, names):
    """(statements, value, new names): the call `call` of the nested function `fdef` written
    out: its parameters bound to the arguments, its body with its own names renamed (fresh
    from `names`), and the expression it returns."""
    params = [a.id for a in fdef.args.args]
    bound = _bind(fdef, params, call)
    body = _without_docstring(fdef.body)
    own = set(params) | {n.id for stmt in body for n in gast.walk(stmt)
                         if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    renames = {n: names.fresh(n) for n in sorted(own)}
    statements = [g.located(g.assign(renames[p], value), call) for p, value in zip(params, bound)]
    for stmt in body[:-1]:
        statements.append(_renamed(stmt, renames))
    return statements, _renamed(body[-1].value, renames), set(renames.values())


def _bind(fdef, params, call):
    """The argument expression of each parameter (positional, keyword, or its default)."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Unsupported(call, f"cannot differentiate the call of the nested function {fdef.name} "
                                "with *args or **kwargs", "Pass the arguments one by one")
    given = dict(zip(params, call.args))
    for keyword in call.keywords:
        if keyword.arg not in params or keyword.arg in given:
            raise Unsupported(call, f"the call of {fdef.name} does not match its parameters",
                              f"Call it as {fdef.name}({', '.join(params)})")
        given[keyword.arg] = keyword.value
    defaults = dict(zip(params[len(params) - len(fdef.args.defaults):], fdef.args.defaults))
    if len(call.args) > len(params) or any(p not in given and p not in defaults for p in params):
        raise Unsupported(call, f"the call of {fdef.name} does not match its parameters",
                          f"Call it as {fdef.name}({', '.join(params)})")
    return [g.clone(given[p]) if p in given else g.clone(defaults[p]) for p in params]


def _without_docstring(body):
    if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _renamed(node, renames):
    node = g.clone(node)
    for sub in gast.walk(node):
        if isinstance(sub, gast.Name) and sub.id in renames:
            sub.id = renames[sub.id]
    return node
