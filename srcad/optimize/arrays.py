"""Array passes over a finished reverse-mode derivative: what it takes for a numpy gradient to
cost what a hand-written one costs. They run on a derivative that runs as it is, never on one
that srcad transforms again (forward over reverse sees the derivative without them).

- stand-ins (`grad` only): a forward value that the reverse sweep needs only the shape of is
  not computed; `t5 = _rt.stand_in(t4, 2)` stands for `t5 = t4 ** 2`. A gradient has no use for
  the value of `np.sum(...)` it returns, nor for the squares inside it. Shapes stay exact, so
  operands that do not broadcast still raise `ValueError`, as the function does;
- shared shapes: where only the shape of `t3 = t2 ** 2` is read, `t2` is read instead, so
  that `t3` is released once the forward sweep is done with it;
- accumulation in place: `bx = _rt.add_at(bx, x, i, g)` adds into `bx` itself where no other
  name can hold the array `bx` holds;
- early release: `del t3, bt8` after the last statement that reads these arrays, so numpy can
  reuse their memory instead of touching fresh pages (the generated function otherwise keeps
  every temporary to its end, where hand-written numpy drops each when it is done).
"""
import gast
import numpy as np

from .. import gastutil as g
from .. import runtime
from ..analyze import ARRAY, FLOAT
from ..gastutil import expression_text, is_rt_call
from ..ir import comment, mark_stand_in, stand_in_text
from . import signs, uniform

# runtime helpers that read arguments only for their shapes: helper -> positions (None: from 1)
SHAPE_ONLY = {"unbroadcast": (1,), "unreduce": (1,), "reduced_size": (0,), "scalar_seed": (0,),
              **uniform.SHAPE_ONLY}
_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)
_FULL_REDUCTIONS = {"sum", "mean", "prod"}  # of any array, never raising


