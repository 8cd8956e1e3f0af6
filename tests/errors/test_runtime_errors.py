"""Errors raised as a derivative runs point to the user's line.

A `raise` in f, a numpy shape mismatch inside f's operations, a division by zero: the
traceback Python prints (here `traceback.format_exception`, which the default printer uses)
shows the user's file, the line number and the source text of the statement whose derivative
raised, besides the generated code's own frame (registered in linecache, so `srcad.source(f)`
shows exactly what ran).
"""
import os
import subprocess
import sys
import traceback

import numpy as np
import pytest

import srcad
from helpers import line_of, load_function

SOURCE = '''
import numpy as np

def checked(x):
    y = x * 2.0
    if y > 10.0:
        raise ValueError("x is too large for this model")
    return y * y

def mismatched(x, w):
    y = np.sin(x)
    z = y * w
    return np.sum(z)

def divided(x, d):
    return x / d

def helper(x):
    if x > 1.0:
        raise ValueError("too large inside the helper")
    return x * x

def calls_helper(x):
    y = helper(x) + 1.0
    return y
'''


def _formatted(error):
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def _assert_points_to(error, f, text):
    shown = _formatted(error)
    filename = f.__code__.co_filename
    assert f'File "{filename}", line {line_of(f, text)}' in shown, shown
    assert text in shown, shown
    assert "<srcad " in shown, shown  # the generated code's own frame stays visible


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp", "jvp"])
def test_a_raise_in_f_points_to_its_line(transform):
    f = load_function(SOURCE, "checked")
    with pytest.raises(ValueError, match="too large") as info:
        if transform == "vjp":
            srcad.vjp(f)(6.0)
        elif transform == "jvp":
            srcad.jvp(f)(6.0, 1.0)
        else:
            getattr(srcad, transform)(f)(6.0)
    _assert_points_to(info.value, f, 'raise ValueError("x is too large for this model")')
    assert getattr(srcad, "grad")(f)(1.0) == 8.0  # and the next call works


@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_a_numpy_shape_error_points_to_the_users_line(transform):
    f = load_function(SOURCE, "mismatched")
    x, w = np.ones(3), np.ones(4)
    with pytest.raises(ValueError, match="broadcast") as info:
        if transform == "jvp":
            srcad.jvp(f)(x, w, np.ones(3))
        else:
            srcad.grad(f)(x, w)
    _assert_points_to(info.value, f, "z = y * w")


def test_a_division_by_zero_points_to_the_users_line():
    f = load_function(SOURCE, "divided")
    with pytest.raises(ZeroDivisionError) as info:
        srcad.grad(f)(1.0, 0.0)
    _assert_points_to(info.value, f, "return x / d")


def test_an_error_in_a_helper_points_to_the_helpers_line():
    f = load_function(SOURCE, "calls_helper")
    with pytest.raises(ValueError, match="inside the helper") as info:
        srcad.grad(f)(2.0)
    _assert_points_to(info.value, f, 'raise ValueError("too large inside the helper")')


def test_the_default_printer_shows_the_users_line(tmp_path):
    """Uncaught, in a fresh interpreter: what a user sees (sys.excepthook's own printer)."""
    script = tmp_path / "model.py"
    script.write_text("import numpy as np\nimport srcad\n\n"
                      "def f(x, w):\n"
                      "    y = np.sin(x)\n"
                      "    z = y * w\n"
                      "    return np.sum(z)\n\n"
                      "srcad.grad(f)(np.ones(3), np.ones(4))\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(srcad.__file__)))
    env = dict(os.environ, PYTHONPATH=root)  # this srcad, not an installed one
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env)
    assert run.returncode != 0
    assert f'File "{script}", line 6, in f' in run.stderr, run.stderr
    assert "    z = y * w" in run.stderr, run.stderr
    assert "ValueError" in run.stderr
