"""Containers as their leaves: `f` specialised on the structure of its container arguments.

Before normalisation, a parameter `p` holding `{"W1": array, "b1": array}` becomes the
parameters `p_W1, p_b1`, and every use of it that the structure decides is rewritten to them:

    h = np.tanh(x @ p["W1"] + p["b1"])     ->   h = np.tanh(x @ p_W1 + p_b1)

So the generated derivative reads leaves as plain local names (`p_W1`, `bp_W1`); no container
is built or indexed at run time. What the structure decides: indexing by a constant key or
position (`p["W1"]`, `p[0]`, `p[-1]`), attributes of namedtuples, dataclasses and objects
(`p.w`), unpacking (`W, b = p`), `len(p)`, loops over a container (`for W, b in layers:`,
`for k, v in p.items()`, `enumerate`, `zip`: unrolled, one copy of the body per element), and
dict, list and tuple literals holding containers or built with constant keys (`d = {"a": x}`,
`d["b"] = y`; a write into an argument's container writes its leaf, as into the copy f's
derivative makes of what it writes into: the caller's container stays as it was), also
returned (`return {"loss": l, "aux": a}`: the output's structure is kept in `Layout.output`).
A helper of the user's given a container (or returning a dict literal) is inlined, its body
specialised too; called inside an expression (`y = 1.0 + h(p, x)`), its body goes before the
statement and its value where the call was. A list or tuple used otherwise (`np.sum(p)`,
`p[i]`, a library function's argument) is rebuilt there as a literal of its leaves; a dict or
object used so is refused, saying how to read it instead.

This module holds the rewrite's entry (`specialise`), its statements, branches and expressions;
container_structure.py what it works with (`Static`), container_writes.py its assignments,
container_loops.py the loops it unrolls, container_inlining.py the helpers it inlines.
"""
import copy

import gast

from . import gastutil as g
from . import pytree
from .container_inlining import Inlining, ends_returning_dict
from .container_loops import Unrolling
from .container_structure import NOT_CONSTANT, Expressions, Held, Layout, Static, constant_index, describe
from .container_writes import Writes
from .errors import SrcadError, Unsupported


def specialise(tree, structures, names, helper=lambda func: None, filename=None):
    """(new tree, Layout): `tree` (a FunctionDef of `filename`) with the parameters in
    `structures` (name -> pytree.Tree) replaced by their leaves. `names` gives fresh names;
    `helper(func)` is the user's own function a call's `func` denotes (else None): one called
    with a container is inlined, its body specialised on the container too."""
    return _Rewriter(names, helper, filename).function(tree, structures)


