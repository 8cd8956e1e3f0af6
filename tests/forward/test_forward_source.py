"""srcad.source(f, mode="forward"): the generated jvp of the textbook example, and its stability.

The textbook function (Baydin et al. 2018, Griewank and Walther) is
    f(x1, x2) = log(x1) + x1 x2 - sin(x2),
whose forward-mode trace carries each tangent `dv` right after its primal `v`, in one pass with
no tape; at (2, 5) with tangent (1, 0) it gives df/dx1 = 1/2 + 5 = 5.5.
"""
import math
import re
import sys

import numpy as np
import pytest

import srcad
import srcad.textbook
from helpers import line_of, load_function
from oracle import corpus_control

TEXTBOOK = '''
import math


def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)
'''

# The statements of the generated f_jvp for wrt=(0, 1), comments left out: a primal, then its
# tangent, one of each per three-address statement.
TEXTBOOK_JVP_STATEMENTS = [
    "def f_jvp(x1, x2, dx1, dx2):",
    "t1 = math.log(x1)",
    "dt1 = dx1 / x1",
    "t2 = x1 * x2",
    "dt2 = dx1 * x2 + x1 * dx2",
    "t3 = t1 + t2",
    "dt3 = dt1 + dt2",
    "t4 = math.sin(x2)",
    "dt4 = dx2 * math.cos(x2)",
    "y = t3 - t4",
    "dy = dt3 - dt4",
    "return y, dy",
]


@pytest.fixture(scope="module")
def f():
    return load_function(TEXTBOOK, "f")


def statements(text):
    """The non-blank, non-comment lines of `text`, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_textbook_forward_source_is_the_forward_trace(f):
    text = srcad.source(f, wrt=(0, 1), mode="forward")
    assert "def f_jvp(x1, x2, dx1, dx2):" in text
    assert "dt1 = dx1 / x1" in text
    assert statements(text) == TEXTBOOK_JVP_STATEMENTS


def test_every_tangent_follows_its_primal(f):
    lines = statements(srcad.source(f, wrt=(0, 1), mode="forward"))
    for k, line in enumerate(lines):
        tangent = re.match(r"d(\w+) = ", line)
        if tangent:
            assert lines[k - 1].startswith(tangent.group(1) + " = "), (lines[k - 1], line)


def test_forward_source_has_no_tape_and_no_reverse_sweep(f):
    text = srcad.source(f, wrt=(0, 1), mode="forward")
    assert "_tape" not in text
    assert "reverse sweep" not in text
    assert "by" not in re.findall(r"\w+", text)   # no adjoint of the output


def test_forward_source_cites_the_users_line(f):
    text = srcad.source(f, wrt=(0, 1), mode="forward")
    filename = f.__code__.co_filename.rsplit("/", 1)[-1]
    line = line_of(f, "return math.log(x1)")
    assert f"# {filename}:{line}  return math.log(x1) + x1 * x2 - math.sin(x2)" in text


def test_forward_source_is_identical_on_two_calls(f):
    first = srcad.source(f, wrt=(0, 1), mode="forward")
    second = srcad.source(f, wrt=(0, 1), mode="forward")
    assert first.encode() == second.encode()
    assert srcad.source(f, wrt=(0, 1), mode="forward", args=(2.0, 5.0)) == first


def test_forward_source_of_one_argument_has_one_tangent(f):
    text = srcad.source(f, wrt="x2", mode="forward")
    assert "def f_jvp(x1, x2, dx2):" in text
    assert "dx1" not in text
    assert "dt4 = dx2 * math.cos(x2)" in text


def test_forward_and_reverse_sources_differ(f):
    forward = srcad.source(f, wrt=(0, 1), mode="forward")
    reverse = srcad.source(f, wrt=(0, 1))
    assert forward != reverse
    assert "f_vjp" in reverse and "f_jvp" not in reverse


def test_the_source_is_what_runs(f):
    # "exactly as it is compiled": executing the text gives the derivative jvp gives.
    namespace = {"math": math}
    exec(srcad.source(f, wrt=(0, 1), mode="forward"), namespace)
    assert namespace["f_jvp"](2.0, 5.0, 1.0, 0.0) == srcad.jvp(f, wrt=(0, 1))(2.0, 5.0, 1.0, 0.0)
    assert namespace["f_jvp"](2.0, 5.0, 0.0, 1.0) == srcad.jvp(f, wrt=(0, 1))(2.0, 5.0, 0.0, 1.0)


def test_textbook_jvp_gives_df_dx1_in_one_pass(f):
    h = srcad.jvp(f, wrt=(0, 1))
    h(2.0, 5.0, 1.0, 0.0)  # compiled once, outside the count
    calls = []

    def profile(frame, event, arg):
        if event == "c_call" and arg in (math.log, math.sin, math.cos):
            calls.append(arg.__name__)
        elif event == "call" and frame.f_code is f.__code__:
            calls.append("f")

    sys.setprofile(profile)
    try:
        value, tangent = h(2.0, 5.0, 1.0, 0.0)
    finally:
        sys.setprofile(None)
    assert value == pytest.approx(math.log(2.0) + 10.0 - math.sin(5.0), rel=1e-15)
    assert tangent == 5.5
    # one pass: each primal operation once, f itself never called, cos once for the tangent
    assert sorted(calls) == ["cos", "log", "sin"]


def test_textbook_jvp_gives_df_dx2(f):
    _, tangent = srcad.jvp(f, wrt=(0, 1))(2.0, 5.0, 0.0, 1.0)
    assert tangent == pytest.approx(2.0 - math.cos(5.0), rel=1e-15)


def test_the_demos_textbook_function_has_the_same_forward_source(f):
    ours = srcad.source(f, wrt=(0, 1), mode="forward")
    theirs = srcad.source(srcad.textbook.f, wrt=(0, 1), mode="forward")
    assert statements(theirs) == statements(ours)


@pytest.mark.parametrize("name", ["while_halving", "if_elif_else", "for_range_power", "helper_once",
                                  "list_append_then_sum", "rnn"])
def test_forward_source_of_control_flow_has_no_tape_and_is_stable(name):
    fn = getattr(corpus_control, name)
    text = srcad.source(fn, wrt=0, mode="forward")
    assert re.search(rf"^\s*def {fn.__name__}_jvp\(", text, re.MULTILINE), text
    assert "_tape" not in text
    assert srcad.source(fn, wrt=0, mode="forward") == text


def test_forward_source_with_array_arguments_names_array_tangents():
    fn = corpus_control.for_loop_carries_an_array
    text = srcad.source(fn, mode="forward", args=(np.ones(4),))
    assert "def for_loop_carries_an_array_jvp(x, dx)" in text
    assert "dh" in text and "_tape" not in text
