"""Containers in `wrt` and inside f (pytrees): dicts, lists, tuples, namedtuples, dataclasses and
objects with fields, nested; gradients of the same structure; vjp and jvp of structured values.

Oracle: central differences leaf by leaf (`helpers.tree_fd`, its own flatten, not srcad's).
"""
import dataclasses
import math
from collections import namedtuple

import numpy as np
import pytest

import srcad
from helpers import assert_close, assert_tree_close, fd_grad, tree_fd

Affine = namedtuple("Affine", "w b")


@dataclasses.dataclass
class Layer:
    W: np.ndarray
    b: np.ndarray


class Body:
    def __init__(self, mass, drag):
        self.mass, self.drag = mass, drag

    def energy(self, v):
        return 0.5 * self.mass * v * v + self.drag * v


@pytest.fixture
def params(rng):
    return {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
            "W2": rng.normal(size=(4, 1)), "b2": rng.normal(size=1)}


def mlp_loss(p, x, y):
    h = np.tanh(x @ p["W1"] + p["b1"])
    out = h @ p["W2"] + p["b2"]
    return np.mean((out[:, 0] - y) ** 2)


# ---------------------------------------------------------------- arguments in containers

def test_a_dict_of_arrays(params, rng):
    x, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    assert_tree_close(srcad.grad(mlp_loss)(params, x, y), tree_fd(mlp_loss, (params, x, y)))


def test_its_derivative_reads_leaves_as_names(params, rng):
    text = srcad.source(mlp_loss, args=(params, rng.normal(size=(5, 3)), rng.normal(size=5)))
    assert "def mlp_loss_vjp(p_W1, p_b1, p_W2, p_b2, x, y, " in text
    code = [line for line in text.splitlines() if not line.strip().startswith("#")]
    assert any("bp_W1 = " in line for line in code)
    assert not any('["' in line for line in code)  # no dictionary traffic: leaves are names


def test_value_and_grad_of_a_dict(params, rng):
    x, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    value, grads = srcad.value_and_grad(mlp_loss)(params, x, y)
    assert_close(value, mlp_loss(params, x, y))
    assert list(grads) == ["W1", "b1", "W2", "b2"]


def test_tuples_lists_of_floats_keep_their_type():
    def f(t):
        a, b = t
        return a * b + math.sin(t[0])
    assert srcad.grad(f)((2.0, 3.0)) == pytest.approx((3.0 + math.cos(2.0), 2.0))
    assert type(srcad.grad(f)((2.0, 3.0))) is tuple
    assert type(srcad.grad(f)([2.0, 3.0])) is list


def test_a_list_of_arrays_of_different_shapes(rng):
    def f(ws):
        return np.sum(ws[0] ** 2) + np.sum(ws[1]) * ws[-1][0]
    ws = [rng.normal(size=3), rng.normal(size=2)]
    assert_tree_close(srcad.grad(f)(ws), tree_fd(f, (ws,)))


def test_a_namedtuple_and_a_dataclass(rng):
    def f(q, x):
        return np.sum(np.tanh(x * q.w + q.b))
    x = rng.normal(size=3)
    q = Affine(rng.normal(size=3), 0.5)
    assert_tree_close(srcad.grad(f)(q, x), tree_fd(f, (q, x)))
    layer = Layer(rng.normal(size=(3, 2)), rng.normal(size=2))

    def g(layer, x):
        return np.sum((x @ layer.W + layer.b) ** 2)
    assert_tree_close(srcad.grad(g)(layer, x), tree_fd(g, (layer, x)))


def test_nested_containers(rng):
    def f(model, x):
        for W, b in model["layers"]:
            x = np.tanh(x @ W + b)
        return np.sum(x * model["scale"])
    model = {"layers": [(rng.normal(size=(3, 3)), rng.normal(size=3)),
                        (rng.normal(size=(3, 2)), rng.normal(size=2))], "scale": 1.5}
    x = rng.normal(size=(4, 3))
    assert_tree_close(srcad.grad(f)(model, x), tree_fd(f, (model, x)))


