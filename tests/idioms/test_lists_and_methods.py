"""Lists of lists and methods called through their class, beyond the corpus: the generated code
shows a nested comprehension's loops; a list changed after another list took it is refused
(never differentiated as if the change reached only one of them); re-binding a method a
derivative called through its class gives a fresh derivative."""
import sys

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

X = np.array([0.5, -1.2, 0.8])


def test_a_nested_comprehension_is_written_out_as_nested_loops():
    f = load_function("""
def f(w, x):
    rows = [[w[i] * x[j] for j in range(2)] for i in range(3)]
    return rows[1][0] * rows[2][1]
""", "f")
    text = srcad.source(f, wrt=(0, 1))
    loops = [[line.strip() for line in part.splitlines() if line.strip().startswith("for ")]
             for part in text.split("reverse sweep")]
    assert [len(found) for found in loops] == [2, 2], text  # the comment lines quote the source
    forward = text.split("reverse sweep")[0]
    assert ".append(" in forward


REFUSED = {
    # the list rows holds twice grows afterwards: sum(sum(r) for r in rows) counts it twice
    "one_row_held_twice": """
def f(x):
    row = []
    rows = [row, row]
    for v in x:
        row.append(v * v)
    return sum(sum(r) for r in rows)
""",
    # each turn appends to the list already appended the turn before
    "row_grown_after_it_was_appended": """
def f(x):
    rows = []
    row = []
    for v in x:
        row.append(v * v)
        rows.append(row)
    return sum(sum(r) for r in rows)
""",
    "item_of_a_row_written": """
def f(x):
    rows = [[a * b for b in x] for a in x]
    rows[0][1] = x[0] * 5.0
    return sum(sum(r) for r in rows)
""",
    "row_appended_to_after_the_list_was_made": """
def f(x):
    rows = [[a * b for b in x] for a in x]
    rows[1].append(x[2] * 3.0)
    return sum(sum(r) for r in rows)
""",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("transform", [srcad.grad, lambda f: srcad.jvp(f)], ids=["grad", "jvp"])
def test_a_list_changed_after_another_list_took_it_is_refused(name, transform):
    f = load_function(REFUSED[name], "f")
    args = (X.copy(), np.ones(3)) if transform is not srcad.grad else (X.copy(),)
    with pytest.raises(srcad.SrcadError) as refused:
        transform(f)(*args)
    assert refused.value.filename == f.__code__.co_filename
    assert "t1" not in str(refused.value).split("\n")[0]  # the user's names, no temporaries


METHODS = """
import numpy as np


class Model:
    def apply(self, x):
        return np.sum(np.sin(x))


def f(x):
    return Model.apply(Model(), x) * x[0]
"""


def test_a_method_called_through_its_class_is_looked_up_again():
    f = load_function(METHODS, "f")
    module = sys.modules[f.__module__]
    gradient = srcad.grad(f)
    assert_close(gradient(X), fd_grad(f, (X,), 0), rtol=1e-6)
    module.Model.apply = load_function("""
import numpy as np
def apply(self, x):
    return np.sum(x * x)
""", "apply")
    assert_close(gradient(X), fd_grad(f, (X,), 0), rtol=1e-6)  # the new method's gradient
    assert_close(gradient(X), 2.0 * X * X[0] + np.array([np.sum(X * X), 0.0, 0.0]), rtol=1e-12)
