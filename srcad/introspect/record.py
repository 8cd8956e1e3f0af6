"""Recording: the derivative's tree with a recorder call after every statement, compiled and run.

`instrumented(wl, compiled, fn, recorder)` copies the derivative's final tree (the one
`srcad.source` prints), inserts `_srcad_trace_.row(k, value)` after every assignment and tape
push, `.turn(loop, value)` at the top of every loop body, a row at the start of each branch and,
where the reverse sweep starts, a check that the output is a scalar and a row for the seed;
then compiles the copy the way `load` compiles the real derivative (same helpers, the user
function's globals and closure). Row `k`'s static part (its statement, its kind, its textbook
spelling) is `recorder.sites[k]`; the value comes at run time.
"""
from dataclasses import dataclass

import gast
import numpy as np

from .. import emit, errors, load, runtime
from .. import gastutil as g
from ..ir import BLOCK_FIELDS, COMPOUND, REVERSE_SWEEP, comment_text
from .wengert import source_of

FORWARD, REVERSE = "forward", "reverse"


@dataclass(frozen=True)
class Row:
    """One statement of the derivative as it ran.

    `kind` is one of: input, primal, control, branch, tape, seed, restore, adjoint, gradient.
    `loops` locates the row in loops: ((loop id, run, turn), ...), outermost first."""
    sweep: str
    kind: str
    name: str
    expression: str
    value: object
    statement: str
    textbook: str
    line: int
    loops: tuple = ()


@dataclass(frozen=True)
class Loop:
    """A loop of the derivative: its header as generated code, and the user's line."""
    sweep: str
    header: str
    line: int


# --- running the instrumented derivative ------------------------------------------------------

class Recorder:
    """Collects rows as the instrumented derivative runs; `sites[k]` is row k's static part."""

    def __init__(self, max_rows):
        self.sites, self.loops = [], {}
        self.rows, self.turns = [], {}
        self.values = {}              # (loop id, run, turn) -> the loop variable's value
        self.runs = {}                # loop id -> how many times it has started
        self.stack = []               # [(loop id, run, turn)] of the loops running now
        self.max_rows = max_rows
        self.complete = True

    def site(self, **fields):
        self.sites.append(fields)
        return len(self.sites) - 1

    def row(self, k, value):
        if len(self.rows) >= self.max_rows:
            self.complete = False
            return
        self.rows.append(Row(value=snapshot(value), loops=tuple(self.stack), **self.sites[k]))

    def begin(self, loop):
        run = self.runs.get(loop, 0)
        self.runs[loop] = run + 1
        self.turns[(loop, run)] = 0
        self.stack.append((loop, run, 0))

    def turn(self, loop, value):
        loop_, run, turn = self.stack[-1]
        self.stack[-1] = (loop_, run, turn + 1)
        self.turns[(loop_, run)] = turn + 1
        if value is not None and len(self.rows) < self.max_rows:
            self.values[(loop_, run, turn + 1)] = snapshot(value)

    def end(self, loop):
        self.stack.pop()

    def output(self, value):
        if not (type(value) in (float, int, bool) or (isinstance(value, (np.ndarray, np.generic))
                                                      and np.ndim(value) == 0)):
            raise runtime.NotScalar(value)


def snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    return value


def instrumented(wl, compiled, fn, recorder):
    """The derivative of `compiled` with `recorder`'s calls in it, ready to run like it."""
    tree = _Instrument(wl, compiled.seed, recorder).function(compiled.tree)
    used = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
    helpers = dict(compiled.helpers)
    helpers[_RECORDER] = recorder
    free = [n for n in fn.__code__.co_freevars if n in used]
    text = emit.source_text(tree, compiled.filename, helpers, free)
    name_ = f"<srcad trace {errors.short(compiled.filename)} {tree.name}>"
    code = load.code_of(text, name_, tree.name)
    return load.function(code, fn, helpers, tuple(fn.__defaults__ or ()) + compiled.seed_defaults)


# --- instrumenting the derivative's tree ------------------------------------------------------

_RECORDER = "_srcad_trace_"


