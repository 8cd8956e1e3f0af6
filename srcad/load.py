"""Load: source text -> a live function, compiled under a file name registered in linecache,
so that tracebacks, `inspect.getsource` and pdb show the generated lines.

An error raised as a derivative runs (a `raise` in f, a numpy shape mismatch, a division by
zero) is also shown at the user's own line: `raise_at_user_line` re-raises it through a frame
compiled under the user's file name at the line whose derivative raised it, so Python's
default traceback printer (any version) shows that file, line number and source text between
the generated frame's caller and the generated frame itself.
"""
import linecache
import types

from .errors import SrcadError
from .ir import citations_of

def code_of(text, filename, name_):
    """Compile `text` as `filename` and return the code object of the function `name_` in it
    (inside a factory, if the text has one)."""
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    module = compile(text, filename, "exec")
    work = [module]
    while work:
        code = work.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                if const.co_name == name_:
                    return const
                work.append(const)
    raise LookupError(name_)


def function(code, user_fn, helpers, defaults):
    """A function running `code` in `user_fn`'s live globals, its free names bound to the helper
    objects and to `user_fn`'s own closure cells."""
    user_cells = dict(zip(user_fn.__code__.co_freevars, user_fn.__closure__ or ()))
    cells = tuple(user_cells[n] if n in user_cells else types.CellType(helpers[n])
                  for n in code.co_freevars)
    fn = types.FunctionType(code, user_fn.__globals__, code.co_name, defaults, cells or None)
    fn.__kwdefaults__ = user_fn.__kwdefaults__
    return fn


# Generated file name -> (the user's file name, the user's function name, the user's line of
# each generated line, 1-based): read from the comments citing `file.py:N` in the text.
_USER_LINES = {}
_ERROR = "__srcad_error"


def register_lines(filename, text, user_filename, user_name):
    """Remember which line of `user_filename` each line of the generated `text` comes from."""
    cited = citations_of(user_filename)
    lines, current = [None], None
    for line in text.splitlines():
        found = cited.match(line)
        if found:
            current = int(found.group(1))
        lines.append(current)
    _USER_LINES[filename] = (user_filename, user_name, lines)


def raise_at_user_line(error):
    """Re-raise `error` through a frame at the user's line whose derivative raised it (the
    innermost generated frame of its traceback); return if there is none (the caller then
    re-raises it as it is). A SrcadError cites the user's line already."""
    if isinstance(error, SrcadError):
        return
    place = None
    tb = error.__traceback__
    while tb is not None:
        known = _USER_LINES.get(tb.tb_frame.f_code.co_filename)
        if known is not None and 0 < tb.tb_lineno < len(known[2]) and known[2][tb.tb_lineno]:
            place = known[0], known[1], known[2][tb.tb_lineno]
        tb = tb.tb_next
    if place is not None:
        code, name_ = _raiser(*place)
        exec(code, {name_: error})


def _raiser(filename, function_name, lineno):
    """(code, name): code raising the global `name` as if from line `lineno` of `filename`, in
    a function called `function_name`. Its statement spans the user's line (same indent, the
    name padded to its width), so that Python 3.11+ marks no part of the user's text."""
    line = linecache.getline(filename, lineno).rstrip()
    indent = len(line) - len(line.lstrip()) if lineno > 1 else 0
    width = len(line.strip().encode()) - len("raise ")
    name_ = _ERROR.ljust(width, "_") if width >= len(_ERROR) else "_" * max(width, 1)
    statement = " " * indent + "raise " + name_
    text = "\n" * (lineno - 2) + "if True:\n" + statement if indent else "\n" * (lineno - 1) + statement
    code = compile(text, filename, "exec")
    renamed = {"co_name": function_name}
    if hasattr(code, "co_qualname"):  # Python 3.11+
        renamed["co_qualname"] = function_name
    return code.replace(**renamed), name_
