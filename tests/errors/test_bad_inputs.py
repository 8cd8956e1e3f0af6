"""Bad input, a table: what a new user may hand srcad, and what must come back.

Each row either gets a clear refusal (a SrcadError citing the user's line where one exists, or
a TypeError for a call mistake, with a message that names the problem) or the right answer,
checked against finite differences or a closed form. Every row is run twice (a failure must
not leave a half-built derivative behind that answers differently the second time), and after
it srcad must still differentiate a known function correctly.
"""
import asyncio
import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_grad, load_function

SAMPLES = '''
import math
import numpy
import numpy as np

G = 2.0


def known(x):
    return x * math.sin(x)


def square(x):
    return x * x


def total_of_squares(x):
    return np.sum(x * x)


def generator(x):
    yield x * 2.0


async def asynchronous(x):
    return x * 2.0


def uses_try(x):
    try:
        y = x * 2.0
    except ValueError:
        y = 0.0
    return y


def uses_with(x):
    with open(__file__) as handle:
        y = x * 2.0
    return y


def uses_global(x):
    global G
    G = x
    return x * G


def uses_yield(x):
    y = yield x
    return y


def recursive(x, n):
    if n == 0:
        return x
    return recursive(x * x, n - 1)


def ping(x, n):
    if n == 0:
        return x
    return pong(x * 2.0, n - 1)


def pong(x, n):
    return ping(x, n)


def unknown_call(x):
    y = x * 2.0
    return math.gamma(y)


class Thing:
    def __init__(self, v):
        self.v = v

    def scaled(self, x):
        return x * self.v


def nested_def(x):
    def twice(t):
        return t * 2.0
    return twice(x)


def uses_del(x):
    y = x * 2.0
    z = y * 3.0
    del y
    return z


def only_star_args(*xs):
    return xs[0] * xs[1]


def flag(x, on):
    if on:
        return x * x
    return x


def by_mode(x, mode):
    if mode == "square":
        return x * x
    return x


def sine_times(x):
    return math.sin(x) * x


def generated_names(x):
    bx = x * 2.0
    t1 = bx + 1.0
    by = t1 * x
    dx = by * 3.0
    _tape = dx + bx
    _rt = _tape * 0.5
    return _rt * t1


def helper(a, b):
    return a * b


def generated_names_with_helper_and_loop(x, n):
    _tape = 0.0
    _rt = 1.0
    bx = x
    for t1 in range(n):
        by = helper(bx, x)
        _tape = _tape + by
        dx = math.sin(_tape)
        _rt = _rt * dx
    return _rt + _tape


def params_named_like_adjoints(bx, dx, _rt, _tape):
    t1 = bx * dx
    return t1 * _rt + np.sin(_tape)


def dispatcher_names(impls, entry, make):
    return impls * entry * make


def more_dispatcher_names(impl, type):
    return impl * impl * type


def local_np(x):
    np = 2.0
    return numpy.sum(numpy.sin(x) * numpy.exp(x)) * np


def local_math(x):
    math = 3.0
    return numpy.tanh(x) * math


def local_len(x):
    len = 2.0
    s = 0.0
    for v in x:
        s = s + v * len
    return s


def with_default(x, k=2.0):
    return x * x * k


twice = lambda x: x * x * 3.0


def mul(a, b):
    return a * b


def mul_fwd(a, b):
    return a + b


def mul_bwd(a):
    return a * 3.0


def helpers_named_like_derived_parts(x):
    y = mul(x, x)
    z = mul_fwd(y, x)
    return mul_bwd(z) * y


_rt = 5.0


def loop_names(x, n):
    k_ = 0.5
    _ = 2.0
    d_tape = 1.5
    s = x
    for i in range(n):
        s = s * x * k_ + _
    return s * d_tape + _rt


def writes_its_argument(x):
    x[0] = 2.0
    return np.sum(x * x)


def returns_string(x):
    y = x * 2.0
    return "y"


def returns_true(x):
    return True


def returns_none(x):
    y = x * 2.0
'''


@pytest.fixture(scope="module")
def m():
    return load_function(SAMPLES, "known").__globals__


# ---------------------------------------------------------------- what a row expects

@dataclass
class Refused:
    """The call raises `error` with a message matching `pattern`; `line`: the text of the user's
    line it must cite (FILE:LINE in message and attributes), or None where no line exists."""
    error: type
    pattern: str
    line: str = None

    def check(self, m, run):
        with pytest.raises(self.error) as info:
            run(m)
        message = str(info.value)
        assert re.search(self.pattern, message), message
        assert "Traceback" not in message and "srcad/" not in message, message
        if self.error is srcad.SrcadError and self.line is not None:  # a tuple: either will do
            assert_cites(info.value, m["known"], self.line)
        elif self.error is srcad.SrcadError:
            assert info.value.lineno is None, message
        return type(info.value), re.sub("0x[0-9a-f]+", "0x", message)


