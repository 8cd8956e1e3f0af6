"""The computation graph's nodes, edges and clusters, built from the three-address tree.

`Builder(wl, overlay).function()` walks the Wengert list in program order, following which
statements define each variable now (`defs`: name -> node ids): an edge runs from each of them
to every statement that reads the variable. After an `if`, both branches' definitions reach
on; a loop body is walked twice, and an edge first seen on the second walk carries a value from
one turn into the next (dashed). `dot(name)` writes the DOT text.
"""
import linecache
from dataclasses import dataclass, field

import gast

from ..ir import citation
from .table import value_text
from .wengert import source_of

OPERATORS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
             gast.MatMult: "@", gast.Mod: "%", gast.FloorDiv: "//", gast.USub: "-",
             gast.UAdd: "+", gast.Not: "not", gast.Invert: "~", gast.Lt: "<", gast.LtE: "<=",
             gast.Gt: ">", gast.GtE: ">=", gast.Eq: "==", gast.NotEq: "!=", gast.And: "and",
             gast.Or: "or", gast.Is: "is", gast.IsNot: "is not", gast.In: "in",
             gast.NotIn: "not in", gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
             gast.LShift: "<<", gast.RShift: ">>"}
STYLES = {"input": 'shape=ellipse, style=filled, fillcolor="#dbeafe"',
          "operation": 'shape=box, style="rounded,filled", fillcolor="#ffffff"',
          "active": 'shape=box, style="rounded,filled", fillcolor="#fde68a"',
          "constant": 'shape=plaintext, fontcolor="#555555"',
          "test": 'shape=diamond, style=filled, fillcolor="#f3f4f6"',
          "jump": 'shape=plaintext, fontcolor="#b91c1c"',
          "output": 'shape=ellipse, peripheries=2, style=filled, fillcolor="#dcfce7"'}


LOOP_VARIABLE = "loop variable"
_NOT_RUN = object()
OUTPUT = object()  # the overlay's key for the call's value


@dataclass
class GraphNode:
    id: str
    kind: str       # input, operation, constant, test, jump, output
    name: str       # the variable it defines (an operation, an input), else its text
    label: str


@dataclass
class Cluster:
    label: str
    nodes: list = field(default_factory=list)
    children: list = field(default_factory=list)


