"""Shape specialisation of a finished reverse-mode derivative: what the array arguments'
shapes, known when it is compiled, settle before it runs.

The derivative of a function called with arrays of fixed shapes is compiled for those shapes
too (shaped.py keys it on them, with a general fallback). `Inference` runs the derivative
abstractly over its statements: each name holds one of a few alternatives, each a kind
("zero": the Python 0.0, "float", "int": Python numbers, "generic": a numpy scalar,
"ndarray": exactly numpy.ndarray, "range", "shape": a tuple of ints, the shape field its
value) with a shape, or TOP: anything (a list, an unknown call's result). Loops run to a fixed
point; what is pushed on the tape is what is popped back, and what a checkpointed loop's
schedule saves (`_revolve.save((h,))`) is what it loads back (`h, = _revolve.load()`).
Anything it does not model stops it (no rewrite at all), and an alternative it does not know
makes TOP, which keeps the runtime helper: the general code. What each operation gives is in shape_rules.py.

Where every alternative agrees, `Resolve` (shape_resolve.py) writes a helper out as plain
numpy, computing what the helper computes for those alternatives (then loops.py works on the
loops):
- `_rt.unbroadcast(g, x)` is `g` where their shapes are equal (`np.sum` over leading axes);
- `_rt.zeros_as(g, like)` is `g` where `g` is never the 0.0 of an adjoint still all zero;
- `_rt.add(a, b)` is `b` where `a` is 0.0, else `a + b` for numbers and arrays;
- `_rt.matmul_left/right(g, a, b)` is `np.outer(g, b)`, `g @ b.T`, `a.T @ g` or `g * b` for
  vectors and matrices.
"""
import gast
import numpy as np

from .. import gastutil as g
from .. import runtime
from . import in_place, loop_sums, loops, stretches
from ..gastutil import is_rt_call
from .shape_resolve import Resolve
from .shape_rules import (ARGUMENTS, NUMERIC, RUNTIME, TOP, GiveUp, augmented, elementwise, join, lift, matmul,
                          one, python_arithmetic)

_FULL_REDUCTIONS = (np.sum, np.mean, np.prod, np.max, np.min)  # of a whole array: a numpy scalar
_MAX_TURNS = 12  # fixed-point iterations of one loop before giving up
_SCHEDULE = one("revolve")  # `_rt.Revolve(...)`, a checkpointed loop's schedule


class Seen:
    """What the inference found of the operands of some expressions (their alternatives), by
    node. The node is kept with them, so that a newer node given the id of a dropped one is
    never taken for it."""

    def __init__(self):
        self.entries = {}

    def get(self, node):
        entry = self.entries.get(id(node))
        return entry[1] if entry is not None and entry[0] is node else None

    def put(self, node, values):
        self.entries[id(node)] = (node, values)


