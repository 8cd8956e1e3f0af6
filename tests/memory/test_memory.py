"""Memory of a gradient with and without checkpointing, measured with tracemalloc as ratios
(the peak the gradient adds over what its arguments hold), on the recurrence of issue 16
and an RNN-like loop over arrays. Small sizes: the ratios are those of the large runs
benchmarks/memory.py makes, since the stored values grow with the turns and the snapshots
with their square root."""
import tracemalloc

import numpy as np
import pytest

import srcad
from helpers import load_function
from test_checkpoints import RECURRENCE

RNN = """
import numpy as np
def f(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)
"""


def peak(fn, *args):
    """The most memory `fn(*args)` held at once beyond what was held before, in bytes."""
    fn(*args)  # compiled, and caches warm, before measuring
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_the_recurrence_keeps_a_square_root_of_its_turns():
    f = load_function(RECURRENCE, "f")
    args = (0.5, 1.0, 2.0, 20000)
    plain = peak(srcad.grad(f, wrt=(0, 1, 2)), *args)
    kept = peak(srcad.grad(f, wrt=(0, 1, 2), checkpoints="sqrt"), *args)
    ten = peak(srcad.grad(f, wrt=(0, 1, 2), checkpoints=10), *args)
    assert plain > 20000 * 100  # a tuple of floats a turn
    assert kept < plain / 20 and ten < plain / 100, (plain, kept, ten)


@pytest.mark.parametrize("checkpoints", ["sqrt"])
def test_an_rnn_over_arrays_keeps_a_twentieth(checkpoints):
    f = load_function(RNN, "f")
    rng = np.random.default_rng(0)
    size, steps = 50, 4000
    args = (rng.normal(size=(size, size)) / size, np.zeros(size), rng.normal(size=(steps, size)))
    plain = peak(srcad.grad(f), *args)
    kept = peak(srcad.grad(f, checkpoints=checkpoints), *args)
    assert kept < plain / 20, (plain, kept)
    np.testing.assert_allclose(srcad.grad(f, checkpoints=checkpoints)(*args), srcad.grad(f)(*args),
                               rtol=1e-12, atol=1e-15)


def test_an_rnn_under_sqrt_holds_little_more_than_its_gradient():
    """The gradient specialised on shapes sums a stretch's outer products into the gradient of
    W a block of rows at a time, with no temporary of W's size (test_checkpointed_arrays.py)."""
    f = load_function(RNN, "f")
    rng = np.random.default_rng(0)
    size, steps = 600, 400
    args = (rng.normal(size=(size, size)) / size, np.zeros(size), rng.normal(size=(steps, size)))
    plain = peak(srcad.grad(f), *args)
    kept = peak(srcad.grad(f, checkpoints="sqrt"), *args)
    gradient = args[0].nbytes
    # about 1.5: the gradient, a block of 2**16 elements, 20 turns' vectors (a temporary of
    # the gradient's size, as np.outer makes, would make it 2.2)
    assert kept < 1.75 * gradient, (kept, gradient)
    assert kept < plain / 2, (plain, kept)  # about 1/2.5 (1/1.7 with that temporary)
