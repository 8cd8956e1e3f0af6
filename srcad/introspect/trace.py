"""trace(): the evaluation trace of one call, read off srcad's own derivative as it runs.

Nothing is re-derived here. The derivative `srcad.source(f)` prints (its vjp variant, the seed
`by=1.0`) is copied, a call `_rec.row(k, value)` is inserted after every assignment and tape push,
and `_rec.turn(...)` at the top of every loop body; the copy is compiled the way `load` compiles
the real one (same helpers, same globals and closure) and run once on the call's arguments.
So the rows are the statements srcad really runs, in the order it runs them, loops turn by turn:

    forward sweep: the Wengert list (t1 = math.log(x1), ...), then the output's seed;
    reverse sweep: one adjoint a row (bx2 += by * x1, ...), then the gradient(s) returned.

Each row also spells its statement the textbook's way (Baydin et al. 2018, Table 1): the
parameters are v_{1-n} ... v_0, the variables v_1, v_2, ... in order; an adjoint is v'_i.
"""
from dataclasses import dataclass

import gast
import numpy as np

from .. import emit, errors, load
from .. import gastutil as g
from ..api import _Target
from ..transform.reverse import REVERSE_SWEEP
from . import table
from .wengert import COMPOUND, source_of, wengert

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


class Trace:
    """The evaluation trace of `fn(*args)`: `str()` is the table, `.rows` the data."""

    def __init__(self, fn, args, wrt, value, gradient, rows, loops, recorder, text):
        self.fn, self.args, self.wrt = fn, args, wrt
        self.value, self.gradient = value, gradient
        self.rows = rows              # [Row], in the order they ran
        self.loops = loops            # loop id -> Loop
        self.turns = recorder.turns   # (loop id, run) -> number of turns
        self.turn_values = recorder.values  # (loop id, run, turn) -> the loop variable's value
        self.source = text            # the derivative's source text (what srcad.source prints)
        self.complete = recorder.complete  # False when the recording stopped at max_rows

    @property
    def forward(self):
        return [r for r in self.rows if r.sweep == FORWARD]

    @property
    def reverse(self):
        return [r for r in self.rows if r.sweep == REVERSE]

    def format(self, limit=4, control=False, digits=5):
        """The trace as text: at most `limit` turns of each loop run (None: all), the loop
        bookkeeping too if `control`, values to `digits` significant digits."""
        return table.text(self, limit, control, digits)

    def __str__(self):
        return self.format()

    def __repr__(self):
        return f"<srcad trace of {self.fn.__name__}: {len(self.rows)} rows>"

    def _repr_html_(self):
        return table.html_text(self, limit=4, control=False, digits=5)


def trace(fn, *args, wrt=0, max_rows=100_000, **kwargs):
    """The evaluation trace of `fn(*args, **kwargs)` differentiated with respect to `wrt`.

    >>> import math, srcad.introspect
    >>> def f(x1, x2):
    ...     return math.log(x1) + x1 * x2 - math.sin(x2)
    >>> t = srcad.introspect.trace(f, 2.0, 5.0, wrt=(0, 1))
    >>> [round(r.value, 3) for r in t.rows if r.kind == "gradient"]
    [5.5, 1.716]
    """
    target = _Target(fn, wrt, "trace")
    kinds = target.kinds(args, kwargs)
    compiled = target.compiled(kinds)
    wl = wengert(fn)
    recorder = _Recorder(max_rows)
    instrumented = _Instrument(wl, compiled.seed, recorder).function(compiled.tree)
    run = _compile(instrumented, compiled, fn, recorder)
    bound = target.signature.bind(*args, **kwargs)
    recorder.rows += [_input_row(wl, name_, value) for name_, value in bound.arguments.items()]
    try:
        value, gradient = run(*args, **kwargs)
    except _NotScalar as refusal:
        raise target.not_scalar(refusal.value, compiled, "trace") from None
    recorder.rows += _gradient_rows(wl, target.wrt, compiled.tree, gradient, target.single)
    return Trace(fn, dict(bound.arguments), target.wrt, value, gradient, recorder.rows,
                 recorder.loops, recorder, compiled.text)


