"""The table's columns: how each tool is asked for a case's derivative.

`prepare(column, case)` gives a `Prepared`: `fn(*args)` is what is timed, `result(out)` turns
its output into a tuple of numpy values to check against the hand-written derivative. A tool
that is not installed, or cannot take the case, raises `NotApplicable` with the reason shown
in the cell. Peers are imported only here, lazily, so the suite runs with any subset of them.
"""
import dataclasses
import time
import warnings
from typing import Any, Callable, Optional

import numpy as np

import srcad

from .workloads import rebind

COLUMNS = ("primal", "hand-written", "srcad", "srcad.tape", "autograd", "torch", "jax",
           "jax.jit", "tangent")
PEERS = {"autograd": "autograd", "torch": "torch", "jax": "jax", "jax.jit": "jax",
         "tangent": "tangent"}


class NotApplicable(Exception):
    """The column has no number for this case; the message is the reason."""


@dataclasses.dataclass
class Prepared:
    fn: Callable
    args: tuple
    result: Callable[[Any], tuple]
    note: str = ""                       # e.g. "numpy spelling"
    compile_seconds: Optional[float] = None


_THREADS = {"n": 1}


def configure(threads):
    """Threads for the peers that run their own pools (torch, XLA); numpy's BLAS is set by the
    environment before numpy is imported (see __main__.py)."""
    _THREADS["n"] = threads


def prepare(column, case):
    return _MAKERS[column](case)


def peer_missing(column):
    """The reason a peer's column is skipped, or None when it is installed."""
    module = PEERS.get(column)
    if module is None:
        return None
    try:
        __import__(module)
    except ImportError as error:
        return f"not installed ({error.name})"
    return None


# ---- srcad's own columns ------------------------------------------------------------------

def _primal(case):
    return Prepared(case.primal, case.primal_args, lambda out: out)


def _hand(case):
    return Prepared(case.hand, case.args, _as_tuple)


def _srcad(case):
    if case.kind == "grad":
        return Prepared(srcad.grad(case.primal, wrt=case.wrt), case.args, _as_tuple)
    if case.kind == "hvp":
        return Prepared(srcad.jvp(srcad.grad(case.primal)), case.args, lambda out: (out[1],))
    mode = case.kind.split("-")[1]
    return Prepared(srcad.jacobian(case.primal, wrt=0, mode=mode), case.args, _as_tuple)


def _tape(case):
    import srcad.tape
    if case.kind != "grad":
        raise NotApplicable("srcad.tape has grad only")
    return Prepared(srcad.tape.grad(case.numpy_spelling, wrt=case.wrt), case.args, _as_tuple,
                    _spelling_note(case))


# ---- peers --------------------------------------------------------------------------------

def _autograd(case):
    _require("autograd")
    import autograd
    import autograd.numpy as anp
    f = rebind(case.numpy_spelling, np=anp)
    note = _spelling_note(case)
    if case.kind == "grad":
        return Prepared(autograd.grad(f, argnum=case.wrt), case.args, _as_tuple, note)
    if case.kind == "hvp":
        return Prepared(autograd.hessian_vector_product(f), case.args, _as_tuple)
    if case.kind == "jacobian-reverse":
        return Prepared(autograd.jacobian(f), case.args, _as_tuple)
    raise NotApplicable("autograd has no forward-mode jacobian")


def _torch(case):
    _require("torch")
    import torch
    torch.set_num_threads(_THREADS["n"])
    f = rebind(case.torch, torch=torch)
    positions = case.wrt if case.kind == "grad" else (0,)
    args = tuple(_tensor(torch, a, i in positions) for i, a in enumerate(case.args))
    note = "torch spelling"
    if case.kind == "grad":
        leaves = [args[i] for i in case.wrt]

        def gradient(*args):
            return torch.autograd.grad(f(*args), leaves)
        return Prepared(gradient, args, _from_torch, note)
    if case.kind == "hvp":
        def hvp(x, v):
            g, = torch.autograd.grad(f(x), x, create_graph=True)
            return torch.autograd.grad(g, x, grad_outputs=v)
        return Prepared(hvp, (args[0], args[1].detach()), _from_torch, "double backward")
    strategy = case.kind.split("-")[1] + "-mode"

    def jacobian(x, A):
        return torch.autograd.functional.jacobian(lambda x: f(x, A), x, vectorize=True,
                                                  strategy=strategy)
    return Prepared(jacobian, (args[0].detach(), args[1]), _from_torch,
                    f"functional.jacobian({strategy})")


