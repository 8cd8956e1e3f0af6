"""Forward-mode Jacobians and Hessians with respect to containers, structured as JAX's jacfwd
and hessian: the output's structure outside, the argument's inside, each block of shape
out_leaf.shape + arg_leaf.shape (None where a leaf holds no number); for an output that is no
container, the argument's structure of blocks out.shape + leaf.shape, as reverse mode gives.

Oracle: central differences of the function (or of its gradient, for Hessians), element by
element of each leaf, arranged here independently of srcad; and closed forms.
"""
import dataclasses
from collections import namedtuple

import numpy as np
import pytest

import srcad
from helpers import assert_close

Affine = namedtuple("Affine", "w b")


@dataclasses.dataclass
class Layer:
    W: np.ndarray
    c: float


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in _leaves(v)]
    if dataclasses.is_dataclass(tree):
        return [leaf for f in dataclasses.fields(tree) for leaf in _leaves(getattr(tree, f.name))]
    return [tree]


def _replaced(tree, k, value):
    """`tree` with its leaf number `k` (in _leaves' order) replaced."""
    count = [0]

    def rebuild(t):
        if isinstance(t, dict):
            return {key: rebuild(v) for key, v in t.items()}
        if isinstance(t, tuple) and hasattr(t, "_fields"):
            return type(t)(*[rebuild(v) for v in t])
        if isinstance(t, (list, tuple)):
            return type(t)(rebuild(v) for v in t)
        if dataclasses.is_dataclass(t):
            return type(t)(*[rebuild(getattr(t, f.name)) for f in dataclasses.fields(t)])
        count[0] += 1
        return value if count[0] - 1 == k else t
    return rebuild(tree)


def fd_blocks(fun, x, h=1e-5):
    """[[block of output leaf m with respect to leaf k of x]] by central differences: each
    block of shape out_leaf.shape + leaf.shape."""
    leaves = _leaves(x)
    out_leaves = _leaves(fun(x))
    blocks = [[None] * len(leaves) for _ in out_leaves]
    for k, leaf in enumerate(leaves):
        base = np.asarray(leaf, dtype=float)
        columns = []
        for index in np.ndindex(base.shape):
            up, down = base.copy(), base.copy()
            up[index] += h
            down[index] -= h
            as_leaf = (lambda a: float(a)) if np.ndim(leaf) == 0 and not isinstance(leaf, np.ndarray) else (lambda a: a)
            plus, minus = _leaves(fun(_replaced(x, k, as_leaf(up)))), _leaves(fun(_replaced(x, k, as_leaf(down))))
            columns.append([(np.asarray(p, float) - np.asarray(m, float)) / (2 * h) for p, m in zip(plus, minus)])
        for m, out in enumerate(out_leaves):
            stacked = np.array([c[m] for c in columns]).reshape(base.shape + np.shape(out))
            moved = np.moveaxis(stacked, tuple(range(base.ndim)), tuple(range(np.ndim(out), np.ndim(out) + base.ndim)))
            blocks[m][k] = moved
    return blocks


def _rows(tree):
    """The items of a Jacobian's outer structure (each of the argument's structure)."""
    if isinstance(tree, dict):
        return list(tree.values())
    if dataclasses.is_dataclass(tree):
        return [getattr(tree, f.name) for f in dataclasses.fields(tree)]
    return list(tree)


def assert_blocks(jacobian, expected, outer_is_container, rtol=1e-6):
    rows = _rows(jacobian) if outer_is_container else [jacobian]
    assert len(rows) == len(expected)
    for row, row_expected in zip(rows, expected):
        got = _leaves(row)
        assert len(got) == len(row_expected)
        for a, e in zip(got, row_expected):
            assert_close(np.asarray(a, dtype=float) if np.ndim(e) else float(a), e if np.ndim(e) else float(e),
                         rtol=rtol, atol=1e-7)


def _mlp(p, x):
    return np.tanh(p["W"] @ x + p["b"]) * p["c"]


def _loss(p, x):
    out = np.tanh(p["W"] @ x + p["b"]) * p["c"]
    return np.sum(out ** 2) + p["c"] ** 3


def _affine_sum(a, x):
    return np.sum(np.sin(a.w * x) + a.b ** 2 * x)


def _layer_energy(layer, x):
    return np.sum((layer.W @ x) ** 2) * layer.c


def _list_of_mixed(ws, x):
    return np.sum(ws[0] * x) ** 2 + ws[1] * np.sum(ws[0]) + ws[1] ** 3


@pytest.fixture
def p():
    return {"W": np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]), "b": np.array([0.1, -0.2]), "c": 0.5}


@pytest.fixture
def x():
    return np.array([1.0, 2.0, -1.5])


