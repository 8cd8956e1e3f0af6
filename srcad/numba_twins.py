"""The runtime helpers generated code calls, as numba compiles them: an `overload` of each
`_rt` helper (numba then uses it wherever njit-compiled code calls that helper), chosen by the
types numba infers, so that plain floats still take the cheapest path.

Only the helpers named in `TWINS` have one; generated code calling any other is refused before
numba sees it (numba_backend.py). Each twin computes what its helper computes for the types it
accepts; for any other types it returns None, numba finds no implementation, and the backend
refuses the derivative at the user's line.
"""
import math

import numba
import numpy as np
from numba.core import types
from numba.extending import overload

from . import runtime
from .errors import SrcadError

_NUMBERS = (types.Float, types.Integer, types.Boolean)


def _number(t):
    return isinstance(t, _NUMBERS)


def _array(t):
    return isinstance(t, types.Array)


@overload(runtime.scalar_seed)
def _scalar_seed(y):
    if _number(y) or _array(y) and y.ndim == 0:
        return lambda y: 1.0
    raise numba.core.errors.TypingError("grad needs a scalar output (a float or a 0-d array); "
                                        "use srcad.vjp or srcad.jacobian for others")


@overload(runtime.gradient)
def _gradient(g, x):
    if _number(x) and (_number(g) or _array(g) and g.ndim == 0):
        return lambda g, x: float(g)
    if _array(x) and isinstance(x.dtype, types.Float):
        if _array(g) and g.ndim == x.ndim and g.dtype == x.dtype:
            return lambda g, x: _same_shape(g, x).copy()  # a copy: g may view an argument
        if _array(g):
            return lambda g, x: (np.zeros(x.shape, x.dtype) + g).astype(x.dtype)
        if _number(g):
            return lambda g, x: np.full(x.shape, g, x.dtype)
    return None


@overload(runtime.unbroadcast)
def _unbroadcast(g, x):
    if _number(x) and _number(g):
        return lambda g, x: g
    if _number(x) and _array(g):
        return lambda g, x: float(np.sum(g))
    if _array(x) and _array(g) and x.ndim == g.ndim:
        return lambda g, x: _same_shape(g, x)
    if _array(x) and _array(g) and g.ndim > x.ndim:  # broadcast over leading axes: summed
        lead = g.ndim - x.ndim
        return lambda g, x: _same_shape(np.sum(np.ascontiguousarray(g).reshape((-1,) + g.shape[lead:]), axis=0), x)
    if _array(x) and _number(g):
        return lambda g, x: np.full(x.shape, g)
    return None


@numba.njit
def _same_shape(g, x):
    """`g` where it has the shape of `x`; a cotangent broadcast over `x` (it would have to be
    summed back) has no twin: refused as it runs rather than returned wrong."""
    if g.shape != x.shape:
        raise SrcadError("srcad's numba backend does not sum a cotangent back over broadcast "
                         "axes: use backend='python' for this function")
    return g


@overload(runtime.add)
def _add(a, b):
    if (_number(a) or _array(a)) and (_number(b) or _array(b)):
        return lambda a, b: a + b
    return None


@overload(runtime.add_to)
def _add_to(b, a, index, g):
    # the backend makes an array's adjoint an array of zeros from the start (see _rewritten):
    # a name must keep one type in numba
    if _array(b) and _array(a) and isinstance(index, types.Integer):
        def add_into(b, a, index, g):
            b[index] += g
            return b
        return add_into
    return None


def _basic_index(index):
    """An index numba reads as a view: an int, a slice, or a tuple of them (never an array,
    whose repeated elements would have to accumulate)."""
    parts = index.types if isinstance(index, types.BaseTuple) else (index,)
    return all(isinstance(p, (types.Integer, types.SliceType)) for p in parts)


@overload(runtime.add_at)
def _add_at(b, a, index, g):
    """A new adjoint of the array `a`: `b` (0.0 while all zero) with `g` added at `a[index]`."""
    if not (_array(a) and isinstance(a.dtype, types.Float) and _basic_index(index)
            and (_number(g) or _array(g))):
        return None
    if _number(b):
        def into_zeros(b, a, index, g):
            out = np.zeros(a.shape, a.dtype)
            out[index] = g
            return out
        return into_zeros
    if _array(b) and b.ndim == a.ndim:
        def added(b, a, index, g):
            out = b.copy()
            out[index] += g
            return out
        return added
    return None


@overload(runtime.zeros_as)
def _zeros_as(g, like):
    if _number(g) and _array(like) and like.ndim > 0:
        return lambda g, like: np.zeros(like.shape)
    if _number(g) or _array(g):
        return lambda g, like: g
    return None


@overload(runtime.stand_in)
def _stand_in(*operands):
    arrays = [o for o in operands if _array(o) and o.ndim > 0]
    if not arrays:
        return lambda *operands: 0.0
    first = next(i for i, o in enumerate(operands) if _array(o) and o.ndim > 0)
    if len(arrays) == 1:
        return lambda *operands: np.zeros(operands[first].shape)
    if len(arrays) == 2 and len(operands) == 2 and operands[0].ndim == operands[1].ndim:
        return lambda *operands: np.zeros(_same_shape(operands[0], operands[1]).shape)
    return None


