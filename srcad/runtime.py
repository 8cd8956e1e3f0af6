"""The only helpers generated code calls (imported there as `_rt`), and the rules' longer math.

Each is small and branch-light: plain floats take the first, cheapest path.
"""
import math

import numpy as np

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def log(x):
    """`math.log` for a float, `np.log` otherwise (the exponent's rule of `x ** y`)."""
    if type(x) is float or type(x) is int:
        return math.log(x)
    return np.log(x)


def power_slope(x, y):
    """d(x ** y)/dx = y x^(y-1) where Python would raise, as JAX computes it: at x = 0 a
    power below 1 gives inf (0 ** -0.5), a whole exponent 0 gives 0 (a float 0.0 gives nan:
    0 * inf); a negative x with a fractional y (a complex power) is refused."""
    if type(x) is float or type(x) is int:
        if x > 0:
            return y * x ** (y - 1)
        if x == 0:
            return _power_slope_at_zero(x, y)
        if (type(y) is float or type(y) is int) and not float(y).is_integer():
            _complex(f"{x!r} ** {y!r} is complex")
    return y * x ** (y - 1)  # numpy: inf, nan and warnings as JAX's (IEEE) arithmetic gives


def _power_slope_at_zero(x, y):
    if type(y) is int and y == 0:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = y * np.power(np.float64(x), np.subtract(y, 1, dtype=np.float64))
    return float(slope) if np.ndim(slope) == 0 else slope


def power_log(x):
    """log(x) as the exponent's derivative of `x ** y` (ans * log x) takes it, as JAX does:
    log 1 = 0 stands in at x = 0 (ans * log x -> 0 there for y > 0: d(0 ** y)/dy = 0), nan
    for a negative x (x ** y is not real for y near a whole number)."""
    if type(x) is float or type(x) is int:
        return math.log(x) if x > 0 else (0.0 if x == 0 else math.nan)
    return np.log(np.where(x == 0, 1, x))


def inverse_or_zero(x):
    """1 / x, 0 where x is 0 (the derivative of power_log, constant at 0)."""
    if type(x) is float or type(x) is int:
        return 1.0 / x if x != 0 else 0.0
    x = np.asarray(x)
    return np.divide(1.0, x, out=np.zeros(x.shape, np.result_type(x, 1.0)), where=x != 0)


def over(a, b):
    """a / b with IEEE's answer where b is a Python zero (inf of a's sign, nan for 0 / 0), as
    numpy and JAX give it, where Python floats raise ZeroDivisionError: d sqrt(x) at 0 is inf."""
    if (type(b) is float or type(b) is int) and b == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.true_divide(a, np.float64(b))
        return float(out) if type(a) is float or type(a) is int else out
    return a / b


def abs_slope(x):
    """d|x|/dx as JAX takes it: 1 where x >= 0 (at 0 too), -1 elsewhere (also at nan)."""
    if type(x) is float or type(x) is int:
        return 1.0 if x >= 0 else -1.0
    x = np.asarray(x)
    one = (x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)).type(1)
    return np.where(x >= 0, one, -one)


def expit(z):
    """1 / (1 + exp(-z)) without overflow (only exp(-|z|) is computed): the derivative of
    `np.logaddexp(x1, x2)` in x1 is `expit(x1 - x2)`, and it needs no value of logaddexp."""
    if np.ndim(z) == 0:
        e = np.exp(-abs(z))
        return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)
    z = np.asarray(z)
    e = np.abs(z if z.dtype.kind in "fc" else z.astype(float))
    np.negative(e, out=e)
    np.exp(e, out=e)
    out = np.where(z >= 0, 1.0, e)
    e += 1.0
    out /= e
    return out


def expit_tangent(dz, z):
    """The tangent of expit(z): expit(z) expit(-z) dz."""
    return dz * expit(z) * expit(-z)


def sign(x):
    """-1, 0 or 1 like x: a float for a float, an array for an array."""
    if type(x) is float or type(x) is int:
        return (x > 0) - (x < 0) + 0.0
    return np.sign(x)


