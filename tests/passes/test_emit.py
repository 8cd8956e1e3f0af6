"""emit.source_text: a derivative's tree -> the text that gets compiled, one statement a line,
a `# FILE:LINE  statement` comment above each run of statements from one user line."""
import ast
import math

import gast
import numpy as np
import pytest

from helpers import load_function
from passes.stages import derivative
from srcad import emit, errors, parse, pipeline
from srcad.ir import comment


def branchy(x, flag):
    z = math.sin(x) * 2.0
    if flag:
        z = z + 1.0
    else:
        z = z - 1.0
    return z


def cite(fn, offset):
    """The comment emit writes for line `offset` of `fn` (its def line is 0), read from its file."""
    lineno = fn.__code__.co_firstlineno + offset
    with open(fn.__code__.co_filename, encoding="utf-8") as file:
        statement = file.read().splitlines()[lineno - 1].strip()
    return f"# {errors.short(fn.__code__.co_filename)}:{lineno}  {statement}"


def test_a_tree_with_its_users_lines_gets_comments_citing_them():
    src = parse.function(branchy)
    expected = "\n".join([
        "def branchy(x, flag):",
        "    " + cite(branchy, 1),
        "    z = math.sin(x) * 2.0",
        "    if flag:",
        "        " + cite(branchy, 3),
        "        z = z + 1.0",
        "    else:",
        "        " + cite(branchy, 5),
        "        z = z - 1.0",
        "    " + cite(branchy, 6),
        "    return z",
        "",
    ])
    assert emit.source_text(src.tree, src.filename) == expected


def test_the_comment_cites_the_short_file_name():
    assert cite(branchy, 1) == f"# test_emit.py:{branchy.__code__.co_firstlineno + 1}  " \
        "z = math.sin(x) * 2.0"


def test_one_comment_per_run_of_statements_from_one_line():
    def before(x1, x2):
        return math.log(x1) + x1 * x2 - math.sin(x2)
    text = pipeline.derive(before, ("x1", "x2"), {"x1": "float", "x2": "float"}).text
    line = cite(before, 1)
    lines = text.splitlines()
    assert lines[:3] == ["def before_vjp(x1, x2, by=1.0):", "    # forward sweep", "    " + line]
    assert lines.count("    " + line) == 2   # once above each sweep
    assert "    # reverse sweep" in lines


def test_comment_statements_become_comment_lines_at_their_depth():
    tree = parse.function(branchy).tree
    tree.body.insert(0, comment("first, a note"))
    tree.body[2].body.insert(0, comment("inside the branch"))
    text = emit.source_text(tree, "<no file>")
    assert text.splitlines()[1] == "    # first, a note"
    assert "        # inside the branch" in text.splitlines()
    assert "__srcad_comment" not in text


def test_no_comment_where_the_file_has_no_such_line():
    tree = parse.function(branchy).tree
    text = emit.source_text(tree, "<no file>")
    assert "#" not in text


def test_one_statement_a_line():
    f = load_function('''
        import numpy as np


        def f(x, w):
            a, b = np.sin(x * w).sum(), np.cos(x) @ w
            a += b * a
            return a * b
    ''', "f")
    text = pipeline.derive(f, ("x", "w"), {"x": "array", "w": "array"}).text
    lines = [line.strip() for line in text.splitlines()]
    for line in (line for line in lines if line and not line.startswith("#")):
        if line.endswith(":"):  # def, if, for
            continue
        statements = ast.parse(line).body
        assert len(statements) == 1, line
        assert ";" not in line


def test_helpers_and_free_names_become_a_factorys_parameters():
    src = parse.function(branchy)
    text = emit.source_text(src.tree, src.filename, {"_rt": object(), "np_2": np}, ["scale"])
    lines = text.splitlines()
    assert lines[0] == "def make_branchy(_rt, np_2, scale):"
    assert lines[1:3] == ["", "    def branchy(x, flag):"]
    assert lines[-1] == "    return branchy"


def test_without_helpers_the_module_is_the_def_alone():
    src = parse.function(branchy)
    module = ast.parse(emit.source_text(src.tree, src.filename))
    assert [type(s).__name__ for s in module.body] == ["FunctionDef"]


def test_emitting_leaves_the_tree_unchanged():
    tree = parse.function(branchy).tree
    tree.body.insert(0, comment("a note"))
    before = gast.dump(tree)
    emit.source_text(tree, parse.function(branchy).filename, {"h": 1}, ["k"])
    assert gast.dump(tree) == before


@pytest.mark.parametrize("kinds", [{"x1": "float", "x2": "float"}, {"x1": "array", "x2": "array"}],
                         ids=["floats", "arrays"])
def test_same_function_gives_byte_identical_text(kinds):
    def before(x1, x2):
        z = np.sin(x1) * x2
        return np.sum(z * z + x1)
    first = pipeline.derive(before, ("x1", "x2"), kinds).text
    second = pipeline.derive(before, ("x1", "x2"), kinds).text
    assert first.encode() == second.encode()
    src, _, deriv = derivative(before, ("x1", "x2"), kinds)
    assert emit.source_text(deriv.tree, src.filename, src.namespace.helpers) == \
        emit.source_text(deriv.tree, src.filename, src.namespace.helpers)


def test_source_is_a_str_that_a_notebook_can_highlight():
    import srcad
    f = load_function("import math\n\n\ndef f(x):\n    return math.sin(x) * x\n", "f")
    text = srcad.source(f)
    assert isinstance(text, str) and text.startswith("def ")
    html = text._repr_html_()
    if html is not None:  # pygments present
        assert "<span" in html and "math" in html
