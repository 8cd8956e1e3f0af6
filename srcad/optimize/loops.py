"""Passes over a shape-specialised derivative (optimize/shapes.py) for its loops, where the
array passes (arrays.py) do not go:

- passes through: `x = 0.0` overwritten before anything reads it, and `y = x` after `x = y`
  with neither changed in between, go (an adjoint handed through a loop turn unchanged);
- copies: `bt10 = bt12` read in place of `bt10` where both keep their values meanwhile (the
  writing-out of helpers leaves many: `t17 = _rt.zeros_as(bt10, t10)` became `t17 = bt10`);
- the tape: a loop turn pushes one tuple of the values its reversed turn reads; those it no
  longer reads (read before only for their shapes) are left out of the push and the pop;
- accumulation in place: an adjoint that starts as 0.0 and is only ever added to in loops
  (`bWh = bWh + np.outer(t19, h)`) starts as zeros of its known shape and is added into
  (`bWh += ...`): its array is the derivative's own, and no other name reads it until the
  last addition;
- sums after the loop: such an adjoint's outer products, rows and weighted rows are summed
  over the turns by one matrix product after the loop (`bWh = bt8_rows.T @ h_rows`), the
  loop only appending the vectors, where nothing from the loop on changes an array in place.
"""
import gast
import numpy as np

from .. import gastutil as g
from ..gastutil import is_rt_call
from ..ir import COMPOUND


def propagate_copies(tree):
    """Drop `x = y` (two names) where `x` is stored there only, read only in the statements
    after it in the same list, and `y` is not stored again before the last of those reads."""
    changed = True
    while changed:
        changed = False
        scan = g.Scan(tree)
        for _, _, stmts in g.statement_lists(tree):
            for i, stmt in enumerate(stmts):
                if _propagate(stmts, i, stmt, scan):
                    del stmts[i]
                    changed = True
                    break
            if changed:
                break


def _propagate(stmts, i, stmt, scan):
    target = g.single_target(stmt)
    if target is None or not isinstance(stmt.value, gast.Name) or scan.stores.get(target) != 1:
        return False
    source = stmt.value.id
    if source == target:
        return False
    reads = scan.loads.get(target, [])
    after = stmts[i + 1:]
    positions = _positions(after)
    if any(id(n) not in positions for n in reads):
        return False
    last = max((positions[id(n)] for n in reads), default=-1)
    if any(source in _stored(s) for s in after[:last + 1]):
        return False
    for n in reads:
        n.id = source
    return True


def _positions(stmts):
    """id of each node under `stmts` -> the index of the statement holding it."""
    found = {}
    for k, stmt in enumerate(stmts):
        for node in g.walk(stmt):
            found[id(node)] = k
    return found


def _stored(stmt):
    """Names `stmt` stores, deletes or binds as a loop target, at any depth."""
    return {n.id for n in g.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Del))}


# --- the tape ----------------------------------------------------------------------------------

def trim_tape(tree):
    """Leave out of each pushed tuple the names its pops never read again: a pop read in a
    top-level loop, whose names are not read in that loop or after it."""
    pops, pushes = {}, {}  # (tape, names) -> statements
    for node in g.walk(tree):
        key = _pop_key(node)
        if key is not None:
            pops.setdefault(key, []).append(node)
        key = _push_key(node)
        if key is not None:
            pushes.setdefault(key, []).append(node)
    body = tree.body
    reads_from = _reads_from(body)
    for key, found in pops.items():
        if key not in pushes or len(key[1]) < 2:
            continue
        dead = set(key[1])
        for pop in found:
            loop = next((k for k, s in enumerate(body) if isinstance(s, gast.For) and pop in s.body), None)
            if loop is None:
                dead = set()
                break
            dead &= set(key[1]) - reads_from[loop]
        kept = [n for n in key[1] if n not in dead]
        if not dead or not kept:
            continue
        for pop in found:
            pop.targets[0].elts = [g.store(n) for n in kept]
        for push in pushes[key]:
            push.value.args[0].elts = [g.name(n) for n in kept]


def _reads_from(body):
    """For each top-level statement k: the names read in body[k:]."""
    out = [set() for _ in range(len(body) + 1)]
    for k in range(len(body) - 1, -1, -1):
        out[k] = out[k + 1] | set(g.names_in(body[k]))
    return out