class Inference:
    """The alternatives of every name at every point of `tree` (a derivative's FunctionDef),
    given those of its parameters (`params`); `resolve(func)` the object a call names; `rt`
    the name of srcad's runtime module there. After `run`, `seen.get(node)` holds the
    alternatives of each argument of the runtime calls and of the operands of `+` (joined over
    every time they were evaluated)."""

    def __init__(self, tree, params, resolve, rt):
        self.tree, self.params, self.resolve, self.rt = tree, params, resolve, rt
        self.pushed = {}  # (tape or schedule, names) -> the tuple of alternatives pushed or saved
        self.seen = Seen()

    def run(self):
        for _ in range(4):  # what is pushed in a later loop may reach a pop read earlier
            before = dict(self.pushed)
            self.seen = Seen()
            self.block(self.tree.body, dict(self.params))
            if self.pushed == before:
                return self
        raise GiveUp("tape")

    # --- statements --------------------------------------------------------------------------

    def block(self, stmts, env):
        for stmt in stmts:
            env = self.statement(stmt, env)
        return env

    def statement(self, stmt, env):
        if isinstance(stmt, gast.Assign):
            return self.assign(stmt, env)
        if isinstance(stmt, gast.AugAssign):
            if isinstance(stmt.target, gast.Attribute):
                raise GiveUp("attribute store")
            if not isinstance(stmt.target, gast.Name):  # a write into an array keeps its shape
                self.expr(stmt.value, env)
                return env
            value = lift(augmented(stmt.op), self.name(stmt.target.id, env), self.expr(stmt.value, env))
            return {**env, stmt.target.id: value}
        if isinstance(stmt, gast.Expr):
            self.expression_statement(stmt.value, env)
            return env
        if isinstance(stmt, gast.For):
            return self.loop(stmt, env)
        if isinstance(stmt, gast.While):
            return self.loop(stmt, env)
        if isinstance(stmt, gast.If):
            self.expr(stmt.test, env)
            return _join_envs(self.block(stmt.body, dict(env)), self.block(stmt.orelse, dict(env)))
        if isinstance(stmt, gast.Delete):
            return {k: v for k, v in env.items() if k not in {n.id for n in stmt.targets
                                                             if isinstance(n, gast.Name)}}
        if isinstance(stmt, (gast.Return, gast.Raise, gast.Assert, gast.Pass)):
            for child in gast.iter_child_nodes(stmt):
                if isinstance(child, gast.expr):
                    self.expr(child, env)
            return env
        raise GiveUp(type(stmt).__name__)  # break, continue, try, with, nested functions

    def assign(self, stmt, env):
        if len(stmt.targets) != 1:
            raise GiveUp("chained assignment")
        target = stmt.targets[0]
        if isinstance(target, gast.Attribute):  # a.shape = ...: shapes change
            raise GiveUp("attribute store")
        popped = self.popped(stmt, target, env)
        if popped is not None:
            return {**env, **popped}
        value = self.expr(stmt.value, env)
        if isinstance(target, gast.Name):
            return {**env, target.id: value}
        if isinstance(target, gast.Subscript):  # a write into an array keeps its shape
            self.expr(target.value, env)
            self.expr(target.slice, env)
            return env
        return {**env, **{n: TOP for n in g.assigned_names(target)}}

    def popped(self, stmt, target, env):
        """{name: alternatives} for `names = _tape.pop()` and `names = _revolve.load()`, from
        what was pushed or saved for them."""
        value = stmt.value
        if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr in ("pop", "load") and not value.args
                and isinstance(value.func.value, gast.Name)):
            return None
        if value.func.attr == "load" and self.name(value.func.value.id, env) != _SCHEDULE:
            return None
        names = _names_of(target)
        if names is None:
            return {n: TOP for n in g.assigned_names(target)}
        pushed = self.pushed.get((value.func.value.id, names))
        if pushed is None:
            return {n: TOP for n in names}
        return dict(zip(names, pushed))

    def expression_statement(self, value, env):
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute):
            if value.func.attr == "resize":
                raise GiveUp("resize")
            kept = value.func.attr == "append" or value.func.attr == "save" \
                and isinstance(value.func.value, gast.Name) and self.name(value.func.value.id, env) == _SCHEDULE
            if kept and isinstance(value.func.value, gast.Name) and len(value.args) == 1:
                names = _names_of(value.args[0])
                if names is not None:
                    key = (value.func.value.id, names)
                    values = tuple(self.name(n, env) for n in names)
                    old = self.pushed.get(key)
                    self.pushed[key] = values if old is None else tuple(map(join, old, values))
        self.expr(value, env)

    def loop(self, stmt, env):
        head = env
        for _ in range(_MAX_TURNS):
            inner = dict(head)
            if isinstance(stmt, gast.For):
                items = self.expr(stmt.iter, inner)
                kind = TOP if items is TOP or any(alt[0] != "range" for alt in items) else one("int")
                if isinstance(stmt.target, gast.Name):
                    inner[stmt.target.id] = kind
                else:
                    inner.update({n: TOP for n in g.assigned_names(stmt.target)})
            else:
                self.expr(stmt.test, inner)
            end = self.block(stmt.body, inner)
            after = _join_envs(head, end)
            if after == head:
                self.block(stmt.orelse, dict(head))
                return head
            head = after
        raise GiveUp("loop")

    # --- expressions ---------------------------------------------------------------------------

    def name(self, id_, env):
        return env.get(id_, TOP)

    def record(self, node, values):
        old = self.seen.get(node)
        self.seen.put(node, values if old is None or len(old) != len(values) else tuple(map(join, old, values)))

    def expr(self, node, env):
        if isinstance(node, gast.Name):
            return self.name(node.id, env)
        if isinstance(node, gast.Constant):
            v = node.value
            if type(v) is float:
                return one("zero") if v == 0.0 and str(v) == "0.0" else one("float")
            return one("int") if type(v) is int else TOP
        if isinstance(node, gast.BinOp):
            left, right = self.expr(node.left, env), self.expr(node.right, env)
            self.record(node, (left, right))
            if isinstance(node.op, gast.MatMult):
                return lift(matmul, left, right)
            if isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)):
                return lift(elementwise(node.op, python_arithmetic), left, right)
            return TOP
        if isinstance(node, gast.UnaryOp):
            operand = self.expr(node.operand, env)
            if isinstance(node.op, (gast.USub, gast.UAdd)):
                return lift(lambda a: ("float", ()) if a[0] == "zero" else a
                            if a[0] in NUMERIC else None, operand)
            return TOP
        if isinstance(node, gast.Call):
            return self.call(node, env)
        if isinstance(node, gast.Attribute):
            value = self.expr(node.value, env)
            return lift(lambda a: _attribute(a, node.attr), value)
        if isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Slice):
            value = self.expr(node.value, env)
            if value == one("range"):  # a stretch of a checkpointed loop's turns
                self.expr(node.slice, env)
                return value
            bounds = _slice_bounds(node.slice)
            return TOP if bounds is None else lift(lambda a: _sliced(a, bounds), value)
        if isinstance(node, gast.Subscript):
            value, index = self.expr(node.value, env), self.expr(node.slice, env)
            constant = node.slice.value if isinstance(node.slice, gast.Constant) else None
            return lift(lambda a, i: _subscript(a, i, constant), value, index)
        for child in gast.iter_child_nodes(node):  # tuples, comparisons, ...: their parts are read
            if isinstance(child, gast.expr):
                self.expr(child, env)
        return TOP

    def call(self, node, env):
        args = [self.expr(a, env) for a in node.args]
        for kw in node.keywords:
            self.expr(kw.value, env)
        if is_rt_call(node, self.rt):
            helper = node.func.attr
            self.record(node, tuple(args))
            rule = RUNTIME.get(helper)
            if rule is None or node.keywords:
                return TOP
            if helper in ARGUMENTS:
                args = [args[i] for i in ARGUMENTS[helper]]
            return lift(rule, *args)
        if isinstance(node.func, gast.Attribute) and node.func.attr == "copy" and not node.args:
            return lift(lambda a: a if a[0] == "ndarray" else None, self.expr(node.func.value, env))
        if node.keywords:
            return TOP
        fn = self.resolve(node.func)
        if isinstance(fn, np.ufunc) and fn.signature is None and fn.nout == 1 and len(args) == fn.nin:
            return lift(elementwise(fn), *args)
        if fn is np.transpose and len(args) == 1:
            return lift(lambda a: ("ndarray", a[1][::-1]) if a[0] == "ndarray" else None, args[0])
        if any(fn is r for r in _FULL_REDUCTIONS) and len(args) == 1:
            return lift(lambda a: ("generic", ()) if a[0] in NUMERIC else None, args[0])
        if fn is range and args and all(a is not TOP and all(alt[0] == "int" for alt in a) for a in args):
            return one("range")
        if fn is reversed and len(args) == 1 and args[0] == one("range"):
            return one("range")
        return TOP


