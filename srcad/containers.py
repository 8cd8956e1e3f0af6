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
"""
import copy
import inspect
from dataclasses import dataclass, field

import gast

from . import effects
from . import gastutil as g
from . import pytree
from .errors import SrcadError, Unsupported


@dataclass
class Layout:
    """What the rewrite made: each container parameter's leaf parameters (in `flatten`'s order)
    and the structure of the output, where f returns a container built from literals."""
    params: dict = field(default_factory=dict)   # parameter -> [leaf parameter names]
    output: pytree.Node = None


class Static:
    """A container whose structure is known while rewriting: each item a gast expression (a
    leaf) or a Static. `argument`: the parameter it comes from (writes into it are refused);
    `prefix`: its path (the name it is bound to, then keys), which names what is stored into it; `depth`: how many loops and
    branches enclosed its making (a key added deeper would differ from path to path)."""

    def __init__(self, shape, keys, items, type_, argument=None, prefix=None, depth=0):
        self.shape, self.keys, self.items, self.type_ = shape, list(keys), list(items), type_
        self.argument, self.prefix, self.depth = argument, prefix, depth
        self.shared = False  # another name holds a copy made by `e = d` (writes are refused)

    def index_of(self, key):
        """The position of the item at `key` (a key, a field, a position), or None."""
        if self.shape in (pytree.LIST, pytree.TUPLE, pytree.NAMEDTUPLE) and isinstance(key, int) \
                and not isinstance(key, bool):
            key = key + len(self.keys) if key < 0 else key
        if self.shape == pytree.NAMEDTUPLE and isinstance(key, str):
            fields = self.type_._fields
            key = fields.index(key) if key in fields else None
        for i, k in enumerate(self.keys):
            if k == key and type(k) is type(key):
                return i
        return None

    def signature(self):
        """What two paths must agree on: structure and the leaves' expressions."""
        return (self.shape, tuple(self.keys), self.type_,
                tuple(item.signature() if isinstance(item, Static) else gast.dump(item) for item in self.items))

    def node(self):
        """The pytree.Node of this structure (leaves of unknown kind)."""
        children = tuple(item.node() if isinstance(item, Static) else pytree.Node(pytree.LEAF)
                         for item in self.items)
        return pytree.Node(self.shape, tuple(self.keys), children, self.type_)

    def leaves(self):
        out, work = [], [self]
        while work:
            current = work.pop()
            if isinstance(current, Static):
                work.extend(reversed(current.items))
            else:
                out.append(current)
        return out


def specialise(tree, structures, names, helper=lambda func: None, filename=None):
    """(new tree, Layout): `tree` (a FunctionDef of `filename`) with the parameters in
    `structures` (name -> pytree.Node) replaced by their leaves. `names` gives fresh names;
    `helper(func)` is the user's own function a call's `func` denotes (else None): one called
    with a container is inlined, its body specialised on the container too."""
    return _Rewriter(names, helper, filename).function(tree, structures)


