"""Normalising keeps the function: the three-address form, printed as Python and compiled,
computes what the user's function computes, on every corpus function and on random
expressions that lean on operator precedence (negative constants under `**`, unary minus on
powers, attributes of negative numbers).

The printed text is what srcad compiles, so a precedence lost in printing is a different
function: `(-1.35) ** 2` printed as `-1.35 ** 2` is -1.8225, and a branch on it went the
other way in the derivative than in f.
"""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import srcad
from helpers import assert_same_values, copied, load_function
from oracle import corpus, corpus_control
from passes.stages import normalized_function

CORPUS = [(f"{module.__name__.rsplit('.', 1)[-1]}.{case.name}", case)
          for module in (corpus, corpus_control) for case in module.CASES + module.VJP_CASES]


@pytest.mark.parametrize("case", [c for _, c in CORPUS], ids=[n for n, _ in CORPUS])
def test_the_normal_form_of_each_corpus_function_computes_the_same_values(case):
    normal = normalized_function(case.function)
    assert_same_values(normal(*copied(case.args)), case.function(*copied(case.args)))


def negative_base(p, q, w0):
    if (-1.35) ** 2 <= w0:
        return p
    return 0.5


def test_a_branch_on_a_power_of_a_negative_constant_goes_the_users_way():
    # (-1.35) ** 2 = 1.8225 > 0.3: f returns 0.5, whose derivative in w0 and p is 0
    assert negative_base(1.0, 1.0, 0.3) == 0.5
    assert srcad.grad(negative_base, wrt=(0, 2))(1.0, 1.0, 0.3) == (0.0, 0.0)
    assert srcad.grad(negative_base, wrt=(0, 2))(1.0, 1.0, 3.0) == (1.0, 0.0)
    assert "(-1.35) ** 2" in srcad.source(negative_base, wrt=2)


def negative_literals(x):
    a = (-2.0) ** 2 * x
    b = (-1.5).real * x + (-3) ** 3
    c = -x ** 2 + (-x) ** 2 + 2.0 ** -1 * x
    d = math.copysign(1.0, (-0.0) ** 3) + min((-math.inf) ** 2, 1.0)
    return a + b + c + d


def test_negative_literals_keep_their_parentheses():
    assert_same_values(normalized_function(negative_literals)(0.7), negative_literals(0.7))
    value, gradient = srcad.value_and_grad(negative_literals)(0.7)
    assert value == pytest.approx(negative_literals(0.7), rel=1e-15)
    assert gradient == pytest.approx(4.0 - 1.5 + 0.5)


# ---------------------------------------------------------------- random expressions

ATOMS = ["x", "y", "1.35", "(-1.35)", "2", "(-2)", "0.5", "(-0.0)", "3", "(-x)", "(-y)"]
TEMPLATES = ["({a}) ** {p}", "-{a} ** {p}", "({a}).real", "{a} ** -{p}", "-({a} * {b})",
             "({a} - {b}) ** {p}", "{a} / (1.0 + {b} * {b})", "-(-{a})", "{a} - -{b}",
             "({a} + {b}) * {c}", "-({a}) ** ({p})"]


@st.composite
def expressions(draw):
    """Terms of hazardous shapes over atoms and over other such terms, added up."""
    def term(operands):
        template = draw(st.sampled_from(TEMPLATES))
        return template.format(a=draw(operands), b=draw(operands), c=draw(operands),
                               p=draw(st.sampled_from(["2", "3", "(-1)", "(-2)"])))
    inner = st.one_of(st.sampled_from(ATOMS), st.sampled_from(ATOMS).map(lambda a: f"({a})"))
    terms = [term(inner) for _ in range(draw(st.integers(1, 3)))]
    outer = st.sampled_from([f"({t})" for t in terms] + ATOMS)
    return " + ".join([term(outer)] + terms)


EXPRESSIONS = expressions()


@settings(max_examples=80, deadline=None, derandomize=True)
@given(EXPRESSIONS, st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_expressions_keep_their_value_through_normalising(expression, x, y):
    f = load_function(f"def f(x, y):\n    return {expression}\n", "f")
    try:
        expected = f(x, y)
    except (ZeroDivisionError, OverflowError):
        return  # a negative power of zero or of a tiny number: not a program to compare
    actual = normalized_function(f)(x, y)
    if math.isnan(expected):
        assert math.isnan(actual)
    else:
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-300), expression

