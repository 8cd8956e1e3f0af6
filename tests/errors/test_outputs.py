"""Outputs and complex numbers: what `grad` and friends refuse rather than answer wrongly.

- `grad`/`value_and_grad` of a function returning something that is not a number (a str, None,
  a list, a tuple, a dict, a bool) raise a TypeError (also a SrcadError) naming what came back,
  citing the return line; an array of another shape keeps its SrcadError pointing to vjp.
- Complex numbers are refused with a SrcadError wherever they meet a derivative: a complex
  argument, a complex array, a complex value arising inside (`x ** 0.5` of a negative float,
  `np.sqrt` of a complex array, a complex constant); never cut to their real part.
Each refusal has a twin at a real point that must give the right number (so a check that
refuses too much fails too).
"""
import math

import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, assert_cites, fd_grad, load_function

OUTPUTS = '''
import numpy as np

SETTINGS = {"rate": 0.1}

def text(x):
    return "hello"

def nothing(x):
    y = x * 2.0
    return None

def listed(x):
    return [x, x]

def paired(x):
    return (x * 2.0, x)

def settings(x):
    y = x * 2.0
    return SETTINGS

def positive(x):
    return x > 0.0

def vector(x):
    return np.ones(3) * x
'''


@pytest.mark.parametrize("name, returned, line", [
    ("text", "a str ('hello')", 'return "hello"'), ("nothing", "None", "return None"),
    ("listed", "a list", "return [x, x]"), ("paired", "a tuple", "return (x * 2.0, x)"),
    ("settings", "a dict", "return SETTINGS"), ("positive", "a bool", "return x > 0.0"),
])
@pytest.mark.parametrize("transform", [srcad.grad, srcad.value_and_grad, srcad.tape.grad],
                         ids=["grad", "value_and_grad", "tape"])
@pytest.mark.parametrize("arg", [1.5, np.array([1.5, 2.0])], ids=["float", "array"])
def test_a_non_number_output_is_a_type_error_naming_it(name, returned, line, transform, arg):
    f = load_function(OUTPUTS, name)
    if name in ("listed", "paired") and transform is srcad.tape.grad:
        pytest.skip("the tape refuses a traced list or tuple before it is returned")
    if name == "positive" and np.ndim(arg):
        pytest.skip("an array of booleans: refused for its shape")
    with pytest.raises(TypeError) as info:
        transform(f)(arg)
    assert isinstance(info.value, srcad.SrcadError)
    assert f"returned {returned}" in str(info.value)
    assert_cites(info.value, f, line)


def test_an_array_output_keeps_its_srcad_error_pointing_to_vjp():
    f = load_function(OUTPUTS, "vector")
    with pytest.raises(srcad.SrcadError, match="vjp") as info:
        srcad.grad(f)(1.5)
    assert not isinstance(info.value, TypeError)
    assert "shape (3,)" in str(info.value)


def test_the_refusal_leaves_the_next_call_working():
    f = load_function(OUTPUTS, "text")
    g = srcad.grad(f)
    for _ in range(2):
        with pytest.raises(TypeError):
            g(1.0)
    h = load_function("def h(x):\n    return x * x\n", "h")
    assert srcad.grad(h)(3.0) == 6.0


COMPLEX = '''
import math
import numpy as np

C = np.array([1.0 + 1.0j, 2.0])

def square_real(z):
    return (z * z).real

def summed_square_real(z):
    return np.sum((z * z).real)

def root_abs(x):
    return abs(x ** 0.5)

def root_twice(x):
    y = x ** 0.5
    return y * y

def root_of_power(x, p):
    return x ** p

def via_complex_sqrt(x):
    return np.sqrt(x + 0j).real

def scaled_sum(x):
    return np.sum((x * C).real)

def scalar_times_constant(x):
    return np.real(x * (1.0 + 1.0j))

def complex_output(x):
    return x * (1.0 + 2.0j)
'''

