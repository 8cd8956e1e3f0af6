"""The public transformations: check arguments, ask the cache, call the compiled derivative.

A transformation makes a `Target` (dispatch.py) of the function and returns its stand-in;
Jacobians are assembled in jacobians.py, and the rules of a gradient srcad made (for code that
calls it) in made.py.
"""
import functools

import numpy as np

from . import callables, errors, jacobians, load, made, numba_derivative, runtime, shaped, structured
from .analyze import FLOAT, INT, OTHER, kind_of_type
from .dispatch import Made, Target, bound_and_checked, transformation
from .rules.callees import API


@transformation
def grad(fn, wrt=0, checkpoints=None, backend=None):
    """The gradient of `fn`'s scalar output with respect to the argument(s) in `wrt`.

    `checkpoints`: None stores on every loop turn what the reverse sweep reads; K (an int) or
    "sqrt" (K = ceil(sqrt(n)) for n turns) reverses each outermost `for ... in range(...)` of
    `fn` (at its top or in its branches) by binomial checkpointing, keeping at most K states of the loop and
    running the turns between again (docs/memory.md). Also for value_and_grad and vjp.

    `backend`: "python" (the default) or "numba": the derivative compiled with numba.njit (the
    default for a numba.njit function; numba_derivative.py). Also for value_and_grad and jvp.

    >>> import math, srcad
    >>> def f(x):
    ...     return x * math.sin(x)
    >>> round(srcad.grad(f)(1.0), 6)
    1.381773
    """
    target = Target(fn, wrt, "grad", checkpoints)
    if _numba(backend, target):
        return numba_derivative.stand_in(target, "grad")

    def make(kinds, args, kwargs):
        if target.inner is not None:  # a gradient of a gradient: forward over reverse
            return jacobians.gradient_by_forward_mode(target, "grad", args, kwargs, values=False)
        return shaped.by_shapes(target, kinds, args, "grad",
                                functools.partial(bound_and_checked, target, transform="grad"))
    return target.dispatcher(make, "grad")


@transformation
def value_and_grad(fn, wrt=0, checkpoints=None, backend=None):
    """`fn`'s value and its gradient with respect to `wrt`, from one call (`checkpoints` and
    `backend` as for `grad`)."""
    target = Target(fn, wrt, "value_and_grad", checkpoints)
    if _numba(backend, target):
        return numba_derivative.stand_in(target, "value_and_grad")

    def make(kinds, args, kwargs):
        if target.inner is not None:
            return jacobians.gradient_by_forward_mode(target, "value_and_grad", args, kwargs, values=True)
        return shaped.by_shapes(target, kinds, args, "value_and_grad",
                                functools.partial(bound_and_checked, target, transform="value_and_grad"))
    return target.dispatcher(make, "value_and_grad")


@transformation
def vjp(fn, wrt=0, checkpoints=None):
    """`h(*args) -> (value, pullback)`; `pullback(cotangent)` gives the gradient(s) of
    `<cotangent, fn(*args)>`. The cotangent has the structure of the value.

    The forward part runs once, in `h`; each pullback runs the reverse part on what it saved."""
    target = Target(fn, wrt, "vjp", checkpoints)
    if target.inner is not None:
        raise target.error("vjp of a derivative srcad made is not supported",
                           "Use srcad.jvp or srcad.jacobian(..., mode='forward') on it")

    def make(kinds, args, kwargs):
        compiled = target.compiled(kinds, variant="split")
        forward_part, reverse_part = compiled.bind_pair(fn)
        layout = compiled.layout if compiled.layout is not None and compiled.layout.output is not None else None

        def value_and_pullback(*args, **kwargs):
            tape = []
            value = forward_part(tape, *args, **kwargs)
            if layout is not None:
                value = structured.output(layout, value)

            def pullback(cotangent):
                if layout is not None or type(cotangent) is not np.ndarray or cotangent.ndim == 0 \
                        or cotangent.dtype.kind != "f":  # else a float array, as it is
                    cotangent = structured.cotangent_leaves(layout, cotangent)
                    if _complex(cotangent):
                        raise target.refused(runtime.NotReal("the cotangent is complex"), compiled)
                    cotangent = _plain_cotangent(cotangent)
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


