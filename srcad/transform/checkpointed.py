"""Loops reversed by binomial checkpointing (`grad(f, checkpoints=K | "sqrt")`), a part of
reverse.py's `_Reverse`.

An outermost `for i in range(...)`, at the top of the function or in its branches (`if`
at the top, and `if` in those), keeps no tape of its turns.
The forward sweep runs the loop as the function does, keeping the loop's state (the variables
it carries from turn to turn) at the turns `_rt.Revolve` chooses, at most K at a time; only
the last turn saves what its reverse reads. The reverse sweep reverses that turn, then follows
the schedule: bring a state back, run turns from it again, keep another state, or run one
turn saving what its reverse reads and reverse it at once (runtime/checkpoints.py).

Each turn runs from the state it starts with, so the state must hold everything a turn reads
from earlier turns and everything the loop changes that the code before it reads backwards.
A snapshot keeps references: a loop that changes an array or a list in place (`a[i] = v`,
`xs.append(v)`, `a += b` on an array, a helper writing into its arguments) would change its
snapshots too, and is refused.
"""
import gast

from .. import effects
from .. import gastutil as g
from ..analyze import FLOAT
from ..errors import Unsupported
from ..ir import augmented, comment
from ..rules.callees import is_user_function

_HINT = "Build a new value each turn (a = a + b, np.concatenate, ...), or use checkpoints=None"


