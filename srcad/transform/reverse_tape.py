"""What the reverse sweep needs from the forward sweep (a part of reverse.py's `_Reverse`):
calls of the user's functions (their forward parts push onto the tape, their reverse parts pop),
writes into arrays and lists (the overwritten part saved, its adjoint cleared), and the values
about to be overwritten that the reverse sweep reads, pushed on `_tape` and popped back.
"""
import gast

from .. import effects
from .. import gastutil as g
from ..analyze import ARRAY, FLOAT, INT, may_share
from ..errors import Unsupported
from ..gastutil import index_value
from ..ir import comment
from ..rules.callees import is_checkpointed
from . import calls


class Tape:
    """`user_call`, `visit_store` and the saving of values, of the reverse transform."""

    def user_call(self, stmt, fn):
        """`t = h(a, b)`: forward `t = h_fwd(_tape, a, b)`, reverse `t9 = h_bwd(_tape, bt)`."""
        name_, call = stmt.targets[0].id, stmt.value
        bound, kinds = calls.bind_arguments(fn, call, stmt)
        active = [(p, a) for p, a in bound if isinstance(a, gast.Name) and self.facts.is_active(a.id)]
        if not active:  # a constant result, which may still overwrite an active variable
            return [stmt], self.overwritten(name_, stmt) if self.facts.is_active(name_) else []
        kinds.update({p: calls.argument_kind(a, self.facts) for p, a in bound})
        containers = {p for p, a in active if self.facts.kinds.get(a.id) not in (FLOAT, ARRAY)}
        # itself, through another name (`ys = xs`) or through another function
        changed = containers and (calls.mutated_parameters(fn) | effects.changed_parameters(fn)) & containers
        if changed:
            raise Unsupported(stmt, f"cannot differentiate the call of {fn.__name__}, which changes "
                                    f"the differentiated {', '.join(sorted(changed))} it is given "
                                    "(reverse mode)", "Return the new values from the function instead")
        if self.facts.is_active(name_) and self.has_adjoint(name_):
            seed = g.name(self.adjoints[name_])
        elif calls.passes_active_container(call, self.facts):
            seed = g.const(0.0)  # only what it appended to flows back
        else:
            # nothing flows back (the result only decides a branch, say): the helper itself
            # runs, since a forward sweep would push values that no reverse sweep pops
            return [stmt], self.overwritten(name_, stmt) if self.facts.is_active(name_) else []
        compiled = self.derive_call(fn, tuple(p for p, _ in active), kinds, stmt)
        fwd, bwd = compiled.bind_pair(fn)
        if self.tape is None:
            self.tape = self.names.fresh("_tape")
        fwd_ref = self.ns.refer(fwd, fn.__name__ + "_fwd")
        forward = [calls.forward_call(name_, fwd_ref, self.tape, call, stmt)]
        cotangents = self.names.temp()
        backward = [g.assign(cotangents, g.call(self.ns.refer(bwd, fn.__name__ + "_bwd"),
                                                [g.name(self.tape), seed]), stmt)]
        if is_checkpointed(fn):
            # srcad.checkpoint(h): the call as the function makes it, keeping only its inputs
            # (read again backwards), and its forward part run again just before its reverse
            self.reads.update(g.names_in(call))
            again = calls.forward_call(self.names.temp(), g.clone(fwd_ref), self.tape, call, stmt)
            forward = [stmt]
            backward = [comment(f"checkpoint({fn.__name__}): its forward part again", note=True), again] + backward
        backward += self.overwritten(name_, stmt)  # before `x = h(x)` gives x its cotangent
        for i, (param, arg) in enumerate(active):
            # the helper's gradient of a number is a Python float (its own gradient() sees to it)
            backward.append(self.accumulate(arg.id, g.subscript(g.name(cotangents), g.const(i)), stmt,
                                            python_float=kinds.get(param) in (FLOAT, INT)))
        return forward, backward

    def visit_store(self, stmt):
        """`a[i] = v`: backwards, `v` receives `a`'s adjoint at `[i]`, which is then zero (the
        old values there reached nothing after); if the reverse sweep reads `a`, the values
        overwritten are saved first and written back."""
        target = stmt.targets[0]
        base = target.value
        if not isinstance(base, gast.Name):
            return [stmt], []
        a = base.id
        # a view of `a` that the reverse sweep reads must see the values of its time again
        needed = self.needed is not None and any(n in self.needed for n in may_share(self.facts, a))
        if not (self.facts.is_active(a) or needed):
            return [stmt], []
        if a in self.layout.params:
            raise Unsupported(stmt, f"cannot differentiate a write into the argument {a}: it would "
                                    "change the caller's array", f"Copy it first: {a} = {a}.copy()")
        if isinstance(target.slice, gast.Slice) and self.facts.kinds.get(a) != ARRAY \
                and isinstance(stmt.value, gast.Name) and self.facts.is_active(stmt.value.id):
            raise Unsupported(stmt, f"cannot differentiate a write into a slice of the list {a} "
                                    "(reverse mode)", "Write its elements one by one, or use an array")
        index = index_value(target.slice, self.ns)
        forward, backward, restore = [stmt], [], []
        if needed:
            old = g.call(self.rt("saved"), [g.subscript(g.name(a), g.clone(target.slice))])
            forward.insert(0, self.push(old, stmt))
            store = gast.Subscript(value=g.name(a), slice=g.clone(target.slice), ctx=gast.Store())
            popped = g.call(g.attr(g.name(self.tape), "pop"), [])
            restore = [g.assign(store, popped, stmt)]
        if self.facts.is_active(a) and self.has_adjoint(a):
            ba = g.name(self.adjoint_name(a))
            value = stmt.value
            if isinstance(value, gast.Name) and self.facts.is_active(value.id):
                part = g.call(self.rt("item"), [ba, index])
                term = g.call(self.rt("unbroadcast"), [part, g.clone(value)])
                backward.append(self.accumulate(value.id, term, stmt))
            backward.append(g.assign(ba.id, g.call(self.rt("zero_at"), [g.name(ba.id), g.clone(index)]), stmt))
        if backward or restore:  # the index is read again backwards: it must hold its value then
            self.reads.update(g.names_in(target.slice))
        return forward, backward + restore

    # --- saving values -------------------------------------------------------------------------

    def is_needed(self, name_):
        return self.needed is None or name_ in self.needed

    def save(self, name_, like):
        """Push `name_`'s value before it is overwritten, pop it back after the adjoint."""
        if not self.layout.redefined(name_) or not self.is_needed(name_) \
                or name_ in self.layout.loop_targets or self.layout.first_at_top(name_, like):
            return [], []
        if self.snapshot is not None:  # a straight-line loop body: saved at the end of its turn
            if name_ not in self.snapshot:
                self.snapshot.append(name_)
            if self.tape is None:
                self.tape = self.names.fresh("_tape")
            return [], []
        self.saved.add(name_)
        return [self.push(g.name(name_), like)], [self.pop(name_, like)]

    def record(self, value, like):
        """Keep a control value (a condition, the items of a loop) for the reverse sweep: push
        it after the statement and pop it before the reversed statement, unless it never
        changes."""
        if not isinstance(value, gast.Name) or self.layout.stable(value.id):
            return [], []
        return [self.push(g.name(value.id), like)], [self.pop(value.id, like)]

    def record_count(self, counter, like):
        """An iteration count: kept as it is outside loops, pushed inside one."""
        if self.depth == 0:
            return [], []
        return [self.push(g.name(counter), like)], [self.pop(counter, like)]

    def push(self, value, like):
        if self.tape is None:
            self.tape = self.names.fresh("_tape")
        return g.located(gast.Expr(value=g.call(g.attr(g.name(self.tape), "append"), [value])), like)

    def pop(self, name_, like):
        return g.assign(name_, g.call(g.attr(g.name(self.tape), "pop"), []), like)