def _pop_key(node):
    if isinstance(node, gast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], gast.Tuple) \
            and _is_method(node.value, "pop", 0) and all(isinstance(e, gast.Name) for e in node.targets[0].elts):
        return node.value.func.value.id, tuple(e.id for e in node.targets[0].elts)
    return None


def _push_key(node):
    if isinstance(node, gast.Expr) and _is_method(node.value, "append", 1):
        item = node.value.args[0]
        if isinstance(item, gast.Tuple) and all(isinstance(e, gast.Name) for e in item.elts):
            return node.value.func.value.id, tuple(e.id for e in item.elts)
    return None


def _is_method(value, method, n):
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
        and value.func.attr == method and isinstance(value.func.value, gast.Name) \
        and len(value.args) == n and not value.keywords


# --- accumulation in place ---------------------------------------------------------------------

def accumulate_in_place(tree, seen, zeros):
    """`b = b + x` in loops becomes `b += x`, and `b = 0.0` before them `b = zeros(shape)`,
    where every such `x` is an array of one shape (`seen`: the inference's alternatives of each
    `+`'s operands), `b` is 0.0 or an array of that shape there, and from `b = 0.0` to the
    last addition `b` is stored and read by these statements only. `zeros(shape)` builds the
    expression of a new array of float64 zeros."""
    body = tree.body
    scan = g.Scan(tree)
    params = {a.id for a in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs}
    updates, starts, other, made = {}, {}, {}, {}
    for node in scan.nodes:
        if not isinstance(node, (gast.Assign, gast.AugAssign, gast.For, gast.Delete)):
            continue
        shape = _update_shape(node, seen)
        if shape is not None:
            updates.setdefault(node.targets[0].id, []).append((node, shape))
            continue
        target = g.single_target(node)
        if target is not None and isinstance(node.value, gast.Constant) and node.value.value == 0.0 \
                and any(node is stmt for stmt in body):
            starts.setdefault(target, []).append(node)
            continue
        for name_ in _stored(node) if not isinstance(node, gast.For) else _stored_target(node):
            other.setdefault(name_, []).append(node)
    for b, found in updates.items():
        shapes = {shape for _, shape in found}
        if b in params or len(shapes) != 1 or len(starts.get(b, ())) != 1:
            continue
        start = starts[b][0]
        first = body.index(start)
        tops = [scan.top[id(node)] for node, _ in found]
        last = max(tops)
        if min(tops) <= first or not all(isinstance(body[k], COMPOUND) for k in tops):
            continue
        if any(first <= scan.top[id(n)] <= last for n in other.get(b, ())):
            continue
        own = {id(node.value.left) for node, _ in found}
        if any(first <= scan.top[id(n)] <= last and id(n) not in own for n in scan.loads.get(b, ())):
            continue
        made[b] = shapes.pop()
        start.value = zeros(made[b])
        start.accumulator_start = True  # see hoist_sums
        for node, _ in found:
            augmented = g.located(gast.AugAssign(target=g.store(b), op=gast.Add(), value=node.value.right), node)
            g.replace_child(scan.parents[id(node)], node, augmented)
    return made


def _update_shape(node, seen):
    """The shape of `b = b + x` where `b` holds 0.0 or an array of the shape of the array `x`."""
    target = g.single_target(node)
    value = getattr(node, "value", None)
    if target is None or not isinstance(value, gast.BinOp) or not isinstance(value.op, gast.Add) \
            or not isinstance(value.left, gast.Name) or value.left.id != target \
            or target in g.names_in(value.right):
        return None
    operands = seen.get(value)
    if operands is None or None in operands or len(operands[1]) != 1:
        return None
    kind, shape = next(iter(operands[1]))
    if kind != "ndarray" or not shape or not operands[0] <= {("zero", ()), ("ndarray", shape)}:
        return None
    return shape


def _stored_target(loop):
    return {n.id for n in g.walk(loop.target) if isinstance(n, gast.Name)}


# --- sums out of loops -------------------------------------------------------------------------

# runtime helpers that change none of their arguments (a loop calling only these, numpy's
# functions and its tape's pop changes no array in place but its accumulators)
_PURE_HELPERS = frozenset({"unbroadcast", "zeros_as", "add", "matmul_left", "matmul_right", "gradient",
                           "unshared", "spread", "unbroadcast_uniform", "expit", "reduced_size",
                           "scalar_seed", "stand_in", "unreduce", "real_float", "zeros_like",
                           "inverse_permutation", "shaped_like"})