# --- running the instrumented derivative ------------------------------------------------------

class _NotScalar(Exception):
    def __init__(self, value):
        super().__init__("not a scalar")
        self.value = value


class _Recorder:
    """Collects rows as the instrumented derivative runs; `sites[k]` is row k's static part."""

    def __init__(self, max_rows):
        self.sites, self.loops = [], {}
        self.rows, self.turns = [], {}
        self.values = {}              # (loop id, run, turn) -> the loop variable's value
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
        self.rows.append(Row(value=_snapshot(value), loops=tuple(self.stack), **self.sites[k]))

    def begin(self, loop):
        run = sum(1 for (lp, _) in self.turns if lp == loop)
        self.turns[(loop, run)] = 0
        self.stack.append((loop, run, 0))

    def turn(self, loop, value):
        loop_, run, turn = self.stack[-1]
        self.stack[-1] = (loop_, run, turn + 1)
        self.turns[(loop_, run)] = turn + 1
        if value is not None and len(self.rows) < self.max_rows:
            self.values[(loop_, run, turn + 1)] = _snapshot(value)

    def end(self, loop):
        self.stack.pop()

    def output(self, value):
        if not (type(value) in (float, int, bool) or (isinstance(value, (np.ndarray, np.generic))
                                                      and np.ndim(value) == 0)):
            raise _NotScalar(value)


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    return value


def _compile(tree, compiled, fn, recorder):
    """`tree` compiled like the real derivative, with the recorder as one more helper."""
    used = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
    helpers = dict(compiled.helpers)
    helpers[_RECORDER] = recorder
    free = [n for n in fn.__code__.co_freevars if n in used]
    text = emit.source_text(tree, compiled.filename, helpers, free)
    name_ = f"<srcad trace {errors.short(compiled.filename)} {tree.name}>"
    code = load.code_of(text, name_, tree.name)
    return load.function(code, fn, helpers, compiled.defaults)


# --- instrumenting the derivative's tree ------------------------------------------------------

_RECORDER = "_srcad_trace_"


class _Instrument:
    """Inserts the recorder's calls into a copy of the derivative's tree."""

    def __init__(self, wl, seed, recorder):
        self.wl, self.seed, self.rec = wl, seed, recorder

    def function(self, tree):
        tree = g.clone(tree)
        if any(isinstance(n, gast.Name) and n.id == _RECORDER for n in gast.walk(tree)):
            raise errors.SrcadError(f"trace: the name {_RECORDER} is taken in {tree.name}")
        body, sweep = [], FORWARD
        for stmt in tree.body:
            if getattr(stmt, "comment", None) == REVERSE_SWEEP:
                sweep = REVERSE
                body += [stmt] + self.seeding(tree)
                continue
            body += self.statement(stmt, sweep)
        tree.body = body
        work = _compound(tree.body)
        while work:  # the blocks inside branches and loops
            stmt = work.pop()
            for field in ("body", "orelse"):
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


# --- rows that are not statements: the arguments and the gradients returned ---------------------

def _input_row(wl, name_, value):
    v = wl.textbook(name_)
    return Row(FORWARD, "input", name_, "argument", _snapshot(value), name_,
               f"{v} = {name_}" if v else "", wl.src.tree.lineno)


def _gradient_rows(wl, wrt, tree, gradient, single):
    returned = tree.body[-1].value.elts[1]
    exprs = [returned] if single else list(returned.elts)
    values = [gradient] if single else list(gradient)
    rows = []
    for param, expr, value in zip(wrt, exprs, values):
        text = source_of(expr)
        v = wl.textbook(param)
        book = f"{param}' = {wl.renamed(expr)}" if v else ""
        rows.append(Row(REVERSE, "gradient", f"df/d{param}", text, _snapshot(value),
                        f"df/d{param} = {text}", book, tree.body[-1].lineno))
    return rows

