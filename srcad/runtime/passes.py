"""The helpers of the array passes (srcad/optimize/arrays.py, uniform.py): what a
gradient that runs as it is calls instead of the plain rules' helpers."""
import numpy as np

from .containers import add_at, repeats
from .core import size_of, spread_over


def add_to(b, a, index, g):
    """`add_at` for an adjoint `b` that no other name holds: `g` is added into `b` itself
    (once `b` is an array; while it is 0.0, a new array is made as `add_at` makes it)."""
    if type(b) is not np.ndarray or isinstance(a, (list, tuple)):
        return add_at(b, a, index, g)
    if repeats(index):
        np.add.at(b, index, g)
    else:
        b[index] += g
    return b


def into(a, ufunc, b):
    """`ufunc(a, b)` (np.add, subtract, multiply or divide), written into `a` where the result
    has `a`'s shape and dtype and `a` owns its memory: generated code passes an array it made
    itself and reads nowhere else (srcad/optimize/in_place.py). Anything else (a number,
    another library's array, a result of another shape or dtype) gets the new value the
    operator gives; the bits are the same either way."""
    if type(a) is np.ndarray and a.dtype.kind == "f" and a.base is None and a.flags.writeable:
        shape = np.shape(b)
        if (shape == a.shape or np.broadcast_shapes(shape, a.shape) == a.shape) \
                and np.result_type(a, b) == a.dtype:
            return ufunc(a, b, out=a)
    return ufunc(a, b)


def rows(values, shape):
    """The values a loop appended to the list `values`, each of `shape` (the derivative is
    specialised on it), as the rows of one array of shape (len(values), *shape): one
    `np.concatenate` where they are arrays (a quarter less work than `np.asarray` of a list of
    arrays, and it keeps dask arrays lazy), `np.asarray` for numbers; zeros for a loop of no
    turns."""
    if not values:
        return np.zeros((0,) + shape)
    if not shape:
        return np.asarray(values)
    return np.reshape(np.concatenate(values), (-1,) + shape)


def spread(u, carrier, *arrays):
    """The cotangent that is the number `u` at every element of `carrier`'s shape, to be
    multiplied with `arrays`: `u` itself where their shapes broadcast to cover the carrier's
    (the product comes out the same), else `u` spread over that shape (a broadcast view)."""
    shape = np.shape(carrier)
    if not shape:
        return u
    if arrays:
        shapes = [np.shape(a) for a in arrays]
        if shapes[0] == shape and all(s == shape for s in shapes) \
                or np.broadcast_shapes(shape, *shapes) == np.broadcast_shapes(*shapes):
            return u
    return spread_over(u, carrier)  # a broadcast view (for dask: in the carrier's chunks)


def unbroadcast_uniform(u, carrier, operand):
    """`unbroadcast` of the number `u` at every element of `carrier`'s shape, to the shape of
    `operand` (broadcast to it): the number each element of the operand's cotangent receives."""
    size, part = size_of(carrier), size_of(operand)
    return u if size == part else u * (size // part)


def stand_in(*operands):
    """A value with the shape of an elementwise result of `operands` (broadcast together), for a
    derivative that needs only that shape: a read-only array of zeros that takes no memory
    (and keeps none of the operands alive). With no operands: a scalar, standing for a
    reduction to one number. Operands that do not broadcast raise as numpy does."""
    arrays = [o for o in operands if type(o) is np.ndarray]
    if not arrays:
        shape = np.broadcast_shapes(*map(np.shape, operands)) if operands else ()
        return np.float64(0.0) if not shape else np.zeros(shape)
    first = arrays[0]
    if all(a.shape == first.shape for a in arrays) and all(np.ndim(o) == 0 for o in operands
                                                           if type(o) is not np.ndarray):
        shape = first.shape
    else:
        shape = np.broadcast_shapes(*map(np.shape, operands))
    if not shape:
        return first[()]
    if first.dtype.hasobject or first.dtype.itemsize > len(_ZERO_BYTES):
        return np.broadcast_to(first, shape)
    return np.ndarray(shape, first.dtype, _ZERO_BYTES, 0, (0,) * len(shape))


_ZERO_BYTES = bytes(64)  # what every stand-in's elements read (strides 0: one element)
