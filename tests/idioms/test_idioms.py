"""The idioms corpus (corpus.py) against finite differences, in reverse and forward mode, and
against the tape."""
import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, fd_directional, fd_grad, load_function

from .corpus import CASES, SOURCE, WRITERS

IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def module_functions():
    return {name: load_function(SOURCE, name) for name, _, _ in CASES + WRITERS}


def _fresh(args):
    """Copies of the arguments: a function that writes into its arguments gets its own."""
    return tuple(a.copy() if isinstance(a, (np.ndarray, list)) else a for a in args)


def _positions(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_grad_against_differences(name, args, wrt, module_functions):
    f = module_functions[name]
    expected = fd_grad(lambda *a: f(*_fresh(a)), args, wrt)
    value, actual = srcad.value_and_grad(f, wrt=wrt)(*args)
    assert value == pytest.approx(f(*_fresh(args)), rel=1e-12)
    assert_close(actual, expected, rtol=1e-6)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_jvp_against_differences(name, args, wrt, module_functions, rng):
    f = module_functions[name]
    positions = _positions(wrt)
    directions = [rng.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray)
                  else float(rng.standard_normal()) for p in positions]
    expected = fd_directional(lambda *a: f(*_fresh(a)), args, positions, directions)
    value, tangent = srcad.jvp(f, wrt=wrt)(*args, *directions)
    assert value == pytest.approx(f(*_fresh(args)), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name, args, wrt", CASES, ids=IDS)
def test_tape_agrees(name, args, wrt, module_functions):
    f = module_functions[name]
    try:
        taped = srcad.tape.grad(f, wrt=wrt)(*_fresh(args))
    except srcad.SrcadError:
        pytest.skip("the tape does not record this function")
    except ValueError as error:  # numpy turns the tape's refusal of a store into an array into this
        if not isinstance(error.__cause__, srcad.SrcadError):
            raise
        pytest.skip("the tape does not record stores of traced values into arrays")
    assert_close(srcad.grad(f, wrt=wrt)(*args), taped, rtol=1e-10)


def test_the_generated_code_shows_the_loop(module_functions):
    text = srcad.source(module_functions["genexp_sum"], args=(np.ones(3),))
    assert "for v in x:" in text
    assert "for " in text.split("reverse sweep")[1]


@pytest.mark.parametrize("name, args, wrt", WRITERS, ids=[c[0] for c in WRITERS])
@pytest.mark.parametrize("how", ["grad", "value_and_grad", "jvp"])
def test_the_callers_arguments_stay_as_they_were(name, args, wrt, how, module_functions):
    f = module_functions[name]
    given = _fresh(args)
    if how == "jvp":
        positions = wrt if isinstance(wrt, tuple) else (wrt,)
        srcad.jvp(f, wrt=wrt)(*given, *([1.0] * len(args[p]) if isinstance(args[p], list)
                                        else np.ones(np.shape(args[p])) for p in positions))
    else:
        getattr(srcad, how)(f, wrt=wrt)(*given)
    for before, after in zip(args, given):
        np.testing.assert_array_equal(np.asarray(after), np.asarray(before))
    # and the plain function does change them (so the check above can fail)
    changed = _fresh(args)
    f(*changed)
    assert any(not np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(args, changed))
