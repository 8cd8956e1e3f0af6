"""`srcad.checkpoint(g)`: a helper whose call keeps only its inputs in the forward sweep and runs
its forward part again in the reverse sweep. Gradients against the same function without it
(the same statements run, so the same bits), against differences, in loops and with
`checkpoints=`; the memory a chain of calls keeps; second derivatives through it."""
import tracemalloc

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

SOURCE = """
import math
import numpy as np
import srcad

def layer(x):
    return math.tanh(x) * x

def run(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return h

kept_layer = srcad.checkpoint(layer)
kept_run = srcad.checkpoint(run)

def twice(x):
    return layer(layer(x))

def kept_twice(x):
    return kept_layer(kept_layer(x))

def chain(W, h, xs):
    for k in range(4):
        h = run(W, h, xs)
    return np.sum(h * h)

def kept_chain(W, h, xs):
    for k in range(4):
        h = kept_run(W, h, xs)
    return np.sum(h * h)

def loop(p, x, n):
    for i in range(n):
        x = layer(x * p) + 0.1
    return x

def kept_loop(p, x, n):
    for i in range(n):
        x = kept_layer(x * p) + 0.1
    return x
"""


@pytest.fixture(scope="module")
def m():
    import sys
    return sys.modules[load_function(SOURCE, "twice").__module__]


def arrays(steps=5, size=4):
    rng = np.random.default_rng(1)
    return rng.normal(size=(size, size)) / size, np.full(size, 0.1), rng.normal(size=(steps, size))


def test_checkpoint_leaves_ordinary_calls_alone(m):
    assert m.kept_layer(0.5) == m.layer(0.5)
    assert m.kept_layer.__name__ == "layer" and m.kept_layer is not m.layer
    with pytest.raises(srcad.SrcadError, match="checkpoint takes a Python function"):
        srcad.checkpoint(np.sin)


def test_a_scalar_helper(m):
    assert srcad.grad(m.kept_twice)(0.5) == srcad.grad(m.twice)(0.5)
    assert_close(srcad.grad(m.kept_twice)(0.5), fd_grad(m.twice, (0.5,), 0), rtol=1e-7)
    text = srcad.source(m.kept_twice)
    forward, backward = text.split("# forward sweep")[1].split("# reverse sweep")
    assert "layer_fwd" not in forward and "layer(" in forward
    assert "# checkpoint(layer): its forward part again" in backward and "layer_fwd(_tape" in backward


def test_a_helper_with_a_loop_over_arrays(m):
    args = arrays()
    expected = srcad.grad(m.chain, wrt=(0, 1))(*args)
    got = srcad.grad(m.kept_chain, wrt=(0, 1))(*args)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    assert_close(expected[1], fd_grad(m.chain, args, 1), rtol=1e-6)


@pytest.mark.parametrize("checkpoints", [None, 2, "sqrt"])
def test_in_a_loop_and_with_checkpoints(m, checkpoints):
    expected = srcad.grad(m.loop, wrt=(0, 1))(0.9, 0.5, 20)
    assert srcad.grad(m.kept_loop, wrt=(0, 1), checkpoints=checkpoints)(0.9, 0.5, 20) == expected


def test_second_derivatives_run_through_it(m):
    assert_close(srcad.hessian(m.kept_twice)(0.5), srcad.hessian(m.twice)(0.5), rtol=1e-12)
    value, tangent = srcad.jvp(m.kept_twice)(0.5, 1.0)
    assert (value, tangent) == srcad.jvp(m.twice)(0.5, 1.0)


def peak(fn, *args):
    fn(*args)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def test_a_chain_of_calls_keeps_one_calls_values_at_a_time(m):
    args = arrays(steps=400, size=64)
    plain, kept = peak(srcad.grad(m.chain), *args), peak(srcad.grad(m.kept_chain), *args)
    assert kept < plain / 2.5, (plain, kept)