def test_loops_over_items_enumerate_zip(params):
    def f(p, weights):
        s = 0.0
        for k, v in p.items():
            s = s + np.sum(v * v) * weights[k]
        for i, key in enumerate(["W1", "b1"]):
            s = s + i * np.sum(p[key])
        for a, b in zip([p["b1"], p["b2"]], [1.0, 2.0]):
            s = s + b * np.sum(a)
        return s
    weights = {"W1": 1.0, "b1": 2.0, "W2": 3.0, "b2": 4.0}
    assert_tree_close(srcad.grad(f)(params, weights), tree_fd(f, (params, weights)))


def test_keys_bound_by_a_loop_index_the_container(params):
    def f(p):
        s = 0.0
        for k in p:
            s = s + np.sum(p[k] ** 3)
        return s + len(p)
    assert_tree_close(srcad.grad(f)(params), tree_fd(f, (params,)))


def test_literals_inside_f():
    def f(x, y):
        d = {"a": x * y, "b": math.sin(x)}
        d["c"] = d["a"] + d["b"]
        pair = (d, [x, y])
        first, rest = pair
        return first["c"] * rest[1]
    assert_close(srcad.grad(f, wrt=(0, 1))(0.7, 1.3), fd_grad(f, (0.7, 1.3), wrt=(0, 1)))


def test_a_list_used_as_a_whole_is_its_items():
    def f(xs, i):
        return np.sum(np.array(xs) ** 2) + xs[i] * 3.0
    assert srcad.grad(f)([1.0, 2.0, 3.0], 1) == pytest.approx([2.0, 7.0, 6.0])


def test_leaves_that_are_no_numbers_get_none():
    def f(p):
        return p["x"] * 2.0 if p["on"] else p["x"]
    assert srcad.grad(f)({"x": 1.5, "on": True, "name": "a"}) == {"x": 2.0, "on": None, "name": None}


def test_each_structure_its_own_derivative():
    def f(p):
        return p["a"] * p["a"]
    g = srcad.grad(f)
    assert g({"a": 3.0}) == {"a": 6.0}
    assert g({"a": 3.0, "b": 1.0}) == {"a": 6.0, "b": 0.0}


def test_wrt_self_differentiates_an_objects_fields():
    body = Body(2.0, 0.5)
    grad = srcad.grad(body.energy, wrt="self")(3.0)
    assert type(grad) is Body and (grad.mass, grad.drag) == pytest.approx((4.5, 3.0))
    assert srcad.grad(body.energy)(3.0) == pytest.approx(6.5)


def test_several_containers_and_a_float_in_wrt(rng):
    def f(a, s, b):
        return np.sum(a["u"] * b[0]) * s + b[1] ** 2
    a, b = {"u": rng.normal(size=3)}, (rng.normal(size=3), 0.7)
    ga, gs, gb = srcad.grad(f, wrt=(0, 1, 2))(a, 2.0, b)
    assert_tree_close(ga, tree_fd(f, (a, 2.0, b), 0))
    assert_close(gs, fd_grad(f, (a, 2.0, b), wrt=1))
    assert_tree_close(gb, tree_fd(f, (a, 2.0, b), 2))


# ---------------------------------------------------------------- structured values

def test_vjp_of_a_dict_and_a_tuple_output():
    def f(x, y):
        return {"sum": x + y, "prod": x * y, "sin": math.sin(x)}
    value, pullback = srcad.vjp(f, wrt=(0, 1))(2.0, 3.0)
    assert value == {"sum": 5.0, "prod": 6.0, "sin": math.sin(2.0)}
    assert pullback({"sum": 1.0, "prod": 2.0, "sin": 0.5}) == pytest.approx((1.0 + 6.0 + 0.5 * math.cos(2.0), 1.0 + 4.0))

    def g(x):
        return x * x, {"a": 3.0 * x}
    value, pullback = srcad.vjp(g)(2.0)
    assert value == (4.0, {"a": 6.0})
    assert pullback((1.0, {"a": 1.0})) == pytest.approx(7.0)


