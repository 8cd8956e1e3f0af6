"""Parse: a Python function -> `Source`, its gast tree at the real line numbers of its file.

The tree is the function's own `def` (decorators dropped; a lambda becomes a one-line `def`).
`Source` also carries what the function's names denote now: its module globals and closure
cells, and `resolve(expr)` turns a global name or module attribute (`np.sin`, `math.sin`,
`sin` after `from math import sin`) into the object it denotes, recording each such lookup in
`bindings` (see depends.py): the derivative is compiled from what was found, and is current
only while those bindings hold.
"""
import ast
import builtins
import copy
import inspect
import linecache
import textwrap
import types
from dataclasses import dataclass, field

import gast
import numpy as np

from . import convert, errors, gastutil as g
from . import library
from .depends import MISSING, Bindings, is_library
from .errors import SrcadError

GENERATED = "<srcad "  # file names of generated code start so (see pipeline._generated_filename)


@dataclass
class Source:
    fn: object
    tree: gast.FunctionDef
    filename: str
    globals: dict
    closure: dict
    local_names: set = field(default_factory=set)
    all_names: set = field(default_factory=set)
    namespace: object = None  # naming.Namespace, set by the pipeline
    cells: dict = field(default_factory=dict)  # closure name -> its cell
    bindings: Bindings = field(default_factory=Bindings)  # what the lookups found
    return_kinds: dict = field(default_factory=dict)  # analyze's memo for one derivation
    depth: int = 0  # how many calls below the function being derived (analyze's helpers)
    # (fn, within) -> (Source, Names, tree): the pipeline's first stages, which analyze runs on
    # the helpers the function calls; passed in by the pipeline (None: helpers are not read,
    # what they return is of unknown kind and every parameter may be written)
    read_helper: object = None
    layout: object = None  # containers.Layout, where f is specialised on its containers

    def resolve(self, expr, exact=False):
        """The object a non-local name or attribute chain denotes, or `UNRESOLVED`. `exact`:
        the derivative depends on this very object, even if it is a number (see depends.py)."""
        if isinstance(expr, gast.Name):
            if expr.id in self.local_names:
                return UNRESOLVED
            made = self.namespace.known_object(expr.id) if self.namespace is not None else None
            if made is not None:  # an object srcad passes in (a helper, a derivative)
                return made
            return self.lookup(expr.id, exact)
        if isinstance(expr, gast.Attribute):
            base = self.resolve(expr.value)
            if base is UNRESOLVED:
                return UNRESOLVED
            if inspect.isclass(base) and not is_library(base):  # `Model.apply(m, x)`
                return self._method_of(base, expr.attr)
            if not inspect.ismodule(base):  # `scipy.stats.norm.logpdf`: its formula, as a def
                made = library.stats_method(base, expr.attr)
                return UNRESOLVED if made is None else made
            if not is_library(base):  # a user's module: `H.act` may be re-bound
                self.bindings.name(vars(base), expr.attr, vars(base).get(expr.attr, MISSING), exact)
            return self._noted(getattr(base, expr.attr, UNRESOLVED))
        return UNRESOLVED

    def _method_of(self, cls, name_):
        """The plain function `cls.name_` denotes (a method called through its class, the
        instance passed as its first argument; a staticmethod's function), or `UNRESOLVED` for
        anything else (a classmethod, a property, a class attribute). Each class of the MRO up
        to the one defining it is recorded: re-binding the method there, or defining it in a
        class before, gives a fresh derivative."""
        for owner in cls.__mro__:
            found = vars(owner).get(name_, MISSING)
            self.bindings.name(vars(owner), name_, found)
            if isinstance(found, staticmethod):
                found = found.__func__
            if found is not MISSING:
                return self._noted(found) if inspect.isfunction(found) else UNRESOLVED
        return UNRESOLVED

    def lookup(self, name_, exact=False):
        """What the non-local `name_` denotes now, as Python finds it (closure, globals,
        builtins), or `UNRESOLVED`; the lookup is recorded in `bindings`."""
        if name_ in self.cells:
            value = self.closure.get(name_, MISSING)
            self.bindings.cell(self.cells[name_], value, exact)
            return UNRESOLVED if value is MISSING else self._noted(value)
        value = self.globals.get(name_, MISSING)
        self.bindings.name(self.globals, name_, value, exact)
        return self._noted(getattr(builtins, name_, UNRESOLVED) if value is MISSING else value)

    def _noted(self, value):
        if inspect.isfunction(value) and not is_library(value):
            self.bindings.code(value)  # a helper: its code is what gets differentiated
        return value


