"""gast tree -> Python text, exactly as astor prints the tree gast converts it to, faster.

astor prints Python's tree token by token, each node through a visitor that works out
precedence and parentheses; the gast tree is first converted, node for node. For a long
derivative (a first call of grad on a function of a thousand lines prints four thousand
statements) both showed. Most generated statements have one of a few plain shapes:
`t = a * b`, `t = math.sin(a)`, `bx += bt * c`, `t = s > 0.0`, a comment's marker; their
text is the same whatever the precedence rules, so it is written here directly, as one piece,
where astor would write the same characters in several. Every other statement, and a plain
one whose line would be long enough for astor to wrap (it wraps by its pieces), is converted
and printed by astor; a branch, a loop or a def only for its own line, its body statement by
statement.
"""
import ast

import gast
from astor.code_gen import SourceGenerator
from astor.op_util import symbol_data
from astor.source_repr import pretty_source

from . import convert

_SYMBOLS = {getattr(gast, kind.__name__): symbol for kind, symbol in symbol_data.items()
            if kind is not None and isinstance(getattr(gast, kind.__name__, None), type)}
_LINE = 79  # astor wraps the lines longer than this
_GAST_TYPES = frozenset(kind for kind in vars(gast).values()
                        if isinstance(kind, type) and issubclass(kind, gast.AST) and kind.__module__ == gast.gast.__name__)


def to_source(node):
    """`astor.to_source(convert.to_printable_ast(node))`: the same text."""
    printer = _Printer(" " * 4)
    printer.visit(node)
    printer.result.append("\n")
    if set(printer.result[0]) == set("\n"):
        printer.result[0] = ""
    return pretty_source(printer.result)


class _Printer(SourceGenerator):
    def visit(self, node):
        if type(node) not in _GAST_TYPES:
            return super().visit(node)  # Python's own nodes, converted: astor's
        text = _plain_statement(node)
        if text is not None and len(self.indent_with) * self.indentation + len(text) <= _LINE:
            return self.statement(node, text)
        shallow = _SHALLOW.get(type(node))
        return super().visit(shallow(node) if shallow else convert.to_printable_ast(node))


def _plain_statement(stmt):
    """The text of `stmt` if it has one of the plain shapes, else None."""
    kind = type(stmt)
    if kind is gast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is gast.Name:
        value = _expression(stmt.value)
        return None if value is None else stmt.targets[0].id + " = " + value
    if kind is gast.AugAssign and type(stmt.target) is gast.Name and type(stmt.op) in _SYMBOLS:
        value = _expression(stmt.value)
        return None if value is None else f"{stmt.target.id} {_SYMBOLS[type(stmt.op)]}= {value}"
    if kind is gast.Expr:
        return _expression(stmt.value)
    return None


def _expression(expr):
    """The text of an operation on plain operands (see `_operand`), or of one operand."""
    kind = type(expr)
    if kind is gast.BinOp and type(expr.op) in _SYMBOLS:
        left, right = _operand(expr.left), _operand(expr.right)
        if left is not None and right is not None:
            return f"{left} {_SYMBOLS[type(expr.op)]} {right}"
        return None
    if kind is gast.UnaryOp and type(expr.op) in _SYMBOLS and type(expr.operand) is not gast.Constant:
        operand, symbol = _operand(expr.operand), _SYMBOLS[type(expr.op)]
        return None if operand is None else symbol + (" " if symbol.isalpha() else "") + operand
    if kind is gast.Compare and len(expr.ops) == 1 and type(expr.ops[0]) in _SYMBOLS:
        left, right = _operand(expr.left), _operand(expr.comparators[0])
        if left is not None and right is not None:
            return f"{left} {_SYMBOLS[type(expr.ops[0])]} {right}"
        return None
    return _operand(expr)


def _operand(expr):
    """The text of a name, a number or None, an attribute of a name (`np.pi`), an element
    `a[i]`, or a call of a name or attribute on such operands: none of them ever takes
    parentheses. None for anything else."""
    kind = type(expr)
    if kind is gast.Name:
        return expr.id
    if kind is gast.Constant:
        value = expr.value
        if value is None or type(value) is bool:
            return repr(value)
        if type(value) in (int, float) and value == value and abs(value) != float("inf") \
                and not repr(value).startswith("-"):
            return repr(value)
        return None
    if kind is gast.Attribute:
        base = _operand(expr.value) if type(expr.value) in (gast.Name, gast.Attribute) else None
        return None if base is None else base + "." + expr.attr
    if kind is gast.Subscript and type(expr.slice) in (gast.Name, gast.Constant):
        base = _operand(expr.value) if type(expr.value) in (gast.Name, gast.Attribute) else None
        index = _operand(expr.slice)
        return None if base is None or index is None else f"{base}[{index}]"
    if kind is gast.Call and type(expr.func) in (gast.Name, gast.Attribute):
        parts = [_operand(expr.func)] + [_operand(a) for a in expr.args]
        parts += [_operand(k.value) if k.arg is not None else None for k in expr.keywords]
        if None in parts:
            return None
        arguments = parts[1:len(expr.args) + 1] + [f"{k.arg}={text}" for k, text in
                                                    zip(expr.keywords, parts[len(expr.args) + 1:])]
        return parts[0] + "(" + ", ".join(arguments) + ")"
    return None


# --- branches, loops and defs: their own line converted, their bodies left to `_Printer` ------

def _shallow_if(node):
    orelse = node.orelse
    if len(orelse) == 1 and type(orelse[0]) is gast.If:  # astor prints it as `elif`
        orelse = [_shallow_if(orelse[0])]
    return ast.If(test=convert.to_printable_ast(node.test), body=node.body, orelse=orelse)


def _shallow_for(node):
    return ast.For(target=convert.to_printable_ast(node.target), iter=convert.to_printable_ast(node.iter),
                   body=node.body, orelse=node.orelse, type_comment=None)


def _shallow_while(node):
    return ast.While(test=convert.to_printable_ast(node.test), body=node.body, orelse=node.orelse)


def _shallow_def(node):
    return ast.FunctionDef(name=node.name, args=convert.to_printable_ast(node.args), body=node.body,
                           decorator_list=[convert.to_printable_ast(d) for d in node.decorator_list],
                           returns=None if node.returns is None else convert.to_printable_ast(node.returns),
                           type_comment=None)


def _shallow_module(node):
    return ast.Module(body=node.body, type_ignores=[])


_SHALLOW = {gast.If: _shallow_if, gast.For: _shallow_for, gast.While: _shallow_while,
            gast.FunctionDef: _shallow_def, gast.Module: _shallow_module}
