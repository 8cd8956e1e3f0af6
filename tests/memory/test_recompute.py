"""Store less by default: a straight-line loop turn saves the values its reverse reads that cost
more to compute again than to push and pop (calls, divisions, arrays), and computes the cheap
ones (float + - *, copies) again in the reverse sweep, from the values it pops, the values
the turn ended with, and variables set once outside any loop."""
import tracemalloc

import pytest

import srcad
from helpers import assert_close, fd_grad, load_function
from test_checkpoints import RECURRENCE


def test_the_recurrence_saves_the_two_carried_floats_and_one_cosine():
    f = load_function(RECURRENCE, "f")
    text = srcad.source(f, wrt=(0, 1, 2), of="grad")
    assert "_tape.append((y, x, t8))" in text  # t8 = math.cos(t7): a call, stored
    backward = text.split("# reverse sweep")[1]
    # t7 = 0.01 * t6 and t6 = x + t5 is what x holds when the reversed turn starts
    assert "# computed again from the values the turn ended with" in backward
    assert "t7 = 0.01 * x" in backward.split("_tape.pop()")[0]
    assert "# computed again: cheaper than saving them" in backward
    assert "t2 = p * x" in backward and "t3 = t2 * y" in backward
    args = (0.5, 1.0, 2.0, 50)
    assert_close(srcad.grad(f, wrt=(0, 1, 2))(*args), fd_grad(lambda p, x, y: f(p, x, y, 50), args[:3],
                                                                (0, 1, 2)), rtol=1e-7)


def test_the_recurrence_keeps_under_160_bytes_a_turn():
    f = load_function(RECURRENCE, "f")
    df = srcad.grad(f, wrt=(0, 1, 2))
    df(0.5, 1.0, 2.0, 10)
    turns = 20000
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        df(0.5, 1.0, 2.0, turns)
        added = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert added / turns <= 160, added / turns  # a tuple of three floats, and its slot in the list


CASES = {
    # a copy target that is set from a cheap value, and a value used by the next statement
    "chains": ("""
def f(x, y, n):
    for i in range(n):
        a = x * y
        b = a + x
        x = b * 0.5
        y = y - a * 0.1
    return x * y
""", (0.7, 0.4, 8)),
    # a value read backwards that the turn's end values make: t7 = 0.05 * t6, t6 being u's
    "end_values": ("""
import math
def f(u, v, k, n):
    for i in range(n):
        w = u * v - k
        u = u + 0.05 * math.tanh(w)
        v = v - 0.05 * u * math.exp(-0.1 * u)
    return u + v * v
""", (0.3, 0.8, 0.2, 6)),
    # a loop inside a loop, and an invariant set before the loop (c)
    "nested": ("""
import math
def f(x, n):
    c = x * 0.5
    s = x
    for i in range(n):
        for j in range(3):
            t = s * c
            s = math.sin(t) + s * 0.5
    return s
""", (0.9, 4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_loops_against_differences(name):
    source, args = CASES[name]
    f = load_function(source, "f")
    wrt = tuple(i for i, a in enumerate(args) if isinstance(a, float))
    got = srcad.grad(f, wrt=wrt)(*args)
    assert_close(got, fd_grad(f, args, wrt), rtol=1e-7)
    assert srcad.grad(f, wrt=wrt, checkpoints=2)(*args) == got
    if name != "chains":  # (chains reads nothing but x and y backwards)
        assert "computed again" in srcad.source(f, wrt=wrt, of="grad")
