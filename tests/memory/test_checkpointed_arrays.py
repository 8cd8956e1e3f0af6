"""Checkpointed loops over arrays: the gradient specialised on the arrays' shapes (what `grad`
runs) takes a stretch's outer products in one matrix product, added into a large gradient a
block of rows at a time, and keeps only what the stretch's reverse reads. Compared with the
plain gradient and a directional finite difference (the memory: test_memory.py)."""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_directional, inner, load_function
from srcad.runtime.checkpoints import add_product
from test_memory import RNN


def rnn_args(size, steps, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(size, size)) / np.sqrt(size), rng.normal(size=size), rng.normal(size=(steps, size))


def test_add_product_adds_the_product_in_place():
    rng = np.random.default_rng(1)
    b, p, q = rng.normal(size=(300, 400)), rng.normal(size=(300, 7)), rng.normal(size=(7, 400))
    expected = b + p @ q
    held = b
    add_product(b, p, q)  # 300 x 400 elements: blocks of 163 rows
    assert b is held
    assert_close(b, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("checkpoints", [1, 3, "sqrt"])
@pytest.mark.parametrize("size", [20, 300])  # 300 x 300 takes the products in blocks
def test_an_rnn_agrees_with_the_plain_gradient(size, checkpoints):
    f = load_function(RNN, "f")
    args = rnn_args(size, 30)
    plain = srcad.grad(f)(*args)
    df = srcad.grad(f, checkpoints=checkpoints)
    assert_close(df(*args), plain, rtol=1e-12, atol=1e-13)
    assert_close(df(*args), plain, rtol=1e-12, atol=1e-13)  # the compiled one again
    direction = np.random.default_rng(2).normal(size=args[0].shape)
    assert_close(inner(plain, direction), fd_directional(f, args, [0], [direction]), rtol=1e-6)


def test_the_stretches_take_one_product_and_save_no_shape_only_value():
    f = load_function(RNN, "f")
    text = srcad.source(f, args=rnn_args(300, 4), of="grad", checkpoints="sqrt")
    assert "np.outer" not in text and "matmul_left" not in text
    assert text.count("_rt.add_product(bW, ") == 2  # the last stretch, and each other one
    assert "_tape.append((h, t7))" in text  # not W @ h, whose shape only the reverse read
