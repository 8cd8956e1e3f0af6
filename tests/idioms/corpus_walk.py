"""Issue 14's idioms written again as a new user would, one function each, in a module of
their own: comprehensions and builtins, accumulators, copies, zeros_like, atleast_nd,
enumerate(zip), len, slices of arrays built in loops, writes into arguments, closures, library
eigh/svd/pinv/linspace/rot90/vstack, any/all with and/or and chained
comparisons, and names that look like the generated code's. test_idioms.py checks each against
finite differences, forward mode and the tape, as corpus.py's."""
from .corpus import X, Y

SOURCE = '''
import math
import numpy as np

W = np.array([0.2, -0.4, 0.9])


def squares_by_comprehension(x):
    return sum([v ** 2 for v in x]) + sum(math.cos(v) for v in x)


def largest_of_two(x):
    return max(x[0] * x[1], x[2]) + min(x[0], x[1] * 2.0)


def largest_in_a_list(x):
    return max([v * v for v in x]) - min(list(x))


def tuple_and_list_of_values(x):
    t = tuple(x * 2.0)
    l = list(np.sin(x))
    return t[0] * l[1] + t[2] * l[0]


def accumulate_squares(x):
    s = 0.0
    for v in x:
        s += v * v
    return s


def accumulate_by_index(x):
    res = 0.0
    for i in range(len(x)):
        res += x[i] * (i + 1.0)
    return res


def copy_then_write(x):
    y = x.copy()
    y[1] = y[0] * y[2]
    return np.sum(y * y)


def zeros_like_then_written(x):
    out = np.zeros_like(x)
    for i in range(len(x)):
        out[i] = math.exp(x[i]) * W[i]
    return np.sum(out)


def at_least_2d(x):
    m = np.atleast_2d(x)
    return np.sum(m.T @ m) + np.sum(np.atleast_1d(x[0]) * 2.0) + np.sum(np.atleast_3d(x))


def enumerate_zip_pairs(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + i * a * b + a
    return s


def length_of_an_active_array(x):
    h = x * 2.0
    return np.sum(h) / len(h)


def slice_of_an_array_built_in_a_loop(x):
    h = np.zeros(4)
    for i in range(3):
        h[i + 1] = h[i] * 0.5 + x[i]
    tail = h[1:]
    return np.sum(tail * tail)


def writes_into_the_argument(x):
    x[0] = x[0] * 2.0
    return np.sum(x * x)


def closure_over_active_values(x):
    k = x[0] * 3.0

    def term(v):
        return v * k + np.sin(v)
    return term(x[1]) + term(x[2])


def linalg_eigh(x):
    a = np.outer(x, x) + np.diag([3.0, 4.0, 5.0])
    values, vectors = np.linalg.eigh(a)
    return np.sum(values * W) + vectors[0, 0] ** 2


def linalg_svd(x):
    a = np.outer(x, W) + np.diag([3.0, 2.0, 1.0])
    s = np.linalg.svd(a, compute_uv=False)
    return np.sum(s * s * W)


def linalg_pinv(x):
    a = np.outer(x, W) + np.diag([3.0, 2.0, 1.0])
    return np.sum(np.linalg.pinv(a) * a)


def linspace_between_values(x):
    grid = np.linspace(x[0], x[1], 5)
    return np.sum(grid ** 2)


def rot90_and_vstack(x):
    m = np.vstack([x, x * 2.0])
    return np.sum(np.rot90(m) * np.arange(6.0).reshape(3, 2))


def sorted_values(x):
    s = sorted(x * 1.0)
    return s[0] * 2.0 + s[-1]


def isinstance_and_abs(x):
    s = 0.0
    for v in x:
        if isinstance(v, float) or True:
            s = s + abs(v)
    return s


def any_all_in_a_condition(x):
    if any(v > 0.7 for v in x) and all(v > -5.0 for v in x):
        return np.sum(x ** 3)
    return np.sum(x)


def dict_comprehension_over_names(x):
    d = {name: x[k] * (k + 1.0) for k, name in enumerate(("a", "b", "c"))}
    return d["a"] * d["b"] + d["c"]


def odd_names(_x, λ=2.0):
    _t_1 = _x * λ
    bx = np.sum(_t_1 ** 2)
    t1 = bx + 1.0
    _rt = t1 * 0.5
    return _rt + np.sum(_x)


def variable_named_like_the_adjoint(x, bx):
    by = x * bx
    t2 = np.sum(by)
    return t2 * t2


def chained_comparison_with_a_sum(x):
    if 0.0 < sum(v * v for v in x) < 10.0:
        return np.sum(np.exp(x))
    return np.sum(x)


def or_of_comprehensions(x):
    big = any(v > 5.0 for v in x) or max([abs(v) for v in x]) > 1.0
    return np.sum(x * x) if big else np.sum(x)


def _tape(x, _rt=2.0, by=3.0):
    bx = x * _rt
    t1 = np.sum(bx * by)
    _tape_ = [t1]
    return _tape_[0] * t1 + _rt * by
'''

CASES = [
    ("_tape", (X, 2.0, 3.0), (0, 1, 2)),
    ("squares_by_comprehension", (X,), 0),
    ("largest_of_two", (X,), 0),
    ("largest_in_a_list", (X,), 0),
    ("tuple_and_list_of_values", (X,), 0),
    ("accumulate_squares", (X,), 0),
    ("accumulate_by_index", (X,), 0),
    ("copy_then_write", (X,), 0),
    ("zeros_like_then_written", (X,), 0),
    ("at_least_2d", (X,), 0),
    ("enumerate_zip_pairs", (X, Y), (0, 1)),
    ("length_of_an_active_array", (X,), 0),
    ("slice_of_an_array_built_in_a_loop", (X,), 0),
    ("closure_over_active_values", (X,), 0),
    ("linalg_eigh", (X,), 0),
    ("linalg_svd", (X,), 0),
    ("linalg_pinv", (X,), 0),
    ("linspace_between_values", (X,), 0),
    ("rot90_and_vstack", (X,), 0),
    ("sorted_values", (X,), 0),
    ("isinstance_and_abs", (X,), 0),
    ("any_all_in_a_condition", (X,), 0),
    ("dict_comprehension_over_names", (X,), 0),
    ("odd_names", (X,), 0),
    ("variable_named_like_the_adjoint", (X, Y), (0, 1)),
    ("chained_comparison_with_a_sum", (X,), 0),
    ("or_of_comprehensions", (X,), 0),
]

# writes into its argument: the caller's array stays as it was (test_idioms.py)
WRITERS = [("writes_into_the_argument", (X,), 0)]