def test_forward_jacobian_of_an_array_output_with_respect_to_a_dict(p, x):
    J = srcad.jacobian(_mlp, mode="forward")(p, x)
    assert list(J) == ["W", "b", "c"]
    assert J["W"].shape == (2, 2, 3) and J["b"].shape == (2, 2) and J["c"].shape == (2,)
    expected = fd_blocks(lambda q: _mlp(q, x), p)
    assert_blocks(J, expected, outer_is_container=False)
    reverse = srcad.jacobian(_mlp)(p, x)  # the same structure as reverse mode's
    for key in J:
        assert_close(J[key], reverse[key])


def test_hessian_with_respect_to_a_dict_is_a_dict_of_dicts(p, x):
    H = srcad.hessian(_loss)(p, x)
    assert list(H) == ["W", "b", "c"] and all(list(row) == ["W", "b", "c"] for row in H.values())
    assert H["W"]["W"].shape == (2, 3, 2, 3) and H["W"]["c"].shape == (2, 3) and H["b"]["W"].shape == (2, 2, 3)
    assert type(H["c"]["c"]) is float
    expected = fd_blocks(lambda q: srcad.grad(_loss)(q, x), p)
    assert_blocks(H, expected, outer_is_container=True, rtol=1e-5)
    assert_close(H["W"]["b"], np.moveaxis(H["b"]["W"], 0, -1), rtol=1e-10)  # symmetric


@pytest.mark.parametrize("f, arg", [
    (_affine_sum, Affine(np.array([0.3, -0.7, 0.2]), 1.5)),
    (_layer_energy, Layer(np.array([[0.2, 0.1, 0.0], [0.3, -0.2, 0.4]]), 0.7)),
    (_list_of_mixed, [np.array([0.3, 0.2, 0.1]), 0.8])], ids=["namedtuple", "dataclass", "list"])
def test_hessians_of_other_containers(f, arg, x):
    H = srcad.hessian(f)(arg, x)
    assert type(H) is type(arg) and all(type(row) is type(arg) for row in _rows(H))
    expected = fd_blocks(lambda q: srcad.grad(f)(q, x), arg)
    assert_blocks(H, expected, outer_is_container=True, rtol=1e-5)


def test_a_leaf_with_no_number_gets_none(x):
    p = {"w": np.array([0.5, -0.25, 1.0]), "name": "layer", "c": 2.0}

    def f(p, x):
        return np.sum(np.sin(p["w"] * x)) * p["c"]
    H = srcad.hessian(f)(p, x)
    assert H["name"] is None and H["w"]["name"] is None and H["c"]["name"] is None
    assert_close(H["c"]["w"], x * np.cos(p["w"] * x))  # closed form
    assert_close(H["w"]["w"], np.diag(-p["c"] * x ** 2 * np.sin(p["w"] * x)))
    J = srcad.jacobian(f, mode="forward")(p, x)
    assert J["name"] is None
    assert_close(J["c"], float(np.sum(np.sin(p["w"] * x))))


def test_jvp_and_mixed_jacobians_of_a_gradient_with_respect_to_a_dict(p, x):
    g = srcad.grad(_loss)
    tangent = {"W": np.ones((2, 3)), "b": np.array([1.0, -1.0]), "c": 0.5}
    value, dgrad = srcad.jvp(g)(p, x, tangent)
    h = 1e-6
    plus = g({k: p[k] + h * tangent[k] for k in p}, x)
    minus = g({k: p[k] - h * tangent[k] for k in p}, x)
    for key in p:
        assert_close(value[key], g(p, x)[key])
        assert_close(dgrad[key], (plus[key] - minus[key]) / (2 * h), rtol=1e-5)
    # the gradient with respect to p, differentiated with respect to x, and the other way round
    d_grad_p_dx = srcad.jacobian(g, wrt=1, mode="forward")(p, x)
    d_grad_x_dp = srcad.jacobian(srcad.grad(_loss, wrt=1), wrt=0, mode="forward")(p, x)
    assert d_grad_p_dx["W"].shape == (2, 3, 3) and d_grad_x_dp["W"].shape == (3, 2, 3)
    assert_close(d_grad_p_dx["W"], np.moveaxis(d_grad_x_dp["W"], 0, -1), rtol=1e-10)
    assert_close(d_grad_p_dx["c"], d_grad_x_dp["c"], rtol=1e-10)
    expected = fd_blocks(lambda y: srcad.grad(_loss)(p, y), x)
    for row, key in zip(expected, p):
        assert_close(d_grad_p_dx[key], row[0], rtol=1e-5, atol=1e-7)


def test_forward_jacobian_with_respect_to_a_container_and_an_array(p, x):
    J_p, J_x = srcad.jacobian(_mlp, wrt=(0, 1), mode="forward")(p, x)
    R_p, R_x = srcad.jacobian(_mlp, wrt=(0, 1))(p, x)
    assert_close(J_x, R_x)
    for key in p:
        assert_close(J_p[key], R_p[key])
