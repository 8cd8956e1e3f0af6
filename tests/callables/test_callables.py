"""Every kind of callable: lambdas, methods, partials, callable objects, static and class methods,
numba's Python function, functions in linecache; library callables passed as they are.

Oracles: closed forms and central differences (tests/helpers.py) of the callable itself.
"""
import functools
import linecache
import math
import operator
import subprocess
import sys

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function


# ---------------------------------------------------------------- lambdas

def test_grad_of_a_lambda():
    assert_close(srcad.grad(lambda x: x ** 2 + np.sin(x))(1.0), 2.0 + math.cos(1.0))


def test_two_lambdas_on_one_line_are_told_apart():
    if sys.version_info < (3, 11):
        pytest.skip("code objects keep columns from Python 3.11")
    first, second = srcad.grad(lambda x: x * x), srcad.grad(lambda x: x * x * x)
    assert (first(3.0), second(3.0)) == (6.0, 27.0)


def test_a_lambda_spread_over_lines():
    g = srcad.grad(
        lambda x, y: x * y
        + math.exp(x),
        wrt=(0, 1))
    assert_close(g(0.5, 2.0), (2.0 + math.exp(0.5), 0.5))


def test_a_def_calling_a_lambda_helper():
    f = load_function("import math\nsquare = lambda x: x * x\n\n\ndef f(x):\n"
                      "    return square(math.sin(x)) + 1.0\n", "f")
    assert_close(srcad.grad(f)(0.3), 2.0 * math.sin(0.3) * math.cos(0.3))


def test_the_derivative_of_a_lambda_reads_well():
    text = srcad.source(lambda x: x * x)
    assert "def lambda_vjp(x, by=1.0):" in text


def test_a_lambda_made_by_eval_is_refused_naming_it():
    with pytest.raises(srcad.SrcadError, match="lambda.*source code cannot be read"):
        srcad.grad(eval("lambda x: x * 2.0"))(1.0)


def test_a_function_registered_in_linecache():
    text = "def cell(x):\n    return x * math.cos(x)\n"
    filename = "<ipython-input-7-cell>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"math": math}
    exec(compile(text, filename, "exec"), namespace)
    assert_close(srcad.grad(namespace["cell"])(0.7), math.cos(0.7) - 0.7 * math.sin(0.7))


# ---------------------------------------------------------------- methods, partials, objects

class Spring:
    k = 3.0

    def __init__(self, stiffness):
        self.stiffness = stiffness

    def energy(self, x):
        return 0.5 * self.stiffness * x * x

    def __call__(self, x, y):
        return self.stiffness * x * math.sin(y)

    @staticmethod
    def cube(x):
        return x ** 3

    @classmethod
    def scaled(cls, x):
        return cls.k * x * x


def test_a_bound_method_self_constant():
    spring = Spring(4.0)
    assert_close(srcad.grad(spring.energy)(1.5), 6.0)
    assert_close(srcad.value_and_grad(spring.energy)(1.5), (4.5, 6.0))


def test_a_bound_method_positions_count_after_self():
    spring = Spring(2.0)
    assert_close(srcad.grad(spring.__call__, wrt=1)(1.5, 0.5), 3.0 * math.cos(0.5))


def test_an_object_with_call():
    spring = Spring(2.0)
    g = srcad.grad(spring, wrt=(0, 1))
    assert_close(g(1.5, 0.5), (2.0 * math.sin(0.5), 3.0 * math.cos(0.5)))


def test_static_and_class_methods():
    assert_close(srcad.grad(Spring.cube)(2.0), 12.0)
    assert_close(srcad.grad(Spring.scaled)(2.0), 12.0)
    assert_close(srcad.grad(Spring.__dict__["cube"])(1.0), 3.0)


def test_a_partial_binds_constants():
    def power(x, p, scale=1.0):
        return scale * x ** p
    assert_close(srcad.grad(functools.partial(power, p=3.0))(2.0), 12.0)
    assert_close(srcad.grad(functools.partial(power, 2.0))(3.0), 8.0 * math.log(2.0))  # d/dp 2 ** p
    assert_close(srcad.grad(functools.partial(power, 2.0, scale=2.0), wrt="scale")(3.0), 8.0)


def test_jvp_jacobian_hessian_of_a_method():
    spring = Spring(4.0)
    assert_close(srcad.jvp(spring.energy)(1.5, 2.0)[1], 12.0)
    assert_close(srcad.hessian(spring.energy)(1.5), 4.0)
    assert_close(srcad.jacobian(spring.energy, mode="forward")(1.5), 6.0)
    assert_close(srcad.grad(srcad.grad(spring.energy))(1.5), 4.0)


def test_vjp_of_a_partial():
    value, pullback = srcad.vjp(functools.partial(np.multiply, 3.0))(np.array([1.0, 2.0]))
    assert_close(pullback(np.ones(2)), np.full(2, 3.0))