def unbroadcast(g, x):
    """The cotangent `g` summed back to the shape of operand `x` it was broadcast from."""
    if type(x) is float or type(x) is int:
        return g if type(g) is float else real_float(np.sum(g))
    if type(x) is np.ndarray and type(g) is np.ndarray and x.shape == g.shape:
        return g  # the common case, first
    if isinstance(x, (list, tuple)):
        raise TypeError("srcad cannot differentiate + or * on lists or tuples of differentiated "
                        "values (concatenation, repetition); use numpy arrays")
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    g = np.asarray(g)
    if g.ndim == 0 and shape:  # the reverse sweep's 0.0 (an adjoint still all zero)
        return np.full(shape, g[()])
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if not shape:
        return g.reshape(())[()] if isinstance(x, np.generic) else g.reshape(())
    return g if g.shape == shape else g.reshape(shape)


def unreduce(g, a, axis, keepdims):
    """The cotangent of a reduction (`sum`) over `axis`, spread back over `a`'s shape."""
    if type(a) is float or type(a) is int:
        return real_float(g)
    shape = np.shape(a)
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        axes = sorted(ax % len(shape) for ax in axes)
        for ax in axes:
            g = np.expand_dims(g, ax)
    return np.broadcast_to(g, shape)


def reduced_size(a, axis):
    """How many elements each result of a reduction over `axis` of `a` summarises."""
    shape = np.shape(a)
    if axis is None:
        return max(math.prod(shape), 1)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return math.prod(shape[ax] for ax in axes)


def matmul_left(g, a, b):
    """Cotangent of `a` in `a @ b` (numpy's matmul rules: vectors promoted, batches broadcast;
    also `np.dot` of up to 2-d operands)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2:
        if b.ndim == 1:
            return g[:, None] * b      # matrix @ vector: the outer product
        if b.ndim == 2:
            return g @ b.T             # matrix @ matrix
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    full = _matmul_cotangent(g, a, b)
    left = full @ np.swapaxes(_as_matrix(b, column=True), -1, -2)
    if np.ndim(a) == 1:
        left = left[..., 0, :]
    return unbroadcast(left, a)


def matmul_right(g, a, b):
    """Cotangent of `b` in `a @ b` (see matmul_left)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim in (1, 2):
        return a.T @ g                 # matrix @ vector or matrix
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    full = _matmul_cotangent(g, a, b)
    right = np.swapaxes(_as_matrix(a, column=False), -1, -2) @ full
    if np.ndim(b) == 1:
        right = right[..., 0]
    return unbroadcast(right, b)


def _as_matrix(x, column):
    """A 1-d operand of matmul as the matrix numpy makes of it: a row on the left, a column
    on the right."""
    if np.ndim(x) != 1:
        return x
    return x[:, None] if column else x[None, :]


def _matmul_cotangent(g, a, b):
    """The output cotangent with the axes numpy dropped for 1-d operands put back."""
    g = np.asarray(g)
    if np.ndim(b) == 1:
        g = g[..., None]
    if np.ndim(a) == 1:
        g = np.expand_dims(g, -2)
    return g


class NotScalar(Exception):
    """Raised by `scalar_seed`; the API turns it into a SrcadError citing the return line."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value


class NotReal(Exception):
    """Raised where a complex number meets a derivative (srcad differentiates real code only:
    taking the real part would be silently wrong); the API turns it into a SrcadError."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


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
    if isinstance(y, (np.ndarray, np.generic)):
        kind = y.dtype.kind
    elif type(y) is complex:
        kind = "c"
    else:
        return isinstance(y, (int, float)) and not isinstance(y, bool)
    if kind == "c":
        _complex(f"the output is complex ({y!r})")
    return kind in "iuf"


def _complex(what):
    raise NotReal(what)


def real_float(v):
    """`float(v)` for a real number `v`; a complex `v` is refused rather than cut to its real
    part (which numpy does, with only a warning)."""
    if np.iscomplexobj(v):
        _complex(f"a complex value reached the gradient ({v!r})")
    return float(v)


def item(b, i):
    """Element `i` of the adjoint `b` of a tuple or list (0.0 where `b` is still all zero)."""
    if type(b) is float:
        return b
    return b[i]


