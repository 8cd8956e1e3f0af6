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
