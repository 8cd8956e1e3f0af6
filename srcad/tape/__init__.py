"""srcad.tape: the operator-overloading baseline, micrograd-sized, on srcad's own rule tables.

    >>> import numpy as np, srcad.tape
    >>> def f(x1, x2):
    ...     return np.log(x1) + x1 * x2 - np.sin(x2)
    >>> dx1, dx2 = srcad.tape.grad(f, wrt=(0, 1))(2.0, 5.0)
    >>> round(dx1, 6), round(dx2, 6)
    (5.5, 1.716338)

`grad` and `value_and_grad` mean what `srcad.grad` and `srcad.value_and_grad` mean, computed
the operator-overloading way (autograd's, micrograd's): the `wrt` arguments are wrapped in
`Node`s, `f` runs as it is, every operator and numpy function applied to a node appends a node
to a tape (node.py), and the tape is walked backwards (sweep.py). Loops and branches need no
handling: the tape records the iterations and branches that ran.

The derivatives are the rule tables' own lambdas (entries.py), the ones the source
transformation inlines, so the two approaches differ only in how they apply them.

What cannot be recorded is refused with a SrcadError citing the user's line: `math` functions
(they turn their argument into a plain float before anything can see it; use the numpy
spelling, `np.sin`), `np.array`/`np.asarray` of traced values (numpy offers no hook; use
`np.stack`), `x[i] = ...` on a traced array, storing a traced value into a plain array
(`a[0] = x`: build it with `np.concatenate`), in-place numpy calls (`out=`, `a += x` on a plain
array), and numpy functions without a rule.
Python functions that are not numpy's (scipy.special.logsumexp, a @srcad.primitive) run their
bodies on the traced values, like any user code, rather than using their table rules.
"""
import functools

from ..dispatch import transformation
from .sweep import Target, run

__all__ = ["grad", "value_and_grad"]


@transformation
def grad(fn, wrt=0):
    """The gradient of `fn`'s scalar output with respect to the argument(s) in `wrt`."""
    target = Target(fn, wrt, "srcad.tape.grad")

    def gradient(*args, **kwargs):
        return run(target, args, kwargs)[1]
    return functools.wraps(fn)(gradient)


@transformation
def value_and_grad(fn, wrt=0):
    """`fn`'s value and its gradient with respect to `wrt`, from one call."""
    target = Target(fn, wrt, "srcad.tape.value_and_grad")

    def value_and_gradient(*args, **kwargs):
        return run(target, args, kwargs)
    return functools.wraps(fn)(value_and_gradient)
