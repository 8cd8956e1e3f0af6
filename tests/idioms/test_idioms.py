"""The idioms corpus (corpus.py) against finite differences, in reverse and forward mode, and
against the tape."""
import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, fd_directional, fd_grad, load_function

from .corpus import CASES, SOURCE

IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def module_functions():
    return {name: load_function(SOURCE, name) for name, _, _ in CASES}


def _positions(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_grad_against_differences(name, args, wrt, module_functions):
    f = module_functions[name]
    expected = fd_grad(f, args, wrt)
    value, actual = srcad.value_and_grad(f, wrt=wrt)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(actual, expected, rtol=1e-6)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_jvp_against_differences(name, args, wrt, module_functions, rng):
    f = module_functions[name]
    positions = _positions(wrt)
    directions = [rng.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray)
                  else float(rng.standard_normal()) for p in positions]
    expected = fd_directional(f, args, positions, directions)
    value, tangent = srcad.jvp(f, wrt=wrt)(*args, *directions)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_tape_agrees(name, args, wrt, module_functions):
    f = module_functions[name]
    try:
        taped = srcad.tape.grad(f, wrt=wrt)(*args)
    except srcad.SrcadError:
        pytest.skip("the tape does not record this function")
    assert_close(srcad.grad(f, wrt=wrt)(*args), taped, rtol=1e-10)


def test_the_generated_code_shows_the_loop(module_functions):
    text = srcad.source(module_functions["genexp_sum"], args=(np.ones(3),))
    assert "for v in x:" in text
    assert "for " in text.split("reverse sweep")[1]
