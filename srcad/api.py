"""The public transformations: check arguments, ask the cache, call the compiled derivative."""
import functools
import inspect

import numpy as np

from . import errors, parse, pipeline, runtime
from .analyze import FLOAT, INT, kind_of_type
from .cache import CACHE, Identity


class _Target:
    """A function and the parameters to differentiate, checked when the transform is called."""

    def __init__(self, fn, wrt, transform):
        self.fn = fn
        src = parse.function(fn)
        self.filename, self.def_line = src.filename, src.tree.lineno
        self.signature = inspect.signature(fn)
        self.params = list(self.signature.parameters.values())
        self.single = not isinstance(wrt, tuple)
        self.wrt = tuple(self._param_name(w, transform) for w in ((wrt,) if self.single else wrt))
        self.impls = {}

    def _param_name(self, w, transform):
        plain = [p for p in self.params
                 if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        names = ", ".join(p.name for p in plain)
        positional = [p for p in plain if p.kind != p.KEYWORD_ONLY]
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise self._error(f"{transform}(wrt={w!r}): wrt must be a position, a parameter name "
                              f"or a tuple of them", f"Use one of {names}")
        if isinstance(w, int):
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
        """Parameter name -> kind, for this call's arguments (defaults where not passed)."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return {name: kind_of_type(type(value)) for name, value in bound.arguments.items()}

    def compiled(self, kinds, mode="reverse", variant="vjp"):
        wrt = self.wrt[0] if self.single else self.wrt
        key = (Identity(self.fn.__code__), Identity(self.fn.__globals__), wrt, mode, variant,
               tuple(sorted(kinds.items())))
        return CACHE.get(key, lambda: pipeline.derive(self.fn, wrt, kinds, mode, variant))

    def entry(self, args, kwargs, make):
        """The specialised callable for arguments like these, made once per argument types by
        `make(kinds)` and kept under the types of the arguments as passed."""
        key = tuple(map(type, args)) + tuple((k, type(v)) for k, v in sorted(kwargs.items()))
        impl = self.impls.get(key)
        if impl is None:
            impl = self.impls[key] = make(self.kinds(args, kwargs))
        return impl

    def dispatcher(self, make):
        """`fn`'s stand-in: finds the specialisation for its arguments' types and calls it.
        For plain signatures it is generated code (a few bytecodes); else a generic wrapper."""
        simple = all(p.kind == p.POSITIONAL_OR_KEYWORD for p in self.params)
        if not simple:
            def generic(*args, **kwargs):
                return self.entry(args, kwargs, make)(*args, **kwargs)
            return functools.wraps(self.fn)(generic)
        names = [p.name for p in self.params]
        defaults = tuple(p.default for p in self.params if p.default is not p.empty)
        params = ", ".join(names)
        key = "".join(f"type({n}), " for n in names)
        text = (f"def {self.fn.__name__}({params}):\n"
                f"    impl = impls.get(({key}))\n"
                f"    if impl is None:\n"
                f"        impl = entry(({params}{',' if len(names) == 1 else ''}), {{}}, make)\n"
                f"    return impl({params})\n")
        namespace = {"impls": self.impls, "entry": self.entry, "make": make}
        exec(compile(text, f"<srcad dispatch {self.fn.__name__}>", "exec"), namespace)
        stand_in = namespace[self.fn.__name__]
        stand_in.__defaults__ = defaults or None
        return functools.wraps(self.fn)(stand_in)

    def not_scalar(self, value, compiled, transform):
        what = f"an array of shape {np.shape(value)}" if isinstance(value, np.ndarray) \
            else f"a {type(value).__name__}"
        return errors.at(compiled.filename, compiled.return_lineno,
                        f"{transform} needs a scalar output, but {self.fn.__name__} returned {what}",
                        "Use srcad.vjp for a vector-Jacobian product or srcad.jacobian for the "
                        "whole Jacobian")


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

    def make(kinds):
        return _checked(target, target.compiled(kinds, variant="grad"), "grad")
    return target.dispatcher(make)


@_transformation
def value_and_grad(fn, wrt=0):
    """`fn`'s value and its gradient with respect to `wrt`, from one call."""
    target = _Target(fn, wrt, "value_and_grad")

    def make(kinds):
        return _checked(target, target.compiled(kinds, variant="value_and_grad"), "value_and_grad")
    return target.dispatcher(make)


def _checked(target, compiled, transform):
    """The compiled derivative, bound to `fn`; where its code checks that the output is a
    scalar (`_rt.scalar_seed`), a refusal becomes the SrcadError citing `fn`'s return line."""
    impl = compiled.bind(target.fn)
    if "scalar_seed" not in compiled.text:
        return impl

    def checked(*args, **kwargs):
        try:
            return impl(*args, **kwargs)
        except runtime.NotScalar as refusal:
            raise target.not_scalar(refusal.value, compiled, transform) from None
    return checked


@_transformation
def vjp(fn, wrt=0):
    """`h(*args) -> (value, pullback)`; `pullback(cotangent)` gives the gradient(s) of
    `<cotangent, fn(*args)>`. The cotangent has the structure of the value."""
    target = _Target(fn, wrt, "vjp")

    def make(kinds):
        compiled = target.compiled(kinds)
        impl = compiled.bind(fn)

        def value_and_pullback(*args, **kwargs):
            value = fn(*args, **kwargs)

            def pullback(cotangent):
                if type(cotangent) is int:
                    cotangent = float(cotangent)
                return impl(*args, **kwargs, **{compiled.seed: cotangent})[1]
            return value, pullback
        return value_and_pullback
    return target.dispatcher(make)


def source(fn, wrt=0, mode="reverse", *, args=None):
    """The Python source of `fn`'s generated derivative, exactly as it is compiled.

    It is the derivative specialised for `args` if given, else for arguments of the kinds the
    parameters' annotations or defaults name (a Python float where nothing is said)."""
    if mode != "reverse":
        raise errors.SrcadError(f"source(mode={mode!r}): only mode='reverse' exists so far")
    target = _Target(fn, wrt, "source")
    if args is not None:
        kinds = target.kinds(args, {})
    else:
        kinds = {p.name: _declared_kind(p, fn) for p in target.params}
    return target.compiled(kinds).text


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
