"""Sums out of loops, over a shape-specialised derivative (after loops.py): an adjoint that
is only added into in loops (`accumulate_in_place`) has its outer products, rows and weighted
rows summed over the turns by one matrix product after the loop (`bWh = bt8_rows.T @ h_rows`),
the loop only appending the vectors, where nothing from the loop on changes an array in
place; and a row list the reverse loop fills with a value it pops from the tape for nothing
else is filled by the forward loop as it computes the value (`rows_from_forward`).
"""
import gast
import numpy as np

from .. import gastutil as g
from ..gastutil import is_rt_call
from ..ir import comment
from ..runtime.checkpoints import BLOCK
from .loops import pop_key, push_key, stored_names


# --- sums out of loops -------------------------------------------------------------------------

# runtime helpers that change none of their arguments (a loop calling only these, numpy's
# functions and its tape's pop changes no array in place but its accumulators)
_PURE_HELPERS = frozenset({"unbroadcast", "zeros_as", "add", "matmul_left", "matmul_right", "gradient",
                           "unshared", "spread", "unbroadcast_uniform", "expit", "reduced_size",
                           "scalar_seed", "stand_in", "unreduce", "real_float", "zeros_like",
                           "inverse_permutation", "shaped_like", "rows"})


def hoist_sums(tree, accumulators, seen, numpy, resolve, rt, fresh):
    """Sums over the turns of a loop taken once after it: in a top-level loop, `b += np.outer(p, q)`
    becomes `p` and `q` appended to lists a turn and `b += P.T @ Q` after the loop (P, Q their
    rows), `b += x` becomes `b += np.sum(X, axis=0)` and `b += s * x` (`s` a number) becomes
    `b += S @ X`: one matrix product instead of a numpy call or two a turn. Only for the
    accumulators `accumulate_in_place` made (`accumulators`: name -> shape), and where nothing
    from the loop on can change an array in place (the rows are read after the loop).

    The reversed stretches of a checkpointed loop (transform/checkpointed.py marks them
    `reversed_stretch`), nested in its schedule's loop, get one product a stretch, where
    nothing in the stretch changes an array in place: the rows of at most K turns are kept,
    and a large accumulator is added into a block of rows at a time (`_rt.add_product`), so
    that no temporary of its size is made a stretch."""
    hoisted = {}  # accumulator -> how many of its sums were taken after a loop
    body = tree.body
    for k in range(len(body) - 1, -1, -1):
        if isinstance(body[k], gast.For) and not getattr(body[k], "reversed_stretch", False) \
                and _changes_nothing(body[k].body + body[k + 1:], accumulators, resolve, rt):
            _hoist(body, k, hoisted, accumulators, seen, numpy, fresh, rt)
    for _, _, stmts in list(g.statement_lists(tree)):
        for k in range(len(stmts) - 1, -1, -1):
            stretch = getattr(stmts[k], "reversed_stretch", False)
            if stretch and _changes_nothing(stmts[k].body, accumulators, resolve, rt):
                _hoist(stmts, k, hoisted, accumulators, seen, numpy, fresh, rt, blocks=True)
    _start_with_first_sum(tree, hoisted)


def _hoist(stmts, k, hoisted, accumulators, seen, numpy, fresh, rt, blocks=False):
    """The sums of the loop `stmts[k]` taken after it (see hoist_sums); `rt`: the runtime's
    name; `blocks`: add a large outer product's total in blocks (in a loop nested in another)."""
    loop = stmts[k]
    rows, current, sums, kept = {}, {}, [], []  # current: (name, shape) -> its rows this turn
    for stmt in loop.body:
        form = _sum_form(stmt, accumulators, seen)
        if form is None:
            kept.append(stmt)
            current = {key: r for key, r in current.items() if key[0] not in stored_names(stmt)}
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
        return
    loop.body = kept
    for b, _, _, _ in sums:
        hoisted.setdefault(b, 0)
        hoisted[b] += 1
    before = [g.assign(lists, gast.List(elts=[], ctx=gast.Load()), loop) for lists in rows]
    after = [g.assign(array, g.call(g.attr(g.name(rt), "rows"),
                                    [g.name(lists), g.tuple_(g.const(n) for n in shape)]), loop)
             for lists, array, shape in rows.values()]
    after += [g.located(s, stmt) for b, kind, arrays, stmt in sums
              for s in _added(b, kind, arrays, accumulators[b], numpy, rt if blocks else None)]
    stmts[k:k + 1] = before + [loop] + after


