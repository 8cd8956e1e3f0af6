"""naming: readable, deterministic names that never collide with the user's.

`Names` hands out temporaries, versions and adjoints; `Namespace.refer` decides how generated
code names an outside object: the user's own global where one is bound to it, else a helper.
"""
import math

import gast
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_directional, fd_grad, load_function
from srcad import runtime
from srcad.naming import Names, Namespace


def text(expr):
    """`np.sum` for Attribute(Name np, sum)."""
    if isinstance(expr, gast.Attribute):
        return text(expr.value) + "." + expr.attr
    return expr.id


# ---------------------------------------------------------------- Names


def test_fresh_gives_the_base_then_numeric_suffixes():
    names = Names({"x", "y"})
    assert [names.fresh("z"), names.fresh("z"), names.fresh("y"), names.fresh("y")] == \
        ["z", "z_2", "y_2", "y_3"]


def test_fresh_skips_suffixes_the_user_has():
    assert Names({"x", "x_2", "x_3"}).fresh("x") == "x_4"


def test_temporaries_count_up_skipping_the_users_names():
    names = Names({"t1", "t3"})
    assert [names.temp() for _ in range(3)] == ["t2", "t4", "t5"]


def test_temporaries_and_fresh_names_share_one_pool():
    names = Names(set())
    assert names.fresh("t1") == "t1"
    assert names.temp() == "t2"
    assert names.fresh("t2") == "t2_2"


def test_version_adjoint_and_tangent_spellings():
    names = Names({"x", "bx"})
    assert names.version("x") == "x_2"
    assert names.adjoint("x") == "bx_2"      # the user's own `bx` is left alone
    assert names.adjoint("y") == "by"
    assert names.tangent("x") == "dx"


def test_same_requests_give_the_same_names():
    def run():
        names = Names({"x", "t2", "by"})
        return [names.temp(), names.fresh("y"), names.adjoint("y"), names.temp(),
                names.version("x"), names.adjoint("x")]
    assert run() == run() == ["t1", "y", "by_2", "t3", "x_2", "bx"]


# ---------------------------------------------------------------- Namespace.refer


def test_refer_uses_the_users_global_of_the_usual_name():
    namespace = Namespace(Names(set()), {"np": np}, set())
    assert text(namespace.refer(np, "np")) == "np"
    assert namespace.helpers == {}


def test_refer_uses_the_users_own_alias():
    namespace = Namespace(Names(set()), {"numpy": np, "m": math}, set())
    assert text(namespace.refer(np, "np")) == "numpy"
    assert text(namespace.refer(math, "math")) == "m"
    assert namespace.helpers == {}


def test_refer_makes_a_helper_when_the_user_has_no_name_for_it():
    namespace = Namespace(Names(set()), {}, set())
    assert text(namespace.refer(runtime, "_rt")) == "_rt"
    assert namespace.helpers == {"_rt": runtime}


def test_a_global_of_the_usual_name_bound_to_something_else_is_not_used():
    namespace = Namespace(Names({"np"}), {"np": "not numpy"}, set())
    assert text(namespace.refer(np, "np")) == "np_2"
    assert namespace.helpers == {"np_2": np}


def test_a_local_of_the_usual_name_is_not_used():
    # f's local `math` hides the module inside f; generated code must reach it another way
    names = Names({"x", "math"})
    namespace = Namespace(names, {"math": math}, {"x", "math"})
    assert text(namespace.refer(math, "math")) == "math_2"
    assert namespace.helpers == {"math_2": math}


def test_builtins_are_named_as_builtins():
    namespace = Namespace(Names(set()), {}, set())
    assert text(namespace.refer(abs, "abs")) == "abs"
    assert namespace.helpers == {}


def test_a_shadowed_builtin_gets_a_helper():
    namespace = Namespace(Names({"abs"}), {"abs": "shadowed"}, set())
    assert text(namespace.refer(abs, "abs")) == "abs_2"
    assert namespace.helpers == {"abs_2": abs}


def test_refer_is_stable_and_known_object_inverts_it():
    namespace = Namespace(Names(set()), {}, set())
    first = text(namespace.refer(runtime, "_rt"))
    assert text(namespace.refer(runtime, "anything")) == first
    assert namespace.known_object(first) is runtime
    assert namespace.known_object("unknown") is None


def test_refer_function_spells_library_functions_through_their_module():
    namespace = Namespace(Names(set()), {"np": np, "math": math}, set())
    assert text(namespace.refer_function(np.sum)) == "np.sum"
    assert text(namespace.refer_function(math.cos)) == "math.cos"
    assert text(namespace.refer_function(np.linalg.norm)) == "np.linalg.norm"
    assert namespace.helpers == {}


def test_refer_function_of_anything_else_is_a_helper():
    def custom(x):
        return x
    namespace = Namespace(Names(set()), {}, set())
    assert text(namespace.refer_function(custom)) == "custom"
    assert namespace.helpers == {"custom": custom}


# ---------------------------------------------------------------- through the pipeline


def test_generated_names_never_collide_with_the_users():
    f = load_function('''
        import math


        def f(x, bx, t1, by):
            y = x * bx + t1
            y = math.sin(y) * by
            return y * x
    ''', "f")
    text_ = srcad.source(f)
    assert "def f_vjp(x, bx, t1, by, by_3=1.0):" in text_
    assert "bx_2 =" in text_           # x's adjoint, beside the user's bx
    args = (0.3, 2.0, 0.5, 1.5)
    assert_close(srcad.grad(f)(*args), fd_grad(f, args))


# The builtins srcad's own code calls (range, len, reversed, zip, min, slice: the loops it
# generates, enumerate/zip/reversed lowered to indices, slices of adjoints) under names that a
# local variable of the user's shadows: each must still reach the builtin.
SHADOWING = '''
    import numpy as np


    def scalar_loops(x, xs):
        range = 2.0
        zip = 3.0
        enumerate = 0.5
        float = 1.5
        slice = 0.25
        min = 4.0
        len = 1.0
        reversed = 2.0
        s = x * range * zip * enumerate * float * slice * min * len * reversed
        for a in xs:
            s = s + a * x
        n = 0
        while n < 2:
            s = s * x
            n = n + 1
        return s


    def lowered_loops(x, ys):
        len = 2.0
        range = 3.0
        min = 0.5
        slice = 0.1
        s = 0.0
        for i, y in enumerate(ys):
            s = s + y * x * len
        for a, b in zip(ys, ys):
            s = s + a * b * x * range
        for y in reversed(ys):
            s = s * min + y * 1.5
        v = ys[1:3] * x * slice
        return s + np.sum(v)
'''


@pytest.mark.parametrize("name_, args", [
    ("scalar_loops", (0.7, [0.5, 1.5])),
    ("lowered_loops", (0.7, np.array([0.5, 1.5, 2.0]))),
])
def test_a_local_named_like_a_builtin_srcad_calls_does_not_reach_its_code(name_, args):
    f = load_function(SHADOWING, name_)
    wrt = (0,) if isinstance(args[1], list) else (0, 1)
    assert_close(srcad.grad(f, wrt=wrt)(*args), fd_grad(f, args, wrt))
    tangents = [1.0, np.linspace(0.5, 1.0, 3)][:len(wrt)]
    assert srcad.jvp(f, wrt=wrt)(*args, *tangents)[1] == \
        pytest.approx(fd_directional(f, args, wrt, tangents))
    assert srcad.grad(srcad.grad(f))(*args) == pytest.approx(fd_grad(srcad.grad(f), args), rel=1e-6)
