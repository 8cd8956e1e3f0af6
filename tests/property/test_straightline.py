"""Random straight-line programs: srcad's reverse mode against finite differences.

hypothesis writes small functions of 2-3 float inputs from operations that are smooth
everywhere (division only by 1 + v*v, sqrt only of 1 + v*v, exp only of a tanh), with new,
overwritten and augmented variables, then compares srcad.grad with 5-point differences and
checks that source(f) gives the same text twice.
"""
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import srcad
from helpers import assert_close, fd_grad, load_function

OPERATIONS = [
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / (1.0 + {b} * {b})",
    "math.sin({a})",
    "math.cos({a})",
    "math.tanh({a})",
    "math.exp(math.tanh({a}))",
    "math.sqrt(1.0 + {a} * {a})",
    "{a} ** 2",
    "-{a}",
    "{c} * {a}",
    "{a} + {c}",
]
AUGMENTED = ["+=", "-=", "*="]
CONSTANTS = ["0.5", "2.0", "-1.5"]


@st.composite
def programs(draw):
    """(source text, number of inputs, input values) of a function `f(x0, x1[, x2])`."""
    n_inputs = draw(st.integers(min_value=2, max_value=3))
    names = [f"x{i}" for i in range(n_inputs)]
    body = []
    for k in range(draw(st.integers(min_value=1, max_value=6))):
        expr = draw(st.sampled_from(OPERATIONS)).format(
            a=draw(st.sampled_from(names)), b=draw(st.sampled_from(names)),
            c=draw(st.sampled_from(CONSTANTS)))
        kind = draw(st.sampled_from(["new", "overwrite", "augment"]))
        if kind == "new":
            target = f"v{k}"
            names.append(target)
            body.append(f"{target} = {expr}")
        elif kind == "overwrite":
            target = draw(st.sampled_from(names))
            body.append(f"{target} = {expr}")
        else:
            target = draw(st.sampled_from(names))
            body.append(f"{target} {draw(st.sampled_from(AUGMENTED))} {expr}")
    result = draw(st.sampled_from(names))
    params = ", ".join(f"x{i}" for i in range(n_inputs))
    lines = ["import math", "", "", f"def f({params}):"]
    lines += [f"    {stmt}" for stmt in body] + [f"    return {result} + 0.5 * {names[-1]}", ""]
    values = draw(st.lists(st.floats(min_value=-1.5, max_value=1.5), min_size=n_inputs,
                           max_size=n_inputs))
    return "\n".join(lines), n_inputs, tuple(values)


def finite_differences_are_trustworthy(f, args, wrt):
    # Growth such as repeated squaring can make the differences themselves inaccurate;
    # two step sizes that agree to 1e-8 show they are not.
    coarse = np.array(fd_grad(f, args, wrt))
    fine = np.array(fd_grad(f, args, wrt, scale=0.5))
    return bool(np.all(np.isfinite(coarse)) and np.allclose(coarse, fine, rtol=1e-8, atol=1e-9))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(programs())
def test_reverse_mode_matches_finite_differences(program):
    src, n_inputs, args = program
    f = load_function(src, "f")
    wrt = tuple(range(n_inputs))
    assume(math.isfinite(f(*args)) and finite_differences_are_trustworthy(f, args, wrt))
    value, gradient = srcad.value_and_grad(f, wrt=wrt)(*args)
    assert math.isclose(value, f(*args), rel_tol=1e-12, abs_tol=1e-15)
    assert_close(gradient, fd_grad(f, args, wrt), rtol=1e-5, atol=1e-7)
    text = srcad.source(f, wrt=wrt)
    assert "def " in text
    assert srcad.source(f, wrt=wrt) == text
