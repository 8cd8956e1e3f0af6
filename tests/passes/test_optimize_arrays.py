"""The array passes (srcad/optimize/arrays.py, uniform.py, signs.py) on gradients that run as they are.

Each pass is checked three ways: the generated text shows it was applied (or, where it would
be wrong, that it was not); the gradient equals finite differences; and it equals the
derivative compiled without the passes (the one forward-over-reverse transforms), whose
statements are exactly the rules'.
"""
import math

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function
from passes.stages import parsed, render
from srcad import analyze, pipeline
from srcad.optimize import arrays as array_passes
from srcad import runtime as _rt


def program(expr, names):
    return load_function(f"import numpy as np\n\ndef f({', '.join(names)}):\n    return {expr}\n", "f")


def kind(value):
    return analyze.FLOAT if isinstance(value, float) else analyze.ARRAY


def both_derivatives(f, args, wrt):
    """(with the passes, without them): srcad's grad of `f` for `args`, computed both ways."""
    kinds = {name_: kind(a) for name_, a in zip(f.__code__.co_varnames, args)}
    names = tuple(f.__code__.co_varnames[i] for i in wrt)
    wrt_names = names[0] if len(names) == 1 else names
    final = pipeline.derive(f, wrt_names, kinds, "reverse", "grad", final=True)
    plain = pipeline.derive(f, wrt_names, kinds, "reverse", "grad", final=False)
    return final, final.bind(f)(*args), plain.bind(f)(*args)


# sums of whole arrays (uniform cotangents) meeting broadcasting, constants and negations
PROGRAMS = [
    ("np.sum(x + y)", [(3, 1), (4,)]),
    ("np.sum(x * y)", [(3, 1), (1, 4)]),
    ("np.sum(x / y)", [(2, 3), (3,)]),
    ("np.mean(x - 2.0 * y)", [(3, 4), (4,)]),
    ("np.sum(-x * y) + np.sum(x)", [(3, 4), (3, 4)]),
    ("x.sum() * 3.0 + np.sum(x / y)", [(2, 3), (3,)]),
    ("np.sum(np.exp(x) * y)", [(3, 4), ()]),
    ("np.sum((x - y) ** 2)", [(5,), (1,)]),
    ("np.sum(np.maximum(x, y))", [(3, 4), (4,)]),
    ("np.sum(np.hypot(x, y) - 1.0)", [(3, 4), (3, 1)]),
    ("np.sum(x @ y)", [(3, 4), (4, 2)]),
    ("np.prod(x * y)", [(2, 3), (3,)]),
    ("np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)", [(7,)]),
    ("np.sum(x, axis=0).sum() + np.mean(x * x)", [(3, 4)]),
    ("np.sum(x * y)", [(), (3,)]),
    ("np.sum(y - x) * np.sum(x + y)", [(4,), (2, 4)]),
    ("-np.sum(1.0 - x ** 2) / 3.0", [(2, 2)]),
    ("np.sum(x[[0, 0, 2]] * 2.0) - np.sum(x[1:] * x[:-1])", [(4,)]),
]


@pytest.mark.parametrize("expr, shapes", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_passes_keep_the_gradient(expr, shapes, rng):
    f = program(expr, "xy"[:len(shapes)])
    args = [float(rng.uniform(0.5, 1.5)) if s == () else rng.uniform(0.5, 1.5, s) for s in shapes]
    wrt = tuple(range(len(shapes)))
    _, got, plain = both_derivatives(f, args, wrt)
    got, plain = (got if isinstance(got, tuple) else (got,)), (plain if isinstance(plain, tuple) else (plain,))
    expected = fd_grad(f, args, wrt if len(wrt) > 1 else 0)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for mine, rules, oracle, arg in zip(got, plain, expected, args):
        assert np.shape(mine) == np.shape(arg)
        assert_close(mine, oracle, rtol=1e-6, atol=1e-8)
        assert_close(mine, rules, rtol=1e-12, atol=1e-14)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_gradient(x):
    a, b = x[:-1], x[1:]
    out = np.zeros_like(x)
    out[:-1] = -400.0 * a * (b - a * a) - 2.0 * (1.0 - a)
    out[1:] += 200.0 * (b - a * a)
    return out


def code_lines(text):
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))