def _attribute(a, attr):
    if a[0] not in ("ndarray", "generic"):
        return None
    if attr == "shape":
        return ("shape", a[1])
    if attr == "T" and a[0] == "ndarray":
        return ("ndarray", a[1][::-1])
    if attr in ("ndim", "size"):
        return ("int", ())
    return None


def _subscript(a, i, constant):
    if a[0] == "ndarray" and a[1] and i[0] == "int":
        rest = a[1][1:]
        return ("ndarray" if rest else "generic", rest)
    if a[0] == "shape" and type(constant) is int and -len(a[1]) <= constant < len(a[1]):
        return ("int", ())
    return None


def _slice_bounds(index):
    """`slice(lower, upper, step)` of a slice of constants (None where left out), else None."""
    parts = []
    for part in (index.lower, index.upper, index.step):
        if part is None:
            parts.append(None)
        elif isinstance(part, gast.Constant) and type(part.value) is int:
            parts.append(part.value)
        elif isinstance(part, gast.UnaryOp) and isinstance(part.op, gast.USub) \
                and isinstance(part.operand, gast.Constant) and type(part.operand.value) is int:
            parts.append(-part.operand.value)
        else:
            return None
    return None if parts[2] == 0 else slice(*parts)


def _sliced(a, bounds):
    if a[0] != "ndarray" or not a[1]:
        return None
    return ("ndarray", (len(range(a[1][0])[bounds]),) + a[1][1:])


