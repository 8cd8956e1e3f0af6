"""A corpus in the style of peers' own test suites: a lambda per test, library functions passed
as they are, parameters in containers. Each is checked against central differences of the
function itself (leaf by leaf for containers), and the counts are asserted.
"""
import dataclasses
import math
import operator
from collections import namedtuple

import numpy as np
import pytest

import srcad
from helpers import assert_close, assert_tree_close, fd_grad, tree_fd

Pair = namedtuple("Pair", "w b")


@dataclasses.dataclass
class Dense:
    W: np.ndarray
    b: np.ndarray


_R = np.random.default_rng(13)
V3 = _R.normal(size=3)
V4 = _R.normal(size=4)
M34 = _R.normal(size=(3, 4))
M33 = _R.normal(size=(3, 3)) + 3.0 * np.eye(3)
POS3 = np.abs(_R.normal(size=3)) + 0.5
UNIT3 = _R.uniform(-0.8, 0.8, size=3)

# (name, function, arguments, wrt): a lambda per test
LAMBDAS = [
    ("square plus sin", lambda x: x ** 2 + np.sin(x), (1.0,), 0),
    ("cubic", lambda x: x ** 3 - 2.0 * x, (1.3,), 0),
    ("product", lambda x, y: x * y, (2.0, 3.0), (0, 1)),
    ("quotient", lambda x, y: x / y, (2.0, 3.0), (0, 1)),
    ("power of two args", lambda x, y: x ** y, (1.5, 2.5), (0, 1)),
    ("exp of sin", lambda x: math.exp(math.sin(x)), (0.4,), 0),
    ("log of cosh", lambda x: np.log(np.cosh(x)), (0.7,), 0),
    ("tanh chain", lambda x: np.tanh(np.tanh(x)), (0.3,), 0),
    ("sigmoid", lambda x: 1.0 / (1.0 + np.exp(-x)), (0.2,), 0),
    ("softplus", lambda x: np.log1p(np.exp(x)), (0.5,), 0),
    ("abs away from 0", lambda x: abs(x) * x, (-1.5,), 0),
    ("hypot", lambda x, y: math.sqrt(x * x + y * y), (3.0, 4.0), (0, 1)),
    ("atan2", lambda y, x: math.atan2(y, x), (0.5, 2.0), (0, 1)),
    ("conditional expression", lambda x: x * x if x > 0 else -x, (0.8,), 0),
    ("maximum of two", lambda x, y: np.maximum(x, y) * y, (0.5, 2.0), (0, 1)),
    ("sum of squares", lambda v: np.sum(v ** 2), (V3,), 0),
    ("mean of exp", lambda v: np.mean(np.exp(v)), (V3,), 0),
    ("dot with itself", lambda v: np.dot(v, v), (V3,), 0),
    ("norm", lambda v: np.linalg.norm(v), (V3,), 0),
    ("logsumexp by hand", lambda v: np.log(np.sum(np.exp(v))), (V4,), 0),
    ("weighted", lambda v, w: np.sum(v * w), (V3, POS3), (0, 1)),
    ("matrix vector", lambda A, x: np.sum(np.tanh(A @ x)), (M34, V4), (0, 1)),
    ("quadratic form", lambda A, x: x @ A @ x, (M33, V3), (0, 1)),
    ("solve", lambda A, b: np.sum(np.linalg.solve(A, b)), (M33, V3), (0, 1)),
    ("log det", lambda A: np.linalg.slogdet(A)[1], (M33,), 0),
    ("inverse trace", lambda A: np.trace(np.linalg.inv(A)), (M33,), 0),
    ("variance", lambda v: np.var(v), (V4,), 0),
    ("std", lambda v: np.std(v), (V4,), 0),
    ("cumulative sum", lambda v: np.sum(np.cumsum(v) ** 2), (V4,), 0),
    ("slice", lambda v: v[0] * v[-1] + np.sum(v[1:3]), (V4,), 0),
    ("reshape", lambda v: np.sum(v.reshape(2, 2) @ v.reshape(2, 2)), (V4,), 0),
    ("transpose", lambda A: np.sum(A.T @ A), (M34,), 0),
    ("maximum", lambda v: np.sum(np.maximum(v, 0.1) ** 2), (V4,), 0),
    ("where", lambda v: np.sum(np.where(v > 0, v * v, -v)), (V4,), 0),
    ("outer", lambda u, v: np.sum(np.outer(u, v) ** 2), (V3, V4), (0, 1)),
    ("einsum", lambda A, x: np.einsum("ij,j->i", A, x) @ np.ones(3), (M34, V4), (0, 1)),
    ("clip inside", lambda v: np.sum(np.clip(v, -5.0, 5.0) ** 3), (V3,), 0),
    ("arcsin", lambda v: np.sum(np.arcsin(v)), (UNIT3,), 0),
    ("log of positive", lambda v: np.sum(np.log(v) * v), (POS3,), 0),
    ("sqrt of positive", lambda v: np.sum(np.sqrt(v)), (POS3,), 0),
    ("keyword argument", lambda x, k=2.0: k * x ** k, (1.5,), 0),
    ("polynomial", lambda x: 1.0 + x + x ** 2 / 2.0 + x ** 3 / 6.0, (0.7,), 0),
]

