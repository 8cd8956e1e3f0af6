"""Python's builtins on differentiated values, end to end: `max`, `min` (of any number of
values, or of an iterable with `default=`), `sorted`, `tuple`, `list`, `zip` (`strict=` too)
and `enumerate` in loops, `abs`, `sum`, `len`, `range`, `isinstance`.

Each function runs through grad (against 5-point differences), jvp (against differences
along a random direction) and, where the tape records it, srcad.tape. Sample points are off
ties; at a tie, `max` and `min` share the derivative equally between the tied values, as
np.max's rule does (closed forms below).
"""
import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_cites, assert_close, fd_directional, fd_grad, load_function

SOURCE = '''
import numpy as np


def max_of_two(x, y):
    return max(x, y) * y


def relu_by_max(x):
    return max(x, 0.0) * x + min(x, 0.0)


def max_of_three(x, y, z):
    return max(x, y * y, z) + min(z, x, 0.3 * y)


def max_of_four(x, y):
    return max(x, y, x * y, 1.5) * min(x, y, -x, -y)


def max_of_a_list(x, y):
    return max([x, y * 2.0, 0.25]) ** 2


def min_of_a_tuple(x, y):
    pair = (x * y, y - x)
    return min(pair) * x


def max_of_an_array(x):
    return max(x) * min(x) + max(x * x)


def max_with_a_key(x, y):
    return max([x, y, x * y], key=abs) + min(x, y, key=abs)


def sorted_list(x, y, z):
    s = sorted([x, y, z])
    return s[0] + 2.0 * s[1] + 3.0 * s[2]


def sorted_reversed_with_key(x, y):
    s = sorted([x, y, x * y], key=abs, reverse=True)
    return s[0] * s[1] - s[2]


def sorted_array(x):
    s = sorted(x * x)
    return s[0] + 10.0 * s[-1] + s[1] * s[2]


def tuple_of_an_array(x):
    a, b, c = tuple(x * 2.0)
    return a * b + c


def list_of_a_matrix(m):
    rows = list(m)
    return np.sum(rows[0] * rows[1]) + np.sum(rows[2])


def tuple_of_a_list(x, y):
    t = tuple([x, y * y])
    return t[0] * t[1]


def enumerate_zip(xs, ys):
    s = 0.0
    for i, (a, b) in enumerate(zip(xs, ys)):
        s = s + a * b * (i + 1)
    return s


def enumerate_zip_from_one(xs, ys):
    s = 0.0
    for i, (a, b) in enumerate(zip(xs, ys), start=1):
        s = s + np.sin(a) * b ** i
    return s


def enumerate_reversed(xs):
    s = 0.0
    for i, x in enumerate(reversed(xs)):
        s = s * x + i * x
    return s


def enumerate_enumerate(xs):
    s = 0.0
    for i, (j, x) in enumerate(enumerate(xs), 2):
        s = s + i * j * x * x
    return s


def zip_pairs(xs, ys):
    s = 0.0
    for pair in zip(xs, ys):
        s = s + pair[0] * np.cos(pair[1])
    return s


def builtins_together(x):
    total = 0.0
    for i in range(len(x)):
        if isinstance(x, np.ndarray):
            total = total + abs(x[i]) * i
    return total + sum([x[0], x[1] * x[1], 2.0]) + len(x) * x[2]


def isinstance_of_a_float(x):
    if isinstance(x, float):
        return x * x
    return 3.0 * x


def max_with_a_default(x, y):
    return max((v * y for v in x if v > 0.0), default=y * y) * min([], default=x[0])


def min_with_a_default_and_a_key(x, y):
    return min([x[0] * y, x[1], -y], key=abs, default=0.0) + max([], default=y)


def max_of_five_and_min_of_six(x, y):
    return max(x, y, x * y, 1.5, -x) * min(x, y, -x, -y, x * y, 0.25 * y, key=abs)


def zip_strict(x, y):
    total = 0.0
    for i, (a, b) in enumerate(zip(x, y, strict=True)):
        total = total + a * b * (i + 1)
    return total + sum([a - b for a, b in zip(x, y, strict=False)])
'''

X3 = np.array([0.7, -1.3, 0.4])
Y3 = np.array([1.1, 0.6, -0.9])
M34 = np.array([[0.2, -0.7, 1.1, 0.5], [0.9, 0.3, -0.4, 1.2], [-0.6, 0.8, 0.1, -1.5]])

