"""One gradient the operator-overloading way: wrap, run, sweep back, shape the result.

`Target` resolves `wrt` once, when the transformation is made. `run` does one call: the `wrt`
arguments become the leaves of a fresh tape, `fn` runs on them (every operation on a node is
recorded), and `backward` walks the tape from the last node to the first, calling each node's
rule and adding the cotangents into its operands.
"""
import dis
import inspect
import itertools
import linecache

import numpy as np

from .. import errors, runtime
from ..errors import SrcadError
from .entries import refresh
from .node import Node, Tape

_LEVELS = itertools.count(1)  # a newer tape has a higher level (see node.py)
_EMPTY = inspect.Parameter.empty


class Target:
    """`fn` and where each `wrt` argument is found in a call: `(position, name, default)`."""

    def __init__(self, fn, wrt, transform):
        self.fn = fn
        self.transform = transform
        try:
            self.params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):  # some builtins have no signature: positions only
            self.params = None
        self.single = not isinstance(wrt, tuple)
        self.slots = tuple(self._slot(w) for w in ((wrt,) if self.single else wrt))

    def _slot(self, w):
        call = f"{self.transform}(wrt={w!r})"
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise self._error(f"{call}: wrt must be a position, a parameter name or a tuple of "
                              "them", f"Use one of {self._names()}")
        if self.params is None:
            if isinstance(w, int) and w >= 0:
                return w, None, _EMPTY
            raise self._error(f"{call}: {_name(self.fn)} has no readable signature",
                              "Use a position (0, 1, ...)")
        plain = [p for p in self.params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        positional = [p for p in plain if p.kind != p.KEYWORD_ONLY]
        if isinstance(w, int) and w >= len(positional) and any(
                p.kind == p.VAR_POSITIONAL for p in self.params):
            return w, None, _EMPTY  # an argument caught by *args
        if isinstance(w, int) and not -len(positional) <= w < len(positional):
            raise self._error(f"{call}: {_name(self.fn)} has no positional parameter at position "
                              f"{w}", f"Use a position below {len(positional)} or a name "
                              f"({self._names()})")
        if isinstance(w, str) and w not in {p.name for p in plain}:
            raise self._error(f"{call}: {_name(self.fn)} has no parameter named {w!r}",
                              f"Use one of {self._names()}")
        param = positional[w] if isinstance(w, int) else next(p for p in plain if p.name == w)
        position = positional.index(param) if param in positional else None
        name = None if param.kind == param.POSITIONAL_ONLY else param.name
        return position, name, param.default

    def _names(self):
        if not self.params:
            return "a position"
        return ", ".join(p.name for p in self.params
                         if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))

    def _error(self, what, hint):
        code = getattr(self.fn, "__code__", None)
        if code is None:
            return SrcadError(f"{what}. {hint}.")
        return errors.at(code.co_filename, _def_line(code), what, hint)

    def wrap(self, args, kwargs, tape):
        """The call's arguments with each `wrt` argument replaced by a leaf of `tape`, and
        `(leaf, argument)` for each `wrt` entry in order."""
        args = list(args)
        made = {}
        leaves = []
        for position, name, default in self.slots:
            if position is not None and position < len(args):
                box, where = args, position
            elif name is not None and name in kwargs:
                box, where = kwargs, name
            elif default is not _EMPTY and name is not None:
                box, where = kwargs, name
                kwargs[name] = default
            else:
                raise TypeError(f"{_name(self.fn)}() is missing the argument {name or position!r}")
            key = (box is kwargs, where)
            if key not in made:
                value = box[where]
                _check_kind(value, name or f"argument {position}", self)
                made[key] = (Node(value, tape, None, (), None, None, False), value)
                box[where] = made[key][0]
            leaves.append(made[key])
        return args, kwargs, leaves

    def not_scalar(self, value):
        """The refusal of `value`, not a real scalar, as f's output (errors.bad_output)."""
        code = getattr(self.fn, "__code__", None)
        filename, lineno = (code.co_filename, _return_line(code)) if code is not None else (None, None)
        return errors.bad_output(filename, lineno, self.transform, _name(self.fn), value)


def run(target, args, kwargs):
    """`(value, gradient)` of one call of `target.fn`; the gradient is a tuple for a tuple wrt.
    A complex number met by a rule or in a gradient is refused (runtime.NotReal)."""
    try:
        return _run(target, args, kwargs)
    except runtime.NotReal as refusal:
        code = target.fn.__code__
        raise errors.complex_error(code.co_filename, code.co_firstlineno, target.transform,
                                   f"{refusal.what} in {_name(target.fn)}") from None


