"""Derivatives specialised on the shapes of their array arguments (srcad/shaped.py,
srcad/optimize/shapes.py, loops.py): they equal finite differences and the general derivative
(compiled for the argument kinds alone, whose helpers check shapes as it runs), on random
shapes with broadcasting, size-1 axes, 0-d arrays and Python numbers; a function called with
other shapes gets a derivative of its own, and past the limit the general one."""
import os

import gast
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function
from srcad import shaped
from srcad.gastutil import to_source
from srcad.optimize import loop_sums
from srcad.dispatch import Target

# the RNN with a per-step readout, as docs/how-it-works.md shows its gradient
with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "model.py"), encoding="utf-8") as _file:
    RNN = _file.read()


def rnn_args(rng, steps=6, hidden=4, n_in=3):
    return (rng.standard_normal((hidden, n_in)) * 0.5, rng.standard_normal((hidden, hidden)) * 0.5,
            rng.standard_normal(hidden) * 0.1, rng.standard_normal(hidden), rng.standard_normal((steps, n_in)),
            rng.standard_normal(steps), rng.standard_normal(hidden) * 0.1)


def general(f, wrt, args):
    """The derivative compiled for the argument kinds alone (no shapes), called on `args`."""
    target = Target(f, wrt, "grad")
    return target.compiled(target.kinds(args, {}), variant="grad").bind(f)(*args)


def check(f, wrt, args):
    """srcad.grad (specialised on the shapes of `args`) against the general derivative and
    finite differences; returns the gradient."""
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    got = srcad.grad(f, wrt)(*args)
    plain = general(f, tuple(f.__code__.co_varnames[i] for i in positions) if isinstance(wrt, tuple)
                    else f.__code__.co_varnames[wrt], args)
    expected = fd_grad(f, args, wrt)
    for a, b, c in zip(*(x if isinstance(wrt, tuple) else (x,) for x in (got, plain, expected))):
        assert np.shape(a) == np.shape(c) and type(a) is type(b)
        assert_close(a, b, rtol=1e-12, atol=1e-14)
        assert_close(a, c)
    return got


def test_rnn_gradient_reads_like_a_hand_written_adjoint():
    rnn = load_function(RNN, "rnn")
    args = rnn_args(np.random.default_rng(0))
    text = srcad.source(rnn, wrt=(0, 1, 2, 3), args=args, of="grad")
    for helper in ("_rt.unbroadcast", "_rt.matmul_left", "_rt.matmul_right", "_rt.zeros_as", "_rt.add("):
        assert helper not in text
    assert "bWh = bt8_rows.T @ h_rows" in text and "np.zeros" not in text  # summed after the loop
    assert "bloss = 0.0" not in text  # the loss's adjoint is not passed through each turn
    assert "t12, t9 = _tape.pop()" in text  # two values a turn, not ten
    # h and xs[t] are read for the sums after the loop only: the forward loop keeps their rows
    forward, reverse = text.split("# reverse sweep")
    assert "hs.append(h)" in forward and "hs.reverse()" in forward and "hs.append" not in reverse
    assert "t4s" not in text and "t4_rows = xs[:t2][::-1]" in text  # xs[t]'s rows: a view of xs
    assert "bh = bt8 @ Wh" in reverse  # no transposed view made a turn
    general_text = srcad.source(rnn, wrt=(0, 1, 2, 3), args=args, of="vjp")
    assert "_rt.unbroadcast" in general_text  # the vjp srcad transforms again is not specialised
    check(rnn, (0, 1, 2, 3, 6), args)


@pytest.mark.parametrize("sizes", [(6, 4, 3), (1, 1, 1), (3, 5, 1)])
def test_rnn_at_other_sizes(sizes):
    rnn = load_function(RNN, "rnn")
    check(rnn, (0, 1, 2, 3, 6), rnn_args(np.random.default_rng(sum(sizes)), *sizes))


# loop bodies meeting broadcasting, reductions and products: (source, shapes of x, y)
PROGRAMS = [
    ("acc = acc + np.sum(np.sin(x * y) * w)", [(3, 1), (1, 4)]),
    ("acc = acc + np.sum((x - y) ** 2) * w", [(3, 4), (4,)]),
    ("acc = acc + np.sum(x / (1.0 + y * y)) + w * w", [(2, 3), ()]),
    ("acc = acc + np.sum(np.tanh(x @ y))", [(3, 2), (2,)]),
    ("acc = acc + (x @ y) * w", [(4,), (4,)]),
    ("acc = acc + np.sum(x @ y) * w", [(2, 3), (3, 2)]),
    ("acc = acc + np.sum(y @ x)", [(3, 4), (3,)]),
    ("acc = acc + np.sum(np.exp(x) * y + w)", [(1, 1), (2, 1)]),
    ("acc = acc + np.sum(x * y) * w", [(), ()]),
    ("acc = acc + np.sum(x + y + w)", [(5,), (1,)]),
]


