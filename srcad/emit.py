"""Emit: a derivative's tree -> Python source text, one statement a line, with comments.

Before each run of statements that come from one line of the user's source, a comment cites
it (`# model.py:4  z = x * y + math.sin(x)`); `comment()` statements become `# text` lines.
The text is produced by astor from the tree, so it is exactly what gets compiled.
"""
import linecache
import re

import astor
import gast

from . import gastutil as g
from .errors import short

_MARK = "__srcad_comment_{}__"
_MARK_LINE = re.compile(r"^(\s*)__srcad_comment_(\d+)__$", re.M)


def source_text(tree, filename, helpers=(), free_names=()):
    """The text of the module that defines the derivative `tree`.

    With `helpers` or `free_names` (names the function must see as closure variables), the
    def is nested in a factory whose parameters are those names."""
    comments = []
    tree = g.clone(tree)
    _insert_comments(tree, filename, comments)
    outer = sorted(helpers) + sorted(free_names)
    if outer:
        params = [gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None) for n in outer]
        factory = gast.FunctionDef(
            name="make_" + tree.name,
            args=gast.arguments(args=params, posonlyargs=[], vararg=None, kwonlyargs=[],
                                kw_defaults=[], kwarg=None, defaults=[]),
            body=[tree, gast.Return(value=g.name(tree.name))], decorator_list=[], returns=None,
            type_comment=None, type_params=[])
        module = gast.Module(body=[factory], type_ignores=[])
    else:
        module = gast.Module(body=[tree], type_ignores=[])
    text = astor.to_source(gast.gast_to_ast(gast.fix_missing_locations(module)))
    return _MARK_LINE.sub(lambda m: m.group(1) + "# " + comments[int(m.group(2))], text)


def _insert_comments(tree, filename, comments):
    work = [tree]
    while work:
        node = work.pop()
        for field in ("body", "orelse"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts:
                setattr(node, field, _with_comments(stmts, filename, comments))
                work.extend(s for s in stmts if isinstance(s, (gast.If, gast.For, gast.While)))


def _with_comments(stmts, filename, comments):
    out, last = [], None
    for stmt in stmts:
        text = getattr(stmt, "comment", None)
        if text is not None:
            out.append(_marker(text, comments))
            last = None
            continue
        lineno = getattr(stmt, "lineno", None)
        if lineno and lineno != last and not isinstance(stmt, (gast.If, gast.For, gast.While)):
            code = linecache.getline(filename, lineno).strip()
            if code:
                out.append(_marker(f"{short(filename)}:{lineno}  {code}", comments))
        last = lineno
        out.append(stmt)
    return out


def _marker(text, comments):
    comments.append(text)
    return gast.Expr(value=g.name(_MARK.format(len(comments) - 1)))