def test_a_method_position_out_of_range_is_refused():
    with pytest.raises(srcad.SrcadError, match="position 1.*besides the ones it binds"):
        srcad.grad(Spring(1.0).energy, wrt=1)


def test_numba_style_function_uses_its_python_function():
    class Jitted:  # what numba.njit gives: a dispatcher keeping the Python function
        def __init__(self, fn):
            self.py_func = fn

        def __call__(self, *args):
            return self.py_func(*args)

    def f(x):
        return x * math.exp(x)
    assert_close(srcad.grad(Jitted(f))(0.5), fd_grad(f, (0.5,)))


def test_cli_shows_a_method(tmp_path):
    path = tmp_path / "model.py"
    path.write_text("import math\n\n\nclass Model:\n    def loss(self, x):\n"
                    "        return self.w * math.sin(x)\n")
    out = subprocess.run([sys.executable, "-m", "srcad", "show", f"{path}:Model.loss"],
                         capture_output=True, text=True, check=True).stdout
    assert "def loss_vjp(self, x, by=1.0):" in out
    assert "bx = " in out


# ---------------------------------------------------------------- library callables

UNARY = [(np.tanh, 0.5), (np.sin, 0.3), (np.exp, 0.2), (np.log, 1.5), (np.sqrt, 2.0), (np.arctan, 0.4),
         (math.sin, 0.3), (math.exp, 0.1), (math.log, 2.0), (math.sqrt, 3.0), (math.atan, 0.5),
         (operator.neg, 1.5), (abs, -2.0)]


@pytest.mark.parametrize("fn, x", UNARY, ids=[getattr(f, "__name__", repr(f)) for f, _ in UNARY])
def test_a_unary_library_function_passed_as_it_is(fn, x):
    expected = fd_grad(lambda x: fn(x), (x,))
    assert_close(srcad.grad(fn)(x), expected)
    assert_close(srcad.jvp(fn)(x, 1.0)[1], expected)


BINARY = [(operator.mul, 2.0, 3.0), (operator.truediv, 2.0, 3.0), (operator.pow, 2.0, 3.0),
          (operator.sub, 2.0, 3.0), (math.atan2, 0.5, 2.0), (math.pow, 1.5, 2.5), (np.arctan2, 0.5, 2.0),
          (np.multiply, 2.0, 3.0), (np.hypot, 3.0, 4.0)]


@pytest.mark.parametrize("fn, x, y", BINARY, ids=[f.__name__ for f, _, _ in BINARY])
def test_a_binary_library_function_passed_as_it_is(fn, x, y):
    assert_close(srcad.grad(fn, wrt=(0, 1))(x, y), fd_grad(lambda x, y: fn(x, y), (x, y), wrt=(0, 1)))


def test_numpy_reductions_and_products_passed_as_they_are(rng):
    x, a = rng.normal(size=4), rng.normal(size=(3, 4))
    assert_close(srcad.grad(np.sum)(x), np.ones(4))
    assert_close(srcad.grad(np.prod)(x), fd_grad(np.prod, (x,)))
    assert_close(srcad.jacobian(np.dot, wrt=1)(a, x), a)
    assert_close(srcad.grad(np.linalg.norm)(x), x / np.linalg.norm(x))


def test_higher_order_of_library_functions():
    assert_close(srcad.hessian(np.tanh)(0.5), -2.0 * np.tanh(0.5) / np.cosh(0.5) ** 2)
    assert_close(srcad.grad(srcad.grad(math.sin))(0.3), -math.sin(0.3))
    assert_close(srcad.jacobian(np.sin)(np.array([0.1, 0.2])), np.diag(np.cos([0.1, 0.2])))


def test_a_library_function_with_no_rule_is_refused_naming_it():
    with pytest.raises(srcad.SrcadError, match="no derivative rule for numpy.fft.fft.*defvjp"):
        srcad.grad(np.fft.fft)(np.ones(2))


def test_its_source_is_a_one_line_def():
    assert "return np.tanh(x)" in srcad.source(np.tanh)
    assert "return a * b" in srcad.source(operator.mul)


# ---------------------------------------------------------------- scipy

scipy = pytest.importorskip("scipy")
special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")


@pytest.mark.parametrize("fn, x", [(special.erf, 0.3), (special.expit, 0.7), (special.gammaln, 2.5),
                                   (special.ndtr, 0.2)], ids=["erf", "expit", "gammaln", "ndtr"])
def test_scipy_special_passed_as_it_is(fn, x):
    assert_close(srcad.grad(fn)(x), fd_grad(lambda x: fn(x), (x,)), rtol=1e-6)
    assert_close(srcad.hessian(fn)(x), fd_grad(srcad.grad(fn), (x,)), rtol=1e-5)