class _Unresolved:
    def __repr__(self):
        return "UNRESOLVED"


UNRESOLVED = _Unresolved()


def function(fn):
    """Parse `fn` into a `Source`; refuse with SrcadError when it has no readable source."""
    text, first = _source_lines(fn)
    code = fn.__code__
    tree = _function_node(fn, text, first)
    _refuse_other_source(fn, tree)
    tree.decorator_list = []
    src = Source(fn, tree, code.co_filename, fn.__globals__, _closure(fn),
                 cells=dict(zip(code.co_freevars, fn.__closure__ or ())))
    names = [node for node in g.nodes(tree) if isinstance(node, gast.Name)]
    src.local_names = {arg.id for arg in _all_params(tree.args)}
    src.local_names |= {node.id for node in names if isinstance(node.ctx, (gast.Store, gast.Del))}
    src.all_names = {node.id for node in names} | src.local_names
    return src


def _refuse_other_source(fn, tree):
    """Refuse where the source read for `fn` is not the code that runs: a name its code reads
    or binds appears nowhere in the text. Its file was edited after it was imported (Python
    reads a file once; inspect reads it as it is now), or other text was compiled under its
    file name; differentiating the text would give the derivative of another function. Only
    names are compared: an edit that changes a number or an operator alone is not seen."""
    written = set()
    for node in gast.walk(tree):
        for _, value in gast.iter_fields(node):
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    written.add(item)
    missing = sorted(n for n in _code_names(fn.__code__)
                     if n not in written and _unmangled(n) not in written)
    if missing:
        raise errors.at(fn.__code__.co_filename, tree.lineno,
                        f"cannot differentiate {fn.__qualname__}: its source here is not the code "
                        f"that runs (the code reads {', '.join(missing[:3])}, which the text does "
                        "not have); the file was probably edited after it was imported",
                        "Reload the module (importlib.reload) or run the cell again, then "
                        "differentiate it")


def _code_names(code):
    """The global, attribute and local names `code` (and the code nested in it) reads or binds."""
    out, work = set(), [code]
    while work:
        code = work.pop()
        # not a comprehension's `.0`, nor a class body's implicit `__qualname__` and the like
        out.update(n for n in code.co_names + code.co_varnames
                   if not n.startswith(".") and not (n.startswith("__") and n.endswith("__")))
        work.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return out


def _unmangled(name_):
    """`__x` for a name a class body mangled (`_Model__x`), else the name."""
    cut = name_.find("__", 1)
    return name_[cut:] if name_.startswith("_") and cut > 0 else name_


def def_line(fn):
    """The line of `fn`'s `def` (or lambda) in its file, refusing as `function` does what has no
    readable source. Python's own parser finds it: a transformation needs the line when it is
    made, and converting the whole function to gast is the pipeline's to do, once (it took a
    tenth of the first call of a long function)."""
    text, first = _source_lines(fn)
    if _is_lambda(fn):
        return _lambda_node(fn, text, first).lineno
    for node in ast.parse(textwrap.dedent(text)).body:
        if isinstance(node, ast.FunctionDef):
            return node.lineno + first - 1
    raise SrcadError(f"cannot differentiate {fn.__qualname__}: no def found in its source")


def _source_lines(fn):
    """(text, number of its first line) of `fn`'s source."""
    _refuse_what_is_not_a_def(fn)
    filename = fn.__code__.co_filename
    linecache.checkcache(filename)
    file_lines = linecache.getlines(filename, fn.__globals__)
    last = _LAST_SOURCE[0]
    if last is not None and last[0] is fn.__code__ and last[1] is file_lines and file_lines:
        return last[2]  # its file's lines in linecache are the same list: unchanged
    try:
        lines, first = inspect.getsourcelines(_own_code(fn))
    except (OSError, TypeError) as error:
        raise SrcadError(f"cannot differentiate {fn.__qualname__}: its source code cannot be read "
                         f"({error}); it was probably made by eval or exec. Define it with def in "
                         "a file, a module or a notebook cell") from None
    _LAST_SOURCE[0] = (fn.__code__, file_lines, ("".join(lines), first))
    return _LAST_SOURCE[0][2]


# (code, the list of its file's lines linecache held, its source): the last function read, by
# its code (IPython's autoreload gives a function new code in place).
# A transformation reads the source when it is made and the pipeline again on the first call;
# inspect finds where the function ends by tokenizing it, a twentieth of a long function's
# first call. linecache replaces the list when the file changes (checkcache).
_LAST_SOURCE = [None]


