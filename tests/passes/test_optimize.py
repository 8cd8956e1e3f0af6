"""optimize.simplify: constant folding, copy propagation and dead code, to a fixed point.

Each test states a function before and after simplification as Python. `pure_calls` says which
calls may be dropped; here `math.*` calls are pure and nothing else is, as the pipeline says
for functions in the rule tables.
"""
import math

import gast
import numpy as np
import pytest

import srcad
from helpers import load_function
from passes.stages import derivative, render, text_of
from srcad import analyze, emit, load, optimize, parse, pipeline

SCALE = 2.0


def math_calls(call):
    return isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name) \
        and call.func.value.id == "math"


def simplified(fn, pure_calls=math_calls):
    return render(optimize.simplify(parse.function(fn).tree, pure_calls))


# ---------------------------------------------------------------- constant folding


def test_operators_on_two_constants_are_folded():
    def before(x):
        a = 2.0 * 3.0
        b = 1.0 - 4.0 / 8.0
        return x * a + b ** 2

    def after(x):
        return x * 6.0 + 0.25
    assert simplified(before) == text_of(after)


@pytest.mark.parametrize("expr", [
    "x * 1.0", "1.0 * x", "x * 1", "x / 1.0", "x ** 1", "x + 0.0", "0.0 + x", "x - 0.0",
    "-(-x)", "-(-(-(-x)))",
], ids=lambda expr: expr)
def test_identities_are_folded(expr):
    fn = load_function(f"def before(x):\n    y = {expr}\n    return y\n", "before")

    def after(x):
        return x
    assert simplified(fn) == text_of(after)


@pytest.mark.parametrize("expr", ["-1.0 * x", "x * -1.0"], ids=lambda expr: expr)
def test_multiplying_by_minus_one_is_negation(expr):
    fn = load_function(f"def before(x):\n    return {expr}\n", "before")

    def after(x):
        return -x
    assert simplified(fn) == text_of(after)


@pytest.mark.parametrize("expr", ["0.0 * x", "x - x", "x / x", "1.0 / 0.0", "0.0 - x"],
                         ids=lambda expr: expr)
def test_what_is_not_an_identity_for_every_value_stays(expr):
    # 0 * x is nan for an infinite x and keeps an array's shape; 1 / 0 must still raise
    fn = load_function(f"def before(x):\n    return {expr}\n", "before")
    assert simplified(fn) == text_of(fn)


# ---------------------------------------------------------------- copy propagation


def test_a_copy_is_replaced_by_its_source():
    def before(x):
        b = x
        c = b
        return c * b

    def after(x):
        return x * x
    assert simplified(before) == text_of(after)


def test_a_constant_copy_is_propagated():
    def before(x):
        k = 3.0
        return x * k

    def after(x):
        return x * 3.0
    assert simplified(before) == text_of(after)


def test_a_copy_of_a_global_is_propagated():
    def before(x):
        k = SCALE
        return x * k

    def after(x):
        return x * SCALE
    assert simplified(before) == text_of(after)


def test_a_copy_whose_target_is_assigned_again_stays():
    def before(x):
        b = x
        b += 1.0
        return b
    assert simplified(before) == text_of(before)


def test_a_copy_whose_source_is_assigned_again_stays():
    def before(x):
        b = x
        x = x + 1.0
        return b * x
    assert simplified(before) == text_of(before)


def test_a_copy_whose_source_changes_in_a_loop_before_a_read_stays():
    def before(x, n):
        a = x
        for i in range(n):
            x = x * 2.0
            s = a + x
        return s
    assert simplified(before) == text_of(before)


def test_a_copy_read_before_it_in_a_loop_stays():
    def before(x, n):
        b = 0.0
        for i in range(n):
            s = b * 2.0
            b = x
        return s
    assert simplified(before) == text_of(before)


def test_a_copy_inside_a_block_is_propagated_within_it():
    def before(x, n):
        s = 0.0
        for i in range(n):
            c = x
            s = s + c * i
        return s

    def after(x, n):
        s = 0.0
        for i in range(n):
            s = s + x * i
        return s
    assert simplified(before) == text_of(after)


def test_a_copy_inside_a_branch_is_not_substituted_outside_it():
    def before(x, flag):
        b = 0.0
        if flag:
            b = x
        return b
    assert simplified(before) == text_of(before)


def test_a_copy_back_is_removed():
    def before(x, n):
        a = 0.0
        for i in range(n):
            a = x
            x = a
            x = x * 2.0
        return a + x

    def after(x, n):
        a = 0.0
        for i in range(n):
            a = x
            x = x * 2.0
        return a + x
    assert simplified(before) == text_of(after)


def test_a_copy_that_propagation_makes_a_copy_of_itself_is_removed():
    def before(x, dx):
        dt = dx
        t = x + 1.0
        x = t
        dx = dt
        return x, dx

    def after(x, dx):
        t = x + 1.0
        x = t
        return x, dx
    assert simplified(before) == text_of(after)


def test_a_copy_of_itself_written_so_stays():
    def before(x):
        x = x
        return x * 2.0
    assert simplified(before) == text_of(before)