class ArrayPasses:
    """The passes for one derivative. `arrays`: names (primal and adjoint) known to hold numpy
    arrays; `floats`: names known to hold Python numbers; `resolve(func)`: the object a call's
    function names; `adjoint_of`: primal name -> its adjoint's name."""

    def __init__(self, tree, src, arrays, floats, resolve, adjoint_of=None):
        self.tree, self.arrays, self.floats, self.resolve = tree, arrays, floats, resolve
        self.adjoint_of = adjoint_of or {}  # primal name -> adjoint name
        self.adjoints = frozenset(self.adjoint_of.values())
        self.rt = src.namespace.refer(runtime, "_rt").id

    def run(self, stand_ins):
        scan = g.Scan(self.tree)
        self.numbers = self.scalars(scan.stores)
        cotangents = uniform.Uniform(self.tree, self.rt, self.arrays, self.floats)
        cotangents.run(scan)
        self.numbers |= set(cotangents.carriers)
        signs.fold_signs(self.tree, self.rt, self.adjoints)
        self.drop_zero_shifts()
        if stand_ins:
            self.stand_ins()
        self.share_shapes()
        self.accumulate_in_place()

    def is_rt_call(self, node, helper=None):
        return is_rt_call(node, self.rt, helper)

    def drop_zero_shifts(self):
        """`_rt.expit(a - 0.0)` is `_rt.expit(a)` (logaddexp(0.0, a)'s derivative): expit
        turns any number or array of numbers into floats itself, so the subtraction changes
        nothing but costs a pass over the array and a new one."""
        for node in g.walk(self.tree):
            if self.is_rt_call(node, "expit") and len(node.args) == 1 and not node.keywords:
                shifted = node.args[0]
                if isinstance(shifted, gast.BinOp) and isinstance(shifted.op, (gast.Add, gast.Sub)) \
                        and isinstance(shifted.right, gast.Constant) and type(shifted.right.value) in (int, float) \
                        and shifted.right.value == 0:
                    node.args[0] = shifted.left

    def scalars(self, stores):
        """Array-kind names known to hold single numbers (numpy scalars): whole-array
        reductions, arithmetic on them, and their adjoints."""
        found = set()
        for stmt in self.tree.body:
            target = g.single_target(stmt)
            if target in self.arrays and stores.get(target) == 1:
                operands = self.elementwise_operands(stmt.value)
                if operands is not None and (operands[1] or all(
                        not self.is_array(o) or o.id in found for o in operands[0])):
                    found.add(target)
        return found | {self.adjoint_of[p] for p in found if p in self.adjoint_of}

    # --- stand-ins ---------------------------------------------------------------------------

    def stand_ins(self):
        """Replace forward values read only for their shapes by stand-ins of that shape."""
        body = self.tree.body
        scan = g.Scan(self.tree)
        candidates = {}
        for stmt in body:
            target = g.single_target(stmt)
            if target is not None and scan.stores.get(target) == 1 and target in self.arrays:
                found = self.elementwise_operands(stmt.value)
                if found is not None:
                    candidates[target] = (stmt, *found)
        shape_reads = self.shape_only_reads(scan)
        while True:  # drop candidates read for their values (not by another candidate)
            allowed = {id(n) for t, (stmt, ops, _) in candidates.items() for n in ops} | shape_reads
            unwanted = {t for t in candidates if not scan.loads.get(t)  # unread: dead code's business
                        or any(id(n) not in allowed for n in scan.loads[t])}
            if not unwanted:
                break
            for t in unwanted:
                del candidates[t]
        for target, (stmt, operands, reduction) in candidates.items():
            mark_stand_in(stmt, expression_text(g.clone(stmt.value)))
            stmt.value = g.call(g.attr(g.name(self.rt), "stand_in"),
                                [] if reduction else [g.clone(o) for o in operands])
        if candidates:
            body[:] = [c for s in body for c in ([_stand_in_comment(s), s]
                                                 if stand_in_text(s) is not None else [s])]

    def share_shapes(self):
        """Where only a value's shape is read, read the array it has its shape from: in
        `t3 = t2 ** 2`, `unbroadcast(bt4, t3)` becomes `unbroadcast(bt4, t2)`, so `t3` can
        go as soon as the forward sweep is done with it."""
        scan = g.Scan(self.tree)
        stores = scan.stores
        same = {}  # name -> an array defined before it, of the same shape
        for stmt in self.tree.body:
            target = g.single_target(stmt)
            if target is None or stores.get(target) != 1 or target not in self.arrays \
                    or stand_in_text(stmt) is not None:
                continue
            found = self.elementwise_operands(stmt.value)
            if found is None or found[1]:
                continue
            arrays = [o for o in found[0] if self.is_array(o)]
            if len(arrays) == 1 and stores.get(arrays[0].id) == 1:
                same[target] = same.get(arrays[0].id, arrays[0].id)
        shape_reads = self.shape_only_reads(scan)
        for name_ in same:
            for node in scan.loads.get(name_, ()):
                if id(node) in shape_reads:
                    node.id = same[name_]

    def shape_only_reads(self, scan):
        """The ids of the Name nodes that helpers read only for their shapes."""
        return shape_only_reads(scan.calls, self.rt)

    def elementwise_operands(self, value):
        """(operands, False) for an elementwise operation whose result's shape is its operands'
        broadcast together; ([array], True) for a reduction of a whole array to a scalar;
        None for anything else."""
        if isinstance(value, gast.BinOp) and isinstance(value.op, _ELEMENTWISE):
            operands = [value.left, value.right]
        elif isinstance(value, gast.UnaryOp) and isinstance(value.op, (gast.USub, gast.UAdd)):
            operands = [value.operand]
        elif isinstance(value, gast.Call) and not value.keywords:
            fn = self.resolve(value.func)
            if isinstance(fn, np.ufunc) and fn.signature is None and fn.nout == 1 \
                    and len(value.args) == fn.nin:  # not matmul, whose shapes are its own
                operands = value.args
            elif len(value.args) == 1 and getattr(fn, "__name__", None) in _FULL_REDUCTIONS \
                    and getattr(np, fn.__name__, None) is fn and self.is_array(value.args[0]):
                return value.args, True
            elif not value.args and isinstance(value.func, gast.Attribute) \
                    and value.func.attr in ("sum", "mean") and self.is_array(value.func.value):
                return [value.func.value], True
            else:
                return None
        else:
            return None
        if not all(self.is_array(o) or self.is_number(o) for o in operands):
            return None
        return (operands, False) if any(self.is_array(o) for o in operands) else None

    def is_array(self, node):
        return isinstance(node, gast.Name) and node.id in self.arrays

    def is_number(self, node):
        return isinstance(node, gast.Constant) and type(node.value) in (int, float) \
            or isinstance(node, gast.Name) and node.id in self.floats

    # --- accumulation in place ---------------------------------------------------------------

    def accumulate_in_place(self):
        """`b = _rt.add_at(b, a, i, e)` becomes `b = _rt.add_to(b, a, i, e)` (in place) where
        every value `b` ever holds is 0.0 or a new array from `add_at`, and until the last such
        update `b` is read only as the array being added into or copied."""
        body = self.tree.body
        scan = g.Scan(self.tree)
        updates, copies, plain = {}, set(), {}  # plain: name -> stores of other values
        for node in scan.nodes:
            if isinstance(node, gast.Assign) and isinstance(node.targets[0], gast.Name):
                b = node.targets[0].id
                value = node.value
                if self.is_rt_call(value, "add_at") and len(value.args) == 4:
                    first = value.args[0]
                    copies.add(id(first))
                    if isinstance(first, gast.Name) and first.id == b \
                            and b not in g.names_in(value.args[3]):
                        updates.setdefault(b, []).append(node)
                        continue
                    if isinstance(first, gast.Constant):
                        continue
                elif isinstance(value, gast.Constant) and value.value == 0.0:
                    continue
                plain.setdefault(b, []).append(node)  # some other value: b may share an array
            elif isinstance(node, (gast.Assign, gast.AugAssign, gast.For, gast.Delete)):
                targets = node.targets if isinstance(node, (gast.Assign, gast.Delete)) else [node.target]
                for n in (n for t in targets for n in g.walk(t)):
                    if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del)):
                        plain.setdefault(n.id, []).append(node)
        args = self.tree.args
        params = {a.id for a in args.posonlyargs + args.args + args.kwonlyargs}
        for b, nodes in updates.items():
            if b in params:
                continue
            last = max(scan.top[id(node)] for node in nodes)
            if any(scan.top[id(node)] <= last for node in plain.get(b, ())):
                continue
            if any(scan.top[id(n)] <= last and id(n) not in copies for n in scan.loads.get(b, ())):
                continue
            for node in nodes:
                node.value.func.attr = "add_to"


