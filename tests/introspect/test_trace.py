"""srcad.introspect.trace: the evaluation trace of one call, read off the running derivative."""
import math

import numpy as np
import pytest

import srcad
from srcad.introspect import trace

import samples


@pytest.fixture(scope="module")
def textbook_trace():
    return trace(samples.textbook, 2.0, 5.0, wrt=(0, 1))


def rows(t, kind):
    return [r for r in t.rows if r.kind == kind]


def test_textbook_forward_trace_is_table_1(textbook_trace):
    primal = [(r.name, r.expression, r.textbook) for r in rows(textbook_trace, "primal")]
    assert primal == [("t1", "math.log(x1)", "v_1 = math.log(v_-1)"),
                      ("t2", "x1 * x2", "v_2 = v_-1 * v_0"),
                      ("t3", "t1 + t2", "v_3 = v_1 + v_2"),
                      ("t4", "math.sin(x2)", "v_4 = math.sin(v_0)"),
                      ("y", "t3 - t4", "v_5 = v_3 - v_4")]
    values = [r.value for r in rows(textbook_trace, "primal")]
    assert values == pytest.approx([math.log(2.0), 10.0, 10.693147, -0.958924, 11.652071], abs=1e-6)


def test_textbook_inputs_are_v_minus_1_and_v_0(textbook_trace):
    inputs = [(r.name, r.value, r.textbook) for r in rows(textbook_trace, "input")]
    assert inputs == [("x1", 2.0, "v_-1 = x1"), ("x2", 5.0, "v_0 = x2")]


def test_textbook_reverse_trace_is_table_1(textbook_trace):
    reverse = [(r.kind, r.statement, round(r.value, 3)) for r in textbook_trace.reverse]
    assert reverse == [("seed", "by = 1.0", 1.0),
                       ("adjoint", "bt4 = -by", -1.0),
                       ("adjoint", "bx2 = bt4 * math.cos(x2)", -0.284),
                       ("adjoint", "bx1 = by * x2", 5.0),
                       ("adjoint", "bx2 += by * x1", 1.716),
                       ("adjoint", "bx1 += by / x1", 5.5),
                       ("gradient", "df/dx1 = bx1", 5.5),
                       ("gradient", "df/dx2 = bx2", 1.716)]
    textbook = [r.textbook for r in textbook_trace.reverse]
    assert textbook[:2] == ["v'_5 = 1.0", "v'_4 = -v'_5"]
    assert textbook[-2:] == ["x1' = v'_-1", "x2' = v'_0"]


def test_rows_are_in_the_order_computed(textbook_trace):
    sweeps = [r.sweep for r in textbook_trace.rows]
    assert sweeps == sorted(sweeps, key=["forward", "reverse"].index)
    assert textbook_trace.value == pytest.approx(11.652071, abs=1e-6)
    assert textbook_trace.gradient == pytest.approx((5.5, 2.0 - math.cos(5.0)))


def test_text_table_has_both_traces_and_the_numbers(textbook_trace):
    text = str(textbook_trace)
    assert "Forward primal trace" in text and "Reverse adjoint trace" in text
    assert "11.652" in text and "1.7163" in text and "-0.28366" in text
    assert "bx2 += by * x1" in text and "v'_0 += v'_5 * v_-1" in text
    assert text.index("y = t3 - t4") < text.index("bt4 = -by")


def test_html_table_for_notebooks(textbook_trace):
    html = textbook_trace._repr_html_()
    assert html.startswith("<div>") and "<table>" in html
    assert "v<sub>-1</sub>" in html and "v'<sub>5</sub>" in html
    assert "bx2 += by * x1" in html


def test_loop_rows_repeat_each_turn():
    t = trace(samples.sum_of_sines, 0.5, 3)
    sines = [r for r in t.forward if r.expression.startswith("math.sin")]
    assert [r.value for r in sines] == pytest.approx([math.sin(0.5 * i) for i in range(3)])
    assert [r.loops[0][2] for r in sines] == [1, 2, 3]
    text = str(t)
    assert "turn 1 of 3 (i = 0)" in text and "turn 3 of 3 (i = 2)" in text


def test_long_loops_show_an_ellipsis():
    t = trace(samples.sum_of_sines, 0.5, 10)
    text = t.format(limit=4)
    assert "turn 3 of 10" in text and "turn 10 of 10" in text and "turn 5 of 10" not in text
    assert "... turns 4 to 9 of 10 not shown" in text
    everything = t.format(limit=None)
    assert "turn 5 of 10" in everything and "not shown" not in everything


def test_trace_agrees_with_the_compiled_derivative():
    t = trace(samples.sum_of_sines, 0.7, 5)
    assert t.gradient == srcad.grad(samples.sum_of_sines)(0.7, 5)
    assert t.value == samples.sum_of_sines(0.7, 5)


def test_branch_rows_say_which_side_ran():
    t = trace(samples.clipped, 1.0, 2.0, wrt=(0, 1))
    branches = [(r.sweep, r.statement, r.value) for r in rows(t, "branch")]
    assert branches == [("forward", "if t1: else", False), ("reverse", "if t1: else", False)]
    assert t.gradient == (1.0, 1.0)


def test_bookkeeping_is_hidden_unless_asked():
    t = trace(samples.halving, 5.0)
    assert rows(t, "control")
    assert "n_ += 1" not in str(t)
    assert "n_ += 1" in t.format(control=True)
    assert t.gradient == 0.125


def test_calls_to_helpers_appear_as_rows():
    t = trace(samples.calls_helper, 3.0)
    assert any("square_fwd" in r.statement for r in t.forward)
    assert any("square_bwd" in r.statement for r in t.reverse)
    assert t.gradient == 7.0


def test_array_values_are_copies():
    w, v = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    t = trace(samples.weighted, w, v)
    assert t.gradient == pytest.approx(v)
    assert isinstance(t.rows[0].value, np.ndarray) and t.rows[0].value is not w
    assert "array([3.0, 4.0])" in str(t) or "array([3., 4.])" in str(t)


def test_non_scalar_output_is_refused():
    with pytest.raises(srcad.SrcadError, match="scalar output"):
        trace(samples.vector_out, 1.0)


def test_unknown_wrt_is_refused():
    with pytest.raises(srcad.SrcadError, match="no parameter named 'z'"):
        trace(samples.textbook, 2.0, 5.0, wrt="z")
