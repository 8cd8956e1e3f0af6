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
