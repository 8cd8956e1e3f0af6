"""Derivative rules for the gradients srcad made, so that differentiated code may call them
(`srcad.grad(g)` inside f): the higher-order registration the API passes down to analyze
(rules/callees.py).

Unlike a user's `defvjp`, this registration leaves the cache and the derivatives made before
as they are, although it happens in the middle of an analysis: a gradient srcad made gets its
rules the first time analysis meets a call of it (analyze.dataflow asks for them for every call
it resolves, before anything else looks at the call), so no derivative made before can have
used it without them, and rules it already has (a user's) are kept.
"""
import numpy as np

from .analyze import FLOAT, INT, kind_of_type
from .rules import registry


def register_made(fn, grad, jvp):
    """Derivative rules for `fn`, a gradient srcad made (`srcad.grad(g)`), so that code calling
    it can be differentiated: its reverse rule is a Hessian-vector product and its forward rule
    a jvp, both by forward mode over its generated code (made with the API's `grad` and `jvp`,
    which pass themselves in). Returns whether `fn` is one."""
    made = getattr(fn, "__srcad__", None)
    if made is None or made.variant != "grad" or not made.target.single:
        return False
    if registry().reverse_rule(fn) is not None:
        return True
    target = made.target
    g, w = target.fn, target.wrt[0]
    positional = [p.name for p in target.params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]

    def hvp(cotangent, ans, *args):
        out = []
        for name_, value in zip(positional, args):
            if _numeric(value):
                tangent = jvp(grad(g, wrt=name_), wrt=w)(*args, cotangent)[1]  # symmetric second derivatives
                out.append(tangent)
            else:
                out.append(None)
        return out[0] if len(out) == 1 else tuple(out)

    def forward_rule(dargs, ans, *args):
        active = [i for i, d in enumerate(dargs) if d is not None]
        tangents = [dargs[i] for i in active]
        return jvp(fn, wrt=tuple(positional[i] for i in active))(*args, *tangents)[1]
    registry().register_first(fn, vjp=hvp, jvp=forward_rule)
    return True


def _numeric(value):
    """A Python number, or a numpy scalar or array of numbers (np.float64 too: it is no
    ndarray, but its second derivatives are as real as a float's)."""
    if kind_of_type(type(value)) in (FLOAT, INT):
        return True
    return isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "fiu"