@pytest.mark.parametrize("body, shapes", PROGRAMS)
def test_specialised_equals_general_and_finite_differences(body, shapes):
    f = load_function(f"""
import numpy as np

def f(x, y, w, n):
    acc = 0.0
    for i in range(n):
        {body}
        x = x * 0.9
    return acc
""", "f")
    rng = np.random.default_rng(len(body))
    x, y = (rng.uniform(0.5, 1.5, s) for s in shapes)
    for n in (3, 1, 0):  # sums taken after the loop: of one turn, of none
        check(f, (0, 1, 2), (x, y, 0.7, n))


def test_numbers_and_zero_dimensional_arrays_keep_their_kinds():
    f = load_function("""
import numpy as np

def f(x, y, s):
    acc = 0.0
    for i in range(3):
        acc = acc + x * s + np.sum(y) * s
    return acc
""", "f")
    got = check(f, (0, 1, 2), (np.array(1.5), np.ones((2, 1)), 0.5))
    assert type(got[0]) is np.ndarray and got[0].shape == () and type(got[2]) is float


def test_each_shape_gets_its_own_derivative_and_past_the_limit_the_general_one():
    rnn = load_function(RNN, "rnn")
    gradient = srcad.grad(rnn, wrt=(0, 1, 2, 3))
    rng = np.random.default_rng(3)
    sizes = [(6, 4, 3), (5, 2, 3), (6, 4, 2), (2, 3, 3), (4, 4, 4), (3, 1, 2), (6, 4, 3)]
    for steps, hidden, n_in in sizes:  # more than shaped.LIMIT shapes, then the first again
        args = rnn_args(rng, steps, hidden, n_in)
        for a, b in zip(gradient(*args), fd_grad(rnn, args, (0, 1, 2, 3))):
            assert_close(a, b)
    assert len(sizes) - 1 > shaped.LIMIT


def test_in_place_accumulation_leaves_the_callers_arrays_alone():
    f = load_function("""
import numpy as np

def f(W, c, n):
    s = 0.0
    for i in range(n):
        s = s + np.sum(W * c)
        W = W + c
    return s
""", "f")
    W, c = np.ones((2, 3)), np.full((2, 3), 2.0)
    W0, c0 = W.copy(), c.copy()
    text = srcad.source(f, wrt=(0, 1), args=(W, c, 3), of="grad")
    got = check(f, (0, 1), (W, c, 3))
    assert np.array_equal(W, W0) and np.array_equal(c, c0)
    assert not any(np.shares_memory(g, a) for g in got for a in (W, c))
    assert not np.shares_memory(got[0], got[1])
    assert "+=" in text


def test_float32_arrays_are_not_accumulated_in_place():
    rnn = load_function(RNN, "rnn")
    args = tuple(a.astype(np.float32) for a in rnn_args(np.random.default_rng(5)))
    text = srcad.source(rnn, wrt=(0, 1, 2, 3), args=args, of="grad")
    assert "+=" not in text and "_rt.unbroadcast" not in text
    got = srcad.grad(rnn, wrt=(0, 1, 2, 3))(*args)
    plain = general(rnn, ("Wx", "Wh", "b", "v"), args)
    for a, b in zip(got, plain):
        assert a.dtype == np.float32 and np.array_equal(a, b)


def test_other_array_types_run_the_general_derivative():
    class Sub(np.ndarray):
        pass
    rnn = load_function(RNN, "rnn")
    args = rnn_args(np.random.default_rng(6))
    args = (args[0].view(Sub),) + args[1:]
    kinds = Target(rnn, (0,), "grad").kinds(args, {})
    assert shaped.shapes_of(Target(rnn, (0,), "grad"), kinds, args) is None
    assert_close(srcad.grad(rnn, 0)(*args), fd_grad(rnn, args, 0))


