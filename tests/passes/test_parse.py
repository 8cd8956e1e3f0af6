"""parse.function: a function -> Source, its gast def at the real lines of its file, and what its
non-local names denote (globals, closure cells, modules' attributes)."""
import copy
import inspect
import math
import sys
import types

import gast
import numpy as np
import pytest

from helpers import line_of, load_function
from passes.stages import text_of
from srcad import SrcadError, api, parse
from srcad import gastutil as g

MODULE = '''
import math
import numpy as np
from math import sin

SCALE = 2.0


def decorate(fn):
    return fn


@decorate
def f(x, k=3):
    """Docstring."""
    z = sin(x) * SCALE
    w = np.cos(z) + math.pi
    return w * k


class Model:
    def method(self, x):
        y = x * x
        return y


def make(offset):
    def inner(x):
        return x + offset
    return inner


square = lambda x: x * x  # noqa: E731
pair = (lambda a: a + 1.0, lambda a, b: a * b)
'''


def expr(text):
    """A gast expression read as in a function body (`np.sin` -> Attribute(Name np), Load)."""
    return gast.parse(text, mode="eval").body


@pytest.fixture(scope="module")
def module_f():
    return load_function(MODULE, "f")


# ---------------------------------------------------------------- the tree and its lines


def test_tree_is_the_def_at_its_real_line(module_f):
    src = parse.function(module_f)
    assert isinstance(src.tree, gast.FunctionDef)
    assert src.tree.name == "f"
    assert src.tree.lineno == line_of(module_f, "def f(x, k=3):")


def test_every_statement_keeps_its_real_line(module_f):
    src = parse.function(module_f)
    lines = [stmt.lineno for stmt in src.tree.body]
    assert lines == [line_of(module_f, text) for text in
                     ('"""Docstring."""', "z = sin(x)", "w = np.cos(z)", "return w * k")]
    assert src.tree.body[1].value.lineno == line_of(module_f, "z = sin(x)")


def test_filename_is_the_functions_file(module_f):
    src = parse.function(module_f)
    assert src.filename == module_f.__code__.co_filename
    assert src.filename.endswith(".py")


def test_decorators_are_dropped(module_f):
    assert parse.function(module_f).tree.decorator_list == []


def test_a_method_is_dedented_and_keeps_its_lines():
    method = load_function(MODULE, "Model").method
    src = parse.function(method)
    assert src.tree.lineno == line_of(method, "def method(self, x):")
    assert [stmt.lineno for stmt in src.tree.body] == [line_of(method, "y = x * x"),
                                                       line_of(method, "return y")]


def test_a_lambda_becomes_a_one_line_def():
    square = load_function(MODULE, "square")
    src = parse.function(square)

    def lambda_(x):
        return x * x
    assert text_of(square) == text_of(lambda_)
    assert src.tree.name == "lambda"
    assert src.tree.lineno == src.tree.body[0].lineno == line_of(square, "square = lambda")


def test_a_lambda_is_found_among_others_on_its_line_by_its_parameters():
    first, second = load_function(MODULE, "pair")
    assert [a.id for a in parse.function(first).tree.args.args] == ["a"]
    assert [a.id for a in parse.function(second).tree.args.args] == ["a", "b"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="code objects keep columns from Python 3.11")
def test_two_lambdas_of_the_same_parameters_on_one_line_are_told_apart_by_their_columns():
    twins = load_function("twins = (lambda x: x + 1.0, lambda x: x * 2.0)\n", "twins")
    assert isinstance(parse.function(twins[0]).tree.body[0].value.op, gast.Add)
    assert isinstance(parse.function(twins[1]).tree.body[0].value.op, gast.Mult)


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="code objects keep columns from Python 3.11")
def test_two_lambdas_of_the_same_parameters_on_one_line_are_refused_before_3_11():
    twins = load_function("twins = (lambda x: x + 1.0, lambda x: x * 2.0)\n", "twins")
    with pytest.raises(SrcadError, match="shares its line"):
        parse.function(twins[0])


def test_a_lambda_on_a_continuation_line_is_read_from_its_file():
    inner = load_function("def apply(f):\n    return f\n\n\nmade = apply(\n    lambda y: y * 3.0)\n", "made")
    assert [a.id for a in parse.function(inner).tree.args.args] == ["y"]


def test_a_lambda_inside_a_lambda_is_the_inner_one():
    outer = load_function("outer = lambda x: (lambda y: y * 2.0)(x) + 1.0\n", "outer")
    inner_code = next(c for c in outer.__code__.co_consts if hasattr(c, "co_code"))
    inner = types.FunctionType(inner_code, outer.__globals__)
    assert [a.id for a in parse.function(inner).tree.args.args] == ["y"]
    assert [a.id for a in parse.function(outer).tree.args.args] == ["x"]


