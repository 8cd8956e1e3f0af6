"""Custom derivatives: `defvjp`, `defjvp` and `@primitive` (README, "API").

A registered reverse rule is called by the generated code (it is shown there by
`srcad.source`), with `g` the output's cotangent, `ans` the output, then the call's positional
arguments; it returns one cotangent per positional argument (a bare value for one argument,
a tuple otherwise; None for an argument with no derivative).
"""
import functools

from .cache import CACHE
from .rules import registry


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
