"""Dispatch: a transformation's function object (`Target`) and the stand-in it returns.

A `Target` is the function being differentiated and the parameters in `wrt`, checked when the
transformation is called. Its stand-in (the callable `grad(f)` returns) finds the derivative
specialised for its arguments' types, tests that what it was compiled from is still bound as
it was, and calls it; a derivative srcad made carries `__srcad__`, a `Made`, so that srcad
differentiates its generated code when asked to differentiate it again. The API (api.py) and
the tape's `grad` share this.
"""
import functools
import inspect
from typing import NamedTuple

import numpy as np

from . import arguments, callables, errors, load, parse, pipeline, runtime, stand_in, structured
from .analyze import kind_of_type
from .cache import CACHE
from .depends import Bindings, Identity


class Made(NamedTuple):
    """What a function srcad made carries as `__srcad__`: the Target it differentiates, and
    the variant it runs ("grad", "value_and_grad", "vjp"; None for what srcad does not
    differentiate again: jvp, jacobian, hessian)."""
    target: object
    variant: object


class Target:
    """A function and the parameters to differentiate, checked when the transform is called.

    `impls` holds its specialisations; `bindings` what every one of them was compiled from
    (depends.py). The dispatcher tests the bindings on each call, and when one no longer holds
    (a helper re-defined, a global re-bound, a rule registered) all specialisations go."""

    def __init__(self, fn, wrt, transform, checkpoints=None):
        self.fn = fn
        made = getattr(fn, "__srcad__", None)
        if made is not None:  # a derivative srcad made: its generated code is differentiated
            self.inner, self.inner_variant = made
            self.filename, self.def_line = self.inner.filename, self.inner.def_line
            if self.inner_variant is None:
                raise self.error(f"cannot differentiate {fn.__name__}, made by srcad.jvp, vjp, "
                                 "jacobian or hessian: srcad does not differentiate those again",
                                 "For second derivatives differentiate srcad.grad(f): grad(grad(f)), "
                                 "jacobian(grad(f)) or hessian(f)")
        else:
            self.inner = None
            self.def_line = parse.def_line(fn)  # refuses what has no source to read
            self.filename = fn.__code__.co_filename
        # a user's function: its own parameters (a decorator's wrapper is differentiated as
        # itself); a derivative srcad made: those of the function it stands for
        self.signature = inspect.signature(fn, follow_wrapped=made is not None)
        self.params = list(self.signature.parameters.values())
        self.transform = transform
        if made is None and hasattr(fn, "__wrapped__"):
            self._check_wrapper()
        self.checkpoints = self._checked_checkpoints(checkpoints, made)
        self.single = not isinstance(wrt, tuple)
        self.wrt = tuple(self._param_name(w, transform) for w in ((wrt,) if self.single else wrt))
        self.impls = {}
        CACHE.watch(self)  # a rule registered later empties `impls` (see forget)
        self.bindings = self._own_bindings()
        self.depended = {}     # (id(compiled), id(fn)) -> (compiled, fn) merged into bindings
        self.changed = None    # the bindings' test compiled (see refresh), once made
        self.stand_in = None   # the generated dispatcher, once made (see dispatcher)
        self.guard_names = {}  # its namespace: the objects its guard reads
        self.make = None       # what it calls to make a specialisation
        self.dispatch_name = None
        self.fast_key = None   # the argument types its fast path serves (see _claim_fast)

    def _own_bindings(self):
        bindings = Bindings()
        if self.inner is None:
            bindings.code(self.fn)   # IPython's autoreload replaces the code of a function
        return bindings

    def _check_wrapper(self):
        """A decorator's wrapper (functools.wraps): its own code is differentiated, which needs
        its own parameters: *args and **kwargs cannot be matched to the wrapped function's."""
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in self.params):
            raise self.error(f"cannot differentiate {self.fn.__name__}: it is a decorator's wrapper "
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
            raise self.error(f"{transform}(wrt={w!r}): wrt must be a position, a parameter name "
                             f"or a tuple of them", f"Use one of {names}")
        varargs = [p.name for p in self.params if p.kind == p.VAR_POSITIONAL]
        if isinstance(w, int) and varargs and w >= len(positional):  # counts into *args
            return structured.element_name(varargs[0], w - len(positional))
        if isinstance(w, int):
            if not plain:
                raise self.error(f"{transform}: {self.fn.__name__} has no named parameters to "
                                 "differentiate with respect to, only **kwargs",
                                 "Give it a parameter for each value: def f(x, y)")
            if not -len(positional) <= w < len(positional):
                raise self.error(f"{transform}(wrt={w}): {self.fn.__name__} has no positional "
                                 f"parameter at position {w}",
                                 f"Use a position below {len(positional)} or a name ({names})")
            return positional[w].name
        if w not in {p.name for p in plain}:
            raise self.error(f"{transform}(wrt={w!r}): {self.fn.__name__} has no parameter "
                             f"named {w!r}", f"Use one of {names}")
        return w

    def error(self, what, hint):
        return errors.at(self.filename, self.def_line, what, hint)

    def _checked_checkpoints(self, checkpoints, made):
        """`checkpoints=` as given (None, an int K >= 1 or "sqrt"), checked; a derivative made
        with checkpoints is not differentiated again (its schedule has no derivative)."""
        if made is not None and made.target.checkpoints is not None:
            raise self.error(f"cannot differentiate {self.fn.__name__}, a gradient made with "
                             "checkpoints=, again", "Make the inner gradient with checkpoints=None")
        if checkpoints is None or checkpoints == "sqrt" or \
                type(checkpoints) is int and checkpoints >= 1:
            return checkpoints
        raise self.error(f"checkpoints={checkpoints!r}: it is None, a number of snapshots (an int "
                         "from 1) or 'sqrt'", "Pass checkpoints=None, checkpoints=10 or checkpoints='sqrt'")

    def kinds(self, args, kwargs):
        """Parameter name -> kind, for this call's arguments (defaults where not passed).
        Refuses a `wrt` argument that holds no numbers to differentiate (see arguments.py)."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as error:  # as the call of fn itself would say, naming fn
            raise TypeError(f"{self.fn.__name__}(): {error}") from None
        bound.apply_defaults()
        containers = {}
        for name in self.wrt:  # complex arrays are refused as the derivative runs (gradient)
            if structured.is_element_name(name):  # an element of *args: all of them a tuple
                containers.update(self.varargs_structure(name, bound.arguments))
                continue
            value = bound.arguments.get(name)
            node = structured.structure(value)
            if node is not None:  # a container: its structure is its kind (structured.py)
                self.check_container(name, node, value)
                containers[name] = node
                continue
            self.check_wrt(name, value)
            if issubclass(type(value), (complex, np.complexfloating)):
                raise self.refused(runtime.NotReal(f"the argument {name} is complex"))
        kinds = {name: kind_of_type(type(value)) for name, value in bound.arguments.items()}
        kinds.update(containers)
        return kinds

    def varargs_structure(self, name, arguments_):
        """{the *args parameter: its tuple's Tree}, checking that the element `name` names
        (`xs[1]`) was passed and holds numbers."""
        varargs, index = structured.split_element_name(name)
        values = arguments_.get(varargs, ())
        if index >= len(values):
            raise self.error(f"cannot differentiate {self.fn.__name__} with respect to its argument "
                             f"at position {index} of *{varargs}: only {len(values)} were passed",
                             "Pass as many arguments as wrt counts")
        node = structured.structure(values)
        what = structured.refusal(node.children[index], values[index]) \
            if node.children[index].shape != "leaf" else arguments.refusal(values[index])
        if what is not None:
            raise self.error(f"cannot differentiate {self.fn.__name__} with respect to {name}, "
                             f"which holds {what}", "Leave it out of wrt")
        return {varargs: node}

    def check_container(self, name, node, value):
        what = structured.refusal(node, value)
        if what is not None:
            raise self.error(f"cannot differentiate {self.fn.__name__} with respect to {name}, "
                             f"a {type(value).__name__} with {what}",
                             "Leave it out of wrt, or pass floats or float arrays in it")

    def check_wrt(self, name, value):
        what = arguments.refusal(value)
        if what is not None:
            raise self.error(f"cannot differentiate {self.fn.__name__} with respect to {name}, "
                             f"which holds {what}", arguments.hint(value))

    def compiled(self, kinds, mode="reverse", variant="vjp", fn=None, final=True, shapes=None, wrt=None):
        """The derivative for arguments of these kinds; `final`: one that runs as it is (not
        one srcad transforms again), so the array passes apply (see optimize/arrays.py);
        `shapes`: array parameter -> (shape, dtype), for one specialised on those too; `wrt`:
        the parameters of `fn` to differentiate, where they are not `self.wrt` (the leaves of
        containers, in code srcad generated for them)."""
        fn = fn or self.fn
        if wrt is None:
            wrt = self.wrt[0] if self.single else self.wrt
        checkpoints = self.checkpoints if mode == "reverse" and fn is self.fn else None
        key = (Identity(fn.__code__), Identity(fn.__globals__), wrt, mode, variant,
               tuple(sorted(kinds.items())), final) + ((tuple(sorted(shapes.items())),) if shapes else ()) \
            + ((("checkpoints", checkpoints),) if checkpoints is not None else ())
        compiled = CACHE.get(key, lambda: pipeline.derive(fn, wrt, kinds, mode, variant, final, shapes=shapes,
                                                          checkpoints=checkpoints),
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
        self._close_fast()
        self.impls.clear()

    def kept(self, key, make):
        """The specialisation kept under `key`, made by `make()` the first time (jvp and the
        forward Jacobian key theirs on the argument types; `refresh` first)."""
        found = self.impls.get(key)
        if found is None:
            found = self.impls[key] = make()
        return found

    def refresh(self):
        """Forget every specialisation if one of the bindings they were made from changed."""
        if self.changed is None:
            self.changed = self.bindings.changed_test()
        if self.changed():
            self.forget()
            self.bindings, self.depended = self._own_bindings(), {}
            self._write_dispatcher()

    def function_for(self, args, kwargs, kinds=None):
        """The function to transform for these arguments (or argument kinds): `fn`, or for a
        derivative srcad made, the generated function it runs for arguments of these types."""
        if self.inner is None:
            return self.fn
        if self.inner.inner is not None:
            raise self.error(f"cannot differentiate {self.fn.__name__}, made by srcad, again: "
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

    def forward_impl(self, args, kwargs, kinds=None):
        """The forward-mode derivative (jvp) for arguments like these (of these `kinds`, where
        known), and its compiled form."""
        fn = self.function_for(args, kwargs)
        compiled = self.compiled(kinds if kinds is not None else self.kinds(args, kwargs), "forward", "jvp", fn)
        return compiled.bind(fn), compiled

    def entry(self, args, kwargs, make):
        """The specialised callable for arguments like these, made once per argument types by
        `make(kinds)` and kept under the types of the arguments as passed (all are made
        afresh when what they were compiled from changed)."""
        self.refresh()
        key = tuple(map(type, args)) + tuple((k, type(v)) for k, v in sorted(kwargs.items()))
        impl = self.impls.get(key)
        if impl is None:
            kinds = self.kinds(args, kwargs)
            if structured.has_containers(kinds) and self.inner is None:  # their type does not tell
                # their structure (a derivative of one srcad made: forward mode over its code, by `make`)
                impl = self.impls[key] = structured.Call(self, make)
            else:
                impl = self.impls[key] = make(kinds, args, kwargs)
            self._claim_fast(key, impl)
        return impl

    def _claim_fast(self, key, impl):
        """Give the generated stand-in's fast path the specialisation for `key` (argument
        types), if it is the first key it made one for: a stand-in is mostly called with
        arguments of the same types, and testing them one by one against constants costs less
        than building the tuple of types and looking it up. The specialisation goes in before
        the types that let calls reach it, so another thread never finds the types without it."""
        if self.dispatch_name is None or len(key) != len(self.params):
            return
        if self.fast_key is None:
            self.fast_key = key
        if key == self.fast_key:
            self.guard_names[self.prefix + "fast"] = impl
            self._write_dispatcher()  # which runs its statements itself where it can
            self.guard_names.update({f"{self.prefix}t{i}": t for i, t in enumerate(key)})

    def _close_fast(self):
        """No call takes the fast path until a specialisation claims it again."""
        if self.dispatch_name is not None:
            self.guard_names.update({f"{self.prefix}t{i}": stand_in.Unmatched for i in range(len(self.params))})
            self.guard_names[self.prefix + "fast"] = None

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
            generic.__srcad__ = Made(self, variant)
            return generic
        names = [p.name for p in self.params]
        self.prefix = "_srcad_"
        while any(n.startswith(self.prefix) for n in names):
            self.prefix += "_"
        self.guard_names, self.make = {self.prefix + "fast": None}, make
        self.dispatch_name = self.prefix + "dispatch"
        self._close_fast()
        exec(stand_in.code(self), self.guard_names)
        made = self.guard_names[self.dispatch_name]
        made.__defaults__ = tuple(p.default for p in self.params if p.default is not p.empty) or None
        made = functools.wraps(self.fn)(made)
        made.__srcad__ = Made(self, variant)
        self.stand_in = made
        return made

    def _write_dispatcher(self):
        """Give the stand-in the guard of the current bindings (the user holds the stand-in,
        so its code is replaced, not the function)."""
        self.changed = None  # refresh's test too, compiled again when next needed
        if self.stand_in is not None:
            namespace = {}
            exec(stand_in.code(self), namespace)
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


def transformation(make):
    """Let `make(fn, wrt)` be used as `@t`, `@t(wrt=...)` and `t(fn, wrt=...)`."""
    @functools.wraps(make)
    def transformation(fn=None, wrt=0, **options):
        if fn is None:
            return lambda f: transformation(f, wrt, **options)
        if isinstance(fn, (int, str, tuple)) and not callable(fn):
            return lambda f: transformation(f, fn, **options)
        if options.get("backend") is None and "backend" in make.__code__.co_varnames and _jitted(fn):
            options["backend"] = "numba"  # a numba.njit function: its derivative is njit-compiled too
        return callables.through(fn, wrt, functools.partial(make, **options) if options else make)
    return transformation


def _jitted(fn):
    """Whether `fn` is a numba.njit function (told without importing numba)."""
    return type(fn).__module__.startswith("numba") and getattr(fn, "py_func", None) is not None


def bound_and_checked(target, compiled, transform):
    """The compiled derivative, bound to `fn`; where its code checks its output and gradients
    (`_rt.scalar_seed`: a real scalar; `_rt.gradient`: no complex number), a refusal becomes
    the SrcadError citing `fn`'s return line."""
    impl = compiled.bind(target.fn)
    if not any(check in compiled.text for check in _CHECKS):
        impl.__srcad_inlinable__ = stand_in.Inlinable(compiled, impl, None)
        return impl

    def checked(*args, **kwargs):
        try:
            return impl(*args, **kwargs)
        except (runtime.NotScalar, runtime.NotReal) as refusal:
            raise target.refused(refusal, compiled, transform) from None
    checked.__srcad_inlinable__ = stand_in.Inlinable(compiled, impl, transform)
    return checked


_CHECKS = ("_rt.scalar_seed(", "_rt.gradient(", "_rt.zeros_like(", "_rt.tangent_out(", "_rt.power_slope(")
