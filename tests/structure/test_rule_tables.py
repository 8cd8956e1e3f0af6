"""A function's derivative rules are one table entry: a one-operand elementwise function's two
rules are one `ELEMENTWISE` entry (srcad/rules/elementwise.py), so no table holds a forward
rule written out by hand that the reverse rule gives.

The tables are read here with the standard library's `ast`, independently of how
srcad.rules reads them.
"""
import ast
import inspect

import gast
import numpy as np
import pytest

import srcad
from helpers import load_function
from srcad.rules import DOMAINS, registry
from srcad.rules.elementwise import tangent_form

# Hand-written pairs the renaming would give, kept because the function is no elementwise one:
# a flip is linear and its own transpose, which is why the renaming happens to fit.
NOT_ELEMENTWISE = {np.fliplr, np.flipud}


def literals(source, namespace):
    """{table name: {key: lambda node}} of the ELEMENTWISE, VJP and JVP dict literals in a table
    module's `source`, written-out entries only (not those `**ELEMENTWISE` takes in)."""
    out = {}
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Dict) \
                and stmt.targets[0].id in ("ELEMENTWISE", "VJP", "JVP"):
            out[stmt.targets[0].id] = {
                eval(compile(ast.Expression(body=k), "<key>", "eval"), namespace): v  # noqa: S307
                for k, v in zip(stmt.value.keys, stmt.value.values)
                if k is not None and isinstance(v, ast.Lambda)}
    return out


def derivable_pairs(source, namespace):
    """The keys whose written-out forward rule is their written-out reverse rule's tangent form."""
    tables = literals(source, namespace)
    found = []
    for key, reverse in tables.get("VJP", {}).items():
        forward = tables.get("JVP", {}).get(key)
        if forward is None:
            continue
        try:
            derived = tangent_form(reverse)
        except ValueError:  # not of the shape (g, ans, x)
            continue
        if gast.dump(derived) == gast.dump(gast.ast_to_gast(forward)):
            found.append(key)
    return found


def test_no_forward_rule_is_written_out_that_its_reverse_rule_gives():
    written = [f"{module.__name__}: {getattr(key, '__name__', key)}" for module in DOMAINS
               for key in derivable_pairs(inspect.getsource(module), vars(module))
               if key not in NOT_ELEMENTWISE]
    assert written == [], "move these into the module's ELEMENTWISE table (rules/elementwise.py)"


def test_the_check_finds_a_forward_rule_written_out():
    before = """
VJP = {np.sin: lambda g, ans, x: g * np.cos(x), np.cos: lambda g, ans, x: -g * np.sin(x)}
JVP = {np.sin: lambda dx, ans, x: dx * np.cos(x), np.cos: lambda dx, ans, x: dx * np.sin(x)}
"""
    assert derivable_pairs(before, {"np": np}) == [np.sin]  # np.cos's is another (a wrong) one


def test_one_operand_ufuncs_with_rules_are_elementwise_entries():
    unary = [(module, key) for module in DOMAINS for key in module.VJP
             if isinstance(key, np.ufunc) and key.nin == 1 and key.nout == 1]
    assert len(unary) > 30
    assert [key.__name__ for module, key in unary if key not in module.ELEMENTWISE] == []