def _names_of(node):
    """The names of `x` or of the tuple `(x, y)`; None for anything else."""
    if isinstance(node, gast.Name):
        return (node.id,)
    if isinstance(node, gast.Tuple) and all(isinstance(e, gast.Name) for e in node.elts):
        return tuple(e.id for e in node.elts)
    return None


def _join_envs(a, b):
    out = {}
    for k in a.keys() | b.keys():
        if k in a and k in b:
            out[k] = join(a[k], b[k])
        else:  # set on one path only: read on the other it would raise
            out[k] = a.get(k, b.get(k))
    return out


def parameters(shapes, kinds):
    """The alternatives of the parameters: the given array shapes, Python numbers by kind."""
    params = {}
    for name_, kind in kinds.items():
        if name_ in shapes:
            params[name_] = one("ndarray", tuple(shapes[name_][0]))
        elif kind == "float":
            params[name_] = one("float")
        elif kind == "int":
            params[name_] = one("int")
    return params



def apply(tree, src, shapes, kinds, resolve):
    """`tree` (a final reverse-mode derivative) with the runtime helpers that the array
    arguments' `shapes` (name -> (shape, dtype)) settle written out; unchanged where the
    inference gives up."""
    rt = src.namespace.refer(runtime, "_rt").id
    try:
        inference = Inference(tree, parameters(shapes, kinds), resolve, rt).run()
    except GiveUp:
        return tree
    numpy = lambda: src.namespace.refer(np, "np")  # noqa: E731
    Resolve(tree, inference.seen, rt, numpy).run()
    loops.drop_passes_through(tree)
    loops.propagate_copies(tree)
    loops.trim_tape(tree)
    stretches.trim_nested_tape(tree)
    if all(np.dtype(dtype) == np.float64 or np.dtype(dtype).kind in "biu" for _, dtype in shapes.values()):
        # the arrays computed are float64: adding into one is adding to it
        accumulators = loops.accumulate_in_place(tree, inference.seen, lambda shape: g.call(
            g.attr(numpy(), "zeros"), [g.tuple_(g.const(n) for n in shape)]))
        loop_sums.hoist_sums(tree, accumulators, inference.seen, numpy, resolve, rt, src.namespace.names.fresh)
        loop_sums.rows_from_forward(tree)
        loop_sums.rows_as_slices(tree, set(shapes), resolve, rt)
        loops.trim_tape(tree)
        in_place.spread_numbers(tree, inference.seen, rt)
    in_place.reuse_temporaries(tree, inference.seen, numpy, resolve, rt)
    return tree
