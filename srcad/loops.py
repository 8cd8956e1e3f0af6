"""Normalise `for` loops (a part of normalize.py's `_Normalizer`): a loop over `enumerate`,
`zip` or `reversed` becomes a loop over `range` reading its sequences by index (so that the
reverse sweep can read them too), and a loop whose body re-binds a name its iterable reads goes
on over the value held when it began, as in Python.
"""
import gast

from . import gastutil as g


class Loops:
    """The loop rewrites of the normaliser (`self.src`, `self.names` are the normaliser's)."""

    def hold_iterable(self, stmt):
        """`for e in y: ... y = ...` goes on over the array `y` held when the loop began (Python
        evaluates the iterable once); the loop is given its own name for it, `t = y`, so that
        the reverse sweep (and an indexed loop's reads `y[k]`) see that array, not the new one.
        None where the body re-binds no name the iterable reads."""
        rebound = stored_names(stmt.body) & self.src.local_names
        read = {n.id for n in g.walk(stmt.iter) if isinstance(n, gast.Name) and n.id in rebound}
        if not read:
            return None
        held, loop = [], g.clone(stmt)
        for name_ in sorted(read):
            copy = self.names.temp()
            self.src.local_names.add(copy)
            held.append(g.located(g.assign(copy, g.name(name_)), stmt))
            for node in g.walk(loop.iter):
                if isinstance(node, gast.Name) and node.id == name_:
                    node.id = copy
        return held + [g.located(loop, stmt)]

    def indexed_loop(self, stmt):
        """`for i, x in enumerate(xs)`, `for a, b in zip(xs, ys)` and `for x in reversed(xs)`
        as loops over `range`, reading the sequences by index (so the reverse sweep can too);
        also `enumerate(xs, start)` and an enumerate of a zip, an enumerate or a reversed."""
        call = stmt.iter
        if not isinstance(call, gast.Call) or not call.args:
            return None
        fn = self.iterator_call(call)
        if fn is None or any(isinstance(a, gast.Starred) for a in call.args):
            return None
        if fn is enumerate:
            return self.enumerate_loop(stmt)
        if call.keywords:
            return None
        k = self.names.fresh("k")
        index = g.name(k)
        builtin = self.builtin
        seqs = [g.clone(a) for a in call.args]
        if fn is zip:
            if isinstance(stmt.target, gast.Tuple) and len(stmt.target.elts) == len(seqs):
                reads = [(t, g.subscript(s_, index)) for t, s_ in zip(stmt.target.elts, seqs)]
            elif isinstance(stmt.target, gast.Name):  # for pair in zip(xs, ys): the tuple of items
                reads = [(stmt.target, g.tuple_([g.subscript(s_, index) for s_ in seqs]))]
            else:
                return None
            lengths = [g.call(builtin(len), [g.clone(s_)]) for s_ in seqs]
            bound = lengths[0] if len(lengths) == 1 else g.call(builtin(min), lengths)
            loop_range = g.call(builtin(range), [bound])
        else:
            if len(seqs) != 1:
                return None
            last = gast.BinOp(left=g.call(builtin(len), [g.clone(seqs[0])]), op=gast.Sub(), right=g.const(1))
            loop_range = g.call(builtin(range), [last, g.const(-1), g.const(-1)])
            reads = [(stmt.target, g.subscript(seqs[0], index))]
        body = [g.located(gast.Assign(targets=[t], value=v, type_comment=None), stmt) for t, v in reads]
        self.src.local_names.add(k)
        return g.located(gast.For(target=g.store(k), iter=loop_range, body=body + stmt.body,
                                  orelse=stmt.orelse, type_comment=None), stmt)

    def strict_zip(self, stmt):
        """A loop over `zip(xs, ys, strict=True)` (or an enumerate of one): the check that the
        lengths agree, raising ValueError as zip does (before the loop, not after its shortest
        turn: the call raises either way), then the loop over the plain zip. None where the
        loop has no zip with a constant `strict`."""
        call = stmt.iter
        if self.iterator_call(call) is enumerate and call.args:
            call = call.args[0]
        if self.iterator_call(call) is not zip or [k.arg for k in call.keywords] != ["strict"] \
                or not isinstance(call.keywords[0].value, gast.Constant):
            return None
        strict = call.keywords[0].value.value
        stmt = g.located(g.clone(stmt), stmt)  # the user's tree stays as it is
        call = stmt.iter.args[0] if self.iterator_call(stmt.iter) is enumerate else stmt.iter
        call.keywords = []
        if not strict or len(call.args) < 2:
            return [stmt]
        lengths = [g.call(self.builtin(len), [g.clone(a)]) for a in call.args]
        differ = gast.Compare(left=g.call(self.builtin(min), lengths), ops=[gast.NotEq()],
                              comparators=[g.call(self.builtin(max), [g.clone(n) for n in lengths])])
        error = g.call(self.builtin(ValueError), [g.const("zip() arguments have different lengths (strict=True)")])
        check = gast.If(test=differ, body=[g.located(gast.Raise(exc=error, cause=None), stmt)], orelse=[])
        return [g.located(check, stmt), stmt]

    def iterator_call(self, expr):
        """enumerate, zip or reversed, if `expr` calls one of them, else None."""
        if not isinstance(expr, gast.Call) or not isinstance(expr.func, gast.Name):
            return None
        fn = self.src.resolve(expr.func)
        return fn if fn in (enumerate, zip, reversed) else None

    def enumerate_loop(self, stmt):
        """`for i, x in enumerate(xs, start)`: the loop over `xs` (by index, where `xs` is a
        zip, an enumerate or a reversed), with `i` counted from the turn: `i = k + start`
        (`i = last - k` when the loop goes backwards, over reversed(xs))."""
        call = stmt.iter
        start = call.args[1] if len(call.args) == 2 else None
        if call.keywords:
            if start is not None or [k.arg for k in call.keywords] != ["start"]:
                return None
            start = call.keywords[0].value
        if len(call.args) > 2 or not _pair(stmt.target):
            return None
        seq = call.args[0]
        loop = gast.For(target=stmt.target.elts[1], iter=g.clone(seq), body=stmt.body,
                        orelse=stmt.orelse, type_comment=None)
        inner = self.indexed_loop(loop) if isinstance(seq, gast.Call) else None
        if inner is None:  # a sequence read by index (strict zips are checked before: strict_zip)
            k = self.names.fresh("k")
            self.src.local_names.add(k)
            read = g.located(gast.Assign(targets=[loop.target], value=g.subscript(g.clone(seq), g.name(k)),
                                         type_comment=None), stmt)
            loop_range = g.call(self.builtin(range), [g.call(self.builtin(len), [g.clone(seq)])])
            inner = gast.For(target=g.store(k), iter=loop_range, body=[read] + stmt.body,
                             orelse=stmt.orelse, type_comment=None)
        count = g.name(inner.target.id)
        if len(inner.iter.args) == 3:  # reversed: range(last, -1, -1)
            count = gast.BinOp(left=g.clone(inner.iter.args[0]), op=gast.Sub(), right=count)
        if start is not None:
            count = gast.BinOp(left=count, op=gast.Add(), right=g.clone(start))
        inner.body.insert(0, g.located(gast.Assign(targets=[stmt.target.elts[0]], value=count,
                                                   type_comment=None), stmt))
        return g.located(inner, stmt)

    def builtin(self, fn):
        """A builtin the generated code calls, under a name the user's own variables do not
        shadow (a local `len` would otherwise be called)."""
        return self.src.namespace.refer(fn, fn.__name__)


def stored_names(body):
    """Every name stored in `body`, inside its branches and loops too."""
    return {n for stmt in body for node in g.walk(stmt) if isinstance(node, gast.Name)
            and isinstance(node.ctx, gast.Store) for n in [node.id]}


def _pair(target):
    return isinstance(target, gast.Tuple) and len(target.elts) == 2
