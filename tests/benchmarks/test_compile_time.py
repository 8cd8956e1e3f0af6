"""Compile time grows gently with the function, and long functions and deep expressions are
differentiated correctly (benchmarks/compile_time.py generates them and times them).

A 100-statement function once took a minute to differentiate (each optimiser pass rescanned the
function after every rewrite) and a one-line sum of 400 terms raised RecursionError. Growth is
checked as a ratio of work, not of time: the Python calls the first call makes, counted with
sys.setprofile, which a quadratic pass would multiply by 16 from 100 to 400 statements and which
no other process on the machine changes.
"""
import math
import os
import sys

import gast
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function
from passes.stages import normal_form
from srcad.cache import CACHE

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:  # benchmarks/ is not installed with the package
    sys.path.insert(0, _ROOT)

from benchmarks import compile_time  # noqa: E402

X, Y = 0.3, 0.7


def first_call_work(src):
    """The Python calls (functions and builtins) the first call of grad on the function `src`
    defines makes, the cache cleared: a measure of its work that the machine's load does not
    change (the same count, to a few calls, run after run)."""
    fn = load_function(src, "f")
    CACHE.clear()
    count = 0

    def counted(frame, event, arg):
        nonlocal count
        if event == "call" or event == "c_call":
            count += 1
    sys.setprofile(counted)
    try:
        srcad.grad(fn, wrt=(0, 1))(X, Y)
    finally:
        sys.setprofile(None)
    return count


def test_first_call_grows_about_linearly_with_the_length_of_the_function():
    # counted, not timed: timed ratios of a few tenths of a second read up to 6.4x in the full
    # suite on a loaded machine (python -m benchmarks.compile_time times it); here 4.0x
    ratio = first_call_work(compile_time.straight(400)) / first_call_work(compile_time.straight(100))
    assert ratio <= 5, f"400 statements take {ratio:.1f}x the work of 100 (linear: 4x)"


@pytest.mark.parametrize("family,size", [("straight", 60), ("loop", 37)])
def test_generated_functions_match_differences(family, size):
    f = load_function(compile_time.FAMILIES[family](size), "f")
    assert_close(srcad.grad(f, wrt=(0, 1))(X, Y), fd_grad(f, (X, Y), wrt=(0, 1)))
    value, tangent = srcad.jvp(f, wrt=(0, 1))(X, Y, 1.0, 0.5)
    gx, gy = fd_grad(f, (X, Y), wrt=(0, 1))
    assert value == f(X, Y)
    assert_close(tangent, gx + 0.5 * gy)


def test_hessian_of_the_loop_with_six_branches_matches_differences_of_its_gradient():
    f = load_function(compile_time.loop(37), "f")
    dfdx = srcad.grad(f)
    assert_close(srcad.hessian(f)(X, Y), fd_grad(dfdx, (X, Y)), rtol=1e-5)


@pytest.mark.parametrize("terms", [600])
def test_a_sum_of_hundreds_of_terms_on_one_line_is_differentiated(terms):
    # 400 terms raised RecursionError; 2000 take seconds (the benchmark's sum rows)
    f = load_function(compile_time.long_sum(terms), "f")
    counts = [len(range(k, terms, 4)) for k in range(4)]  # 0.5 x, sin(y), x y, 0.25 cos(x)
    value, (gx, gy) = srcad.value_and_grad(f, wrt=(0, 1))(X, Y)
    assert value == f(X, Y)  # the same additions in the same order
    assert_close(gx, counts[0] * 0.5 + counts[2] * Y - counts[3] * 0.25 * math.sin(X))
    assert_close(gy, counts[1] * math.cos(Y) + counts[2] * X)


def test_a_sum_of_two_thousand_terms_becomes_a_wengert_list():
    _, _, tree = normal_form(load_function(compile_time.long_sum(2000), "f"))
    # a statement per term (two for 0.25 * math.cos(x), every fourth), one per addition
    assert sum(isinstance(s, gast.Assign) for s in tree.body) == 2000 + 500 + 1999


def test_the_benchmark_measures_a_first_call_and_renders_its_table():
    seconds, (value, tangent) = compile_time.first_call("jvp", compile_time.straight(5))
    assert seconds > 0 and math.isfinite(value) and math.isfinite(tangent)
    text = compile_time.text({"straight": {5: {"jvp": seconds}}}, markdown=True)
    assert text.splitlines()[0] == "| straight: statements | jvp first call |"