@dataclass
class Answer:
    """The call returns what `expected(m)` gives (a closed form or finite differences)."""
    expected: object
    rtol: float = 1e-7
    dtype: object = None  # the gradient's dtype, where it is not float64

    def check(self, m, run):
        actual, expected = run(m), self.expected(m)
        if self.dtype is not None:
            assert actual.dtype == self.dtype, actual.dtype
            np.testing.assert_allclose(actual.astype(float), expected, rtol=self.rtol)
        elif isinstance(expected, float) and math.isnan(expected):
            assert isinstance(actual, float) and math.isnan(actual), actual
        else:
            assert_close(actual, expected, rtol=self.rtol, atol=1e-12)
        return actual


def fd(name, *args, wrt=0):
    return lambda m: fd_grad(m[name], args, wrt)


NOT_A_FUNCTION = "srcad differentiates functions, but was given .*Pass the function itself"
ROWS = {
    # ---- not a function at all
    "a float": (lambda m: srcad.grad(3.5), Refused(TypeError, NOT_A_FUNCTION + ".*grad\\(f\\), not grad\\(f\\(x\\)\\)")),
    "the value f(x)": (lambda m: srcad.grad(m["square"](2.0)), Refused(TypeError, "given 4.0, a float")),
    "a list": (lambda m: srcad.value_and_grad([m["square"]]), Refused(TypeError, "a list")),
    "an array": (lambda m: srcad.hessian(np.ones(2))(1.0), Refused(TypeError, "a ndarray")),
    "jacobian of a value": (lambda m: srcad.jacobian(m["square"](2.0)), Refused(TypeError, "given 4.0, a float")),
    # ---- callables without a def to read
    # library callables are differentiated through their rules (library.py), or refused for want of one
    "builtin len": (lambda m: srcad.grad(len)(np.ones(2)), Answer(lambda m: np.zeros(2))),
    "builtin math.sin": (lambda m: srcad.grad(math.sin)(1.0), Answer(lambda m: math.cos(1.0))),
    "numpy ufunc": (lambda m: srcad.grad(np.exp)(1.0), Answer(lambda m: math.exp(1.0))),
    "a class": (lambda m: srcad.grad(m["Thing"])(1.0), Refused(srcad.SrcadError, "the class Thing.*Thing.method")),
    "a bound method": (lambda m: srcad.grad(m["Thing"](2.0).scaled)(1.0), Answer(lambda m: 2.0)),
    "its function, self passed": (lambda m: srcad.grad(m["Thing"].scaled, wrt=1)(m["Thing"](2.0), 1.5),
                                  Answer(lambda m: 2.0)),
    "a functools.partial": (lambda m: srcad.grad(functools.partial(m["flag"], on=True))(1.5), Answer(lambda m: 3.0)),
    "a generator": (lambda m: srcad.grad(m["generator"])(1.0), Refused(srcad.SrcadError, "yield", "yield x * 2.0")),
    "an async function": (lambda m: srcad.grad(m["asynchronous"])(1.0),
                          Refused(srcad.SrcadError, "asynchronous: it is an async function")),
    # ---- statements srcad refuses, at their line
    "try": (lambda m: srcad.grad(m["uses_try"])(1.0), Refused(srcad.SrcadError, "try", "    try:")),
    "with": (lambda m: srcad.grad(m["uses_with"])(1.0), Refused(srcad.SrcadError, "with", "with open(")),
    "global": (lambda m: srcad.grad(m["uses_global"])(1.0), Refused(srcad.SrcadError, "global", "global G")),
    "yield as a value": (lambda m: srcad.grad(m["uses_yield"])(1.0), Refused(srcad.SrcadError, "yield", "y = yield x")),
    "del": (lambda m: srcad.grad(m["uses_del"])(1.0), Refused(srcad.SrcadError, "del", "del y")),
    "nested def": (lambda m: srcad.grad(m["nested_def"])(1.0), Answer(lambda m: 2.0)),
    "recursion": (lambda m: srcad.grad(m["recursive"])(1.1, 2),
                  Refused(srcad.SrcadError, "recursive call of recursive.*loop", "return recursive(")),
    "mutual recursion": (lambda m: srcad.grad(m["ping"])(1.1, 2),
                         Refused(srcad.SrcadError, "recursive call of ping", "return ping(x, n)")),
    "unknown call": (lambda m: srcad.grad(m["unknown_call"])(1.0),
                     Refused(srcad.SrcadError, "no derivative rule for math.gamma.*defvjp", "return math.gamma(y)")),
    # ---- calls that do not match f
    "too many arguments": (lambda m: srcad.grad(m["square"])(1.0, 2.0),
                           Refused(TypeError, "square\\(\\) takes 1 positional argument but 2 were given")),
    "too few arguments": (lambda m: srcad.value_and_grad(m["flag"])(1.0), Refused(TypeError, "flag\\(\\).*'on'")),
    "an unknown keyword": (lambda m: srcad.grad(m["square"])(1.0, y=2.0), Refused(TypeError, "square\\(\\).*'y'")),
    "hessian, too many": (lambda m: srcad.hessian(m["square"])(1.0, 2.0), Refused(TypeError, "square\\(\\).*too many")),
    "jvp, no tangent": (lambda m: srcad.jvp(m["flag"])(1.0, True), Refused(TypeError, "flag\\(\\).*missing")),
    "wrt out of range": (lambda m: srcad.grad(m["square"], wrt=3), Refused(srcad.SrcadError, "no positional parameter at position 3", "def square(")),
    "wrt of *args only": (lambda m: srcad.grad(m["only_star_args"])(1.0, 2.0), Answer(lambda m: 2.0)),
    "wrt beyond the *args passed": (lambda m: srcad.grad(m["only_star_args"], wrt=2)(1.0, 2.0),
                                    Refused(srcad.SrcadError, "position 2 of \\*xs: only 2 were passed",
                                            "def only_star_args(")),
    # ---- arguments that are not numbers
    "a string to differentiate": (lambda m: srcad.grad(m["square"])("ab"),
                                  Refused(srcad.SrcadError, "with respect to x, which holds a str", "def square(")),
    "None to differentiate": (lambda m: srcad.grad(m["square"])(None), Refused(srcad.SrcadError, "holds None", "def square(")),
    "a bool to differentiate": (lambda m: srcad.grad(m["square"])(True), Refused(srcad.SrcadError, "bool.*flag", "def square(")),
    "a dict used whole": (lambda m: srcad.grad(m["twice"])({"x": 1.0}),
                          Refused(srcad.SrcadError, "use of a dict as a whole.*Read its items",
                                  "twice = lambda x: x * x * 3.0")),
    "a bool flag (True)": (lambda m: srcad.grad(m["flag"])(3.0, True), Answer(lambda m: 6.0)),
    "a bool flag (False)": (lambda m: srcad.grad(m["flag"])(3.0, False), Answer(lambda m: 1.0)),
    "a string option": (lambda m: srcad.grad(m["by_mode"])(3.0, "square"), Answer(lambda m: 6.0)),
    "None as an option": (lambda m: srcad.value_and_grad(m["flag"])(3.0, None), Answer(lambda m: (3.0, 1.0))),
    # ---- special values and shapes
    "nan": (lambda m: srcad.grad(m["sine_times"])(float("nan")), Answer(lambda m: float("nan"))),
    "inf": (lambda m: srcad.grad(m["square"])(float("inf")), Answer(lambda m: float("inf"))),
    "inf in an array": (lambda m: srcad.grad(m["total_of_squares"])(np.array([np.inf, 1.0])),
                        Answer(lambda m: np.array([np.inf, 2.0]))),
    "an empty array": (lambda m: srcad.grad(m["total_of_squares"])(np.array([])), Answer(lambda m: np.zeros(0))),
    "an empty 2-d array": (lambda m: srcad.grad(m["total_of_squares"])(np.zeros((0, 3))),
                           Answer(lambda m: np.zeros((0, 3)))),
    "a 0-d array": (lambda m: srcad.grad(m["sine_times"])(np.array(0.7)),
                    Answer(lambda m: np.array(math.cos(0.7) * 0.7 + math.sin(0.7)))),
    "float32": (lambda m: srcad.grad(m["total_of_squares"])(np.array([1.5, -2.0], dtype=np.float32)),
                Answer(lambda m: np.array([3.0, -4.0]), dtype=np.float32)),
    "float16": (lambda m: srcad.grad(m["total_of_squares"])(np.array([1.5, -2.0], dtype=np.float16)),
                Answer(lambda m: np.array([3.0, -4.0]), dtype=np.float16)),
    "a float32 scalar": (lambda m: srcad.grad(m["square"])(np.float32(1.5)), Answer(lambda m: 3.0, dtype=np.float32)),
    # ---- the user's names where srcad's generated names would go
    "locals bx t1 by dx _tape _rt": (lambda m: srcad.grad(m["generated_names"])(1.5), Answer(fd("generated_names", 1.5))),
    "the same, value_and_grad": (lambda m: srcad.value_and_grad(m["generated_names"])(1.5)[1],
                                 Answer(fd("generated_names", 1.5))),
    "the same, with a helper and a loop": (lambda m: srcad.grad(m["generated_names_with_helper_and_loop"])(0.7, 3),
                                           Answer(fd("generated_names_with_helper_and_loop", 0.7, 3))),
    "the same, hessian": (lambda m: srcad.hessian(m["generated_names"])(1.5),
                          Answer(lambda m: 36.0 * 1.5 + 16.0, rtol=1e-12)),  # f = 6 x^3 + 8 x^2 + 2.5 x
    "parameters bx dx _rt _tape": (lambda m: srcad.grad(m["params_named_like_adjoints"], wrt=(0, 1, 2, 3))(0.7, 1.3, 0.4, 0.2),
                                   Answer(fd("params_named_like_adjoints", 0.7, 1.3, 0.4, 0.2, wrt=(0, 1, 2, 3)))),
    "parameters impls entry make": (lambda m: srcad.grad(m["dispatcher_names"], wrt=(0, 1, 2))(1.5, 2.0, 3.0),
                                    Answer(lambda m: (6.0, 4.5, 3.0))),
    "parameters impl type": (lambda m: srcad.value_and_grad(m["more_dispatcher_names"])(1.5, 2.0),
                             Answer(lambda m: (4.5, 6.0))),
    "a local named np": (lambda m: srcad.grad(m["local_np"])(np.array([0.3, -0.5])),
                         Answer(fd("local_np", np.array([0.3, -0.5])))),
    "a local named math": (lambda m: srcad.grad(m["local_math"])(0.3), Answer(fd("local_math", 0.3))),
    "a local named len": (lambda m: srcad.grad(m["local_len"])(np.array([0.3, -0.5])), Answer(lambda m: np.array([2.0, 2.0]))),
    "user helpers named mul_fwd, mul_bwd": (lambda m: srcad.grad(m["helpers_named_like_derived_parts"])(0.7),
                                           Answer(fd("helpers_named_like_derived_parts", 0.7))),
    "locals k_ _ d_tape, a global _rt": (lambda m: srcad.hessian(m["loop_names"])(0.7, 3),
                                         Answer(lambda m: fd_grad(srcad.grad(m["loop_names"]), (0.7, 3)))),
    # ---- other ways to call
    "a lambda": (lambda m: srcad.grad(m["twice"])(0.7), Answer(lambda m: 4.2, rtol=1e-12)),
    "wrt a parameter left at its default": (lambda m: srcad.grad(m["with_default"], wrt="k")(0.7),
                                            Answer(lambda m: 0.49, rtol=1e-12)),
    "the wrt argument by keyword": (lambda m: srcad.value_and_grad(m["with_default"])(x=0.7, k=3.0),
                                    Answer(lambda m: (1.47, 4.2), rtol=1e-12)),
    "an int": (lambda m: srcad.grad(m["square"])(3), Answer(lambda m: 6.0)),
    "an int array": (lambda m: srcad.grad(m["total_of_squares"])(np.array([1, -2])), Answer(lambda m: np.array([2.0, -4.0]))),
    "a third derivative": (lambda m: srcad.grad(srcad.grad(srcad.grad(m["square"])))(0.7),
                           Refused(srcad.SrcadError, "second derivatives .* only", "def square(")),
    "wrt a list": (lambda m: srcad.grad(m["square"], wrt=[0]),
                   Refused(srcad.SrcadError, "wrt must be a position, a parameter name or a tuple", "def square(")),
    # the derivative writes into a copy of its own (the caller's array stays as it was)
    "a write into the argument": (lambda m: srcad.grad(m["writes_its_argument"])(np.ones(2)),
                                  Answer(lambda m: np.array([0.0, 2.0]))),
    # ---- outputs that are not numbers
    "f returns a string": (lambda m: srcad.grad(m["returns_string"])(1.0), Refused((TypeError, srcad.SrcadError), "str")),
    "f returns None": (lambda m: srcad.grad(m["returns_none"])(1.0), Refused((TypeError, srcad.SrcadError), "None")),
    "f returns True": (lambda m: srcad.grad(m["returns_true"])(1.0), Refused((TypeError, srcad.SrcadError), "bool")),
}



def test_the_table_has_the_rows_asked_for():
    assert len(ROWS) >= 30
    assert sum(isinstance(expect, Refused) for _, expect in ROWS.values()) >= 20


@pytest.mark.parametrize("run, expect", [pytest.param(*row, id=name) for name, row in ROWS.items()])
def test_bad_input(m, run, expect):
    first = expect.check(m, run)
    second = expect.check(m, run)  # the same again: nothing half-built was kept
    if isinstance(expect, Refused):
        assert first == second
    check_srcad_still_works(m)


def check_srcad_still_works(m):
    x = 0.7
    assert_close(srcad.grad(m["known"])(x), math.sin(x) + x * math.cos(x), rtol=1e-12)
    fresh = load_function("import math\n\ndef fresh(x):\n    return math.exp(x) * x\n", "fresh")
    assert_close(srcad.grad(fresh)(x), math.exp(x) * (1.0 + x), rtol=1e-12)
