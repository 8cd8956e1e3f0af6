"""Adjoints of lists and tuples, and of writes into arrays: elements read and written
(`item`, `add_at`, `zero_at`), values saved before a write, the check that a write changes no
memory a view still reads, `sum` and `np.stack` over containers."""
import numpy as np

from ..errors import at
from .core import is_foreign, needs_values, summed_by_source, zeros_of


def item(b, i):
    """Element `i` of the adjoint `b` of a tuple or list (0.0 where `b` is still all zero)."""
    if type(b) is float:
        return b
    return b[i]


def add_at(b, a, index, g):
    """The adjoint `b` of `a` with `g` added at `a[index]`; `b` may be 0.0 (all zero so far).

    A new value is returned; `b` itself is never changed (other adjoints may share it)."""
    if type(index) is slice and type(a) is np.ndarray and type(g) is np.ndarray \
            and a.dtype.kind == "f":  # the common case, told at once: a slice of a float array
        if type(b) is float:
            out = np.zeros(a.shape, a.dtype)
            out[index] = g
            return out
        if type(b) is np.ndarray and b.dtype == a.dtype:
            out = b.copy()
            out[index] += g
            return out
    if isinstance(a, (list, tuple)):
        out = [0.0] * len(a) if type(b) is float else list(b)
        if isinstance(index, slice):
            for position, value in zip(range(*index.indices(len(a))), g):
                out[position] = add(out[position], value)
        else:
            out[index] = add(out[index], g)  # an element may be a list or tuple itself
        return out
    if type(a) is not np.ndarray or not (type(b) is float or type(b) is np.ndarray) or \
            type(g) is not np.ndarray and type(g) is not float:  # numpy's own: no test needed
        if is_foreign(a) or is_foreign(b) or is_foreign(g):
            return _add_at_lazily(b, a, index, g)
    dtype = a.dtype if isinstance(a, np.ndarray) and a.dtype.kind == "f" else np.float64
    out = np.zeros(np.shape(a), dtype) if type(b) is float else np.array(b, dtype=dtype)
    if repeats(index):
        np.add.at(out, index, g)  # repeated integer indices accumulate
    elif type(b) is float:
        out[index] = g  # into zeros: only written (a page of zeros read first faults twice)
    else:
        out[index] += g
    return out


def _add_at_lazily(b, a, index, g):
    """add_at where a dask array is involved: its setitem on a new Array object (which leaves
    `b` as it was), repeated indices as a sum by source row (np.add.at has no lazy form)."""
    like = next(x for x in (a, b, g) if is_foreign(x))
    dtype = a.dtype if hasattr(a, "dtype") and a.dtype.kind == "f" else np.float64
    if repeats(index):
        if isinstance(index, tuple):
            needs_values(like, "add a cotangent at repeated positions of several index arrays")
        n = np.shape(a)[0]
        rows = np.reshape(g, (np.size(index),) + tuple(np.shape(a)[1:]))
        added = summed_by_source(rows, np.asarray(index) % n, n)
        return added if type(b) is float else b + added
    if any(n != n for n in np.shape(g)):  # dask's nan: a length known only once computed
        needs_values(like, "put a cotangent back where a boolean mask of a lazy array picked its "
                     "elements (write np.where(mask, x, 0.0) rather than x[mask])")
    out = zeros_of(like, np.shape(a), dtype) if type(b) is float else b.copy()
    out[index] = g if type(b) is float else out[index] + g
    return out


def repeats(index):
    """Whether `index` may name one element twice (integer arrays or lists in it)."""
    return isinstance(index, np.ndarray) and index.dtype != bool or isinstance(index, list) \
        or isinstance(index, tuple) and any(isinstance(i, (np.ndarray, list)) for i in index)


def zero_at(b, index):
    """The adjoint `b` with `[index]` set to zero (a new array or list; 0.0 stays 0.0)."""
    if type(b) is float:
        return b
    if isinstance(b, list):  # the adjoint of a list: one cotangent an element
        out = list(b)
        for position in range(*index.indices(len(out))) if isinstance(index, slice) else [index]:
            out[position] = 0.0
        return out
    out = b.astype(np.result_type(b, float)).copy() if is_foreign(b) else np.array(b, dtype=np.result_type(b, float))
    out[index] = 0.0
    return out


def saved(x):
    """A copy of what a write into an array is about to overwrite."""
    return x.copy() if isinstance(x, np.ndarray) or is_foreign(x) else x  # dask: its setitem rebinds


def copied(x):
    """A copy of an array or a container (a number is its own copy): the tangent of `a.copy()`."""
    return x.copy() if isinstance(x, (np.ndarray, list, dict)) or is_foreign(x) else x


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
            raise at(where[0], where[1], f"cannot differentiate this write into {where[2]}: it changes "
                     f"memory that {name_}, read from {where[2]} before, still views, and {name_} "
                     "is read after the write", f"Take a copy when reading: {name_} = {where[2]}[...].copy()")


def writable_tangent(d, a):
    """The tangent of an array about to be written into: a fresh array of its shape (of a
    list: a fresh list, one tangent an element)."""
    if isinstance(a, list):
        return list(d) if isinstance(d, (list, tuple)) else [d] * len(a)
    if is_foreign(d) or is_foreign(a):  # a new Array object: its setitem leaves `d` as it was
        return (np.broadcast_to(d, np.shape(a)) + zeros_of(a if is_foreign(a) else d, np.shape(a))).copy()
    return np.array(np.broadcast_to(d, np.shape(a)), dtype=np.result_type(d, a, float))


def unshared(g, others):
    """The gradient `g`, copied if it is the very array object of one of the `others` (a rule
    may hand one array to two operands; the caller gets two gradients)."""
    if isinstance(g, np.ndarray) and any(g is o for o in others):
        return g.copy()
    return g


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
    if isinstance(a, (list, tuple)) and type(b) is np.ndarray and b.ndim \
            or isinstance(b, (list, tuple)) and type(a) is np.ndarray and a.ndim:
        # a row of a list of lists: one adjoint a list, one an array's row (np.array(rows)'s)
        return [add(x, y) for x, y in zip(a, b, strict=True)]
    return a + b


def sum_grad(g, iterable):
    """The cotangent of each item of `iterable` in `sum(iterable)`."""
    if isinstance(iterable, (list, tuple)):
        return [g] * len(iterable)
    if is_foreign(g) or is_foreign(iterable):
        return np.broadcast_to(g, np.shape(iterable)) + zeros_of(iterable if is_foreign(iterable) else g, ())
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
    if type(g) is float and (isinstance(like, np.ndarray) or is_foreign(like)) and like.ndim:
        return zeros_of(like, like.shape)
    return g


def unstack(g, arrays, axis=0):
    """The cotangents of the arrays that `np.stack(arrays, axis)` stacked (each 0.0 where `g`
    is the reverse sweep's 0.0, an adjoint still all zero)."""
    if np.ndim(g) == 0:
        return [g] * len(arrays)
    return [np.take(g, i, axis=axis) for i in range(len(arrays))]
