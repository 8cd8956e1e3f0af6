"""Values srcad cannot follow are refused at the user's line, never taken for constants.

A helper with `*args` or `**kwargs` collects its arguments into a tuple or a dict that the
transforms do not see as those arguments (the gradient came out 0, or missed the keyword
argument); `np.r_[x, x]` and `np.c_[x, x]` build arrays by indexing a library object, which
has no derivative rule (the gradient came out 0). Each is refused in reverse and forward
mode; the spelling the hint suggests gives the right derivative.
"""
import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_directional, fd_grad, load_function

SOURCE = '''
import numpy as np


def _product(*args):
    return args[0] * args[1]


def _scaled(a, *rest):
    return a * rest[0]


def _keyword(a, **kw):
    return a * kw["b"]


def star(x):
    return _product(x, x)


def star_rest(x):
    return _scaled(x, 3.0)


def star_keywords(x):
    return _keyword(x, b=x)


def row_stack(x):
    return np.sum(np.r_[x, x] ** 2)


def column_stack(x):
    return np.sum(np.c_[x, 2.0 * x] ** 2)


def concatenated(x):
    return np.sum(np.concatenate([x, x]) ** 2) + np.sum(np.stack([x, 2.0 * x], axis=1) ** 2)
'''

X = np.array([1.0, -2.0, 0.5])
REFUSED = [
    ("star", 3.0, "return _product(x, x)", "takes \\*args"),
    ("star_rest", 3.0, "return _scaled(x, 3.0)", "takes \\*rest"),
    ("star_keywords", 3.0, "return _keyword(x, b=x)", "takes \\*\\*kw"),
    ("row_stack", X, "np.r_[x, x]", "np.r_\\[...\\] of x"),
    ("column_stack", X, "np.c_[x, 2.0 * x]", "np.c_\\[...\\] of"),
]


@pytest.mark.parametrize("name_, arg, line, what", REFUSED, ids=[r[0] for r in REFUSED])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_refused_at_the_line(name_, arg, line, what, mode):
    f = load_function(SOURCE, name_)
    with pytest.raises(srcad.SrcadError, match=what) as error:
        if mode == "reverse":
            srcad.grad(f)(arg)
        else:
            srcad.jvp(f)(arg, np.ones_like(arg))
    assert_cites(error.value, f, line)


def test_the_suggested_spelling_is_differentiated():
    f = load_function(SOURCE, "concatenated")
    assert_close(srcad.grad(f)(X), fd_grad(f, (X,)))
    assert srcad.jvp(f)(X, np.ones(3))[1] == pytest.approx(fd_directional(f, (X,), (0,), (np.ones(3),)))
    assert_close(srcad.grad(f)(X), 14.0 * X)  # f = 2 sum(x^2) + 5 sum(x^2)