class _Instrument:
    """Inserts the recorder's calls into a copy of the derivative's tree."""

    def __init__(self, wl, seed, recorder):
        self.wl, self.seed, self.rec = wl, seed, recorder

    def function(self, tree):
        tree = g.clone(tree)
        if any(isinstance(n, gast.Name) and n.id == _RECORDER for n in gast.walk(tree)):
            raise errors.SrcadError(f"trace: the name {_RECORDER} is taken in {tree.name}. Rename "
                                    f"{_RECORDER} in it (trace calls a recorder of that name)")
        body, sweep = [], FORWARD
        for stmt in tree.body:
            if comment_text(stmt) == REVERSE_SWEEP:
                sweep = REVERSE
                body += [stmt] + self.seeding(tree)
                continue
            body += self.statement(stmt, sweep)
        tree.body = body
        work = _compound(tree.body)
        while work:  # the blocks inside branches and loops
            stmt = work.pop()
            for field in BLOCK_FIELDS:
                block = [new for s in getattr(stmt, field) for new in self.statement(s, stmt.sweep)]
                setattr(stmt, field, block)
                work += _compound(block)
            if isinstance(stmt, gast.If):
                self.branches(stmt)
            elif isinstance(stmt, gast.For):
                stmt.body.insert(0, self.call("turn", stmt.loop_id, _as_load(stmt.target)))
            elif isinstance(stmt, gast.While):
                stmt.body.insert(0, self.call("turn", stmt.loop_id, g.const(None)))
        return tree

    def branches(self, stmt):
        """A row at the start of each branch of an `if`, saying which one ran."""
        header = source_of(stmt)
        for field, taken in (("body", "then"), ("orelse", "else")):
            test_names = {n.id for n in gast.walk(stmt.test) if isinstance(n, gast.Name)}
            kind = "branch" if test_names & set(self.wl.numbers) else "control"
            k = self.rec.site(sweep=stmt.sweep, kind=kind, name=header[3:],
                              expression=source_of(stmt.test), statement=f"{header}: {taken}",
                              textbook=f"if {self.wl.renamed(stmt.test)}: {taken}",
                              line=getattr(stmt, "lineno", None))
            record = g.located(self.call("row", g.const(k), g.clone(stmt.test)), stmt)
            setattr(stmt, field, [record] + getattr(stmt, field))

    def seeding(self, tree):
        """At the reverse sweep's start: check the output is a scalar, record the seed."""
        ret = tree.body[-1]
        out = [self.call("output", g.clone(ret.value.elts[0]))]
        params = [a.id for a in tree.args.args]
        if self.seed in params:
            text = f"{self.seed} = 1.0"
            result = self.wl.result
            textbook = f"v'_{self.wl.numbers[result]} = 1.0" if result in self.wl.numbers else ""
            k = self.rec.site(sweep=REVERSE, kind="seed", name=self.seed, expression="1.0",
                              statement=text, textbook=textbook, line=ret.lineno)
            out.append(self.call("row", g.const(k), g.name(self.seed)))
        return out

    def statement(self, stmt, sweep):
        """`stmt` and the recorder's calls that go with it."""
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            target = stmt.targets[0] if isinstance(stmt, gast.Assign) else stmt.target
            k = self.site(stmt, target, sweep)
            return [stmt, g.located(self.call("row", g.const(k), _as_load(target)), stmt)]
        if isinstance(stmt, COMPOUND):
            stmt.sweep = sweep
        if isinstance(stmt, (gast.For, gast.While)):
            loop = len(self.rec.loops)
            self.rec.loops[loop] = Loop(sweep, source_of(stmt), getattr(stmt, "lineno", None))
            stmt.loop_id = g.const(loop)
            return [self.call("begin", g.const(loop)), stmt, self.call("end", g.const(loop))]
        pushed = _pushed(stmt, self.wl)
        if pushed is not None:
            tape, value = pushed
            k = self.rec.site(sweep=sweep, kind="tape", name=tape, expression=source_of(value),
                              statement=source_of(stmt), textbook=self.wl.renamed(stmt),
                              line=getattr(stmt, "lineno", None))
            return [stmt, g.located(self.call("row", g.const(k), g.clone(value)), stmt)]
        return [stmt]

    def site(self, stmt, target, sweep):
        name_ = source_of(target)
        if isinstance(stmt, gast.AugAssign):
            expression = source_of(gast.BinOp(left=_as_load(target), op=stmt.op, right=stmt.value))
        else:
            expression = source_of(stmt.value)
        return self.rec.site(sweep=sweep, kind=self.kind(stmt, target, sweep), name=name_,
                             expression=expression, statement=source_of(stmt),
                             textbook=self.wl.renamed(stmt), line=getattr(stmt, "lineno", None))

    def kind(self, stmt, target, sweep):
        base = target
        while isinstance(base, gast.Subscript):
            base = base.value
        if not isinstance(base, gast.Name):
            return "restore" if sweep == REVERSE else "control"
        primal = base.id in self.wl.numbers
        if sweep == FORWARD:
            unset = isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Constant) \
                and stmt.value.value is None
            return "primal" if primal and not unset else "control"
        if primal:
            return "restore"
        if self.wl.adjoint_of(base.id) is not None or _pullback(stmt):
            return "adjoint"
        return "control"

    def call(self, method, *args):
        func = g.attr(g.name(_RECORDER), method)
        return gast.Expr(value=g.call(func, list(args)))


def _pullback(stmt):
    """A call in the reverse sweep other than a tape's pop: a helper's reverse part."""
    value = getattr(stmt, "value", None)
    if not isinstance(value, gast.Call):
        return False
    return not (isinstance(value.func, gast.Attribute) and value.func.attr == "pop")


def _compound(block):
    return [s for s in block if isinstance(s, COMPOUND)]


def _pushed(stmt, wl):
    """(tape, value) for `_tape.append(value)` on srcad's tape (not on a user's list)."""
    if not (isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call)):
        return None
    func = stmt.value.func
    if isinstance(func, gast.Attribute) and func.attr == "append" and isinstance(func.value, gast.Name) \
            and func.value.id not in wl.numbers and len(stmt.value.args) == 1:
        return func.value.id, stmt.value.args[0]
    return None


def _as_load(target):
    node = g.clone(target)
    for child in gast.walk(node):
        if hasattr(child, "ctx") and isinstance(child.ctx, gast.Store):
            child.ctx = gast.Load()
    return node
