"""Nothing stale: a derivative depends on the objects its names denoted when it was compiled
(helpers, globals, module attributes, closure values, its own code, the registered rules),
and the next call after any of them is re-bound uses a fresh derivative. Each case is checked
against the closed-form gradient of what the function computes now."""
import math
import os
import sys

import numpy as np
import pytest

import srcad
from helpers import Notebook, assert_close, load_function

TANH_PRIME = 1.0 - math.tanh(0.5) ** 2


def _notebook_with_net():
    book = Notebook()
    book.run('''
        import math

        def act(z):
            return math.tanh(z)
    ''')
    book.run('''
        def net(x):
            return 3.0 * act(x)
    ''')
    return book


# ------------------------------------------------------------ a helper re-defined


def test_a_redefined_helper_gives_a_fresh_gradient_to_an_existing_and_a_new_grad():
    book = _notebook_with_net()
    dnet = srcad.grad(book["net"])
    assert dnet(0.5) == pytest.approx(3.0 * TANH_PRIME)
    book.run('''
        def act(z):
            return z * z
    ''')
    assert dnet(0.5) == pytest.approx(3.0)
    assert srcad.grad(book["net"])(0.5) == pytest.approx(3.0)
    book.run('''
        def act(z):
            return math.tanh(z)
    ''')
    assert dnet(0.5) == pytest.approx(3.0 * TANH_PRIME)


@pytest.mark.parametrize("transform", ["value_and_grad", "vjp", "jvp", "hessian", "jacobian", "forward jacobian"])
def test_every_transformation_follows_a_redefined_helper(transform):
    book = _notebook_with_net()
    made = srcad.jacobian(book["net"], mode="forward") if transform == "forward jacobian" \
        else getattr(srcad, transform)(book["net"])

    def derivative():
        if transform == "value_and_grad":
            return made(0.5)[1]
        if transform == "vjp":
            return made(0.5)[1](1.0)
        if transform == "jvp":
            return made(0.5, 1.0)[1]
        return made(0.5)
    first = -6.0 * math.tanh(0.5) * TANH_PRIME if transform == "hessian" else 3.0 * TANH_PRIME
    assert derivative() == pytest.approx(first)
    book.run('''
        def act(z):
            return z * z * z
    ''')
    assert derivative() == pytest.approx(3.0 * 6.0 * 0.5 if transform == "hessian" else 9.0 * 0.25)


def test_a_helper_redefined_after_a_second_derivative_was_made():
    book = _notebook_with_net()
    d2net = srcad.grad(srcad.grad(book["net"]))
    assert d2net(0.5) == pytest.approx(-6.0 * math.tanh(0.5) * TANH_PRIME)
    book.run('''
        def act(z):
            return z * z * z
    ''')
    assert d2net(0.5) == pytest.approx(9.0)


def test_a_helper_of_a_helper_redefined():
    book = Notebook()
    book.run('''
        import math

        def act(z):
            return math.tanh(z)

        def layer(z):
            return act(z) + z

        def net(x):
            return layer(x) * 2.0
    ''')
    dnet = srcad.grad(book["net"])
    assert dnet(0.5) == pytest.approx(2.0 * (TANH_PRIME + 1.0))
    book.run('''
        def act(z):
            return z * z
    ''')
    assert dnet(0.5) == pytest.approx(2.0 * (1.0 + 1.0))


# ------------------------------------------------------------ globals re-bound


def test_a_global_function_rebound_from_tanh_to_sin():
    f = load_function('''
        import numpy as np

        act = np.tanh

        def f(x):
            return np.sum(act(x))
    ''', "f")
    x = np.array([0.5, -1.0])
    df = srcad.grad(f)
    assert_close(df(x), 1.0 - np.tanh(x) ** 2)
    f.__globals__["act"] = np.sin
    assert_close(df(x), np.cos(x))
    assert_close(srcad.grad(f)(x), np.cos(x))


def test_a_global_constant_rebound_to_another_number_and_to_an_array():
    f = load_function('''
        c = 2.0

        def helper(z):
            return c * z

        def f(x):
            return helper(x) * x
    ''', "f")
    df = srcad.grad(f)
    assert df(1.5) == pytest.approx(2.0 * 2.0 * 1.5)
    f.__globals__["c"] = 5.0
    assert df(1.5) == pytest.approx(2.0 * 5.0 * 1.5)
    f.__globals__["c"] = np.array([1.0, 2.0])   # f's output is now an array: grad must refuse
    with pytest.raises(srcad.SrcadError, match="scalar"):
        df(1.5)
    f.__globals__["c"] = 3
    assert df(1.5) == pytest.approx(2.0 * 3.0 * 1.5)


def test_a_global_array_rebound():
    f = load_function('''
        import numpy as np

        w = np.array([1.0, 2.0, 3.0])

        def f(x):
            return np.sum(w * np.sin(x))
    ''', "f")
    x = np.array([0.1, 0.2, 0.3])
    df = srcad.grad(f)
    assert_close(df(x), np.array([1.0, 2.0, 3.0]) * np.cos(x))
    f.__globals__["w"] = np.array([-1.0, 0.5, 4.0])
    assert_close(df(x), np.array([-1.0, 0.5, 4.0]) * np.cos(x))
    f.__globals__["w"] = 2.0
    assert_close(df(x), 2.0 * np.cos(x))


