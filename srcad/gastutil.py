"""Small constructors and queries for gast nodes, so passes read as what they build."""
import ast
import collections
import copy

import astor
import gast

from .ir import BLOCK_FIELDS, COMPOUND


def name(id_, ctx=None):
    return gast.Name(id=id_, ctx=ctx or gast.Load(), annotation=None, type_comment=None)


def store(id_):
    return name(id_, gast.Store())


def const(value):
    return gast.Constant(value=value, kind=None)


def assign(target, value, like=None):
    """`target = value`; `target` a name string or a node; location copied from `like`."""
    target = store(target) if isinstance(target, str) else target
    stmt = gast.Assign(targets=[target], value=value, type_comment=None)
    return located(stmt, like)


def aug_add(target, value, like=None):
    """`target += value`."""
    stmt = gast.AugAssign(target=store(target), op=gast.Add(), value=value)
    return located(stmt, like)


def call(func, args, keywords=()):
    return gast.Call(func=func, args=list(args), keywords=list(keywords))


def attr(value, attr_name):
    return gast.Attribute(value=value, attr=attr_name, ctx=gast.Load())


def subscript(value, index):
    return gast.Subscript(value=value, slice=index, ctx=gast.Load())


def tuple_(elts):
    return gast.Tuple(elts=list(elts), ctx=gast.Load())


def located(node, like):
    """`node` with `like`'s line, and its expressions too; the statements in the body of a
    branch or loop keep their own lines."""
    if like is None or getattr(like, "lineno", None) is None:
        return node
    lineno, col_offset = like.lineno, getattr(like, "col_offset", 0)
    end_lineno, end_col_offset = getattr(like, "end_lineno", lineno), getattr(like, "end_col_offset", 0)
    work = [node]
    while work:
        child = work.pop()
        if isinstance(child, (gast.stmt, gast.expr)):
            child.lineno, child.col_offset = lineno, col_offset
            child.end_lineno, child.end_col_offset = end_lineno, end_col_offset
        compound = isinstance(child, COMPOUND)
        for field in child._fields:
            if compound and field in BLOCK_FIELDS:
                continue
            value = getattr(child, field, None)
            if isinstance(value, list):
                work.extend(v for v in value if isinstance(v, gast.AST) and not isinstance(v, _LEAVES))
            elif isinstance(value, gast.AST) and not isinstance(value, _LEAVES):
                work.append(value)
    return node


def clone(node):
    """A deep copy of a gast tree, as `copy.deepcopy` makes it (a node or list shared in `node`
    is shared in the copy, and so are a statement's extra attributes such as its comment), but
    without recursion: `deepcopy` recursed once per level and failed on an expression a few
    hundred terms long. Contexts and operators (`Load()`, `Add()`: no fields, never changed)
    are not copied, which makes it about three times faster than `deepcopy`."""
    if not isinstance(node, (gast.AST, list)):
        return copy.deepcopy(node)
    if type(node) in (gast.Name, gast.Constant) and getattr(node, "annotation", None) is None:
        made = node.__class__.__new__(node.__class__)  # the most frequent case: no nodes inside
        made.__dict__.update(node.__dict__)
        return made
    memo, made, work = {}, {}, [node]
    made[id(node)] = _empty_like(node)
    while work:
        item = work.pop()
        values = item if isinstance(item, list) else item.__dict__.values()
        copies = []
        for value in values:
            if isinstance(value, _LEAVES):  # Load(), Add(): no fields, never changed: shared
                copies.append(value)
            elif isinstance(value, (gast.AST, list)):
                twin = made.get(id(value))
                if twin is None:
                    twin = made[id(value)] = _empty_like(value)
                    work.append(value)
                copies.append(twin)
            elif value is None or isinstance(value, (str, int, float, complex, bytes)):
                copies.append(value)
            else:
                copies.append(copy.deepcopy(value, memo))
        if isinstance(item, list):
            made[id(item)].extend(copies)
        else:
            made[id(item)].__dict__.update(zip(item.__dict__, copies))
    return made[id(node)]


def _empty_like(item):
    return [] if isinstance(item, list) else item.__class__.__new__(item.__class__)


def walk(node):
    """Every node in `node`, itself first, breadth first: `ast.walk`, in its order, at about
    half its cost (the passes walk the derivative's tree many times)."""
    todo = collections.deque([node])
    while todo:
        node = todo.popleft()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                todo.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                todo.append(value)
        yield node


def is_atom(expr):
    return isinstance(expr, (gast.Name, gast.Constant))