def test_rosenbrock_gradient_computes_what_a_hand_written_one_does(rng):
    text = srcad.source(rosenbrock, of="grad", args=(np.ones(5),))
    code = code_lines(text)
    assert "np.sum" not in code and "t4 ** 2" not in code  # the value itself is never computed
    assert "# t5 = t4 ** 2: only its shape is needed" in text
    assert "_rt.add_to(bx" in code          # accumulated in place
    assert "_rt.unbroadcast_uniform(by, t10, t6)" in code  # the seed stays one number
    assert "bt7 = bt8\n" in code             # shapes known: no unbroadcast where they agree
    assert "* -2 *" in code                 # signs folded into constants
    assert "del " in code
    x = rng.uniform(-1.0, 1.5, 50)
    assert_close(srcad.grad(rosenbrock)(x), rosenbrock_gradient(x), rtol=1e-12, atol=1e-12)


def test_float32_in_float32_out(rng):
    x = rng.uniform(-1.0, 1.5, 20).astype(np.float32)
    got = srcad.grad(rosenbrock)(x)
    assert got.dtype == np.float32
    assert_close(got.astype(np.float64), rosenbrock_gradient(x.astype(np.float64)), rtol=1e-4, atol=1e-3)


def test_value_and_grad_keeps_the_value(rng):
    x = rng.uniform(-1.0, 1.5, 9)
    value, gradient = srcad.value_and_grad(rosenbrock)(x)
    assert value == pytest.approx(rosenbrock(x), rel=1e-14)
    assert "stand_in" not in srcad.source(rosenbrock, of="value_and_grad", args=(x,))
    assert_close(gradient, rosenbrock_gradient(x), rtol=1e-12, atol=1e-12)


