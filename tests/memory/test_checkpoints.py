"""`grad(f, checkpoints=K | "sqrt")`: loops reversed by binomial checkpointing.

The schedule (runtime/checkpoints.py) against Griewank's count of recomputed turns and a
brute-force minimum; the gradients against the same function's gradient without
checkpointing (the same code runs, so they agree to the last bit or to rounding) on the
recurrence of issue 16, on loops whose state is awkward (a variable first set in the loop,
a value the code before the loop reads backwards, branches, nested loops, helpers, arrays),
on the control-flow corpus and on random programs of the fuzzer.
"""
import functools
import math
import tempfile

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function
from srcad.runtime.checkpoints import Revolve, recomputed_turns

RECURRENCE = """
import math
def f(p, x, y, n):
    for i in range(n):
        x = x + 0.01 * math.sin(p * x * y)
        y = y * math.cos(0.01 * x) + 0.01 * p
    return x + y
"""


@functools.lru_cache(maxsize=None)
def least_recomputed(turns, snaps):
    """The fewest turns run again to reverse `turns` turns with `snaps` snapshots, by trying
    every place for the second snapshot (the recursion revolve's proof solves)."""
    if turns <= 1:
        return 0
    if snaps == 1:
        return turns * (turns - 1) // 2
    return min(m + least_recomputed(turns - m, snaps - 1) + least_recomputed(m, snaps)
               for m in range(1, turns))


def run(schedule, turns):
    """Follow `schedule` on a loop whose state is its turn number: (turns reversed in order,
    turns run again, the most turns saved at once); checks every state it loads."""
    reversed_turns, again, stretch = [], 0, 0
    live = 0
    for start, middle, stop in schedule.forward():
        assert live == start
        again, live = again + middle - start, middle
        if middle == stop:
            schedule.save(middle)
    if turns:
        assert live == schedule.last
        reversed_turns += range(turns - 1, schedule.last - 1, -1)
        stretch = turns - schedule.last
    for start, middle, stop in schedule.reverse():
        assert schedule.load() == start
        again += middle - start
        if middle == stop:
            schedule.save(middle)
        else:
            reversed_turns += range(stop - 1, middle - 1, -1)
            stretch = max(stretch, stop - middle)
    return reversed_turns, again, stretch


@pytest.mark.parametrize("turns, snaps", [(2, 1), (10, 1), (10, 2), (20, 3), (55, 4), (100, 5), (300, 7)])
def test_the_textbook_schedule_runs_the_binomial_number_of_turns_again(turns, snaps):
    reversed_turns, again, stretch = run(Revolve(turns, snaps, stretches=False), turns)
    assert reversed_turns == list(range(turns - 1, -1, -1))
    assert stretch == 1
    assert again == recomputed_turns(turns, snaps) == least_recomputed(turns, snaps)


def test_griewanks_count_for_larger_loops():
    for turns, snaps in [(1000, 10), (5000, 71)]:
        assert run(Revolve(turns, snaps, stretches=False), turns)[1] == recomputed_turns(turns, snaps)
    # n = 1000, c = 10: r = 4 (C(13, 10) = 286 < 1000 <= C(14, 10) = 1001), each turn runs at
    # most 4 times: 4 * 1000 - C(14, 11) = 3636 turns run again
    assert recomputed_turns(1000, 10) == 4 * 1000 - math.comb(14, 11) == 3636


@pytest.mark.parametrize("stretches", [False, True])
def test_every_turn_is_reversed_once_from_its_own_state(stretches):
    for turns in range(0, 40):
        for snaps in range(1, 7):
            schedule = Revolve(turns, snaps, stretches)
            reversed_turns, again, stretch = run(schedule, turns)
            assert reversed_turns == list(range(turns - 1, -1, -1)), (turns, snaps)
            assert len(schedule.states) <= snaps and stretch <= max(1, snaps)
            assert again <= recomputed_turns(turns, snaps)


def test_sqrt_keeps_about_sqrt_n_states_and_runs_each_turn_about_once_again():
    turns = 10 ** 5
    schedule = Revolve(turns, "sqrt")
    _, again, stretch = run(schedule, turns)
    assert len(schedule.states) == 317 and stretch <= 317
    assert again < 1.5 * turns


# ---------------------------------------------------------------- gradients

