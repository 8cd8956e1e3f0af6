"""Bugs the fuzzer found, each minimised to a few lines and checked against finite differences."""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

Y = np.array([0.5, -1.2, 0.8])
Z = np.array([0.3, 0.7, -0.4])

# Each: (source, arguments, wrt). Found as seeds 50, 156, 19 of the fixed set.
CASES = {
    # `x = x` in a branch: the copy's adjoint flowed into itself and was then reset (gave 0)
    "self_assignment_in_branch": ("""
        def f(x, c):
            if c > 0.0:
                x = x
            return x * x
        """, (0.5, 1.0), 0),
    "self_assignment_of_array_in_loop": ("""
        import numpy as np
        def f(y):
            for k in range(2):
                y = y
                y = y * y
            return np.sum(y)
        """, (Y,), 0),
    # `for e in y:` goes on over the array y held when the loop began, even when the body
    # re-binds y; the reverse sweep read (and added into) the new one
    "loop_over_rebound_array": ("""
        import numpy as np
        def f(y):
            for e in y:
                y = y * e
            return np.sum(y)
        """, (Y,), 0),
    "enumerate_over_rebound_array": ("""
        import numpy as np
        def f(y):
            for k, e in enumerate(y):
                y = y * e + k
            return np.sum(y)
        """, (Y,), 0),
    "zip_over_rebound_arrays": ("""
        import numpy as np
        def f(y, z):
            for a, b in zip(y, z):
                y = y * b + a
                z = z * a
            return np.sum(y) + np.sum(z)
        """, (Y, Z), (0, 1)),
    "reversed_over_rebound_array": ("""
        import numpy as np
        def f(y):
            for e in reversed(y):
                y = np.sin(y) * e
            return np.sum(y)
        """, (Y,), 0),
    # a float argument re-bound to an array's element: its gradient is still a float
    "float_argument_rebound_to_element": ("""
        import numpy as np
        def f(x, y):
            s = x * 3.0
            for e in y:
                x = e
            return x * 2.0 + s
        """, (0.3, Y), (0, 1)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("transform", ["grad", "value_and_grad"])
def test_gradient(name, transform):
    source, args, wrt = CASES[name]
    f = load_function(source, "f")
    expected = fd_grad(f, args, wrt)
    if transform == "grad":
        actual = srcad.grad(f, wrt=wrt)(*args)
    else:
        value, actual = srcad.value_and_grad(f, wrt=wrt)(*args)
        assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(actual, expected, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp(name, rng):
    source, args, wrt = CASES[name]
    f = load_function(source, "f")
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    directions = [rng.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray)
                  else float(rng.standard_normal()) for p in positions]
    gradients = fd_grad(f, args, positions)
    expected = sum(float(np.sum(g * d)) for g, d in zip(gradients, directions))
    value, tangent = srcad.jvp(f, wrt=wrt)(*args, *directions)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)
