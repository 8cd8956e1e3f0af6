"""The suite's workloads: each module builds `Case`s of one problem at a named size.

A case holds everything a column needs: the plain primal (what srcad differentiates), its
numpy spelling (for tools that trace numpy calls and refuse `math`), its torch spelling, and a
hand-written derivative that every column is checked against before it is timed.
"""
import dataclasses
import types
from typing import Callable, Optional

import numpy as np


@dataclasses.dataclass(frozen=True)
class Case:
    """One row of the table.

    `kind` is "grad" (gradient of a scalar output with respect to `wrt`), "hvp" (Hessian of
    `primal` times `args[1]`, with `primal` taking `args[0]` alone), or "jacobian-forward" /
    "jacobian-reverse" (the Jacobian with respect to `args[0]`, computed in that mode).
    `numpy` is the primal spelled with `np.` calls where `primal` uses `math`; `torch` the primal
    spelled with `torch.` calls (the name `torch` is bound when the column is made, so this
    module needs no torch installed). `hand(*args)` gives the derivative: a tuple with one
    entry per `wrt` position for "grad", an array otherwise."""
    name: str
    workload: str
    kind: str
    primal: Callable
    hand: Callable
    args: tuple
    wrt: tuple = (0,)
    numpy: Optional[Callable] = None
    torch: Optional[Callable] = None
    size: int = 0
    scale: str = "full"     # the suite scale that built it (see cases())

    @property
    def primal_args(self):
        return self.args[:1] if self.kind == "hvp" else self.args

    @property
    def numpy_spelling(self):
        return self.numpy or self.primal

    @property
    def uses_math(self):
        return self.numpy is not None


def rebind(fn, **names):
    """`fn` with some of its global names bound to other objects (autograd.numpy for np, ...)."""
    spelled = types.FunctionType(fn.__code__, {**fn.__globals__, **names}, fn.__name__,
                                 fn.__defaults__, fn.__closure__)
    spelled.__wrapped_original__ = fn
    return spelled


def rng(seed=0):
    return np.random.default_rng(seed)


from . import hvp, jacobian, logistic, mlp, recurrence, rnn, rosenbrock, textbook  # noqa: E402

MODULES = (textbook, recurrence, rosenbrock, mlp, rnn, logistic, hvp, jacobian)
WORKLOADS = tuple(m.__name__.rsplit(".", 1)[1] for m in MODULES)


def cases(scale="full", only=()):
    """Every case of the suite at `scale` ("full", "quick" or "tiny"), or only those whose
    workload or case name is in `only`."""
    out = []
    for module in MODULES:
        for case in module.cases(scale):
            if not only or case.workload in only or case.name in only:
                out.append(dataclasses.replace(case, scale=scale))
    return out