def _plain_cotangent(cotangent):
    """The cotangent with its numbers as Python floats (an int, `np.float64(1.0)`, a 0-d array),
    leaf by leaf: the derivative takes the caller's cotangent for the Python float its seed is
    in `grad`, so the gradient of a float argument is a float in both (numpy arrays keep their
    dtype against a Python float)."""
    if type(cotangent) is tuple:
        return tuple(_plain_cotangent(c) for c in cotangent)
    if type(cotangent) is int or (isinstance(cotangent, np.generic) or type(cotangent) is np.ndarray) \
            and cotangent.ndim == 0 and cotangent.dtype.kind in "iuf":
        return float(cotangent)
    return cotangent


@transformation
def jvp(fn, wrt=0, backend=None):
    """`h(*args, *tangents) -> (value, tangent_out)`: forward mode, one tangent appended per
    `wrt` argument, in order (`backend` as for `grad`)."""
    target = Target(fn, wrt, "jvp")
    if _numba(backend, target):
        return numba_derivative.stand_in(target, "jvp")
    positions = [i for i, p in enumerate(target.params) if p.name in target.wrt]

    @functools.wraps(fn)
    def value_and_tangent(*args):
        n = len(target.wrt)
        primals, tangents = args[:-n], args[n and -n:]
        if len(tangents) != n:
            raise errors.SrcadError(f"jvp of {fn.__name__} takes one tangent per wrt argument "
                                    f"({n}) after the arguments")
        target.refresh()
        key = ("jvp",) + tuple(map(type, primals)) + tuple(map(structured.structure, primals))
        found = target.kept(key, lambda: structured.forward(target, primals, {})
                            if structured.on_leaves(target, primals, {}) else target.forward_impl(primals, {}))
        if not isinstance(found, tuple):  # containers: called on their leaves
            return _structured_jvp(found, primals, tangents)
        impl, compiled = found
        if any(map(_complex, tangents)) or any(_complex(primals[i]) for i in positions if i < len(primals)):
            raise target.refused(runtime.NotReal("an argument or tangent is complex"), compiled)
        try:
            value, tangent = impl(*primals, **dict(zip(compiled.tangent_params, tangents)))
        except runtime.NotReal as refusal:
            raise target.refused(refusal, compiled) from None
        except Exception as error:  # shown at the user's line too
            load.raise_at_user_line(error)
            raise
        # a dict output is returned as its leaves: both are put back into its structure
        return structured.output(compiled.layout, value), structured.output(compiled.layout, tangent)
    value_and_tangent.__srcad__ = Made(target, None)  # not to be differentiated again
    return value_and_tangent


def _complex(value):
    """Whether `value` is a complex number or an array of them (numpy's, or another library's)."""
    kind = type(value)
    if kind is float or kind is np.ndarray and value.dtype.kind == "f":  # the common cases first
        return False
    return kind is complex or getattr(getattr(value, "dtype", None), "kind", None) == "c"


def _numba(backend, target):
    """Whether `backend` asks for numba ("python" and None do not; anything else is refused)."""
    if backend not in (None, "python", "numba"):
        raise target.error(f"backend={backend!r}: the backend is 'python' or 'numba'",
                           "Pass backend='python' or backend='numba'")
    return backend == "numba"


def _structured_jvp(run, primals, tangents):
    try:
        return run(primals, {}, tangents)
    except Exception as error:  # shown at the user's line too
        load.raise_at_user_line(error)
        raise


def jacobian(fn=None, wrt=0, mode="reverse"):
    """`J(*args)`: the Jacobian of `fn` at `args`, an array of shape `out.shape + arg.shape`
    (a float for a scalar output and argument), a tuple of them for a tuple `wrt`. `mode` is
    "reverse" (one pullback per output element) or "forward" (one jvp per input element)."""
    if fn is None or isinstance(fn, (int, str, tuple)) and not callable(fn):
        chosen = wrt if fn is None else fn
        return lambda f: jacobian(f, chosen, mode)
    if mode not in ("reverse", "forward"):
        raise errors.SrcadError(f"jacobian(mode={mode!r}): mode is 'reverse' or 'forward'")
    return callables.through(fn, wrt, lambda fn, wrt: _jacobian(fn, wrt, mode))


