"""The public transformations: check arguments, ask the cache, call the compiled derivative."""
import functools
import inspect

import numpy as np

from . import arguments, errors, load, parse, pipeline, runtime
from .analyze import FLOAT, INT, kind_of_type
from .cache import CACHE
from .depends import Bindings, Identity
from .rules.callees import API


class _Target:
    """A function and the parameters to differentiate, checked when the transform is called.

    `impls` holds its specialisations; `bindings` what every one of them was compiled from
    (depends.py). The dispatcher tests the bindings on each call, and when one no longer holds
    (a helper re-defined, a global re-bound, a rule registered) all specialisations go."""

    def __init__(self, fn, wrt, transform):
        self.fn = fn
        made = getattr(fn, "__srcad__", None)
        if made is not None:  # a derivative srcad made: its generated code is differentiated
            self.inner, self.inner_variant = made
            self.filename, self.def_line = self.inner.filename, self.inner.def_line
            if self.inner_variant is None:
                raise self._error(f"cannot differentiate {fn.__name__}, made by srcad.jvp, vjp, "
                                  "jacobian or hessian: srcad does not differentiate those again",
                                  "For second derivatives differentiate srcad.grad(f): grad(grad(f)), "
                                  "jacobian(grad(f)) or hessian(f)")
        else:
            self.inner = None
            src = parse.function(fn)
            self.filename, self.def_line = src.filename, src.tree.lineno
        # a user's function: its own parameters (a decorator's wrapper is differentiated as
        # itself); a derivative srcad made: those of the function it stands for
        self.signature = inspect.signature(fn, follow_wrapped=made is not None)
        self.params = list(self.signature.parameters.values())
        self.transform = transform
        if made is None and hasattr(fn, "__wrapped__"):
            self._check_wrapper()
        self.single = not isinstance(wrt, tuple)
        self.wrt = tuple(self._param_name(w, transform) for w in ((wrt,) if self.single else wrt))
        self.impls = {}
        CACHE.watch(self)  # a rule registered later empties `impls` (see forget)
        self.bindings = self._own_bindings()
        self.depended = {}     # (id(compiled), id(fn)) -> (compiled, fn) merged into bindings
        self.stand_in = None   # the generated dispatcher, once made (see dispatcher)
        self.guard_names = {}  # its namespace: the objects its guard reads
        self.make = None       # what it calls to make a specialisation
        self.dispatch_name = None

    def _own_bindings(self):
        bindings = Bindings()
        if self.inner is None:
            bindings.code(self.fn)   # IPython's autoreload replaces the code of a function
        return bindings

    def _check_wrapper(self):
        """A decorator's wrapper (functools.wraps): its own code is differentiated, which needs
        its own parameters: *args and **kwargs cannot be matched to the wrapped function's."""
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in self.params):
            raise self._error(f"cannot differentiate {self.fn.__name__}: it is a decorator's wrapper "
                              f"(functools.wraps) taking *args or **kwargs, whose own code srcad "
                              f"would have to differentiate",
                              "Give the wrapper the parameters of the function it wraps, or "
                              "differentiate the undecorated function")

    def _param_name(self, w, transform):
        plain = [p for p in self.params
                 if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        names = ", ".join(p.name for p in plain)
        positional = [p for p in plain if p.kind != p.KEYWORD_ONLY]
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise self._error(f"{transform}(wrt={w!r}): wrt must be a position, a parameter name "
                              f"or a tuple of them", f"Use one of {names}")
        if isinstance(w, int):
            if not plain:
                raise self._error(f"{transform}: {self.fn.__name__} has no named parameters to "
                                  "differentiate with respect to, only *args or **kwargs",
                                  "Give it a parameter for each value: def f(x, y)")
            if not -len(positional) <= w < len(positional):
                raise self._error(f"{transform}(wrt={w}): {self.fn.__name__} has no positional "
                                  f"parameter at position {w}",
                                  f"Use a position below {len(positional)} or a name ({names})")
            return positional[w].name
        if w not in {p.name for p in plain}:
            raise self._error(f"{transform}(wrt={w!r}): {self.fn.__name__} has no parameter "
                              f"named {w!r}", f"Use one of {names}")
        return w

    def _error(self, what, hint):
        return errors.at(self.filename, self.def_line, what, hint)

    def kinds(self, args, kwargs):
        """Parameter name -> kind, for this call's arguments (defaults where not passed).
        Refuses a `wrt` argument that holds no numbers to differentiate (see arguments.py)."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as error:  # as the call of fn itself would say, naming fn
            raise TypeError(f"{self.fn.__name__}(): {error}") from None
        bound.apply_defaults()
        for name in self.wrt:  # complex arrays are refused as the derivative runs (gradient)
            value = bound.arguments.get(name)
            self.check_wrt(name, value)
            if issubclass(type(value), (complex, np.complexfloating)):
                raise self.refused(runtime.NotReal(f"the argument {name} is complex"))
        return {name: kind_of_type(type(value)) for name, value in bound.arguments.items()}

    def check_wrt(self, name, value):
        what = arguments.refusal(value)
        if what is not None:
            raise self._error(f"cannot differentiate {self.fn.__name__} with respect to {name}, "
                              f"which holds {what}", arguments.hint(value))

    def compiled(self, kinds, mode="reverse", variant="vjp", fn=None, final=True):
        """The derivative for arguments of these kinds; `final`: one that runs as it is (not
        one srcad transforms again), so the array passes apply (see optimize/arrays.py)."""
        fn = fn or self.fn
        wrt = self.wrt[0] if self.single else self.wrt
        key = (Identity(fn.__code__), Identity(fn.__globals__), wrt, mode, variant,
               tuple(sorted(kinds.items())), final)
        compiled = CACHE.get(key, lambda: pipeline.derive(fn, wrt, kinds, mode, variant, final),
                             lambda c: c.current(fn))
        self.depend_on(compiled, fn)
        return compiled

    def depend_on(self, compiled, fn):
        """Keep what `compiled` (a derivative of `fn`) depends on among what the dispatcher
        tests (once: forward jacobians ask for their derivative on every call)."""
        known = self.depended.get((id(compiled), id(fn)))
        if known is not None and known[0] is compiled and known[1] is fn:
            return
        self.depended[(id(compiled), id(fn))] = (compiled, fn)
        if self.bindings.merge(compiled.bindings, fn):
            self._write_dispatcher()

    def forget(self):
        """Drop the specialisations: a rule was registered, which any of them may have used."""
        self.impls.clear()

    def refresh(self):
        """Forget every specialisation if one of the bindings they were made from changed."""
        if not self.bindings.hold():
            self.forget()
            self.bindings, self.depended = self._own_bindings(), {}
            self._write_dispatcher()

    def function_for(self, args, kwargs, kinds=None):
        """The function to transform for these arguments (or argument kinds): `fn`, or for a
        derivative srcad made, the generated function it runs for arguments of these types."""
        if self.inner is None:
            return self.fn
        if self.inner.inner is not None:
            raise self._error(f"cannot differentiate {self.fn.__name__}, made by srcad, again: "
                              "srcad goes to second derivatives (forward over reverse) only",
                              "grad, value_and_grad, jvp, jacobian and hessian of srcad.grad(f) work")
        kinds = kinds if kinds is not None else self.inner.kinds(args, kwargs)
        key = ("generated", self.inner_variant, tuple(sorted(kinds.items())))
        made = self.impls.get(key)
        if made is None:
            compiled = self.inner.compiled(kinds, variant=self.inner_variant, final=False)
            self.depend_on(compiled, self.inner.fn)
            made = self.impls[key] = compiled.bind(self.inner.fn)
        return made

    def forward_impl(self, args, kwargs):
        """The forward-mode derivative (jvp) for arguments like these, and its compiled form."""
        fn = self.function_for(args, kwargs)
        compiled = self.compiled(self.kinds(args, kwargs), "forward", "jvp", fn)
        return compiled.bind(fn), compiled

    def entry(self, args, kwargs, make):
        """The specialised callable for arguments like these, made once per argument types by
        `make(kinds)` and kept under the types of the arguments as passed (all are made
        afresh when what they were compiled from changed)."""
        self.refresh()
        key = tuple(map(type, args)) + tuple((k, type(v)) for k, v in sorted(kwargs.items()))
        impl = self.impls.get(key)
        if impl is None:
            impl = self.impls[key] = self.contents_checked(make(self.kinds(args, kwargs), args, kwargs), args, kwargs)
        return impl

    def contents_checked(self, impl, args, kwargs):
        """`impl`, checking on every call what the lists and tuples in `wrt` hold: their type,
        which the specialisations are kept under, does not tell."""
        bound = self.signature.bind(*args, **kwargs)
        if not any(type(bound.arguments.get(name)) in (list, tuple) for name in self.wrt):
            return impl

        def checked(*args, **kwargs):
            self.kinds(args, kwargs)
            return impl(*args, **kwargs)
        return checked

    def dispatcher(self, make, variant=None):
        """`fn`'s stand-in: finds the specialisation for its arguments' types, tests that what
        it was compiled from is still bound as it was, and calls it. For plain signatures it
        is generated code (a few bytecodes a test); else a generic wrapper."""
        simple = all(p.kind == p.POSITIONAL_OR_KEYWORD for p in self.params)
        if not simple:
            def generic(*args, **kwargs):
                try:
                    return self.entry(args, kwargs, make)(*args, **kwargs)
                except Exception as error:  # shown at the user's line too
                    load.raise_at_user_line(error)
                    raise
            generic = functools.wraps(self.fn)(generic)
            generic.__srcad__ = (self, variant)
            return generic
        self.guard_names, self.make = {}, make
        exec(self._dispatcher_code(), self.guard_names)
        stand_in = self.guard_names[self.dispatch_name]
        stand_in.__defaults__ = tuple(p.default for p in self.params if p.default is not p.empty) or None
        stand_in = functools.wraps(self.fn)(stand_in)
        stand_in.__srcad__ = (self, variant)
        self.stand_in = stand_in
        return stand_in

    def _dispatcher_code(self):
        """The stand-in's code, its guard testing the current bindings; the objects it reads are
        put in its namespace, `guard_names`, under names no parameter starts with."""
        names = [p.name for p in self.params]
        prefix = "_srcad_"
        while any(n.startswith(prefix) for n in names):
            prefix += "_"
        guard, values = self.bindings.guard(prefix)
        values.update({prefix + "impls": self.impls, prefix + "entry": self.entry, prefix + "make": self.make,
                       prefix + "at_user_line": load.raise_at_user_line})
        self.guard_names.update(values)  # none removed: another thread may be running the old code
        params = ", ".join(names)
        key = "".join(f"{prefix}type({n}), " for n in names)
        self.dispatch_name = prefix + "dispatch"
        call_entry = f"{prefix}entry(({params}{',' if len(names) == 1 else ''}), {{}}, {prefix}make)"
        lines = [f"def {self.dispatch_name}({params}):",
                 f"    {prefix}impl = {prefix}impls.get(({key}))"]
        if guard:
            lines += ["    try:",
                      f"        {prefix}stale = {prefix}impl is None or {guard}",
                      "    except (KeyError, ValueError):  # a global deleted, a closure cell emptied",
                      f"        {prefix}stale = True",
                      f"    if {prefix}stale:"]
        else:
            lines += [f"    if {prefix}impl is None:"]
        lines += [f"        {prefix}impl = {call_entry}",
                  "    try:",  # costs nothing unless it raises (Python 3.11+; a few ns before)
                  f"        return {prefix}impl({params})",
                  f"    except Exception as {prefix}error:  # shown at the user's line too",
                  f"        {prefix}at_user_line({prefix}error)",
                  "        raise", ""]
        text = "\n".join(lines)
        return compile(text, f"<srcad dispatch {self.fn.__name__}>", "exec")

    def _write_dispatcher(self):
        """Give the stand-in the guard of the current bindings (the user holds the stand-in,
        so its code is replaced, not the function)."""
        if self.stand_in is not None:
            namespace = {}
            exec(self._dispatcher_code(), namespace)
            self.stand_in.__code__ = namespace[self.dispatch_name].__code__

    def not_scalar(self, value, compiled, transform):
        return self.refused(runtime.NotScalar(value), compiled, transform)

    def refused(self, refusal, compiled=None, transform=None):
        """The SrcadError for what the runtime refused as the derivative ran, citing `fn`'s
        return line (its def line where no derivative was compiled): a non-scalar output
        (runtime.NotScalar) or a complex number (runtime.NotReal)."""
        filename, lineno = (compiled.filename, compiled.return_lineno) if compiled \
            else (self.filename, self.def_line)
        transform = transform or self.transform
        if isinstance(refusal, runtime.NotScalar):
            return errors.bad_output(filename, lineno, transform, self.fn.__name__, refusal.value)
        return errors.complex_error(filename, lineno, transform, f"{refusal.what} in {self.fn.__name__}")


def _transformation(make):
    """Let `make(fn, wrt)` be used as `@t`, `@t(wrt=...)` and `t(fn, wrt=...)`."""
    @functools.wraps(make)
    def transformation(fn=None, wrt=0):
        if fn is None:
            return lambda f: transformation(f, wrt)
        if isinstance(fn, (int, str, tuple)) and not callable(fn):
            return lambda f: transformation(f, fn)
        return make(fn, wrt)
    return transformation


@_transformation
def grad(fn, wrt=0):
    """The gradient of `fn`'s scalar output with respect to the argument(s) in `wrt`.

    >>> import math, srcad
    >>> def f(x):
    ...     return x * math.sin(x)
    >>> round(srcad.grad(f)(1.0), 6)
    1.381773
    """
    target = _Target(fn, wrt, "grad")

    def make(kinds, args, kwargs):
        if target.inner is not None:  # a gradient of a gradient: forward over reverse
            return _by_forward_mode(target, "grad", args, kwargs, values=False)
        return _checked(target, target.compiled(kinds, variant="grad"), "grad")
    return target.dispatcher(make, "grad")


@_transformation
def value_and_grad(fn, wrt=0):
    """`fn`'s value and its gradient with respect to `wrt`, from one call."""
    target = _Target(fn, wrt, "value_and_grad")

    def make(kinds, args, kwargs):
        if target.inner is not None:
            return _by_forward_mode(target, "value_and_grad", args, kwargs, values=True)
        return _checked(target, target.compiled(kinds, variant="value_and_grad"), "value_and_grad")
    return target.dispatcher(make, "value_and_grad")


def _checked(target, compiled, transform):
    """The compiled derivative, bound to `fn`; where its code checks its output and gradients
    (`_rt.scalar_seed`: a real scalar; `_rt.gradient`: no complex number), a refusal becomes
    the SrcadError citing `fn`'s return line."""
    impl = compiled.bind(target.fn)
    if not any(check in compiled.text for check in _CHECKS):
        return impl

    def checked(*args, **kwargs):
        try:
            return impl(*args, **kwargs)
        except (runtime.NotScalar, runtime.NotReal) as refusal:
            raise target.refused(refusal, compiled, transform) from None
    return checked


_CHECKS = ("_rt.scalar_seed(", "_rt.gradient(", "_rt.zeros_like(", "_rt.tangent_out(", "_rt.power_slope(")


@_transformation
def vjp(fn, wrt=0):
    """`h(*args) -> (value, pullback)`; `pullback(cotangent)` gives the gradient(s) of
    `<cotangent, fn(*args)>`. The cotangent has the structure of the value.

    The forward part runs once, in `h`; each pullback runs the reverse part on what it saved."""
    target = _Target(fn, wrt, "vjp")
    if target.inner is not None:
        raise target._error("vjp of a derivative srcad made is not supported",
                            "Use srcad.jvp or srcad.jacobian(..., mode='forward') on it")

    def make(kinds, args, kwargs):
        compiled = target.compiled(kinds, variant="split")
        forward_part, reverse_part = compiled.bind_pair(fn)

        def value_and_pullback(*args, **kwargs):
            tape = []
            value = forward_part(tape, *args, **kwargs)

            def pullback(cotangent):
                if type(cotangent) is int:
                    cotangent = float(cotangent)
                elif type(cotangent) is complex or getattr(cotangent, "dtype", None) == complex:
                    raise target.refused(runtime.NotReal("the cotangent is complex"), compiled)
                try:
                    return reverse_part(list(tape), cotangent)
                except runtime.NotReal as refusal:
                    raise target.refused(refusal, compiled) from None
                except Exception as error:  # shown at the user's line too
                    load.raise_at_user_line(error)
                    raise
            return value, pullback
        return value_and_pullback
    return target.dispatcher(make)


@_transformation
def jvp(fn, wrt=0):
    """`h(*args, *tangents) -> (value, tangent_out)`: forward mode, one tangent appended per
    `wrt` argument, in order."""
    target = _Target(fn, wrt, "jvp")
    positions = [i for i, p in enumerate(target.params) if p.name in target.wrt]

    @functools.wraps(fn)
    def value_and_tangent(*args):
        n = len(target.wrt)
        primals, tangents = args[:-n], args[n and -n:]
        if len(tangents) != n:
            raise errors.SrcadError(f"jvp of {fn.__name__} takes one tangent per wrt argument "
                                    f"({n}) after the arguments")
        target.refresh()
        key = ("jvp",) + tuple(map(type, primals))
        found = target.impls.get(key)
        if found is None:
            found = target.impls[key] = target.forward_impl(primals, {})
        impl, compiled = found
        for value in tangents + tuple(primals[i] for i in positions if i < len(primals)):
            if type(value) is complex or isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind == "c":
                raise target.refused(runtime.NotReal("an argument or tangent is complex"), compiled)
        try:
            return impl(*primals, **dict(zip(compiled.tangent_params, tangents)))
        except runtime.NotReal as refusal:
            raise target.refused(refusal, compiled) from None
        except Exception as error:  # shown at the user's line too
            load.raise_at_user_line(error)
            raise
    value_and_tangent.__srcad__ = (target, None)  # not to be differentiated again
    return value_and_tangent


def jacobian(fn=None, wrt=0, mode="reverse"):
    """`J(*args)`: the Jacobian of `fn` at `args`, an array of shape `out.shape + arg.shape`
    (a float for a scalar output and argument), a tuple of them for a tuple `wrt`. `mode` is
    "reverse" (one pullback per output element) or "forward" (one jvp per input element)."""
    if fn is None or isinstance(fn, (int, str, tuple)) and not callable(fn):
        chosen = wrt if fn is None else fn
        return lambda f: jacobian(f, chosen, mode)
    if mode not in ("reverse", "forward"):
        raise errors.SrcadError(f"jacobian(mode={mode!r}): mode is 'reverse' or 'forward'")
    target = _Target(fn, wrt, "jacobian")
    pullbacks = vjp(fn, wrt) if mode == "reverse" and target.inner is None else None

    @functools.wraps(fn)
    def jacobian_of(*args, **kwargs):
        if pullbacks is None:
            target.refresh()
            _, columns = _forward_jacobian(target, args, kwargs)
        else:
            columns = _reverse_jacobian(pullbacks, target, args, kwargs)
        return columns[0] if target.single else tuple(columns)
    jacobian_of.__srcad__ = (target, None)  # not wrapped's (functools.wraps copied a gradient's)
    return jacobian_of


def hessian(fn=None, wrt=0):
    """`H(*args)`: the Hessian of `fn`'s scalar output, shape `arg.shape + arg.shape` (a float
    for a scalar argument): forward mode over the generated reverse-mode gradient."""
    if fn is None or isinstance(fn, (int, str)) and not callable(fn):
        chosen = wrt if fn is None else fn
        return lambda f: hessian(f, chosen)
    if isinstance(wrt, tuple):
        raise _Target(fn, wrt, "hessian")._error("hessian takes one wrt argument",
                                                 "Differentiate with respect to one argument")
    hessian_of = jacobian(grad(fn, wrt), wrt, mode="forward")
    made = hessian_of.__srcad__
    hessian_of = functools.wraps(fn)(hessian_of)
    hessian_of.__srcad__ = made  # a Jacobian's: srcad does not differentiate it again
    return hessian_of


def register_made(fn):
    """Derivative rules for `fn`, a gradient srcad made (`srcad.grad(g)`), so that code calling
    it can be differentiated: its reverse rule is a Hessian-vector product and its forward rule
    a jvp, both by forward mode over its generated code. Returns whether `fn` is one."""
    from .custom import defjvp, defvjp
    from .rules import registry
    made = getattr(fn, "__srcad__", None)
    if made is None or made[1] != "grad" or not made[0].single:
        return False
    if registry().reverse_rule(fn) is not None:
        return True
    target = made[0]
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
    defvjp(fn, hvp)
    defjvp(fn, forward_rule)
    return True


# what the stages below need to know of the derivatives made here (see rules/callees.py)
API.transformations = (grad, value_and_grad, jvp, jacobian, hessian)
API.give_rules = register_made


def _numeric(value):
    """A Python number, or a numpy scalar or array of numbers (np.float64 too: it is no
    ndarray, but its second derivatives are as real as a float's)."""
    if kind_of_type(type(value)) in (FLOAT, INT):
        return True
    return isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "fiu"


def _by_forward_mode(target, transform, args, kwargs, values):
    """grad (or value_and_grad) of a derivative srcad made, by forward mode over its code."""
    def run(*args, **kwargs):
        value, columns = _forward_jacobian(target, args, kwargs)
        if type(value) is not float:
            try:
                runtime.scalar_seed(value)
            except (runtime.NotScalar, runtime.NotReal) as refusal:
                raise target.refused(refusal) from None
        gradient = columns[0] if target.single else tuple(columns)
        return (value, gradient) if values else gradient
    return run


def _forward_jacobian(target, args, kwargs):
    """(value, [Jacobian for each wrt argument]) by one jvp per element of each argument."""
    impl, compiled = target.forward_impl(args, kwargs)
    bound = target.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    values = dict(bound.arguments)
    zeros = {p: _zero_like(values[p]) for p in target.wrt}
    columns, value = [], None
    for p in target.wrt:
        x = values[p]
        cells = []
        for index in (np.ndindex(np.shape(x)) if np.ndim(x) else [()]):
            tangents = dict(zeros)
            tangents[p] = _basis(x, index)
            value, tangent = impl(**values, **dict(zip(compiled.tangent_params, (tangents[q] for q in target.wrt))))
            cells.append(tangent)
        columns.append(_assemble(cells, value, x, last=True))
    return value, columns


def _reverse_jacobian(pullbacks, target, args, kwargs):
    value, pullback = pullbacks(*args, **kwargs)
    bound = target.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    rows = []
    for index in (np.ndindex(np.shape(value)) if np.ndim(value) else [()]):
        cotangent = _basis(value, index)
        grads = pullback(cotangent)
        rows.append(grads if not target.single else (grads,))
    columns = []
    for j, p in enumerate(target.wrt):
        columns.append(_assemble([r[j] for r in rows], bound.arguments[p], value, last=False))
    return columns


def _basis(x, index):
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return 1.0
    e = np.zeros(np.shape(x), dtype=np.result_type(x, float))
    e[index] = 1.0
    return e


def _zero_like(x):
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return 0.0
    return np.zeros(np.shape(x), dtype=np.result_type(x, float))


def _assemble(cells, first, second, last):
    """Cells (one per element of `second`'s... ) stacked into shape first.shape + second.shape
    (forward: cells are outputs per input element, `last`: input axes go last)."""
    if last:  # cells[k] has the output's shape; k runs over the input (second)
        out_shape, in_shape = np.shape(first), np.shape(second)
        if not out_shape and not in_shape:
            return float(cells[0])
        stacked = np.array([np.asarray(c, dtype=float) for c in cells])   # (in..., out...)
        stacked = stacked.reshape(in_shape + out_shape)
        return np.moveaxis(stacked, tuple(range(len(in_shape))),
                           tuple(range(len(out_shape), len(out_shape) + len(in_shape))))
    out_shape, in_shape = np.shape(second), np.shape(first)   # reverse: cells per output element
    if not out_shape and not in_shape:
        return float(cells[0])
    return np.array([np.asarray(c, dtype=float) for c in cells]).reshape(out_shape + in_shape)


def source(fn, wrt=0, mode="reverse", *, args=None, of="vjp"):
    """The Python source of `fn`'s generated derivative, exactly as it is compiled.

    It is the derivative specialised for `args` if given, else for arguments of the kinds the
    parameters' annotations or defaults name (a Python float where nothing is said). In
    reverse mode, `of` chooses which of the three compiled variants: "vjp" (value and gradient
    for a given output cotangent `by`, default 1.0), "value_and_grad" (what value_and_grad
    runs) or "grad" (what grad runs: no value, the seed folded away)."""
    if mode not in ("reverse", "forward"):
        raise errors.SrcadError(f"source(mode={mode!r}): mode is 'reverse' or 'forward'")
    if of not in ("vjp", "value_and_grad", "grad"):
        raise errors.SrcadError(f"source(of={of!r}): of is 'vjp', 'value_and_grad' or 'grad'")
    target = _Target(fn, wrt, "source")
    if args is not None:
        kinds = target.kinds(args, {})
    else:
        kinds = {p.name: _declared_kind(p, fn) for p in target.params}
    if target.inner is not None:  # a derivative srcad made: what forward mode runs through it
        generated = target.function_for(args, {}, kinds if args is None else None)
        return SourceText(target.compiled(kinds, "forward", "jvp", generated).text)
    if mode == "forward":
        return SourceText(target.compiled(kinds, "forward", "jvp").text)
    return SourceText(target.compiled(kinds, variant=of).text)


class SourceText(str):
    """The generated source: a `str`, shown with syntax highlighting in a notebook when pygments
    is installed (optional)."""

    def _repr_html_(self):
        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import PythonLexer
        except ImportError:  # no pygments: the notebook shows the plain text
            return None
        return highlight(str(self), PythonLexer(), HtmlFormatter(noclasses=True))


def _declared_kind(param, fn):
    annotation = param.annotation
    if isinstance(annotation, str):
        annotation = fn.__globals__.get(annotation.split(".")[-1], annotation)
    if isinstance(annotation, type) and annotation is not param.empty:
        kind = kind_of_type(annotation)
    elif param.default is not param.empty:
        kind = kind_of_type(type(param.default))
    else:
        kind = FLOAT
    return FLOAT if kind == INT else kind