def shape_only_reads(calls, rt, every=()):
    """The ids of the Name nodes that the runtime calls among `calls` read only for their
    shapes: at the positions SHAPE_ONLY gives, and every argument of the helpers in `every`."""
    found = set()
    for node in calls:
        if is_rt_call(node, rt) and (node.func.attr in SHAPE_ONLY or node.func.attr in every):
            positions = range(len(node.args)) if node.func.attr in every \
                else SHAPE_ONLY[node.func.attr] or range(1, len(node.args))
            found |= {id(node.args[p]) for p in positions
                      if p < len(node.args) and isinstance(node.args[p], gast.Name)}
    return found


# --- early release ----------------------------------------------------------------------------

def free_early(tree, arrays, numbers=frozenset()):
    """`del` after the last top-level statement that reads each array computed (not viewed) by
    a top-level statement (not the names in `numbers`, known to hold numbers); only in
    functions without nested functions."""
    scan = g.Scan(tree)
    if any(isinstance(n, (gast.Lambda, gast.FunctionDef)) for n in scan.nodes):
        return
    stores = scan.stores
    fresh = set()
    for stmt in tree.body:
        target = g.single_target(stmt)
        if target in arrays and stores.get(target) == 1 \
                and isinstance(stmt.value, (gast.BinOp, gast.UnaryOp, gast.Call)) \
                and stand_in_text(stmt) is None and target not in numbers \
                and not (isinstance(stmt.value, gast.Call) and isinstance(stmt.value.func, gast.Attribute)
                         and stmt.value.func.attr == "scalar_seed"):
            fresh.add(target)
    last = {id_: max(scan.top[id(n)] for n in scan.loads[id_]) for id_ in fresh if id_ in scan.loads}
    after = {}
    for id_, i in last.items():
        if not isinstance(tree.body[i], gast.Return):
            after.setdefault(i, []).append(id_)
    body = []
    for i, stmt in enumerate(tree.body):
        body.append(stmt)
        if i in after:
            targets = [gast.Name(id=n, ctx=gast.Del(), annotation=None, type_comment=None)
                       for n in sorted(after[i], key=_natural)]
            body.append(g.located(gast.Delete(targets=targets), stmt))
    tree.body = body


def _stand_in_comment(stmt):
    text = f"{stmt.targets[0].id} = {stand_in_text(stmt)}: only its shape is needed"
    return comment(text, note=True)


def _natural(name_):
    """`t2` before `t10`."""
    stem = name_.rstrip("0123456789")
    digits = name_[len(stem):]
    return stem, int(digits) if digits else -1


def array_names(deriv, facts):
    """Primal names of array kind and their adjoints."""
    primal = {name_ for name_, kind in facts.kinds.items() if kind == ARRAY}
    return primal | {adj for p, adj in deriv.adjoint_of.items() if p in primal}


def float_names(facts):
    return {name_ for name_, kind in facts.kinds.items() if kind == FLOAT}


def apply(tree, src, deriv, facts, variant, resolve):
    """`tree` (a simplified reverse-mode derivative of `variant`) after the array passes."""
    arrays = array_names(deriv, facts)
    if not arrays:
        return tree
    passes = ArrayPasses(tree, src, arrays, float_names(facts), resolve, deriv.adjoint_of)
    passes.run(stand_ins=variant == "grad")
    free_early(tree, arrays, passes.numbers)
    return tree