def test_a_module_attribute_rebound():
    helpers_module = load_function('''
        import math

        def act(z):
            return math.tanh(z)
    ''', "__name__")
    f = load_function(f'''
        import {helpers_module} as H

        def f(x):
            return H.act(x) * 2.0
    ''', "f")
    df = srcad.grad(f)
    assert df(0.5) == pytest.approx(2.0 * TANH_PRIME)
    cube = load_function('''
        def cube(z):
            return z * z * z
    ''', "cube")
    sys.modules[helpers_module].act = cube
    assert df(0.5) == pytest.approx(2.0 * 3.0 * 0.25)
    assert srcad.grad(f)(0.5) == pytest.approx(2.0 * 3.0 * 0.25)


def test_a_global_the_helper_reads_in_its_own_module_rebound():
    helpers_module = load_function('''
        import math

        act = math.tanh

        def layer(z):
            return act(z) + z
    ''', "__name__")
    f = load_function(f'''
        from {helpers_module} import layer

        def f(x):
            return layer(x) * 2.0
    ''', "f")
    df = srcad.grad(f)
    assert df(0.5) == pytest.approx(2.0 * (TANH_PRIME + 1.0))
    sys.modules[helpers_module].act = math.sin
    assert df(0.5) == pytest.approx(2.0 * (math.cos(0.5) + 1.0))


def test_a_global_that_shadows_a_builtin_later():
    f = load_function('''
        def f(x):
            return abs(x) * 2.0
    ''', "f")
    df = srcad.grad(f)
    assert df(-1.5) == pytest.approx(-2.0)
    f.__globals__["abs"] = load_function('''
        def square(z):
            return z * z
    ''', "square")
    assert df(-1.5) == pytest.approx(2.0 * 2.0 * -1.5)


# ------------------------------------------------------------ f itself


def test_f_redefined_under_the_same_name():
    book = Notebook()
    book.run('''
        def f(x):
            return x * x
    ''')
    first = srcad.grad(book["f"])
    assert first(3.0) == 6.0
    book.run('''
        def f(x):
            return x * x * x
    ''')
    assert srcad.grad(book["f"])(3.0) == 27.0
    assert first(3.0) == 6.0   # a transformation belongs to the function object it was given


def test_f_whose_code_is_replaced_in_place():
    # what IPython's autoreload does to a function object when its module is edited
    f = load_function('''
        def f(x):
            return x * x
    ''', "f")
    cube = load_function('''
        def f(x):
            return x * x * x
    ''', "f")
    df = srcad.grad(f)
    assert df(3.0) == 6.0
    f.__code__ = cube.__code__
    assert df(3.0) == 27.0


# ------------------------------------------------------------ equal code, different objects


HELPER_READING_C = '''
import numpy as np

c = {c}

def h(x):
    return c * x

def f(x):
    return h(x) * 7.0
'''


def test_two_modules_with_identical_code_do_not_share_what_analysis_found():
    a = load_function(HELPER_READING_C.format(c="2.0"), "f")
    b = load_function(HELPER_READING_C.format(c="np.array([1.0, 2.0])"), "f")
    assert a.__code__ == b.__code__ and a.__globals__["h"].__code__ == b.__globals__["h"].__code__
    assert srcad.grad(a)(1.5) == pytest.approx(14.0)
    with pytest.raises(srcad.SrcadError, match="scalar"):
        srcad.grad(b)(1.5)
    assert srcad.grad(a)(1.5) == pytest.approx(14.0)


def test_two_closures_with_identical_code_and_different_helpers():
    book = Notebook()
    book.run('''
        import math

        def make(activation):
            def f(x):
                return activation(x) * 2.0
            return f

        def square(z):
            return z * z

        def cube(z):
            return z * z * z

        with_square, with_cube, with_tanh = make(square), make(cube), make(math.tanh)
    ''')
    assert book["with_square"].__code__ is book["with_cube"].__code__
    assert srcad.grad(book["with_square"])(0.5) == pytest.approx(2.0)
    assert srcad.grad(book["with_cube"])(0.5) == pytest.approx(1.5)
    assert srcad.grad(book["with_tanh"])(0.5) == pytest.approx(2.0 * TANH_PRIME)
    assert srcad.grad(book["with_square"])(0.5) == pytest.approx(2.0)


def test_closures_over_different_numbers_share_one_derivative():
    book = Notebook()
    book.run('''
        def make(k):
            def f(x):
                return k * x * x
            return f
    ''')
    before = len(srcad.cache.CACHE)
    for k in (1.0, 2.0, 3.0):
        assert srcad.grad(book["make"](k))(0.5) == pytest.approx(k)
    assert len(srcad.cache.CACHE) - before == 1