def test_value_and_grad_and_branches_in_the_loop():
    f = load_function("""
import numpy as np

def f(W, x, n):
    h = x
    total = 0.0
    for i in range(n):
        h = np.tanh(W @ h)
        if i % 2 == 0:
            total = total + np.sum(h * x)
        else:
            total = total - h @ h
    return total
""", "f")
    rng = np.random.default_rng(7)
    args = (rng.standard_normal((3, 3)) * 0.5, rng.standard_normal(3), 4)
    check(f, (0, 1), args)
    value, gradient = srcad.value_and_grad(f, (0, 1))(*args)
    assert value == f(*args)
    for a, b in zip(gradient, fd_grad(f, args, (0, 1))):
        assert_close(a, b)


def test_straight_line_reductions_and_uniform_cotangents():
    f = load_function("""
import numpy as np

def f(w, X, y, lam):
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z)) + lam * np.sum(w * w) + np.mean(X * w)
""", "f")
    rng = np.random.default_rng(8)
    args = (rng.standard_normal(3), rng.standard_normal((7, 3)), np.sign(rng.standard_normal(7)), 0.1)
    text = srcad.source(f, wrt=0, args=args, of="grad")
    assert "reduced_size" not in text and "/ 7" in text  # the mean's count is known
    check(f, (0, 1), args)


# recurrences whose gradients accumulate outer products, rows and weighted rows in the loop
# (summed after it when specialised): a state update, then readouts
UPDATES = ["h = np.tanh(A @ h + B @ xs[t] + c)", "h = np.sin(A @ h) * c + B @ xs[t]",
           "h = A @ h * 0.5 + c", "h = np.tanh(A @ h) + xs[t] @ B.T"]
READOUTS = ["acc = acc + v @ h", "acc = acc + np.sum(h * h) * 0.1", "acc = acc + (v @ h - 1.0) ** 2",
            "acc = acc + np.sum(np.exp(h * 0.3) * v)"]


def recurrence(seed):
    """A random recurrence and arguments: (f, args)."""
    rng = np.random.default_rng(seed)
    # two readouts overwrite acc mid-turn: each value is then saved where it dies, pushed before
    # it is first set (None), which the inference takes for anything (the general code)
    lines = [UPDATES[rng.integers(len(UPDATES))]] + \
        [READOUTS[i] for i in rng.choice(len(READOUTS), 1 + (seed % 4 == 3), replace=False)]
    if seed % 8 == 5:
        lines.insert(1, "h = h + c * 0.1")
    f = load_function("import numpy as np\n\ndef f(A, B, c, v, xs, h0, n):\n    h = h0\n    acc = 0.0\n"
                      "    for t in range(n):\n" + "".join(f"        {line}\n" for line in lines) +
                      "    return acc\n", "f")
    hidden, n_in = (int(k) for k in rng.integers(1, 5, 2))
    n = int(rng.choice([0, 1, 3]))
    args = (rng.standard_normal((hidden, hidden)) * 0.4, rng.standard_normal((hidden, n_in)) * 0.4,
            rng.standard_normal(hidden) * 0.3, rng.standard_normal(hidden), rng.standard_normal((max(n, 1), n_in)),
            rng.standard_normal(hidden) * 0.3, n)
    return f, args


@pytest.mark.parametrize("seed", range(16))
def test_random_recurrences(seed):
    f, args = recurrence(seed)
    check(f, (0, 1, 2, 3, 5), args)


def test_random_recurrences_reach_the_loop_passes():
    texts = [srcad.source(f, wrt=(0, 1, 2, 3, 5), args=args, of="grad")
             for f, args in map(recurrence, range(16))]
    counts = [sum(part in t for t in texts) for part in ("_rows.T @ ", "_rows, axis=0)", "_rows @ ")]
    assert counts[0] >= 8 and counts[1] >= 4 and counts[2] >= 1, counts


def test_augmented_assignment_keeps_a_zero_dimensional_array_an_array():
    f = load_function("""
import numpy as np

def f(x, s):
    a = x * 1.0
    a += s
    return np.sum(a * x)
""", "f")
    check(f, (0, 1), (np.array(1.5), 0.5))


def test_an_adjoint_added_to_that_may_be_a_number_or_an_array():
    f = load_function("""
import numpy as np

def f(x, s):
    acc = s
    for i in range(2):
        acc = acc * 0.5 + acc + np.sum(x * acc)
    return acc
""", "f")
    check(f, (0, 1), (np.linspace(0.1, 0.3, 3), 0.5))


