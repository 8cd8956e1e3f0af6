"""analyze.dataflow: varied (depends on wrt), useful (reaches the output), active (both), kinds.

Each test normalises a small function, analyses it and compares a short text dump of the facts
about its own variables (beniget's def-use tests): `dump(facts, "active")` is `"active: a, x"`.
The normal form of each function is shown in a comment where its temporaries matter.
"""
import math
import textwrap

import gast
import numpy as np
import pytest

from helpers import load_function
from passes.stages import dump, facts_of, local_variables
from srcad import analyze, parse

F, A = analyze.FLOAT, analyze.ARRAY
SCALE = 2.0
OFFSETS = np.array([0.5, 1.5])


def analysed(fn, wrt, kinds, *fields):
    """The dump of `fields` of fn's facts, about its own variables only (not `np`, `math`)."""
    tree, facts = facts_of(fn, wrt, kinds)
    return dump(facts, *fields, only=local_variables(tree))


def function_of(text):
    """`fn` from `text`, in a module of its own that imports math and numpy."""
    return load_function("import math\nimport numpy as np\n\n\n" + textwrap.dedent(text), "fn")


# ---------------------------------------------------------------- activity


def test_a_variable_that_does_not_reach_the_output_is_not_active():
    def fn(x, z):
        a = x * 2.0
        b = math.sin(x)  # varies with x, but the output never sees it
        return a
    assert analysed(fn, ("x", "z"), {"x": F, "z": F}, "varied", "useful", "active") == (
        "varied: a, b, x, z\n"
        "useful: a, x\n"
        "active: a, x")


def test_an_unused_wrt_parameter_is_not_active():
    def fn(x, z):
        return x * x      # y = x * x
    assert analysed(fn, ("x", "z"), {"x": F, "z": F}, "varied", "active") == (
        "varied: x, y, z\n"
        "active: x, y")


def test_a_value_that_does_not_vary_is_not_active():
    def fn(x, w):
        c = w * 2.0
        return x * c
    assert analysed(fn, "x", {"x": F, "w": F}, "varied", "useful", "active") == (
        "varied: x, y\n"
        "useful: c, w, x, y\n"
        "active: x, y")


def test_activity_follows_a_chain_through_temporaries():
    def fn(x, w):
        return math.sin(x * w) + w   # t1 = x * w; t2 = math.sin(t1); y = t2 + w
    assert analysed(fn, "x", {"x": F, "w": F}, "active") == "active: t1, t2, x, y"


@pytest.mark.parametrize("cut", [
    "math.floor(x)", "math.ceil(x)", "round(x)", "int(x)", "x // 1.0", "x > 0.5", "np.floor(x)",
    "np.sign(x)", "math.trunc(x)",
], ids=lambda cut: cut)
def test_a_call_or_operator_without_derivative_cuts_variedness(cut):
    fn = function_of(f"""
        def fn(x):
            n = {cut}
            return n * x
    """)
    assert analysed(fn, "x", {"x": F}, "varied", "active") == (
        "varied: x, y\n"
        "active: x, y")


@pytest.mark.parametrize("attribute", sorted(analyze.INACTIVE_ATTRIBUTES))
def test_shape_and_other_metadata_attributes_are_inactive(attribute):
    fn = function_of(f"""
        def fn(x):
            s = x.{attribute}
            return np.sum(x) * 2.0    # t1 = np.sum(x); y = t1 * 2.0
    """)
    assert analysed(fn, "x", {"x": A}, "varied") == "varied: t1, x, y"


def test_x_shape_used_in_the_output_is_useful_but_not_active():
    def fn(x):
        n = x.shape[0]        # t1 = x.shape; n = t1[0]
        return np.sum(x) / n  # t2 = np.sum(x); y = t2 / n
    assert analysed(fn, "x", {"x": A}, "varied", "useful", "active") == (
        "varied: t2, x, y\n"
        "useful: n, t1, t2, x, y\n"
        "active: t2, x, y")


