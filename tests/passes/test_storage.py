"""The to-be-recorded analysis: what the generated derivative stores for the reverse sweep.

A value is stored (pushed with `_tape.append(...)` in the forward sweep, popped in the reverse
sweep) only when the reverse sweep needs it and it is overwritten before then. So a loop
`x = x + c` stores nothing, `x = x * y` stores x once per turn when y is differentiated and
nothing when only x is (d(x*y)/dx = y is the same in every turn), and the memory a gradient
takes grows linearly with the number of turns of a loop that stores.

The generated text is inspected through its syntax tree: the counts of `_tape.append` calls
in the forward loop, never the exact text.
"""
import ast
import gc
import tracemalloc

import pytest

import srcad
from helpers import assert_close, load_function

LOOPS = '''
import math


def add_constant(x, c, n):
    for i in range(n):
        x = x + c
    return x


def multiply(x, y, n):
    for i in range(n):
        x = x * y
    return x


def sine(x, n):
    for i in range(n):
        x = math.sin(x)
    return x


def accumulate_product(x, y, n):
    s = 0.0
    for i in range(n):
        s = s + x * y
    return s


def halve(x):
    while x > 1.0:
        x = x / 2
    return x


def multiply_or_add(x, y, n):
    for i in range(n):
        if x > 1.0:
            x = x * y
        else:
            x = x + y
    return x
'''


@pytest.fixture(scope="module")
def loops():
    first = load_function(LOOPS, "add_constant")
    return {name: first.__globals__[name] for name in
            ["add_constant", "multiply", "sine", "accumulate_product", "halve", "multiply_or_add"]}


def is_push(node):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "_tape")


def is_pop(node):
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "pop" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "_tape")


def pushes(tree):
    return [node for node in ast.walk(tree) if is_push(node)]


def forward_loop(text):
    """The first loop of the generated text that pops nothing: the forward sweep's loop."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.For, ast.While)) and not any(map(is_pop, ast.walk(node))):
            return node
    raise AssertionError(f"no forward loop in\n{text}")


def pushed_names(push):
    return {node.id for node in ast.walk(push.args[0]) if isinstance(node, ast.Name)}


# ---------------------------------------------------------------- what is stored

def test_sum_with_an_inactive_term_stores_nothing(loops):
    text = srcad.source(loops["add_constant"], wrt="x")
    assert pushes(ast.parse(text)) == [], text


def test_sum_stores_nothing_even_when_both_terms_are_differentiated(loops):
    text = srcad.source(loops["add_constant"], wrt=("x", "c"))
    assert pushes(ast.parse(text)) == [], text


def test_product_by_a_loop_invariant_stores_nothing(loops):
    # d(x * y)/dx = y, the same in every turn: nothing is overwritten that the sweep needs
    text = srcad.source(loops["multiply"], wrt="x")
    assert pushes(ast.parse(text)) == [], text


@pytest.mark.parametrize("wrt", ["y", ("x", "y")], ids=["y", "x-and-y"])
def test_product_stores_the_overwritten_factor_once_per_turn(loops, wrt):
    text = srcad.source(loops["multiply"], wrt=wrt)
    in_loop = pushes(forward_loop(text))
    assert len(in_loop) == 1, text
    assert "x" in pushed_names(in_loop[0]), text
    assert len(pushes(ast.parse(text))) == 1, text  # and nothing outside the loop
    assert "_tape = []" in text


def test_nonlinear_update_stores_its_argument_once_per_turn(loops):
    text = srcad.source(loops["sine"], wrt="x")
    in_loop = pushes(forward_loop(text))
    assert len(in_loop) == 1, text
    assert "x" in pushed_names(in_loop[0]), text


def test_accumulating_a_loop_invariant_product_stores_nothing(loops):
    text = srcad.source(loops["accumulate_product"], wrt="x")
    assert pushes(ast.parse(text)) == [], text


def test_data_dependent_while_stores_decisions_not_values(loops):
    # halving needs no value of x in the reverse sweep (d(x/2)/dx = 1/2), only how often it ran
    text = srcad.source(loops["halve"], wrt="x")
    in_loop = pushes(forward_loop(text))
    assert len(in_loop) <= 1, text
    assert all("x" not in pushed_names(push) for push in in_loop), text


def branch_in(loop):
    return next(node for node in ast.walk(loop) if isinstance(node, ast.If) and node.orelse)


def test_multiplying_branch_stores_the_factor(loops):
    text = srcad.source(loops["multiply_or_add"], wrt=("x", "y"))
    branch = branch_in(forward_loop(text))
    assert any("x" in pushed_names(push) for stmt in branch.body for push in pushes(stmt)), text


@pytest.mark.xfail(strict=True, reason=(
    "srcad stores more than needed: the `x = x + y` branch also pushes x, which its reverse "
    "part pops and never reads"))
def test_adding_branch_stores_no_value(loops):
    text = srcad.source(loops["multiply_or_add"], wrt=("x", "y"))
    branch = branch_in(forward_loop(text))
    assert all(pushes(stmt) == [] for stmt in branch.orelse), text


def test_storing_loops_still_give_the_right_gradient(loops):
    x, y, n = 1.3, 0.999, 50
    gradient = srcad.grad(loops["multiply"], wrt=("x", "y"))(x, y, n)
    assert_close(gradient, (y ** n, n * x * y ** (n - 1)), rtol=1e-12)
    assert_close(srcad.grad(loops["add_constant"], wrt=("x", "c"))(x, y, n), (1.0, float(n)))


# ---------------------------------------------------------------- memory

def added_peak(df, args):
    """The peak of memory allocated while df(*args) runs, above what was allocated before."""
    df(*args)  # compiled and cached: the measured call only runs
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        df(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_memory_of_a_storing_loop_grows_linearly_with_its_turns(loops):
    df = srcad.grad(loops["multiply"], wrt=("x", "y"))
    small = added_peak(df, (1.3, 0.999, 1000))
    large = added_peak(df, (1.3, 0.999, 2000))
    # a stored float takes at least its 24 bytes and the list's 8-byte slot
    assert small >= 1000 * 24, small
    assert 1.6 <= large / small <= 2.4, (small, large)


def test_memory_of_a_loop_that_stores_nothing_does_not_grow(loops):
    df = srcad.grad(loops["add_constant"], wrt="x")
    small = added_peak(df, (1.3, 0.5, 1000))
    large = added_peak(df, (1.3, 0.5, 2000))
    # far less than one list slot per turn
    assert large - small < 1000 * 2, (small, large)