def add_at(b, a, index, g):
    """The adjoint `b` of `a` with `g` added at `a[index]`; `b` may be 0.0 (all zero so far).

    A new value is returned; `b` itself is never changed (other adjoints may share it)."""
    if isinstance(a, (list, tuple)):
        out = [0.0] * len(a) if type(b) is float else list(b)
        if isinstance(index, slice):
            for position, value in zip(range(*index.indices(len(a))), g):
                out[position] = out[position] + value
        else:
            out[index] = out[index] + g
        return out
    dtype = a.dtype if isinstance(a, np.ndarray) and a.dtype.kind == "f" else np.float64
    out = np.zeros(np.shape(a), dtype) if type(b) is float else np.array(b, dtype=dtype)
    if _repeats(index):
        np.add.at(out, index, g)  # repeated integer indices accumulate
    elif type(b) is float:
        out[index] = g  # into zeros: only written (a page of zeros read first faults twice)
    else:
        out[index] += g
    return out


def _repeats(index):
    """Whether `index` may name one element twice (integer arrays or lists in it)."""
    return isinstance(index, np.ndarray) and index.dtype != bool or isinstance(index, list) \
        or isinstance(index, tuple) and any(isinstance(i, (np.ndarray, list)) for i in index)


def custom_vjp(rule, n, g, ans, *args):
    """Call a rule registered with srcad.defvjp: `n` cotangents, 0.0 where it gives None."""
    out = rule(g, ans, *args)
    if n == 1:
        out = (out,)
    return tuple(0.0 if c is None else c for c in out)


def unshared(g, others):
    """The gradient `g`, copied if it is the very array object of one of the `others` (a rule
    may hand one array to two operands; the caller gets two gradients)."""
    if isinstance(g, np.ndarray) and any(g is o for o in others):
        return g.copy()
    return g


def zero_at(b, index):
    """The adjoint `b` with `[index]` set to zero (a new array or list; 0.0 stays 0.0)."""
    if type(b) is float:
        return b
    if isinstance(b, list):  # the adjoint of a list: one cotangent an element
        out = list(b)
        for position in range(*index.indices(len(out))) if isinstance(index, slice) else [index]:
            out[position] = 0.0
        return out
    out = np.array(b, dtype=np.result_type(b, float))
    out[index] = 0.0
    return out


def saved(x):
    """A copy of what a write into an array is about to overwrite."""
    return x.copy() if isinstance(x, np.ndarray) else x


def copied(x):
    """A copy of an array or a container (a number is its own copy): the tangent of `a.copy()`."""
    return x.copy() if isinstance(x, (np.ndarray, list, dict)) else x


def disjoint_write(a, index, others, where):
    """Before `a[index] = v`: refuse the write if it may touch the memory of one of `others`,
    arrays read from `a` by a plain index and read again after the write (`h = H[t]`, then
    `H[t + 1] = ...`, then `h` again). `where`: (file, line, the names of `a` and `others`)."""
    if not isinstance(a, np.ndarray):
        return  # a list or a dict: the store rebinds one element and changes no other object
    parts = index if isinstance(index, tuple) else (index,)
    basic = all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)
    # `a[i, j, ...]` is a view even of one element; an index array or mask: the whole array
    region = a[parts + (Ellipsis,) if Ellipsis not in parts else parts] if basic else a
    for name_, b in zip(where[3], others):
        if isinstance(b, np.ndarray) and np.may_share_memory(region, b):
            from .errors import at
            raise at(where[0], where[1], f"cannot differentiate this write into {where[2]}: it changes "
                     f"memory that {name_}, read from {where[2]} before, still views, and {name_} "
                     "is read after the write", f"Take a copy when reading: {name_} = {where[2]}[...].copy()")


def drop_last(b):
    """The adjoint of a list before its last append (0.0 stays 0.0)."""
    if type(b) is float:
        return b
    return b[:-1]


def add(a, b):
    """a + b for adjoints of any kind: numbers, arrays, and lists or tuples (elementwise)."""
    if type(a) is float and a == 0.0:
        return b
    if type(b) is float and b == 0.0:
        return a
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return [add(x, y) for x, y in zip(a, b)]
    return a + b


def sum_grad(g, iterable):
    """The cotangent of each item of `iterable` in `sum(iterable)`."""
    if isinstance(iterable, (list, tuple)):
        return [g] * len(iterable)
    return np.array(np.broadcast_to(g, np.shape(iterable)), dtype=float)


