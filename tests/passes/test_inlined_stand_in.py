"""The stand-in runs the fast path's derivative statements in its own frame (stand_in.py).

The names those statements read outside the derivative are bound in the stand-in's namespace:
each test changes what one of them denotes after the first calls (a number global, a module
global, a builtin hidden by a global, the function's own code), or raises inside the inlined
statements, and checks the gradient against its closed form or the error against the user's
line. Where inlining must not happen (a closure cell of f), the gradient is checked too."""
import math
import traceback

import numpy as np
import pytest

import srcad
from helpers import Notebook


def _inlined(df):
    """Whether `df`'s stand-in runs a derivative's statements itself: its code is then compiled
    under the derivative's file name, as generated code is."""
    return df.__code__.co_filename.startswith("<srcad ") and "dispatch" not in df.__code__.co_filename


def test_the_textbook_gradient_runs_in_the_stand_in():
    book = Notebook()
    book.run('''
        import math

        def f(x1, x2):
            return math.log(x1) + x1 * x2 - math.sin(x2)
    ''')
    df = srcad.grad(book["f"], wrt=(0, 1))
    for x1, x2 in [(2.0, 5.0), (0.5, -1.0), (3.0, 0.25)]:
        bx1, bx2 = df(x1, x2)
        assert bx1 == pytest.approx(1 / x1 + x2, rel=1e-15)
        assert bx2 == pytest.approx(x1 - math.cos(x2), rel=1e-15)
        assert type(bx1) is float and type(bx2) is float
    assert _inlined(df)


def test_a_number_global_is_read_as_the_statements_run():
    book = Notebook()
    book.run('''
        c = 2.0

        def f(x):
            return c * x * x
    ''')
    df = srcad.grad(book["f"])
    assert df(3.0) == 12.0 and _inlined(df)
    book.namespace["c"] = 5.0  # same type: the same derivative, reading the new value
    assert df(3.0) == 30.0
    book.namespace["c"] = np.float32(0.5)  # another type: a new derivative
    assert df(3.0) == pytest.approx(3.0)
    del book.namespace["c"]
    with pytest.raises(NameError):
        df(3.0)


def test_a_module_global_rebound_after_the_fast_path_was_inlined():
    book = Notebook()
    book.run('''
        import math

        def f(x):
            return math.sin(x)
    ''')
    df = srcad.grad(book["f"])
    assert df(0.5) == pytest.approx(math.cos(0.5), rel=1e-15) and _inlined(df)
    book.run('''
        import numpy as math
    ''')
    assert df(0.5) == pytest.approx(math.cos(0.5), rel=1e-15)
    book.run('''
        class Trig:
            @staticmethod
            def sin(x):
                return x * x * x
        math = Trig
    ''')
    assert df(0.5) == pytest.approx(3 * 0.25, rel=1e-15)


def test_a_builtin_hidden_by_a_global_later():
    book = Notebook()
    book.run('''
        def f(x, y):
            return abs(x) * y + max(x, y)
    ''')
    df = srcad.grad(book["f"], wrt=(0, 1))
    assert df(-2.0, 3.0) == (-1.0 * 3.0 + 0.0, 2.0 + 1.0) and _inlined(df)
    book.run('''
        def abs(v):
            return v * v
    ''')
    assert df(-2.0, 3.0) == (2 * -2.0 * 3.0, 4.0 + 1.0)


def test_the_function_code_replaced_in_place():
    book = Notebook()
    book.run('''
        def f(x):
            return x * x

        def g(x):
            return x * x * x
    ''')
    f = book["f"]
    df = srcad.grad(f)
    assert df(2.0) == 4.0 and _inlined(df)
    f.__code__ = book["g"].__code__  # as IPython's autoreload does
    assert df(2.0) == 12.0


def test_a_helper_redefined_after_the_statements_were_inlined():
    book = Notebook()
    book.run('''
        def h(x):
            return x * x

        def f(x):
            return 2.0 * h(x)
    ''')
    df = srcad.grad(book["f"])
    assert df(3.0) == 12.0 and _inlined(df)
    book.run('''
        def h(x):
            return x * x * x
    ''')
    assert df(3.0) == 54.0


def test_an_error_in_the_inlined_statements_is_shown_at_the_users_line():
    book = Notebook()
    book.run('''
        import math

        def f(x):
            y = x * 2.0
            return math.log(y)
    ''')
    df = srcad.grad(book["f"])
    assert df(1.0) == pytest.approx(1.0) and _inlined(df)
    with pytest.raises(ValueError) as raised:
        df(-1.0)
    frames = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(raised.value.__traceback__)]
    assert (f"<{book.name} cell 1>", 6) in frames


def test_a_non_scalar_output_is_refused_by_the_inlined_statements():
    book = Notebook()
    book.run('''
        import numpy as np

        def f(x, n):
            return np.squeeze(np.ones(n)) * x
    ''')
    df = srcad.grad(book["f"])
    assert df(2.0, 1) == 1.0 and _inlined(df)   # a 0-d array: a scalar
    with pytest.raises(srcad.SrcadError, match=rf"cell 1>:5.*scalar"):
        df(2.0, 3)


def test_value_and_grad_runs_in_the_stand_in_too():
    book = Notebook()
    book.run('''
        import math

        def f(x):
            return math.exp(x) * x
    ''')
    vg = srcad.value_and_grad(book["f"])
    value, slope = vg(0.5)
    assert value == pytest.approx(math.exp(0.5) * 0.5, rel=1e-15)
    assert slope == pytest.approx(math.exp(0.5) * 1.5, rel=1e-15)
    assert _inlined(vg)


def test_a_closure_is_called_not_inlined():
    book = Notebook()
    book.run('''
        def make(c):
            def f(x):
                return c * x * x
            return f
    ''')
    f = book["make"](2.0)
    df = srcad.grad(f)
    assert df(3.0) == 12.0
    f.__closure__[0].cell_contents = 4.0
    assert df(3.0) == 24.0
    assert not _inlined(df)


def test_names_like_the_stand_ins_own():
    book = Notebook()
    book.run('''
        import math

        def f(_srcad_x, x):
            _srcad_stale = math.sin(_srcad_x) * x
            _srcad_1_math = _srcad_stale * x
            return _srcad_1_math
    ''')
    df = srcad.grad(book["f"], wrt=(0, 1))
    for a, b in [(0.5, 2.0), (1.5, -1.0)]:
        da, db = df(a, b)
        assert da == pytest.approx(math.cos(a) * b * b, rel=1e-15)
        assert db == pytest.approx(2 * math.sin(a) * b, rel=1e-15)


def test_library_attributes_functions_and_constants():
    book = Notebook()
    book.run('''
        import math
        import numpy as np

        def f(x, y):
            return np.sin(x) * np.pi + math.exp(y) * math.e
    ''')
    df = srcad.grad(book["f"], wrt=(0, 1))
    for x, y in [(0.5, 1.0), (2.0, -0.5), (0.5, 1.0)]:
        bx, by = df(x, y)
        assert bx == pytest.approx(math.cos(x) * math.pi, rel=1e-15)
        assert by == pytest.approx(math.exp(y) * math.e, rel=1e-15)
    assert _inlined(df)
