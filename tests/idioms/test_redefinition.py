"""Re-defining a helper after the first call, as a notebook user does: the derivatives of
functions calling it from a comprehension, a nested function and a method called through its
class are made afresh (never the stale one), in reverse and forward mode."""
import sys

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_directional, fd_grad, load_function

X = np.array([0.5, -1.2, 0.8])

SOURCE = """
import numpy as np


def helper(v):
    return v * v


def in_a_comprehension(x):
    return sum(helper(v) for v in x) + np.sum([helper(a) * b for a, b in zip(x, x[::-1])])


def in_a_nested_function(x):
    def inner(v):
        return helper(v) * 2.0
    return inner(x[0]) + inner(x[1])


class Model:
    def apply(self, x):
        return helper(x[0]) * x[1]


def in_a_method(x):
    return Model.apply(Model(), x)
"""

NEW_HELPER = """
import numpy as np


def helper(v):
    return np.sin(v) * v
"""


@pytest.mark.parametrize("name", ["in_a_comprehension", "in_a_nested_function", "in_a_method"])
def test_a_helper_redefined_after_the_first_call(name):
    f = load_function(SOURCE, name)
    gradient, tangent = srcad.grad(f), srcad.jvp(f)
    direction = np.array([0.3, -0.2, 0.5])
    for _ in range(2):  # before and after the helper is re-bound
        assert_close(gradient(X), fd_grad(f, (X,), 0), rtol=1e-6)
        assert tangent(X, direction)[1] == pytest.approx(fd_directional(f, (X,), [0], [direction]), rel=1e-6)
        sys.modules[f.__module__].helper = load_function(NEW_HELPER, "helper")