def renamed(text, old, new):
    """`text`, an expression, with the name `old` written `new` (read by the stdlib `ast`)."""
    tree = ast.parse(text, mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == old:
            node.id = new
        elif isinstance(node, ast.arg) and node.arg == old:
            node.arg = new
    return ast.dump(tree)


def test_an_elementwise_entry_is_both_rules():
    reg = registry()
    entries = [(key, fn) for module in DOMAINS for key, fn in getattr(module, "ELEMENTWISE", {}).items()]
    assert len(entries) >= 50  # numpy's and math's alone (scipy's are there only with scipy)
    for key, fn in entries:
        reverse, forward = reg.reverse_rule(key), reg.forward_rule(key)
        assert reverse.fn is fn and forward.fn is fn and not reverse.broadcasts
        operand = reverse.params[2]
        assert forward.params == ["d" + operand, "ans", operand]
        assert renamed(gast.unparse(reverse.template), "g", "d" + operand) \
            == ast.dump(ast.parse(gast.unparse(forward.template), mode="eval")), key
    assert gast.unparse(reg.forward_rule(np.sin).template).strip() == "lambda dx, ans, x: dx * np.cos(x)"
    assert gast.unparse(reg.reverse_rule(np.sin).template).strip() == "lambda g, ans, x: g * np.cos(x)"


@pytest.mark.parametrize("text", ["lambda g, ans, x, y: (g * y, g * x)", "lambda g, ans, x, axis=None: g",
                                  "lambda dx, ans, x: dx", "lambda g, ans, *, x: g"])
def test_an_elementwise_entry_must_take_g_ans_x(text):
    with pytest.raises(ValueError, match=r"takes \(g, ans, x\)"):
        tangent_form(ast.parse(text, mode="eval").body)


def test_forward_code_reads_the_tangent_form():
    f = load_function("""
        import numpy as np
        def f(x):
            return np.sin(x)
    """, "f")
    text = srcad.source(f, mode="forward")
    assert "dx * np.cos(x)" in text
    np.testing.assert_allclose(srcad.jvp(f)(0.3, 1.0)[1], np.cos(0.3))


# ---- numpy functions linear in their operands: the forward rule is the function applied to
# the tangents (rules/linear.py: tangent_applied, tangent_product), never written out

# np.row_stack's forward rule calls np.vstack (numpy 2 deprecates np.row_stack)
APPLIED_UNDER_ANOTHER_NAME = {"row_stack"}


def applied_to_a_tangent(function, lam):
    """Whether the lambda node `lam` is `function` applied to its tangent parameters (one term, or
    the product rule's two), then to other parameters as they are: a rule tangent_applied or
    tangent_product gives."""
    terms, body = [], lam.body
    while isinstance(body, ast.BinOp) and isinstance(body.op, ast.Add):
        terms.append(body.right)
        body = body.left
    terms.append(body)
    tangents = [a.arg for a in lam.args.args[:lam.args.args.index(next(a for a in lam.args.args if a.arg == "ans"))]]
    for term in terms:
        if not (isinstance(term, ast.Call) and isinstance(term.func, ast.Attribute)
                and isinstance(term.func.value, ast.Name) and term.func.value.id == "np"
                and term.func.attr == getattr(function, "__name__", None)):
            return False
        names = [a.id for a in term.args if isinstance(a, ast.Name)]
        if len(names) != len(term.args) or not any(n in tangents for n in names):
            return False
    return [a.id for a in terms[-1].args[:1]] == tangents[:1]  # the first term applies it to the first tangent


def test_no_linear_forward_rule_is_written_out():
    written = [f"{module.__name__}: {key.__name__}" for module in DOMAINS
               for key, lam in literals(inspect.getsource(module), vars(module)).get("JVP", {}).items()
               if applied_to_a_tangent(key, lam) and key.__name__ not in APPLIED_UNDER_ANOTHER_NAME]
    assert written == [], "write these with tangent_applied / tangent_product (rules/linear.py)"


def test_the_check_finds_a_linear_forward_rule_written_out():
    found = literals("""
JVP = {np.sum: lambda da, ans, a, axis=None: np.sum(da, axis=axis),
       np.dot: lambda da, db, ans, a, b: np.dot(da, b) + np.dot(a, db),
       np.prod: lambda da, ans, a, axis=None: np.sum(da * a, axis=axis),
       np.where: lambda dc, dx, dy, ans, c, x, y: np.where(c, dx, dy)}
""", {"np": np})["JVP"]
    assert [key for key, lam in found.items() if applied_to_a_tangent(key, lam)] == [np.sum, np.dot]


def test_a_linear_forward_rule_is_made_from_the_reverse_rules_parameters():
    from srcad.rules.linear import tangent_applied, tangent_product
    reverse = {np.diff: lambda g, ans, a, n=1, axis=-1: None, np.dot: lambda g, ans, a, b, out=None: None,
               np.sum: lambda g, ans, a, axis=None, dtype=None, out=None, keepdims=False: None}
    rule = tangent_applied(np.sum, reverse, "axis=", "keepdims=")
    assert rule.template_text == ("lambda da, ans, a, axis=None, dtype=None, out=None, keepdims=False: "
                                  "np.sum(da, axis=axis, keepdims=keepdims)")
    x, dx = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    np.testing.assert_array_equal(rule(dx, None, x, axis=0), [2.0, 2.0, 2.0])
    assert tangent_applied(np.diff, reverse, "n", "axis").template_text.endswith("np.diff(da, n, axis)")
    product = tangent_product(np.dot, reverse)
    assert product.template_text.endswith("np.dot(da, b) + np.dot(a, db)")
    np.testing.assert_allclose(product(dx, 2 * dx.T, None, x, x.T), dx @ x.T + x @ (2 * dx.T))


def test_a_parameter_the_reverse_rule_does_not_know_is_refused_in_forward_mode_too():
    f = load_function("""
        import numpy as np
        def f(x):
            return np.sum(np.diff(x, prepend=0.0))
    """, "f")
    for transform in (srcad.grad, srcad.jvp):
        with pytest.raises(srcad.SrcadError, match="prepend"):
            transform(f)(np.arange(3.0), *([np.ones(3)] if transform is srcad.jvp else []))
