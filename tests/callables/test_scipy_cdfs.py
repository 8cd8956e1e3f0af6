"""The distribution functions of scipy.stats' t, gamma and beta (through scipy.special's stdtr,
gammainc and betainc), differentiated in x, loc and scale; in the shape parameters (df, a, b)
they have no closed-form derivative, and differentiating there is refused. zeta and polygamma,
which the derivatives of digamma and polygamma call, to second order.

Oracle: central differences of scipy's own functions, and closed forms (a cdf's derivative in
x is the pdf). scipy is optional: without it these tests skip.
"""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad

special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")

CDFS = [
    ("t", stats.t, (0.4, 3.0, 0.1, 1.5), (0, 2, 3)),
    ("gamma", stats.gamma, (1.4, 2.5, 0.1, 1.5), (0, 2, 3)),
    ("beta", stats.beta, (0.4, 2.5, 1.5, 0.1, 0.8), (0, 3, 4)),
]


def _partial(fn, args, i):
    return lambda v: fn(*(args[:i] + (v,) + args[i + 1:]))


@pytest.mark.parametrize("name, dist, args, wrt", CDFS, ids=[c[0] for c in CDFS])
def test_a_cdf_in_x_loc_and_scale(name, dist, args, wrt):
    cdf = dist.cdf
    value, grads = srcad.value_and_grad(cdf, wrt=wrt)(*args)
    assert_close(value, float(cdf(*args)), rtol=1e-12)
    assert_close(grads, tuple(fd_grad(_partial(cdf, args, i), (args[i],)) for i in wrt), rtol=1e-6)
    assert_close(grads[0], float(dist.pdf(*args)), rtol=1e-10)  # the density: a closed form
    assert_close(srcad.jvp(cdf)(*args, 1.0)[1], grads[0], rtol=1e-12)
    assert_close(srcad.hessian(cdf)(*args), fd_grad(_partial(dist.pdf, args, 0), (args[0],)), rtol=1e-5)


@pytest.mark.parametrize("name, dist, args, wrt", CDFS, ids=[c[0] for c in CDFS])
def test_a_cdf_of_an_array_inside_and_outside_the_support(name, dist, args, wrt):
    x = np.array([-0.5, 0.2, 0.45, 0.7, 1.6])
    value, pullback = srcad.vjp(dist.cdf)(x, *args[1:])
    assert_close(value, dist.cdf(x, *args[1:]), rtol=1e-12)
    got = pullback(np.ones(5))
    assert np.all(np.isfinite(got))  # no nan from outside the support
    assert_close(got, dist.pdf(x, *args[1:]), rtol=1e-9, atol=1e-12)  # zero outside it


@pytest.mark.parametrize("name, dist, args, wrt", CDFS, ids=[c[0] for c in CDFS])
def test_a_cdf_in_its_shape_parameters_is_refused(name, dist, args, wrt):
    shape = 1  # df or a
    for transform in (srcad.grad, srcad.jvp):
        with pytest.raises(srcad.SrcadError, match="no closed-form derivative.*defvjp"):
            transform(dist.cdf, wrt=shape)(*args, *([1.0] if transform is srcad.jvp else []))


def test_scipy_special_in_a_function_refused_at_its_line():
    def f(x, a):
        return special.betainc(a, 2.0, x) * x  # the refused line
    with pytest.raises(srcad.SrcadError, match="betainc with respect to its argument a") as info:
        srcad.grad(f, wrt=(0, 1))(0.3, 1.5)
    assert info.value.lineno == f.__code__.co_firstlineno + 1
    assert_close(srcad.grad(f)(0.3, 1.5), fd_grad(f, (0.3, 1.5)), rtol=1e-6)


def test_the_tape_refuses_the_shape_parameters_too():
    import srcad.tape

    def f(x, a):
        return special.gammainc(a, x)
    with pytest.raises(srcad.SrcadError, match="scipy.special.gammainc with respect to its argument"):
        srcad.tape.grad(f, wrt=1)(0.7, 1.5)
    assert_close(srcad.tape.grad(f)(0.7, 1.5), srcad.grad(f)(0.7, 1.5), rtol=1e-12)


@pytest.mark.parametrize("fn, args", [
    (lambda x: special.zeta(3.0, x), (1.3,)), (lambda x: special.polygamma(1, x), (1.3,)),
    (lambda x: special.xlog1py(x, x * 0.5), (0.7,)), (lambda x: special.betaln(x, 2.0 * x), (0.7,)),
    (lambda x: special.gammaincc(2.5, x), (0.7,))], ids=["zeta", "polygamma", "xlog1py", "betaln", "gammaincc"])
def test_scipy_special_to_second_order(fn, args):
    assert_close(srcad.grad(fn)(*args), fd_grad(fn, args), rtol=1e-6)
    assert_close(srcad.hessian(fn)(*args), fd_grad(srcad.grad(fn), args), rtol=1e-5)


def test_hessian_of_digamma_and_polygamma_passed_as_they_are():
    assert_close(srcad.hessian(special.digamma)(1.3), float(special.polygamma(2, 1.3)), rtol=1e-10)
    assert_close(srcad.grad(special.polygamma, wrt=1)(1, 1.3), float(special.polygamma(2, 1.3)), rtol=1e-10)
    assert_close(srcad.hessian(special.polygamma, wrt=1)(1, 1.3), float(special.polygamma(3, 1.3)), rtol=1e-10)
