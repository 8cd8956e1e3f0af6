"""Any callable -> the Python function whose source srcad reads, and the values it binds.

The transformations differentiate a `def` or a `lambda`. Every other callable is resolved to one
(`resolve`), with the values it supplies itself bound in front of the caller's:

- a bound method (a classmethod's too): its function, `self` (or the class) bound; `self` is a
  constant unless `wrt` names it;
- a `functools.partial`: its function, the partial's arguments bound (constants);
- an object with `__call__`: its class's `__call__`, the object bound;
- a `staticmethod` or `classmethod` object, a numba-jitted function: the Python function inside;
- a library callable with no source of its own (a numpy ufunc or function, a `math`, `operator`
  or `scipy.special` function, a scipy.stats distribution's `logpdf`/`pdf`/`cdf`): a generated
  one-line `def` calling it (library.py), differentiated through the callable's derivative rule;
  a frozen distribution's method (`scipy.stats.norm(1.0, 2.0).logpdf`): its distribution's, the
  frozen parameters its defaults (constants).

`through(fn, wrt, make)` is what the transformations call: `make(function, wrt)` for the resolved
function, its `wrt` positions counted in the callable's own signature, wrapped so that the
bound values are passed in front of the caller's arguments.
"""
import functools
import inspect
from dataclasses import dataclass, field

from . import library
from .depends import is_library
from .errors import SrcadError


@dataclass
class Resolved:
    fn: object                 # a Python function with source (a def, a lambda, a generated def)
    args: tuple = ()           # positional values bound in front of the caller's
    keywords: dict = field(default_factory=dict)  # keyword values bound (the caller's win)


def resolve(obj):
    """`obj` as a Python function with source and the values it binds (see the module's
    docstring); `obj` itself where it is one, or where nothing better can be said (parse refuses
    it then, naming it)."""
    bound = getattr(obj, "__srcad_bound__", None)
    if bound is not None:  # a derivative of a method or partial srcad made: its stand-in again
        inner, resolved = bound
        return Resolved(inner, resolved.args, resolved.keywords)
    if inspect.isfunction(obj):
        if is_library(obj) and not getattr(obj, "__srcad__", None) and not _is_srcad_made(obj):
            return Resolved(library.wrapper(obj))  # numpy's own Python source is not differentiated
        return Resolved(obj)
    if isinstance(obj, (staticmethod, classmethod)):
        return resolve(obj.__func__)
    if isinstance(obj, functools.partial):
        inner = resolve(obj.func)
        return Resolved(inner.fn, inner.args + tuple(obj.args), {**inner.keywords, **obj.keywords})
    if inspect.ismethod(obj):
        frozen = library.frozen_method(obj)
        if frozen is not None:  # a frozen scipy.stats distribution's: its parameters as defaults
            return Resolved(frozen)
        stand_in = library.method_wrapper(obj)
        if stand_in is not None:  # a scipy.stats distribution's method: its formula as a def
            return Resolved(stand_in)
        inner = resolve(obj.__func__)
        return Resolved(inner.fn, inner.args + (obj.__self__,), inner.keywords)
    py_func = getattr(obj, "py_func", None)
    if inspect.isfunction(py_func):  # numba.njit: its Python function
        return resolve(py_func)
    if library.has_wrapper(obj):
        return Resolved(library.wrapper(obj))
    if callable(obj) and not inspect.isclass(obj) and not inspect.isroutine(obj):
        call = getattr(type(obj), "__call__", None)
        if inspect.isfunction(call):
            inner = resolve(call)
            return Resolved(inner.fn, inner.args + (obj,), inner.keywords)
    return Resolved(obj)


def _is_srcad_made(fn):
    return (getattr(fn, "__module__", "") or "").startswith("srcad")


def through(obj, wrt, make):
    """`make(fn, wrt)` for the function `obj` resolves to; where `obj` binds values (self, a
    partial's arguments), a callable passing them in front of the caller's arguments, with
    `wrt`'s positions counted in `obj`'s own signature."""
    resolved = resolve(obj)
    if not resolved.args and not resolved.keywords:
        return make(resolved.fn, wrt)
    inner = make(resolved.fn, wrt_names(obj, resolved, wrt))
    args, keywords = resolved.args, resolved.keywords

    def rebound(*call_args, **call_keywords):
        return inner(*args, *call_args, **{**keywords, **call_keywords})
    rebound = functools.wraps(obj)(rebound) if hasattr(obj, "__name__") else rebound
    rebound.__dict__.pop("__srcad__", None)  # the stand-in's: it takes the bound values too
    rebound.__srcad_bound__ = (inner, resolved)
    return rebound


def wrt_names(obj, resolved, wrt):
    """`wrt` with its positions replaced by the names of `obj`'s parameters at them (names,
    `self` too, are the function's and pass as they are); `wrt` itself where nothing is bound."""
    if isinstance(wrt, tuple):
        return tuple(wrt_names(obj, resolved, w) for w in wrt)
    if isinstance(wrt, bool) or not isinstance(wrt, int) or not resolved.args and not resolved.keywords:
        return wrt
    own = _positional_names(resolved.fn)[len(resolved.args):]
    own = [name_ for name_ in own if name_ not in resolved.keywords]
    if not -len(own) <= wrt < len(own):
        raise SrcadError(f"cannot differentiate {_brief(obj)} with respect to position {wrt}: it "
                         f"takes {len(own)} positional argument(s) besides the ones it binds "
                         f"({', '.join(own) or 'none'}). Use a position below {len(own)} or a name")
    return own[wrt]


def bound_values(resolved):
    """Parameter name -> the value `resolved` binds to it."""
    names = _positional_names(resolved.fn)
    return {**dict(zip(names, resolved.args)), **resolved.keywords}


def _positional_names(fn):
    params = inspect.signature(fn).parameters.values()
    return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _brief(obj):
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."