def _refuse_what_is_not_a_def(fn):
    """Refuse what has no one `def` (or lambda) to read, saying what it is and what to pass."""
    if inspect.isfunction(fn) and getattr(fn, "__code__", None) is not None:
        if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
            raise SrcadError(f"cannot differentiate {fn.__qualname__}: it is an async function. "
                             "Differentiate a plain def that computes the value, and await outside it")
        return
    if not callable(fn):
        raise TypeError(f"srcad differentiates functions, but was given {_brief(fn)}, a "
                        f"{type(fn).__name__}. Pass the function itself: grad(f), not grad(f(x))")
    if inspect.isclass(fn):
        raise SrcadError(f"cannot differentiate the class {fn.__qualname__}: srcad differentiates "
                         "functions. Write a def that uses the class; for a method, differentiate "
                         f"{fn.__name__}.method and pass the instance as an argument")
    if not inspect.isroutine(fn) and not isinstance(fn, np.ufunc):
        raise SrcadError(f"cannot differentiate {_brief(fn)}: it is a callable object whose __call__ "
                         "is no Python function srcad can read. Differentiate a lambda or def "
                         "that calls it, with a derivative rule for it (srcad.defvjp)")
    raise SrcadError(f"cannot differentiate {_brief(fn)}: it is not a Python function with source "
                     "code (a builtin or C function) of a library srcad has rules for. Wrap it in "
                     "a def, or register its derivative with srcad.defvjp")


def _brief(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _own_code(fn):
    """`fn`, or for a decorator's wrapper (functools.wraps) a copy without `__wrapped__`, which
    inspect would follow to the source of the function it wraps. (Not `fn.__code__`: inspect
    finds a code object's module by searching every module, a hundred milliseconds.)"""
    if not hasattr(fn, "__wrapped__"):
        return fn
    return types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)


def _function_node(fn, text, first):
    if _is_lambda(fn):
        return _lambda_as_def(fn, _lambda_node(fn, text, first))
    module = tree_of(textwrap.dedent(text))
    gast.increment_lineno(module, first - 1)
    for node in module.body:
        if isinstance(node, gast.FunctionDef):
            return node
    raise SrcadError(f"cannot differentiate {fn.__qualname__}: no def found in its source")


_PIECE_DEPTH = 60


def tree_of(text, piece_depth=_PIECE_DEPTH):
    """`gast.parse(text)`, for expressions of any depth.

    gast converts Python's tree recursively, a few calls a level, so a one-line sum of a few
    hundred terms exceeded the recursion limit (raising the limit risks overflowing the C
    stack on Python < 3.11). Python's tree is cut instead into pieces about `piece_depth`
    levels deep, each piece's place held by a placeholder name (one the text does not contain);
    each piece is converted on its own and put back in its place. Nothing is rewritten: the
    tree is the one gast makes."""
    tree = ast.parse(text)
    prefix = "__srcad_piece"
    while prefix in text:
        prefix += "_"
    pieces = _cut(tree, piece_depth, prefix)
    converted = {key: convert.to_gast(piece) for key, piece in pieces.items()}
    root = convert.to_gast(tree)
    work = [root] if pieces else []
    while work:
        node = work.pop()
        for field, value in gast.iter_fields(node):
            if isinstance(value, list):
                value[:] = [_placed(v, converted) for v in value]
                work.extend(v for v in value if isinstance(v, gast.AST))
            elif isinstance(value, gast.AST):
                value = _placed(value, converted)
                setattr(node, field, value)
                work.append(value)
    return root


def _placed(node, converted):
    """The converted piece whose placeholder `node` is, or `node`."""
    return converted.get(node.id, node) if isinstance(node, gast.Name) else node


def _cut(tree, piece_depth, prefix):
    """Replace, in place, each expression that lies `piece_depth` levels below the top of its
    piece by a placeholder name; {placeholder: the expression cut out}."""
    pieces, work = {}, [(tree, 0)]
    while work:
        node, depth = work.pop()
        for field, value in ast.iter_fields(node):
            children = value if isinstance(value, list) else [value]
            for k, child in enumerate(children):
                if not isinstance(child, ast.AST):
                    continue
                if depth >= piece_depth and isinstance(child, ast.expr) \
                        and not isinstance(getattr(child, "ctx", None), (ast.Store, ast.Del)):
                    key = f"{prefix}{len(pieces)}"
                    pieces[key] = child
                    stand_in = ast.copy_location(ast.Name(id=key, ctx=ast.Load()), child)
                    if isinstance(value, list):
                        value[k] = stand_in
                    else:
                        setattr(node, field, stand_in)
                    work.append((child, 0))
                else:
                    work.append((child, depth + 1))
    return pieces


