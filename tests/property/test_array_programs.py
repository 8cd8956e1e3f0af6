"""Random straight-line numpy programs: the gradient `grad` runs (with the array passes:
stand-ins, uniform cotangents, signs, accumulation in place, early release) against finite
differences and against the derivative compiled without those passes.

hypothesis writes functions of arrays whose shapes all broadcast to (3, 4): (3, 4), (4,),
(3, 1), (1, 4) and a Python float, combined by broadcasting arithmetic, smooth ufuncs, sums
and means over all or one axis (with and without keepdims) and slices, so that the
passes meet broadcasting, reductions of every kind and values read only for their shapes.
"""
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import assert_close, fd_grad, load_function
from srcad import analyze, pipeline

INPUTS = {"x0": (3, 4), "x1": (4,), "x2": (3, 1), "x3": (1, 4), "s": ()}
OPERATIONS = [
    "{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / (1.0 + {b} * {b})", "-{a}", "{c} * {a}",
    "{a} - {c}", "{a} ** 2", "np.tanh({a})", "np.exp(np.tanh({a}))", "np.sin({a}) * {b}",
    "np.sum({a}) * {b}", "np.mean({a}) + {b}", "np.sum({a}, axis=0, keepdims=True) * {b}",
    "np.sum({a}, axis=-1, keepdims=True) - {b}", "np.maximum({a}, {b})",
    "np.sum({a} * {b})", "{a} * np.mean({b} * {b})",
]
CONSTANTS = ["0.5", "2.0", "-1.5", "3"]


@st.composite
def programs(draw):
    names = list(INPUTS)
    body = []
    for k in range(draw(st.integers(min_value=1, max_value=7))):
        expr = draw(st.sampled_from(OPERATIONS)).format(
            a=draw(st.sampled_from(names)), b=draw(st.sampled_from(names)),
            c=draw(st.sampled_from(CONSTANTS)))
        if draw(st.booleans()) or k == 0:
            target = f"v{k}"
            names.append(target)
        else:
            target = draw(st.sampled_from([n for n in names if n.startswith("v")]))
        body.append(f"{target} = {expr}")
    first, second = draw(st.sampled_from(names[5:])), draw(st.sampled_from(names))
    ending = draw(st.sampled_from([
        f"np.sum({first}) + 0.5 * np.sum({second})",
        f"np.mean({first} * {second})",
        f"-np.sum({first}) / 3.0",
        f"np.sum(100.0 * ({first}[1:] - {second}) ** 2)",
    ]))
    lines = ["import numpy as np", "", "", f"def f({', '.join(INPUTS)}):"]
    lines += [f"    {stmt}" for stmt in body] + [f"    return {ending}", ""]
    return "\n".join(lines), draw(st.integers(min_value=0, max_value=2**16))


def arguments(seed):
    rng = np.random.default_rng(seed)
    return [float(rng.uniform(-1.0, 1.0)) if shape == () else rng.uniform(-1.0, 1.0, shape)
            for shape in INPUTS.values()]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(programs())
def test_grad_with_the_array_passes_matches_finite_differences(program):
    src, seed = program
    f = load_function(src, "f")
    args = arguments(seed)
    try:
        value = f(*args)
    except (ValueError, IndexError, TypeError):  # v[1:] of a number; shapes that do not broadcast
        assume(False)
    assume(math.isfinite(value))
    wrt = tuple(range(len(INPUTS)))
    kinds = {name: analyze.FLOAT if shape == () else analyze.ARRAY for name, shape in INPUTS.items()}
    final = pipeline.derive(f, tuple(INPUTS), kinds, "reverse", "grad", final=True).bind(f)(*args)
    plain = pipeline.derive(f, tuple(INPUTS), kinds, "reverse", "grad", final=False).bind(f)(*args)
    coarse, fine = fd_grad(f, args, wrt), fd_grad(f, args, wrt, scale=0.5)
    assume(all(np.allclose(c, d, rtol=1e-8, atol=1e-9) for c, d in zip(coarse, fine)))
    for mine, rules, oracle, arg in zip(final, plain, coarse, args):
        assert np.shape(mine) == np.shape(arg), src
        assert_close(mine, rules, rtol=1e-12, atol=1e-12)
        assert_close(mine, oracle, rtol=1e-6, atol=1e-7)
