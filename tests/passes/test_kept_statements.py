"""What the transforms copy into the derivative unchanged, and what they refuse.

Statements with nothing to differentiate (`assert`, `raise`, `pass`, `print(...)`, a call of
a function with a rule whose result is dropped) run in the derivative as in f. Any other
statement kind reaching a transform is refused (normalising refuses the ones users write, so
the transforms are tested on normal forms with one inserted), and so is a call that may
change, in place, a value that depends on the inputs (`np.add.at(y, i, x)`).
"""
import gast
import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_grad, load_function
from passes.stages import normal_form
from srcad import analyze, pipeline, transform
from srcad.errors import SrcadError, Unsupported

KEPT = '''
import numpy as np


def checked(x):
    assert x > 0.0, "x must be positive"
    print("x is", x)
    np.sin(x)
    if x > 10.0:
        raise ValueError("too large")
    return x * x
'''


def test_assert_print_raise_run_in_the_derivative_as_in_f(capsys):
    f = load_function(KEPT, "checked")
    assert_close(srcad.grad(f)(0.7), fd_grad(f, (0.7,)))
    assert srcad.jvp(f)(0.7, 1.0) == pytest.approx((0.49, 1.4))
    assert capsys.readouterr().out.count("x is 0.7") >= 2
    with pytest.raises(AssertionError, match="positive"):
        srcad.grad(f)(-0.7)
    with pytest.raises(ValueError, match="too large"):
        srcad.jvp(f)(11.0, 1.0)


def plain(x):
    y = x * 2.0
    return y * x


@pytest.mark.parametrize("inserted", [
    gast.Global(names=["G"]),
    gast.Nonlocal(names=["G"]),
    gast.Delete(targets=[gast.Name(id="y", ctx=gast.Del(), annotation=None, type_comment=None)]),
    gast.Import(names=[gast.alias(name="math", asname=None)]),
], ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_statement_kind_the_transforms_do_not_know_is_refused(inserted, mode):
    src, names, tree = normal_form(plain)
    gast.copy_location(inserted, tree.body[0])
    tree.body.insert(1, inserted)
    facts = analyze.dataflow(tree, src, "x", {"x": analyze.FLOAT})
    with pytest.raises(Unsupported, match=f"cannot differentiate a {type(inserted).__name__} statement"):
        if mode == "reverse":
            transform.reverse(tree, src, facts, names, "vjp", pipeline.derive_call)
        else:
            transform.forward(tree, src, facts, names, pipeline.derive_call)


IN_PLACE = '''
import numpy as np


def add_at(x):
    y = np.zeros(3)
    np.add.at(y, [0, 1], x[:2])
    return np.sum(y * y)


def into_out(x):
    y = np.zeros(3)
    np.multiply(x, 2.0, out=y)
    return np.sum(y * y)
'''


@pytest.mark.parametrize("name_, line", [("add_at", "np.add.at(y"), ("into_out", "out=y")])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_call_that_may_write_a_varied_value_in_place_is_refused(name_, line, mode):
    f = load_function(IN_PLACE, name_)
    x = np.array([0.5, -1.0, 2.0])
    with pytest.raises(SrcadError) as error:
        if mode == "reverse":
            srcad.grad(f)(x)
        else:
            srcad.jvp(f)(x, np.ones(3))
    assert_cites(error.value, f, line)