@overload(runtime.spread)
def _spread(u, carrier, *arrays):
    # the number `u` at every element of an array carrier: always spread out here (the Python
    # helper returns `u` itself where the other factors cover the carrier's shape; numba
    # needs one type whatever the shapes turn out to be)
    if _number(u) and _array(carrier) and carrier.ndim > 0:
        return lambda u, carrier, *arrays: np.full(carrier.shape, u)
    if _number(u) and (_number(carrier) or _array(carrier)):
        return lambda u, carrier, *arrays: u
    return None


@overload(runtime.reduced_size)
def _reduced_size(a, axis):
    if _array(a) and isinstance(axis, types.NoneType):
        return lambda a, axis: max(a.size, 1)
    if _array(a) and a.ndim > 0 and isinstance(axis, types.Integer):
        return lambda a, axis: a.shape[axis % a.ndim]
    return None


@overload(runtime.abs_slope)
def _abs_slope(x):
    if _number(x):
        return lambda x: 1.0 if x >= 0 else -1.0
    if _array(x) and isinstance(x.dtype, types.Float):
        return lambda x: np.where(x >= 0, 1.0, -1.0).astype(x.dtype)
    return None


@overload(runtime.over)
def _over(a, b):
    """a / b with IEEE's answer where b is a zero (numba, like Python, raises there)."""
    if _number(a) and _number(b):
        def divided(a, b):
            if b == 0:
                if a != a or a == 0:
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
        return divided
    if (_array(a) or _number(a)) and (_array(b) or _number(b)):
        return lambda a, b: np.true_divide(a, b)  # numpy's rules: inf and nan, no exception
    return None


@overload(runtime.unshared)
def _unshared(g, others):
    # a copy whenever g is an array: numba cannot ask whether it is one of `others` itself
    if _array(g):
        return lambda g, others: g.copy()
    return lambda g, others: g


