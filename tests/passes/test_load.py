"""load: text -> live function under a file name registered in linecache, so tracebacks,
`linecache.getline` and `inspect.getsource` show the generated lines."""
import inspect
import linecache
import math
import traceback

import pytest

import srcad
from srcad import load, pipeline

TEXT = '''def make_scaled(scale):

    def scaled(x, k=2.0, *, shift=0.0):
        y = x * scale * k
        return math.log(y) + shift
    return scaled
'''

OFFSET = 1.0


def test_code_of_registers_the_text_in_linecache():
    filename = "<test_load scaled 1>"
    load.code_of(TEXT, filename, "scaled")
    lines = TEXT.splitlines(True)
    assert [linecache.getline(filename, n) for n in range(1, len(lines) + 1)] == lines
    linecache.checkcache()  # entries without a file on disk must survive a check
    assert linecache.getline(filename, 4) == "        y = x * scale * k\n"


def test_code_of_finds_the_function_inside_its_factory():
    code = load.code_of(TEXT, "<test_load scaled 2>", "scaled")
    assert code.co_name == "scaled"
    assert code.co_filename == "<test_load scaled 2>"
    assert code.co_freevars == ("scale",)
    assert code.co_firstlineno == 3


def test_code_of_a_missing_function_is_a_lookup_error():
    with pytest.raises(LookupError):
        load.code_of(TEXT, "<test_load scaled 3>", "nothing_here")


def user_function(x, k=2.0, *, shift=0.0):
    return x + OFFSET


def test_function_runs_in_the_users_live_globals_with_helpers_as_cells():
    code = load.code_of(TEXT, "<test_load scaled 4>", "scaled")
    fn = load.function(code, user_function, {"scale": 0.5}, (2.0,))
    assert fn(math.e) == pytest.approx(1.0)
    assert fn(math.e, 4.0, shift=1.0) == pytest.approx(math.log(2 * math.e) + 1.0)
    assert fn.__globals__ is user_function.__globals__
    assert fn.__kwdefaults__ == {"shift": 0.0}


def make_closure(scale):
    def closure(x):
        return x * scale
    return closure


def test_function_shares_the_users_closure_cells():
    user = make_closure(3.0)
    text = "def make_d(scale):\n\n    def d(x):\n        return scale\n    return d\n"
    fn = load.function(load.code_of(text, "<test_load closure>", "d"), user, {}, ())
    assert fn(0.0) == 3.0
    assert fn.__closure__[0] is user.__closure__[0]


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def generated_textbook():
    compiled = pipeline.derive(textbook, ("x1", "x2"), {"x1": "float", "x2": "float"})
    return compiled, compiled.bind(textbook)


def test_generated_lines_are_in_linecache():
    compiled, fn = generated_textbook()
    filename = fn.__code__.co_filename
    assert filename.startswith("<srcad test_load.py:")
    assert linecache.getlines(filename) == compiled.text.splitlines(True)


def test_inspect_shows_the_generated_source():
    compiled, fn = generated_textbook()
    assert inspect.getsource(fn) == compiled.text


def test_a_traceback_shows_the_generated_line():
    _, fn = generated_textbook()
    with pytest.raises(ValueError) as info:
        fn(-1.0, 5.0)   # math.log of a negative number, in the forward sweep
    text = "".join(traceback.format_exception(info.value))
    assert f'File "{fn.__code__.co_filename}", line ' in text
    assert "t1 = math.log(x1)" in text


def test_a_traceback_through_value_and_grad_shows_the_generated_line():
    with pytest.raises(ValueError) as info:
        srcad.value_and_grad(textbook)(-1.0, 5.0)
    frames = traceback.extract_tb(info.value.__traceback__)
    generated = [frame for frame in frames if frame.filename.startswith("<srcad ")]
    assert generated and generated[-1].line == "t1 = math.log(x1)"
