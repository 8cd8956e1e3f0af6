"""What `grad`, `value_and_grad` and `jvp` return for backend="numba" (the default for a
`numba.njit` function): a numba dispatcher, so that njit code calls the derivative as it calls
any njit function (a gradient descent written in numba), and Python calls it as well.

It is an njit function with the parameters of the differentiated function (for jvp, then one
tangent per `wrt` argument) that calls a stand-in; the stand-in's numba `overload` is where
srcad works, once for each set of argument types numba compiles the dispatcher for: it reads
srcad's kinds from numba's types (a float, an int, an array of a dtype and a number of
dimensions), derives the derivative for them, and has numba compile it (numba_backend.py),
with its tape as arrays where numba typed it as numbers (numba_tapes.py). What srcad refuses,
or numba cannot compile, raises SrcadError at the user's line out of that compilation: when
Python first calls the dispatcher with those types, or when njit code calling it is compiled.
Called from Python, numba's own error for arguments it cannot type (a dict, an object) becomes
a SrcadError too.

numba's types carry no shapes, so the derivative is the general one of its kinds, not one
specialised on shapes as grad's Python derivative is (shaped.py): under numba that gained
nothing measurable (296 µs against 313 µs for the array loop of benchmarks/numba_bench.py).
As numba does with the functions it compiles, the dispatcher keeps what it was compiled with:
re-defining a helper of f needs a fresh `srcad.grad(f)`.
"""
import re

import numpy as np

from . import errors
from .analyze import ARRAY
from .dispatch import Made
from .numba_backend import Compiler, available, compile_failure, with_array_tape
from .structured import has_containers

_FILENAME = "<srcad numba {}>"


def stand_in(target, variant):
    """The numba dispatcher `grad`, `value_and_grad` or `jvp` (`variant`) returns."""
    if not available():
        raise target.error("backend='numba' needs numba, which is not installed",
                           "Install it (pip install srcad[numba]) or use backend='python'")
    if target.inner is not None:
        raise target.error(f"backend='numba' does not differentiate {target.fn.__name__}, a "
                           "derivative srcad made, again",
                           "Pass backend='python' to the outer transformation")
    if any(p.kind != p.POSITIONAL_OR_KEYWORD for p in target.params):
        raise target.error(f"backend='numba' takes a function of plain parameters, not "
                           f"{target.fn.__name__}", "Use backend='python' for it")
    params = [p.name for p in target.params]
    tangents = _tangent_names(target.wrt, params) if variant == "jvp" else []
    chooser = _Chooser(target, variant, len(params))
    name = f"{target.fn.__name__}_{variant}"
    wrapper = _defined(chooser, name, params + tangents)
    if variant != "jvp":  # jvp's tangents follow every argument: no defaults there
        wrapper.__defaults__ = target.fn.__defaults__
    wrapper.__doc__ = target.fn.__doc__
    # what srcad knows of a derivative it made: grad(..., backend="python") of it is forward
    # mode over the generated code, as for grad's Python derivative (dispatch.Made)
    wrapper.__srcad__ = Made(target, None if variant == "jvp" else variant)
    dispatcher = _dispatcher_class()(py_func=wrapper, locals={}, targetoptions={"nopython": True})
    dispatcher.srcad_target = target
    dispatcher.backend = "numba"
    return dispatcher


def _tangent_names(wrt, params):
    """A parameter name for the tangent of each `wrt` argument, none of them a parameter's."""
    names = []
    for name_ in wrt:
        tangent = f"{name_}_tangent"
        while tangent in params or tangent in names:
            tangent += "_"
        names.append(tangent)
    return names


def _defined(chooser, name, params):
    """The njit dispatcher's Python function `name(params)`, calling a stand-in whose numba
    overload is `chooser`'s (numba calls the overload with the types of the arguments)."""
    from numba.extending import overload
    listed = ", ".join(params)
    text = (f"def _srcad_stand_in({listed}):\n"
            f"    raise NotImplementedError('only njit code calls it: numba compiles its overload')\n\n"
            f"def _srcad_typing({listed}):\n"
            f"    return _srcad_choose(({listed},))\n\n"
            f"def {name}({listed}):\n"
            f"    return _srcad_stand_in({listed})\n")
    namespace = {"_srcad_choose": chooser.implementation}
    exec(compile(text, _FILENAME.format(name), "exec"), namespace)
    overload(namespace["_srcad_stand_in"])(namespace["_srcad_typing"])
    chooser.params_text = listed
    return namespace[name]


