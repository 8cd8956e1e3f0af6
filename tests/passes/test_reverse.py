"""transform.reverse: the forward sweep, then one adjoint statement per active operand.

Each test states the normal form's derivative as Python, before optimisation: the rule
templates are inlined as they stand (`bt1 / (x1 * 1.0)` for `math.log`), the first contribution
to an adjoint assigns it, later ones add (`+=` on floats, `b = b + ...` on arrays), cotangents
of broadcasting operators on arrays are summed back with `_rt.unbroadcast`.
"""
import math

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function
from passes.stages import derivative, normal_form, render, reversed_text, text_of
from srcad import analyze, pipeline, transform
from srcad.errors import Unsupported
from srcad.ir import FORWARD_SWEEP, REVERSE_SWEEP
from srcad.transform.reverse import VARIANTS

F, A = analyze.FLOAT, analyze.ARRAY


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


# ---------------------------------------------------------------- floats


def test_textbook_vjp_before_optimisation():
    def after(x1, x2, by=1.0):
        t1 = math.log(x1)
        t2 = x1 * x2
        t3 = t1 + t2
        t4 = math.sin(x2)
        y = t3 - t4
        bt3 = by
        bt4 = -by
        bx2 = bt4 * math.cos(x2)
        bt1 = bt3
        bt2 = bt3
        bx1 = bt2 * x2
        bx2 += bt2 * x1
        bx1 += bt1 / (x1 * 1.0)
        return y, (bx1, bx2)
    assert reversed_text(textbook, ("x1", "x2"), {"x1": F, "x2": F}) == text_of(after)


def test_grad_variant_seeds_one_and_returns_only_the_gradient():
    # x2 is not in wrt: nothing on its side of the graph is active
    def after(x1, x2):
        t1 = math.log(x1)
        t2 = x1 * x2
        t3 = t1 + t2
        t4 = math.sin(x2)
        y = t3 - t4
        by = 1.0
        bt3 = by
        bt1 = bt3
        bt2 = bt3
        bx1 = bt2 * x2
        bx1 += bt1 / (x1 * 1.0)
        return bx1
    assert reversed_text(textbook, "x1", {"x1": F, "x2": F}, "grad") == text_of(after)


def test_value_and_grad_variant_returns_value_and_gradient_with_seed_one():
    def after(x1, x2):
        t1 = math.log(x1)
        t2 = x1 * x2
        t3 = t1 + t2
        t4 = math.sin(x2)
        y = t3 - t4
        by = 1.0
        bt3 = by
        bt4 = -by
        bx2 = bt4 * math.cos(x2)
        bt2 = bt3
        bx2 += bt2 * x1
        return y, bx2
    assert reversed_text(textbook, "x2", {"x1": F, "x2": F}, "value_and_grad") == text_of(after)


def test_inactive_statements_get_no_adjoint():
    def before(x, w):
        c = math.cos(w)   # useful, but does not vary with x
        d = math.sin(x)   # varies with x, but is not useful
        return x * c

    def after(x, w, by=1.0):
        c = math.cos(w)
        d = math.sin(x)
        y = x * c
        bx = by * c
        return y, bx
    assert reversed_text(before, "x", {"x": F, "w": F}) == text_of(after)


def test_unary_operators_and_constant_powers():
    def before(x):
        return -x + x ** 2

    def after(x, by=1.0):
        t1 = -x
        t2 = x ** 2
        y = t1 + t2
        bt1 = by
        bt2 = by
        bx = bt2 * 2 * x ** (2 - 1)
        bx += -bt1
        return y, bx
    assert reversed_text(before, "x", {"x": F}) == text_of(after)


def test_a_wrt_parameter_the_output_does_not_depend_on_gets_zero():
    def before(x, w, a):
        return x * 2.0

    def after(x, w, a, by=1.0):
        y = x * 2.0
        bx = by * 2.0
        return y, (bx, 0.0, _rt.zeros_like(a))
    assert reversed_text(before, ("x", "w", "a"), {"x": F, "w": F, "a": A}) == text_of(after)


def test_an_int_parameters_gradient_is_made_a_float():
    def before(n, x):
        return n * x

    def after(n, x):
        y = n * x
        by = 1.0
        bn = by * x
        return float(bn)
    assert reversed_text(before, "n", {"n": analyze.INT, "x": F}, "grad") == text_of(after)


# ---------------------------------------------------------------- arrays


def sum_of_squares(x, w):
    z = x * w
    return np.sum(z * z)


def test_array_cotangents_are_unbroadcast_and_accumulated_without_mutation():
    def after(x, w, by=1.0):
        z = x * w
        t1 = z * z
        y = np.sum(t1)
        bt1 = _rt.unreduce(by, t1, None, False)
        bz = _rt.unbroadcast(bt1 * z, z)
        bz = bz + _rt.unbroadcast(bt1 * z, z)
        bx = _rt.unbroadcast(bz * w, x)
        bw = _rt.unbroadcast(bz * x, w)
        bx = _rt.gradient(bx, x)
        bw = _rt.gradient(bw, w)
        bw = _rt.unshared(bw, (bx,))  # never one array for two gradients
        return y, (bx, bw)
    assert reversed_text(sum_of_squares, ("x", "w"), {"x": A, "w": A}) == text_of(after)