def hoist_sums(tree, accumulators, seen, numpy, resolve, rt, fresh):
    """Sums over the turns of a loop taken once after it: in a top-level loop, `b += np.outer(p, q)`
    becomes `p` and `q` appended to lists a turn and `b += P.T @ Q` after the loop (P, Q their
    rows), `b += x` becomes `b += np.sum(X, axis=0)` and `b += s * x` (`s` a number) becomes
    `b += S @ X`: one matrix product instead of a numpy call or two a turn. Only for the
    accumulators `accumulate_in_place` made (`accumulators`: name -> shape), and where nothing
    from the loop on can change an array in place (the rows are read after the loop)."""
    body = tree.body
    hoisted = {}  # accumulator -> how many of its sums were taken after a loop
    for k in range(len(body) - 1, -1, -1):
        loop = body[k]
        if not isinstance(loop, gast.For) or not _changes_nothing(loop.body + body[k + 1:], accumulators,
                                                                  resolve, rt):
            continue
        rows, current, sums, kept = {}, {}, [], []  # current: (name, shape) -> its rows this turn
        for stmt in loop.body:
            form = _sum_form(stmt, accumulators, seen)
            if form is None:
                kept.append(stmt)
                current = {key: r for key, r in current.items() if key[0] not in _stored(stmt)}
                continue
            b, kind, operands = form
            arrays = []
            for name_, shape in operands:
                if (name_, shape) not in current:  # a value not yet kept this turn
                    lists = fresh(f"{name_}s")
                    current[(name_, shape)] = rows[lists] = (lists, fresh(f"{name_}_rows"), shape)
                    kept.append(g.located(gast.Expr(value=g.call(g.attr(g.name(lists), "append"),
                                                                 [g.name(name_)])), stmt))
                arrays.append(current[(name_, shape)][1])
            sums.append((b, kind, arrays, stmt))
        if not sums:
            continue
        loop.body = kept
        for b, _, _, _ in sums:
            hoisted.setdefault(b, 0)
            hoisted[b] += 1
        before = [g.assign(lists, gast.List(elts=[], ctx=gast.Load()), loop) for lists in rows]
        after = [g.assign(array, g.call(g.attr(numpy(), "reshape"),
                                        [g.name(lists), g.tuple_(g.const(n) for n in (-1,) + shape)]), loop)
                 for lists, array, shape in rows.values()]
        after += [g.located(gast.AugAssign(target=g.store(b), op=gast.Add(), value=_total(kind, arrays, accumulators[b], numpy)),
                              stmt) for b, kind, arrays, stmt in sums]
        body[k:k + 1] = before + [loop] + after
    _start_with_first_sum(tree, hoisted)


def _start_with_first_sum(tree, hoisted):
    """`b = np.zeros(shape)` ... `b += S` becomes `b = S` where all of `b`'s additions are sums
    after loops (S is a new array of b's shape: zeros for a loop of no turns too)."""
    body = tree.body
    for b, n in hoisted.items():
        updates = [node for node in g.walk(tree) if isinstance(node, gast.AugAssign)
                   and isinstance(node.target, gast.Name) and node.target.id == b]
        starts = [i for i, stmt in enumerate(body) if getattr(stmt, "accumulator_start", False)
                  and g.single_target(stmt) == b]
        if len(updates) != n or len(starts) != 1 or not all(any(u is stmt for stmt in body) for u in updates):
            continue
        first = min(i for i, stmt in enumerate(body) if any(u is stmt for u in updates))
        body[first] = g.located(g.assign(b, body[first].value), body[first])
        del body[starts[0]]


def _sum_form(stmt, accumulators, seen):
    """(b, kind, [(operand name, row shape)]) for `b += np.outer(p, q)` ("outer"), `b += x`
    ("rows") or `b += s * x` ("weighted"), `b` an accumulator; else None."""
    if not isinstance(stmt, gast.AugAssign) or not isinstance(stmt.op, gast.Add) \
            or not isinstance(stmt.target, gast.Name) or stmt.target.id not in accumulators:
        return None
    b, value, shape = stmt.target.id, stmt.value, accumulators[stmt.target.id]
    if isinstance(value, gast.Name):
        return b, "rows", [(value.id, shape)]
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "outer" \
            and len(shape) == 2 and len(value.args) == 2 and not value.keywords \
            and all(isinstance(a, gast.Name) for a in value.args):
        return b, "outer", [(value.args[0].id, shape[:1]), (value.args[1].id, shape[1:])]
    if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) and seen.get(value) is not None \
            and isinstance(value.left, gast.Name) and isinstance(value.right, gast.Name):
        left, right = seen.get(value)
        if _all_numbers(left) and right == frozenset({("ndarray", shape)}):
            return b, "weighted", [(value.left.id, ()), (value.right.id, shape)]
    return None