def test_shapes_that_do_not_broadcast_still_raise():
    f = program("np.sum((x * y) ** 2)", "xy")
    with pytest.raises(ValueError):
        f(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        srcad.grad(f)(np.ones(3), np.ones(4))


def test_scalar_code_is_left_alone():
    def f(x1, x2):
        return math.log(x1) + x1 * x2 - math.sin(x2)
    text = srcad.source(f, of="grad")
    assert "del " not in text and "stand_in" not in text and "spread" not in text


def test_forward_over_reverse_sees_the_derivative_without_the_passes(rng):
    x = rng.uniform(-1.0, 1.5, 4)
    hessian = srcad.hessian(rosenbrock)(x)
    h = 1e-5
    columns = [(rosenbrock_gradient(x + h * e) - rosenbrock_gradient(x - h * e)) / (2 * h)
               for e in np.eye(4)]
    assert_close(hessian, np.array(columns).T, rtol=1e-6, atol=1e-5)


# ---------------------------------------------------------------- accumulation in place

def in_place(fn, arrays):
    """`fn`'s text after the accumulation pass, and the function it now is."""
    src, _ = parsed(fn)
    tree = src.tree
    array_passes.ArrayPasses(tree, src, set(arrays), set(), lambda f: None).accumulate_in_place()
    text = render(tree)
    namespace = {"_rt": _rt, "np": np}
    exec(compile(text, "<in place>", "exec"), namespace)
    return text, namespace["f"]


def test_updates_of_an_adjoint_no_one_else_holds_are_in_place():
    def grad_like(x, g1, g2):
        b = _rt.add_at(0.0, x, 0, g1)
        b = _rt.add_at(b, x, slice(1, None), g2)
        b = _rt.add_at(b, x, [0, 0], g1)
        return b
    text, f = in_place(grad_like, "b")
    assert text.count("_rt.add_to(b,") == 2 and "_rt.add_at(0.0" in text
    assert_close(f(np.zeros(3), 1.0, 2.0), np.array([3.0, 2.0, 2.0]))


def test_an_adjoint_in_a_loop_is_updated_in_place():
    def grad_like(x, g):
        b = 0.0
        for i in range(3):
            b = _rt.add_at(b, x, i, g * i)
        return b
    text, f = in_place(grad_like, "b")
    assert "_rt.add_to(b," in text
    assert_close(f(np.zeros(4), 2.0), np.array([0.0, 2.0, 4.0, 0.0]))


def aliased_copy(x, g1, g2):
    b = _rt.add_at(0.0, x, 0, g1)
    c = b
    b = _rt.add_at(b, x, 1, g2)
    return b, c


def aliased_start(x, c, g1):
    b = c
    b = _rt.add_at(b, x, 1, g1)
    return b


def added_to_itself(x, g1):
    b = _rt.add_at(0.0, x, 0, g1)
    b = _rt.add_at(b, x, 1, b[0])
    return b


@pytest.mark.parametrize("fn", [aliased_copy, aliased_start, added_to_itself])
def test_an_adjoint_another_name_may_hold_is_copied(fn):
    text, f = in_place(fn, "bc")
    assert "add_to" not in text


def test_the_copy_keeps_the_other_name_unchanged():
    _, f = in_place(aliased_copy, "bc")
    b, c = f(np.zeros(2), 1.0, 5.0)
    assert_close(c, np.array([1.0, 0.0]))
    assert_close(b, np.array([1.0, 5.0]))


# ---------------------------------------------------------------- the runtime helpers

def test_spread_is_the_number_only_where_the_product_covers_the_shape():
    assert _rt.spread(2.0, np.ones((3, 4)), np.ones((3, 4))) == 2.0
    assert _rt.spread(2.0, np.ones((3, 1)), np.ones((1, 4)), np.ones((3, 4))) == 2.0
    view = _rt.spread(2.0, np.ones((3, 4)), np.ones(4))
    assert view.shape == (3, 4) and np.all(view == 2.0)
    assert _rt.spread(2.0, 1.5) == 2.0


def test_unbroadcast_uniform_counts_the_elements_summed():
    carrier = np.ones((3, 4))
    assert _rt.unbroadcast_uniform(0.5, carrier, np.ones(4)) == 1.5
    assert _rt.unbroadcast_uniform(0.5, carrier, 2.0) == 6.0
    assert _rt.unbroadcast_uniform(0.5, carrier, carrier) == 0.5
    assert_close(_rt.unbroadcast(np.broadcast_to(0.5, (3, 4)), np.ones((3, 1))),
                 np.full((3, 1), _rt.unbroadcast_uniform(0.5, carrier, np.ones((3, 1)))))


def test_stand_in_has_the_shape_of_the_result():
    a, b = np.ones((3, 1)), np.ones(4)
    assert _rt.stand_in(a, b).shape == (3, 4)
    big = np.ones((1000, 1000))
    stand = _rt.stand_in(big, 2.0)
    assert stand.shape == big.shape and stand.base is not big and stand.strides == (0, 0)
    assert not stand.flags.writeable and np.all(stand == 0.0)
    assert np.ndim(_rt.stand_in()) == 0
    assert np.shape(_rt.stand_in(np.ones(()), 1.0)) == ()
    with pytest.raises(ValueError):
        _rt.stand_in(np.ones(3), np.ones(4))


LOOPS = {
    "a sum carried through a loop": """
def f(x, y):
    s = x
    for i in range(3):
        s = s * y + 1.0
    return np.sum(s) + np.mean(-s)
""",
    "a value whose shape changes from turn to turn": """
def f(x, y):
    s = x
    for i in range(2):
        s = s * y
    t = np.sum(s * 2.0)
    return t * np.sum(x)
""",
    "writes into an array, then a sum": """
def f(x, y):
    a = np.zeros(3)
    for i in range(3):
        a[i] = x[i] * y[i]
    return np.sum(a * a) - np.sum(a * 3.0)
""",
}


@pytest.mark.parametrize("name", LOOPS)
def test_passes_keep_the_gradient_with_loops(name, rng):
    f = load_function("import numpy as np\n" + LOOPS[name], "f")
    args = [rng.uniform(0.5, 1.5, 3), rng.uniform(0.5, 1.5, (2, 3))[0] if "writes" in name
            else rng.uniform(0.5, 1.5, (2, 3))]
    _, got, plain = both_derivatives(f, args, (0, 1))
    expected = fd_grad(f, args, (0, 1))
    for mine, rules, oracle in zip(got, plain, expected):
        assert_close(mine, oracle, rtol=1e-6, atol=1e-8)
        assert_close(mine, rules, rtol=1e-12, atol=1e-14)