def _run(target, args, kwargs):
    refresh()
    tape = Tape(next(_LEVELS))
    try:
        args, kwargs, leaves = target.wrap(args, kwargs, tape)
        out = _call(target.fn, args, kwargs)
        recorded = type(out) is Node and out.tape is tape
        value = out.value if recorded else out
        if type(value) is not float and not _is_real_scalar(value):
            raise target.not_scalar(value)
        if recorded:
            backward(tape, out)
    finally:
        tape.clear()  # each node refers to its tape: without this, only gc would free them
    grads = []
    for leaf, arg in leaves:
        grad = _gradient(leaf.grad, arg)
        if type(grad) is np.ndarray and any(grad is other for other in grads):
            grad = grad.copy()  # rules may hand one array to two operands (x + y)
        grads.append(grad)
    return value, grads[0] if target.single else tuple(grads)


def _call(fn, args, kwargs):
    """`fn(*args, **kwargs)`, where numpy's ValueError hiding the tape's refusal (a traced value
    stored into a plain array: numpy asks it for a float and reports "setting an array element
    with a sequence") gives way to that refusal, which cites the user's line."""
    try:
        return fn(*args, **kwargs)
    except (ValueError, TypeError) as error:
        if isinstance(error.__cause__, SrcadError):
            raise error.__cause__ from None
        raise


def backward(tape, out):
    """The reverse sweep: from `out` (seeded with 1.0) back over `tape`, each node's cotangent
    `grad` is passed through its rule and added into its operands' `grad`. Never in place: a
    rule may hand one array to two operands. Nodes leave the tape as they are done with, so
    their values are freed during the sweep. (One loop, written out: it is the hot path.)"""
    out.grad = 1.0
    pop = tape.pop
    while tape:
        node = pop()
        g = node.grad
        if g is None:  # made after the output, or not on any path to it
            continue
        if node.kwargs is None:
            c = node.vjp(g, node.value, *node.args)
        else:
            c = node.vjp(g, node.value, *node.args, **node.kwargs)
        parents = node.parents
        if type(parents) is Node:
            if c is None:
                continue
            if node.broadcasts and type(c) is not float and type(c) is not np.float64:
                c = fit(c, parents.value)
            total = parents.grad
            parents.grad = c if total is None else total + c if type(c) is not list \
                else runtime.add(total, c)
            continue
        for i, j, parent in parents:
            ci = c if i is None else c[i]
            if ci is None:
                continue
            if j is not None:
                ci = runtime.item(ci, j)
            if node.broadcasts and type(ci) is not float and type(ci) is not np.float64:
                ci = fit(ci, parent.value)
            total = parent.grad
            parent.grad = ci if total is None else total + ci if type(ci) is not list \
                else runtime.add(total, ci)


def fit(c, value):
    """The cotangent `c` of a broadcasting operation, summed back to its operand's shape."""
    if type(c) is np.ndarray:
        if type(value) is np.ndarray and value.shape == c.shape:
            return c
        return runtime.unbroadcast(c, value)
    if type(c) is Node and np.shape(c) != np.shape(value):
        raise SrcadError("srcad.tape: a gradient of a gradient through broadcasting is not "
                         "supported. Use srcad.grad twice, or srcad.hessian")
    return c


def _gradient(g, arg):
    """The gradient in the kind of its argument (runtime.gradient, as srcad.grad gives it)."""
    if type(g) is Node:  # a gradient inside a gradient: stays on the outer tape
        return g
    if type(arg) is Node:
        if g is None:
            return 0.0 if np.ndim(arg) == 0 else np.zeros(np.shape(arg))
        return g
    if g is None:
        return runtime.zeros_like(arg)
    return runtime.gradient(g, arg)


def _is_real_scalar(value):
    while type(value) is Node:  # a value on an outer tape (a gradient of a gradient)
        value = value.value
    try:
        runtime.scalar_seed(value)
    except (runtime.NotScalar, runtime.NotReal):
        return False
    return True


def _check_kind(value, name, target):
    kind = type(value)
    if kind in (float, int, bool, Node) or isinstance(value, (np.floating, np.integer)):
        return
    if kind is np.ndarray and value.dtype.kind in "fiub":
        return
    raise target._error(f"{target.transform}: cannot differentiate {_name(target.fn)} with "
                        f"respect to {name}: it is a {kind.__name__}",
                        "The tape differentiates floats, ints and numeric numpy arrays")


def _name(fn):
    return getattr(fn, "__name__", repr(fn))


def _def_line(code):
    """The line of the `def` (co_firstlineno is the first decorator's line)."""
    for lineno in range(code.co_firstlineno, code.co_firstlineno + 50):
        text = linecache.getline(code.co_filename, lineno).strip()
        if text.startswith(("def ", "async def ")) or "lambda" in text:
            return lineno
        if not text and lineno > code.co_firstlineno:
            break
    return code.co_firstlineno


def _return_line(code):
    """The line of fn's `return`, when it has exactly one; else its def line."""
    lines = set()
    line = None
    for ins in dis.get_instructions(code):
        positions = getattr(ins, "positions", None)
        line = positions.lineno if positions is not None else (ins.starts_line or line)
        if ins.opname in ("RETURN_VALUE", "RETURN_CONST"):
            lines.add(line)
    lines.discard(None)
    return lines.pop() if len(lines) == 1 else _def_line(code)
