"""Custom derivatives: defvjp, @primitive with .defvjp, on user and library functions."""
import math

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

MODULE = '''
import math
import numpy as np
import srcad


def cube(x):
    return x * x * x


@srcad.primitive
def softplus(x):
    return np.log1p(np.exp(x))


@softplus.defvjp
def softplus_vjp(g, ans, x):
    return g / (1.0 + np.exp(-x))


@srcad.primitive
def scaled(x, k):
    return x * k


scaled.defvjp(lambda g, ans, x, k: (g * k, None))


@srcad.primitive
def opaque(x):
    return math.sin(x)


def uses_cube(x):
    return cube(x) + x


def uses_softplus(x):
    return np.sum(softplus(x) * x)


def uses_scaled(x, k):
    return scaled(x, k) * x


def uses_opaque(x):
    return opaque(x) * 2.0
'''


@pytest.fixture(scope="module")
def module():
    return load_function(MODULE, "uses_cube").__globals__


def test_defvjp_on_a_user_function_replaces_transforming_it(module):
    calls = []

    def rule(g, ans, x):
        calls.append(x)
        return g * 3.0 * x * x
    srcad.defvjp(module["cube"], rule)
    assert_close(srcad.grad(module["uses_cube"])(1.5), 3.0 * 1.5 ** 2 + 1.0, rtol=1e-12)
    assert calls == [1.5]


def test_primitive_with_a_decorated_rule(module):
    f = module["uses_softplus"]
    x = np.array([-1.0, 0.5, 2.0])
    assert_close(srcad.grad(f)(x), fd_grad(f, (x,)))


def test_a_rule_may_say_none_for_an_argument_with_no_derivative(module):
    f = module["uses_scaled"]
    gx, gk = srcad.grad(f, wrt=(0, 1))(1.5, 2.0)
    assert gx == pytest.approx(2 * 2.0 * 1.5)   # d/dx (x k) x = 2 k x
    assert gk == 0.0                            # the rule said None for k


def test_the_generated_code_calls_the_registered_rule(module):
    text = srcad.source(module["uses_softplus"], args=(np.ones(2),))
    assert "softplus_vjp" in text


def test_a_primitive_without_a_rule_is_refused_with_a_hint(module):
    f = module["uses_opaque"]
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(0.5)
    assert "opaque" in str(info.value) and "defvjp" in str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + 1


def test_defvjp_on_a_third_party_function():
    # erfcx has no rule in srcad's tables (registration is global: never override a table's)
    special = pytest.importorskip("scipy.special")
    srcad.defvjp(special.erfcx, lambda g, ans, x: g * (2.0 * x * ans - 2.0 / np.sqrt(np.pi)))
    f = load_function('''
import numpy as np
import scipy.special


def f(x):
    return np.sum(scipy.special.erfcx(x) * x)
''', "f")
    x = np.array([0.5, 1.5, 3.0])
    assert_close(srcad.grad(f)(x), fd_grad(f, (x,)))


def test_a_primitive_is_still_callable_and_keeps_its_name(module):
    assert module["softplus"](0.0) == pytest.approx(math.log(2.0))
    assert module["softplus"].__name__ == "softplus"
