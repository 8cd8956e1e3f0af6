"""trace(): the evaluation trace of one call, read off srcad's own derivative as it runs.

Nothing is re-derived here. The derivative `srcad.source(f)` prints (its vjp variant, run with
the seed `by=1.0`) is copied with a recorder call after every statement (record.py), compiled
the way `load` compiles the real one, and run once on the call's arguments. So the rows are the
statements srcad really runs, in the order it runs them, loops turn by turn:

    forward sweep: the Wengert list (t1 = math.log(x1), ...), then the output's seed;
    reverse sweep: one adjoint a row (bx2 += by * x1, ...), then the gradient(s) returned.

Each row also spells its statement the textbook's way (Baydin et al. 2018, Table 1): the
parameters are v_{1-n} ... v_0, the variables v_1, v_2, ... in order; an adjoint is v'_i.
"""
from .. import runtime
from ..dispatch import Target
from . import table
from .record import FORWARD, REVERSE, Loop, Recorder, Row, instrumented, snapshot
from .wengert import source_of, wengert

__all__ = ["trace", "Trace", "Row", "Loop"]


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
    target = Target(fn, wrt, "trace")
    kinds = target.kinds(args, kwargs)
    compiled = target.compiled(kinds)
    wl = wengert(fn)
    recorder = Recorder(max_rows)
    run = instrumented(wl, compiled, fn, recorder)
    bound = target.signature.bind(*args, **kwargs)
    recorder.rows += [_input_row(wl, name_, value) for name_, value in bound.arguments.items()]
    try:
        value, gradient = run(*args, **kwargs)
    except runtime.NotScalar as refusal:
        raise target.not_scalar(refusal.value, compiled, "trace") from None
    recorder.rows += _gradient_rows(wl, target.wrt, compiled.tree, gradient, target.single)
    return Trace(fn, dict(bound.arguments), target.wrt, value, gradient, recorder.rows,
                 recorder.loops, recorder, compiled.text)


# --- rows that are not statements: the arguments and the gradients returned ---------------------

def _input_row(wl, name_, value):
    v = wl.textbook(name_)
    return Row(FORWARD, "input", name_, "argument", snapshot(value), name_,
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
        rows.append(Row(REVERSE, "gradient", f"df/d{param}", text, snapshot(value),
                        f"df/d{param} = {text}", book, tree.body[-1].lineno))
    return rows