def test_a_chain_of_copies_is_followed_to_its_start():
    def before(x):
        a = x
        b = a
        c = b
        k = 2.0
        m = k
        return c * m + b

    def after(x):
        return x * 2.0 + x
    assert simplified(before) == text_of(after)


def test_a_copy_whose_source_was_propagated_reads_the_first_source():
    def before(x, y):
        a = x
        b = a
        x = y * 2.0
        return b + x

    def after(x, y):
        b = x
        x = y * 2.0
        return b + x
    assert simplified(before) == text_of(after)


def test_a_variable_updated_between_a_copy_and_its_copy_back_becomes_the_first():
    def before(bx, e):
        bt5 = bx
        bt5 = bt5 + e
        bx = bt5
        return bx * 2.0

    def after(bx, e):
        bx = bx + e
        return bx * 2.0
    assert simplified(before) == text_of(after)


def test_a_copy_back_after_the_first_is_stored_again_stays():
    def before(bx, e):
        bt5 = bx
        bt5 = bt5 + e
        bx = bt5
        bt5 = e * 3.0
        return bx * bt5
    assert simplified(before) == text_of(before)


def _copy_back_then_read_after_b_changes(b, e):
    a = b
    a = a + e
    b = a
    b = b * 2.0
    return a + b


def _copy_back_in_a_loop_read_after_it(b, e):
    for k in range(3):
        a = b
        a = a + e
        b = a
    return a * b


def _copy_back_in_a_loop_read_before_it(b, e):
    a = 1.0
    c = 0.0
    for k in range(3):
        c = c + a * 2.0
        a = b
        a = a + e
        b = a
    return c


@pytest.mark.parametrize("fn", [_copy_back_then_read_after_b_changes,
                                _copy_back_in_a_loop_read_after_it,
                                _copy_back_in_a_loop_read_before_it])
def test_a_copy_back_is_kept_where_the_first_is_read_after_the_second_changes(fn):
    # `a` may become `b` only where every read of `a` is in the copy's block after it and
    # before `b` is next stored: these once printed 6.0, NameError and 4.0
    namespace = {}
    exec(simplified(fn), namespace)
    g, = (value for key, value in namespace.items() if key != "__builtins__")
    assert g(1.0, 0.5) == fn(1.0, 0.5)


def test_copies_of_many_statements_are_removed_in_one_pass():
    # each pass once rewrote one statement and rescanned the function: cubic in its length
    lines = ["def before(x):", "    a0 = x"]
    lines += [f"    a{k} = a{k - 1}" for k in range(1, 400)]
    lines += ["    return a399 * 2.0"]
    fn = load_function("\n".join(lines) + "\n", "before")

    def after(x):
        return x * 2.0
    assert simplified(fn) == text_of(after)


def test_a_zero_start_followed_by_an_accumulation_becomes_an_assignment():
    def before(x, by):
        bx = 0.0
        bx += by * x
        bz = 0.0
        bz = bz + by
        return bx * bz

    def after(x, by):
        bx = by * x
        return bx * by
    assert simplified(before) == text_of(after)


def test_a_zero_start_read_before_the_accumulation_stays():
    def before(x, by):
        bx = 0.0
        s = bx * 2.0
        bx += by * x
        return bx + s
    assert "bx = 0.0" in simplified(before)


# ---------------------------------------------------------------- dead code


def test_an_unread_assignment_is_removed():
    def before(x):
        t = x * 2.0
        u = t + 1.0
        return x

    def after(x):
        return x
    assert simplified(before) == text_of(after)


def test_an_unread_pure_call_is_removed_and_an_unknown_one_stays():
    def before(x):
        s = math.sin(x)
        r = np.random.normal(x)
        return x

    def after(x):
        r = np.random.normal(x)
        return x
    assert simplified(before) == text_of(after)


def test_unknown_calls_are_impure_by_default():
    def before(x):
        s = math.sin(x)
        return x
    assert render(optimize.simplify(parse.function(before).tree)) == text_of(before)


def test_print_is_never_removed():
    def before(x):
        print(x)
        shown = print("x is", x)
        t = x * 1.0
        return x

    def after(x):
        print(x)
        shown = print("x is", x)
        return x
    assert simplified(before, pure_calls=lambda call: call.func.id != "print") \
        == text_of(after)


PRINTS = '''
import math


def f(x):
    print("at", x)
    _ = print("again", x)
    return math.sin(x)
'''


def test_a_print_statement_stays_in_a_derivative(capsys):
    f = load_function(PRINTS, "f")
    assert "print('at', x)" in srcad.source(f)
    srcad.grad(f)(0.5)
    assert "at 0.5" in capsys.readouterr().out


def test_an_assigned_print_stays_in_a_derivative(capsys):
    f = load_function(PRINTS, "f")
    srcad.grad(f)(0.5)
    assert "again 0.5" in capsys.readouterr().out


def test_an_unread_augmented_adjoint_is_removed():
    def before(x, by):
        bx = by * 2.0
        bx += by * x
        bz = by
        return bz

    def after(x, by):
        return by
    assert simplified(before) == text_of(after)


