"""Python's builtins over values and sequences: `max`/`min` of several values or of one
sequence, `sorted`, and `tuple`/`list` of an array or a list.

A sequence's cotangent (and tangent) is a list with one entry per item, or an array of the
same shape for a 1-d array; the reverse sweep's 0.0 stands for one that is all zero. `max` and
`min` share `g` equally between the items equal to the result, as the rules of np.max do.
"""
import numpy as np

from .core import float_dtype


def _candidates(args):
    """The values a call of max or min chose from: the items of its one sequence, or its
    arguments (the rules pass four slots, the last ones None where the call gave fewer)."""
    if args[1] is None:
        return args[0]
    return [a for a in args if a is not None]


def _chosen(items, ans):
    """1 / (the number of ties) for each item equal to the result, 0 for the others: an array
    for an array, else a list of floats."""
    if isinstance(items, np.ndarray):
        at = (items == ans).astype(float_dtype(items))
        count = np.sum(at)
        return at / count if count else at
    at = [1.0 if v is ans or bool(np.all(v == ans)) else 0.0 for v in items]
    count = sum(at)
    return [a / count for a in at] if count else at


def share_extremum(g, best, k, args):
    """The cotangent of argument `k` of `best = max(*args)` (or min): `g` shared between
    the candidates equal to `best`. With one argument, a sequence, that is a list of cotangents
    (an array for an array)."""
    items = _candidates(args)
    weights = _chosen(items, best)
    if items is args[0]:
        if isinstance(items, np.ndarray):
            return np.reshape(g * weights, items.shape)
        return [g * w for w in weights]
    if args[k] is None:  # a slot the call left empty
        return None
    return g * weights[k]


def extremum_tangent(best, dargs, args):
    """The tangent of `best = max(*args)` (or min): the tangents of the candidates equal
    to `best`, averaged (`dargs` holds a tangent per slot of `args`, 0.0 for a constant)."""
    items = _candidates(args)
    weights = _chosen(items, best)
    if items is args[0]:
        ditems = dargs[0]
        if type(ditems) is float:
            return 0.0
        if isinstance(ditems, np.ndarray):
            return np.sum(np.reshape(ditems, weights.shape) * weights)
    else:
        ditems = [d for d, a in zip(dargs, args) if a is not None]
    total = 0.0
    for w, d in zip(weights, ditems):
        if w:
            total = total + w * d
    return total


def _sort_order(items, key, reverse):
    """The positions of `items` in the order `sorted(items, key=key, reverse=reverse)` gives
    them: Python sorts stably, so indices sorted by the same keys come out in the same order."""
    if key is None:
        return sorted(range(len(items)), key=items.__getitem__, reverse=reverse)
    return sorted(range(len(items)), key=lambda i: key(items[i]), reverse=reverse)


def unsort_items(g, iterable, key=None, reverse=False):
    """The cotangent of `iterable` in `sorted(iterable, key=key, reverse=reverse)`: item `j`
    of `g` goes back to the position the sort took it from."""
    return unlist(_permuted_back(g, _sort_order(iterable, key, reverse)), iterable)


def _permuted_back(g, order):
    if type(g) is float:
        return g
    out = [0.0] * len(order)
    for j, i in enumerate(order):
        out[i] = g[j]
    return out


def sorted_tangent(ditems, items, key=None, reverse=False):
    """The tangent of `sorted(items, key=key, reverse=reverse)`: the items' tangents in the
    sorted order."""
    if type(ditems) is float:
        return [0.0] * len(items)
    return [ditems[i] for i in _sort_order(items, key, reverse)]


def unlist(g, iterable):
    """The cotangent of `iterable` in `tuple(iterable)` or `list(iterable)`: for an array, the
    items' cotangents stacked back into its shape; for a list or a tuple, a list."""
    if isinstance(iterable, np.ndarray):
        if type(g) is float:
            return np.zeros(iterable.shape, float_dtype(iterable))
        rows = [np.broadcast_to(gi, iterable.shape[1:]) for gi in g]
        return np.array(rows, dtype=float_dtype(iterable)).reshape(iterable.shape)
    if type(g) is float:
        return [g] * len(iterable)
    return list(g)
