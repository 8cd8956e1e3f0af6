"""What a derivative hands back: the seed of a gradient (a real scalar output, else NotScalar),
gradients of their argument's shape and dtype, and jvp's output tangent."""
import numpy as np

from .core import is_foreign, real_float, refuse_complex, zeros_of


class NotScalar(Exception):
    """Raised by `scalar_seed`; the API turns it into a SrcadError citing the return line."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value


def scalar_seed(y):
    """The seed 1.0 of a gradient, for a real scalar output `y`; anything else is refused."""
    if type(y) is float:
        return 1.0
    if isinstance(y, (tuple, list)) or np.ndim(y) != 0 or not _is_number(y):
        raise NotScalar(y)
    return 1.0


def _is_number(y):
    """Whether `y` is a real number: an int, a float, a numpy number or 0-d array (no bool);
    a complex one is refused here (NotReal), for a message of its own."""
    if isinstance(y, (np.ndarray, np.generic)) or is_foreign(y):
        kind = y.dtype.kind
    elif type(y) is complex:
        kind = "c"
    else:
        return isinstance(y, (int, float)) and not isinstance(y, bool)
    if kind == "c":
        refuse_complex(f"the output is complex ({y!r})")
    return kind in "iuf"


def gradient(g, x):
    """`g` as the gradient srcad promises for argument `x`: a float for a Python number, a numpy
    scalar for a numpy scalar (`np.float64(0.5)` gets an `np.float64`, as in autograd), else a
    fresh writable ndarray of `x`'s shape; float64 unless `x` has another float dtype. A complex
    `x` or `g` is refused (NotReal): its real part alone would be a wrong gradient. A list or
    tuple `x` (a helper's parameter) gets a list, element by element: its elements may have
    different shapes, so no one array holds them."""
    if type(x) is float or type(x) is int or type(x) is bool:
        return g if type(g) is float else real_float(g)
    if type(x) is np.ndarray and type(g) is np.ndarray and x.dtype.kind == "f" and g.dtype == x.dtype \
            and g.shape == x.shape and g.flags.writeable and g.base is None:
        return g  # the common case, told at once: a fresh array of x's shape and dtype
    if isinstance(x, (list, tuple)):
        return [gradient(g if type(g) is float else g[i], item) for i, item in enumerate(x)]
    kind = x.dtype.kind if isinstance(x, (np.ndarray, np.generic)) or is_foreign(x) else ""
    if kind == "c":
        refuse_complex(f"an argument is a complex array (dtype {x.dtype})")
    dtype = x.dtype if kind == "f" else np.float64
    if type(g) is np.ndarray and g.dtype == dtype and g.shape == np.shape(x) \
            and g.flags.writeable and g.base is None:
        return g
    if np.iscomplexobj(g):
        refuse_complex("a complex value reached the gradient")
    if is_foreign(g):  # a dask gradient stays lazy (the caller computes it), a numpy scalar's too
        return np.broadcast_to(g, np.shape(x)).astype(dtype)
    if isinstance(x, np.generic):
        return np.dtype(dtype).type(g)
    return np.array(np.broadcast_to(g, np.shape(x)), dtype=dtype)


def zeros_like(x):
    """A zero gradient for an argument the output does not depend on (for a list, a list of
    zeros; for None, a list the run never built, 0.0)."""
    if type(x) is float or type(x) is int or type(x) is bool or x is None:
        return 0.0
    if isinstance(x, (list, tuple)):
        return [0.0] * len(x)
    return gradient(zeros_of(x, np.shape(x)), x)


def tangent_out(d, y):
    """The output's tangent as jvp returns it: a float for a float output, else an array of the
    output's shape (tuples and lists element by element). Complex values are refused."""
    if type(d) is np.ndarray and type(y) is np.ndarray and d.shape == y.shape \
            and d.dtype.kind == "f" and y.dtype.kind == "f":  # the common case, told at once
        return d
    if type(y) is float or type(y) is int or isinstance(y, np.generic):
        if np.iscomplexobj(y):
            refuse_complex(f"the output is complex ({y!r})")
        return real_float(d if np.ndim(d) == 0 else np.sum(d))
    if isinstance(y, (tuple, list)):
        parts = [tangent_out(0.0 if type(d) is float else d[i], v) for i, v in enumerate(y)]
        return tuple(parts) if isinstance(y, tuple) else parts
    if np.iscomplexobj(y) or np.iscomplexobj(d):
        refuse_complex("the output or its tangent is complex")
    if np.shape(d) == np.shape(y) and (isinstance(d, np.ndarray) or is_foreign(d)):
        return d
    if is_foreign(d):  # a dask tangent stays lazy
        return np.broadcast_to(d, np.shape(y))
    if is_foreign(y):  # a constant tangent of a dask output: lazy too
        return zeros_of(y, np.shape(y), np.result_type(d, float)) + d
    return np.array(np.broadcast_to(d, np.shape(y)), dtype=np.result_type(d, float))
