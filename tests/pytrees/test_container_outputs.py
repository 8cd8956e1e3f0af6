"""Functions whose output is a container (a dict, a tuple, a list inside a tuple): `jvp`'s value
and tangent, and the Jacobians of both modes, have the output's structure, as JAX's jvp, jacfwd
and jacrev (the output's structure outside; blocks of shape out_leaf.shape + arg.shape, or the
argument's structure of them, inside); and the transforms of scalar functions of containers.

Oracle: central differences of each output leaf, element by element of each argument leaf,
arranged here independently of srcad; and closed forms. (srcad.tape takes no containers.)
"""
import math

import numpy as np
import pytest

import srcad
from helpers import assert_close, load_function

SOURCE = """
import numpy as np


def squares(x):
    return {"a": x * x, "b": x}


def mixed(x):
    return (x * x, [x, 2.0 * x])


def summary(x):
    return {"s": np.sum(x ** 2), "v": np.sin(x) * x[0]}


def of_dict(p):
    return {"prod": p["u"] * p["w"], "u": np.exp(p["u"])}


def two(x, y):
    return {"xy": x * y, "y": np.cos(y)}


def energy(p):
    return p["u"] ** 2 * np.sum(p["w"] ** 3)


def pair(t):
    return t[0] ** 2 * t[1] + np.sin(t[1])


def cubic(c, x):
    return c["s"] * x ** 3 + c["t"] * x
"""


def fn(name):
    return load_function(SOURCE, name)


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in _leaves(v)]
    return [tree]


def _rebuilt(like, leaves):
    """A value of `like`'s structure (dicts, lists, tuples) with these leaves, in order."""
    leaves = iter(leaves)

    def build(t):
        if isinstance(t, dict):
            return {k: build(v) for k, v in t.items()}
        if isinstance(t, (list, tuple)):
            return type(t)(build(v) for v in t)
        return next(leaves)
    return build(like)


def _bumped(x, index, h):
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return x + h
    bumped = np.array(x, dtype=float)
    bumped[index] += h
    return bumped


def fd_jacobian(f, args, position, h=1e-6):
    """The Jacobian of f's output with respect to args[position] (a float, an array, or a
    container of them): the output's structure, each output leaf a block of shape
    out_leaf.shape + arg.shape, or, for a container argument, the argument's structure of them."""
    argument = args[position]
    leaves = _leaves(argument)
    out_leaves = _leaves(f(*args))
    blocks = [[None] * len(leaves) for _ in out_leaves]
    for k, leaf in enumerate(leaves):
        columns = []
        for index in np.ndindex(np.shape(leaf)):
            def at(step):
                moved = list(leaves)
                moved[k] = _bumped(leaf, index, step)
                changed = list(args)
                changed[position] = _rebuilt(argument, moved)
                return [np.asarray(v, dtype=float) for v in _leaves(f(*changed))]
            columns.append([(p - m) / (2 * h) for p, m in zip(at(h), at(-h))])
        for m, out in enumerate(out_leaves):
            stacked = np.array([c[m] for c in columns]).reshape(np.shape(leaf) + np.shape(out))
            block = np.moveaxis(stacked, tuple(range(np.ndim(leaf))),
                                tuple(range(np.ndim(out), np.ndim(out) + np.ndim(leaf))))
            blocks[m][k] = float(block) if block.ndim == 0 else block  # scalar by scalar: a float
    rows = [_rebuilt(argument, row) if isinstance(argument, (dict, list, tuple)) else row[0] for row in blocks]
    return _rebuilt(f(*args), rows)


def assert_same_structure_and_close(actual, expected):
    """Same dict keys, sequence types and lengths all the way down; leaves close (and a float
    where a float is expected)."""
    assert type(actual) is type(expected), (type(actual), type(expected))
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
        for k in expected:
            assert_same_structure_and_close(actual[k], expected[k])
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same_structure_and_close(a, e)
    else:
        assert np.shape(actual) == np.shape(expected)
        assert_close(actual, expected, rtol=1e-6, atol=1e-7)