# (function, argument(s), wrt): each is refused by grad, value_and_grad, vjp and jvp
REFUSED = [
    ("square_real", (1.0 + 2.0j,), 0),
    ("square_real", (np.complex128(1.0 + 2.0j),), 0),
    ("square_real", (np.array(1.0 + 2.0j),), 0),
    ("summed_square_real", (np.array([1.0 + 2.0j, 0.5]),), 0),
    ("root_abs", (-2.0,), 0),
    ("root_twice", (-2.0,), 0),
    ("root_of_power", (-2.0, 0.5), 0),
    ("via_complex_sqrt", (-2.0,), 0),
    ("scaled_sum", (np.array([1.0, 2.0]),), 0),
    ("scalar_times_constant", (1.5,), 0),
    ("complex_output", (1.5,), 0),
]


def _run(transform, f, args, wrt):
    if transform == "vjp":
        value, pullback = srcad.vjp(f, wrt)(*args)
        return pullback(1.0)
    if transform == "jvp":
        return srcad.jvp(f, wrt)(*args, np.ones_like(args[wrt]))
    return getattr(srcad, transform)(f, wrt)(*args)


@pytest.mark.parametrize("name, args, wrt", REFUSED, ids=[f"{c[0]}-{i}" for i, c in enumerate(REFUSED)])
@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp", "jvp"])
def test_complex_numbers_are_refused_never_cut_to_their_real_part(name, args, wrt, transform):
    f = load_function(COMPLEX, name)
    if transform == "jvp" and name in ("via_complex_sqrt", "scaled_sum", "scalar_times_constant"):
        # forward mode through holomorphic steps and a final real part is exact (a real input,
        # a real output, a real tangent): nothing is truncated, so it answers
        value, tangent = _run(transform, f, args, wrt)
        expected = fd_grad(lambda *a: float(np.sum(f(*a))), args, wrt)
        assert_close(tangent, np.sum(expected), rtol=1e-6)
        return
    if transform == "vjp" and name == "complex_output":
        pytest.skip("vjp returns a complex output as it is: its cotangent is the caller's")
    with _no_complex_warning():
        with pytest.raises(srcad.SrcadError, match="complex"):
            _run(transform, f, args, wrt)


class _no_complex_warning:
    """Fails the test on numpy's ComplexWarning (a real part taken with only a warning)."""

    def __enter__(self):
        import warnings
        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("error", np.exceptions.ComplexWarning)

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)


@pytest.mark.parametrize("name, args, wrt, expected", [
    ("root_abs", (4.0,), 0, 0.25),
    ("root_twice", (3.0,), 0, 1.0),
    ("root_of_power", (4.0, 0.5), 1, 2.0 * math.log(4.0)),
])
def test_the_same_functions_at_real_points_answer(name, args, wrt, expected):
    f = load_function(COMPLEX, name)
    assert_close(srcad.grad(f, wrt)(*args), expected)
    assert_close(srcad.value_and_grad(f, wrt)(*args)[1], expected)
    assert_close(srcad.jvp(f, wrt)(*args, 1.0)[1], expected)
    assert_close(srcad.tape.grad(f, wrt)(*args), expected)


def test_a_complex_cotangent_is_refused_by_the_pullback():
    f = load_function("def f(x):\n    return x * 3.0\n", "f")
    value, pullback = srcad.vjp(f)(np.array([1.0, 2.0]))
    with pytest.raises(srcad.SrcadError, match="complex"):
        pullback(np.array([1.0j, 0.0]))
    assert_close(pullback(np.array([1.0, 0.0])), np.array([3.0, 0.0]))


def test_the_tape_refuses_a_complex_value_arising_inside():
    f = load_function(COMPLEX, "root_abs")
    with pytest.raises(srcad.SrcadError, match="complex"):
        srcad.tape.grad(f)(-2.0)


def test_a_complex_argument_is_refused_at_the_def_line():
    f = load_function(COMPLEX, "square_real")
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(1.0 + 2.0j)
    assert_cites(info.value, f, "def square_real")
    assert "argument z is complex" in str(info.value)