def sum_tangent(ditems, dstart):
    """The tangent of `sum(items, start)`."""
    total = dstart if dstart is not None else 0.0
    for d in ditems:
        total = total + d
    return total


def zeros_as(g, like):
    """`g`, or zeros of the array `like`'s shape where `g` is the reverse sweep's 0.0 (the
    adjoint of a variable set in several places, still all zero)."""
    if type(g) is float and isinstance(like, np.ndarray) and like.ndim:
        return np.zeros(like.shape)
    return g


def unstack(g, arrays, axis=0):
    """The cotangents of the arrays that `np.stack(arrays, axis)` stacked (each 0.0 where `g`
    is the reverse sweep's 0.0, an adjoint still all zero)."""
    if np.ndim(g) == 0:
        return [g] * len(arrays)
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]


def zeros_like(x):
    """A zero gradient for an argument the output does not depend on (for a list, a list of
    zeros)."""
    if type(x) is float or type(x) is int or type(x) is bool:
        return 0.0
    if isinstance(x, (list, tuple)):
        return [0.0] * len(x)
    return gradient(np.zeros(np.shape(x)), x)


def gradient(g, x):
    """`g` as the gradient API.md promises for argument `x`: a float for a Python number, else a
    fresh writable ndarray of `x`'s shape, float64 unless `x` has another float dtype. A complex
    `x` or `g` is refused (NotReal): its real part alone would be a wrong gradient."""
    if type(x) is float or type(x) is int or type(x) is bool:
        return g if type(g) is float else real_float(g)
    kind = x.dtype.kind if isinstance(x, (np.ndarray, np.generic)) else ""
    if kind == "c":
        _complex(f"an argument is a complex array (dtype {x.dtype})")
    dtype = x.dtype if kind == "f" else np.float64
    if type(g) is np.ndarray and g.dtype == dtype and g.shape == np.shape(x) \
            and g.flags.writeable and g.base is None:
        return g
    if np.iscomplexobj(g):
        _complex("a complex value reached the gradient")
    return np.array(np.broadcast_to(g, np.shape(x)), dtype=dtype)


# --- forward mode ---------------------------------------------------------------------------

def tangent_out(d, y):
    """The output's tangent as jvp returns it: a float for a float output, else an array of the
    output's shape (tuples and lists element by element). Complex values are refused."""
    if type(y) is float or type(y) is int or isinstance(y, np.generic):
        if np.iscomplexobj(y):
            _complex(f"the output is complex ({y!r})")
        return real_float(d if np.ndim(d) == 0 else np.sum(d))
    if isinstance(y, (tuple, list)):
        parts = [tangent_out(0.0 if type(d) is float else d[i], v) for i, v in enumerate(y)]
        return tuple(parts) if isinstance(y, tuple) else parts
    if np.iscomplexobj(y) or np.iscomplexobj(d):
        _complex("the output or its tangent is complex")
    if np.shape(d) == np.shape(y) and isinstance(d, np.ndarray):
        return d
    return np.array(np.broadcast_to(d, np.shape(y)), dtype=np.result_type(d, float))


def broadcast_like(d, like):
    """A tangent `d` spread over the shape of `like`, the value it is the tangent of."""
    if np.shape(d) == np.shape(like):
        return d
    return np.broadcast_to(d, np.shape(like))


def writable_tangent(d, a):
    """The tangent of an array about to be written into: a fresh array of its shape (of a
    list: a fresh list, one tangent an element)."""
    if isinstance(a, list):
        return list(d) if isinstance(d, (list, tuple)) else [d] * len(a)
    return np.array(np.broadcast_to(d, np.shape(a)), dtype=np.result_type(d, a, float))


def custom_jvp(rule, dargs, ans, *args):
    """Call a rule registered with srcad.defjvp."""
    return rule(dargs, ans, *args)


# The numpy and scipy tables' helpers live in runtime_arrays, the array passes' in
# runtime_passes; generated code sees them here.
from .runtime_arrays import *  # noqa: E402,F401,F403
from .runtime_passes import *  # noqa: E402,F401,F403
