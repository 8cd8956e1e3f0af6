"""python -m srcad: each command in a subprocess, its output and its exit status."""
import os
import shutil
import subprocess
import sys

import pytest

import srcad
from srcad.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODEL = """\
import math

import numpy as np


def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def total(xs, scale):
    return np.sum(xs * xs) * scale


def loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + x * i
    return s


def refused(x):
    try:
        y = x * 2.0
    except ValueError:
        y = 0.0
    return y


def squares(xs: np.ndarray):
    return np.sum(xs * xs)


constant = 3.0

if __name__ == "__main__":
    raise SystemExit("the CLI must not run the __main__ block")
"""


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "model.py"
    path.write_text(MODEL)
    return str(path)


def run(*args):
    done = subprocess.run([sys.executable, "-m", "srcad", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    return done.returncode, done.stdout, done.stderr


def assert_usage_error(status, out, err, text):
    assert status == 2, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("srcad: ") and text in err
    assert "Traceback" not in err


def test_demo_shows_the_textbook_example_end_to_end():
    status, out, err = run("demo")
    assert status == 0, err
    assert "def f(x1, x2):" in out and "def f_vjp(x1, x2, by=1.0):" in out
    assert "y       = 11.652" in out
    assert "df/dx1  = 5.500" in out and "df/dx2  = 1.716" in out
    assert "Reverse adjoint trace" in out and "bx1 += by / x1" in out


def test_show_prints_the_generated_source(model):
    status, out, err = run("show", f"{model}:f", "--wrt", "x1,x2")
    assert status == 0, err
    sys.path.insert(0, os.path.dirname(model))
    try:
        import model as module
    finally:
        sys.path.pop(0)
    assert out == srcad.source(module.f, wrt=("x1", "x2"))


def test_show_side_by_side(model):
    status, out, err = run("show", f"{model}:f", "--wrt", "x1,x2", "--side-by-side")
    assert status == 0, err
    first = out.splitlines()[0]
    assert first.startswith("def f(x1, x2):") and first.endswith("def f_vjp(x1, x2, by=1.0):")
    assert any(line.startswith("    return math.log(x1)") and "t1 = math.log(x1)" in line
               for line in out.splitlines())


def test_show_of_grad_shows_what_grad_runs(model):
    status, out, err = run("show", f"{model}:squares", "--of", "grad")
    assert status == 0, err
    assert "def squares_grad(xs: np.ndarray):" in out and "_rt.stand_in()" in out
    status, out, err = run("show", f"{model}:squares")
    assert status == 0 and "def squares_vjp(xs: np.ndarray, by=1.0):" in out
    status, out, err = run("show", f"{model}:squares", "--of", "hessian")
    assert status == 2 and out == "" and "--of" in err


def test_show_forward_mode(model):
    status, out, err = run("show", f"{model}:f", "--mode", "forward")
    try:
        srcad.source(lambda x: x * x, mode="forward")
    except srcad.SrcadError:
        assert_usage_error(status, out, err, "forward")
    else:
        assert status == 0 and "def " in out


def test_trace_prints_both_sweeps(model):
    status, out, err = run("trace", f"{model}:f", "2", "5", "--wrt", "x1,x2")
    assert status == 0, err
    assert "Forward primal trace" in out and "Reverse adjoint trace" in out
    assert "df/dx1 = 5.5, df/dx2 = 1.7163" in out
    assert "v'_-1 += v'_5 / v_-1" in out


def test_trace_reads_lists_as_arrays_and_keeps_other_arguments(model):
    status, out, err = run("trace", f"{model}:total", "[1.0, 2.0, 3.0]", "2")
    assert status == 0, err
    assert "df/dxs = bxs" in out and "array([4., 8., 12.])" in out
    assert "scale=2)" in out  # not differentiated: stays an int


def test_trace_limits_loop_turns(model):
    status, out, err = run("trace", f"{model}:loop", "1.5", "9", "--limit", "2")
    assert status == 0, err
    assert "turn 1 of 9" in out and "turn 9 of 9" in out and "turn 5 of 9" not in out
    status, out, err = run("trace", f"{model}:loop", "1.5", "9", "--all")
    assert "turn 5 of 9" in out


def test_graph_prints_dot_or_writes_a_file(model, tmp_path):
    status, out, err = run("graph", f"{model}:f")
    assert status == 0, err
    assert out.startswith('digraph "f"') and 'label="t1  (v_1)\\nmath.log"' in out
    target = tmp_path / "f.dot"
    status, out, err = run("graph", f"{model}:f", "2", "5", "--wrt", "x1,x2", "-o", str(target))
    assert status == 0, err
    assert "adjoint 5.5" in target.read_text()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graph_draws_svg(model, tmp_path):
    target = tmp_path / "f.svg"
    status, out, err = run("graph", f"{model}:f", "-o", str(target))
    assert status == 0, err
    assert "<svg" in target.read_text()


def test_a_mistake_gives_one_line_and_status_2(model):
    status, out, err = run("show", f"{model}:nope")
    assert_usage_error(status, out, err, "has no function 'nope'")


@pytest.mark.parametrize("args, text", [
    (("show", "no/such/file.py:f"), "no such file: no/such/file.py"),
    (("show", "{model}:constant"), "'constant' is a float, not a function"),
    (("show", "{model}"), "expected FILE.py:FUNC"),
    (("show", "{model}:f", "--wrt", "z"), "f has no parameter named 'z'"),
    (("trace", "{model}:f", "2", "abc"), "cannot read argument 'abc'"),
    (("trace", "{model}:f", "2"), "missing a required argument: 'x2'"),
    (("trace", "{model}:f", "'two'", "5"), "must be a number"),
    (("graph", "{model}:f", "[1, 2"), "cannot read argument '[1, 2'"),
])
def test_mistakes_in_process(model, args, text, capsys):
    status = main([a.format(model=model) for a in args])
    out, err = capsys.readouterr()
    assert_usage_error(status, out, err, text)


def test_code_srcad_refuses_gives_its_message_and_status_1(model):
    status, out, err = run("show", f"{model}:refused")
    assert status == 1
    assert "model.py:22: cannot differentiate a try statement" in err
    assert "Traceback" not in err


def test_help_in_a_subprocess():
    status, out, err = run("trace", "--help")
    assert status == 0 and out.startswith("usage: python -m srcad trace")


@pytest.mark.parametrize("command", ["show", "trace", "graph", "demo"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("usage: python -m srcad " + command)
