"""Traced values: `Node`, the `Tape` it is recorded on, and the recording of each operation.

A node holds a value and how it was made: the rule giving its operands' cotangents (`vjp`),
those operands (`parents`) and the arguments the rule is called with (`args`, `kwargs`).
Python operators reach `binary`/`unary` through the dunder methods; numpy functions reach
`call` through `__array_ufunc__` and `__array_function__`. A new node is appended to its tape,
a plain list, so the tape is always in topological order.

`parents` is the one operand node (the rule then returns its cotangent alone), or a tuple of
`(i, j, node)`: the node gets cotangent `i` of the rule's tuple (the bare cotangent when `i` is
None), item `j` of it when the operand sits inside a list argument (`np.stack([x, y])`).

Several tapes may be alive at once (a gradient of a gradient). Each has a level; where nodes of
two tapes meet, the newer tape records and the older node is a constant to it, whose own
operations are recorded on its own tape.
"""
import math
import operator

import gast

from .. import runtime
from ..rules import registry
from .entries import CONSTANT, ENTRIES, MISSING, entry
from .refusals import in_place, keyword_operand, no_derivative_for, no_rule, refusal, stored_into_array, \
    uncovered_operand, unknown_keyword


class Tape(list):
    """The nodes of one gradient, in the order they were made."""
    __slots__ = ("level",)

    def __init__(self, level):
        super().__init__()
        self.level = level