def test_vjp_with_a_container_argument(params, rng):
    def f(p, x):
        return np.tanh(x @ p["W1"] + p["b1"])
    x = rng.normal(size=(2, 3))
    value, pullback = srcad.vjp(f)(params, x)
    u = rng.normal(size=value.shape)
    assert_tree_close(pullback(u), tree_fd(lambda p, x: np.sum(u * f(p, x)), (params, x)))


def test_jvp_with_structured_tangents():
    def f(q, x):
        return {"y": q.w * x + q.b, "z": q.w * q.b}
    value, tangent = srcad.jvp(f)(Affine(2.0, 1.0), 3.0, Affine(1.0, 0.5))
    assert value == {"y": 7.0, "z": 2.0}
    assert tangent == pytest.approx({"y": 3.5, "z": 2.0})


def test_values_keys_and_items_as_lists():
    def f(p):
        total = 0.0
        for v in p.values():
            total = total + v * v
        return total * len(list(p.keys())) + np.sum(np.array(list(p.values())))
    assert srcad.grad(f)({"a": 1.0, "b": 2.0}) == pytest.approx({"a": 5.0, "b": 9.0})


# ---------------------------------------------------------------- refusals

def _helper(p):
    return p["w"]


def test_a_container_passed_to_a_helper_where_python_may_not_call_it_is_refused_at_its_line():
    # inside an expression it is inlined before the statement (test_helpers_given_containers.py)
    def f(p, x):
        return _helper(p) * 2.0 if x > 0 else x  # the refused line
    with pytest.raises(srcad.SrcadError, match="passing a container to a helper.*statement of its own") as info:
        srcad.grad(f)({"w": 1.0}, 1.0)
    assert info.value.lineno == f.__code__.co_firstlineno + 1

    def g(p):
        return np.sum(p) * 2.0
    with pytest.raises(srcad.SrcadError, match="use of a dict as a whole"):
        srcad.grad(g)({"w": 1.0})


def test_a_write_into_an_argument_writes_its_leaf_and_leaves_the_callers_as_it_was():
    def f(p):
        p["w"] = p["w"] * p["w"]
        p["v"] += p["w"]
        return p["w"] * p["v"]
    given = {"w": 1.5, "v": 2.0}
    assert srcad.grad(f)(given) == pytest.approx(tree_fd(f, ({"w": 1.5, "v": 2.0},)))
    assert given == {"w": 1.5, "v": 2.0}


def test_a_computed_key_of_a_dict_is_refused():
    def f(p, k):
        return p[k] * 2.0
    with pytest.raises(srcad.SrcadError, match="computed key"):
        srcad.grad(f)({"w": 1.0}, "w")


def test_a_container_without_numbers_is_refused():
    def f(p, x):
        return x
    with pytest.raises(srcad.SrcadError, match="no number"):
        srcad.grad(f)({"name": "a"}, 1.0)


def test_jacobian_with_respect_to_a_container(rng):
    def f(p, x):
        return np.tanh(p["W"] @ x) * p["s"]
    p, x = {"W": rng.normal(size=(2, 3)), "s": 1.5, "name": "a"}, rng.normal(size=3)
    jac = srcad.jacobian(f)(p, x)
    assert list(jac) == ["W", "s", "name"] and jac["name"] is None
    assert jac["W"].shape == (2, 2, 3) and jac["s"].shape == (2,)
    for i in range(2):  # row i: the gradient of output i
        assert_tree_close({"W": jac["W"][i], "s": float(jac["s"][i]), "name": None},
                          tree_fd(lambda p, x: f(p, x)[i], (p, x)))


def test_forward_jacobian_and_hessian_of_a_container():
    # refused before forward mode took containers; closed forms (more in test_forward_jacobians.py)
    def f(p):
        return p["w"] * 2.0
    jac = srcad.jacobian(f, mode="forward")({"w": np.ones(2)})
    assert list(jac) == ["w"]
    assert_close(jac["w"], 2.0 * np.eye(2))
    assert srcad.hessian(lambda p: p["w"] ** 3)({"w": 2.0}) == {"w": {"w": 12.0}}


