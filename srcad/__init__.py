"""srcad: source-transformation automatic differentiation for plain Python and numpy.

    >>> import math, srcad
    >>> @srcad.grad
    ... def f(x):
    ...     return x * x + math.sin(x)
    >>> f(0.0)
    1.0
"""
from .api import grad, hessian, jacobian, jvp, source, value_and_grad, vjp
from .custom import checkpoint, defjvp, defvjp, primitive
from .errors import SrcadError
from .export import export
from .introspect import graph, trace
from . import tape  # noqa: E402  (the operator-overloading baseline, srcad.tape.grad)

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "source", "trace",
           "graph", "export", "defvjp", "defjvp", "primitive", "checkpoint", "SrcadError"]