def test_a_transpose_is_active():
    def fn(x):
        return np.sum(x.T * x)   # t1 = x.T; t2 = t1 * x; y = np.sum(t2)
    assert analysed(fn, "x", {"x": A}, "active") == "active: t1, t2, x, y"


def test_single_and_tuple_wrt():
    def fn(x, z):
        return x * z
    _, one = facts_of(fn, "x", {"x": F, "z": F})
    _, both = facts_of(fn, ("z", "x"), {"x": F, "z": F})
    assert (one.wrt, one.single) == (("x",), True)
    assert (both.wrt, both.single) == (("z", "x"), False)


# ---------------------------------------------------------------- kinds


def test_float_arguments_give_float_kinds_through_math_calls():
    def fn(x, n):
        u = math.sin(x)
        v = u * SCALE + abs(x)   # t1 = u * SCALE; t2 = abs(x); v = t1 + t2
        return math.exp(v) ** n  # t3 = math.exp(v); y = t3 ** n
    assert analysed(fn, "x", {"x": F, "n": analyze.INT}, "kinds") == (
        "kinds: n=float, t1=float, t2=float, t3=float, u=float, v=float, x=float, y=float")


def test_int_arguments_are_floats_to_the_analysis_and_remembered():
    def fn(x, n):
        return x * n
    _, facts = facts_of(fn, ("x", "n"), {"x": F, "n": analyze.INT})
    assert facts.int_params == {"n"}
    assert facts.kinds["n"] == F


def test_array_arguments_give_array_kinds():
    def fn(x, a):
        w = np.sin(a)
        z = w * x
        return np.sum(z + OFFSETS)  # t1 = z + OFFSETS; y = np.sum(t1)
    assert analysed(fn, ("x", "a"), {"x": F, "a": A}, "kinds") == (
        "kinds: a=array, t1=array, w=array, x=float, y=array, z=array")


def test_float_operands_of_matmul_are_not_a_float():
    def fn(x, z):
        return x @ z
    assert analysed(fn, "x", {"x": F, "z": F}, "kinds") == "kinds: x=float, y=array, z=float"


def test_unknown_values_are_other():
    def fn(x, label):
        s = x.shape
        n = math.floor(x[0])   # t1 = x[0] (part of an array: array); n = math.floor(t1)
        words = label.split()
        return np.sum(x) * n   # t2 = np.sum(x); y = t2 * n
    assert analysed(fn, "x", {"x": A, "label": analyze.OTHER}, "kinds") == (
        "kinds: label=other, n=other, s=other, t1=array, t2=array, words=other, x=array, y=other")


@pytest.mark.parametrize("value, kind", [
    (1.5, F), (3, F), (True, F), (np.float64(1.0), A), (np.ones(2), A), ("text", analyze.OTHER),
    ([1.0], analyze.OTHER),
], ids=["float", "int", "bool", "np.float64", "ndarray", "str", "list"])
def test_kind_of_value(value, kind):
    assert analyze.kind_of_value(value) == kind


@pytest.mark.parametrize("type_, kind", [
    (float, F), (int, analyze.INT), (bool, analyze.INT), (np.ndarray, A), (np.float32, A),
    (str, analyze.OTHER),
], ids=["float", "int", "bool", "ndarray", "np.float32", "str"])
def test_kind_of_type(type_, kind):
    assert analyze.kind_of_type(type_) == kind


# ---------------------------------------------------------------- calls and returns


def test_calls_are_resolved_to_the_objects_they_denote():
    def fn(x, a):
        u = math.sin(x)
        v = np.dot(a, a)
        return a.searchsorted(0.5) * u * v
    tree, facts = facts_of(fn, "x", {"x": F, "a": A})
    denoted = {gast.dump(node.func): facts.calls[id(node)]
               for node in gast.walk(tree) if isinstance(node, gast.Call)}
    assert sorted(denoted.values(), key=repr) == sorted(
        [math.sin, np.dot, parse.UNRESOLVED], key=repr)


def test_returns_are_the_return_statements():
    def fn(x):
        return x * 2.0
    tree, facts = facts_of(fn, "x", {"x": F})
    assert facts.returns == [tree.body[-1]]