class Node:
    """A value recorded on a tape. Operators and numpy functions applied to it are recorded."""
    __slots__ = ("value", "tape", "vjp", "parents", "args", "kwargs", "broadcasts", "grad")
    # the runtime helpers take it as they take numpy arrays (and so call the numpy functions it
    # records), not as another library's array that they keep as it is (runtime/core.py)
    __srcad_traced__ = True

    def __init__(self, value, tape, vjp, parents, args, kwargs, broadcasts):
        self.value = value
        self.tape = tape
        self.vjp = vjp
        self.parents = parents
        self.args = args
        self.kwargs = kwargs
        self.broadcasts = broadcasts
        self.grad = None  # the cotangent summed so far by the reverse sweep

    # ------------------------------------------------------------ Python's operators

    def __add__(self, other): return binary(gast.Add, operator.add, self, other)
    def __radd__(self, other): return binary(gast.Add, operator.add, other, self)
    def __sub__(self, other): return binary(gast.Sub, operator.sub, self, other)
    def __rsub__(self, other): return binary(gast.Sub, operator.sub, other, self)
    def __mul__(self, other): return binary(gast.Mult, operator.mul, self, other)
    def __rmul__(self, other): return binary(gast.Mult, operator.mul, other, self)
    def __truediv__(self, other): return binary(gast.Div, operator.truediv, self, other)
    def __rtruediv__(self, other): return binary(gast.Div, operator.truediv, other, self)
    def __floordiv__(self, other): return binary(gast.FloorDiv, operator.floordiv, self, other)
    def __rfloordiv__(self, other): return binary(gast.FloorDiv, operator.floordiv, other, self)
    def __mod__(self, other): return binary(gast.Mod, operator.mod, self, other)
    def __rmod__(self, other): return binary(gast.Mod, operator.mod, other, self)
    def __matmul__(self, other): return binary(gast.MatMult, operator.matmul, self, other)
    def __rmatmul__(self, other): return binary(gast.MatMult, operator.matmul, other, self)
    def __and__(self, other): return binary(gast.BitAnd, operator.and_, self, other)
    def __rand__(self, other): return binary(gast.BitAnd, operator.and_, other, self)
    def __or__(self, other): return binary(gast.BitOr, operator.or_, self, other)
    def __ror__(self, other): return binary(gast.BitOr, operator.or_, other, self)
    def __xor__(self, other): return binary(gast.BitXor, operator.xor, self, other)
    def __rxor__(self, other): return binary(gast.BitXor, operator.xor, other, self)
    def __rpow__(self, other): return binary(gast.Pow, operator.pow, other, self)

    def __pow__(self, other, modulo=None):
        if modulo is not None:
            raise refusal("pow() with a modulus on a traced value", "Use x ** y % m")
        return binary(gast.Pow, operator.pow, self, other)

    def __neg__(self): return unary(gast.USub, operator.neg, self)
    def __pos__(self): return unary(gast.UAdd, operator.pos, self)
    def __abs__(self): return unary(abs, abs, self)
    def __invert__(self): return unary(gast.Invert, operator.invert, self)

    # Comparisons give plain bools (or bool arrays): the tables say they have no derivative.
    def __lt__(self, other): return binary(gast.Lt, operator.lt, self, other)
    def __le__(self, other): return binary(gast.LtE, operator.le, self, other)
    def __gt__(self, other): return binary(gast.Gt, operator.gt, self, other)
    def __ge__(self, other): return binary(gast.GtE, operator.ge, self, other)
    def __eq__(self, other): return binary(gast.Eq, operator.eq, self, other)
    def __ne__(self, other): return binary(gast.NotEq, operator.ne, self, other)
    __hash__ = object.__hash__

    def __bool__(self): return bool(self.value)
    def __int__(self): return int(self.value)
    def __round__(self, ndigits=None): return round(self.value, ndigits)
    def __floor__(self): return math.floor(self.value)
    def __ceil__(self): return math.ceil(self.value)
    def __trunc__(self): return math.trunc(self.value)

    def __float__(self):
        # math.sin(x), math.exp(x), float(x) and `a[i] = x` into a plain array all come here;
        # none can be recorded.
        raise stored_into_array() or refusal(
            "a traced value was turned into a plain float (by float(), a math function such as "
            "math.sin): the tape cannot record that",
            "Use the numpy spelling (np.sin, np.exp, ...) on traced values, or use srcad.grad, "
            "which reads math calls")

    def __array__(self, dtype=None, copy=None):
        raise stored_into_array() or refusal(
            "a traced value was turned into a plain numpy array (np.array, np.asarray, or a "
            "nested list given to numpy): the tape cannot record that",
            "Pass it to numpy functions as it is (they are recorded), or use srcad.grad")

    # ------------------------------------------------------------ indexing and array attributes

    def __getitem__(self, index):
        return take(self, index)

    def __setitem__(self, index, value):
        raise refusal("assignment into a traced array (x[i] = ...): the tape cannot record "
                      "in-place changes", "Build a new array instead, or use srcad.grad")

    def __len__(self):
        return len(self.value)

    def __iter__(self):
        return (take(self, i) for i in range(len(self.value)))

    def __getattr__(self, name):
        # Only reached for names that are not slots: array attributes and method spellings.
        if name.startswith("__"):  # numpy and copy probing for protocols
            raise AttributeError(name)
        if name in ("shape", "ndim", "size", "dtype"):
            return getattr(self.value, name)
        spelled = registry().attributes.get(name)  # x.T is np.transpose(x)
        if spelled is not None:
            return spelled(self)
        method = registry().methods.get(name)
        if method is not None:  # recorded by its own rule (`x.copy()` is no numpy call)
            return lambda *args, **kwargs: call(method, (self,) + args, kwargs)
        if hasattr(self.value, name):
            spelling = f".{name}()" if callable(getattr(self.value, name)) else f".{name}"
            raise AttributeError(f"srcad.tape cannot record {spelling} of a traced value (no "
                                 "rule table spells it); call the numpy function instead")
        raise AttributeError(name)

    # ------------------------------------------------------------ numpy

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__":
            raise refusal(f"np.{ufunc.__name__}.{method} on a traced value has no derivative rule",
                          f"Use np.{ufunc.__name__}(...) or a reduction such as np.sum")
        if kwargs.get("out") is not None:
            raise in_place(ufunc)
        return call(ufunc, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return call(func, args, kwargs)

    @staticmethod
    def __srcad_call__(fn, args, kwargs):
        # For an opaque function (@srcad.primitive) that hands a call with a traced argument
        # to the tape, so that its registered rule is used, as numpy does through
        # __array_function__.
        return call(fn, args, kwargs)

    def __repr__(self):
        return f"Node({self.value!r})"

    def __format__(self, spec):
        return format(self.value, spec)


# ---------------------------------------------------------------- recording

def binary(key, op, x, y):
    """`op(x, y)` for the operator `key` (a gast class); x or y, or both, are nodes."""
    found = ENTRIES.get(key) or entry(key)
    x_on = type(x) is Node
    y_on = type(y) is Node
    if x_on and y_on and x.tape is not y.tape:
        x_on, y_on = x.tape.level > y.tape.level, y.tape.level > x.tape.level
    xv = x.value if x_on else x
    yv = y.value if y_on else y
    if found is CONSTANT:
        return op(xv, yv)
    if found is MISSING:
        raise no_rule(key)
    refuse_no_rule(key, found, ([0] if x_on else []) + ([1] if y_on else []))
    ans = op(xv, yv)
    parts = found.parts
    if found.single or parts is None or len(parts) != 2:
        active = [(0, None, x)] if x_on else []
        active += [(1, None, y)] if y_on else []
        return record(key, found, ans, (xv, yv), None, active, (x if x_on else y).tape)
    if x_on and y_on:
        vjp, parents, tape = found.fn, ((0, None, x), (1, None, y)), x.tape
    elif x_on:
        vjp, parents, tape = parts[0], x, x.tape
    else:
        vjp, parents, tape = parts[1], y, y.tape
    if vjp is None:  # the table says: no derivative for that operand
        return ans
    node = Node(ans, tape, vjp, parents, (xv, yv), None, found.broadcasts)
    tape.append(node)
    return node


def unary(key, op, x):
    """`op(x)` for the operator or builtin `key`; x is a node."""
    found = ENTRIES.get(key) or entry(key)
    xv = x.value
    if found is CONSTANT:
        return op(xv)
    if found is MISSING:
        raise no_rule(key)
    ans = op(xv)
    vjp = found.fn if found.parts is None else found.parts[0]
    if vjp is None:
        return ans
    node = Node(ans, x.tape, vjp, x, (xv,), None, False)
    x.tape.append(node)
    return node


def call(fn, args, kwargs):
    """`fn(*args, **kwargs)` for a numpy function `fn`; some arguments are nodes."""
    found = ENTRIES.get(fn) or entry(fn)
    if found is CONSTANT:
        return fn(*map(plain, args), **{k: plain(v) for k, v in kwargs.items()})
    if found is MISSING:
        raise no_rule(fn)
    if len(args) == 1 and not kwargs and type(args[0]) is Node:  # np.sin(x): the usual case
        refuse_no_rule(fn, found, [0])
        x = args[0]
        xv = x.value
        ans = fn(xv)
        vjp = found.fn if found.parts is None else found.parts[0]
        if vjp is None:
            return ans
        node = Node(ans, x.tape, vjp, x, (xv,), None, found.broadcasts)
        x.tape.append(node)
        return node
    if kwargs.get("out") is not None:
        raise in_place(fn)
    if found.accepts is not None and not found.accepts.issuperset(kwargs):
        raise unknown_keyword(fn, set(kwargs) - found.accepts)
    tape = newest(args, kwargs)
    active = []
    raw_args = tuple(_unwrap(a, i, tape, active) for i, a in enumerate(args))
    raw_kwargs = {}
    for keyword, value in kwargs.items():
        position = found.names.index(keyword) if found.names and keyword in found.names else None
        count = len(active)
        raw_kwargs[keyword] = _unwrap(value, position, tape, active)
        if position is None and len(active) > count:
            raise keyword_operand(fn, keyword)
    ans = fn(*raw_args, **raw_kwargs)
    return record(fn, found, ans, raw_args, raw_kwargs or None, active, tape)


def record(key, found, ans, args, kwargs, active, tape):
    """Append the node of `ans` (the result of `key`) to `tape`. `active` lists
    `(position, item, node)` for each operand of this tape among the arguments (item: its
    index inside a list argument). An operand the rule has no cotangent slot for is refused:
    dropping it would be a silently wrong derivative."""
    single = found.single if found.single is not None else len(args) == 1
    width = 1 if single else len(found.parts) if found.parts is not None else len(args)
    positions = {i for i, _, _ in active}
    refuse_no_rule(key, found, positions)
    for i in positions:
        if i >= width:
            names = found.names
            raise uncovered_operand(key, repr(names[i]) if names and i < len(names) else i)
    if single:
        vjp = found.fn
        active = [(None, j, n) for _, j, n in active]
    elif found.parts is not None and len(positions) == 1:
        vjp = found.parts[active[0][0]]
        active = [(None, j, n) for _, j, n in active]
    else:
        vjp = found.fn
    if vjp is None or not active:
        return ans
    first = active[0]
    parents = first[2] if len(active) == 1 and first[:2] == (None, None) else tuple(active)
    node = Node(ans, tape, vjp, parents, args, kwargs, found.broadcasts)
    tape.append(node)
    return node


def refuse_no_rule(key, found, positions):
    """Refuse traced operands at `positions` whose cotangent srcad has no rule for (betainc's
    shape parameters): the rule's term there is only a stand-in."""
    for i in positions:
        if i in found.no_rule:
            names = found.names
            raise no_derivative_for(key, names[i] if names and i < len(names) else i)


def _take_vjp(g, ans, a, index):
    # The adjoint of `a[index]`: the helper the source transformation's generated code calls.
    return runtime.add_at(0.0, a, index, g)


def take(x, index):
    """`x[index]`, recorded; an index holding nodes is used by value (it has no derivative)."""
    index = plain(index)
    xv = x.value
    ans = xv[index]
    node = Node(ans, x.tape, _take_vjp, x, (xv, index), None, False)
    x.tape.append(node)
    return node


# ---------------------------------------------------------------- arguments

def plain(value):
    """`value` with nodes (also those inside a list or tuple) replaced by their values."""
    if type(value) is Node:
        return value.value
    if type(value) in (list, tuple) and any(type(v) is Node for v in value):
        return type(value)(v.value if type(v) is Node else v for v in value)
    return value


def newest(args, kwargs):
    """The tape of the highest level among the nodes in the arguments."""
    tape = None
    for value in (*args, *kwargs.values()):
        items = value if type(value) in (list, tuple) else (value,)
        for item in items:
            if type(item) is Node and (tape is None or item.tape.level > tape.level):
                tape = item.tape
    return tape


def _unwrap(value, position, tape, active):
    """`value` with the nodes of `tape` replaced by their values, noted in `active`; nodes of
    older tapes stay: they are constants here, recorded on their own tape when used."""
    if type(value) is Node:
        if value.tape is not tape:
            return value
        active.append((position, None, value))
        return value.value
    if type(value) in (list, tuple) and any(type(v) is Node for v in value):
        items = []
        for j, item in enumerate(value):
            if type(item) is Node and item.tape is tape:
                active.append((position, j, item))
                item = item.value
            items.append(item)
        return type(value)(items)
    return value
