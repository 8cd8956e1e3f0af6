"""Rules of one-operand elementwise functions, written once for both modes.

A table module lists them in its `ELEMENTWISE` dict, each as its reverse rule
`lambda g, ans, x: <g times f'(x)>`, and takes that dict in whole into both tables
(`VJP = {**ELEMENTWISE, ...}`, `JVP = {**ELEMENTWISE, ...}`). The forward rule is the same
expression with the tangent `dx` in the place of `g`: the Jacobian of an elementwise function
is diagonal, hence its own transpose, so the cotangent's product with it (J^T g) and the
tangent's (J dx) are one expression. Called, the reverse rule's lambda is the forward rule as
it is (its first argument, by position, the tangent); inlined, its template is renamed here,
so that generated forward code reads `dx * np.cos(x)`. A rule that is not elementwise (a
reduction, a matrix function: `np.linalg.inv`'s J^T is not its J) has no place in the dict.
"""
import gast

COTANGENT = "g"


def tangent_form(rule):
    """The forward rule's gast tree, made from `rule`, the (stdlib) `ast` tree of an
    `ELEMENTWISE` entry's lambda `g, ans, x`, which is left as it is."""
    params = rule.args
    names = [a.arg for a in params.args]
    if len(names) != 3 or names[0] != COTANGENT or params.posonlyargs or params.defaults \
            or params.vararg or params.kwonlyargs or params.kwarg:
        raise ValueError(f"an ELEMENTWISE rule takes (g, ans, x), not ({', '.join(names)}): "
                         "a rule of several operands, or with options, goes into VJP and JVP")
    tree = gast.ast_to_gast(rule)  # a new tree
    tangent = "d" + names[2]
    for node in gast.walk(tree):
        if isinstance(node, gast.Name) and node.id == COTANGENT:
            node.id = tangent
    return tree
