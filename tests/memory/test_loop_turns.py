"""Cheaper loop turns in the gradient `grad` runs (transform/loops_speed.py, loops_calls.py):
invariants computed once before the loop, copies forwarded, negations moved into constants,
`math` functions looked up once. Each changes how a turn is computed, never what: the
gradients are compared bit for bit with the same derivative without the passes
(`final=False`), and with finite differences; the passes themselves run on small loops whose
results are compared before and after."""
import ast
import math

import gast
import pytest

import srcad
from helpers import assert_close, assert_identical, fd_grad, load_function
from srcad import analyze, pipeline
from srcad.transform import loops_speed
from test_checkpoints import RECURRENCE

FLOAT = analyze.FLOAT


def unoptimised(f, wrt, kinds, args):
    """The gradient without the passes: the same derivative before what only a final one gets."""
    return pipeline.derive(f, wrt, kinds, "reverse", "grad", final=False).bind(f)(*args)


@pytest.mark.parametrize("turns", [0, 1, 2, 7, 300])
def test_the_recurrence_gradient_is_the_same_bits(turns):
    f = load_function(RECURRENCE, "f")
    args = (0.5, 1.0, 2.0, turns)
    fast = srcad.grad(f, wrt=(0, 1, 2))(*args)
    kinds = {"p": FLOAT, "x": FLOAT, "y": FLOAT, "n": analyze.INT}
    assert_identical(fast, unoptimised(f, ("p", "x", "y"), kinds, args))
    assert_close(fast, fd_grad(lambda p, x, y: f(p, x, y, turns), args[:3], (0, 1, 2)), rtol=1e-7)
    assert_identical(srcad.grad(f, wrt=(0, 1, 2), checkpoints="sqrt")(*args), fast)


def test_the_recurrence_turn_shows_each_pass():
    f = load_function(RECURRENCE, "f")
    text = srcad.source(f, wrt=(0, 1, 2), of="grad")
    assert "# the same every turn: computed once, before the loop" in text
    assert "# math.sin, math.cos looked up once, not every turn" in text
    forward, backward = code(text).split("bp = 0.0")
    before_loop = forward.split("for i in t1:")[0]
    assert "t10 = 0.01 * p" in before_loop and "0.01 * p" not in forward.split("for i in t1:")[1]
    assert "math_sin = math.sin" in before_loop and "math.sin(" not in code(text)
    # bt6 = bx ... bx = bt6 and bt11 = by are gone: bx and by are read themselves
    assert "bt6" not in backward and "bt11" not in backward
    assert "bx += bt7 * -0.01" in backward  # from bt7 = -bt8 * math.sin(t7): the sign moved
    assert "-bt8" not in backward
    # what `source` shows without of="grad" (the derivative transformed again) is unchanged
    assert "math_sin" not in srcad.source(f, wrt=(0, 1, 2))


def code(text):
    """The generated text without its comments (which cite the user's lines)."""
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))


HOIST_REFUSED = """
def f(p, x, n):
    q = p
    for i in range(n):
        c = 0.5 * q
        x = x * c + p
        q = q + 0.25
    return x
"""


def test_an_operand_changed_in_the_loop_keeps_its_statement_in_the_loop():
    f = load_function(HOIST_REFUSED, "f")
    text = srcad.source(f, wrt=(0, 1), of="grad")
    assert "the same every turn" not in text
    forward = code(text).split("bp = 0.0")[0]
    assert "0.5 * q" in forward.split("for i in t1:")[1]
    for turns in (0, 1, 6):
        args = (0.8, 1.3, turns)
        got = srcad.grad(f, wrt=(0, 1))(*args)
        assert_identical(got, unoptimised(f, ("p", "x"), {"p": FLOAT, "x": FLOAT, "n": analyze.INT}, args))
        assert_close(got, fd_grad(lambda p, x: f(p, x, turns), args[:2], (0, 1)), rtol=1e-7)


BRANCHED = """
import math
def f(p, x, flag, n):
    if flag:
        c = 2.0 * p
    else:
        c = 3.0 * p
    for i in range(n):
        d = 0.1 * c
        e = p * p
        x = math.sin(x * d) + e * x
    return x
"""