def names_in(node):
    """Names read in `node` (loads only)."""
    return [n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def assigned_names(target):
    """The plain names a target stores to (`a`, `(a, b)`; not `a[i]`, whose base is read)."""
    return [n.id for n in walk(target) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]


def breaks_out(body):
    """Whether a loop body has a `break` of its own (not one of a nested loop)."""
    work = list(body)
    while work:
        stmt = work.pop()
        if isinstance(stmt, gast.Break):
            return True
        if isinstance(stmt, gast.If):
            work.extend(stmt.body + stmt.orelse)
    return False


def single_target(stmt):
    """The name `stmt` assigns, if it is `name = value`; else None."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
        return stmt.targets[0].id
    return None


_LEAVES = (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)


class Scan:
    """One walk over a function's tree, for passes that would otherwise walk it many times:
    `nodes` (all of them), `loads` (name -> its Name nodes read), `stores` (name -> how many
    times it is stored (assigned, a loop's target), deleted or bound as a parameter; an
    augmented assignment counts twice), `parents` (id of a node -> its parent), `top` (id of a node -> the index
    of the top-level statement holding it) and `calls` (every Call node). Contexts and
    operators (`Load`, `Add`) are left out."""

    def __init__(self, tree):
        self.nodes, self.loads, self.stores, self.parents, self.top, self.calls = [], {}, {}, {}, {}, []
        args = tree.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if arg is not None:
                self.stores[arg.id] = self.stores.get(arg.id, 0) + 1
        for i, stmt in enumerate(tree.body):
            self.parents[id(stmt)] = tree
            work = [stmt]
            while work:
                node = work.pop()
                self.nodes.append(node)
                self.top[id(node)] = i
                if isinstance(node, gast.Name):
                    if isinstance(node.ctx, gast.Load):
                        self.loads.setdefault(node.id, []).append(node)
                    else:
                        self.stores[node.id] = self.stores.get(node.id, 0) + 1
                elif isinstance(node, gast.Call):
                    self.calls.append(node)
                elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
                    self.stores[node.target.id] = self.stores.get(node.target.id, 0) + 1
                for field in node._fields:
                    value = getattr(node, field, None)
                    for child in value if isinstance(value, list) else (value,):
                        if isinstance(child, gast.AST) and not isinstance(child, _LEAVES):
                            self.parents[id(child)] = node
                            work.append(child)


def replace_child(parent, old, new):
    """Put `new` where `parent` holds `old` (a field or an item of a list field)."""
    for field, value in gast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
        elif isinstance(value, list) and any(v is old for v in value):
            setattr(parent, field, [new if v is old else v for v in value])


def to_source(node, **options):
    """Python text of a gast tree, printed by astor (`options` are astor.to_source's).

    astor prints a negative number constant bare, whatever encloses it: the constant -1.35
    under `** 2` came out as `-1.35 ** 2`, which Python reads as -(1.35 ** 2). Written as a
    unary minus on a positive constant, it gets astor's parentheses where precedence needs them."""
    tree = gast.gast_to_ast(node)
    for parent in walk(tree):
        for field, value in ast.iter_fields(parent):
            if isinstance(value, list):
                value[:] = [_minus_positive(v) for v in value]
            else:
                setattr(parent, field, _minus_positive(value))
    return astor.to_source(tree, **options)


def _minus_positive(node):
    """A negative number constant as a unary minus on its positive (also -0.0 and -inf)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) and repr(node.value).startswith("-"):
        return ast.copy_location(ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-node.value)), node)
    return node


def statement_lists(tree):
    """(node, field, statements) for each statement list of the function, outer ones first;
    the caller may replace `node.field` (the nested lists are found in the old one)."""
    work = [tree]
    while work:
        node = work.pop()
        for field in BLOCK_FIELDS:
            stmts = getattr(node, field, None)
            if isinstance(stmts, list):
                yield node, field, stmts
                work.extend(s for s in stmts if isinstance(s, COMPOUND))


def is_rt_call(e, rt, helper=None):
    """Whether `e` calls srcad's runtime (named `rt` in the generated code): `helper`, or any."""
    return isinstance(e, gast.Call) and isinstance(e.func, gast.Attribute) \
        and isinstance(e.func.value, gast.Name) and e.func.value.id == rt \
        and (helper is None or e.func.attr == helper)


def index_value(index, namespace):
    """An index as a value `_rt.add_at` can take: `a:b` becomes `slice(a, b, None)`."""
    if isinstance(index, gast.Slice):
        parts = [clone(p) if p is not None else const(None) for p in (index.lower, index.upper, index.step)]
        return call(namespace.refer(slice, "slice"), parts)
    if isinstance(index, gast.Tuple):
        return tuple_(index_value(e, namespace) for e in index.elts)
    return clone(index)


def callable_text(func):
    """How the code spells the function a call calls: `np.linalg.norm`."""
    parts = []
    while isinstance(func, gast.Attribute):
        parts.append(func.attr)
        func = func.value
    parts.append(func.id if isinstance(func, gast.Name) else type(func).__name__)
    return ".".join(reversed(parts))


def expression_text(expr):
    """One expression as source text (for comments in generated code)."""
    node = gast.Expression(body=expr)
    text = to_source(gast.fix_missing_locations(node)).strip()
    if text.startswith("(") and text.endswith(")"):  # astor's parentheses around a whole BinOp
        try:
            if ast.dump(ast.parse(text[1:-1], mode="eval")) == ast.dump(ast.parse(text, mode="eval")):
                return text[1:-1]
        except SyntaxError:
            pass
    return text