def test_a_float_times_an_array_sums_the_floats_cotangent():
    def after(x, w, by=1.0):
        z = x * w
        t1 = z * z
        y = np.sum(t1)
        bt1 = _rt.unreduce(by, t1, None, False)
        bz = _rt.unbroadcast(bt1 * z, z)
        bz = bz + _rt.unbroadcast(bt1 * z, z)
        bx = _rt.unbroadcast(bz * w, x)
        return y, bx
    assert reversed_text(sum_of_squares, "x", {"x": F, "w": A}) == text_of(after)


def test_grad_of_an_output_of_unknown_kind_checks_it_is_a_scalar():
    def after(x, w):
        z = x * w
        t1 = z * z
        y = np.sum(t1)
        by = _rt.scalar_seed(y)
        bt1 = _rt.unreduce(by, t1, None, False)
        bz = _rt.unbroadcast(bt1 * z, z)
        bz = bz + _rt.unbroadcast(bt1 * z, z)
        bw = _rt.unbroadcast(bz * x, w)
        bw = _rt.gradient(bw, w)
        return bw
    assert reversed_text(sum_of_squares, "w", {"x": A, "w": A}, "grad") == text_of(after)


# ---------------------------------------------------------------- the Derivative record


@pytest.mark.parametrize("variant, name, defaults", [
    ("vjp", "textbook_vjp", (1.0,)), ("value_and_grad", "textbook_vjp", ()),
    ("grad", "textbook_grad", ()),
])
def test_derivative_record(variant, name, defaults):
    assert variant in VARIANTS
    deriv = derivative(textbook, ("x1", "x2"), {"x1": F, "x2": F}, variant)[2]
    assert deriv.tree.name == name
    assert deriv.seed == "by"
    assert deriv.seed_defaults == defaults
    assert deriv.return_lineno == textbook.__code__.co_firstlineno + 1


def test_sweeps_are_marked_and_statements_keep_their_users_line():
    def before(x):
        z = math.sin(x)
        return z * x
    first = before.__code__.co_firstlineno
    body = derivative(before, "x", {"x": F})[2].tree.body
    marks = [(i, stmt.comment) for i, stmt in enumerate(body) if hasattr(stmt, "comment")]
    assert marks == [(0, FORWARD_SWEEP), (3, REVERSE_SWEEP)]
    lines = [stmt.lineno for stmt in body if not hasattr(stmt, "comment")]
    assert lines == [first + 1, first + 2,   # z = math.sin(x); y = z * x
                     first + 2, first + 2,   # bz = by * x; bx = by * z
                     first + 1,              # bx += bz * math.cos(x)
                     first + 2]              # return y, bx


def test_the_transform_leaves_the_normal_form_unchanged():
    src, names, tree = normal_form(textbook)
    before = render(tree)
    facts = analyze.dataflow(tree, src, ("x1", "x2"), {"x1": F, "x2": F})
    transform.reverse(tree, src, facts, names, "vjp", pipeline.derive_call)
    assert render(tree) == before


# ---------------------------------------------------------------- refusals


def calls_a_function_without_a_rule(x):
    return math.gamma(x) * 2.0


def test_a_call_without_a_rule_is_refused_with_a_hint():
    with pytest.raises(Unsupported) as info:
        derivative(calls_a_function_without_a_rule, "x", {"x": F})
    assert info.value.what == "no derivative rule for math.gamma"
    assert "srcad.defvjp(math.gamma, rule)" in info.value.hint
    assert info.value.node.lineno == calls_a_function_without_a_rule.__code__.co_firstlineno + 1


def test_an_inactive_call_without_a_rule_is_fine():
    def before(x, w):
        return x * math.gamma(w)

    def after(x, w, by=1.0):
        t1 = math.gamma(w)
        y = x * t1
        bx = by * t1
        return y, bx
    assert reversed_text(before, "x", {"x": F, "w": F}) == text_of(after)


# ---------------------------------------------------------------- known bugs


NP_SUM_OF_A_FLOAT = '''
import numpy as np


def f(x):
    z = x * 2.0
    t = np.sum(x)
    return t * z
'''


def test_np_sum_of_a_float_used_twice():
    f = load_function(NP_SUM_OF_A_FLOAT, "f")
    assert_close(srcad.grad(f)(1.5), fd_grad(f, (1.5,)))


def test_unreduce_of_a_float_is_a_float():
    # the runtime fact behind the test above: a float's cotangent is a float, never an array
    cotangent = srcad.runtime.unreduce(1.0, 1.5, None, False)
    assert type(cotangent) is float