@overload(runtime.unbroadcast_uniform)
def _unbroadcast_uniform(u, carrier, operand):
    if _number(u) and all(_number(v) or _array(v) for v in (carrier, operand)):
        def spread_back(u, carrier, operand):
            size, part = np.asarray(carrier).size, np.asarray(operand).size
            return u if size == part else u * (size // part)
        return spread_back
    return None


@overload(runtime.power_log)
def _power_log(x):
    if _number(x):
        return lambda x: math.log(x) if x > 0 else (0.0 if x == 0 else math.nan)
    if _array(x):
        return lambda x: np.log(np.where(x == 0, 1.0, x))
    return None


@overload(runtime.tangent_out)
def _tangent_out(d, y):
    if _number(y) and _number(d):
        return lambda d, y: float(d)
    if _number(y) and _array(d):
        return lambda d, y: float(np.sum(d))
    if _array(y) and _array(d) and d.ndim == y.ndim:
        return lambda d, y: _same_shape(d, y)
    return None


@overload(runtime.broadcast_like)
def _broadcast_like(d, like):
    if _number(d) and _number(like):
        return lambda d, like: d
    if _array(d) and _array(like) and d.ndim == like.ndim:
        return lambda d, like: _same_shape(d, like)
    if _number(d) and _array(like):
        return lambda d, like: np.full(like.shape, d)
    return None


def _matrix_or_vector(*arrays):
    return all(_array(a) and a.ndim in (1, 2) for a in arrays)


@overload(runtime.matmul_left)
@overload(runtime.dot_left)
def _product_left(g, a, b):
    """The cotangent of `a` in `a @ b` or `np.dot(a, b)`, for vectors and matrices."""
    if not _matrix_or_vector(a, b):
        return None
    if a.ndim == 1 and b.ndim == 1:
        return lambda g, a, b: g * b
    if a.ndim == 1:
        return lambda g, a, b: b @ g
    if b.ndim == 1:
        return lambda g, a, b: np.outer(g, b)
    return lambda g, a, b: g @ b.T


@overload(runtime.matmul_right)
@overload(runtime.dot_right)
def _product_right(g, a, b):
    """The cotangent of `b` in `a @ b` or `np.dot(a, b)`, for vectors and matrices."""
    if not _matrix_or_vector(a, b):
        return None
    if a.ndim == 1 and b.ndim == 1:
        return lambda g, a, b: g * a
    if a.ndim == 1:
        return lambda g, a, b: np.outer(a, g)
    return lambda g, a, b: a.T @ g


@overload(runtime.unreduce)
def _unreduce(g, a, axis, keepdims):
    """The cotangent of a sum over `axis` (None or one int: numba's np.sum takes no other),
    spread back over `a`: a new array, which the reverse sweep may add into."""
    scalar_g = _number(g) or _array(g) and g.ndim == 0
    if isinstance(axis, types.NoneType) and _array(a) and scalar_g:
        return lambda g, a, axis, keepdims: np.full(a.shape, g)
    if isinstance(axis, types.NoneType) and _number(a) and _number(g):
        return lambda g, a, axis, keepdims: float(g)
    if not (isinstance(axis, types.Integer) and _array(a) and a.ndim > 0):
        return None
    if scalar_g and a.ndim == 1:  # a vector summed to a number
        return lambda g, a, axis, keepdims: np.full(a.shape, g)
    if _array(g) and g.ndim == a.ndim:  # keepdims=True
        return lambda g, a, axis, keepdims: np.zeros(a.shape, a.dtype) + g
    if _array(g) and g.ndim == a.ndim - 1:
        return lambda g, a, axis, keepdims: np.zeros(a.shape, a.dtype) + np.expand_dims(g, axis % a.ndim)
    return None


@overload(runtime.extremum_weights)
def _extremum_weights(ans, a, axis, keepdims):
    """Each element's share of the derivative of the whole array's max or min `ans`: 1 where
    it is the extremum, shared equally between ties (as srcad.runtime's)."""
    if _number(a):
        return lambda ans, a, axis, keepdims: 1.0
    if _array(a) and isinstance(axis, types.NoneType) and (_number(ans) or _array(ans) and ans.ndim == 0):
        def weights(ans, a, axis, keepdims):
            at = np.where(a == ans, 1.0, 0.0)
            return at / np.sum(at)
        return weights
    return None


@overload(runtime.norm_weights)
def _norm_weights(ans, x, ord, axis, keepdims):
    """d np.linalg.norm(x) / dx of the 2-norm of a vector or the Frobenius norm of a matrix,
    the norm numba computes with no `ord` and no `axis`."""
    if _number(x):
        return lambda ans, x, ord, axis, keepdims: 1.0 if x >= 0 else -1.0  # abs's slope
    if _array(x) and isinstance(ord, types.NoneType) and isinstance(axis, types.NoneType):
        return lambda ans, x, ord, axis, keepdims: x / ans
    return None


def _solvable(g, a, b):
    """A square matrix `a` and a right-hand side `b` (a vector or a matrix) with a cotangent
    `g` of the solution's dimensions."""
    return _array(a) and a.ndim == 2 and _array(b) and b.ndim in (1, 2) and _array(g) and g.ndim == b.ndim


@overload(runtime.solve_right)
def _solve_right(g, ans, a, b):
    """The cotangent of `b` in `ans = np.linalg.solve(a, b)`: solve(a^T, g)."""
    if _solvable(g, a, b):
        return lambda g, ans, a, b: np.linalg.solve(np.ascontiguousarray(a.T), np.ascontiguousarray(g))
    return None


@overload(runtime.solve_left)
def _solve_left(g, ans, a, b):
    """The cotangent of `a` in `ans = np.linalg.solve(a, b)`: -solve(a^T, g) ans^T."""
    if not _solvable(g, a, b):
        return None
    if b.ndim == 1:
        return lambda g, ans, a, b: -np.outer(np.linalg.solve(np.ascontiguousarray(a.T), np.ascontiguousarray(g)), ans)
    return lambda g, ans, a, b: -(np.linalg.solve(np.ascontiguousarray(a.T), np.ascontiguousarray(g))
                                  @ np.ascontiguousarray(ans.T))


def expand_dims(a, axis):
    """np.expand_dims as the numba backend calls it (numba_backend.py): numba's takes an array
    and one axis, the derivative of np.linalg.det spreads a number over two."""
    return np.expand_dims(a, axis)


@overload(expand_dims)
def _expand_dims(a, axis):
    if _number(a) and isinstance(axis, types.BaseTuple) and len(axis) == 2:
        return lambda a, axis: np.full((1, 1), a)
    if _array(a) and isinstance(axis, types.Integer):
        return lambda a, axis: np.expand_dims(a, axis)
    return None


@overload(runtime.power_slope)
def _power_slope(x, y):
    """d(x ** y)/dx for numbers, as srcad.runtime.power_slope: a negative x with a fractional y
    (a complex power) raises rather than give nan."""
    if _array(x) and (_number(y) or _array(y)):
        return lambda x, y: y * x ** (y - 1.0)  # numpy's rules, as for arrays in Python
    if not (_number(x) and _number(y)):
        return None
    whole_zero = isinstance(y, types.Integer)  # an int exponent 0 gives 0 at x = 0

    def slope(x, y):
        if x > 0:
            return y * x ** (y - 1.0)
        if x == 0:
            if whole_zero and y == 0:
                return 0.0
            return y * np.power(0.0, y - 1.0)
        if y != np.floor(y):
            raise SrcadError("srcad's numba backend: a negative number to a fractional power is complex: "
                             "differentiate it where the base is positive")
        return y * x ** (y - 1.0)
    return slope


TWINS = frozenset({"over", "unshared", "unbroadcast_uniform", "power_log", "matmul_left", "matmul_right", "dot_left", "dot_right", "unreduce", "power_slope", "scalar_seed", "gradient", "unbroadcast", "add", "add_to", "zeros_as", "stand_in",
                   "spread", "reduced_size", "abs_slope", "tangent_out", "broadcast_like", "extremum_weights",
                   "norm_weights", "add_at", "solve_left", "solve_right"})
