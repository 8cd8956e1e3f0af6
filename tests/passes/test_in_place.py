"""In-place operators on arrays: handled where nothing else sees the array, refused elsewhere."""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

FRESH = '''
import numpy as np


def f(W, x, b):
    h = W @ x
    h += b
    h *= 2.0
    return np.sum(np.tanh(h))
'''

PARAMETER = '''
import numpy as np


def f(x):
    x += 1.0
    return np.sum(x * x)
'''

VIEW = '''
import numpy as np


def f(x):
    h = x * 2.0
    v = h[0:2]
    h += 1.0
    return np.sum(v * h[0:2])
'''


def test_an_in_place_update_of_a_fresh_array_is_differentiated():
    f = load_function(FRESH, "f")
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=3))
    got = srcad.grad(f, wrt=(0, 1, 2))(*args)
    assert_close(got, fd_grad(f, args, (0, 1, 2)))


def test_an_in_place_update_of_the_argument_goes_into_a_copy():
    f = load_function(PARAMETER, "f")
    x = np.array([0.5, 1.0, 2.0])
    assert_close(srcad.grad(f)(x), 2.0 * (x + 1.0))
    assert_close(x, np.array([0.5, 1.0, 2.0]))  # the caller's array as it was


@pytest.mark.parametrize("source, line", [(VIEW, 8)], ids=["view"])
def test_an_in_place_update_others_may_see_is_refused(source, line):
    f = load_function(source, "f")
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(np.array([0.5, 1.0, 2.0]))
    assert info.value.lineno == line
    assert "in-place" in str(info.value)