class _Rewriter(Inlining, Writes, Unrolling):
    """The rewrite: the function, statements, branches and expressions here; helpers inlined
    (container_inlining.py), assignments (container_writes.py), loops over containers unrolled
    (container_loops.py)."""

    def __init__(self, names, helper, filename):
        self.names = names
        self.helper = helper
        self.filename = filename
        self.inlining = []     # the helpers being inlined, outermost first
        self.env = {}          # local name -> the Static it holds
        self.poisoned = {}     # name -> why its structure is not known here
        self.own = set()       # the leaf names this rewrite made
        self.constants = {}    # name -> the constant an unrolled loop bound it to (a key)
        self.leaf_names = {}   # a path (container name, keys...) -> the leaf name chosen for it
        self.depth = 0
        self.layout = Layout()
        self.plain_return = None

    # --- the function -------------------------------------------------------------------------

    def function(self, tree, structures):
        tree = copy.deepcopy(tree)
        for group in ("posonlyargs", "args", "kwonlyargs"):
            params = []
            for param in getattr(tree.args, group):
                node = structures.get(param.id)
                if node is None:
                    params.append(param)
                    continue
                static = self.from_node(node, (param.id,), param.id)
                leaves = [leaf.id for leaf in static.leaves()]
                self.layout.params[param.id] = leaves
                self.env[param.id] = static
                params.extend(gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
                              for n in leaves)
            setattr(tree.args, group, params)
        vararg = tree.args.vararg
        if vararg is not None and vararg.id in structures:  # *xs: its elements, positional
            static = self.from_node(structures[vararg.id], (vararg.id,), vararg.id)
            leaves = [leaf.id for leaf in static.leaves()]
            self.layout.params[vararg.id] = leaves
            self.env[vararg.id] = static
            tree.args.args += [gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None)
                               for n in leaves]
            tree.args.vararg = None
        # the caller passes every argument (api binds them): defaults would no longer line up
        tree.args.defaults = []
        tree.args.kw_defaults = [None] * len(tree.args.kwonlyargs)
        tree.body = self.block(tree.body) or [gast.Pass()]
        return tree, self.layout

    def from_node(self, node, prefix, argument):
        """The Static of a parameter's structure, its leaves new parameter names."""
        items = []
        for key, child in zip(node.keys, node.children):
            part = prefix + (key,)
            if child.shape == pytree.LEAF:
                items.append(g.name(self.leaf_name(part)))
            else:
                items.append(self.from_node(child, part, argument))
        keys = node.keys
        return Static(node.shape, keys, items, node.type_, argument, prefix)

    def leaf_name(self, path):
        """The leaf name of `path` (("d", "a"): the item "a" of the container named d, `d_a`),
        the same every time: a container re-bound in a loop with the same keys writes the same
        names, so the loop's next turn reads them. Two paths never share a name (("d", "a_b")
        and ("d_a", "b") are `d_a_b` and `d_a_b_2`)."""
        made = self.leaf_names.get(path)
        if made is None:
            made = self.leaf_names[path] = self.names.fresh(_identifier("_".join(map(str, path))))
            self.own.add(made)
        return made

    # --- statements ---------------------------------------------------------------------------

    def block(self, stmts):
        out = []
        for stmt in stmts:
            lifted = []
            stmt = self.lifted(stmt, lifted)
            visit = getattr(self, "visit_" + type(stmt).__name__, self.visit_other)
            out.extend(g.located(s, stmt) for s in lifted)
            out.extend(g.located(s, stmt) if s is not stmt else s for s in visit(stmt))
        return out

    def visit_other(self, stmt):
        if isinstance(stmt, gast.Expr):
            pre = []
            if self.inlined(stmt.value, pre, stmt) is not None:
                return pre
        return [Expressions(self).visit(stmt)]

    def visit_Return(self, stmt):
        pre = []
        value = self.inlined(stmt.value, pre, stmt) if stmt.value is not None else None
        if pre:
            return pre + self.visit_Return(gast.Return(value=Held(value)))
        value = self.value(stmt.value) if stmt.value is not None else None
        if isinstance(value, Static):
            node = value.node()
            if self.plain_return or self.layout.output not in (None, node):
                raise Unsupported(stmt, "cannot differentiate returns of different structures",
                                  "Return containers of one structure from every return")
            self.layout.output = node
            self.plain_return = False
            return [gast.Return(value=g.tuple_([self.expr(leaf, stmt) for leaf in value.leaves()]))]
        if self.layout.output is not None:
            raise Unsupported(stmt, "cannot differentiate returns of different structures",
                              "Return containers of one structure from every return")
        self.plain_return = True
        return [gast.Return(value=value)]

    def visit_If(self, stmt):
        test = self.expr(self.value(stmt.test), stmt)
        before = dict(self.env)
        body = self.nested(stmt.body)
        after_body, self.env = self.env, dict(before)
        orelse = self.nested(stmt.orelse)
        self.merge(after_body, self.env, stmt)
        return [gast.If(test=test, body=body or [gast.Pass()], orelse=orelse)]

    def visit_While(self, stmt):
        test = self.expr(self.value(stmt.test), stmt)
        body = self.loop_body(stmt)
        orelse = self.block(stmt.orelse)
        return [gast.While(test=test, body=body or [gast.Pass()], orelse=orelse)]

    def nested(self, stmts):
        """A branch's or loop body's statements; what they bound to constants is forgotten after
        it (another path may not have run them)."""
        self.depth += 1
        before = dict(self.constants)
        try:
            return self.block(stmts)
        finally:
            self.depth -= 1
            self.constants = {k: v for k, v in self.constants.items() if k in before and before[k] == v}

    def loop_body(self, stmt):
        """A loop's body, rewritten once for every turn: a container it reads must keep its
        structure and leaf names across turns (else a later turn would read stale leaves)."""
        before = dict(self.env)
        signatures = {name_: static.signature() for name_, static in before.items()}
        body = self.nested(stmt.body)
        for name_, signature in signatures.items():
            now = self.env.get(name_)
            if now is None or now.signature() != signature:
                raise Unsupported(stmt, f"cannot differentiate a loop that changes what the container "
                                  f"{name_} is made of", "Give it the same keys and kinds of items on "
                                  "every turn, or build a new container under another name")
        self.merge(before, self.env, stmt)
        return body

    def merge(self, one, other, stmt):
        """After a branch or loop: a name keeps its structure only where every path agrees."""
        merged = {}
        for name_ in set(one) | set(other):
            a, b = one.get(name_), other.get(name_)
            if a is not None and b is not None and a.signature() == b.signature():
                merged[name_] = a
            else:
                self.poisoned[name_] = stmt
        self.env = merged

    # --- expressions --------------------------------------------------------------------------

    def joined(self, expr):
        """`d | e` of two dicts, `a + b` of two lists or two tuples, `a * n` of one and a
        constant int: the new container, of known structure; None where no operand is a
        container of known structure. Any other operator on a dict made in f is refused (the
        core would take the dict for a constant)."""
        left, right = self.value(expr.left), self.value(expr.right)
        if not isinstance(left, Static) and not isinstance(right, Static):
            return None
        both = isinstance(left, Static) and isinstance(right, Static)
        if both and isinstance(expr.op, gast.BitOr) and left.shape == right.shape == pytree.DICT:
            merged = dict(zip(left.keys, left.items))
            merged.update(zip(right.keys, right.items))  # the right one's items win, as in Python
            return Static(pytree.DICT, merged, merged.values(), dict)
        sequences = (pytree.LIST, pytree.TUPLE)
        if both and isinstance(expr.op, gast.Add) and left.shape == right.shape and left.shape in sequences:
            items = left.items + right.items
            return Static(left.shape, range(len(items)), items, left.type_)
        if isinstance(expr.op, gast.Mult) and isinstance(left, Static) and left.shape in sequences \
                and isinstance(right, gast.Constant) and type(right.value) is int:
            items = left.items * max(right.value, 0)
            return Static(left.shape, range(len(items)), items, left.type_)
        literals = [v for v in (left, right) if isinstance(v, Static) and v.shape == pytree.DICT
                    and v.argument is None]  # which self.expr would pass on as they are
        if not literals:
            return None  # refused as a use of a container as a whole
        raise Unsupported(expr, f"cannot differentiate {g.OPERATOR_SYMBOLS.get(type(expr.op), '?')} on a dict here",
                          "Build the new container as a literal of the items: {'a': d['a'], 'b': e['b']} "
                          "or [a[0], a[1], b[0]]")

    def value(self, expr):
        """`expr` rewritten: a Static where it denotes a container of known structure, else a
        gast expression."""
        if isinstance(expr, Held):
            return expr.value
        if isinstance(expr, gast.Name) and isinstance(expr.ctx, gast.Load):
            if expr.id in self.env:
                return self.env[expr.id]
            if expr.id in self.poisoned:
                raise Unsupported(expr, f"cannot differentiate a use of {expr.id}, a container "
                                  "whose structure depends on the path taken",
                                  "Give it the same keys and items on every path")
            return expr
        if isinstance(expr, (gast.Subscript, gast.Attribute)):
            base = self.value(expr.value)
            if isinstance(base, Static):
                return self.item(base, expr)
            return Expressions(self).generic_visit(expr)
        if isinstance(expr, gast.Dict):
            return self.dict_literal(expr)
        if isinstance(expr, gast.BinOp):
            joined = self.joined(expr)
            if joined is not None:
                return joined
        if isinstance(expr, (gast.Tuple, gast.List)) and isinstance(expr.ctx, gast.Load):
            items = [self.value(e) for e in expr.elts]
            if any(isinstance(i, Static) for i in items) and not any(isinstance(e, gast.Starred) for e in expr.elts):
                shape = pytree.TUPLE if isinstance(expr, gast.Tuple) else pytree.LIST
                return Static(shape, range(len(items)), items, tuple if shape == pytree.TUPLE else list)
            return type(expr)(elts=[self.expr(i, expr) for i in items], ctx=expr.ctx)
        if isinstance(expr, gast.Call):
            self.refuse_container_to_helper(expr)
            view = self.dict_view(expr)
            if view is not None:
                return view
            if isinstance(expr.func, gast.Name) and expr.func.id == "list" and len(expr.args) == 1 \
                    and "list" not in self.env:
                inner = self.value(expr.args[0])
                if isinstance(inner, Static):
                    return Static(pytree.LIST, range(len(inner.items)), inner.items, list) \
                        if inner.shape != pytree.DICT else Static(pytree.LIST, range(len(inner.keys)),
                                                                  [g.const(k) for k in inner.keys], list)
        if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and expr.func.id == "len" \
                and len(expr.args) == 1 and "len" not in self.env:
            base = self.value(expr.args[0])
            if isinstance(base, Static):
                return g.const(len(base.items))
        return Expressions(self).generic_visit(expr)

    def item(self, base, expr):
        key = self.constant_key(expr)
        if isinstance(expr, gast.Attribute) and base.shape in (pytree.DICT, pytree.LIST, pytree.TUPLE):
            raise Unsupported(expr, f"cannot differentiate .{expr.attr} of a {base.shape} here",
                              "Loop over it (for k, v in p.items()) or read its items by key")
        if key is NOT_CONSTANT:
            if base.shape in (pytree.LIST, pytree.TUPLE) and isinstance(expr, gast.Subscript):
                return gast.Subscript(value=self.expr(base, expr), slice=self.expr(self.value(expr.slice), expr),
                                      ctx=gast.Load())
            raise Unsupported(expr, f"cannot differentiate reading a {describe(base)} at a computed key",
                              "Read it at constant keys (p['w']), or loop over it: for k, v in p.items()")
        index = base.index_of(key)
        if index is None:
            raise Unsupported(expr, f"the {describe(base)} has no {'field' if isinstance(expr, gast.Attribute) else 'key'} "
                              f"{key!r} in this call", "Read only what the argument holds")
        return base.items[index]

    def dict_literal(self, expr):
        keys = []
        for key in expr.keys:
            if not isinstance(key, gast.Constant):
                raise Unsupported(expr, "cannot differentiate a dict literal with computed keys or **",
                                  "Use constant keys")
            keys.append(key.value)
        return Static(pytree.DICT, keys, [self.value(v) for v in expr.values], dict)

    def constant_key(self, expr):
        """The constant key of `p[key]` or `p.field` (a name an unrolled loop bound to a key
        counts), else NOT_CONSTANT."""
        if isinstance(expr, gast.Attribute):
            return expr.attr
        index = expr.slice
        if isinstance(index, gast.Name) and index.id in self.constants:
            return self.constants[index.id]
        return constant_index(index)

    def expr(self, value, node):
        """`value` as a gast expression: a list or tuple container rebuilt as a literal of its
        leaves; any other container refused."""
        if not isinstance(value, Static):
            return value
        if value.shape == pytree.DICT and value.argument is None:  # a literal: the core judges it
            return gast.Dict(keys=[g.const(k) for k in value.keys],
                             values=[self.expr(item, node) for item in value.items])
        if value.shape not in (pytree.LIST, pytree.TUPLE):
            raise Unsupported(node, f"cannot differentiate a use of a {describe(value)} as a whole",
                              "Read its items (p['w'], p.w), loop over it (for k, v in p.items()), "
                              "or pass its items to a helper one by one")
        elts = [self.expr(item, node) for item in value.items]
        return gast.Tuple(elts=elts, ctx=gast.Load()) if value.shape == pytree.TUPLE \
            else gast.List(elts=elts, ctx=gast.Load())


def returns_dict(fn):
    """Whether the user function `fn` ends by returning a dict literal."""
    from . import parse
    try:
        return ends_returning_dict(parse.function(fn).tree)
    except SrcadError:  # no source: judged where it is called
        return False


def _identifier(text):
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in text)
    return text if text.isidentifier() else "p_" + text


