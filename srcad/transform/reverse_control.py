"""The reverse sweep of branches and loops (a part of reverse.py's `_Reverse`).

A branch runs backwards as the same branch, on the condition the forward sweep recorded where
it changes later; a loop runs backwards over the same items in reverse order, its turn count
recorded where it may stop early. A loop body whose variables are set afresh each turn, with
nothing read before it is set, is snapshotted (`snapshot_body`) instead of saving each value.
"""
import gast

from .. import gastutil as g
from ..ir import COMPOUND
from . import recompute
from .adjoints import AddAt


class ControlFlow:
    """`visit_If`, `visit_For` and `visit_While` of the reverse transform."""

    def visit_If(self, stmt):
        body_f, body_b = self.block(stmt.body)
        else_f, else_b = self.block(stmt.orelse)
        forward = [g.located(gast.If(test=stmt.test, body=body_f or [gast.Pass()], orelse=else_f), stmt)]
        if not body_b and not else_b:
            return forward, []
        save, restore = self.record(stmt.test, stmt)
        backward = [g.located(gast.If(test=g.clone(stmt.test), body=body_b or [gast.Pass()],
                                      orelse=else_b), stmt)]
        return forward + save, restore + backward

    def loop_body(self, stmts):
        self.depth += 1
        if any(isinstance(s, COMPOUND) for s in stmts):
            forward, backward = self.block(stmts)
        else:
            forward, backward = self.snapshot_body(stmts)
        self.depth -= 1
        return forward, backward

    def snapshot_body(self, stmts):
        """A straight-line loop body saves what its turn overwrote in one push at its end.

        Its copies back into loop-carried variables (`x = t5`) move to the end, so until then
        every variable holds one value a turn; one tuple of the values the reverse sweep needs
        is pushed before the copies and popped at the start of the reversed turn."""
        body, copies = _defer_copies(stmts, self.facts)
        if _read_before_set(body) or self.set_before(body):
            # a value overwritten mid-turn is needed, or the value a variable held before the
            # loop (read backwards after the reversed loop): save each where it dies
            return self.block(stmts)
        outer, self.snapshot = self.snapshot, []
        copies_f, copies_b = self.block(copies)  # backwards: the copies come last
        main_f, main_b = self.block(body)
        kept, self.snapshot = self.snapshot, outer
        if not kept:
            return main_f + copies_f, copies_b + main_b
        # a variable first set by a copy at the end of the turn is pushed in the first turn
        # before it exists: it starts as None (see forward_start)
        self.saved.update(c.targets[0].id for c in copies
                          if c.targets[0].id in kept and not self.set_earlier(c.targets[0].id, stmts[0]))
        like = stmts[-1]
        kept = recompute.plan(kept, body, copies, stmts, self.facts, self.layout)
        stored = kept.stored
        if not stored:
            return main_f + copies_f, kept.before + kept.after + copies_b + main_b
        if len(stored) == 1:
            return main_f + [self.push(g.name(stored[0]), like)] + copies_f, \
                kept.before + [self.pop(stored[0], like)] + kept.after + copies_b + main_b
        push = self.push(g.tuple_(g.name(n) for n in stored), like)
        pop = g.assign(g.tuple_(g.store(n) for n in stored), g.call(g.attr(g.name(self.tape), "pop"), []), like)
        return main_f + [push] + copies_f, kept.before + [pop] + kept.after + copies_b + main_b

    def set_earlier(self, name_, stmt):
        """Whether `name_` is a parameter or set at the top level on a line before `stmt` (or on
        its line: a comprehension, whose loop starts where the list was made)."""
        first = self.layout.first_defs.get(name_)
        lines = [getattr(first[0], "lineno", None) if first else None, getattr(stmt, "lineno", None)]
        return name_ in self.layout.params or first is not None and first[1] == 0 \
            and None not in lines and lines[0] <= lines[1]

    def set_before(self, body):
        """Whether a variable set in the loop body `body` (copies aside) may also hold a value
        from before the loop: one save at the end of each turn would never bring it back."""
        counts = {}
        for stmt in body:
            if isinstance(stmt, gast.Assign):
                for name_ in g.assigned_names(stmt.targets[0]):
                    counts[name_] = counts.get(name_, 0) + 1
        return any(len(self.layout.defs.get(n, ())) > k for n, k in counts.items())

    def visit_For(self, stmt):
        checkpointed = self.checkpointable(stmt)
        plain = [self.facts.clone(s) for s in stmt.body] if checkpointed else None
        body_f, body_b = self.loop_body(stmt.body)
        target, items = stmt.target.id, stmt.iter
        active_items = isinstance(items, gast.Name) and self.facts.is_active(items.id) \
            and self.facts.is_active(target)
        # a list built with append may grow after (or during) the loop: the reversed loop
        # goes over the items the loop went over, counted, as it does after a break
        grows = isinstance(items, gast.Name) and items.id in self.layout.appended
        counted = g.breaks_out(stmt.body) or grows
        counter = self.names.fresh("n_") if counted else None
        forward = [g.located(gast.For(target=g.store(target), iter=items, body=body_f,
                                      orelse=[], type_comment=None), stmt)]
        if counted:
            forward[0].body = [g.located(g.aug_add(counter, g.const(1)), stmt)] + body_f
            forward.insert(0, g.assign(counter, g.const(0), stmt))
        if not body_b and not active_items and not (self.facts.is_active(target) and target in self.adjoints):
            return forward, []
        save_n, restore_n = self.record_count(counter, stmt) if counted else ([], [])
        save_i, restore_i = self.record(items, stmt)
        if checkpointed and not active_items:
            forward, backward = self.checkpointed_for(stmt, plain, body_f, body_b)
            return forward + save_i, restore_i + backward
        backward = self.reverse_loop(stmt, target, items, counter, body_b, active_items)
        return forward + save_n + save_i, restore_i + restore_n + backward

    def reverse_loop(self, stmt, target, items, counter, body_b, active_items):
        """`for target in reversed(items[:n])`, or by index when the items are differentiated."""
        if not active_items:
            seq = g.subscript(g.clone(items), gast.Slice(lower=None, upper=g.name(counter), step=None)) \
                if counter else g.clone(items)
            if self.facts.is_active(target) and target in self.adjoints:
                # each turn overwrites the target with a constant: what it held before (the
                # turn before, or before the loop) reached nothing after
                body_b = body_b + [g.assign(self.adjoints[target], g.const(0.0), stmt)]
            loop = gast.For(target=g.store(target), iter=g.call(self.builtin(reversed), [seq]),
                            body=body_b or [gast.Pass()], orelse=[], type_comment=None)
            return [g.located(loop, stmt)]
        k = self.names.fresh("k_")
        count = g.name(counter) if counter else g.call(self.builtin(len), [g.clone(items)])
        read = g.assign(target, g.subscript(g.clone(items), g.name(k)), stmt)
        self.reads.add(items.id)
        scatter = self.accumulate(items.id, AddAt(g.name(k), g.name(self.adjoint_name(target))), stmt)
        reset = g.assign(self.adjoint_name(target), g.const(0.0), stmt)
        indices = g.call(self.builtin(reversed), [g.call(self.builtin(range), [count])])
        loop = gast.For(target=g.store(k), iter=indices, body=[read] + body_b + [scatter, reset],
                        orelse=[], type_comment=None)
        return [g.located(loop, stmt)]

    def visit_While(self, stmt):
        body_f, body_b = self.loop_body(stmt.body)
        counter = self.names.fresh("n_")
        body = [g.located(g.aug_add(counter, g.const(1)), stmt)] + body_f
        forward = [g.assign(counter, g.const(0), stmt),
                   g.located(gast.While(test=stmt.test, body=body, orelse=[]), stmt)]
        if not body_b:
            forward[1].body = body_f
            return forward[1:], []
        save, restore = self.record_count(counter, stmt)
        turn = self.names.fresh("_")
        loop = gast.For(target=g.store(turn), iter=g.call(self.builtin(range), [g.name(counter)]),
                        body=body_b, orelse=[], type_comment=None)
        return forward + save, restore + [g.located(loop, stmt)]


def _defer_copies(stmts, facts):
    """(statements, copies): a straight-line loop body with its copies `v = w` into variables
    defined once in it (from a value `w` defined once before) moved to the end, later reads of
    `v` reading `w` instead."""
    stores = {}
    for stmt in stmts:
        for node in g.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
    defined, body, copies = set(), [], []
    for stmt in stmts:
        is_copy = isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
            and isinstance(stmt.value, gast.Name) and stmt.value.id in defined
        if is_copy and stores[stmt.targets[0].id] == 1 and stores[stmt.value.id] == 1:
            copies.append(stmt)
            continue
        renamed = {c.targets[0].id: c.value.id for c in copies}
        if renamed:
            stmt = facts.clone(stmt)
            for node in g.walk(stmt):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in renamed:
                    node.id = renamed[node.id]
        defined.update(n.id for n in g.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store))
        body.append(stmt)
    return body, copies


def _read_before_set(stmts):
    """Whether some variable set in `stmts` is also read at or before the statement setting it
    (its old value lives until then, so one save at the end of the turn would come too late)."""
    read = set()
    for stmt in stmts:
        read.update(g.names_in(stmt))
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) \
                and stmt.targets[0].id in read:
            return True
    return False