def test_jvp_of_a_dict_output_is_a_pair_of_dicts():
    value, tangent = srcad.jvp(fn("squares"))(3.0, 1.0)
    assert value == {"a": 9.0, "b": 3.0}
    assert tangent == {"a": 6.0, "b": 1.0}  # closed form: d(x*x) = 2x dx, d(x) = dx
    assert all(type(v) is float for v in list(value.values()) + list(tangent.values()))


def test_jvp_of_dict_and_tuple_outputs_of_arrays(rng):
    x, dx = rng.normal(size=3), rng.normal(size=3)
    f = fn("summary")
    value, tangent = srcad.jvp(f)(x, dx)
    assert list(value) == ["s", "v"] and list(tangent) == ["s", "v"]
    jac = fd_jacobian(f, (x,), 0)
    assert_close(tangent["s"], jac["s"] @ dx)
    assert_close(tangent["v"], jac["v"] @ dx)
    value, tangent = srcad.jvp(fn("mixed"))(2.0, 0.5)
    assert value == (4.0, [2.0, 4.0]) and tangent == (2.0, [0.5, 1.0])


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("name, x", [("squares", 3.0), ("mixed", -1.5), ("summary", np.array([0.3, -1.2, 2.0]))])
def test_jacobian_of_a_container_output_has_its_structure(mode, name, x):
    f = fn(name)
    assert_same_structure_and_close(srcad.jacobian(f, mode=mode)(x), fd_jacobian(f, (x,), 0))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_a_dict_output_with_respect_to_a_dict(mode):
    f, p = fn("of_dict"), {"u": 0.7, "w": np.array([1.0, -2.0])}
    J = srcad.jacobian(f, mode=mode)(p)
    assert_same_structure_and_close(J, fd_jacobian(f, (p,), 0))
    assert J["prod"]["w"].shape == (2, 2) and J["u"]["w"].shape == (2,)  # out_leaf + arg_leaf


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_a_dict_output_with_respect_to_two_arguments(mode):
    f, x, y = fn("two"), np.array([1.0, 2.0]), 0.4
    J_x, J_y = srcad.jacobian(f, wrt=(0, 1), mode=mode)(x, y)
    assert_same_structure_and_close(J_x, fd_jacobian(f, (x, y), 0))
    assert_same_structure_and_close(J_y, fd_jacobian(f, (x, y), 1))


def test_value_and_grad_and_hessian_of_dict_tuple_and_list_arguments():
    p = {"u": 0.8, "w": np.array([0.5, -1.0, 2.0])}
    value, gradient = srcad.value_and_grad(fn("energy"))(p)
    assert value == pytest.approx(0.8 ** 2 * 7.125)
    assert_same_structure_and_close(gradient, {"u": 2 * 0.8 * 7.125, "w": 0.8 ** 2 * 3 * p["w"] ** 2})
    H = srcad.hessian(fn("energy"))(p)
    grad_energy = srcad.grad(fn("energy"))
    assert_same_structure_and_close(H, fd_jacobian(lambda q: grad_energy(q), (p,), 0))
    pair = fn("pair")
    for t in [(1.5, 0.3), [1.5, 0.3]]:
        # closed form: d/da (a^2 b + sin b) = 2ab, d/db = a^2 + cos b
        a, b = t
        assert_same_structure_and_close(srcad.grad(pair)(t), type(t)([2 * a * b, a * a + math.cos(b)]))
        expected = type(t)([type(t)([2 * b, 2 * a]), type(t)([2 * a, -math.sin(b)])])
        assert_same_structure_and_close(srcad.hessian(pair)(t), expected)


def test_gradient_of_a_gradient_given_a_container_argument():
    # a derivative srcad made, given a dict: forward mode over its code (it was parsed as if it
    # were the user's function, "its source code cannot be read"). Closed forms: d/dx = 3 s x^2 + t
    c, x = {"s": 1.5, "t": 2.0}, 0.5
    dfdx = srcad.grad(fn("cubic"), wrt=1)
    assert srcad.grad(dfdx, wrt=1)(c, x) == pytest.approx(6 * 1.5 * 0.5)
    assert srcad.value_and_grad(dfdx, wrt=1)(c, x) == pytest.approx((3 * 1.5 * 0.25 + 2.0, 6 * 1.5 * 0.5))
    assert_same_structure_and_close(srcad.grad(dfdx, wrt=0)(c, x), {"s": 3 * 0.25, "t": 1.0})