class _Rewriter:
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

    def lifted(self, stmt, out):
        """`stmt` with the calls inside its expression that are inlined (a helper given a
        container, or returning a dict: `y = h(p, x) * 2.0`) replaced by their values, their
        bodies appended to `out`, in the order Python calls them. A call Python may not make
        (in a conditional expression, after `and`/`or`, in a lambda or a comprehension), or may
        make many times (a `while` test), is left where it is, and refused there. A call that
        is the statement's whole value is the statement's own visit's to inline (only calls in
        its arguments are lifted)."""
        field_ = {gast.Assign: "value", gast.AugAssign: "value", gast.Return: "value", gast.Expr: "value",
                  gast.If: "test"}.get(type(stmt))
        expr = getattr(stmt, field_, None) if field_ else None
        if expr is None:
            return stmt
        whole = expr if self.inlined_as_a_whole(stmt, expr) else None
        if not any(isinstance(n, gast.Call) and n is not whole and self.helper(n.func) is not None
                   for n in g.walk(expr)):
            return stmt
        lifter = _Lifter(self, out, stmt)
        expr = copy.deepcopy(expr)  # the lifter changes it in place
        stmt = copy.copy(stmt)
        setattr(stmt, field_, lifter.generic_visit(expr) if whole is not None else lifter.visit(expr))
        return stmt

    def inlined_as_a_whole(self, stmt, expr):
        """Whether `expr`, the value of `stmt`, is a call the statement's own visit inlines."""
        return isinstance(expr, gast.Call) and isinstance(stmt, (gast.Return, gast.Expr)) \
            or isinstance(expr, gast.Call) and isinstance(stmt, gast.Assign) and len(stmt.targets) == 1

    def visit_other(self, stmt):
        if isinstance(stmt, gast.Expr):
            pre = []
            if self.inlined(stmt.value, pre, stmt) is not None:
                return pre
        return [_Expressions(self).visit(stmt)]

    # --- helpers called with containers: inlined ----------------------------------------------

    def inlined(self, expr, out, stmt):
        """The value of `expr`, a call of a helper with a container among its arguments, after
        appending the helper's body (specialised on it) to `out`; None for any other `expr`."""
        if not isinstance(expr, gast.Call):
            return None
        fn = self.helper(expr.func)
        if fn is None:
            return None
        args = [self.value(a) for a in expr.args]
        keywords = {k.arg: self.value(k.value) for k in expr.keywords}
        tree = None
        if not any(isinstance(v, Static) for v in args + list(keywords.values())):
            tree = self.plain_tree(fn)
            if tree is None or not _returns_dict(tree):  # a dict it returns: its keys are known here
                return None
        tree = self.helper_tree(fn, stmt)
        try:
            bound = inspect.signature(fn).bind(*args, **keywords)
        except TypeError as error:
            raise Unsupported(stmt, f"the call does not match {fn.__name__}'s parameters ({error})", "") from None
        bound.apply_defaults()
        renamed = {name_: self.names.fresh(f"{fn.__name__}_{name_}") for name_ in _locals_of(tree)}
        for name_, value in bound.arguments.items():
            if not isinstance(value, (Static, gast.AST)):
                value = g.const(value)
            out += self.assign(g.store(renamed[name_]), value, stmt)
        body = _renamed(copy.deepcopy(tree.body), renamed)
        self.inlining.append(fn)
        try:
            out += self.block(body[:-1])
            result = self.value(body[-1].value) if body[-1].value is not None else g.const(None)
        finally:
            self.inlining.pop()
        return result

    def plain_tree(self, fn):
        from . import parse
        try:
            return parse.function(fn).tree
        except SrcadError:  # no source: not inlined (the call is judged later)
            return None

    def helper_tree(self, fn, stmt):
        """The def of `fn`, a helper that can be inlined: same file, globals and no closure as
        the caller, its one `return` last."""
        from . import parse
        if fn in self.inlining:
            raise Unsupported(stmt, f"cannot differentiate the recursive call of {fn.__name__} with a "
                              "container", "Rewrite the recursion as a loop")
        tree = parse.function(fn).tree
        params = tree.args
        returns = [n for n in g.walk(tree) if isinstance(n, gast.Return)]
        if fn.__code__.co_filename != self.filename or fn.__code__.co_freevars or params.vararg \
                or params.kwarg or params.kwonlyargs or params.posonlyargs or len(returns) != 1 \
                or not isinstance(tree.body[-1], gast.Return):
            raise Unsupported(stmt, f"cannot differentiate passing a container to {fn.__name__}, which "
                              "srcad inlines only from the same file, with plain parameters and one "
                              "return at its end", "Pass its items one by one: h(p['W'], p['b'])")
        return tree

    def visit_Assign(self, stmt):
        out = []
        value = self.inlined(stmt.value, out, stmt) if len(stmt.targets) == 1 else None
        value = self.value(stmt.value) if value is None else value
        if len(stmt.targets) > 1 and isinstance(value, Static):
            value = self.settled(value, out, stmt)
        elif len(stmt.targets) > 1:
            temp = self.names.temp()
            out.append(g.assign(temp, value, stmt))
            value = g.name(temp)
        for target in stmt.targets:
            out += self.assign(target, value, stmt)
        return out

    def assign(self, target, value, stmt):
        """Statements binding `target` to `value` (a gast expression or a Static)."""
        if isinstance(target, gast.Name):
            self.poisoned.pop(target.id, None)
            self.constants.pop(target.id, None)
            if isinstance(value, gast.Constant):
                self.constants[target.id] = value.value
            if isinstance(value, Static):
                out = []
                self.env[target.id] = self.named(value, (target.id,), out, stmt)
                return out
            self.env.pop(target.id, None)
            return [g.assign(target, value, stmt)]
        if isinstance(target, (gast.Tuple, gast.List)):
            return self.unpack(target, value, stmt)
        if isinstance(target, (gast.Subscript, gast.Attribute)):
            base = self.value(target.value)
            if isinstance(base, Static):
                return self.store_into(base, target, value, stmt)
            target = _Expressions(self).visit(target)
        return [g.assign(target, self.expr(value, stmt) if isinstance(value, Static) else value, stmt)]

    def unpack(self, target, value, stmt):
        if not isinstance(value, Static):
            for name_ in g.assigned_names(target):
                self.env.pop(name_, None)
            return [g.assign(_Expressions(self).visit(target), value, stmt)]
        if any(isinstance(t, gast.Starred) for t in target.elts) or value.shape not in (
                pytree.LIST, pytree.TUPLE, pytree.NAMEDTUPLE) or len(target.elts) != len(value.items):
            raise Unsupported(stmt, f"cannot unpack a {_describe(value)} into {len(target.elts)} names",
                              "Unpack as many names as it has items, without *")
        out = []
        value = self.settled(value, out, stmt)
        for t, item in zip(target.elts, value.items):
            out += self.assign(t, item, stmt)
        return out

    def store_into(self, base, target, value, stmt):
        """`base[key] = value` or `base.field = value` into a container whose structure is known."""
        key = self.constant_key(target)
        if key is _NOT_CONSTANT:
            raise Unsupported(stmt, f"cannot differentiate a write into a {_describe(base)} at a computed key",
                              "Use constant keys, or an array")
        index = base.index_of(key)
        if index is None and (base.shape != pytree.DICT or self.depth > base.depth):
            raise Unsupported(stmt, f"cannot differentiate adding {key!r} to a {_describe(base)} here",
                              "Give a container all its keys where it is made")
        old = base.items[index] if index is not None else None
        if self.depth > base.depth and isinstance(old, Static) != isinstance(value, Static):
            raise Unsupported(stmt, f"cannot differentiate changing what the {_describe(base)} holds at "
                              f"{key!r} (a container or a value) inside a branch or loop",
                              "Give the item the same structure on every path")
        if base.shared:
            raise Unsupported(stmt, f"cannot differentiate a write into a {_describe(base)} that another "
                              "name also holds", "Build a new container instead")
        out = []
        part = base.prefix + (key,)
        if isinstance(value, Static):
            item = self.named(value, part, out, stmt)
        else:
            out.append(g.assign(self.leaf_name(part), value, stmt))
            item = g.name(self.leaf_name(part))
        if index is None:
            base.keys.append(key)
            base.items.append(item)
        else:
            base.items[index] = item
        return out

    def named(self, static, prefix, out, stmt):
        """A Static of `static`'s structure whose every leaf is copied into its own leaf name
        `prefix_key` (appending the copies to `out`): re-binding a name a leaf read, or the
        container `static` was read from, leaves it as it was. A named container copied so
        (`e = d`) is `shared`: writes into either would be seen by both in Python."""
        if static.prefix is not None:
            static.shared = True
        pairs = []  # (leaf name, expression), in flatten order
        made = self.renamed_copy(static, prefix, pairs)
        targets = {leaf for leaf, _ in pairs}
        if any(n.id in targets for _, expr in pairs for n in gast.walk(expr) if isinstance(n, gast.Name)):
            held = []  # an item reads a leaf being written (d = {"a": d["b"], "b": d["a"]})
            for leaf, expr in pairs:
                temp = self.names.temp()
                out.append(g.assign(temp, expr, stmt))
                held.append((leaf, g.name(temp)))
            pairs = held
        out.extend(g.assign(leaf, expr, stmt) for leaf, expr in pairs if not _is_name(expr, leaf))
        made.shared = static.prefix is not None
        return made

    def renamed_copy(self, static, prefix, pairs):
        items = []
        for key, item in zip(static.keys, static.items):
            part = prefix + (key,)
            if isinstance(item, Static):
                items.append(self.renamed_copy(item, part, pairs))
            else:
                pairs.append((self.leaf_name(part), item))
                items.append(g.name(self.leaf_name(part)))
        return Static(static.shape, static.keys, items, static.type_, None, prefix, self.depth)

    def settled(self, static, out, stmt):
        """`static` with its leaves that are not constants copied to temporaries (before an
        unpacking assigns names its leaves may read: `a, b = b, {"k": a}`); a named container's
        leaves are leaf names, which no unpacking writes."""
        if static.prefix is not None:
            return static
        items = []
        for item in static.items:
            if isinstance(item, Static):
                items.append(self.settled(item, out, stmt))
            elif isinstance(item, gast.Constant):
                items.append(item)
            else:
                temp = self.names.temp()
                out.append(g.assign(temp, item, stmt))
                items.append(g.name(temp))
        return Static(static.shape, static.keys, items, static.type_, static.argument, static.prefix, static.depth)

    def visit_AugAssign(self, stmt):
        target = stmt.target
        if isinstance(target, (gast.Subscript, gast.Attribute)):
            base = self.value(target.value)
            if isinstance(base, Static):
                current = self.value(target)
                value = gast.BinOp(left=self.expr(current, stmt), op=stmt.op,
                                   right=self.expr(self.value(stmt.value), stmt))
                return self.store_into(base, target, value, stmt)
        if isinstance(target, gast.Name) and target.id in self.env:
            raise Unsupported(stmt, f"cannot differentiate {_op_text(stmt.op)}= on the {_describe(self.env[target.id])} "
                              f"{target.id}", "Build a new container")
        return [_Expressions(self).visit(stmt)]

    def visit_Return(self, stmt):
        pre = []
        value = self.inlined(stmt.value, pre, stmt) if stmt.value is not None else None
        if pre:
            return pre + self.visit_Return(gast.Return(value=_Held(value)))
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

    def visit_For(self, stmt):
        elements = self.elements(stmt.iter)
        if elements is not None:
            return self.unrolled(stmt, elements)
        iterable = self.expr(self.value(stmt.iter), stmt)
        for name_ in g.assigned_names(stmt.target):
            self.env.pop(name_, None)
        target = _Expressions(self).visit(stmt.target)
        body = self.loop_body(stmt)
        orelse = self.block(stmt.orelse)
        return [gast.For(target=target, iter=iterable, body=body or [gast.Pass()], orelse=orelse,
                         type_comment=None)]

    def unrolled(self, stmt, elements):
        """A loop over a container: its body once per element, the loop variable bound to it."""
        if _stops_early(stmt.body):
            raise Unsupported(stmt, "cannot differentiate break or continue in a loop over a container",
                              "Loop over range(len(...)) and index, or move the test into an if")
        out = []
        for element in elements:
            out += self.assign(stmt.target, element, stmt)
            out += self.block(copy.deepcopy(stmt.body))
        return out + self.block(stmt.orelse)

    def elements(self, iterable):
        """The elements a loop over `iterable` visits, where its structure decides them (gast
        expressions or Statics), else None."""
        if isinstance(iterable, gast.Call) and not iterable.keywords and isinstance(iterable.func, gast.Name) \
                and iterable.func.id in ("enumerate", "zip", "reversed") and iterable.func.id not in self.env:
            parts = [self.elements(arg) for arg in iterable.args]
            if not parts or any(p is None for p in parts):
                return None
            if iterable.func.id == "enumerate" and len(parts) == 1:
                return [self.pair(g.const(i), e) for i, e in enumerate(parts[0])]
            if iterable.func.id == "reversed" and len(parts) == 1:
                return list(reversed(parts[0]))
            if iterable.func.id == "zip":
                return [Static(pytree.TUPLE, range(len(row)), row, tuple) for row in zip(*parts)]
            return None
        if isinstance(iterable, (gast.List, gast.Tuple)) and not any(
                isinstance(e, gast.Starred) for e in iterable.elts):  # a literal: its items
            return [self.value(e) for e in iterable.elts]
        value = self.value(iterable)
        if not isinstance(value, Static):
            return None
        if value.shape == pytree.DICT:
            return [g.const(k) for k in value.keys]
        if value.shape in (pytree.LIST, pytree.TUPLE, pytree.NAMEDTUPLE):
            return list(value.items)
        return None

    def dict_view(self, call):
        """`p.keys()`, `p.values()`, `p.items()` of a dict of known structure, as a list, or None."""
        func = call.func
        if not (isinstance(func, gast.Attribute) and func.attr in ("items", "keys", "values")
                and not call.args and not call.keywords):
            return None
        base = self.value(func.value)
        if not (isinstance(base, Static) and base.shape == pytree.DICT):
            return None
        keys = [g.const(k) for k in base.keys]
        items = {"keys": keys, "values": base.items,
                 "items": [self.pair(k, v) for k, v in zip(keys, base.items)]}[func.attr]
        return Static(pytree.LIST, range(len(items)), items, list)

    def pair(self, first, second):
        return Static(pytree.TUPLE, (0, 1), (first, second), tuple)

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

    def value(self, expr):
        """`expr` rewritten: a Static where it denotes a container of known structure, else a
        gast expression."""
        if isinstance(expr, _Held):
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
            return _Expressions(self).generic_visit(expr)
        if isinstance(expr, gast.Dict):
            return self.dict_literal(expr)
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
        return _Expressions(self).generic_visit(expr)

    def refuse_container_to_helper(self, call):
        if self.helper(call.func) is None:
            return
        for arg in list(call.args) + [k.value for k in call.keywords]:
            if isinstance(self.value(arg), Static):  # what `lifted` left where it is
                raise Unsupported(call, "cannot differentiate passing a container to a helper function "
                                  "where Python may not call it, or call it many times (a conditional "
                                  "expression, and/or, a lambda, a comprehension, a loop's test), or to "
                                  "a helper changing what it is given, inside an expression",
                                  "Call it in a statement of its own: h = helper(p), then use h")

    def item(self, base, expr):
        key = self.constant_key(expr)
        if isinstance(expr, gast.Attribute) and base.shape in (pytree.DICT, pytree.LIST, pytree.TUPLE):
            raise Unsupported(expr, f"cannot differentiate .{expr.attr} of a {base.shape} here",
                              "Loop over it (for k, v in p.items()) or read its items by key")
        if key is _NOT_CONSTANT:
            if base.shape in (pytree.LIST, pytree.TUPLE) and isinstance(expr, gast.Subscript):
                return gast.Subscript(value=self.expr(base, expr), slice=self.expr(self.value(expr.slice), expr),
                                      ctx=gast.Load())
            raise Unsupported(expr, f"cannot differentiate reading a {_describe(base)} at a computed key",
                              "Read it at constant keys (p['w']), or loop over it: for k, v in p.items()")
        index = base.index_of(key)
        if index is None:
            raise Unsupported(expr, f"the {_describe(base)} has no {'field' if isinstance(expr, gast.Attribute) else 'key'} "
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
        counts), else _NOT_CONSTANT."""
        if isinstance(expr, gast.Attribute):
            return expr.attr
        index = expr.slice
        if isinstance(index, gast.Name) and index.id in self.constants:
            return self.constants[index.id]
        return _constant_index(index)

    def expr(self, value, node):
        """`value` as a gast expression: a list or tuple container rebuilt as a literal of its
        leaves; any other container refused."""
        if not isinstance(value, Static):
            return value
        if value.shape == pytree.DICT and value.argument is None:  # a literal: the core judges it
            return gast.Dict(keys=[g.const(k) for k in value.keys],
                             values=[self.expr(item, node) for item in value.items])
        if value.shape not in (pytree.LIST, pytree.TUPLE):
            raise Unsupported(node, f"cannot differentiate a use of a {_describe(value)} as a whole",
                              "Read its items (p['w'], p.w), loop over it (for k, v in p.items()), "
                              "or pass its items to a helper one by one")
        elts = [self.expr(item, node) for item in value.items]
        return gast.Tuple(elts=elts, ctx=gast.Load()) if value.shape == pytree.TUPLE \
            else gast.List(elts=elts, ctx=gast.Load())


class _Expressions(gast.NodeTransformer):
    """Rewrites the expressions inside a node, each container use through `_Rewriter.value`."""

    def __init__(self, rewriter):
        self.rewriter = rewriter

    def _rewritten(self, node):
        if isinstance(getattr(node, "ctx", None), (gast.Store, gast.Del)):
            return self.generic_visit(node)
        return self.rewriter.expr(self.rewriter.value(node), node)

    visit_Name = visit_Subscript = visit_Attribute = visit_Dict = visit_Tuple = visit_List = _rewritten

    def visit__Held(self, node):
        return self.rewriter.expr(node.value, node)

    def visit_Call(self, node):
        return self.rewriter.expr(self.rewriter.value(node), node)


class _Lifter(gast.NodeTransformer):
    """Replaces the calls in an expression that `_Rewriter.inlined` inlines by their values
    (`_Held`), innermost and leftmost first, as Python calls them; not inside the parts of an
    expression Python may not evaluate."""

    def __init__(self, rewriter, out, stmt):
        self.rewriter, self.out, self.stmt = rewriter, out, stmt

    def visit_Call(self, node):
        node = self.generic_visit(node)
        fn = self.rewriter.helper(node.func)
        if fn is not None and effects.changed_parameters(fn):
            return node  # what it changes may be read before it, in the same expression
        value = self.rewriter.inlined(node, self.out, self.stmt)
        return node if value is None else _Held(value)

    def visit_kept(self, node):
        return node

    visit_IfExp = visit_BoolOp = visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = \
        visit_GeneratorExp = visit_NamedExpr = visit_kept


class _Held(gast.expr):
    """A value already rewritten (an inlined helper's result), standing where an expression goes."""
    _fields = ()

    def __init__(self, value):
        super().__init__()
        self.value = value


def returns_dict(fn):
    """Whether the user function `fn` ends by returning a dict literal."""
    from . import parse
    try:
        return _returns_dict(parse.function(fn).tree)
    except SrcadError:  # no source: judged where it is called
        return False


def _returns_dict(tree):
    last = tree.body[-1] if tree.body else None
    return isinstance(last, gast.Return) and isinstance(last.value, gast.Dict)


def _locals_of(tree):
    names = {a.id for a in tree.args.args}
    for node in g.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            names.add(node.id)
    return sorted(names)


def _renamed(stmts, renamed):
    for stmt in stmts:
        for node in g.walk(stmt):
            if isinstance(node, gast.Name) and node.id in renamed:
                node.id = renamed[node.id]
    return stmts


_NOT_CONSTANT = object()


def _constant_index(index):
    if isinstance(index, gast.Constant) and isinstance(index.value, (int, str)):
        return index.value
    if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub) \
            and isinstance(index.operand, gast.Constant) and isinstance(index.operand.value, int):
        return -index.operand.value
    return _NOT_CONSTANT


def _stops_early(body):
    """Whether a loop body has a break or continue of its own."""
    work = list(body)
    while work:
        stmt = work.pop()
        if isinstance(stmt, (gast.Break, gast.Continue)):
            return True
        if isinstance(stmt, (gast.If, gast.With, gast.Try)):
            work.extend(getattr(stmt, "body", []) + getattr(stmt, "orelse", []))
    return False


def _is_name(expr, name_):
    return isinstance(expr, gast.Name) and expr.id == name_


def _identifier(text):
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in text)
    return text if text.isidentifier() else "p_" + text


def _describe(static):
    if static.shape in (pytree.NAMEDTUPLE, pytree.DATACLASS, pytree.OBJECT):
        return static.type_.__name__
    return static.shape


def _op_text(op):
    return {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/"}.get(type(op), type(op).__name__)
