"""What the rewrite of containers as their leaves (containers.py) works with: `Layout`, what it
made; `Static`, a container whose structure is known while rewriting; `Expressions`, which
rewrites the expressions inside a node; `Held`, a value already rewritten standing where an
expression goes; and reading a constant key."""
from dataclasses import dataclass, field

import gast

from . import pytree


@dataclass
class Layout:
    """What the rewrite made: each container parameter's leaf parameters (in `flatten`'s order)
    and the structure of the output, where f returns a container built from literals."""
    params: dict = field(default_factory=dict)   # parameter -> [leaf parameter names]
    output: pytree.Tree = None


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
        """The pytree.Tree of this structure (leaves of unknown kind)."""
        children = tuple(item.node() if isinstance(item, Static) else pytree.Tree(pytree.LEAF)
                         for item in self.items)
        return pytree.Tree(self.shape, tuple(self.keys), children, self.type_)

    def leaves(self):
        out, work = [], [self]
        while work:
            current = work.pop()
            if isinstance(current, Static):
                work.extend(reversed(current.items))
            else:
                out.append(current)
        return out


class Expressions(gast.NodeTransformer):
    """Rewrites the expressions inside a node, each container use through `_Rewriter.value`."""

    def __init__(self, rewriter):
        self.rewriter = rewriter

    def _rewritten(self, node):
        if isinstance(getattr(node, "ctx", None), (gast.Store, gast.Del)):
            return self.generic_visit(node)
        return self.rewriter.expr(self.rewriter.value(node), node)

    visit_Name = visit_Subscript = visit_Attribute = visit_Dict = visit_Tuple = visit_List = _rewritten

    def visit_Held(self, node):
        return self.rewriter.expr(node.value, node)

    def visit_Call(self, node):
        return self.rewriter.expr(self.rewriter.value(node), node)


class Held(gast.expr):
    """A value already rewritten (an inlined helper's result), standing where an expression goes."""
    _fields = ()

    def __init__(self, value):
        super().__init__()
        self.value = value


NOT_CONSTANT = object()


def constant_index(index):
    if isinstance(index, gast.Constant) and isinstance(index.value, (int, str)):
        return index.value
    if isinstance(index, gast.UnaryOp) and isinstance(index.op, gast.USub) \
            and isinstance(index.operand, gast.Constant) and isinstance(index.operand.value, int):
        return -index.operand.value
    return NOT_CONSTANT


def describe(static):
    if static.shape in (pytree.NAMEDTUPLE, pytree.DATACLASS, pytree.OBJECT):
        return static.type_.__name__
    return static.shape
