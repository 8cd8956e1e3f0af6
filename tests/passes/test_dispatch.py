"""The generated stand-in's fast path: the argument types of its first call are tested one by
one before anything else, and every other combination of types still finds its own
specialisation. Each gradient is checked against its closed form, and against its type: an
int argument's gradient is a float, an array argument's an array of its shape."""
import math

import numpy as np
import pytest

import srcad
from helpers import Notebook


def _book():
    book = Notebook()
    book.run('''
        import math
        import numpy as np

        def f(x, y):
            return np.sum(x * x * y + np.sin(y))
    ''')
    return book


def _sum_to(a, shape):
    """`a` summed back to `shape`, as broadcasting spread it."""
    a = a.sum(axis=tuple(range(a.ndim - len(shape))))
    return a.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


def _expected(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    return _sum_to(2.0 * x * y + 0.0 * y, x.shape), _sum_to(x * x + np.cos(y) + 0.0 * x, y.shape)


CALLS = [(2.0, 5.0), (2, 5), (np.float64(2.0), 5.0), (np.array([1.0, 2.0]), 0.5), (2.0, 5),
         (np.array([[1.0], [3.0]]), np.array([0.5, 0.25])), (True, 2.0)]


@pytest.mark.parametrize("first", range(len(CALLS)))
def test_each_combination_of_types_after_any_first_one(first):
    book = _book()
    df = srcad.grad(book["f"], wrt=(0, 1))
    target = df.__srcad__.target
    order = CALLS[first:] + CALLS[:first]
    for x, y in order + order:
        if isinstance(x, bool):
            with pytest.raises(srcad.SrcadError, match="bool"):
                df(x, y)
            continue
        bx, by = df(x, y)
        want_x, want_y = _expected(x, y)
        np.testing.assert_allclose(bx, want_x, rtol=1e-12)
        np.testing.assert_allclose(by, want_y, rtol=1e-12)
        assert np.shape(bx) == np.shape(x) and np.shape(by) == np.shape(y)
        if type(x) is not np.float64:   # (its gradient's type is another issue's)
            assert type(bx) is (np.ndarray if np.ndim(x) else float)
    served = [call for call in order if type(call[0]) is not bool]   # a refused call claims nothing
    assert target.fast_key == tuple(map(type, served[0]))


def test_a_helper_redefined_after_the_fast_path_was_taken():
    book = Notebook()
    book.run('''
        import math

        def act(z):
            return math.tanh(z)

        def net(x):
            return 3.0 * act(x)
    ''')
    dnet = srcad.grad(book["net"])
    for _ in range(3):
        assert dnet(0.5) == pytest.approx(3.0 * (1.0 - math.tanh(0.5) ** 2))
    book.run('''
        def act(z):
            return z * z * z
    ''')
    for _ in range(3):   # the fast path's types still match: its guard sends the call on
        assert dnet(0.5) == pytest.approx(9.0 * 0.25)
        assert dnet(2) == pytest.approx(36.0)


def test_a_rule_registered_after_the_fast_path_was_taken():
    book = Notebook()
    book.run('''
        def soft(z):
            return z

        def f(x):
            return soft(x) * 2.0
    ''')
    df = srcad.grad(book["f"])
    assert df(0.5) == 2.0
    srcad.defvjp(book["soft"], lambda g, ans, z: g * 3.0 * z * z)
    assert df(0.5) == pytest.approx(2.0 * 0.75)


def test_the_fast_path_serves_a_function_with_defaults_and_a_flag():
    book = Notebook()
    book.run('''
        def f(x, scale=2.0, square=True):
            return scale * x * x if square else scale * x
    ''')
    df = srcad.grad(book["f"])
    assert df(3.0) == pytest.approx(12.0)
    assert df(3.0, 1.0) == pytest.approx(6.0)
    assert df(3.0, 1.0, False) == pytest.approx(1.0)
    assert df(3.0, scale=4.0) == pytest.approx(24.0)
    assert df(3.0) == pytest.approx(12.0)
