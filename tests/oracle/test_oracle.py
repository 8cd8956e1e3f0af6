"""srcad against finite differences, closed forms and srcad.tape, on the straight-line corpus.

Gradients are compared with 5-point central differences (rtol 1e-6), and their kinds with
the API's promise: a float for a float or int argument, a float64 array of the argument's
shape for an array argument, a tuple in `wrt`'s order for a tuple `wrt`. Array and tuple
outputs are checked through vjp with the dot-product test <u, J v> = <pullback(u), v>.
"""
import importlib
import importlib.util
import inspect
import math
import re
import sys

import numpy as np
import pytest

import srcad
from helpers import (assert_close, assert_identical, assert_same_values,
                     check_pullback_against_differences, check_pullback_twice,
                     check_vjp_dot_product, copied, fd_grad, load_function, names)
from oracle.corpus import CASES, VJP_CASES, string_flag, textbook

TEXTBOOK_ARGS = (2.0, 5.0)
TEXTBOOK_VALUE = 11.652071455223084  # log 2 + 2 * 5 - sin 5
TEXTBOOK_GRAD = (5.5, 1.7163378145367738)  # (1/x1 + x2, x1 - cos x2)

CLOSED_FORM_CASES = [case for case in CASES if case.closed_form is not None]
# The tape overloads operators and numpy, not `math`: it is compared on the numpy-only functions.
TAPE_CASES = [case for case in CASES if "math." not in inspect.getsource(case.function)]


# ---------------------------------------------------------------- the corpus oracle

def test_corpus_is_large_and_names_are_unique():
    assert len(CASES) >= 45
    all_names = names(CASES) + names(VJP_CASES)
    assert len(set(all_names)) == len(all_names)


@pytest.mark.parametrize("case", CLOSED_FORM_CASES, ids=names(CLOSED_FORM_CASES))
def test_closed_forms_agree_with_finite_differences(case):
    # Checks the oracle itself, so that a wrong closed form is not blamed on srcad.
    assert_close(case.closed_form, fd_grad(case.function, case.args, case.wrt))


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_grad_matches_finite_differences(case):
    gradient = srcad.grad(case.function, wrt=case.wrt)(*case.args)
    assert_close(gradient, fd_grad(case.function, case.args, case.wrt), rtol=1e-6)


