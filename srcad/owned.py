"""Arguments the differentiated function writes into, copied first.

`def f(x): x[0] = v; ...` (or `x += v`) changes the caller's array. Its derivative must not: it
runs the function's code on values it keeps for the reverse sweep, and a caller differentiating
in a loop would see its array change under it. So the derivative starts with `x_2 = x.copy()`
and writes into `x_2`: the values are those of the function, and the caller's array stays as it
was. Numbers are left alone (`a += 1.0` re-binds a float, it changes nothing in place).
"""
import gast

from . import gastutil as g
from .ir import parameters


def written_arguments_copied(src, names, candidates):
    """`src.tree` with each argument it writes into through an index (`x[i] = v`, `x[i] += v`)
    copied at the start, `x_2 = x.copy()`, and `x_2` read and written in its place: the
    derivative of a function that changes its argument changes a copy of its own, and the
    caller's array stays as it was (the reverse sweep needs the values it held). Only for the
    function differentiated: a helper that changes what it is given changes its caller's
    array, which the caller may read afterwards."""
    tree = src.tree
    params = set(parameters(tree)) & set(candidates)
    written = {_root(node).id for node in gast.walk(tree) if isinstance(node, gast.Subscript)
               and isinstance(node.ctx, gast.Store) and isinstance(_root(node), gast.Name)
               and _root(node).id in params}
    # `x += v` changes an array argument in place (a number it re-binds)
    written |= {node.target.id for node in gast.walk(tree) if isinstance(node, gast.AugAssign)
                and isinstance(node.target, gast.Name) and node.target.id in params}
    written = sorted(written)
    if not written:
        return tree
    tree = g.clone(tree)
    copies = {p: names.fresh(p) for p in written}
    for node in gast.walk(gast.Module(body=tree.body, type_ignores=[])):
        if isinstance(node, gast.Name) and node.id in copies:
            node.id = copies[node.id]
    src.local_names |= set(copies.values())
    first = tree.body[0]
    tree.body = [g.located(g.assign(q, g.call(g.attr(g.name(p), "copy"), [])), first)
                 for p, q in copies.items()] + tree.body
    return tree


def _root(subscript):
    """The variable an index chain starts from: `x` for `x[i][j]`."""
    node = subscript
    while isinstance(node, gast.Subscript):
        node = node.value
    return node
