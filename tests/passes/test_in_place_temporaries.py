"""Large temporaries reused in place (srcad/optimize/in_place.py, `_rt.into`, `_rt.expit`'s
`overwrite`): in a gradient specialised on shapes of at least in_place.LARGE elements, an
array the derivative made and reads only once gives its memory to the next result. The
gradients are bit for bit those of the general derivative (no shapes, no such pass), equal
their closed forms or finite differences, and leave the caller's arrays as they were."""
import numpy as np
import pytest

import srcad
from helpers import assert_close, copied, fd_directional, inner, load_function
from srcad import runtime as _rt
from srcad.optimize.in_place import LARGE
from test_shapes import general

LOGISTIC = """
import numpy as np

def loss(w, X, y, lam):
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z)) + lam * np.sum(w * w)
"""


def logistic_args(n, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return rng.standard_normal(d) * 0.3, X, np.where(rng.standard_normal(n) > 0, 1.0, -1.0), 0.01


def logistic_closed_form(w, X, y, lam):
    s = -y / (1.0 + np.exp(y * (X @ w)))
    return X.T @ s / X.shape[0] + 2.0 * lam * w


def test_logistic_gradient_reuses_its_temporaries_and_is_unchanged():
    loss = load_function(LOGISTIC, "loss")
    args = logistic_args(LARGE + 5)
    text = srcad.source(loss, of="grad", args=args)
    assert "t2 = _rt.into(z, np.multiply, t1)" in text, text
    assert "bt2 = bt3 * _rt.expit(t2, overwrite=True)" in text, text  # numpy reuses the product
    assert "bz = _rt.into(bt2, np.multiply, t1)" in text, text
    # the spread's carrier is read no more: its stand-in goes, a comment says so
    assert "t3 = _rt.stand_in" not in text and "# t3 = np.logaddexp(0.0, t2): not needed" in text
    before = copied(args)
    for _ in range(3):  # the first call, then the stand-in's own path
        got = srcad.grad(loss)(*args)
        np.testing.assert_array_equal(got, general(loss, "w", args))
        assert_close(got, logistic_closed_form(*args), rtol=1e-10, atol=1e-14)
        for a, b in zip(args, before):
            np.testing.assert_array_equal(a, b)


def test_small_arrays_are_left_to_numpy():
    loss = load_function(LOGISTIC, "loss")
    text = srcad.source(loss, of="grad", args=logistic_args(LARGE - 1))
    assert "_rt.into" not in text and "overwrite" not in text
    assert "bt2 = bt3 * _rt.expit(t2)" in text  # the number, not spread over the shape


def test_a_float32_gradient_keeps_the_spread_cotangent():
    loss = load_function(LOGISTIC, "loss")
    w, X, y, lam = logistic_args(200)
    args = (w.astype(np.float32), X.astype(np.float32), y.astype(np.float32), lam)
    text = srcad.source(loss, of="grad", args=args)
    assert "_rt.spread(bt3, t3)" in text
    got = srcad.grad(loss)(*args)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, general(loss, "w", args))


BODIES = [
    # a temporary read twice is not reused; one read once is
    "    a = x * y\n    b = a * 2.0\n    c = b - a\n    return np.sum(c * c)\n",
    # a view of a temporary is read later: the temporary is read twice, never written over
    "    a = x * y\n    v = a[1:]\n    c = a * 3.0\n    return np.sum(c[:-1] * v) + np.sum(np.exp(c))\n",
    # ufuncs, division, a number on either side, a size-1 array broadcast
    "    a = np.tanh(x) / y\n    b = 2.0 - a\n    c = one * b\n    return np.sum(np.sin(c) * a)\n",
    # a parameter is never written into, nor a slice of one
    "    c = x * y\n    d = x[::1] + c\n    return np.sum(d * d) + np.sum(x * x)\n",
    # logaddexp's expit on a temporary read for its shape too
    "    z = x * y\n    return np.mean(np.logaddexp(0.0, -z)) + np.sum(z * z)\n",
]


@pytest.mark.parametrize("body", BODIES)
def test_random_programs_equal_the_general_derivative(body):
    f = load_function("import numpy as np\n\ndef f(x, y, one):\n" + body, "f")
    rng = np.random.default_rng(len(body))
    n = LARGE + 3
    args = (rng.standard_normal(n), rng.uniform(0.5, 1.5, n), np.array([1.5]))
    before = copied(args)
    g = srcad.grad(f, (0, 1))
    for _ in range(3):
        got = g(*args)
        for a, b in zip(got, general(f, ("x", "y"), args)):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(args, before):
            np.testing.assert_array_equal(a, b)
    # against finite differences along a random direction (five points)
    directions = [rng.standard_normal(n) / np.sqrt(n) for _ in range(2)]
    slope = fd_directional(f, args, (0, 1), directions)
    assert inner(got[0], directions[0]) + inner(got[1], directions[1]) == pytest.approx(slope, rel=1e-6)


def test_into_writes_only_where_the_result_fits():
    a = np.arange(4.0)
    out = _rt.into(a, np.multiply, 2.0)
    assert out is a and list(out) == [0.0, 2.0, 4.0, 6.0]
    # float32 times a float64 array is float64: a new array, a itself unchanged
    a32 = np.ones(3, np.float32)
    out = _rt.into(a32, np.add, np.full(3, 0.1))
    assert out.dtype == np.float64 and out is not a32 and list(a32) == [1.0, 1.0, 1.0]
    # the result is larger than a (broadcast): a new array
    out = _rt.into(np.ones(3), np.subtract, np.ones((2, 3)))
    assert out.shape == (2, 3)
    # a view does not own its memory: not written into
    base = np.ones(6)
    out = _rt.into(base[::2], np.multiply, 5.0)
    assert out is not base and list(base) == [1.0] * 6
    # numbers and integer arrays: as the operator gives
    assert _rt.into(3.0, np.divide, 2.0) == 1.5
    out = _rt.into(np.arange(3), np.divide, 2)
    assert out.dtype == np.float64 and list(out) == [0.0, 0.5, 1.0]


@pytest.mark.parametrize("low", [-3.0, -800.0])  # the second: the exp(-|z|) form
def test_expit_overwrite_gives_the_same_bits(low):
    z = np.linspace(low, 30.0, 101)
    expected = _rt.expit(z.copy())
    mine = z.copy()
    np.testing.assert_array_equal(_rt.expit(mine, overwrite=True), expected)
    base = z.copy()
    np.testing.assert_array_equal(_rt.expit(base[::2], overwrite=True), expected[::2])
    np.testing.assert_array_equal(base, z)  # a view is not written over


def test_value_and_grad_keeps_what_the_value_reads():
    loss = load_function(LOGISTIC, "loss")
    args = logistic_args(LARGE + 7, seed=3)
    text = srcad.source(loss, of="value_and_grad", args=args)
    assert "bz = _rt.into(bt2, np.multiply, t1)" in text
    assert "overwrite" not in text  # t2 is read for the value too: expit must not write into it
    for _ in range(3):
        value, got = srcad.value_and_grad(loss)(*args)
        assert value == loss(*args)
        np.testing.assert_array_equal(got, general(loss, "w", args))
