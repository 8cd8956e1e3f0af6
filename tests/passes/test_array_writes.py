"""Writes into arrays (`a[i] = v`, `a[i] += v`): handled by saving what they overwrite, or
refused when an alias, a view or the caller could see the array change."""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

MODULE = '''
import numpy as np


def fill(x, n):
    out = np.zeros(n)
    for i in range(n):
        out[i] = x[i] * x[i] + 1.0
    return np.sum(out * out)


def overwrite(x):
    a = x * 2.0
    b = a * a
    a[0] = 5.0
    return np.sum(a * b)


def rows(h0, W, n):
    H = np.zeros((n + 1, h0.shape[0]))
    H[0] = h0
    for t in range(n):
        H[t + 1] = np.tanh(W @ H[t])
    return np.sum(H * H)


def accumulate(x):
    a = np.zeros(3)
    for i in range(3):
        a[i] += x[i] * 2.0
        a[i] += x[i] ** 2
    return np.sum(a * x)


def into_a_list(x):
    items = [0.0, x[1], 1.0]
    items[0] = x[0] * x[2]
    items[1] = items[1] * 3.0
    return items[0] * items[1] + items[2] * x[2]


def into_argument(x):
    x[0] = 1.0
    return np.sum(x)


def through_a_view(x):
    a = x * 1.0
    v = a[0:2]
    a[0] = 3.0
    return np.sum(v)
'''


@pytest.fixture(scope="module")
def module():
    return load_function(MODULE, "fill").__globals__


RNG = np.random.default_rng(3)
CASES = [
    ("fill", (RNG.normal(size=4), 4), 0),
    ("overwrite", (RNG.normal(size=4),), 0),
    ("rows", (RNG.normal(size=3), 0.5 * RNG.normal(size=(3, 3)), 4), (0, 1)),
    ("accumulate", (RNG.normal(size=3),), 0),
    ("into_a_list", (RNG.normal(size=3),), 0),  # its adjoint is a list: zero_at on a list
]


@pytest.mark.parametrize("name, args, wrt", CASES, ids=[c[0] for c in CASES])
def test_writes_into_arrays_are_differentiated(module, name, args, wrt):
    f = module[name]
    assert_close(srcad.grad(f, wrt=wrt)(*args), fd_grad(f, args, wrt))


def test_an_overwritten_value_the_reverse_sweep_needs_is_saved(module):
    text = srcad.source(module["overwrite"], args=(np.ones(3),))
    assert "_rt.saved(a[0])" in text and "a[0] = _tape.pop()" in text


def test_a_write_into_the_argument_goes_into_a_copy(module):
    x = np.array([0.5, 1.0, 2.0])
    assert_close(srcad.grad(module["into_argument"])(x), np.array([0.0, 1.0, 1.0]))
    assert_close(x, np.array([0.5, 1.0, 2.0]))  # the caller's array as it was


@pytest.mark.parametrize("name, statement, words", [("through_a_view", "a[0] = 3.0", "view")])
def test_writes_others_could_see_are_refused(module, name, statement, words):
    f = module[name]
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(np.array([0.5, 1.0, 2.0]))
    lines = open(f.__code__.co_filename).read().splitlines()
    assert lines[info.value.lineno - 1].strip() == statement
    assert words in str(info.value)