def _added(b, kind, arrays, shape, numpy, rt):
    """[`b += total`]; in blocks of rows (`_rt.add_product(b, P.T, Q)`) for a large outer
    product's total where `rt` is given."""
    total = _total(kind, arrays, shape, numpy)
    if rt is not None and kind == "outer" and int(np.prod(shape)) > BLOCK:  # larger than one block
        added = gast.Expr(value=g.call(g.attr(g.name(rt), "add_product"), [g.name(b), total.left, total.right]))
        return [comment(f"{b} += {arrays[0]}.T @ {arrays[1]}, a block of rows at a time: no "
                        f"temporary of {b}'s size", note=True), added]
    return [gast.AugAssign(target=g.store(b), op=gast.Add(), value=total)]


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


_NUMPY_PURE = frozenset({"outer", "sum", "mean", "prod", "dot", "tensordot", "reshape", "zeros", "array", "asarray",
                         "transpose", "ndim", "shape", "where"})  # ufuncs (np.tanh, ...) are allowed too


def rows_from_forward(tree):
    """A row list the reverse loop fills with a value it pops from the tape for nothing else
    (`h, t12 = _tape.pop()` ... `hs.append(h)`) is filled by the forward loop instead, as it
    pushes the value (`_tape.append((h, t12))`, `hs.append(h)`), and reversed after that loop
    into the order of the turns the reverse loop goes through; `trim_tape` then leaves the
    value out of the tape. Only where the tape's one push and one pop of those names stand in
    the bodies of two top-level loops, so that they pair up turn by turn."""
    body = tree.body
    pushes, pops = {}, {}
    for node in g.walk(tree):
        for key, found in ((push_key(node), pushes), (pop_key(node), pops)):
            if key is not None:
                found.setdefault(key, []).append(node)
    for key, (pop,) in ((k, v) for k, v in pops.items() if len(v) == 1 and len(pushes.get(k, ())) == 1):
        forward = _top_loop_holding(body, pushes[key][0])
        reverse = _top_loop_holding(body, pop)
        if forward is None or reverse is None or forward >= reverse:
            continue
        for name_ in reversed(key[1]):  # (each append goes right after the push)
            moved = _row_list_of(body, forward, reverse, pop, name_)
            if moved is not None:
                forward, reverse = _move_rows(body, forward, reverse, pushes[key][0], *moved)


def _top_loop_holding(body, stmt):
    return next((k for k, s in enumerate(body) if isinstance(s, gast.For) and any(x is stmt for x in s.body)), None)


def _row_list_of(body, forward, reverse, pop, name_):
    """(the list, its `L = []`, the reverse loop's `L.append(name_)`) where that append comes
    after the `pop` (so that it appends the value this turn popped) and is the only read of
    the popped `name_` from the reverse loop on, and the list is made between the loops and
    named nowhere else before the reverse loop; else None."""
    loop = body[reverse]
    at = [k for k, s in enumerate(loop.body) if isinstance(s, gast.Expr) and _appended(s.value) == name_]
    if len(at) != 1 or at[0] < next(k for k, s in enumerate(loop.body) if s is pop):
        return None
    append = loop.body[at[0]]
    reads = [n for s in body[reverse:] for n in g.walk(s) if isinstance(n, gast.Name) and n.id == name_
             and isinstance(n.ctx, gast.Load)]
    stores = sum(name_ in stored_names(s) for s in loop.body)
    rows = append.value.func.value.id
    made = [s for s in body[forward + 1:reverse] if g.single_target(s) == rows
            and isinstance(s.value, gast.List) and not s.value.elts]
    named = [s for s in body[forward:reverse] if any(isinstance(n, gast.Name) and n.id == rows for n in g.walk(s))]
    if len(reads) != 1 or stores != 1 or len(made) != 1 or named != made:
        return None
    return rows, made[0], append


def _appended(value):
    """The name `value` appends to a list (`rows.append(name)`), or None."""
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) \
            and value.func.attr == "append" and isinstance(value.func.value, gast.Name) \
            and len(value.args) == 1 and not value.keywords and isinstance(value.args[0], gast.Name):
        return value.args[0].id
    return None


def _move_rows(body, forward, reverse, push, rows, made, append):
    """The append moved from the reverse loop to after the push; the list made before the
    forward loop and reversed after it. The new indices of the two loops."""
    loop = body[reverse]
    loop.body = [s for s in loop.body if s is not append]
    forward_body = body[forward].body
    at = next(i for i, s in enumerate(forward_body) if s is push)
    forward_body.insert(at + 1, g.located(gast.Expr(value=append.value), push))
    del body[next(i for i, s in enumerate(body) if s is made)]
    reversal = g.located(gast.Expr(value=g.call(g.attr(g.name(rows), "reverse"), [])), body[forward])
    body[forward + 1:forward + 1] = [reversal]  # the turns in the order the reverse loop takes them
    body.insert(forward, made)
    return forward + 1, reverse + 1


