"""Split a reverse-mode derivative into a forward part and a reverse part.

A helper function that a differentiated function calls is compiled once into

    def h_fwd(_tape, <h's parameters>):   # the forward sweep; then pushes what the reverse
        ...                                # sweep reads (its end state) and returns h's value
    def h_bwd(_tape, by):                  # pops that state and runs the reverse sweep
        ...                                # returns the gradients of h's differentiated params

The caller passes its own tape, so values saved by helpers (and by helpers of helpers, in
loops) come back in exactly the reverse order. The two parts are cut from the optimised `f_vjp`
at its "reverse sweep" comment.
"""
import gast

from .. import gastutil as g
from ..ir import REVERSE_SWEEP, comment_text, parameters


def split(tree, seed, names):
    """(forward part, reverse part) of the vjp-variant derivative `tree`."""
    body = tree.body
    cut = next(i for i, s in enumerate(body) if comment_text(s) == REVERSE_SWEEP)
    forward, backward = body[:cut], body[cut:]
    ret = backward[-1]
    value, gradients = ret.value.elts
    tape = _tape_name(forward) or names.fresh("_tape")
    forward = [s for s in forward if not _creates(s, tape)]
    stored = _state(forward, backward[:-1] + [gast.Return(value=gradients)], tree, tape, seed)
    top = {n.id for s_ in forward for n in ([s_.targets[0]] if isinstance(s_, gast.Assign) else [])
           if isinstance(n, gast.Name)}
    params = set(parameters(tree))
    unset = [n for n in stored if n not in top and n not in params]  # set in a branch or loop only
    inits = [g.located(g.assign(n, g.const(None)), ret) for n in unset]
    head = 1 if forward and comment_text(forward[0]) else 0
    forward = forward[:head] + inits + forward[head:]
    state = g.tuple_(g.name(n) for n in stored)
    push = gast.Expr(value=g.call(g.attr(g.name(tape), "append"), [state]))
    fwd_args = g.clone(tree.args)
    fwd_args.args = [_param(tape)] + [a for a in fwd_args.args if a.id != seed]
    fwd_args.defaults = fwd_args.defaults[:-1]  # the seed's default
    fwd = gast.FunctionDef(name=names.fresh(tree.name.replace("_vjp", "") + "_fwd"), args=fwd_args,
                           body=forward + [g.located(push, ret), g.located(gast.Return(value=value), ret)],
                           decorator_list=[], returns=None, type_comment=None, type_params=[])
    unpack = g.assign(g.tuple_(g.store(n) for n in stored) if stored else g.store(names.fresh("_")),
                      g.call(g.attr(g.name(tape), "pop"), []), ret)
    bwd_args = gast.arguments(args=[_param(tape), _param(seed)], posonlyargs=[], vararg=None,
                              kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    bwd = gast.FunctionDef(name=names.fresh(tree.name.replace("_vjp", "") + "_bwd"), args=bwd_args,
                           body=backward[:1] + [unpack] + backward[1:-1]
                           + [g.located(gast.Return(value=gradients), ret)],
                           decorator_list=[], returns=None, type_comment=None, type_params=[])
    return gast.copy_location(fwd, tree), gast.copy_location(bwd, tree)


def _param(name_):
    return gast.Name(id=name_, ctx=gast.Param(), annotation=None, type_comment=None)


def _tape_name(stmts):
    for stmt in stmts:
        if isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.List) and not stmt.value.elts \
                and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id.startswith("_tape"):
            return stmt.targets[0].id
    return None


def _creates(stmt, tape):
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
        and stmt.targets[0].id == tape


def _state(forward, backward, tree, tape, seed):
    """The forward sweep's variables that the reverse part reads: its end state."""
    defined = set(parameters(tree)) - {seed}
    for stmt in forward:
        defined.update(n.id for n in g.walk(stmt) if isinstance(n, gast.Name)
                       and isinstance(n.ctx, gast.Store))
    read = set()
    for stmt in backward:
        read.update(n.id for n in g.walk(stmt) if isinstance(n, gast.Name)
                    and isinstance(n.ctx, gast.Load))
    return sorted((read & defined) - {tape})
