"""Small constructors and queries for gast nodes, so passes read as what they build."""
import ast
import collections
import copy

import astor
import gast

from . import convert, printer
from .ir import BLOCK_FIELDS, COMPOUND


OPERATOR_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//",
                    gast.Mod: "%", gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|",
                    gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>"}


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
    location = {"lineno": like.lineno, "col_offset": getattr(like, "col_offset", 0),
                "end_lineno": getattr(like, "end_lineno", like.lineno),
                "end_col_offset": getattr(like, "end_col_offset", 0)}
    for child in nodes(node, own_lines=True):
        if isinstance(child, (gast.stmt, gast.expr)):
            child.__dict__.update(location)
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

    def twin_of(value):  # the copy of `value`, as the items it holds and its fields are copied
        how = _TREATMENT.get(type(value)) or _treatment(type(value))
        if how is _SHARE:
            return value
        if how is _DEEP:
            return copy.deepcopy(value, memo)
        twin = made.get(id(value))
        if twin is None:
            twin = made[id(value)] = _empty_like(value)
            work.append(value)
        return twin
    while work:
        item = work.pop()
        twin = made[id(item)]
        if isinstance(item, list):
            twin.extend(twin_of(value) for value in item)
            continue
        own, new = item.__dict__, twin.__dict__
        new.update(own)  # then the values that are not shared (most are: lines, names, Load())
        for key, value in own.items():
            if (_TREATMENT.get(type(value)) or _treatment(type(value))) is not _SHARE:
                new[key] = twin_of(value)
    return made[id(node)]


def _empty_like(item):
    return [] if isinstance(item, list) else item.__class__.__new__(item.__class__)


def walk(node):
    """Every node in `node`, itself first, breadth first: `ast.walk`, in its order, at about
    half its cost (the passes walk the derivative's tree many times)."""
    todo = collections.deque([node])
    take, put = todo.popleft, todo.append
    while todo:
        node = take()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        put(item)
            elif isinstance(value, ast.AST):
                put(value)
        yield node


def nodes(node, own_lines=False):
    """The nodes `walk` gives, in its order, but for contexts and operators (`Load()`, `Add()`),
    as a list (for questions about names and calls). `own_lines`: not the statements in the
    bodies of branches and loops (those that have lines of their own)."""
    found, k = [node], 0
    while k < len(found):
        node = found[k]
        k += 1
        skip = BLOCK_FIELDS if own_lines and isinstance(node, COMPOUND) else ()
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                if field not in skip:
                    found += [item for item in value if isinstance(item, ast.AST) and not isinstance(item, LEAVES)]
            elif isinstance(value, ast.AST) and not isinstance(value, LEAVES):
                found.append(value)
    return found


def is_atom(expr):
    return isinstance(expr, (gast.Name, gast.Constant))


def names_in(node):
    """Names read in `node` (loads only)."""
    return [n.id for n in nodes(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def assigned_names(target):
    """The plain names a target stores to (`a`, `(a, b)`; not `a[i]`, whose base is read)."""
    return [n.id for n in nodes(target) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]


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


# contexts and operators (`Load()`, `Add()`): nodes without fields, never changed, so shared
LEAVES = (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)
_SHARE, _COPY, _DEEP = "share", "copy", "deepcopy"
_TREATMENT = {}  # type -> how clone copies a value of it, decided once per type


def _treatment(kind):
    """How `clone` copies a value of type `kind`: contexts and operators (no fields, never
    changed) and Python's immutable atoms are shared, nodes and lists copied, the rest given
    to deepcopy."""
    if issubclass(kind, LEAVES) or kind is type(None) or issubclass(kind, (str, int, float, complex, bytes)):
        how = _SHARE
    elif issubclass(kind, (gast.AST, list)):
        how = _COPY
    else:
        how = _DEEP
    _TREATMENT[kind] = how
    return how


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
                        if isinstance(child, gast.AST) and not isinstance(child, LEAVES):
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
    """Python text of a gast tree, printed by astor (`options` are astor.to_source's), with
    negative number constants written as a unary minus on their positive (see
    convert.to_printable_ast). Without options, printer.py makes the same text faster."""
    if not options:
        return printer.to_source(node)
    return astor.to_source(convert.to_printable_ast(node), **options)


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