# name, args, wrt, whether srcad.tape records it (a Python float argument is a Node there,
# so isinstance(x, float) and np.ndarray answer differently)
CASES = [
    ("max_of_two", (0.7, 1.3), (0, 1), True),
    ("max_of_two", (1.6, 1.3), (0, 1), True),
    ("relu_by_max", (0.8,), 0, True),
    ("relu_by_max", (-0.8,), 0, True),
    ("max_of_three", (0.4, -1.2, 0.9), (0, 1, 2), True),
    ("max_of_four", (0.6, -1.1), (0, 1), True),
    ("max_of_a_list", (0.6, 0.4), (0, 1), True),
    ("min_of_a_tuple", (0.6, 0.9), (0, 1), True),
    ("max_of_an_array", (X3,), 0, True),
    ("max_with_a_key", (0.6, -1.7), (0, 1), True),
    ("sorted_list", (0.3, -0.8, 0.5), (0, 1, 2), True),
    ("sorted_reversed_with_key", (0.6, -1.7), (0, 1), True),
    ("sorted_array", (X3 * np.array([1.0, 1.9, 3.1]),), 0, True),
    ("tuple_of_an_array", (X3,), 0, True),
    ("list_of_a_matrix", (M34,), 0, True),
    ("tuple_of_a_list", (0.6, -0.9), (0, 1), True),
    ("enumerate_zip", (X3, Y3), (0, 1), True),
    ("enumerate_zip_from_one", (X3, Y3), (0, 1), True),
    ("enumerate_reversed", (X3,), 0, True),
    ("enumerate_enumerate", (X3,), 0, True),
    ("zip_pairs", (X3, Y3), (0, 1), True),
    ("builtins_together", (X3,), 0, False),
    ("isinstance_of_a_float", (0.7,), 0, False),
    ("max_with_a_default", (X3, 1.3), (0, 1), True),
    ("max_with_a_default", (-np.abs(X3), 1.3), (0, 1), True),
    ("min_with_a_default_and_a_key", (X3, 0.9), (0, 1), True),
    ("max_of_five_and_min_of_six", (0.6, -1.1), (0, 1), True),
    ("max_of_five_and_min_of_six", (-0.3, 0.8), (0, 1), True),
    ("zip_strict", (X3, Y3), (0, 1), True),
]
IDS = [f"{name}-{i}" for i, (name, *_rest) in enumerate(CASES)]


@pytest.fixture(scope="module")
def functions():
    return {name: load_function(SOURCE, name) for name in {case[0] for case in CASES}}


def _positions(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


@pytest.mark.parametrize("name, args, wrt, taped", CASES, ids=IDS)
def test_grad_matches_differences(name, args, wrt, taped, functions):
    f = functions[name]
    value, gradient = srcad.value_and_grad(f, wrt=wrt)(*args)
    assert value == f(*args)
    assert_close(gradient, fd_grad(f, args, wrt), rtol=1e-6)


@pytest.mark.parametrize("name, args, wrt, taped", CASES, ids=IDS)
def test_jvp_matches_differences(name, args, wrt, taped, functions, rng):
    f = functions[name]
    positions = _positions(wrt)
    directions = [rng.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray)
                  else float(rng.standard_normal()) for p in positions]
    value, tangent = srcad.jvp(f, wrt=wrt)(*args, *directions)
    assert value == f(*args)
    assert tangent == pytest.approx(fd_directional(f, args, positions, directions), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name, args, wrt, taped", [c for c in CASES if c[3]],
                         ids=[i for i, c in zip(IDS, CASES) if c[3]])
def test_tape_agrees(name, args, wrt, taped, functions):
    f = functions[name]
    assert_close(srcad.tape.grad(f, wrt=wrt)(*args), srcad.grad(f, wrt=wrt)(*args), rtol=1e-10)


def test_hessian_through_max_and_sorted():
    # forward over reverse runs through share_extremum and unsort_items
    f = load_function(SOURCE + '''

def g(v):
    s = sorted([v[0], v[1] * v[1], v[2]])
    return max(v[0] * v[2], v[1]) ** 2 + s[0] * s[2]
''', "g")
    v = np.array([0.9, -0.6, 1.4])
    # max picks v0 v2 = 1.26 and sorted gives [v1^2, v0, v2]: g = (v0 v2)^2 + v1^2 v2
    h = np.zeros((3, 3))
    h[0, 0], h[2, 2], h[0, 2] = 2 * v[2] ** 2, 2 * v[0] ** 2, 4 * v[0] * v[2]
    h[1, 1], h[1, 2] = 2 * v[2], 2 * v[1]
    h = h + np.triu(h, 1).T
    assert_close(srcad.hessian(f)(v), h, rtol=1e-10)


# ---------------------------------------------------------------- ties: the documented choice

def test_a_tie_shares_the_derivative_equally(functions):
    f = functions["max_of_two"]           # max(x, y) * y at x == y: d/dx = y/2, d/dy = x/2 + y
    assert srcad.grad(f, wrt=(0, 1))(1.5, 1.5) == (0.75, 2.25)
    assert srcad.jvp(f, wrt=(0, 1))(1.5, 1.5, 1.0, 0.0)[1] == 0.75
    g = functions["max_of_an_array"]       # max(x) * min(x) + max(x * x)
    x = np.array([2.0, -1.0, 2.0])
    # max(x) = 2 at x0 and x2 (half each), min(x) = -1 at x1; max(x * x) = 4 at x0 and x2
    expected = np.array([-0.5 + 2.0, 2.0, -0.5 + 2.0])
    assert_close(srcad.grad(g)(x), expected, rtol=1e-12)
    assert_close(srcad.jvp(g)(x, np.array([1.0, 0.0, 1.0]))[1], -1.0 + 4.0, rtol=1e-12)


# ---------------------------------------------------------------- as Python, where Python raises

@pytest.mark.parametrize("how", ["grad", "jvp"])
def test_zip_strict_of_different_lengths_raises_as_python(how, functions):
    f = functions["zip_strict"]
    args = (X3, Y3[:2])
    with pytest.raises(ValueError):
        f(*args)
    with pytest.raises(ValueError, match="zip"):
        if how == "grad":
            srcad.grad(f, wrt=(0, 1))(*args)
        else:
            srcad.jvp(f, wrt=(0, 1))(*args, X3, Y3[:2])


def test_max_of_nothing_without_a_default_raises_as_python():
    g = load_function('''
def g(x):
    return max(v for v in x if v > 10.0) * x[0]
''', "g")
    with pytest.raises(ValueError):
        g(X3)
    with pytest.raises(ValueError):
        srcad.grad(g)(X3)