# loops whose sums after the loop take rows the forward loop keeps (loop_sums.rows_from_forward)
ROWS_FROM_FORWARD = {
    "two loops": """
def f(W, v, xs, h0, n):
    h = h0
    loss = 0.0
    for t in range(n):
        h = np.tanh(W @ h + xs[t])
        loss = loss + v @ h
    for t in range(n):
        h = np.tanh(W @ h)
        loss = loss + np.sum(h * h * v)
    return loss
""",
    "a branch": """
def f(W, v, xs, h0, n):
    h = h0
    loss = 0.0
    for t in range(n):
        if t % 2 == 0:
            h = np.tanh(W @ h + xs[t])
        else:
            h = np.sin(W @ h) + xs[t]
        loss = loss + v @ h
    return loss
""",
    "a break": """
def f(W, v, xs, h0, n):
    h = h0
    loss = 0.0
    for t in range(n):
        h = np.tanh(W @ h + xs[t])
        loss = loss + v @ h
        if loss > 1.5:
            break
    return loss
""",
    "the popped value read again": """
def f(W, v, xs, h0, n):
    h = h0
    loss = 0.0
    for t in range(n):
        g = W @ h
        h = np.tanh(g + xs[t])
        loss = loss + v @ h + np.sum(g * g)
    return loss
""",
}


@pytest.mark.parametrize("name", ROWS_FROM_FORWARD)
def test_rows_kept_by_the_forward_loop(name):
    f = load_function("import numpy as np\n" + ROWS_FROM_FORWARD[name], "f")
    rng = np.random.default_rng(7)
    W, v, xs, h = rng.standard_normal((3, 3)) * 0.6, rng.standard_normal(3), rng.standard_normal((5, 3)), \
        rng.standard_normal(3) * 0.2
    for n in (5, 2, 1, 0):
        check(f, (0, 1, 3), (W, v, xs, h, n))
        check(f, (0, 1, 2, 3), (W, v, xs, h, n))   # xs's rows added into in the loop: no sums after it
    text = srcad.source(f, wrt=(0, 1, 3), args=(W, v, xs, h, 5), of="grad")
    forward = text.split("# reverse sweep")[0]
    if name == "two loops":   # the first loop's (the second's h is read by the first's reverse sweep)
        assert forward.count(".reverse()") == 1, text


# xs[t]'s rows for the sums after the loop: a view of xs (loop_sums.rows_as_slices), not a list
INPUT_ROWS = """
import numpy as np
def f(W, U, xs, h0, n):
    {before}
    h = h0
    loss = 0.0
    for t in range(n):
        h = np.tanh(W @ h + U @ xs[t])
        loss = loss + np.sum(h * h)
    return loss
"""


@pytest.mark.parametrize("before, viewed", [("pass", True), ("xs = xs * 0.5", False)])
def test_rows_of_an_argument_read_by_the_loop_are_a_view(before, viewed):
    f = load_function(INPUT_ROWS.format(before=before), "f")
    rng = np.random.default_rng(3)
    W, U, xs, h = rng.standard_normal((3, 3)) * 0.6, rng.standard_normal((3, 2)), rng.standard_normal((5, 2)), \
        rng.standard_normal(3) * 0.2
    for n in (5, 3, 1, 0):  # the loop reads all of xs, its first rows, none
        check(f, (0, 1, 3), (W, U, xs, h, n))
    text = srcad.source(f, wrt=(0, 1), args=(W, U, xs, h, 5), of="grad")
    assert ("= xs[:n][::-1]" in text) == viewed, text
    assert "np.asarray" not in text


def _rows_moved(text):
    """The derivative `text` after loop_sums.rows_from_forward, as text."""
    tree = gast.parse(text).body[0]
    loop_sums.rows_from_forward(tree)
    return to_source(tree)


REVERSE_LOOP = """
def f_grad(W, xs):
    _tape = []
    h = xs[0]
    for t in range(3):
        _tape.append((h, t))
        h = W @ h
    hs = []
    for t in reversed(range(3)):
        {first}
        {second}
    return np.reshape(hs, (-1, 2))
"""


def test_rows_move_to_the_forward_loop_only_from_after_the_pop():
    popped_first = _rows_moved(REVERSE_LOOP.format(first="h, t = _tape.pop()", second="hs.append(h)"))
    forward = popped_first.split("reversed")[0]
    assert "hs.append(h)" in forward and "hs.reverse()" in forward
    # appended before this turn's pop: the value popped a turn earlier, not the one pushed
    appended_first = _rows_moved(REVERSE_LOOP.format(first="hs.append(h)", second="h, t = _tape.pop()"))
    assert "hs.append(h)" not in appended_first.split("reversed")[0]