class _Chooser:
    """The derivative for the numba types of a call, compiled with numba once for them."""

    def __init__(self, target, variant, primal_count):
        self.target = target
        self.variant = variant
        self.primal_count = primal_count
        self.compiler = Compiler(target.fn)
        self.params_text = None

    def implementation(self, argument_types):
        """The overload's implementation for these numba types: a function calling the
        derivative numba compiled for them."""
        signature = tuple(_plain(t) for t in argument_types)
        derivative = self.compiled_for(signature)
        namespace = {"_srcad_derivative": derivative}
        text = f"def implementation({self.params_text}):\n    return _srcad_derivative({self.params_text})\n"
        exec(compile(text, _FILENAME.format(self.target.fn.__name__), "exec"), namespace)
        return namespace["implementation"]

    def compiled_for(self, signature):
        import numba
        target = self.target
        target.refresh()
        samples = tuple(_sample(t) for t in signature[:self.primal_count])
        kinds = target.kinds(samples, {})
        if has_containers(kinds):
            raise target.error("backend='numba' takes numbers and arrays as differentiated arguments, "
                               "not containers", "Use backend='python' for containers")
        compiled = target.compiled(kinds, "forward", "jvp") if self.variant == "jvp" \
            else target.compiled(kinds, variant=self.variant)
        arrays = [p for p, k in kinds.items() if k == ARRAY]
        try:
            first = self.compiler.derivative(compiled, target.fn.__globals__, arrays, target.fn)[0]
            chosen = with_array_tape(self.compiler, compiled, target.fn, arrays, first, signature)
            chosen.compile(signature)
        except numba.core.errors.NumbaError as error:
            raise compile_failure(error, target.fn) from None
        except ImportError as error:  # numba's `@` and np.dot need scipy's BLAS (srcad[numba] has it)
            if "scipy" not in str(error):
                raise
            raise compile_failure(error, target.fn) from None
        return chosen


def _plain(t):
    """The numba type of an argument as the derivative takes it (not a literal, not omitted)."""
    import numba
    if isinstance(t, numba.core.types.Omitted):
        return numba.typeof(t.value)
    return numba.core.types.unliteral(t)


def _sample(t):
    """A Python value of the kind srcad gives the numba type `t` (analyze.kind_of_type)."""
    from numba.core import types
    from numba.np.numpy_support import as_dtype
    if isinstance(t, types.Boolean):
        return True
    if isinstance(t, types.Integer):
        return 1
    if isinstance(t, types.Float):
        return 1.0
    if isinstance(t, types.Complex):
        return 1j  # refused by the argument checks where it is differentiated
    if isinstance(t, types.Array):
        return np.ones((1,) * t.ndim, as_dtype(t.dtype))
    if isinstance(t, types.BaseTuple):
        return tuple(_sample(item) for item in t.types)
    return NotImplemented  # any other object: kind OTHER


_CLASS = []


def _dispatcher_class():
    """numba's dispatcher class of njit functions, called from Python through a check that
    turns numba's error for arguments it cannot type into a SrcadError (made once: numba is
    imported only where it is used)."""
    if _CLASS:
        return _CLASS[0]
    import numba
    from numba.core.registry import CPUDispatcher

    class Derivative(CPUDispatcher):
        def __call__(self, *args, **kwargs):
            try:
                return super().__call__(*args, **kwargs)
            except numba.core.errors.TypingError as error:
                raise _untyped(self.srcad_target, self.__name__, error) from None
    _CLASS.append(Derivative)
    return Derivative


def _untyped(target, name, error):
    """The SrcadError for numba's failure to type the arguments of the dispatcher `name`."""
    found = re.search(r"argument (\d+): (.+)", str(error))
    if found is None:
        return compile_failure(error, target.fn)
    params = [p.name for p in target.params]
    position = int(found.group(1))
    which = params[position] if position < len(params) else f"argument {position}"
    return target.error(f"numba cannot take the argument {which} of {name}: {found.group(2).rstrip('.')}",
                        "Pass numbers and arrays, or use backend='python' for containers and objects")