def _jax(case, jit=False):
    _require("jax")
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    f = rebind(case.numpy_spelling, np=jnp)
    if case.kind == "grad":
        derivative = jax.grad(f, argnums=case.wrt)
    elif case.kind == "hvp":
        derivative = lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1]  # noqa: E731
    else:
        derivative = (jax.jacfwd if case.kind.endswith("forward") else jax.jacrev)(f)
    args = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in case.args)
    note = _spelling_note(case)
    if not jit:
        return Prepared(lambda *a: jax.block_until_ready(derivative(*a)), args, _as_tuple, note)
    static = tuple(i for i, a in enumerate(args) if isinstance(a, int))
    compiled = jax.jit(derivative, static_argnums=static)
    run = lambda *a: jax.block_until_ready(compiled(*a))  # noqa: E731
    start = time.perf_counter()
    run(*args)  # trace + compile + one run; the run is subtracted by the caller
    return Prepared(run, args, _as_tuple, note, compile_seconds=time.perf_counter() - start)


def _tangent(case):
    _require("tangent")
    import tangent
    if case.kind.startswith("jacobian"):
        raise NotApplicable("tangent-ad has no jacobian function")
    try:
        with warnings.catch_warnings():  # its generated code trips SyntaxWarnings
            warnings.simplefilter("ignore")
            derivative = tangent.grad(case.numpy_spelling, wrt=case.wrt)
            if case.kind == "hvp":
                derivative = tangent.jvp(derivative)
    except Exception as error:  # tangent refuses by raising many kinds of errors
        raise NotApplicable(f"tangent-ad refused: {_short(error)}") from None
    return Prepared(derivative, case.args, _as_tuple, _spelling_note(case))


_MAKERS = {"primal": _primal, "hand-written": _hand, "srcad": _srcad, "srcad.tape": _tape,
           "autograd": _autograd, "torch": _torch, "jax": _jax,
           "jax.jit": lambda case: _jax(case, jit=True), "tangent": _tangent}


# ---- helpers ------------------------------------------------------------------------------

def _require(module):
    try:
        __import__(module)
    except ImportError:
        raise NotApplicable(f"{module} not installed") from None


def _spelling_note(case):
    return "numpy spelling" if case.uses_math else ""


def _tensor(torch, value, leaf):
    if isinstance(value, np.ndarray):
        t = torch.from_numpy(value.copy())
    elif isinstance(value, float):
        t = torch.tensor(value, dtype=torch.float64)
    else:
        return value
    return t.requires_grad_(True) if leaf else t


def _as_tuple(out):
    out = out if isinstance(out, (tuple, list)) else (out,)
    return tuple(np.asarray(o, dtype=float) for o in out)


def _from_torch(out):
    return tuple(o.detach().numpy() for o in (out if isinstance(out, (tuple, list)) else (out,)))


def _short(error):
    text = " ".join(str(error).split())
    first = text.split(". ")[0]
    return f"{type(error).__name__}: {first[:120]}"


def check(got, want, rtol=1e-7):
    """None if `got` matches the hand-written `want` (normwise relative error per component
    below rtol), else a description of the mismatch."""
    want = _as_tuple(want)
    if len(got) != len(want):
        return f"{len(got)} gradients, expected {len(want)}"
    worst = 0.0
    for g, w in zip(got, want):
        if np.shape(g) != np.shape(w):
            return f"shape {np.shape(g)}, expected {np.shape(w)}"
        scale = max(float(np.max(np.abs(w))) if np.size(w) else 0.0, 1e-300)
        err = float(np.max(np.abs(g - w))) / scale if np.size(w) else 0.0
        if not np.isfinite(err):
            return "not finite"
        worst = max(worst, err)
    return None if worst <= rtol else f"rel. error {worst:.1e}"
