"""The idioms corpora (corpus.py, corpus_lists.py, corpus_walk.py) against finite differences, in reverse and
forward mode, and against the tape."""
import re

import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, fd_directional, fd_grad, load_function

from . import corpus, corpus_lists, corpus_walk

CORPORA = (corpus, corpus_lists, corpus_walk)
WRITERS = corpus.WRITERS + corpus_walk.WRITERS
CASES = [case for c in CORPORA for case in c.CASES]
IDS = [c[0] for c in CASES]
SOURCES = {name: c.SOURCE for c in CORPORA for name, _, _ in c.CASES + getattr(c, "WRITERS", [])}


@pytest.fixture(scope="module")
def module_functions():
    return {name: load_function(source, name) for name, source in SOURCES.items()}


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


# What the tape cannot record (srcad.grad differentiates all of it), by words of its refusal
TAPE_REFUSES = {
    "genexp_sum_start": "math function",
    "genexp_max_of_list": "math function",
    "dictcomp_over_pairs": "math function",
    "listcomp_to_array": "plain numpy array (np.array",
    "copy_of_global_slice": "stored into a plain numpy array",
    "outer_product_to_array": "plain numpy array (np.array",
    "rows_of_arrays": "plain numpy array (np.array",
    "rows_matrix_product": "plain numpy array (np.array",
    "rows_read_in_loops": "math function",
    "squares_by_comprehension": "math function",
    "zeros_like_then_written": "math function",
    "copy_then_write": "assignment into a traced array",
    "slice_of_an_array_built_in_a_loop": "stored into a plain numpy array",
    **{name: "assignment into a traced array" for name in (
        "writes_into_argument", "writes_into_argument_in_branch", "writes_into_argument_in_loop",
        "writes_into_argument_augmented", "writes_into_matrix_argument", "copies_then_writes",
        "comprehension_writes_argument", "writes_argument_then_comprehension", "writes_argument_rows")},
}
TAPED = [c for c in CASES if c[0] not in TAPE_REFUSES]
REFUSED_BY_THE_TAPE = [c for c in CASES if c[0] in TAPE_REFUSES]


@pytest.mark.parametrize("name, args, wrt", TAPED, ids=[c[0] for c in TAPED])
def test_tape_agrees(name, args, wrt, module_functions):
    f = module_functions[name]
    taped = srcad.tape.grad(f, wrt=wrt)(*_fresh(args))
    assert_close(srcad.grad(f, wrt=wrt)(*args), taped, rtol=1e-10)


@pytest.mark.parametrize("name, args, wrt", REFUSED_BY_THE_TAPE, ids=[c[0] for c in REFUSED_BY_THE_TAPE])
def test_tape_refuses_at_the_users_line(name, args, wrt, module_functions):
    f = module_functions[name]
    with pytest.raises(srcad.SrcadError, match=re.escape(TAPE_REFUSES[name])) as refused:
        srcad.tape.grad(f, wrt=wrt)(*_fresh(args))
    assert refused.value.filename == f.__code__.co_filename
    assert refused.value.lineno > f.__code__.co_firstlineno


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
