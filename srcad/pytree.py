"""Containers of numbers (pytrees): their structure, their leaves, and back.

A `Tree` says what a value is made of: a dict (its keys), a list or tuple (its length), a
namedtuple, a dataclass instance or a plain object (its type and fields), or a leaf (a float,
an int, an array, or anything else, which is no number and gets no derivative). It is
hashable: derivatives are specialised on it as on argument kinds, and the generated code sees
only the leaves, as plain local names (`p_W1`, `bp_W1`), never the container.

    >>> node, leaves = flatten({"w": 1.0, "b": (2.0, "tag")})
    >>> leaves
    [1.0, 2.0, 'tag']
    >>> unflatten(node, [10.0, 20.0, None])
    {'w': 10.0, 'b': (20.0, None)}
"""
import dataclasses
from dataclasses import dataclass

import numpy as np

from .analyze import ARRAY, FLOAT, INT, OTHER, kind_of_type

DICT, LIST, TUPLE, NAMEDTUPLE, DATACLASS, OBJECT, LEAF = (
    "dict", "list", "tuple", "namedtuple", "dataclass", "object", "leaf")
NUMERIC = (FLOAT, INT, ARRAY)


@dataclass(frozen=True)
class Tree:
    shape: str            # DICT, LIST, ... or LEAF
    keys: tuple = ()      # dict keys, field names, or positions 0..n-1
    children: tuple = ()  # a Tree per key
    type_: type = None    # the container's own type (a dict subclass, a namedtuple, a dataclass)
    kind: str = None      # a leaf's kind (analyze's FLOAT, INT, ARRAY or OTHER)

    def child(self, key):
        """The Tree at `key` (a dict key, a field name, a position), or None."""
        if self.shape in (LIST, TUPLE, NAMEDTUPLE) and isinstance(key, int) and not isinstance(key, bool):
            key = key + len(self.keys) if key < 0 else key
        for k, child in zip(self.keys, self.children):
            if k == key and type(k) is type(key):
                return child
        return None

    def field(self, name_):
        """The Tree of the attribute `name_` (a namedtuple's, a dataclass's, an object's)."""
        if self.shape == NAMEDTUPLE:
            fields = self.type_._fields
            return self.children[fields.index(name_)] if name_ in fields else None
        return self.child(name_) if self.shape in (DATACLASS, OBJECT) else None

    def leaf_kinds(self):
        """The kinds of the leaves, in order."""
        return [node.kind for node in leaf_nodes(self)]


def is_container(value):
    """Whether `value` is a container srcad differentiates through (see `structure`)."""
    return _shape(value) != LEAF


def _shape(value):
    type_ = type(value)
    if issubclass(type_, dict):
        return DICT
    if issubclass(type_, tuple):
        return NAMEDTUPLE if hasattr(type_, "_fields") else TUPLE
    if issubclass(type_, list):
        return LIST
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return DATACLASS
    return LEAF


def flatten(value, objects=False):
    """(Tree, leaves): the structure of `value` and its leaves in order (depth first, dict keys
    in their order). `objects`: a plain object's attributes are fields too (`wrt="self"`)."""
    leaves = []
    root = _node(value, leaves, objects)
    return root, leaves


def _node(value, leaves, objects):
    shape = _shape(value)
    if shape == LEAF and objects and hasattr(value, "__dict__") and not callable(value) \
            and not isinstance(value, (np.ndarray, np.generic, type)):
        shape = OBJECT
    if shape == LEAF:
        leaves.append(value)
        return Tree(LEAF, kind=_leaf_kind(value))
    keys, items = _items(value, shape)
    children = tuple(_node(item, leaves, objects) for item in items)
    return Tree(shape, tuple(keys), children, type(value))


def _items(value, shape):
    if shape == DICT:
        return list(value.keys()), list(value.values())
    if shape in (LIST, TUPLE, NAMEDTUPLE):
        return list(range(len(value))), list(value)
    if shape == DATACLASS:
        names = [f.name for f in dataclasses.fields(value)]
        return names, [getattr(value, n) for n in names]
    return list(vars(value)), list(vars(value).values())


def _leaf_kind(value):
    if isinstance(value, (bool, np.bool_)) or value is None:
        return OTHER
    kind = kind_of_type(type(value))
    if kind == ARRAY and value.dtype.kind not in "fiuc":
        return OTHER
    return kind


def leaf_nodes(node):
    """The leaf Nodes of `node`, in the order `flatten` gives the leaves."""
    out, work = [], [node]
    while work:
        current = work.pop()
        if current.shape == LEAF:
            out.append(current)
        else:
            work.extend(reversed(current.children))
    return out


def unflatten(node, leaves):
    """The value of structure `node` with these leaves (an iterable, consumed in order)."""
    leaves = iter(leaves)
    return _build(node, leaves)


def _build(node, leaves):
    if node.shape == LEAF:
        return next(leaves)
    items = [_build(child, leaves) for child in node.children]
    if node.shape == DICT:
        built = dict(zip(node.keys, items))
        return built if node.type_ is dict else _of_type(node.type_, built)
    if node.shape == LIST:
        return items if node.type_ is list else _of_type(node.type_, items)
    if node.shape == TUPLE:
        return tuple(items) if node.type_ is tuple else _of_type(node.type_, items)
    if node.shape == NAMEDTUPLE:
        return node.type_(*items)
    made = object.__new__(node.type_)  # no __init__: a gradient's fields are gradients
    for key, item in zip(node.keys, items):
        object.__setattr__(made, key, item)
    return made


def _of_type(type_, items):
    try:
        return type_(items)
    except TypeError:  # a subclass whose constructor takes other arguments: the plain container
        return type_.__mro__[-2](items)
