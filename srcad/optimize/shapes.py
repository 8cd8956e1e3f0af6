"""Shape specialisation of a finished reverse-mode derivative: what the array arguments'
shapes, known when it is compiled, settle before it runs.

The derivative of a function called with arrays of fixed shapes is compiled for those shapes
too (shaped.py keys it on them, with a general fallback). `Inference` runs the derivative
abstractly over its statements: each name holds one of a few alternatives, each a kind
("zero": the Python 0.0, "float", "int": Python numbers, "generic": a numpy scalar,
"ndarray": exactly numpy.ndarray, "range", "shape": a tuple of ints, the shape field its
value) with a shape, or TOP: anything (a list, an unknown call's result). Loops run to a fixed
point; what is pushed on the tape is what is popped back. Anything it does not model stops it
(no rewrite at all), and an alternative it does not know makes TOP, which keeps the runtime
helper: the general code.

Where every alternative agrees, `Resolve` writes a helper out as plain numpy, computing what
the helper computes for those alternatives (then loops.py works on the loops):
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
from . import loops
from ..gastutil import is_rt_call

TOP = None
_NUMBERS = ("zero", "float", "int")
_NUMERIC = _NUMBERS + ("generic", "ndarray")
_MAX_ALTERNATIVES = 6
_FULL_REDUCTIONS = (np.sum, np.mean, np.prod, np.max, np.min)  # of a whole array: a numpy scalar
_MAX_TURNS = 12  # fixed-point iterations of one loop before giving up


class GiveUp(Exception):
    """The derivative has a construct the inference does not model: no rewrite."""


def one(kind, shape=()):
    return frozenset({(kind, shape)})


def join(a, b):
    if a is TOP or b is TOP:
        return TOP
    both = a | b
    return both if len(both) <= _MAX_ALTERNATIVES else TOP


def lift(rule, *values):
    """The alternatives of `rule` applied to every combination of the values' alternatives
    (`rule` returns an alternative, a set of them, or None: anything)."""
    if any(v is TOP for v in values):
        return TOP
    combos = [()]
    for v in values:
        combos = [c + (alt,) for c in combos for alt in v]
        if len(combos) > 64:
            return TOP
    out = frozenset()
    for combo in combos:
        found = rule(*combo)
        if found is None:
            return TOP
        out = join(out, found if isinstance(found, frozenset) else frozenset({found}))
        if out is TOP:
            return TOP
    return out


def _broadcast(shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def elementwise(op, python_result=None):
    """The rule of an elementwise operation; `python_result(kinds)`: its result's kind(s) on
    Python numbers alone (None: unknown; a numpy ufunc makes a numpy scalar of them)."""
    def rule(*alts):
        kinds = [a[0] for a in alts]
        if any(k not in _NUMERIC for k in kinds):
            return None
        shape = _broadcast([a[1] for a in alts])
        if shape is None:
            return None
        if "ndarray" in kinds:
            return ("ndarray" if shape else "generic", shape)
        if "generic" in kinds or python_result is None:
            return ("generic", ())
        found = python_result(kinds, op)
        return None if found is None else frozenset((k, ()) for k in found)
    return rule


def _python_arithmetic(kinds, op):
    floats = any(k != "int" for k in kinds)
    if isinstance(op, gast.Div):
        return ("float",)
    if isinstance(op, gast.Pow):  # a float power of a negative number is complex
        if kinds[1] != "int":
            return None
        return ("float",) if floats else ("int", "float")
    return ("float",) if floats else ("int",)


def _augmented(op):
    """The rule of `a op= b`: an array is changed in place (a 0-d one stays an array), a number
    is replaced."""
    plain = elementwise(op, _python_arithmetic)

    def rule(a, b):
        result = plain(a, b)
        if a[0] != "ndarray" or result is None:
            return result
        return a if _broadcast([a[1], b[1]]) == a[1] else None
    return rule


def matmul(a, b):
    if a[0] != "ndarray" or b[0] != "ndarray":
        return None
    sa, sb = a[1], b[1]
    if len(sa) == 2 and len(sb) == 1 and sa[1] == sb[0]:
        return ("ndarray", (sa[0],))
    if len(sa) == 1 and len(sb) == 1 and sa[0] == sb[0]:
        return ("generic", ())
    if len(sa) == 1 and len(sb) == 2 and sa[0] == sb[0]:
        return ("ndarray", (sb[1],))
    if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0]:
        return ("ndarray", (sa[0], sb[1]))
    return None


# --- the runtime helpers' results --------------------------------------------------------------

def _unbroadcast(gv, x):
    if x[0] in _NUMBERS:
        return gv if gv[0] in ("zero", "float") else ("float", ())
    if x[0] not in ("generic", "ndarray") or gv[0] not in _NUMERIC:
        return None
    if gv[1] == x[1]:
        return gv
    if x[0] == "generic":
        return ("generic", ())
    return ("ndarray", x[1])


def _zeros_as(gv, like):
    if gv[0] in ("zero", "float") and like[0] == "ndarray" and like[1]:
        return ("ndarray", like[1])
    return gv


def _add(a, b):
    if a[0] == "zero":
        return b
    if b[0] == "zero":
        return a
    summed = elementwise(gast.Add(), _python_arithmetic)(a, b)
    if summed is None:
        return None
    if not isinstance(summed, frozenset):  # one alternative
        summed = frozenset({summed})
    if a[0] == "float":  # it may be 0.0 all the same
        summed = summed | {b}
    if b[0] == "float":
        summed = summed | {a}
    return summed


def _operand_shaped(gv, operand):
    if operand[0] == "ndarray" and operand[1] and gv[0] in _NUMERIC:
        return ("ndarray", operand[1])
    return None


def _gradient(gv, x):
    if x[0] in _NUMBERS:
        return ("float", ())
    if x[0] == "ndarray":
        return ("ndarray", x[1])
    return None


def _stand_in(*alts):
    if not alts:
        return ("generic", ())
    kinds = [a[0] for a in alts]
    if any(k not in _NUMERIC for k in kinds):
        return None
    shape = _broadcast([a[1] for a in alts])
    if shape is None:
        return None
    return ("ndarray" if "ndarray" in kinds and shape else "generic", shape)


def _spread(u, carrier, *arrays):
    if u[0] not in _NUMERIC or u[1] or carrier[0] not in _NUMERIC:
        return None
    return frozenset({u, ("ndarray", carrier[1])}) if carrier[1] else u


def _uniform(u, carrier, operand):
    if u[0] not in _NUMERIC or u[1]:
        return None
    return ("float" if u[0] == "zero" else u[0], ())


def _expit(z):
    if z[0] not in _NUMERIC:
        return None
    return ("ndarray", z[1]) if z[1] else ("generic", ())


RUNTIME = {
    "expit": _expit,
    "reduced_size": lambda a: ("int", ()) if a[0] in _NUMERIC else None,
    "spread": _spread,
    "unbroadcast_uniform": _uniform,
    "scalar_seed": lambda *_: ("float", ()),
    "unbroadcast": _unbroadcast,
    "zeros_as": _zeros_as,
    "add": _add,
    "matmul_left": lambda gv, a, b: _operand_shaped(gv, a),
    "matmul_right": lambda gv, a, b: _operand_shaped(gv, b),
    "unreduce": lambda gv, a: _gradient(gv, a) if gv[0] in _NUMERIC else None,  # a broadcast view
    "gradient": _gradient,
    "unshared": lambda gv: gv,
    "stand_in": _stand_in,
    "real_float": lambda v: ("float", ()),
}
_ARGUMENTS = {"unshared": (0,), "unreduce": (0, 1), "reduced_size": (0,)}  # helpers whose other arguments need no value


class Inference:
    """The alternatives of every name at every point of `tree` (a derivative's FunctionDef),
    given those of its parameters (`params`); `resolve(func)` the object a call names; `rt`
    the name of srcad's runtime module there. After `run`, `seen.get(node)` holds the
    alternatives of each argument of the runtime calls and of the operands of `+` (joined over
    every time they were evaluated)."""

    def __init__(self, tree, params, resolve, rt):
        self.tree, self.params, self.resolve, self.rt = tree, params, resolve, rt
        self.pushed = {}  # (tape, names) -> the tuple of alternatives pushed
        self.seen = loops.Seen()

    def run(self):
        for _ in range(4):  # what is pushed in a later loop may reach a pop read earlier
            before = dict(self.pushed)
            self.seen = loops.Seen()
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
            value = lift(_augmented(stmt.op), self.name(stmt.target.id, env), self.expr(stmt.value, env))
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
        popped = self.popped(stmt, target)
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

    def popped(self, stmt, target):
        """{name: alternatives} for `names = _tape.pop()`, from what was pushed for them."""
        value = stmt.value
        if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
                and value.func.attr == "pop" and not value.args and isinstance(value.func.value, gast.Name)):
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
            if value.func.attr == "append" and isinstance(value.func.value, gast.Name) and len(value.args) == 1:
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
                return lift(elementwise(node.op, _python_arithmetic), left, right)
            return TOP
        if isinstance(node, gast.UnaryOp):
            operand = self.expr(node.operand, env)
            if isinstance(node.op, (gast.USub, gast.UAdd)):
                return lift(lambda a: ("float", ()) if a[0] == "zero" else a
                            if a[0] in _NUMERIC else None, operand)
            return TOP
        if isinstance(node, gast.Call):
            return self.call(node, env)
        if isinstance(node, gast.Attribute):
            value = self.expr(node.value, env)
            return lift(lambda a: _attribute(a, node.attr), value)
        if isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Slice):
            bounds = _slice_bounds(node.slice)
            return TOP if bounds is None else lift(lambda a: _sliced(a, bounds), self.expr(node.value, env))
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
            if helper in _ARGUMENTS:
                args = [args[i] for i in _ARGUMENTS[helper]]
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
            return lift(lambda a: ("generic", ()) if a[0] in _NUMERIC else None, args[0])
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


# --- writing the helpers out -------------------------------------------------------------------

class Resolve:
    """Rewrites the runtime calls of `tree` whose arguments' alternatives (`seen`) settle what
    the helper does; `numpy()` gives a Name of the numpy module in the generated code."""

    def __init__(self, tree, seen, rt, numpy):
        self.tree, self.seen, self.rt, self.numpy = tree, seen, rt, numpy

    def run(self):
        scan = g.Scan(self.tree)
        for call in reversed(scan.calls):  # inner calls first: an outer one is built from them
            values = self.seen.get(call)
            if values is None or not is_rt_call(call, self.rt) or call.keywords:
                continue
            rewrite = getattr(self, "resolve_" + call.func.attr, None)
            new = rewrite(call.args, values) if rewrite is not None and len(call.args) == len(values) else None
            if new is not None:
                g.replace_child(scan.parents[id(call)], call, new)

    def np_call(self, function, args):
        return g.call(g.attr(self.numpy(), function), args)

    def product(self, left, right, *values):
        """`left * right`, known to the later passes as the product of these alternatives."""
        product = gast.BinOp(left=left, op=gast.Mult(), right=right)
        self.seen.put(product, values)
        return product

    def resolve_unbroadcast(self, args, values):
        if len(args) != 2 or TOP in values:
            return None
        cotangent, operand = values
        if all(_same_shape(c, x) for c in cotangent for x in operand):
            return args[0]
        single = _single(cotangent), _single(operand)
        if None in single or single[0][0] != "ndarray" or single[1][0] != "ndarray":
            return None
        big, small = single[0][1], single[1][1]
        extra = len(big) - len(small)
        if small and extra > 0 and big[extra:] == small:  # summed over leading axes only
            axes = g.tuple_(g.const(i) for i in range(extra))
            return g.call(g.attr(self.numpy(), "sum"), [args[0]], [gast.keyword(arg="axis", value=axes)])
        return None

    def resolve_reduced_size(self, args, values):
        """The number of elements of an array of known shape, for a reduction over all of them."""
        if len(args) != 2 or not (isinstance(args[1], gast.Constant) and args[1].value is None):
            return None
        shapes = {alt[1] for alt in values[0]} if values[0] is not TOP else None
        if not shapes or len(shapes) != 1 or any(alt[0] not in _NUMERIC for alt in values[0]):
            return None
        return g.const(max(int(np.prod(shapes.pop())), 1))

    def resolve_spread(self, args, values):
        """`u` itself where the arrays it multiplies cover the carrier's shape (as spread)."""
        if len(args) < 2 or TOP in values:
            return None
        known = [_single(v) for v in values]
        if None in known or any(k[0] not in _NUMERIC for k in known) or known[0][1]:
            return None
        shape, shapes = known[1][1], [k[1] for k in known[2:]]
        if not shape or shapes and _broadcast([shape] + shapes) == _broadcast(shapes):
            return args[0]
        return None

    def resolve_zeros_as(self, args, values):
        if len(args) != 2 or TOP in values:
            return None
        cotangent, like = values
        if any(alt[0] in ("zero", "float") for alt in cotangent) \
                and any(alt[0] == "ndarray" and alt[1] for alt in like):
            return None
        return args[0]

    def resolve_add(self, args, values):
        if len(args) != 2 or TOP in values:
            return None
        a, b = values
        if all(alt[0] == "zero" for alt in a):
            return args[1]
        if all(alt[0] == "zero" for alt in b):
            return args[0]
        if all(alt[0] in _NUMERIC for alt in a | b):
            summed = gast.BinOp(left=args[0], op=gast.Add(), right=args[1])
            self.seen.put(summed, values)
            return summed
        return None

    def resolve_matmul_left(self, args, values):
        shapes = _matmul_shapes(values)
        if shapes is None:
            return None
        _, sa, sb = shapes
        cot, _, b = args
        if len(sa) == 2 and len(sb) == 1:
            return self.np_call("outer", [cot, b])
        if len(sa) == 2 and len(sb) == 2:
            return gast.BinOp(left=cot, op=gast.MatMult(), right=g.attr(b, "T"))
        if len(sa) == 1 and len(sb) == 1:
            return self.product(cot, b, values[0], values[2])
        return gast.BinOp(left=b, op=gast.MatMult(), right=cot)  # vector @ matrix

    def resolve_matmul_right(self, args, values):
        shapes = _matmul_shapes(values)
        if shapes is None:
            return None
        _, sa, sb = shapes
        cot, a, _ = args
        if len(sa) == 2:
            return gast.BinOp(left=g.attr(a, "T"), op=gast.MatMult(), right=cot)
        if len(sb) == 1:
            return self.product(cot, a, values[0], values[1])
        return self.np_call("outer", [a, cot])  # vector @ matrix


def _same_shape(cotangent, operand):
    """Whether `unbroadcast` returns a cotangent of these alternatives as it is."""
    if operand[0] in _NUMBERS:
        return cotangent[0] in ("zero", "float")
    return operand[0] in ("generic", "ndarray") and cotangent[0] in _NUMERIC and cotangent[1] == operand[1]


def _single(value):
    return next(iter(value)) if value is not TOP and len(value) == 1 else None


def _matmul_shapes(values):
    """(cotangent, a's shape, b's shape) where `a @ b` multiplies exact vectors or matrices
    and the cotangent has the product's shape; else None."""
    if len(values) != 3 or TOP in values:
        return None
    a, b = _single(values[1]), _single(values[2])
    if a is None or b is None:
        return None
    product = matmul(a, b)
    if product is None:
        return None
    cotangent = values[0]
    if product[1] == ():
        if not all(alt[0] in _NUMERIC and alt[1] == () for alt in cotangent):
            return None
    elif cotangent != frozenset({("ndarray", product[1])}):
        return None
    return cotangent, a[1], b[1]


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
    if all(np.dtype(dtype) == np.float64 or np.dtype(dtype).kind in "biu" for _, dtype in shapes.values()):
        # the arrays computed are float64: adding into one is adding to it
        accumulators = loops.accumulate_in_place(tree, inference.seen, lambda shape: g.call(
            g.attr(numpy(), "zeros"), [g.tuple_(g.const(n) for n in shape)]))
        loops.hoist_sums(tree, accumulators, inference.seen, numpy, resolve, rt, src.namespace.names.fresh)
    return tree