def test_dead_code_in_a_branch_leaves_pass():
    def before(x, flag):
        if flag:
            t = x * 2.0
        return x

    def after(x, flag):
        if flag:
            pass
        return x
    assert simplified(before) == text_of(after)


# ---------------------------------------------------------------- the fixed point


def test_passes_repeat_until_nothing_changes():
    def before(x):
        a = x * 1.0
        b = a + 0.0
        c = b
        d = c * 3.0
        e = 2.0 * 0.5
        return c * e

    def after(x):
        return x
    assert simplified(before) == text_of(after)


def test_simplify_returns_a_new_tree():
    def before(x):
        a = x * 1.0
        return a
    tree = parse.function(before).tree
    text = render(tree)
    optimize.simplify(tree, math_calls)
    assert render(tree) == text


# ---------------------------------------------------------------- the optimiser keeps values


def compiled(tree, src):
    """The derivative `tree` compiled and bound like the pipeline does."""
    text = emit.source_text(tree, src.filename, src.namespace.helpers, [])
    code = load.code_of(text, f"<test_optimize {tree.name} {len(text)}>", tree.name)
    return load.function(code, src.fn, src.namespace.helpers, (1.0,))


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def weighted(x, w):
    z = x * w + 0.0
    z = z * 1.0
    return np.sum(np.tanh(z) * w)


@pytest.mark.parametrize("fn, args, kinds", [
    (textbook, (2.0, 5.0), {"x1": "float", "x2": "float"}),
    (weighted, (np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -0.5])),
     {"x": "array", "w": "array"}),
], ids=["textbook", "weighted"])
def test_simplifying_a_derivative_keeps_its_values(fn, args, kinds):
    params = tuple(kinds)
    src, _, deriv = derivative(fn, params, kinds)
    plain = compiled(deriv.tree, src)(*args)
    simple = compiled(optimize.simplify(deriv.tree, pipeline._pure_calls(src)), src)(*args)
    np.testing.assert_allclose(simple[0], plain[0], rtol=1e-15)
    for a, b in zip(simple[1], plain[1]):
        np.testing.assert_allclose(a, b, rtol=1e-15)
    assert len(render(optimize.simplify(deriv.tree, pipeline._pure_calls(src))).splitlines()) \
        < len(render(deriv.tree).splitlines())


# ---------------------------------------------------------------- known bugs


def int_array_powers(a):
    k = a * 1.0   # float64: 100.0 ** 10 is 1e20
    return k ** 10


def test_folding_an_identity_keeps_the_float_conversion_of_an_int_array():
    # the pipeline tells the optimiser which names are adjoints and floats: the user's own
    # `a * 1.0` (a primal statement) is never folded, so the derivative computes what f does
    tree = optimize.simplify(parse.function(int_array_powers).tree, math_calls,
                             adjoints=frozenset(), floats=frozenset())
    namespace = {}
    exec(render(tree, "g"), namespace)
    a = np.array([100, 200])
    np.testing.assert_allclose(namespace["g"](a), int_array_powers(a))


def test_the_float_conversion_of_an_int_array_matters():
    # the premise of the test above: without `* 1.0` the powers overflow
    a = np.array([100, 200])
    assert not np.allclose(a ** 10, int_array_powers(a))
    assert analyze.kind_of_value(a) == analyze.ARRAY


def log_of_first(x1, x2):
    return math.log(x1) + x1 * x2


def test_grad_raises_where_the_function_raises():
    with pytest.raises(ValueError):
        log_of_first(-1.0, 5.0)
    with pytest.raises(ValueError):
        srcad.value_and_grad(log_of_first)(-1.0, 5.0)
    with pytest.raises(ValueError):
        srcad.grad(log_of_first)(-1.0, 5.0)


# ---------------------------------------------------------------- emptied blocks

EMPTIED = '''
def dead_copy_in_branch(x, v):
    if 1.32 < 1.66:
        a8 = v
    else:
        pass
    return x * 2.0


def dead_copies_in_loops(x, v):
    for i in range(2):
        a8 = v
    while x > 5.0:
        b = v
        x = x - 1.0
    return x * 2.0
'''


def test_a_block_the_copy_propagation_empties_becomes_pass():
    def before(x, v):
        if v:
            a8 = v
        for i in range(2):
            b = v
        return x

    def after(x, v):
        if v:
            pass
        for i in range(2):
            pass
        return x
    assert simplified(before) == text_of(after)


@pytest.mark.parametrize("name_", ["dead_copy_in_branch", "dead_copies_in_loops"])
@pytest.mark.parametrize("x", [1.5, 6.5])
def test_derivatives_whose_branches_the_optimiser_empties_compile(name_, x):
    f = load_function(EMPTIED, name_)
    assert srcad.grad(f)(x, 3.0) == 2.0
    assert srcad.jvp(f)(x, 3.0, 1.0) == (f(x, 3.0), 2.0)
    assert srcad.grad(srcad.grad(f))(x, 3.0) == 0.0