# library callables passed as they are: (name, callable, arguments, wrt)
LIBRARY = [(f"np.{f.__name__}", f, (x,), 0) for f, x in [
    (np.sin, 0.3), (np.cos, 0.3), (np.tan, 0.3), (np.exp, 0.3), (np.log, 1.3), (np.log1p, 0.3),
    (np.expm1, 0.3), (np.sqrt, 1.3), (np.tanh, 0.3), (np.sinh, 0.3), (np.cosh, 0.3),
    (np.arctan, 0.3), (np.arcsin, 0.3), (np.arccos, 0.3), (np.arcsinh, 0.3), (np.arccosh, 1.3),
    (np.arctanh, 0.3), (np.square, 0.3), (np.reciprocal, 1.3), (np.negative, 0.3), (np.exp2, 0.3),
    (np.log2, 1.3), (np.log10, 1.3), (np.cbrt, 1.3), (np.deg2rad, 30.0)]]
LIBRARY += [(f"np.{f.__name__}", f, (x, y), (0, 1)) for f, x, y in [
    (np.multiply, 2.0, 3.0), (np.divide, 2.0, 3.0), (np.power, 1.5, 2.5), (np.arctan2, 0.5, 2.0),
    (np.hypot, 3.0, 4.0), (np.logaddexp, 0.5, 1.5), (np.subtract, 2.0, 3.0), (np.add, 2.0, 3.0)]]
LIBRARY += [(f"np.{f.__name__} of an array", f, (V4,), 0) for f in
            [np.sum, np.mean, np.prod, np.var, np.std, np.linalg.norm]]
LIBRARY += [("np.dot", np.dot, (V3, POS3), (0, 1)), ("np.vdot", np.vdot, (V3, POS3), (0, 1)),
            ("np.inner", np.inner, (V3, POS3), (0, 1))]
LIBRARY += [(f"math.{f.__name__}", f, (x,), 0) for f, x in [
    (math.sin, 0.3), (math.cos, 0.3), (math.tan, 0.3), (math.exp, 0.3), (math.log, 1.3),
    (math.sqrt, 1.3), (math.tanh, 0.3), (math.atan, 0.3), (math.asin, 0.3), (math.log1p, 0.3),
    (math.expm1, 0.3), (math.log10, 1.3), (math.log2, 1.3)]]
LIBRARY += [("math.atan2", math.atan2, (0.5, 2.0), (0, 1)), ("math.pow", math.pow, (1.5, 2.5), (0, 1)),
            ("math.hypot", math.hypot, (3.0, 4.0), (0, 1))]
LIBRARY += [(f"operator.{f.__name__}", f, (2.0, 3.0), (0, 1)) for f in
            [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]]
LIBRARY += [("operator.neg", operator.neg, (2.0,), 0), ("abs", abs, (-2.0,), 0),
            ("operator.matmul", operator.matmul, (V3, POS3), (0, 1))]


def _dict_mlp(p, x):
    h = np.tanh(x @ p["W1"] + p["b1"])
    return np.sum((h @ p["W2"] + p["b2"]) ** 2)


