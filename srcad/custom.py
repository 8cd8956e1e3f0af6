"""Custom derivatives: `defvjp`, `defjvp` and `@primitive` (README, "API").

A registered reverse rule is called by the generated code (it is shown there by
`srcad.source`), with `g` the output's cotangent, `ans` the output, then the call's positional
arguments; it returns one cotangent per positional argument (a bare value for one argument,
a tuple otherwise; None for an argument with no derivative).
"""
import functools
import types

from .cache import CACHE
from .errors import SrcadError
from .rules import registry
from .rules.callees import CHECKPOINTED


def defvjp(func, rule):
    """From now on, `func` called in differentiated code uses `rule(g, ans, *args)` backwards.

    >>> import srcad
    >>> def cube(x):
    ...     return x ** 3
    >>> srcad.defvjp(cube, lambda g, ans, x: g * 3.0 * x * x)
    """
    registry().register(func, vjp=rule)
    CACHE.clear()  # derivatives compiled before used the old rule


def defjvp(func, rule):
    """From now on, `func` in forward mode uses `rule(dargs, ans, *args)`: `dargs` a tuple of
    tangents, one per positional argument (None where that argument is not active)."""
    registry().register(func, jvp=rule)
    CACHE.clear()


class Primitive:
    """A function srcad calls as it is and never transforms (see `primitive`)."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        for a in args:  # under the operator-overloading tape: record one node with our rules
            hook = getattr(type(a), "__srcad_call__", None)
            if hook is not None:
                return hook(self, args, kwargs)
        return self.fn(*args, **kwargs)

    def defvjp(self, rule):
        """Register the reverse rule; usable as a decorator. Returns the rule."""
        defvjp(self, rule)
        return rule

    def defjvp(self, rule):
        """Register the forward rule; usable as a decorator. Returns the rule."""
        defjvp(self, rule)
        return rule

    def __repr__(self):
        return f"<srcad primitive {self.fn.__qualname__}>"


def primitive(fn):
    """Mark `fn` as opaque: srcad calls it as it is and uses the rules registered with
    `fn.defvjp(rule)` / `fn.defjvp(rule)` instead of transforming its body."""
    return Primitive(fn)


def checkpoint(fn):
    """`fn` for ordinary calls; called inside a function srcad differentiates, a call keeps only
    its inputs in the forward sweep, and the reverse sweep runs `fn`'s forward part again
    before its reverse part (recomputation instead of storage, as `jax.checkpoint`). Usable
    as a decorator. It returns a copy of `fn` (the same code, globals and closure) so marked.

    >>> import math, srcad
    >>> @srcad.checkpoint
    ... def layer(x):
    ...     return math.tanh(x) * x
    >>> def f(x):
    ...     return layer(layer(x))
    >>> round(srcad.grad(f)(0.5), 6)
    0.381637
    """
    if not isinstance(fn, types.FunctionType):
        raise SrcadError(f"checkpoint takes a Python function (a def or a lambda), not {fn!r}. "
                         "Wrap the call in a function of your own: def g(x): return obj(x)")
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__, copy.__qualname__ = fn.__kwdefaults__, fn.__qualname__
    copy.__doc__, copy.__module__ = fn.__doc__, fn.__module__
    copy.__dict__.update(fn.__dict__)
    setattr(copy, CHECKPOINTED, True)
    return copy
