"""What an argument in `wrt` may hold: numbers, arrays, and containers of them (pytrees, see
tests/pytrees), their gradients of the same type.

A value with no number to differentiate (a string, None, a bool, a container of such) is
refused with a SrcadError at f's `def` line naming the argument and what it holds, before
anything runs; containers passed as arguments not in `wrt` keep working.
"""
import types

import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_grad, load_function

MODULE = '''
import numpy as np


def product_of_entries(d):
    return d["a"] * d["b"]


def scaled(x, d):
    return x * d["a"] + d["b"] * x * x


def by_attribute(x, p):
    return x * p.a


def first_times_second(v):
    return v[0] * v[1]


def sum_of_squares(v):
    s = 0.0
    for a in v:
        s = s + np.sum(a * a)
    return s


def twice(x):
    return np.sum(x * 2.0)
'''


@pytest.fixture(scope="module")
def module():
    return load_function(MODULE, "scaled").__globals__


class Params:
    a = 3.0


REFUSED = [
    ("product_of_entries", {"a": "x", "b": None}, "no number"),
    ("first_times_second", (True, False), "no number"),
    ("twice", "ab", "a str"),
    ("twice", None, "None"),
    ("twice", True, "a bool"),
    ("twice", np.array([True, False]), "dtype bool"),
    ("twice", np.array(["a", "b"]), "dtype <U1"),
    ("twice", np.array([1.0, None], dtype=object), "dtype object"),
]


@pytest.mark.parametrize("name, value, what", REFUSED, ids=[f"{n}-{w}" for n, _, w in REFUSED])
@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "vjp", "jvp", "hessian"])
def test_a_wrt_argument_without_numbers_is_refused_at_the_def_line(module, name, value, what, transform):
    f = module[name]
    wrt = 1 if name == "by_attribute" else 0
    args = (2.0, value) if wrt else (value,)
    call = {"jvp": lambda: srcad.jvp(f, wrt=wrt)(*args, 1.0)}.get(
        transform, lambda: getattr(srcad, transform)(f, wrt=wrt)(*args))
    with pytest.raises(srcad.SrcadError) as info:
        call()
    assert_cites(info.value, f, f"def {name}(")
    message = str(info.value)
    assert f"with respect to {'p' if wrt else list(f.__code__.co_varnames)[0]}" in message
    assert what in message
    assert "Pass" in message or "pass" in message
    check_srcad_still_works(module)


def check_srcad_still_works(module):
    assert srcad.grad(module["scaled"])(1.5, {"a": 3.0, "b": 2.0}) == pytest.approx(3.0 + 4.0 * 1.5)


def test_a_dict_argument_has_a_dict_gradient(module):
    assert srcad.grad(module["product_of_entries"])({"a": 2.0, "b": 3.0}) == {"a": 3.0, "b": 2.0}


def test_an_object_used_whole_is_refused_at_its_line(module):
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(module["twice"])(types.SimpleNamespace(a=1.0))
    assert_cites(info.value, module["twice"], "return np.sum(x * 2.0)")
    assert "SimpleNamespace as a whole" in str(info.value)


@pytest.mark.parametrize("value", [{"a": 3.0, "b": 2.0}, types.SimpleNamespace(a=3.0)], ids=["dict", "object"])
def test_containers_not_in_wrt_are_constants(module, value):
    f = module["scaled"] if isinstance(value, dict) else module["by_attribute"]
    args = (1.5, value)
    assert_close(srcad.grad(f)(*args), fd_grad(f, args))
    assert_close(srcad.value_and_grad(f)(*args)[1], fd_grad(f, args))
    assert srcad.jvp(f)(*args, 1.0)[1] == pytest.approx(fd_grad(f, args), rel=1e-9)
    assert srcad.hessian(f)(*args) == pytest.approx(2.0 * value["b"] if isinstance(value, dict) else 0.0)


@pytest.mark.parametrize("value", [[2.0, 3.0], (2.0, 3.0), [2, 3], [np.float64(2.0), np.array(3.0)],
                                   [np.array([1.0, 2.0]), np.array([3.0, 4.0])], [np.ones(2), np.ones(3)]],
                         ids=["list", "tuple", "ints", "numpy scalars", "arrays", "arrays of two shapes"])
def test_lists_and_tuples_have_gradients_of_their_type(module, value):
    f = module["sum_of_squares"]
    grad = srcad.grad(f)(value)
    assert type(grad) is type(value) and len(grad) == len(value)
    for g, v in zip(grad, value):
        np.testing.assert_allclose(g, 2.0 * np.asarray(v, dtype=float), rtol=1e-12)
    if len(value) == 2 and np.ndim(value[0]) == 0:
        g = module["first_times_second"]
        assert [float(d) for d in srcad.grad(g)(value)] == [float(value[1]), float(value[0])]


def test_a_bool_in_a_tuple_gets_no_gradient(module):
    assert srcad.grad(module["first_times_second"])((True, 2.0)) == (None, 1.0)


def test_what_a_list_holds_is_checked_on_every_call(module):
    df = srcad.grad(module["first_times_second"])
    assert df([2.0, 3.0]) == [3.0, 2.0]
    with pytest.raises(srcad.SrcadError, match="use of a dict as a whole"):
        df([{"a": 1.0}, 2.0])
    assert df([4.0, 5.0]) == [5.0, 4.0]