def _layers_mlp(layers, x):
    for W, b in layers:
        x = np.tanh(x @ W + b)
    return np.sum(x)


def _items_penalty(p):
    total = 0.0
    for name, value in p.items():
        total = total + np.sum(value ** 2)
    return total


def _unpacked(t):
    a, b = t
    return a * b


def _enumerated(ws):
    total = 0.0
    for i, w in enumerate(ws):
        total = total + (i + 1) * w * w
    return total


def _dict_literal(x):
    d = {"sq": x * x, "sin": math.sin(x)}
    d["both"] = d["sq"] * d["sin"]
    return d["both"] + d["sq"]


def _keys_loop(p):
    total = p["a"] * 2.0
    for k in ["a", "b"]:
        total = total + p[k] ** 2
    return total


def _affine(p, x):
    return x * p["w"] + p["b"]


def _affine_in_an_expression(p, x):
    return np.tanh(_affine(p, x)) * 2.0 + _affine(p, x * x)


def _moments(p, x):
    return {"mean": x * p["w"], "spread": np.exp(p["b"]) * x}


def _moments_read_in_an_expression(p, x):
    return _moments(p, x)["mean"] * _moments(p, 2.0 * x)["spread"]


def _split(x):
    return (x * 2.0, np.ones(3) * x)


def _joined(t):
    a, v = t
    return a * np.sum(v ** 2)


def _tuple_between_helpers(x):
    return _joined(_split(x))


def _constant_settings_to_a_helper(p, x):
    return _affine(p, x) ** 2


X23 = _R.normal(size=(2, 3))
DICT_MLP = {"W1": _R.normal(size=(3, 4)), "b1": _R.normal(size=4), "W2": _R.normal(size=(4, 2)),
            "b2": _R.normal(size=2)}
LAYERS = [(_R.normal(size=(3, 3)), _R.normal(size=3)), (_R.normal(size=(3, 2)), _R.normal(size=2))]

# parameters in containers: (name, function, arguments, position of the container in wrt)
CONTAINERS = [
    ("dict mlp", _dict_mlp, (DICT_MLP, X23), 0),
    ("list of layer tuples", _layers_mlp, (LAYERS, X23), 0),
    ("tuple of layer tuples", _layers_mlp, (tuple(LAYERS), X23), 0),
    ("dict items loop", _items_penalty, (DICT_MLP,), 0),
    ("dict of floats", lambda p: p["a"] * p["b"] + math.sin(p["a"]), ({"a": 0.5, "b": 2.0},), 0),
    ("tuple of floats", lambda t: t[0] ** 2 * t[1], ((1.5, 2.0),), 0),
    ("list of floats", lambda t: t[0] / t[1] + t[-1], ([1.5, 2.0, 3.0],), 0),
    ("unpacked tuple", _unpacked, ((1.5, 2.0),), 0),
    ("namedtuple attributes", lambda q, x: np.sum(q.w * x + q.b), (Pair(V3, 0.5), V3), 0),
    ("namedtuple by index", lambda q: q[0] * q[1], (Pair(2.0, 3.0),), 0),
    ("dataclass layer", lambda d, x: np.sum(np.tanh(x @ d.W + d.b)), (Dense(M34, V4), X23), 0),
    ("nested dict", lambda p: p["enc"]["w"] * p["dec"]["w"] + p["enc"]["b"],
     ({"enc": {"w": 2.0, "b": 1.0}, "dec": {"w": 3.0}},), 0),
    ("dict of lists", lambda p: p["ws"][0] * p["ws"][1] + p["c"], ({"ws": [2.0, 3.0], "c": 1.0},), 0),
    ("list of dicts", lambda ps: ps[0]["a"] * ps[1]["a"], ([{"a": 2.0}, {"a": 3.0}],), 0),
    ("arrays of two shapes", lambda ws: np.sum(ws[0]) * np.sum(ws[1] ** 2), ([V3, V4],), 0),
    ("len of a container", lambda ws: np.sum(ws[0]) * len(ws), ([V3, V4],), 0),
    ("enumerate a list", _enumerated, ([2.0, 3.0],), 0),
    ("zip two containers", lambda a, b: a[0] * b[0] + a[1] * b[1], ([1.0, 2.0], (3.0, 4.0)), 0),
    ("dict literal inside", _dict_literal, (1.5,), 0),
    ("string leaf ignored", lambda p: p["x"] ** 2, ({"x": 1.5, "name": "a"},), 0),
    ("flag leaf ignored", lambda p: p["x"] ** 2 if p["on"] else p["x"], ({"x": 1.5, "on": True},), 0),
    ("dict with array and float", lambda p: np.sum(p["v"] * p["s"]), ({"v": V3, "s": 2.0},), 0),
    ("tuple returned by np call", lambda p: np.sum(np.stack([p[0], p[1]]) ** 2), ((V3, POS3),), 0),
    ("list as array", lambda xs: np.sum(np.array(xs) ** 3), ([1.0, 2.0, 3.0],), 0),
    ("deep nesting", lambda p: p["a"]["b"]["c"][0] * p["a"]["b"]["c"][1], ({"a": {"b": {"c": (2.0, 5.0)}}},), 0),
    ("second container constant", lambda p, q: p["w"] * q["w"], ({"w": 2.0}, {"w": 3.0}), 0),
    ("dict keys loop", _keys_loop, ({"a": 1.0, "b": 2.0},), 0),
    ("values loop", lambda p: np.sum(np.array(list(p.values()))), ({"a": 1.0, "b": 2.0},), 0),
    ("dataclass of floats", lambda d: d.W * d.b, (Dense(2.0, 3.0),), 0),
    ("namedtuple of arrays", lambda q: np.sum(q.w @ q.b), (Pair(M34, V4),), 0),
    ("mlp dict constant, input in wrt", _dict_mlp, (DICT_MLP, X23), 1),
    ("helper given a dict inside an expression", _affine_in_an_expression, ({"w": 1.5, "b": 0.5}, 0.7), 0),
    ("dict from a helper read inside an expression", _moments_read_in_an_expression,
     ({"w": 1.5, "b": 0.5}, 0.7), 0),
    ("constant dict given to a helper", _constant_settings_to_a_helper, ({"w": 1.5, "b": 0.5}, 0.7), 1),
    ("tuple of two shapes between helpers", _tuple_between_helpers, (0.7,), 0),
    ("list given to a helper inside an expression", lambda ws, x: _joined(ws) * x, ([1.5, V3], 0.7), 0),
]