def _all_numbers(value):
    return value is not None and all(alt[1] == () and alt[0] in ("float", "int", "generic") for alt in value)


def _total(kind, arrays, shape, numpy):
    if kind == "rows":
        return g.call(g.attr(numpy(), "sum"), [g.name(arrays[0])], [gast.keyword(arg="axis", value=g.const(0))])
    if kind == "outer":
        return gast.BinOp(left=g.attr(g.name(arrays[0]), "T"), op=gast.MatMult(), right=g.name(arrays[1]))
    if len(shape) == 1:
        return gast.BinOp(left=g.name(arrays[0]), op=gast.MatMult(), right=g.name(arrays[1]))
    return g.call(g.attr(numpy(), "tensordot"), [g.name(arrays[0]), g.name(arrays[1]), g.const(1)])


def _changes_nothing(stmts, accumulators, resolve, rt):
    """Whether `stmts` change no array in place, but by `+=` into the accumulators: they store
    plain names only and call numpy's functions, srcad's pure helpers and a tape's pop."""
    for node in (n for s in stmts for n in g.walk(s)):
        if isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(node.ctx, (gast.Store, gast.Del)):
            return False
        if isinstance(node, gast.AugAssign) and not (isinstance(node.target, gast.Name)
                                                      and node.target.id in accumulators):
            return False
        if isinstance(node, (gast.FunctionDef, gast.Lambda, gast.Global, gast.Nonlocal)):
            return False
        if isinstance(node, gast.Call):
            if any(kw.arg == "out" for kw in node.keywords):
                return False
            func = node.func
            if is_rt_call(node, rt):
                if func.attr not in _PURE_HELPERS:
                    return False
                continue
            if isinstance(func, gast.Attribute) and func.attr in ("pop", "append") \
                    and isinstance(func.value, gast.Name):
                continue  # the tape's pop; the lists of rows
            fn = resolve(func)
            if fn in (range, reversed, len) or isinstance(fn, np.ufunc) and fn.nout == 1:
                continue
            if getattr(np, getattr(fn, "__name__", ""), None) is fn and fn.__name__ in _NUMPY_PURE:
                continue
            return False
    return True


_NUMPY_PURE = frozenset({"outer", "sum", "mean", "prod", "dot", "tensordot", "reshape", "zeros", "array",
                         "transpose", "ndim", "shape", "where"})  # ufuncs (np.tanh, ...) are allowed too


# --- passes through ----------------------------------------------------------------------------

def drop_passes_through(tree):
    """In each statement list: `x = 0.0` overwritten later in the list before anything names
    `x` goes; then `y = x` where `x = y` stands earlier in the list and neither name is
    stored in between goes too (the loss's adjoint passed through a turn: `bt14 = bloss;
    bloss = 0.0; ...; bloss = bt14` leaves `bt14 = bloss`, a copy)."""
    for _, _, stmts in g.statement_lists(tree):
        named = [_named(s) for s in stmts]
        dead = [i for i, s in enumerate(stmts) if _overwritten(stmts, named, i)]
        for i in reversed(dead):
            del stmts[i], named[i]
        back = [j for j, s in enumerate(stmts) if _copied_back(stmts, named, j)]
        for j in reversed(back):
            del stmts[j]


def _named(stmt):
    return {n.id for n in g.walk(stmt) if isinstance(n, gast.Name)}


def _overwritten(stmts, named, i):
    target = g.single_target(stmts[i])
    if target is None or not isinstance(stmts[i].value, gast.Constant):
        return False
    for k in range(i + 1, len(stmts)):
        if g.single_target(stmts[k]) == target and target not in g.names_in(stmts[k].value):
            return True
        if target in named[k]:
            return False
    return False


def _copied_back(stmts, named, j):
    """Whether stmts[j] is `y = x` after `x = y`, neither stored in between."""
    y = g.single_target(stmts[j])
    if y is None or not isinstance(stmts[j].value, gast.Name):
        return False
    x = stmts[j].value.id
    for k in range(j - 1, -1, -1):
        if g.single_target(stmts[k]) == x and isinstance(stmts[k].value, gast.Name) and stmts[k].value.id == y:
            return True
        if {x, y} & _stored(stmts[k]):
            return False
    return False
