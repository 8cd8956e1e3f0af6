"""Emit: a derivative's tree -> Python source text, one statement a line, with comments.

Before each run of statements that come from one line of the user's source, a comment cites
it (`# model.py:4  z = x * y + math.sin(x)`); `comment()` statements become `# text` lines.
The text is produced by astor from the tree, so it is exactly what gets compiled.
"""
import copy
import linecache
import re

import gast

from . import gastutil as g
from .ir import BLOCK_FIELDS, COMPOUND, citation, comment_text, is_note

_MARK = "__srcad_comment_{}__"
_MARK_LINE = re.compile(r"^(\s*)__srcad_comment_(\d+)__$", re.M)


def source_text(trees, filename, helpers=(), free_names=()):
    """The text of the module that defines the derivative function(s) `trees` (one FunctionDef,
    or a list: the forward and reverse parts of a split derivative).

    With `helpers` or `free_names` (names the functions must see as closure variables), the
    defs are nested in a factory whose parameters are those names."""
    comments = []
    trees = [_commented(t, filename, comments) for t in (trees if isinstance(trees, list) else [trees])]
    outer = sorted(helpers) + sorted(free_names)
    if outer:
        params = [gast.Name(id=n, ctx=gast.Param(), annotation=None, type_comment=None) for n in outer]
        made = [g.name(t.name) for t in trees]
        factory = gast.FunctionDef(
            name="make_" + trees[0].name,
            args=gast.arguments(args=params, posonlyargs=[], vararg=None, kwonlyargs=[],
                                kw_defaults=[], kwarg=None, defaults=[]),
            body=trees + [gast.Return(value=made[0] if len(made) == 1 else g.tuple_(made))],
            decorator_list=[], returns=None, type_comment=None, type_params=[])
        module = gast.Module(body=[factory], type_ignores=[])
    else:
        module = gast.Module(body=trees, type_ignores=[])
    text = g.to_source(module)
    return _MARK_LINE.sub(lambda m: m.group(1) + "# " + comments[int(m.group(2))], text)


def _commented(tree, filename, comments):
    """`tree` with comment lines inserted in its statement lists. Only the function, its
    statement lists and the branches and loops holding them are copied: the rest is shared with
    `tree`, which stays as it was (printing converts it to new nodes and changes nothing)."""
    top = copy.copy(tree)
    work = [top]
    while work:
        node = work.pop()
        for field in BLOCK_FIELDS:
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and stmts:
                stmts = [copy.copy(s) if isinstance(s, COMPOUND) else s for s in stmts]
                setattr(node, field, _with_comments(stmts, filename, comments))
                work.extend(s for s in stmts if isinstance(s, COMPOUND))
    return top


def _with_comments(stmts, filename, comments):
    out, last, notes = [], None, []
    for stmt in stmts:
        text = comment_text(stmt)
        if text is not None:
            if is_note(stmt):  # on the next statement: after its line's citation
                notes.append(_marker(text, comments))
                continue
            out.extend(notes)
            notes = []
            out.append(_marker(text, comments))
            last = None
            continue
        lineno = getattr(stmt, "lineno", None)
        if lineno and lineno != last and not isinstance(stmt, COMPOUND):
            code = linecache.getline(filename, lineno).strip()
            if code:
                out.append(_marker(citation(filename, lineno, code), comments))
        last = lineno
        out.extend(notes)
        notes = []
        out.append(stmt)
    return out + notes


def _marker(text, comments):
    comments.append(text)
    return gast.Expr(value=g.name(_MARK.format(len(comments) - 1)))
