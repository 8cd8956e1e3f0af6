"""What srcad refuses, and how: a SrcadError citing the user's own FILE:LINE.

Each sample is written to a real file by `load_function`; the expected line is looked up in
that file (`line_of`), so editing a sample never leaves a stale line number behind.
"""
import math
import re
import zlib

import numpy as np
import pytest

import srcad
from helpers import assert_cites, load_function


def test_srcad_error_is_an_exception():
    assert issubclass(srcad.SrcadError, Exception)


# ---------------------------------------------------------------- no source at all

def test_lambda_made_by_eval_is_refused_without_a_line():
    f = eval("lambda x: x * 2.0")
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(1.0)
    assert info.value.lineno is None
    assert "lambda" in str(info.value)
    assert "source" in str(info.value).lower()


def test_c_function_of_no_library_is_refused_without_a_line():
    # math and numpy functions are differentiated through their rules (tests/callables);
    # a C function of another module has neither source nor rules
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(zlib.crc32)(1.0)
    assert info.value.lineno is None
    assert "crc32" in str(info.value)


def test_source_of_a_c_function_is_refused():
    with pytest.raises(srcad.SrcadError) as info:
        srcad.source(zlib.crc32)
    assert info.value.lineno is None
    assert "crc32" in str(info.value)


def test_source_of_a_library_function_is_its_one_line_def():
    assert "return math.sin(x)" in srcad.source(math.sin)


# ---------------------------------------------------------------- unsupported statements

STATEMENTS = {
    "try": ('''
import math


def f(x):
    y = x * 2.0
    try:
        y = math.sin(y)
    except ValueError:
        y = 0.0
    return y
''', "try:", r"\btry\b"),
    "with": ('''
import contextlib


def f(x):
    y = x * 2.0
    with contextlib.nullcontext():
        y = y * y
    return y
''', "with contextlib", r"\bwith\b"),
    "yield": ('''
def f(x):
    y = x * 2.0
    yield y
''', "yield y", r"\byield\b"),
    "class": ('''
def f(x):
    class Box:
        scale = 2.0
    return x * Box.scale
''', "class Box", r"\bclass\b"),
    "global": ('''
CALLS = 0


def f(x):
    global CALLS
    CALLS = 1
    return x * 2.0
''', "global CALLS", r"\bglobal\b"),
    # f is a closure, so that `nonlocal` is f's own statement and no nested def is involved.
    "nonlocal": ('''
def make():
    scale = 2.0

    def f(x):
        nonlocal scale
        scale = 3.0
        return x * scale

    return f


f = make()
''', "nonlocal scale", r"\bnonlocal\b"),
    "del": ('''
def f(x):
    y = x * 2.0
    z = y + 1.0
    del y
    return z
''', "del y", r"\bdel\b"),
}


def differentiate(how, f, *args):
    """Run the derivative (`grad`) or only generate it (`source`)."""
    return srcad.grad(f)(*args) if how == "grad" else srcad.source(f)


@pytest.mark.parametrize("how", ["grad", "source"])
@pytest.mark.parametrize("construct", list(STATEMENTS))
def test_unsupported_statement_is_refused_at_its_line(construct, how):
    src, marker, pattern = STATEMENTS[construct]
    f = load_function(src, "f")
    with pytest.raises(srcad.SrcadError) as info:
        differentiate(how, f, 1.5)
    assert_cites(info.value, f, marker)
    assert re.search(pattern, str(info.value), re.IGNORECASE), str(info.value)


# ---------------------------------------------------------------- calls with no derivative rule

NO_RULE = '''
import math


def f(x, c):
    y = x * 2.0
    z = math.gamma(y)
    return z + c
'''


@pytest.mark.parametrize("how", ["grad", "source"])
def test_call_without_rule_on_active_value_is_refused_at_the_call(how):
    f = load_function(NO_RULE, "f")
    with pytest.raises(srcad.SrcadError) as info:
        differentiate(how, f, 1.5, 0.5)
    assert_cites(info.value, f, "math.gamma(y)")
    assert "gamma" in str(info.value)
    assert "defvjp" in str(info.value)