@pytest.mark.parametrize("flag", [True, False])
def test_a_value_set_in_a_branch_before_the_loop(flag):
    f = load_function(BRANCHED, "f")
    text = srcad.source(f, wrt=(0, 1), of="grad")
    before_loop, loop = code(text).split("for i in t1:", 1)
    # p * p in the loop and computed again in its reverse: on a parameter, computed once
    assert "t3 = p * p" in before_loop and "= p * p" not in loop
    assert "= 0.1 * c" in loop  # c is set in a branch: kept in the loop, as it was
    for turns in (0, 1, 9):
        args = (0.6, 0.3, flag, turns)
        got = srcad.grad(f, wrt=(0, 1))(*args)
        kinds = {"p": FLOAT, "x": FLOAT, "flag": analyze.OTHER, "n": analyze.INT}
        assert_identical(got, unoptimised(f, ("p", "x"), kinds, args))
        assert_close(got, fd_grad(lambda p, x: f(p, x, flag, turns), args[:2], (0, 1)), rtol=1e-7)


CALLS_A_HELPER = """
import math
def h(v):
    return v * math.cos(v)
def f(x, n):
    for i in range(n):
        x = h(x) + math.sin(x)
    return x
"""


def test_a_loop_calling_a_helper_reads_math_each_turn():
    """The helper's forward part could re-bind math.sin (nothing says it does not)."""
    f = load_function(CALLS_A_HELPER, "f")
    text = srcad.source(f, of="grad")
    assert "math_sin" not in text and "math.sin(" in code(text)
    assert_close(srcad.grad(f)(0.4, 5), fd_grad(lambda x: f(x, 5), (0.4,)), rtol=1e-7)


# --- the passes on small loops, results before and after -------------------------------------

def run(text, args):
    namespace = {"math": math}
    exec(compile(text, "<loop>", "exec"), namespace)
    return namespace["f"](*args)


def forwarded(body, floats):
    """The text of `def f(a, b, c, n)` looping `body`, before and after forward_copies and
    fold_signs."""
    text = "def f(a, b, c, n):\n    for i in range(n):\n" + "".join(
        f"        {line}\n" for line in body) + "    return a, b, c\n"
    tree = gast.parse(text).body[0]
    before = _unparse(tree)
    local = loops_speed.turn_local(tree)
    loops_speed.forward_copies(tree.body[0].body, floats, local)
    loops_speed.fold_signs(tree, floats, local)
    return before, _unparse(tree)


def _unparse(tree):
    return ast.unparse(gast.gast_to_ast(gast.Module(body=[tree], type_ignores=[])))


LOOP_BODIES = {
    # the copy there and back: d is b, changed, then b again
    "there_and_back": (["d = b", "d += c * 0.5", "b = d", "a = d * a"], True),
    # b changes while d (= the old b) is still read: b's assignment moves after the read
    "moved_assignment": (["d = b", "a = a + d * 0.25", "b = d * c", "a = d - a"], True),
    # as above, but the read between assigns what the assignment reads: it cannot move
    "not_movable": (["d = b", "a = a + d * 0.25", "b = d * c", "c = d - c"], False),
    # b is read after d changed: d cannot be b
    "source_read_after": (["d = b", "d += 1.0", "a = b * d"], False),
    # d changed last: b would end with d's value
    "copy_changed_last": (["d = b", "d += c", "a = a * d"], False),
    # b's new value is read between: its assignment cannot move after d's read
    "source_needed": (["d = b", "b = b * c", "a = a + b", "c = d * 0.5"], False),
    # a negation, read once beside a constant, moves into it
    "sign": (["e = -b * c", "a += e * 0.5"], True),
    # read twice: the negation stays
    "sign_read_twice": (["e = -b * c", "a += e * 0.5", "c = e * 2.0"], False),
}


@pytest.mark.parametrize("name", sorted(LOOP_BODIES))
def test_forwarded_copies_and_signs_change_no_result(name):
    body, changes = LOOP_BODIES[name]
    floats = {"a", "b", "c", "d", "e"}
    before, after = forwarded(body, floats)
    assert (before != after) == changes, after
    for turns in (0, 1, 4):
        args = (0.3, -1.7, 0.9, turns)
        assert_identical(run(after, args), run(before, args))