def _same(a, b):
    assert_close(a, b, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("checkpoints", [1, 3, "sqrt"])
def test_the_recurrence(checkpoints):
    f = load_function(RECURRENCE, "f")
    plain = srcad.grad(f, wrt=(0, 1, 2))
    kept = srcad.grad(f, wrt=(0, 1, 2), checkpoints=checkpoints)
    both = srcad.value_and_grad(f, wrt=(0, 1, 2), checkpoints=checkpoints)
    for n in (0, 1, 2, 5, 40):
        expected = plain(0.5, 1.0, 2.0, n)
        assert kept(0.5, 1.0, 2.0, n) == expected
        assert both(0.5, 1.0, 2.0, n) == (f(0.5, 1.0, 2.0, n), expected)
    assert_close(expected, fd_grad(lambda p, x, y: f(p, x, y, 40), (0.5, 1.0, 2.0), (0, 1, 2)), rtol=1e-7)


def test_a_pullback_runs_the_schedule_again():
    f = load_function(RECURRENCE, "f")
    value, pullback = srcad.vjp(f, wrt=(0, 1), checkpoints=2)(0.5, 1.0, 2.0, 30)
    expected = srcad.grad(f, wrt=(0, 1))(0.5, 1.0, 2.0, 30)
    assert value == f(0.5, 1.0, 2.0, 30)
    assert pullback(1.0) == expected
    _same(pullback(2.0), tuple(2.0 * g for g in expected))
    assert pullback(1.0) == expected


STATES = {
    # `prev` is first set inside the loop and read by the next turn
    "first_set_in_the_loop": ("""
def f(x, n):
    s = 0.0
    for i in range(n):
        if i > 0:
            s = s + prev * x
        prev = s + x * x
    return s
""", (0.7, 9)),
    # `a` held a value before the loop that the reverse sweep of `b` reads
    "overwritten_value_read_before_the_loop": ("""
import math
def f(x, n):
    a = x * x
    b = math.sin(a)
    for i in range(n):
        a = math.cos(x * i)
        b = b + a * x
    return b
""", (0.7, 6)),
    "branches_nested_loops_and_a_helper": ("""
import math
def h(u, v):
    return u * math.tanh(v)
def f(x, y, n):
    z = 0.0
    for i in range(n):
        if z > 0.5:
            z = z * 0.5
        else:
            z = z + h(x, y)
        for j in range(3):
            y = y + 0.1 * math.sin(z * j)
    return z * y
""", (0.7, 0.3, 12)),
    "two_loops_and_code_between": ("""
def f(x, n):
    s = x
    for i in range(n):
        s = s * 0.9 + x
    t = s * s
    for i in range(n):
        t = t * 0.5 + s
    return t
""", (0.7, 7)),
    # loops in branches at the top of f: checkpointed too; `z` is set in the branch before
    # the loop, `w` (read by the second loop) in the other branch
    "loops_in_branches": ("""
import math
def f(x, n, flag):
    s = 0.5 * x
    if flag > 0:
        z = x * 2.0
        for i in range(n):
            x = x + 0.01 * math.sin(s * x)
            z = z * math.cos(0.01 * x) + 0.01 * s
        w = x * z
    else:
        w = x * x
        if flag < -1:
            for i in range(n):
                x = math.sin(x) + w * 0.5
    return x + w
""", (0.7, 9, 1)),
    "an_rnn_over_arrays": ("""
import numpy as np
def f(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h * h)
""", (np.linspace(-0.5, 0.5, 9).reshape(3, 3), np.array([0.1, -0.2, 0.3]),
      np.linspace(-1.0, 1.0, 21).reshape(7, 3))),
}


@pytest.mark.parametrize("name", sorted(STATES))
@pytest.mark.parametrize("checkpoints", [1, 2, "sqrt"])
def test_loop_states(name, checkpoints):
    source, args = STATES[name]
    f = load_function(source, "f")
    expected = srcad.grad(f)(*args)
    _same(srcad.grad(f, checkpoints=checkpoints)(*args), expected)
    assert_close(expected, fd_grad(f, args, 0), rtol=1e-6)


@pytest.mark.parametrize("flag", [1, 0, -2])
@pytest.mark.parametrize("n", [0, 1, 13])
def test_loops_in_branches_take_either_branch(flag, n):
    f = load_function(STATES["loops_in_branches"][0], "f")
    args = (0.7, n, flag)
    expected = srcad.grad(f)(*args)
    for checkpoints in (1, "sqrt"):
        assert srcad.grad(f, checkpoints=checkpoints)(*args) == expected
    assert "_revolve_2.reverse()" in srcad.source(f, of="grad", checkpoints=2)  # both loops
    assert_close(expected, fd_grad(f, args, 0), rtol=1e-6)


def test_the_generated_code_shows_the_schedule():
    f = load_function(RECURRENCE, "f")
    text = srcad.source(f, wrt=(0, 1, 2), of="grad", checkpoints="sqrt")
    assert "_revolve = _rt.Revolve(len(t1), 'sqrt')" in text
    assert "at most sqrt(n) copies of the loop's state (x, y) at a time" in text
    assert "_tape.append((y, x, t8))" in text  # the stretches save as the plain loop does
    assert "_revolve" not in srcad.source(f, wrt=(0, 1, 2), of="grad")


# ---------------------------------------------------------------- the corpus, random programs

def _control_cases():
    from oracle.corpus_control import CASES
    import inspect
    return [c for c in CASES if "for " in inspect.getsource(c.function)]


@pytest.mark.parametrize("case", _control_cases(), ids=lambda c: c.name)
def test_the_control_corpus(case):
    f = case.function
    expected = srcad.grad(f, wrt=case.wrt)(*case.args)
    try:
        got = srcad.grad(f, wrt=case.wrt, checkpoints=2)(*case.args)
    except srcad.SrcadError as error:
        assert "cannot checkpoint a loop" in str(error)
        return
    _same(got, expected)


@pytest.mark.parametrize("seed", range(0, 200, 7))
def test_random_loop_programs(seed):
    from fuzz import check, generate
    program = generate.program(seed)
    if "for " not in program.source:
        pytest.skip("no loop")
    module = check.load(program.source, _fuzz_directory())
    try:
        wrt = program.wrt[0] if len(program.wrt) == 1 else program.wrt
        args = check.copied(program.args)
        try:
            expected = srcad.grad(module.f, wrt=wrt)(*args)
        except Exception:  # noqa: BLE001 - what the fuzzer itself judges (refusals, overflows)
            pytest.skip("the plain gradient does not run here")
        try:
            got = srcad.grad(module.f, wrt=wrt, checkpoints=2)(*check.copied(program.args))
        except srcad.SrcadError as error:
            assert "cannot checkpoint a loop" in str(error)
            return
        assert_close(got, expected, rtol=1e-12, atol=1e-300)
    finally:
        check.unload(module)


@functools.lru_cache(maxsize=None)
def _fuzz_directory():
    return tempfile.mkdtemp(prefix="srcad_checkpoints_")