# --- rows that are a slice --------------------------------------------------------------------

def rows_as_slices(tree, arrays, resolve, rt):
    """A row list the forward loop fills with `x[t]`, `t` the loop's own counter over
    `range(n)`, `x` an array argument (`arrays`: their names) no statement assigns, is
    `x[:n][::-1]` (the rows it read, last first): a view instead of an append a turn and a
    copy after the loop. `rt`: the name of the runtime module (`_rt.rows` makes the rows
    from a list)."""
    body = tree.body
    for k, loop in enumerate(body):
        n = _range_stop(body[:k], loop, resolve)
        if n is None:
            continue
        for append in [s for s in loop.body if isinstance(s, gast.Expr) and _appended(s.value)]:
            rows, value = append.value.func.value.id, append.value.args[0].id
            source = _row_read(loop, value, tree, arrays)
            parts = _rows_parts(body, k, rows, rt)
            if source is None or parts is None:
                continue
            made, reversal, stacked = parts
            view = gast.Subscript(value=gast.Subscript(value=g.name(source), slice=gast.Slice(
                lower=None, upper=g.clone(n), step=None), ctx=gast.Load()), slice=gast.Slice(
                lower=None, upper=None, step=g.const(-1)), ctx=gast.Load())
            stacked.value = view
            note = comment(f"the rows {source}[{loop.target.id}] the loop read, last first", note=True)
            body.insert(body.index(stacked), g.located(note, stacked))
            loop.body = [s for s in loop.body if s is not append]
            body[:] = [s for s in body if s is not made and s is not reversal]
            return rows_as_slices(tree, arrays, resolve, rt)  # the indices moved: look again


def _range_stop(before, loop, resolve):
    """`n` where `loop` is `for t in r` with `r = range(n)` assigned once before it (n a name
    or a number), else None."""
    if not isinstance(loop, gast.For) or not isinstance(loop.target, gast.Name) \
            or not isinstance(loop.iter, gast.Name) or loop.orelse:
        return None
    made = [s for s in before if loop.iter.id in stored_names(s)]
    value = getattr(made[-1], "value", None) if len(made) == 1 else None
    if not (isinstance(value, gast.Call) and resolve(value.func) is range
            and len(value.args) == 1 and not value.keywords and isinstance(value.args[0], (gast.Name, gast.Constant))):
        return None
    return value.args[0]


def _row_read(loop, value, tree, arrays):
    """`x` where the loop's body assigns `value = x[t]` once (t its counter, which the body
    does not assign; x one of the array arguments `arrays`, which nothing assigns); else None."""
    made = [s for s in loop.body if value in stored_names(s)]
    index = getattr(made[0], "value", None) if len(made) == 1 and g.single_target(made[0]) == value else None
    if not (isinstance(index, gast.Subscript) and isinstance(index.value, gast.Name)
            and isinstance(index.slice, gast.Name) and index.slice.id == loop.target.id):
        return None
    source, counter = index.value.id, loop.target.id
    stores = [n.id for n in g.walk(tree) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)]
    if source not in arrays or stores.count(source) != 1 or any(counter in stored_names(s) for s in loop.body):
        return None  # (the argument's one store: its parameter)
    return source


def _rows_parts(body, k, rows, rt):
    """(`rows = []` before the loop at `k`, `rows.reverse()` after it, the one
    `R = _rt.rows(rows, shape)` after that), all in `body`, where `rows` is named nowhere
    else; else None."""
    made = [s for s in body[:k] if g.single_target(s) == rows and isinstance(s.value, gast.List)
            and not s.value.elts]
    reversal = [s for s in body[k + 1:] if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call)
                and isinstance(s.value.func, gast.Attribute) and s.value.func.attr == "reverse"
                and isinstance(s.value.func.value, gast.Name) and s.value.func.value.id == rows]
    stacked = [s for s in body[k + 1:] if isinstance(getattr(s, "value", None), gast.Call)
               and is_rt_call(s.value, rt, "rows") and isinstance(s.value.args[0], gast.Name)
               and s.value.args[0].id == rows]
    named = sum(isinstance(n, gast.Name) and n.id == rows for s in body for n in g.walk(s))
    if len(made) != 1 or len(reversal) != 1 or len(stacked) != 1 or named != 4:
        return None  # (named: made, appended, reversed, stacked)
    if not body.index(reversal[0]) < body.index(stacked[0]):
        return None
    return made[0], reversal[0], stacked[0]