class Checkpointing:
    """`checkpointed_for` of the reverse transform; `self.checkpoints` is K, "sqrt" or None."""

    def checkpointable(self, stmt):
        """Whether the loop `stmt` is reversed by checkpointing: an outermost loop at the top
        of the function or in its branches (`if` at the top, and `if` in those), over
        `range(...)`, with no break (its turn count is known at entry). A loop changing values
        in place is refused."""
        if self.checkpoints is None or self.depth or _branch_path(self.body, stmt) is None \
                or not isinstance(stmt.iter, gast.Name) or g.breaks_out(stmt.body):
            return False
        first = self.layout.first_defs.get(stmt.iter.id)
        made = first[0].value if first and isinstance(first[0], gast.Assign) else None
        if not isinstance(made, gast.Call) or self.facts.calls.get(id(made)) is not range \
                or not self.layout.stable(stmt.iter.id):
            return False
        _refuse_changes_in_place(stmt, self.facts)
        return True

    def checkpointed_for(self, stmt, plain, body_f, body_b):
        """(forward, backward) of the checkpointed loop `stmt`: `plain` its body as the function
        runs it, `body_f` and `body_b` one turn saving what its reverse reads and that reverse."""
        target, items = stmt.target.id, stmt.iter.id
        state, set_in = self.loop_state(stmt)
        # read again backwards: what the turns read from before the loop, and the states
        self.reads.update(n for s in plain for n in g.names_in(s) if n not in set_in)
        self.reads.update(state + [items])
        revolve = self.names.fresh("_revolve")
        start, middle, stop = (self.names.fresh(n) for n in ("_start", "_middle", "_stop"))
        reverse = self.builtin(reversed)

        def turns(body, lower, upper, backwards=False):  # `for i in t1[lower:upper]:`
            window = g.subscript(g.name(items), gast.Slice(lower=lower, upper=upper, step=None))
            window = g.call(g.clone(reverse), [window]) if backwards else window
            loop = g.located(gast.For(target=g.store(target), iter=window, body=body or [gast.Pass()],
                                      orelse=[], type_comment=None), stmt)
            loop.reversed_stretch = backwards  # its sums may be taken a stretch at a time (optimize/loop_sums.py)
            return loop

        def action(method, stretch):
            """`for _start, _middle, _stop in _revolve.<method>():`, its body running turns
            `_start` to `_middle` as the function does, keeping the state at `_middle` or
            running the `stretch` from there."""
            test = gast.Compare(left=g.name(middle), ops=[gast.Eq()], comparators=[g.name(stop)])
            save = gast.Expr(value=g.call(g.attr(g.name(revolve), "save"), [g.tuple_(g.name(n) for n in state)]))
            body = [turns([self.facts.clone(s) for s in plain], g.name(start), g.name(middle)),
                    g.located(gast.If(test=test, body=[save], orelse=stretch), stmt)]
            if method == "reverse" and state:
                load = g.call(g.attr(g.name(revolve), "load"), [])
                body.insert(0, g.assign(g.tuple_(g.store(n) for n in state), load, stmt))
            loop = gast.For(target=g.tuple_(g.store(n) for n in (start, middle, stop)),
                            iter=g.call(g.attr(g.name(revolve), method), []), body=body, orelse=[],
                            type_comment=None)
            return g.located(loop, stmt)
        unset = [g.assign(n, g.const(None), stmt) for n in state if n not in self.bound_before(stmt)]
        made = g.assign(revolve, g.call(self.rt("Revolve"), [g.call(self.builtin(len), [g.name(items)]),
                                                             g.const(self.checkpoints)]), stmt)
        note = comment(f"binomial checkpointing: at most {_count(self.checkpoints)} copies of the loop's state "
                       f"({', '.join(state)}) at a time; the turns between run again backwards", note=True)
        last = g.attr(g.name(revolve), "last")
        forward = unset + [note, made, action("forward", []),
                           comment("the last turns save what their reverse reads", note=True),
                           turns(body_f, last, None)]
        again = [self.facts.clone(s) for s in body_f]
        backward = [turns(body_b, g.clone(last), None, backwards=True),
                    action("reverse", [turns(again, g.name(middle), g.name(stop)),
                                       turns([self.facts.clone(s) for s in body_b], g.name(middle),
                                             g.name(stop), backwards=True)])]
        return forward, backward

    def loop_state(self, stmt):
        """(state, set): the variables a turn of `stmt` may read from an earlier turn, and
        those it sets that held a value before the loop (the code before reads them backwards),
        sorted; the set of all variables the loop sets."""
        set_in = {n.id for s in stmt.body for n in g.walk(s)
                  if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        before = self.bound_before(stmt, definitely=False)
        exposed = _read_before_set(stmt.body)
        return sorted(n for n in set_in if n != stmt.target.id and (n in before or n in exposed)), set_in

    def bound_before(self, stmt, definitely=True):
        """The parameters and the variables set before the statement `stmt` (at the top level
        or in its branches): by the assignments in its statement list and the enclosing ones
        (`definitely`), or anywhere in the statements before it there."""
        out = set(self.layout.params)
        for stmts, at in _branch_path(self.body, stmt):
            for earlier in stmts[:at]:
                if definitely and isinstance(earlier, gast.Assign):
                    out.update(g.assigned_names(earlier.targets[0]))
                elif not definitely:
                    out.update(n.id for n in g.walk(earlier) if isinstance(n, gast.Name)
                               and isinstance(n.ctx, gast.Store))
        return out


def _count(checkpoints):
    return "sqrt(n)" if checkpoints == "sqrt" else str(checkpoints)



def _branch_path(body, stmt):
    """[(statements, index)] from the function's `body` down to `stmt`, through the bodies of
    `if` statements only (no loop); None where `stmt` is not there."""
    work = [(body, [])]
    while work:
        stmts, path = work.pop()
        for at, s in enumerate(stmts):
            if s is stmt:
                return path + [(stmts, at)]
            if isinstance(s, gast.If):
                work += [(s.body, path + [(stmts, at)]), (s.orelse, path + [(stmts, at)])]
    return None


def _read_before_set(stmts):
    """Variables a turn may read before it sets them: read anywhere in a statement before the
    top-level assignment that sets them (a value set in a branch or a nested loop may not be)."""
    set_, exposed = set(), set()
    for stmt in stmts:
        exposed.update(n for n in g.names_in(stmt) if n not in set_)
        if isinstance(stmt, gast.Assign):
            set_.update(g.assigned_names(stmt.targets[0]))
    return exposed


def _refuse_changes_in_place(loop, facts):
    """Refuse a checkpointed loop that changes an array or list in place: its snapshots would
    change with it."""
    for stmt in g.walk(loop):
        if isinstance(stmt, gast.Assign) and not isinstance(stmt.targets[0], gast.Name):
            raise Unsupported(stmt, "cannot checkpoint a loop that writes into an array, a list "
                                    "or an object", _HINT)
        if isinstance(stmt, gast.Assign) and augmented(stmt)[0] and facts.kinds.get(augmented(stmt)[0]) != FLOAT:
            raise Unsupported(stmt, "cannot checkpoint a loop that changes an array in place "
                                    f"({augmented(stmt)[1]})", _HINT)
        if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
            raise Unsupported(stmt, "cannot checkpoint a loop with a call made for its effect "
                                    "(a method changing a value in place, say)", _HINT)
        if isinstance(stmt, gast.Call):
            fn = facts.calls.get(id(stmt))
            if any(k.arg == "out" for k in stmt.keywords) or \
                    fn is not None and is_user_function(fn) and effects.changed_parameters(fn):
                raise Unsupported(stmt, "cannot checkpoint a loop that calls a function writing "
                                        "into the values it is given", _HINT)
