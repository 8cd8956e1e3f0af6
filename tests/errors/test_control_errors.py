"""What srcad refuses in control flow and calls, and how: a SrcadError at the user's FILE:LINE.

Recursion, generators, nested definitions, classes, try/with, loops with an `else:` block,
method calls that change a differentiated list (other than `.append`) and writes into a
differentiated argument array are refused, inside loops and branches and inside called helpers too.
Each sample is written to a real file by `load_function`; the expected line is looked up in
that file (`line_of`), so editing a sample never leaves a stale line number behind.
"""
import re

import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_grad, line_of, load_function


def refusal(how, f, args):
    """The SrcadError from running the derivative (`grad`) or only generating it (`source`)."""
    with pytest.raises(srcad.SrcadError) as info:
        if how == "grad":
            srcad.grad(f)(*args)
        else:
            srcad.source(f)
    return info.value


# name: (source defining f, text of the line to cite, pattern the message matches, args)
REFUSED = {
    "recursion": ('''
def f(x, n):
    if n == 0:
        return x
    return f(x * 2.0, n - 1) + x
''', "return f(x * 2.0", r"recursive call", (1.5, 3)),
    "recursion_in_a_loop": ('''
def f(x, n):
    s = 0.0
    for i in range(n):
        s = s + f(x, 0) * i
    return s + x
''', "s = s + f(x, 0)", r"recursive call", (1.5, 2)),
    "recursion_through_a_helper": ('''
def even(x, n):
    if n == 0:
        return x
    return odd(x, n - 1)


def odd(x, n):
    return even(x * 1.5, n - 1)


def f(x, n):
    return even(x, n) * x
''', "return even(x * 1.5", r"recursive call", (1.5, 3)),
    "yield": ('''
def f(x):
    for i in range(3):
        x = x * 2.0
        yield x
''', "yield x", r"\byield\b|generator", (1.5,)),
    "yield_in_a_helper": ('''
def numbers(x):
    for i in range(3):
        yield x * i


def f(x):
    return sum(numbers(x))
''', "yield x * i", r"\byield\b|generator", (1.5,)),
    # nested functions are written out where they are called (tests/idioms); these are not
    "nested_def_as_a_value": ('''
def f(x):
    def twice(v):
        return v * 2.0
    g = twice
    return g(x)
''', "g = twice", r"nested function twice used as a value", (1.5,)),
    "nested_def_returning_early": ('''
def f(x):
    for i in range(2):
        def step(v):
            if v > 3.0:
                return v
            return v * 2.0
        x = step(x)
    return x
''', "def step(v):", r"nested function step.*one return", (1.5,)),
    "nested_def_calling_itself": ('''
def helper(x):
    def power(v, n):
        return v if n == 0 else v * power(v, n - 1)
    return power(x, 3)


def f(x):
    return helper(x) + x
''', "return v if n == 0", r"nested function power, which calls itself", (1.5,)),
    "class_in_a_branch": ('''
def f(x):
    if x > 0.0:
        class Box:
            scale = 2.0
        x = x * Box.scale
    return x
''', "class Box:", r"\bclass\b", (1.5,)),
    "try_in_a_loop": ('''
import math


def f(x):
    for i in range(3):
        try:
            x = math.sqrt(x)
        except ValueError:
            x = 0.0
    return x
''', "try:", r"\btry\b", (1.5,)),
    "with_in_a_branch": ('''
import contextlib


def f(x):
    if x > 0.0:
        with contextlib.nullcontext():
            x = x * x
    return x
''', "with contextlib", r"\bwith\b", (1.5,)),
    "try_in_a_helper": ('''
def helper(x):
    try:
        return x * 2.0
    except ValueError:
        return x


def f(x):
    return helper(x) * x
''', "try:", r"\btry\b", (1.5,)),
    "for_else_with_break": ('''
def f(x):
    for i in range(5):
        x = x * 1.1
        if x > 3.0:
            break
    else:
        x = x + 10.0
    return x
''', "for i in range(5):", r"\belse\b", (1.5,)),
    "pop": ('''
def f(x):
    xs = []
    for i in range(3):
        xs.append(x * i)
    last = xs.pop()
    return last + xs[1]
''', "last = xs.pop()", r"\bpop\b", (1.5,)),
    "insert": ('''
def f(x):
    xs = [x]
    xs.insert(0, x * 2.0)
    return xs[0] * xs[1]
''', "xs.insert(0", r"\binsert\b", (1.5,)),
    "extend": ('''
def f(x):
    xs = [x]
    xs.extend([x, x * 2.0])
    return sum(xs)
''', "xs.extend(", r"\bextend\b", (1.5,)),
    "remove_in_a_loop": ('''
def f(x):
    xs = [x, x * 2.0, x * 3.0]
    for i in range(2):
        xs.remove(xs[0])
    return xs[0]
''', "xs.remove(xs[0])", r"\bremove\b", (1.5,)),
    "reverse": ('''
def f(x):
    xs = [x, x * 2.0]
    xs.reverse()
    return xs[0]
''', "xs.reverse()", r"\breverse\b", (1.5,)),
    # (f's own writes into its argument go into a copy: tests/idioms; a helper's writes
    # into what it is given are refused at the call: tests/numpy/test_aliasing.py)
}