@pytest.mark.parametrize("case", CLOSED_FORM_CASES, ids=names(CLOSED_FORM_CASES))
def test_grad_matches_closed_form(case):
    gradient = srcad.grad(case.function, wrt=case.wrt)(*case.args)
    assert_close(gradient, case.closed_form, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_value_and_grad_gives_the_value_and_the_gradient(case):
    value, gradient = srcad.value_and_grad(case.function, wrt=case.wrt)(*case.args)
    assert_same_values(value, case.function(*case.args))
    assert_close(gradient, fd_grad(case.function, case.args, case.wrt), rtol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_vjp_of_scalar_output_with_unit_cotangent_is_the_gradient(case):
    value, pullback = srcad.vjp(case.function, wrt=case.wrt)(*case.args)
    assert_same_values(value, case.function(*case.args))
    assert_close(pullback(1.0), fd_grad(case.function, case.args, case.wrt), rtol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_repeated_calls_give_identical_results(case):
    df = srcad.grad(case.function, wrt=case.wrt)
    first = df(*case.args)
    assert_identical(df(*case.args), first)
    assert_identical(srcad.grad(case.function, wrt=case.wrt)(*case.args), first)


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_grad_leaves_its_arguments_unchanged(case):
    before = copied(case.args)
    srcad.grad(case.function, wrt=case.wrt)(*case.args)
    for arg, kept in zip(case.args, before):
        np.testing.assert_array_equal(arg, kept)


@pytest.mark.parametrize("case", CASES, ids=names(CASES))
def test_source_is_a_stable_function_definition(case):
    text = srcad.source(case.function, wrt=case.wrt)
    assert isinstance(text, str)
    assert re.search(r"^\s*def \w+\(", text, re.MULTILINE), text
    assert srcad.source(case.function, wrt=case.wrt) == text


# ---------------------------------------------------------------- vjp: array and tuple outputs

@pytest.mark.parametrize("case", VJP_CASES, ids=names(VJP_CASES))
def test_vjp_value_is_the_output(case):
    value, _ = srcad.vjp(case.function, wrt=case.wrt)(*case.args)
    assert_same_values(value, case.function(*case.args))


@pytest.mark.parametrize("case", VJP_CASES, ids=names(VJP_CASES))
def test_vjp_passes_the_dot_product_test(case, rng):
    check_vjp_dot_product(case, rng)


@pytest.mark.parametrize("case", VJP_CASES, ids=names(VJP_CASES))
def test_vjp_pullback_matches_finite_differences(case, rng):
    check_pullback_against_differences(case, rng)


@pytest.mark.parametrize("case", VJP_CASES, ids=names(VJP_CASES))
def test_pullback_can_be_called_twice(case, rng):
    check_pullback_twice(case, rng)


# ---------------------------------------------------------------- wrt: positions, names, tuples

def test_wrt_defaults_to_the_first_argument():
    assert_close(srcad.grad(textbook)(*TEXTBOOK_ARGS), TEXTBOOK_GRAD[0], rtol=1e-10)


@pytest.mark.parametrize("wrt", [1, "x2"], ids=["position", "name"])
def test_wrt_single_position_or_name_gives_one_gradient(wrt):
    assert_close(srcad.grad(textbook, wrt=wrt)(*TEXTBOOK_ARGS), TEXTBOOK_GRAD[1], rtol=1e-10)


@pytest.mark.parametrize("wrt, order", [
    ((0, 1), (0, 1)),
    ((1, 0), (1, 0)),
    (("x2", "x1"), (1, 0)),
    ((0, "x2"), (0, 1)),
    ((1,), (1,)),
    (("x1",), (0,)),
], ids=["positions", "positions-reversed", "names-reversed", "mixed", "one-position", "one-name"])
def test_wrt_tuple_gives_a_tuple_in_its_order(wrt, order):
    expected = tuple(TEXTBOOK_GRAD[i] for i in order)
    assert_close(srcad.grad(textbook, wrt=wrt)(*TEXTBOOK_ARGS), expected, rtol=1e-10)


def test_textbook_value_and_grad_by_names():
    value, gradient = srcad.value_and_grad(textbook, wrt=("x1", "x2"))(*TEXTBOOK_ARGS)
    assert value == pytest.approx(TEXTBOOK_VALUE, rel=1e-12)
    assert_close(gradient, TEXTBOOK_GRAD, rtol=1e-10)


def test_argument_not_in_wrt_may_be_passed_by_keyword():
    gradient = srcad.grad(string_flag, wrt="x")(0.7, mode="fast")
    assert_close(gradient, fd_grad(string_flag, (0.7, "fast"), "x"))


def sine_weighted_sum(x, y):
    return np.sum(np.sin(x) * y)


def test_one_derivative_serves_floats_and_arrays():
    df = srcad.grad(sine_weighted_sum, wrt=(0, 1))
    x, y = np.array([0.1, 0.2, 0.3]), np.array([1.5, -0.5, 2.0])
    assert_close(df(0.5, 2.0), (2.0 * math.cos(0.5), math.sin(0.5)), rtol=1e-10)
    assert_close(df(x, y), (y * np.cos(x), np.sin(x)), rtol=1e-10)
    assert_close(df(0.5, 2.0), (2.0 * math.cos(0.5), math.sin(0.5)), rtol=1e-10)


# ---------------------------------------------------------------- decorator and call forms

DECORATED = '''
import math
import srcad


{decorator}
def f(x, y):
    """Multiply x by the sine of y."""
    return x * math.sin(y)
'''
DOC = "Multiply x by the sine of y."
XY = (1.3, 0.4)


def plain(x, y):
    """Multiply x by the sine of y."""
    return x * math.sin(y)


@pytest.mark.parametrize("decorator, wrt", [
    ("@srcad.grad", 0),
    ("@srcad.grad(wrt=(0, 1))", (0, 1)),
    ("@srcad.grad(wrt='y')", "y"),
    ("@srcad.grad(wrt=('y', 0))", ("y", 0)),
], ids=["bare", "positions", "name", "name-and-position"])
def test_grad_as_decorator(decorator, wrt):
    df = load_function(DECORATED.format(decorator=decorator), "f")
    assert_close(df(*XY), fd_grad(plain, XY, wrt))
    assert (df.__name__, df.__doc__) == ("f", DOC)


@pytest.mark.parametrize("decorator, wrt", [
    ("@srcad.value_and_grad", 0),
    ("@srcad.value_and_grad(wrt=(1, 0))", (1, 0)),
], ids=["bare", "positions"])
def test_value_and_grad_as_decorator(decorator, wrt):
    h = load_function(DECORATED.format(decorator=decorator), "f")
    value, gradient = h(*XY)
    assert value == pytest.approx(plain(*XY), rel=1e-12)
    assert_close(gradient, fd_grad(plain, XY, wrt))
    assert (h.__name__, h.__doc__) == ("f", DOC)


@pytest.mark.parametrize("decorator, wrt", [
    ("@srcad.vjp", 0),
    ("@srcad.vjp(wrt='y')", "y"),
], ids=["bare", "name"])
def test_vjp_as_decorator(decorator, wrt):
    h = load_function(DECORATED.format(decorator=decorator), "f")
    value, pullback = h(*XY)
    assert value == pytest.approx(plain(*XY), rel=1e-12)
    assert_close(pullback(1.0), fd_grad(plain, XY, wrt))
    assert (h.__name__, h.__doc__) == ("f", DOC)


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp"])
def test_call_form_keeps_name_and_docstring(transform):
    wrapped = getattr(srcad, transform)(plain, wrt="x")
    assert wrapped.__name__ == "plain"
    assert wrapped.__doc__ == DOC


REDEFINED = '''
import math


def f(x):
    return math.sin(x)


first = f


def f(x):
    return math.cos(x)
'''


def test_redefined_function_gets_a_fresh_derivative():
    first = load_function(REDEFINED, "first")
    second = sys.modules[first.__module__].f
    assert_close(srcad.grad(first)(0.5), math.cos(0.5), rtol=1e-10)
    assert_close(srcad.grad(second)(0.5), -math.sin(0.5), rtol=1e-10)
    assert srcad.source(first) != srcad.source(second)


# ---------------------------------------------------------------- the operator-overloading baseline

@pytest.fixture(scope="module")
def tape():
    if importlib.util.find_spec("srcad.tape") is None:
        pytest.skip("srcad.tape is not written yet")
    return importlib.import_module("srcad.tape")


@pytest.mark.parametrize("case", TAPE_CASES, ids=names(TAPE_CASES))
def test_tape_grad_agrees_with_differences_and_srcad(case, tape):
    from_tape = tape.grad(case.function, wrt=case.wrt)(*case.args)
    assert_close(from_tape, fd_grad(case.function, case.args, case.wrt), rtol=1e-6)
    # Same rules, same arithmetic up to the order of accumulation.
    from_srcad = srcad.grad(case.function, wrt=case.wrt)(*case.args)
    assert_close(from_tape, from_srcad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", TAPE_CASES, ids=names(TAPE_CASES))
def test_tape_value_and_grad_gives_the_value(case, tape):
    value, gradient = tape.value_and_grad(case.function, wrt=case.wrt)(*case.args)
    assert_same_values(value, case.function(*case.args))
    assert_close(gradient, fd_grad(case.function, case.args, case.wrt), rtol=1e-6)
