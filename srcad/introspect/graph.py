"""graph(): the computation graph of a function's Wengert list, as Graphviz DOT text.

The graph is drawn from the three-address form srcad itself makes (`normalize.three_address`):
a node for each parameter (an input), each statement (an operation: the variable it defines and
what it computes), each constant or outside name an operation reads, and each `return` (an
output); an edge wherever a variable flows from the statement that defines it to one that
reads it. A branch or a loop is a labelled cluster (`if t1`, `for i in t1`, `while t1`); inside
a loop, a value carried from one turn into the next is a dashed edge. Given the arguments of a
call, every node also shows its value and its adjoint, read off that call's `trace`.
"""
import os
import shutil
import subprocess

from ..errors import SrcadError
from .flow import OUTPUT, Builder
from .trace import trace as trace_of
from .wengert import wengert


class GraphvizMissing(SrcadError):
    """Rendering needs Graphviz's `dot` program."""


class Graph:
    """`fn`'s computation graph: `.dot` is the DOT text; `.nodes` and `.edges` the same as data."""

    def __init__(self, name_, dot, nodes, edges):
        self.name, self.dot, self.nodes, self.edges = name_, dot, nodes, edges

    def edges_by_name(self):
        """{(source name, target name)}: the edges between variables (and constants) by name."""
        return {(self.nodes[a].name, self.nodes[b].name) for a, b, _ in self.edges}

    def render(self, path, format=None):
        """Write the graph to `path` (.svg, .png, .pdf: by Graphviz's `dot`; .dot, .gv: as text)."""
        fmt = format or os.path.splitext(path)[1].lstrip(".").lower() or "svg"
        if fmt in ("dot", "gv"):
            with open(path, "w", encoding="utf-8") as file:
                file.write(self.dot)
            return path
        with open(path, "wb") as file:
            file.write(_run_dot(self.dot, fmt))
        return path

    def svg(self):
        """The graph as SVG text (needs Graphviz's `dot`)."""
        return _run_dot(self.dot, "svg").decode("utf-8")

    def _repr_svg_(self):
        try:
            return self.svg()
        except GraphvizMissing:
            return None  # the notebook shows repr() instead

    def __str__(self):
        return self.dot

    def __repr__(self):
        return f"<srcad graph of {self.name}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def graph(fn, args=None, wrt=0, kwargs=None):
    """The computation graph of `fn`'s Wengert list; with `args` (a tuple), each node also shows
    its value and adjoint in the call `fn(*args)` differentiated with respect to `wrt`.

    >>> import math, srcad.introspect
    >>> def f(x1, x2):
    ...     return math.log(x1) + x1 * x2 - math.sin(x2)
    >>> ("x1", "t2") in srcad.introspect.graph(f).edges_by_name()
    True
    """
    wl = wengert(fn)
    overlay = _overlay(fn, wl, args, wrt, kwargs) if args is not None else None
    builder = Builder(wl, overlay)
    builder.function()
    return Graph(fn.__name__, builder.dot(fn.__name__), builder.nodes, builder.edges)


def _overlay(fn, wl, args, wrt, kwargs):
    """({(name, line): value}, {name: adjoint}) from the trace of `fn(*args)`: each statement's
    last value (a loop's last turn), and each variable's adjoint as last accumulated (the
    reverse sweep's resets and zero starts, `bt = 0.0`, left out)."""
    values, adjoints = {}, {}
    run = trace_of(fn, *args, wrt=wrt, **(kwargs or {}))
    values[(OUTPUT, None)] = run.value
    for row in run.rows:
        if row.sweep == "forward" and row.kind in ("input", "primal"):
            values[(row.name, None if row.kind == "input" else row.line)] = row.value
        elif row.kind in ("adjoint", "seed"):
            primal = wl.adjoint_of(row.name)
            if row.expression != "0.0" or primal not in adjoints:
                adjoints[primal] = row.value
    return values, adjoints


def _run_dot(text, fmt):
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizMissing("rendering a graph needs Graphviz's dot program, which is not "
                              "installed (apt-get install graphviz, brew install graphviz); "
                              "the DOT text itself is in .dot")
    done = subprocess.run([dot, f"-T{fmt}"], input=text.encode("utf-8"), capture_output=True,
                          check=False)
    if done.returncode != 0:
        raise SrcadError(f"dot -T{fmt} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