def test_a_c_function_is_refused():
    with pytest.raises(SrcadError, match="not a Python function"):
        parse.function(math.sin)


def test_a_function_made_by_exec_is_refused():
    namespace = {}
    exec("def g(x):\n    return x\n", namespace)
    with pytest.raises(SrcadError, match="cannot be read"):
        parse.function(namespace["g"])


# ---------------------------------------------------------------- names and what they denote


def test_globals_are_the_functions_live_module_globals(module_f):
    src = parse.function(module_f)
    assert src.globals is module_f.__globals__
    assert src.closure == {}


def test_closure_holds_the_cells_values():
    inner = load_function(MODULE, "make")(1.5)
    src = parse.function(inner)
    assert src.closure == {"offset": 1.5}
    assert src.resolve(expr("offset")) == 1.5


def test_an_empty_closure_cell_is_left_out():
    def outer():
        def inner(x):
            return x * later
        src = parse.function(inner)
        later = 2.0
        return src
    assert outer().closure == {}


def test_local_and_all_names(module_f):
    src = parse.function(module_f)
    assert src.local_names == {"x", "k", "z", "w"}
    assert src.all_names == {"x", "k", "z", "w", "sin", "SCALE", "np", "math"}


@pytest.mark.parametrize("text, expected", [
    ("np.sin", np.sin),
    ("math.sin", math.sin),
    ("sin", math.sin),          # from math import sin
    ("np.linalg.norm", np.linalg.norm),
    ("math.pi", math.pi),
    ("SCALE", 2.0),
    ("abs", abs),               # a builtin
], ids=["np.sin", "math.sin", "from-import", "np.linalg.norm", "math.pi", "global", "builtin"])
def test_resolve_names_what_a_non_local_name_denotes(module_f, text, expected):
    resolved = parse.function(module_f).resolve(expr(text))
    assert resolved == expected and type(resolved) is type(expected)


@pytest.mark.parametrize("text", ["z", "x", "undefined_name", "SCALE.real", "np.no_such_function",
                                  "np.sin(x)", "(x + 1)"],
                         ids=["local", "parameter", "unknown", "attribute-of-a-float",
                              "missing-attribute", "call", "operation"])
def test_resolve_gives_unresolved_for_everything_else(module_f, text):
    assert parse.function(module_f).resolve(expr(text)) is parse.UNRESOLVED


def test_a_local_shadows_a_global_of_the_same_name():
    f = load_function('''
        import math


        def f(x):
            math = x
            return math
    ''', "f")
    assert parse.function(f).resolve(expr("math")) is parse.UNRESOLVED


def test_resolve_sees_the_globals_as_they_are_now():
    f = load_function('''
        act = None


        def f(x):
            return act(x)
    ''', "f")
    f.__globals__["act"] = math.tanh
    assert parse.function(f).resolve(expr("act")) is math.tanh


# ---------------------------------------------------------------- deep expressions


def _dump(tree):
    return gast.dump(tree, include_attributes=True)


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_parsing_in_pieces_gives_the_tree_gast_gives(depth):
    # cut into pieces a few levels deep, an ordinary module must come out exactly as gast makes it
    text = inspect.getsource(api)
    assert _dump(parse.tree_of(text, piece_depth=depth)) == _dump(gast.parse(text))


def test_a_placeholder_never_takes_a_users_name():
    text = "__srcad_piece0 = 1\nz = ((a + b) * c) - __srcad_piece0\n"
    assert _dump(parse.tree_of(text, piece_depth=1)) == _dump(gast.parse(text))


def test_an_expression_thousands_of_terms_deep_is_parsed_and_cloned():
    text = "y = " + " + ".join(f"x * {k}.0" for k in range(2000)) + "\n"
    tree = parse.tree_of(text)
    copy_ = g.clone(tree)
    assert copy_ is not tree
    assert sum(isinstance(n, gast.BinOp) for n in g.walk(copy_)) == 2000 + 1999


def test_a_clone_is_what_deepcopy_makes():
    tree = gast.parse(inspect.getsource(api))
    tree.body[0].comment = "a comment"
    tree.body[0].shared = [tree.body[1], tree.body[1]]
    made = g.clone(tree)
    assert _dump(made) == _dump(copy.deepcopy(tree))
    assert made.body[0].comment == "a comment"
    assert made.body[0].shared[0] is made.body[0].shared[1] is made.body[1]
    assert made.body[1] is not tree.body[1]


def test_walk_visits_what_ast_walk_visits_in_its_order():
    tree = gast.parse(inspect.getsource(api))
    assert [id(n) for n in g.walk(tree)] == [id(n) for n in gast.walk(tree)]