def _with_named_parameters(fn, n):
    """`fn` called through a lambda of n named parameters (the differences need a signature)."""
    names = ", ".join(f"a{i}" for i in range(n))
    return eval(f"lambda {names}: fn({names})", {"fn": fn})


def _check(fn, args, wrt):
    got = srcad.grad(fn, wrt=wrt)(*args)
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    expected = []
    for position in positions:
        if isinstance(args[position], (dict, list, tuple)) or dataclasses.is_dataclass(args[position]):
            expected.append(tree_fd(fn, args, position))
        else:
            expected.append(fd_grad(_with_named_parameters(fn, len(args)), args, wrt=position))
    expected = expected[0] if not isinstance(wrt, tuple) else tuple(expected)
    if isinstance(expected, (dict, list)) or dataclasses.is_dataclass(expected) or \
            isinstance(expected, tuple) and hasattr(expected, "_fields"):
        assert_tree_close(got, expected, rtol=1e-5)
    elif isinstance(expected, tuple) and any(isinstance(e, (dict, list, tuple)) for e in expected):
        for g, e in zip(got, expected):
            assert_tree_close(g, e, rtol=1e-5)
    else:
        assert_close(got, expected, rtol=1e-5, atol=1e-7)


ALL = [("lambda", *row) for row in LAMBDAS] + [("library", *row) for row in LIBRARY] + \
      [("container", *row) for row in CONTAINERS]


@pytest.mark.parametrize("group, name, fn, args, wrt", ALL, ids=[f"{r[0]}: {r[1]}" for r in ALL])
def test_corpus(group, name, fn, args, wrt):
    _check(fn, args, wrt)


def test_the_corpus_has_a_hundred_functions_or_more():
    counts = {group: sum(1 for row in ALL if row[0] == group) for group in ("lambda", "library", "container")}
    assert sum(counts.values()) >= 100, counts
    assert min(counts.values()) >= 30, counts