def test_scipy_special_digamma_to_second_order():
    # its gradient calls zeta(2.0, x), which had no forward rule: hessian was refused
    assert_close(srcad.grad(special.digamma)(1.5), fd_grad(lambda x: special.digamma(x), (1.5,)), rtol=1e-6)
    assert_close(srcad.hessian(special.digamma)(1.5), float(special.polygamma(2, 1.5)), rtol=1e-10)  # closed form


STATS = [
    ("norm.logpdf", stats.norm.logpdf, (0.5, 0.1, 2.0)),
    ("norm.pdf", stats.norm.pdf, (0.5, 0.1, 2.0)),
    ("norm.cdf", stats.norm.cdf, (0.5, 0.1, 2.0)),
    ("t.logpdf", stats.t.logpdf, (0.5, 3.0, 0.2, 1.5)),
    ("t.pdf", stats.t.pdf, (0.5, 3.0)),
    ("gamma.logpdf", stats.gamma.logpdf, (1.5, 3.0, 0.1, 2.0)),
    ("gamma.pdf", stats.gamma.pdf, (1.5, 3.0)),
    ("beta.logpdf", stats.beta.logpdf, (0.3, 2.0, 3.0)),
    ("beta.pdf", stats.beta.pdf, (0.3, 2.0, 3.0)),
]


@pytest.mark.parametrize("name, fn, args", STATS, ids=[s[0] for s in STATS])
def test_scipy_stats_scalar_densities(name, fn, args):
    wrt = tuple(range(len(args)))
    assert_close(srcad.value_and_grad(fn, wrt=0)(*args)[0], float(fn(*args)), rtol=1e-10)
    assert_close(srcad.grad(fn, wrt=wrt)(*args), fd_grad(fn, args, wrt=wrt), rtol=1e-6)
    assert_close(srcad.jvp(fn)(*args, 1.0)[1], fd_grad(fn, args), rtol=1e-6)


def test_scipy_stats_outside_the_support_is_minus_infinity():
    assert srcad.value_and_grad(stats.gamma.logpdf)(-1.0, 2.0)[0] == -np.inf
    assert srcad.value_and_grad(stats.beta.logpdf)(1.5, 2.0, 3.0)[0] == -np.inf


def test_scipy_stats_dirichlet_and_multivariate_normal():
    x, alpha = np.array([0.2, 0.3, 0.5]), np.array([1.5, 2.0, 3.0])
    f = stats.dirichlet.logpdf
    assert_close(srcad.value_and_grad(f)(x, alpha)[0], f(x, alpha), rtol=1e-10)
    assert_close(srcad.grad(f, wrt=1)(x, alpha), fd_grad(f, (x, alpha), wrt=1), rtol=1e-6)
    x, mean, cov = np.array([0.2, -0.3]), np.array([0.1, 0.0]), np.array([[2.0, 0.3], [0.3, 1.0]])
    f = stats.multivariate_normal.logpdf
    assert_close(srcad.value_and_grad(f)(x, mean, cov)[0], f(x, mean, cov), rtol=1e-10)
    assert_close(srcad.grad(f, wrt=(0, 1))(x, mean, cov), fd_grad(f, (x, mean, cov), wrt=(0, 1)), rtol=1e-6)


def test_a_scipy_stats_method_without_a_formula_is_refused():
    with pytest.raises(srcad.SrcadError, match="t.sf passed as it is.*norm.logpdf"):
        srcad.grad(stats.t.sf)(0.5, 3.0)


# ---------------------------------------------------------------- *args: positions count into it

def product_and_sine(*xs):
    return xs[0] * xs[1] + math.sin(xs[-1])


def scaled_product(a, *rest):
    s = a
    for r in rest:
        s = s * r
    return s


def test_positions_count_into_star_args():
    args = (2.0, 3.0, 0.5)
    assert_close(srcad.grad(product_and_sine)(*args), 3.0)
    assert_close(srcad.grad(product_and_sine, wrt=(0, 2))(*args), (3.0, math.cos(0.5)))
    assert_close(srcad.grad(scaled_product, wrt=(0, 2))(2.0, 3.0, 4.0), (12.0, 6.0))
    assert_close(srcad.jvp(product_and_sine, wrt=1)(*args, 1.0)[1], 2.0)
    assert_close(srcad.value_and_grad(product_and_sine, wrt=1)(*args), (product_and_sine(*args), 2.0))


def test_each_count_of_star_args_its_own_derivative():
    g = srcad.grad(scaled_product, wrt=1)
    assert_close(g(2.0, 3.0), 2.0)
    assert_close(g(2.0, 3.0, 4.0), 8.0)


def test_a_position_beyond_the_star_args_passed_is_refused():
    with pytest.raises(srcad.SrcadError, match="position 5 of \\*xs: only 3 were passed"):
        srcad.grad(product_and_sine, wrt=5)(2.0, 3.0, 0.5)