def _jacobian(fn, wrt, mode):
    target = Target(fn, wrt, "jacobian")
    pullbacks = vjp(fn, wrt) if mode == "reverse" and target.inner is None else None

    @functools.wraps(fn)
    def jacobian_of(*args, **kwargs):
        if pullbacks is None:
            target.refresh()
            _, columns = jacobians.forward_jacobian(target, args, kwargs)
        else:
            columns = jacobians.reverse_jacobian(pullbacks, target, args, kwargs)
        return columns[0] if target.single else tuple(columns)
    jacobian_of.__srcad__ = Made(target, None)  # not wrapped's (functools.wraps copied a gradient's)
    return jacobian_of


def hessian(fn=None, wrt=0):
    """`H(*args)`: the Hessian of `fn`'s scalar output, shape `arg.shape + arg.shape` (a float
    for a scalar argument): forward mode over the generated reverse-mode gradient."""
    if fn is None or isinstance(fn, (int, str)) and not callable(fn):
        chosen = wrt if fn is None else fn
        return lambda f: hessian(f, chosen)
    return callables.through(fn, wrt, _hessian)


def _hessian(fn, wrt):
    if isinstance(wrt, tuple):
        raise Target(fn, wrt, "hessian").error("hessian takes one wrt argument",
                                               "Differentiate with respect to one argument")
    hessian_of = jacobian(grad(fn, wrt), wrt, mode="forward")
    carried = hessian_of.__srcad__
    hessian_of = functools.wraps(fn)(hessian_of)
    hessian_of.__srcad__ = carried  # a Jacobian's: srcad does not differentiate it again
    return hessian_of


# what the stages below need to know of the derivatives made here (see rules/callees.py)
API.transformations = (grad, value_and_grad, jvp, jacobian, hessian)
API.give_rules = functools.partial(made.register_made, grad=grad, jvp=jvp)


def source(fn, wrt=0, mode="reverse", *, args=None, of="vjp", checkpoints=None):
    """The Python source of `fn`'s generated derivative, exactly as it is compiled.

    It is the derivative specialised for `args` if given (for "grad" and "value_and_grad", on
    the shapes and dtypes of numpy array arguments too), else for arguments of the kinds the
    parameters' annotations or defaults name (a Python float where nothing is said). In
    reverse mode, `of` chooses which of the three compiled variants: "vjp" (value and gradient
    for a given output cotangent `by`, default 1.0), "value_and_grad" (what value_and_grad
    runs) or "grad" (what grad runs: no value, the seed folded away); `checkpoints` as for grad."""
    if mode not in ("reverse", "forward"):
        raise errors.SrcadError(f"source(mode={mode!r}): mode is 'reverse' or 'forward'")
    if of not in ("vjp", "value_and_grad", "grad"):
        raise errors.SrcadError(f"source(of={of!r}): of is 'vjp', 'value_and_grad' or 'grad'")
    resolved = callables.resolve(fn)
    wrt = callables.wrt_names(fn, resolved, wrt)
    fn, bound = resolved.fn, callables.bound_values(resolved)
    target = Target(fn, wrt, "source", checkpoints)
    if args is not None:
        kinds = target.kinds(resolved.args + tuple(args), resolved.keywords)
    else:
        kinds = {p.name: declared_kind(p, fn) for p in target.params}
        if target.params and target.params[0].name in ("self", "cls") and "." in fn.__qualname__:
            kinds[target.params[0].name] = OTHER  # a method's own object: no number
        kinds.update({name_: kind_of_type(type(value)) for name_, value in bound.items()})
    if target.inner is not None:  # a derivative srcad made: what forward mode runs through it
        generated = target.function_for(args, {}, kinds if args is None else None)
        return SourceText(target.compiled(kinds, "forward", "jvp", generated).text)
    if mode == "forward":
        return SourceText(target.compiled(kinds, "forward", "jvp").text)
    shapes = shaped.shapes_of(target, kinds, resolved.args + tuple(args)) \
        if args is not None and of != "vjp" else None  # what grad runs for these arguments
    return SourceText(target.compiled(kinds, variant=of, shapes=shapes).text)


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


def declared_kind(param, fn):
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
