"""Each refusal says what to write instead, and what it says is accepted: for every row of
refusal_rows.py, the refused function raises a SrcadError whose message gives the hint, and the
function rewritten as the hint says is differentiated right (against finite differences), by
the transformation that refused it. Refusals of how srcad is called (USAGE): the call made as
the hint says gives what an independent oracle gives."""
import sys

import numpy as np
import pytest

import srcad
import srcad.tape
from helpers import assert_close, fd_directional, fd_grad, load_function
from refusal_rows import NEEDS_DASK, NEEDS_NUMBA, NEEDS_SCIPY, ROWS, USAGE, USAGE_SOURCE, numba, scipy

# the refused code changed memory another name reads, or could not run at all: the rewrite is
# not the same function, it is what the hint makes of it
NOT_THE_SAME_FUNCTION = {"write_through_a_view", "helper_writing_into_its_argument", "in_place_update_of_a_view",
                         "writer_function", "library_call_changing_an_array", "loop_changing_a_containers_structure",
                         "write_into_a_dict_another_name_holds", "item_changing_structure_in_a_branch",
                         "tape_assignment_into_an_array", "write_into_what_a_row_read_before_views",
                         "async_comprehension", "operator_on_a_dict"}


def _how(name):
    return ROWS[name][4] if len(ROWS[name]) > 4 else "grad"


def refusal_of(name):
    """The SrcadError the row's refused function raises."""
    refused, _, _, args = ROWS[name][:4]
    f = load_function(refused, "f")
    try:
        if _how(name) == "jvp":
            srcad.jvp(f)(*args, *args)
        elif _how(name) == "tape":
            srcad.tape.grad(f)(*args)
        elif _how(name) == "checkpoints":
            srcad.grad(f, checkpoints=2)(*args)
        else:
            srcad.grad(f)(*args)
    except srcad.SrcadError as error:
        return error
    except TypeError as error:  # runtime refusals, which exported derivatives raise without srcad
        if str(error).startswith("srcad cannot differentiate"):
            return error
        raise
    raise AssertionError(f"{name}: not refused")


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_refusal_gives_the_hint(name):
    skip_without_what_it_needs(name)
    message = str(refusal_of(name))
    assert ROWS[name][1] in message, message


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_hint_is_accepted(name):
    skip_without_what_it_needs(name)
    refused, _, rewritten, args = ROWS[name][:4]
    after = load_function(rewritten, "f")
    if name not in NOT_THE_SAME_FUNCTION:
        before = load_function(refused, "f")
        assert after(*args) == pytest.approx(before(*args))
    if _how(name) == "jvp":
        directions = [np.linspace(0.3, -0.7, np.size(a)).reshape(np.shape(a)) if isinstance(a, np.ndarray)
                      else 0.7 for a in args]
        value, tangent = srcad.jvp(after)(*args, *directions)
        if isinstance(after(*args), dict):  # a dict output: its values in order
            tangent = list(tangent.values()) if isinstance(tangent, dict) else list(tangent)
            expected = fd_directional(lambda *a: tuple(after(*a).values()), args, [0], directions[:1])
            assert tangent == pytest.approx(list(expected), rel=1e-6, abs=1e-9)
            return
        expected = fd_directional(after, args, [0], directions[:1])
        assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)
        return
    gradient = srcad.tape.grad(after)(*args) if _how(name) == "tape" else \
        srcad.grad(after, checkpoints=2)(*args) if _how(name) == "checkpoints" else srcad.grad(after)(*args)
    if isinstance(args[0], dict):  # a dict of floats (or a tuple of them): key by key
        for key, value in args[0].items():
            moved = (lambda v: after({**args[0], key: tuple(v)}, *args[1:])) if isinstance(value, tuple) \
                else (lambda v: after({**args[0], key: v}, *args[1:]))
            expected = fd_grad(moved, (np.array(value) if isinstance(value, tuple) else value,), 0)
            assert np.array(gradient[key]) == pytest.approx(expected, rel=1e-6, abs=1e-9), key
        return
    assert_close(gradient, fd_grad(after, args, 0), rtol=1e-6)


@pytest.fixture(scope="module")
def usage_module():
    f = load_function(USAGE_SOURCE, "cube")
    return sys.modules[f.__module__]


def skip_without_what_it_needs(name):
    """Skip the row `name` where the optional library it calls (numba, scipy, dask) is missing."""
    if name in NEEDS_NUMBA and numba is None:
        pytest.skip("numba is optional")
    if name in NEEDS_SCIPY and scipy is None:
        pytest.skip("scipy is optional")
    if name in NEEDS_DASK:
        pytest.importorskip("dask.array")


@pytest.mark.parametrize("name", sorted(USAGE))
def test_the_refused_call_gives_the_hint(name, usage_module):
    skip_without_what_it_needs(name)
    refused, hint, _, _ = USAGE[name]
    with pytest.raises(srcad.SrcadError) as info:
        refused(usage_module)
    assert hint in str(info.value), str(info.value)


@pytest.mark.parametrize("name", sorted(USAGE))
def test_the_call_the_hint_gives_is_accepted(name, usage_module):
    skip_without_what_it_needs(name)
    _, _, accepted, expected = USAGE[name]
    actual, wanted = accepted(usage_module), expected(usage_module)
    if isinstance(wanted, dict):
        assert actual.keys() == wanted.keys()
        for key in wanted:
            assert actual[key] == pytest.approx(wanted[key]) if not isinstance(wanted[key], dict) \
                else {k: float(v) for k, v in actual[key].items()} == pytest.approx(wanted[key])
        return
    assert_close(actual, wanted, rtol=1e-9) if not isinstance(wanted, bool) else None
    assert actual == pytest.approx(wanted)