def test_call_without_rule_on_inactive_value_is_fine():
    f = load_function(NO_RULE, "f")
    # c does not depend on x, so d/dc needs no rule for gamma: the gradient is 1.
    assert srcad.grad(f, wrt="c")(1.5, 0.5) == pytest.approx(1.0, rel=1e-12)


INACTIVE = '''
import math


def f(x, c):
    n = math.floor(c)
    k = math.gamma(c)
    return x * n + x * k
'''


def test_non_differentiable_functions_of_inactive_values_are_fine():
    f = load_function(INACTIVE, "f")
    # floor(4.5) = 4 and gamma(4.5) = 11.631728396567448; both are constants in x.
    gradient = srcad.grad(f, wrt="x")(1.5, 4.5)
    assert gradient == pytest.approx(4.0 + math.gamma(4.5), rel=1e-12)
    assert isinstance(srcad.source(f, wrt="x"), str)


# ---------------------------------------------------------------- non-scalar output for grad

ARRAY_OUTPUT = '''
import numpy as np


def f(x):
    y = np.sin(x)
    return y * 2.0
'''

TUPLE_OUTPUT = '''
def f(x):
    y = x * 2.0
    return y, x
'''


@pytest.mark.parametrize("transform", ["grad", "value_and_grad"])
@pytest.mark.parametrize("src, arg", [(ARRAY_OUTPUT, np.array([0.1, 0.2, 0.3])), (TUPLE_OUTPUT, 1.5)],
                         ids=["array", "tuple"])
def test_non_scalar_output_is_refused_at_the_return_line(transform, src, arg):
    f = load_function(src, "f")
    derivative = getattr(srcad, transform)(f)  # shapes are known only when it runs
    with pytest.raises(srcad.SrcadError) as info:
        derivative(arg)
    assert_cites(info.value, f, "return ")
    assert re.search(r"\bvjp\b|\bjacobian\b", str(info.value)), str(info.value)


def test_array_code_with_a_scalar_output_is_fine():
    f = load_function(ARRAY_OUTPUT, "f")
    # The same function returns a float for a float argument, so grad accepts it.
    assert srcad.grad(f)(0.5) == pytest.approx(2.0 * math.cos(0.5), rel=1e-12)


# ---------------------------------------------------------------- bad wrt

TWO_ARGUMENTS = '''
import math


def f(x, y):
    return x * math.sin(y)
'''


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp", "source"])
@pytest.mark.parametrize("wrt", ["velocity", 2, (0, "velocity"), (1, 2)],
                         ids=["unknown-name", "position-out-of-range", "tuple-with-unknown-name",
                              "tuple-with-position-out-of-range"])
def test_bad_wrt_is_refused_at_the_def_line_by_the_transformation_itself(transform, wrt):
    f = load_function(TWO_ARGUMENTS, "f")
    with pytest.raises(srcad.SrcadError) as info:
        getattr(srcad, transform)(f, wrt=wrt)  # not called: refused before anything runs
    assert_cites(info.value, f, "def f(")


@pytest.mark.parametrize("wrt, shown", [("velocity", "velocity"), (7, "7")], ids=["name", "position"])
def test_bad_wrt_is_named_in_the_message(wrt, shown):
    f = load_function(TWO_ARGUMENTS, "f")
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f, wrt=wrt)
    error = info.value
    assert shown in str(error)[len(f"{error.filename}:{error.lineno}:"):]


def test_bad_wrt_in_decorator_options_is_refused_when_applied():
    f = load_function(TWO_ARGUMENTS, "f")
    decorate = srcad.grad(wrt="velocity")
    with pytest.raises(srcad.SrcadError) as info:
        decorate(f)
    assert_cites(info.value, f, "def f(")
