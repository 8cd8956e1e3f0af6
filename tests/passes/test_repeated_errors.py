"""optimize.drop_repeated: a primal call kept only for its errors goes where the reverse sweep
repeats them (`math.sin(x)` before `math.cos(x)`), and stays wherever the later call might
not run or might see another value."""
import math

import pytest

import srcad
from helpers import assert_close, fd_grad, load_function


def grad_text(source, name="f", wrt=0, args=(0.5, 2.0)):
    fn = load_function(source, name)
    return fn, srcad.source(fn, wrt=wrt, of="grad", args=args)


def test_sin_before_cos_goes_with_a_comment_and_the_gradient_holds():
    fn, text = grad_text("import math\ndef f(x, y):\n    return math.log(x) + x * y - math.sin(y)\n",
                         wrt=(0, 1))
    assert "= math.sin(y)" not in text
    assert "# math.sin(y) is not evaluated: math.cos(y) below fails where it would" in text
    assert "math.log(x)" in text  # 1.0 / x does not fail where log does (x < 0): kept
    grads = srcad.grad(fn, (0, 1))(0.5, 2.0)
    assert grads == pytest.approx((1 / 0.5 + 2.0, 0.5 - math.cos(2.0)), rel=1e-15)


@pytest.mark.parametrize("args", [(0.5, math.inf), (0.5, -math.inf), (-1.0, 2.0)])
def test_the_gradient_still_fails_where_the_function_does(args):
    fn = load_function("import math\ndef f(x, y):\n    return math.log(x) + x * y - math.sin(y)\n", "f")
    with pytest.raises(ValueError, match="math domain error"):
        fn(*args)
    with pytest.raises(ValueError, match="math domain error"):
        srcad.grad(fn, (0, 1))(*args)


def test_cos_before_sin_goes_too():
    fn, text = grad_text("import math\ndef f(x):\n    return 3.0 * math.cos(x)\n", args=(0.7,))
    assert "= math.cos(x)" not in text and "math.sin(x)" in text
    assert srcad.grad(fn)(0.7) == pytest.approx(-3.0 * math.sin(0.7), rel=1e-15)


@pytest.mark.parametrize("body", [
    # the argument changes before the later call
    "    s = math.sin(x)\n    x = x * 2.0\n    return x * y + math.sin(x)\n",
    # the later call sits in a branch
    "    s = math.sin(x)\n    if y > 0:\n        return math.sin(x) * y\n    return y\n",
])
def test_kept_where_the_later_call_may_not_repeat_it(body):
    fn, text = grad_text("import math\ndef f(x, y):\n" + body)
    assert "s = math.sin(x)" in text, text
    for args in [(0.3, 2.0), (0.3, -1.0)]:
        assert_close(srcad.grad(fn)(*args), fd_grad(fn, args, 0))
    with pytest.raises(ValueError):
        srcad.grad(fn)(math.inf, -1.0)


# ---- optimize.test_domains: a kept call is made only where it may fail ----------------------

EDGES = [-math.inf, -2.5, -1.0, -0.5, -5e-324, -0.0, 0.0, 5e-324, 0.5, 1.0, 2.5, 1e308, math.inf,
         math.nan]
DOMAIN_FUNCTIONS = {"log": "x > 0.0", "log2": "x > 0.0", "log10": "x > 0.0", "log1p": "x > -1.0",
                    "sqrt": "x >= 0.0", "acosh": "x >= 1.0"}


def _outcome(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 -- the error itself is what is compared
        return type(error), str(error)
    return None


@pytest.mark.parametrize("name", sorted(DOMAIN_FUNCTIONS))
def test_kept_call_is_made_only_outside_its_domain_and_fails_as_f_does(name):
    fn, text = grad_text(f"import math\ndef f(x, y):\n    return math.{name}(x) + 3.0 * y\n",
                         wrt=1, args=(2.0, 1.5))
    assert f"{DOMAIN_FUNCTIONS[name]} or math.{name}(x)" in text, text
    assert f"= math.{name}(x)" not in text
    g = srcad.grad(fn, 1)
    for x in EDGES:
        for _ in range(3):  # the first call, and the stand-in's own path after it
            expected = _outcome(lambda: fn(x, 1.5))
            assert _outcome(lambda: g(x, 1.5)) == expected, (name, x)
            if expected is None:
                assert g(x, 1.5) == 3.0


def test_textbook_gradient_with_the_log_tested_not_called():
    fn, text = grad_text("import math\ndef f(x1, x2):\n    return math.log(x1) + x1 * x2 - math.sin(x2)\n",
                         wrt=(0, 1), args=(2.0, 5.0))
    lines = text.splitlines()
    kept = lines.index("    x1 > 0.0 or math.log(x1)")
    assert lines[kept - 1].strip().startswith("# math.log(x1): its value is not needed")
    assert lines[kept - 2].strip().startswith("#") and "return math.log(x1)" in lines[kept - 2]
    g = srcad.grad(fn, (0, 1))
    for args in [(2.0, 5.0), (0.25, -3.0), (1e-300, 1.0)]:
        assert_close(g(*args), (1 / args[0] + args[1], args[0] - math.cos(args[1])), rtol=1e-15)
    for bad in [-1.0, -0.0, 0.0, -math.inf]:
        with pytest.raises(ValueError, match="math domain error"):
            g(bad, 5.0)


@pytest.mark.parametrize("source, kept", [
    # the value is read: the call stays as it is
    ("    t = math.log(x)\n    return t * y\n", "t = math.log(x)"),
    # a function with no domain in the table (exp fails by overflow): the call stays
    ("    t = math.exp(x)\n    return 3.0 * y\n", "t = math.exp(x)"),
])
def test_domain_test_leaves_other_calls(source, kept):
    fn, text = grad_text("import math\ndef f(x, y):\n" + source, wrt=1, args=(2.0, 1.5))
    assert kept in text and " or math." not in text, text


@pytest.mark.parametrize("n", [4, 0, -3, 10**400, True, False])
def test_domain_test_on_an_int_fails_as_f_does(n):
    fn, text = grad_text("import math\ndef f(x, n):\n    return math.log(n) + 3.0 * x\n",
                         args=(2.0, 5))
    assert "n > 0.0 or math.log(n)" in text, text
    g = srcad.grad(fn)
    for _ in range(3):
        expected = _outcome(lambda: fn(2.0, n))
        assert _outcome(lambda: g(2.0, n)) == expected