# ---------------------------------------------------------------- helpers given or returning containers

def _layer(Wb, x):
    W, b = Wb
    return np.tanh(x @ W + b)


def _stack(layers, x):
    for Wb in layers:
        x = _layer(Wb, x)
    return np.sum(x)


def _affine(p, x):
    return {"out": x * p["w"] + p["b"], "w2": p["w"] * p["w"]}


def _uses_affine(p, x):
    r = _affine(p, x)
    return r["out"] * r["w2"]


def test_a_container_passed_to_a_helper_is_specialised_there(rng):
    layers = [(rng.normal(size=(3, 3)), rng.normal(size=3)), (rng.normal(size=(3, 2)), rng.normal(size=2))]
    x = rng.normal(size=(4, 3))
    assert_tree_close(srcad.grad(_stack)(layers, x), tree_fd(_stack, (layers, x)))


def test_a_dict_returned_by_a_helper():
    p = {"w": 1.5, "b": 0.5}
    assert_tree_close(srcad.grad(_uses_affine)(p, 2.0), tree_fd(_uses_affine, (p, 2.0)))
    assert_close(srcad.grad(_uses_affine, wrt=1)(p, 2.0), fd_grad(_uses_affine, (p, 2.0), wrt=1))


# ---------------------------------------------------------------- containers built in f, in loops

def _accumulate(x, n):
    d = {"a": 0.0, "b": 1.0}
    for _ in range(n):
        d["a"] = d["a"] + x * d["b"]
        d["b"] = d["b"] * x
    return d["a"]


def _swap(x, y):
    d = {"a": x, "b": y}
    d = {"a": d["b"], "b": d["a"] * 2.0}
    return d["a"] * 3.0 + d["b"]


def _alias(x):
    d = {"a": x}
    e = d
    d = {"a": x * x}
    return e["a"] + d["a"]


def _rebound_in_a_loop(x, n):
    h = {"v": x}
    for _ in range(n):
        h = {"v": h["v"] * x}
    return h["v"]


def _copied_from_an_argument(p):
    q = {"w": p["w"]}
    for _ in range(3):
        q["w"] = q["w"] * 2.0
    return q["w"] + p["w"]


@pytest.mark.parametrize("f, args", [(_accumulate, (1.5, 3)), (_swap, (2.0, 3.0)), (_alias, (2.0,)),
                                     (_rebound_in_a_loop, (1.5, 3))],
                         ids=["accumulate in a loop", "swap", "alias", "re-bound in a loop"])
def test_dicts_built_and_changed_in_f(f, args):
    assert_close(srcad.grad(f)(*args), fd_grad(f, args))


def test_a_copy_of_an_argument_changed_in_a_loop():
    assert srcad.grad(_copied_from_an_argument)({"w": 1.5}) == {"w": 9.0}


def test_a_loop_changing_a_containers_structure_is_refused():
    def f(x, n):
        h = {"v": x}
        for _ in range(n):
            h = {"w": h["v"] * x}
        return h["w"]
    with pytest.raises(srcad.SrcadError, match="loop that changes what the container h is made of"):
        srcad.grad(f)(1.5, 2)


def test_a_write_into_a_dict_another_name_holds_is_refused():
    def f(x):
        d = {"a": x}
        e = d
        e["a"] = x * x
        return d["a"]
    with pytest.raises(srcad.SrcadError, match="another name also holds"):
        srcad.grad(f)(1.5)


def test_leaf_names_of_two_containers_never_clash():
    def f(x, y):
        d = {"a_b": x}
        d_a = {"b": y}
        return d["a_b"] * 2.0 + d_a["b"] * 3.0
    assert srcad.grad(f, wrt=(0, 1))(1.0, 1.0) == (2.0, 3.0)
