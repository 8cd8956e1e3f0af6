"""scipy.stats inside f and frozen distributions: `scipy.stats.norm.logpdf(x, mu, s)` called in
f, `scipy.stats.norm(mu, s).logpdf(x)` and `d = scipy.stats.gamma(a, scale=s); d.cdf(x)` made
in f, and a frozen distribution's method passed as it is (`srcad.grad(norm(1.0, 2.0).logpdf)`).

Oracle: central differences of scipy's own functions. scipy is optional: without it these tests
skip.
"""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad

stats = pytest.importorskip("scipy.stats")
scipy = pytest.importorskip("scipy")


def called_inside(x, mu):
    return scipy.stats.norm.logpdf(x, mu, 2.0) + stats.t.cdf(x, 3.0, mu)


def frozen_inline(x, mu):
    return scipy.stats.norm(mu, 2.0).logpdf(x) * stats.beta(2.0, 3.0, loc=mu - 1.0, scale=3.0).cdf(x)


def frozen_named(x, mu):
    d = stats.norm(loc=mu, scale=2.0)
    mu = mu * 100.0  # changes nothing d holds, as in Python
    return d.logpdf(x) + d.cdf(x) + mu * 0.0


def frozen_in_a_loop(x, s):
    g = stats.gamma(2.5, scale=s)
    total = 0.0
    for k in range(3):
        total = total + g.logpdf(x + k)
    return total


def frozen_used_otherwise(x, mu):
    d = stats.norm(0.5, 2.0)
    q = d.ppf(0.3)  # a method with no formula, of a distribution made of constants: a constant
    return d.logpdf(x) * q + mu


@pytest.mark.parametrize("f, args", [
    (called_inside, (0.5, 0.1)), (frozen_inline, (0.5, 0.1)), (frozen_named, (0.5, 0.1)),
    (frozen_in_a_loop, (1.2, 1.5))], ids=lambda v: getattr(v, "__name__", ""))
def test_scipy_stats_inside_f(f, args):
    expected = fd_grad(f, args, wrt=(0, 1))
    assert_close(srcad.grad(f, wrt=(0, 1))(*args), expected, rtol=1e-6)
    assert_close(srcad.value_and_grad(f)(*args)[0], f(*args), rtol=1e-12)
    assert_close(srcad.jvp(f, wrt=1)(*args, 1.0)[1], expected[1], rtol=1e-6)
    assert_close(srcad.hessian(f)(*args), fd_grad(srcad.grad(f), args), rtol=1e-5)


def test_a_frozen_distribution_used_otherwise_stays_itself():
    f = frozen_used_otherwise
    assert_close(srcad.grad(f, wrt=(0, 1))(0.5, 0.1), fd_grad(f, (0.5, 0.1), wrt=(0, 1)), rtol=1e-6)

    def g(x, mu):
        d = stats.norm(mu, 2.0)
        return d.ppf(0.3) * x  # the refused line: no formula for ppf
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(g, wrt=1)(0.5, 0.1)
    assert info.value.lineno == g.__code__.co_firstlineno + 2


def test_the_shape_parameter_of_a_frozen_cdf_is_refused_at_the_users_line():
    def f(x, a):
        return stats.gamma(a, scale=1.5).cdf(x)  # the refused line
    with pytest.raises(srcad.SrcadError, match="gammainc with respect to its argument a") as info:
        srcad.grad(f, wrt=1)(1.5, 2.0)
    assert info.value.filename == f.__code__.co_filename
    assert info.value.lineno == f.__code__.co_firstlineno + 1
    assert_close(srcad.grad(f)(1.5, 2.0), fd_grad(f, (1.5, 2.0)), rtol=1e-6)


FROZEN = [
    ("norm", stats.norm(0.1, 2.0), "logpdf", 0.5),
    ("t", stats.t(3.0, loc=0.2), "cdf", 0.5),
    ("gamma", stats.gamma(2.5, scale=1.5), "pdf", 1.2),
    ("beta", stats.beta(2.0, 3.0), "cdf", 0.3),
]


@pytest.mark.parametrize("name, dist, method, x", FROZEN, ids=[f[0] for f in FROZEN])
def test_a_frozen_distributions_method_passed_as_it_is(name, dist, method, x):
    fn = getattr(dist, method)
    assert_close(srcad.grad(fn)(x), fd_grad(lambda v: float(fn(v)), (x,)), rtol=1e-6)
    assert_close(srcad.jvp(fn)(x, 1.0)[1], fd_grad(lambda v: float(fn(v)), (x,)), rtol=1e-6)


def test_frozen_multivariate_distributions_passed_as_they_are():
    x, mean, cov = np.array([0.2, -0.3]), np.array([0.1, 0.0]), np.array([[2.0, 0.3], [0.3, 1.0]])
    frozen = stats.multivariate_normal(mean, cov)
    assert_close(srcad.grad(frozen.logpdf)(x), srcad.grad(stats.multivariate_normal.logpdf)(x, mean, cov))
    assert_close(srcad.grad(frozen.logpdf)(x), fd_grad(lambda v: float(frozen.logpdf(v)), (x,)), rtol=1e-6)
    alpha = np.array([1.5, 2.0, 3.0])
    frozen = stats.dirichlet(alpha)
    p = np.array([0.2, 0.3, 0.5])
    assert_close(srcad.grad(frozen.logpdf)(p), srcad.grad(stats.dirichlet.logpdf)(p, alpha), rtol=1e-12)


def test_a_frozen_method_without_a_formula_is_refused():
    with pytest.raises(srcad.SrcadError, match="norm.sf passed as it is"):
        srcad.grad(stats.norm(0.0, 1.0).sf)(0.5)
