"""Python's ast <-> gast, node for node as gast converts them, in about half gast's time.

gast's translators visit each node through `NodeVisitor.visit` (a method looked up by name),
and build each new node from a dict filled field by field with `hasattr` and `getattr`. A
first call parses the function and prints its derivative, each a conversion of every node, so
that overhead showed (a sixth of the first call of a long function). These subclasses keep
gast's own methods for the nodes gast treats specially (so every Python version converts as
gast does there) and replace the generic path: the method and the target class are looked up
once per node type.
"""
import ast

import gast
from gast.ast3 import Ast3ToGAst, GAstToAst3

_MISSING = object()


def _fast(translator, target):
    """A subclass of gast's `translator`, whose generic nodes become nodes of `target`'s
    classes of the same name."""

    class Fast(translator):
        _plans = {}  # node type -> the function converting a node of it

        def visit(self, node):
            plan = self._plans.get(type(node))
            if plan is None:
                plan = self._plans[type(node)] = self._plan(type(node))
            return plan(self, node)

        def _visit(self, node):
            if isinstance(node, list):
                return [self.visit(n) if isinstance(n, ast.AST) else n for n in node]
            if isinstance(node, ast.AST):
                return self.visit(node)
            return node

        def generic_visit(self, node):
            return self._generic(type(node))(self, node)

        @classmethod
        def _plan(cls, kind):
            special = getattr(cls, "visit_" + kind.__name__, None)
            if special is not None and special is not getattr(ast.NodeTransformer, "visit_" + kind.__name__, None):
                return special  # (NodeVisitor's visit_Constant only ends in generic_visit)
            return cls._generic(kind)

        @classmethod
        def _generic(cls, kind):
            made = getattr(target, kind.__name__, None)
            if made is None:  # a node that is not part of the other tree, as gast drops it
                return lambda self, node: None
            return _generic(made, kind._fields, kind._attributes)

    Fast.__name__ = Fast.__qualname__ = "Fast" + translator.__name__
    return Fast


def _generic(made, fields, attributes):
    """Converts a node whose type gast has no method for: `made` with the node's `fields`
    converted and its `attributes` (line and column) copied, those it has (gast's
    `generic_visit`). A context or operator (`Load()`, `Add()`: no fields, never changed) is
    one shared node, as in the trees Python's parser makes."""
    if not fields and not attributes:
        shared = made()
        return lambda self, node: shared

    def convert(self, node):
        own = node.__dict__
        values = {}
        for field in fields:
            value = own[field] if field in own else getattr(node, field, _MISSING)
            if isinstance(value, ast.AST):
                value = self.visit(value)
            elif isinstance(value, list):
                value = [self.visit(v) if isinstance(v, ast.AST) else v for v in value]
            elif value is _MISSING:
                continue
            values[field] = value
        new = made(**values)
        for attr in attributes:
            value = own[attr] if attr in own else getattr(node, attr, _MISSING)
            if value is not _MISSING:
                setattr(new, attr, value)
        return new
    return convert


_ToGast = _fast(Ast3ToGAst, gast)
_ToAst = _fast(GAstToAst3, ast)


class _ToPrint(_ToAst):
    _plans = {}

    def visit_Constant(self, node):
        return _minus_positive(self._generic(type(node))(self, node))


def to_gast(node):
    """`gast.ast_to_gast(node)`."""
    return _ToGast().visit(node)


def to_ast(node):
    """`gast.gast_to_ast(node)`."""
    return _ToAst().visit(node)


def to_printable_ast(node):
    """`gast.gast_to_ast(node)`, with each negative number constant below `node` written as a
    unary minus on its positive: astor prints a negative constant bare, whatever encloses it,
    so the constant -1.35 under `** 2` came out as `-1.35 ** 2`, which Python reads as
    -(1.35 ** 2); as a unary minus it gets astor's parentheses where precedence needs them."""
    return _ToPrint().visit(node)


def _minus_positive(node):
    """A negative number constant as a unary minus on its positive (also -0.0 and -inf)."""
    if type(node.value) in (int, float) and repr(node.value).startswith("-"):
        return ast.copy_location(ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-node.value)), node)
    return node