def test_a_closure_value_rebound_with_nonlocal():
    book = Notebook()
    book.run('''
        import math

        def make():
            activation = math.tanh

            def f(x):
                return activation(x)

            def switch():
                nonlocal activation
                activation = math.sin
            return f, switch

        f, switch = make()
    ''')
    df = srcad.grad(book["f"])
    assert df(0.5) == pytest.approx(TANH_PRIME)
    book["switch"]()
    assert df(0.5) == pytest.approx(math.cos(0.5))


# ------------------------------------------------------------ rules registered later


def _softplus_notebook():
    book = Notebook()   # softplus through float(): opaque to srcad without a rule
    book.run('''
        import numpy as np

        def soft(z):
            return float(np.log1p(np.exp(z)))

        def f(x):
            return soft(x) * 2.0
    ''')
    return book


def test_a_grad_made_before_defvjp_uses_the_new_rule():
    book = _softplus_notebook()
    srcad.defvjp(book["soft"], lambda g, ans, z: g * 0.0)   # a wrong rule, fixed below
    df = srcad.grad(book["f"])
    assert df(0.5) == 0.0
    srcad.defvjp(book["soft"], lambda g, ans, z: g / (1.0 + math.exp(-z)))
    assert df(0.5) == pytest.approx(2.0 / (1.0 + math.exp(-0.5)))


def test_a_jvp_made_before_defjvp_uses_the_new_rule():
    book = _softplus_notebook()
    srcad.defjvp(book["soft"], lambda dargs, ans, z: dargs[0] * 0.0)
    forward = srcad.jvp(book["f"])
    assert forward(0.5, 1.0)[1] == 0.0
    srcad.defjvp(book["soft"], lambda dargs, ans, z: dargs[0] / (1.0 + math.exp(-z)))
    assert forward(0.5, 1.0)[1] == pytest.approx(2.0 / (1.0 + math.exp(-0.5)))


# ------------------------------------------------------------ decorators


def test_a_functools_wraps_decorator_is_differentiated_as_decorated():
    f = load_function('''
        import functools

        def doubled(fn):
            @functools.wraps(fn)
            def wrapper(x):
                return 2.0 * fn(x)
            return wrapper

        @doubled
        def f(x):
            return x ** 3
    ''', "f")
    assert f(2.0) == 16.0
    assert srcad.grad(f)(2.0) == pytest.approx(24.0)


def test_a_helper_with_a_functools_wraps_decorator_is_differentiated_as_decorated():
    f = load_function('''
        import functools

        def doubled(fn):
            @functools.wraps(fn)
            def wrapper(x):
                return 2.0 * fn(x)
            return wrapper

        @doubled
        def cube(x):
            return x ** 3

        def f(x):
            return cube(x) + x
    ''', "f")
    assert srcad.grad(f)(2.0) == pytest.approx(25.0)


def test_a_wraps_decorator_taking_star_args_is_refused():
    f = load_function('''
        import functools

        def doubled(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return 2.0 * fn(*args, **kwargs)
            return wrapper

        @doubled
        def f(x):
            return x ** 3
    ''', "f")
    with pytest.raises(srcad.SrcadError, match="wrapper"):
        srcad.grad(f)(2.0)


def test_closures_with_different_defaults_share_a_derivative_bound_to_their_own():
    book = Notebook()
    book.run('''
        def make(k):
            def f(x, k=k):
                return k * x * x
            return f
    ''')
    assert srcad.grad(book["make"](1.0))(1.0) == pytest.approx(2.0)
    assert srcad.grad(book["make"](5.0))(1.0) == pytest.approx(10.0)


def test_a_global_naming_what_to_differentiate_inside_f_rebound():
    f = load_function('''
        import srcad

        W = 0

        def h(a, b):
            return a * a * b

        def f(x, y):
            return srcad.grad(h, wrt=W)(x, y) * 1.0
    ''', "f")
    df = srcad.grad(f, wrt=1)
    assert df(2.0, 3.0) == pytest.approx(4.0)    # d/dy of 2xy
    f.__globals__["W"] = 1
    assert df(2.0, 3.0) == pytest.approx(0.0)    # d/dy of x*x


# ------------------------------------------------------------ a file edited after its import


def test_a_file_edited_after_its_import_is_refused_until_it_is_reloaded(tmp_path, monkeypatch):
    """Python runs the code it read at import; inspect reads the file as it is now. The
    derivative of the edited text would be another function's: refused, naming the file."""
    import importlib
    name = f"edited_after_import_{os.getpid()}"
    path = tmp_path / f"{name}.py"
    path.write_text("import math\n\n\ndef layer(x):\n    return math.tanh(x) * 2.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    path.write_text("import math\n\n\ndef layer(x):\n    return math.sin(x) * 2.0 + 0.0\n")
    with pytest.raises(srcad.SrcadError, match=rf"{name}\.py:4: .*not the code that runs.*tanh"):
        srcad.grad(module.layer)(0.7)
    module = importlib.reload(module)
    assert srcad.grad(module.layer)(0.7) == pytest.approx(2.0 * math.cos(0.7), rel=1e-15)