class Builder:
    """Walks the three-address tree, following which statements define each variable now
    (`defs`: name -> node ids). It recurses on nested blocks only (branches, loops), so its
    depth is the function's own nesting depth."""

    def __init__(self, wl, overlay):
        self.wl, self.overlay = wl, overlay
        self.nodes, self.edges, self.seen, self.made = {}, [], set(), {}
        self.root = Cluster(None)
        self.output_name = None

    def function(self):
        defs = {p: {self.node("input", p, self.root, p)} for p in self.wl.params}
        self.block(self.wl.tree.body, defs, self.root, carried=False)

    # --- nodes and edges -----------------------------------------------------------------------

    def node(self, kind, name_, cluster, first_line, op=None, line=None):
        lines = [first_line]
        v = self.wl.textbook(name_) if kind in ("input", "operation") else None
        if v:
            lines[0] += f"  ({v})"
        if op is not None:
            lines.append(op)
        if self.overlay is not None and kind in ("input", "operation", "output") and op != LOOP_VARIABLE:
            lines += self.overlay_lines(kind, name_, line)
            if kind == "operation" and lines[-1].startswith("adjoint"):
                kind = "active"
        id_ = f"n{len(self.nodes)}"
        self.nodes[id_] = GraphNode(id_, kind, name_, "\n".join(lines))
        cluster.nodes.append(id_)
        return id_

    def overlay_lines(self, kind, name_, line):
        values, adjoints = self.overlay
        name_ = self.output_name if kind == "output" else name_
        if kind == "output":
            value = values[(OUTPUT, None)]
        else:
            value = values.get((name_, None if kind == "input" else line), _NOT_RUN)
        if value is _NOT_RUN:
            return ["(did not run)"] if kind == "operation" else []
        out = [f"value {_short(value)}"]
        return out + ([f"adjoint {_short(adjoints[name_])}"] if name_ in adjoints else [])

    def statement_node(self, stmt, kind, name_, cluster, first_line, op=None):
        """The node of `stmt`: made on the first pass over a loop body, found on the second."""
        if id(stmt) not in self.made:
            self.made[id(stmt)] = self.node(kind, name_, cluster, first_line, op,
                                            getattr(stmt, "lineno", None))
        return self.made[id(stmt)]

    def edge(self, source, target, carried, label):
        """An edge, once; one first drawn on the second pass over a loop body is carried from
        one turn into the next."""
        if (source, target) in self.seen:
            return
        self.seen.add((source, target))
        attrs = [f'label="{label}"'] if label else []
        if carried:
            attrs.append('style=dashed, color="#6b7280", constraint=false')
        self.edges.append((source, target, ", ".join(attrs)))

    def reads(self, operands, target, defs, cluster, carried, ordered=False):
        """Edges into `target` from each operand's defining statements (or a constant node)."""
        for i, operand in enumerate(operands):
            label = str(i + 1) if ordered and len(operands) > 1 else None
            local = [n.id for n in ([operand] if isinstance(operand, gast.Name) else _names(operand))
                     if n.id in defs]
            if local:
                sources = sorted({s for n in local for s in defs[n]}, key=lambda n: int(n[1:]))
                for source in sources:
                    self.edge(source, target, carried, label)
            elif not carried:
                text = source_of(operand)
                self.edge(self.node("constant", text, cluster, text), target, False, label)

    # --- statements ------------------------------------------------------------------------------

    def block(self, stmts, defs, cluster, carried):
        for stmt in stmts:
            visit = getattr(self, "visit_" + type(stmt).__name__, self.visit_other)
            visit(stmt, defs, cluster, carried)

    def visit_Assign(self, stmt, defs, cluster, carried):
        target = stmt.targets[0]
        if isinstance(target, gast.Name):
            name_ = target.id
            operands, op, ordered = self.operation(stmt.value)
        else:  # a[i] = t makes a new value of the array a
            name_ = _base(target)
            operands = [target.value] + _names(target.slice) + [stmt.value]
            op, ordered = f"{source_of(target)} = {source_of(stmt.value)}", True
        node = self.statement_node(stmt, "operation", name_, cluster, name_, op)
        self.reads(operands, node, defs, cluster, carried, ordered)
        defs[name_] = {node}

    def visit_Expr(self, stmt, defs, cluster, carried):
        operands, op, ordered = self.operation(stmt.value)
        node = self.statement_node(stmt, "operation", source_of(stmt), cluster, op)
        self.reads(operands, node, defs, cluster, carried, ordered)

    def visit_Return(self, stmt, defs, cluster, carried):
        text = source_of(stmt.value) if stmt.value is not None else "None"
        self.output_name = text
        node = self.statement_node(stmt, "output", f"return {text}", cluster, f"return {text}")
        self.reads([stmt.value] if stmt.value is not None else [], node, defs, cluster, carried)

    def visit_other(self, stmt, defs, cluster, carried):
        """break, continue, raise, assert: control, drawn as a labelled point."""
        if isinstance(stmt, gast.Pass):
            return
        text = source_of(stmt).split("\n")[0]
        node = self.statement_node(stmt, "jump", text, cluster, text)
        self.reads(_names(stmt), node, defs, cluster, carried)

    def visit_If(self, stmt, defs, cluster, carried):
        inner = self.cluster(stmt, cluster)
        test = self.statement_node(stmt, "test", source_of(stmt), inner, source_of(stmt))
        self.reads([stmt.test], test, defs, inner, carried)
        after = {}
        for body, label in ((stmt.body, "then"), (stmt.orelse, "else")):
            branch = dict(defs)
            if body:
                self.block(body, branch, self.cluster(stmt, inner, label), carried)
            for name_, sources in branch.items():
                after.setdefault(name_, set()).update(sources)
        defs.clear()
        defs.update(after)

    def visit_For(self, stmt, defs, cluster, carried):
        inner = self.cluster(stmt, cluster)
        target = stmt.target.id
        node = self.statement_node(stmt, "operation", target, inner, target, LOOP_VARIABLE)
        self.reads([stmt.iter], node, defs, inner, carried)
        self.loop(stmt.body, defs, inner, carried, {target: {node}})

    def visit_While(self, stmt, defs, cluster, carried):
        inner = self.cluster(stmt, cluster)
        test = self.statement_node(stmt, "test", source_of(stmt), inner, source_of(stmt))
        self.reads([stmt.test], test, defs, inner, carried)
        self.loop(stmt.body, defs, inner, carried, {})
        self.reads([stmt.test], test, defs, inner, True)

    def loop(self, body, defs, cluster, carried, start):
        """Twice over the body: the second pass draws the values carried into the next turn.
        After the loop a variable holds its value from before it or from the body's end."""
        first = {**defs, **start}
        self.block(body, first, cluster, carried)
        second = {k: defs.get(k, set()) | first.get(k, set()) for k in set(defs) | set(first)}
        second.update(start)
        self.block(body, second, cluster, True)
        for name_, sources in first.items():
            defs[name_] = defs.get(name_, set()) | sources

    def cluster(self, stmt, parent, branch=None):
        """The cluster of a branch or loop, or of one branch of an `if`; made once."""
        key = (id(stmt), branch)
        if key not in self.made:
            line = getattr(stmt, "lineno", None)
            code = linecache.getline(self.wl.src.filename, line).strip() if line else ""
            label = branch or f"{source_of(stmt)}\n{citation(self.wl.src.filename, line, code)}"
            self.made[key] = Cluster(label)
            parent.children.append(self.made[key])
        return self.made[key]

    def operation(self, value):
        """(operand expressions, the operation's text, whether operand order matters)."""
        if isinstance(value, gast.BinOp):
            commutes = isinstance(value.op, (gast.Add, gast.Mult))
            return [value.left, value.right], OPERATORS.get(type(value.op), "?"), not commutes
        if isinstance(value, gast.UnaryOp):
            return [value.operand], OPERATORS.get(type(value.op), "?"), False
        if isinstance(value, gast.Compare):
            ops = " ".join(OPERATORS.get(type(o), "?") for o in value.ops)
            return [value.left] + value.comparators, ops, True
        if isinstance(value, gast.Call):
            local = isinstance(value.func, gast.Name) and value.func.id in self.wl.numbers
            operands = ([value.func] if local else []) + list(value.args) + [k.value for k in value.keywords]
            return operands, source_of(value.func), len(operands) > 1
        if isinstance(value, gast.Attribute):
            return [value.value], f".{value.attr}", False
        if isinstance(value, gast.Subscript):
            return [value.value] + _names(value.slice), f"[{source_of(value.slice)}]", True
        if isinstance(value, (gast.Tuple, gast.List)):
            return list(value.elts), "( , )" if isinstance(value, gast.Tuple) else "[ , ]", True
        if isinstance(value, gast.BoolOp):
            return _names(value), OPERATORS.get(type(value.op), "?"), False
        if isinstance(value, gast.Name):
            return [value], "=", False
        return [], source_of(value), False

    # --- text ------------------------------------------------------------------------------------

    def dot(self, name_):
        out = [f'digraph "{_escape(name_)}" {{', "  rankdir=LR;",
               '  graph [fontname="Helvetica", fontsize=10, labeljust=l];',
               '  node [fontname="Helvetica", fontsize=11];',
               '  edge [fontname="Helvetica", fontsize=9, arrowsize=0.7];']
        out += self.cluster_lines(self.root, 1, [0])
        out += [f"  {a} -> {b}" + (f" [{attrs}]" if attrs else "") + ";" for a, b, attrs in self.edges]
        return "\n".join(out + ["}"]) + "\n"

    def cluster_lines(self, cluster, depth, count):
        pad = "  " * depth
        out = [f'{pad}{i} [label="{_escape(self.nodes[i].label)}", {STYLES[self.nodes[i].kind]}];'
               for i in cluster.nodes]
        for child in cluster.children:
            count[0] += 1
            out += [f"{pad}subgraph cluster_{count[0]} {{",
                    f'{pad}  label="{_escape(child.label)}"; style="rounded,dashed"; color="#9ca3af";']
            out += self.cluster_lines(child, depth + 1, count) + [f"{pad}}}"]
        return out


def _names(node):
    return [n for n in gast.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)] \
        if node is not None else []


def _base(target):
    while isinstance(target, gast.Subscript):
        target = target.value
    return target.id if isinstance(target, gast.Name) else source_of(target)


def _short(value):
    return value_text(value, 4)


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
