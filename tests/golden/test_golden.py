"""srcad.source(f) for the textbook example, against checked-in text (tests/golden/*.txt).

The golden text was generated once from srcad's output and checked by hand as a correct adjoint
(see the comments in test_golden_text_is_a_correct_adjoint); the test that reads it runs it
too. After an intended change of the generated code, regenerate with
`SRCAD_UPDATE_GOLDEN=1 python -m pytest tests/golden`, and read the diff before committing it.
The comments in the text cite this file's lines: keep `textbook` where it is.
"""
import math
import os

import pytest

import srcad
from helpers import fd_grad


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "textbook_vjp.txt")
TEXTBOOK_ARGS = (2.0, 5.0)
TEXTBOOK_VALUE = 11.652071455223084      # log 2 + 2 * 5 - sin 5
TEXTBOOK_GRAD = (5.5, 1.7163378145367738)  # (1 / x1 + x2, x1 - cos x2)


def golden_text():
    with open(GOLDEN, encoding="utf-8") as file:
        return file.read()


def test_textbook_source_matches_the_golden_text():
    text = srcad.source(textbook, wrt=(0, 1))
    if os.environ.get("SRCAD_UPDATE_GOLDEN") == "1":
        with open(GOLDEN, "w", encoding="utf-8") as file:
            file.write(text)
    assert text == golden_text()


def test_golden_text_is_a_correct_adjoint():
    namespace = {"math": math}
    exec(compile(golden_text(), GOLDEN, "exec"), namespace)
    textbook_vjp = namespace["textbook_vjp"]
    value, gradient = textbook_vjp(*TEXTBOOK_ARGS)
    assert value == pytest.approx(TEXTBOOK_VALUE, rel=1e-15)
    assert gradient == pytest.approx(TEXTBOOK_GRAD, rel=1e-15)
    x = (0.7, -1.3)
    _, (b1, b2) = textbook_vjp(*x, by=2.5)   # a cotangent scales the gradient
    assert (b1, b2) == pytest.approx(tuple(2.5 * d for d in fd_grad(textbook, x, (0, 1))), rel=1e-9)


def test_golden_text_cites_the_users_line():
    line = textbook.__code__.co_firstlineno + 1
    cited = f"# test_golden.py:{line}  return math.log(x1) + x1 * x2 - math.sin(x2)"
    assert golden_text().count(cited) == 2  # above the forward and the reverse sweep