@pytest.mark.parametrize("how", ["grad", "source"])
@pytest.mark.parametrize("construct", list(REFUSED))
def test_refused_at_the_users_line(construct, how):
    src, marker, pattern, args = REFUSED[construct]
    f = load_function(src, "f")
    error = refusal(how, f, args)
    assert_cites(error, f, marker)
    assert re.search(pattern, str(error), re.IGNORECASE), str(error)


FOR_ELSE_WITHOUT_BREAK = '''
def f(x):
    for i in range(3):
        x = x * 1.1
    else:
        x = x + 1.0
    return x * x
'''


WHILE_ELSE_WITHOUT_BREAK = '''
def f(x):
    while x > 1.0:
        x = x / 2
    else:
        x = x + 1.0
    return x * x
'''


@pytest.mark.parametrize("source, args", [(FOR_ELSE_WITHOUT_BREAK, (1.0,)),
                                          (WHILE_ELSE_WITHOUT_BREAK, (3.5,))], ids=["for", "while"])
def test_a_loop_else_without_break_runs_after_the_loop(source, args):
    # with no break, the else block always runs when the loop ends: it is differentiated so
    f = load_function(source, "f")
    value, gradient = srcad.value_and_grad(f)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(gradient, fd_grad(f, args, 0))


# ---------------------------------------------------------------- what the messages say

@pytest.mark.parametrize("construct, expected", [
    ("recursion", r"\bf\b"),  # names the function
    ("recursion_through_a_helper", r"\beven\b"),
    ("for_else_with_break", r"after the loop"),
    ("nested_def_as_a_value", r"module level"),
    ("pop", r"\bappend\b"),
    ("insert", r"\bappend\b"),
    ("extend", r"\bappend\b"),
    ("reverse", r"\bappend\b"),
])
def test_message_names_the_construct_or_says_what_to_do(construct, expected):
    src, _, _, args = REFUSED[construct]
    f = load_function(src, "f")
    error = refusal("source", f, args)
    text = str(error)[len(f"{error.filename}:{error.lineno}:"):]
    assert re.search(expected, text), str(error)


def test_message_quotes_the_users_line():
    src, marker, _, args = REFUSED["recursion_in_a_loop"]
    f = load_function(src, "f")
    assert marker in str(refusal("grad", f, args))


def test_refusal_in_a_helper_cites_the_helpers_line_not_the_call():
    src, marker, _, args = REFUSED["try_in_a_helper"]
    f = load_function(src, "f")
    error = refusal("grad", f, args)
    assert error.lineno == line_of(f, marker)
    assert error.lineno != line_of(f, "return helper(x) * x")


# ---------------------------------------------------------------- and what is not refused

ALLOWED = {
    # a list of constants may be changed freely: nothing is differentiated through it
    "pop_of_a_constant_list": ('''
def f(x):
    cs = [1.0, 2.0, 3.0]
    c = cs.pop()
    cs.insert(0, 4.0)
    return x * c + x * cs[0]
''', (1.5,), 7.0),
    # writing into arrays that no derivative flows through
    "write_into_an_inactive_array": ('''
import numpy as np


def f(x):
    w = np.zeros(3)
    w[1] = 2.0
    return np.sum(w * x)
''', (np.array([0.5, 1.5, -1.0]),), np.array([0.0, 2.0, 0.0])),
    "write_into_an_inactive_array_in_a_loop": ('''
import numpy as np


def f(x):
    w = np.zeros(3)
    for i in range(3):
        w[i] = i + 1.0
    return np.sum(w * x)
''', (np.array([0.5, 1.5, -1.0]),), np.array([1.0, 2.0, 3.0])),
    # a local array that is written into is differentiated through the writes: srcad saves
    # the overwritten elements (an argument array is refused, above: the caller's would change)
    "write_into_a_local_array_in_a_loop": ('''
import numpy as np


def f(x):
    y = x * 2.0
    for i in range(3):
        y[i] = y[i] * y[i]
    return np.sum(y)
''', (np.array([0.5, 1.5, -1.0]),), 8.0 * np.array([0.5, 1.5, -1.0])),
    "append_in_a_loop": ('''
def f(x):
    xs = []
    for i in range(3):
        xs.append(x * i)
    return xs[-1] + xs[1]
''', (1.5,), 3.0),
    # recursion in a function that is never differentiated is not srcad's business
    "primitive_helper_is_not_transformed": ('''
import srcad


@srcad.primitive
def count_down(n):
    if n == 0:
        return 0
    return count_down(n - 1) + 1


def f(x, n):
    return x * count_down(n)
''', (1.5, 4), 4.0),
}


@pytest.mark.parametrize("construct", list(ALLOWED))
def test_not_refused(construct):
    src, args, expected = ALLOWED[construct]
    f = load_function(src, "f")
    assert_close(srcad.grad(f)(*args), expected, rtol=1e-12)