def _is_lambda(fn):
    return fn.__name__ == "<lambda>"


def _lambda_node(fn, text, first):
    """The `gast.Lambda` that made `fn`, at its file's lines and columns: found in the whole
    file (a lambda's lines are often no statement of their own: `grad(\n lambda x: ...)`), by
    where its code's instructions are (Python 3.11+), else by its parameters."""
    code = fn.__code__
    module = _parsed_file(code.co_filename)
    if module is None:  # no file text that parses (an interactive line): the lines alone
        module = _parse_lambda_lines(text)
        gast.increment_lineno(module, first - 1)
    lambdas = [node for node in g.walk(module) if isinstance(node, gast.Lambda)
               and node.lineno <= code.co_firstlineno <= node.end_lineno]
    span = _code_span(code)
    if span is not None:
        found = [node for node in lambdas if _contains(node.body, span)]
        found = found[-1:]  # g.walk goes outside in: the innermost lambda holding the code
    else:
        params = code.co_varnames[:code.co_argcount]
        found = [node for node in lambdas if tuple(a.id for a in node.args.args) == params]
    if len(found) != 1:
        raise SrcadError(f"cannot differentiate a lambda at {code.co_filename}:{code.co_firstlineno}: "
                         f"it shares its line with other lambdas of the same parameters, which srcad "
                         f"cannot tell apart on this Python version. Define it with def")
    return copy.deepcopy(found[0])


_PARSED = {}  # file name -> (its text, its gast module or None): one parse per file text


def _parsed_file(filename):
    text = "".join(linecache.getlines(filename))
    known = _PARSED.get(filename)
    if known is None or known[0] != text:
        try:
            module = tree_of(text) if text else None
        except SyntaxError:
            module = None
        known = _PARSED[filename] = (text, module)
    return known[1]


def _code_span(code):
    """((first line, first column), (last line, end column)) of `code`'s instructions, or None
    where the code object keeps no columns (before Python 3.11). Instructions of no width (the
    frame's set-up, an implicit return) are at column 0 and say nothing."""
    if not hasattr(code, "co_positions"):
        return None
    spots = [(line, col, end_line, end_col) for line, end_line, col, end_col in code.co_positions()
             if None not in (line, col, end_line, end_col) and (end_line, end_col) > (line, col)]
    if not spots:
        return None
    return min((s[0], s[1]) for s in spots), max((s[2], s[3]) for s in spots)


def _contains(node, span):
    """Whether the source range of `node` holds `span` (columns count UTF-8 bytes in both)."""
    start, end = span
    return (node.lineno, node.col_offset) <= start and end <= (node.end_lineno, node.end_col_offset)


def _parse_lambda_lines(text):
    text = textwrap.dedent(text)
    for candidate in (text, "(" + text.strip().rstrip(",") + ")"):
        try:
            return tree_of(candidate)
        except SyntaxError:
            continue
    raise SrcadError(f"cannot differentiate a lambda whose source line cannot be parsed alone: "
                     f"{text.strip()!r}. Define it with def")


def _lambda_as_def(fn, node):
    """`node`, the lambda `fn`, as `def lambda(...): return <body>` (generated code names
    its derivative `lambda_vjp`)."""
    body = [gast.Return(value=node.body)]
    gast.copy_location(body[0], node.body)
    tree = gast.FunctionDef(name="lambda", args=node.args, body=body, decorator_list=[],
                            returns=None, type_comment=None, type_params=[])
    return gast.copy_location(tree, node)


def _closure(fn):
    cells = fn.__closure__ or ()
    values = {}
    for name, cell in zip(fn.__code__.co_freevars, cells):
        try:
            values[name] = cell.cell_contents
        except ValueError:  # an empty cell: the name is not bound yet
            continue
    return values


def _all_params(args):
    params = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    params += [a for a in (args.vararg, args.kwarg) if a is not None]
    return params


def is_generated(filename):
    """Whether code under `filename` is a derivative srcad generated (parsed again to be
    differentiated again)."""
    return filename.startswith(GENERATED)
