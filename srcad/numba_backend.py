"""backend="numba": a compiled derivative's text rewritten into the subset numba compiles, and
compiled with `numba.njit` (numba is optional: `pip install srcad[numba]`).

The generated code is kept line for line, with these changes (`numba_text` shows the result):
- `for i in reversed(r):` over a range `r` counts down: `range(last, first - step, -step)`;
- `del` statements go (numba frees what it no longer uses itself);
- a reduction's `keepdims=False` goes (numpy's default; numba's `np.sum` takes no `keepdims`);
- `np.expand_dims` runs as numba_twins.expand_dims (numba's takes one axis only);
- an array argument's adjoint that the reverse sweep adds into by index (`_rt.add_to`) starts
  as an array of zeros instead of the number 0.0 (a name keeps one type in numba);
- `_rt` helpers run as their numba twins (numba_twins.py); a helper with no twin is refused.
Tapes are lists (`_tape.append`/`pop`), typed by numba from what is appended; where a loop over a
range pushes numbers once a turn they become preallocated arrays (numba_tapes.py).
The user's own functions the derivative calls as they are, and the derivatives of helpers, are
njit-compiled too. Numba compiles on the first call; what it cannot compile (a Python object,
a function it does not know) is refused then, before anything runs, with SrcadError at the
user's line that the failing generated line comes from.
"""
import linecache
import re

import numpy as np

from . import errors, numba_tapes, parse, runtime
from .cache import CACHE
from .ir import citations_of
from .rules.callees import is_user_function

_REVERSED = re.compile(r"^(\s*for .+ in )reversed\((\w+)\):$", re.M)
_REVERSED_PART = re.compile(r"^(\s*for .+ in )reversed\((\w+)\[:(\w+)\]\):$", re.M)
_DEL = re.compile(r"^(\s*)del [\w, ]+$", re.M)
_ZERO = "{indent}{name} = 0.0"


def available():
    """Whether numba can be imported."""
    try:
        import numba
    except ImportError:
        return False
    return hasattr(numba, "njit")  # not a folder that happens to be called numba


def numba_text(text, array_params=()):
    """The generated `text` rewritten into the subset numba compiles (see the module doc)."""
    text = _REVERSED.sub(lambda m: _counting_down(m.group(1), m.group(2), f"len({m.group(2)})"), text)
    # a loop left by `break`: the turns it ran, n_ <= len(r), `reversed(r[:n_])`
    text = _REVERSED_PART.sub(lambda m: _counting_down(m.group(1), m.group(2), m.group(3)), text)
    text = _DEL.sub(lambda m: f"{m.group(1)}pass", text)
    text = text.replace(", keepdims=False)", ")")  # numpy's default, which numba's sum does not take
    for param in array_params:
        for adjoint in set(re.findall(rf"_rt\.add_to\((\w+), {param}, ", text)):
            text = re.sub(rf"^(\s*){adjoint} = 0\.0$",
                          rf"\1{adjoint} = _srcad_numpy.zeros({param}.shape)", text, flags=re.M)
    return text


def _counting_down(head, r, count):
    """`for i in` the first `count` elements of the range `r`, last first."""
    return f"{head}range({r}.start + ({count} - 1) * {r}.step, {r}.start - {r}.step, -{r}.step):"


class Compiler:
    """njit-compiles a derivative and everything it calls, once each."""

    def __init__(self, fn):
        self.fn = fn  # the differentiated function (for messages)
        self.done = {}  # id(Compiled or user function) -> its njit dispatcher(s)

    def derivative(self, compiled, user_globals, array_params=(), closure_of=None, inline=False, text=None):
        """The njit dispatchers of the functions `compiled` defines, in the text's order (from
        `text` if given: its numba text changed further, numba_tapes.py)."""
        import numba
        import numpy
        key = (id(compiled), text)
        if key in self.done:
            return self.done[key]
        self.refuse_missing_twins(compiled)
        text = text or numba_text(compiled.text, array_params)
        filename = f"{parse.GENERATED}numba {compiled.filename}:{id(compiled)}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        namespace = dict(user_globals)
        namespace["_srcad_numpy"] = numpy
        for name_ in re.findall(r"\b(\w+)\(", text):  # the user's functions called as they are
            value = user_globals.get(name_)
            if value is not None and is_user_function(value):
                namespace[name_] = self.user_function(value)
        text = _numba_expand_dims(text, namespace)
        exec(compile(text, filename, "exec"), namespace)
        made = self.made_functions(compiled, namespace, closure_of)
        # a helper's derivative is inlined where it is called: the caller's tape is typed by
        # what the helper appends to it (numba types a list within one function only)
        options = {"inline": "always"} if inline else {}
        self.done[key] = dispatchers = [numba.njit(**options)(f) for f in made]
        self.lines[filename] = (compiled.filename, text)
        return dispatchers

    lines = {}  # numba's file name of a derivative -> (the user's file, its text): for messages

    def made_functions(self, compiled, namespace, closure_of=None):
        """The Python functions the executed text defines: a factory called with the numba
        versions of what it names, or the functions themselves."""
        factory = next((v for k, v in namespace.items() if k.startswith("make_") and callable(v)
                        and getattr(v, "__code__", None) is not None
                        and v.__code__.co_filename.startswith(parse.GENERATED)), None)
        if factory is None:
            names = re.findall(r"^def (\w+)\(", compiled.text, re.M)
            return [namespace[n] for n in names]
        params = factory.__code__.co_varnames[:factory.__code__.co_argcount]
        cells = dict(zip(closure_of.__code__.co_freevars, closure_of.__closure__ or ())) if closure_of else {}
        args = [self.helper(compiled.helpers[p]) if p in compiled.helpers
                else cells[p].cell_contents if p in cells else namespace[p] for p in params]
        made = factory(*args)
        return list(made) if isinstance(made, tuple) else [made]

    def helper(self, obj):
        """What a factory parameter becomes: `_rt` itself (numba resolves its twins), a
        helper's derivative compiled too, anything else as it is."""
        if obj is runtime or not callable(obj) or getattr(obj, "__code__", None) is None:
            return obj
        if parse.is_generated(obj.__code__.co_filename):
            compiled = CACHE.holding(obj.__code__)
            if compiled is None:
                raise errors.SrcadError(f"the derivative {obj.__name__} is no longer cached: call again")
            pair = self.derivative(compiled, obj.__globals__, inline=True)
            return pair[1] if compiled.reverse_code is obj.__code__ else pair[0]
        if is_user_function(obj):
            return self.user_function(obj)
        return obj

    def user_function(self, fn):
        import numba
        if id(fn) not in self.done:
            self.done[id(fn)] = numba.njit(fn)
        return self.done[id(fn)]

    def refuse_missing_twins(self, compiled):
        from .numba_twins import TWINS
        for lineno, line in enumerate(compiled.text.splitlines(), start=1):
            for helper in re.findall(r"_rt\.(\w+)\(", line):
                if helper not in TWINS:
                    place = user_line(compiled.filename, compiled.text, lineno)
                    raise errors.at(compiled.filename, place, f"cannot compile the derivative of "
                                    f"{self.fn.__name__} with numba: it calls srcad's runtime helper "
                                    f"{helper}, which has no numba version",
                                    "Use backend='python' for this function")


def _numba_expand_dims(text, namespace):
    """`text` calling numba_twins.expand_dims where it calls numpy's (named as the user's module
    names numpy), which numba compiles for one axis only."""
    from .numba_twins import expand_dims
    for alias in set(re.findall(r"\b(\w+)\.expand_dims\(", text)):
        if namespace.get(alias) is np:
            text = re.sub(rf"\b{alias}\.expand_dims\(", "_srcad_expand_dims(", text)
            namespace["_srcad_expand_dims"] = expand_dims
    return text


def user_line(user_filename, text, lineno):
    """The line of the user's file that line `lineno` of the generated `text` comes from (the
    last comment citing one above it), else None."""
    cited = citations_of(user_filename)
    place = None
    for line in text.splitlines()[:lineno]:
        found = cited.match(line)
        if found:
            place = int(found.group(1))
    return place


def compile_failure(error, fn):
    """The SrcadError for numba's failure to compile a derivative of `fn`, at the user's line
    of the generated line numba names (the first that is one of ours)."""
    message = str(error)
    place = (fn.__code__.co_filename, parse.def_line(fn))
    for filename, (user_filename, text) in Compiler.lines.items():
        for found in re.finditer(rf'File "{re.escape(filename)}", line (\d+)', message):
            place = (user_filename, user_line(user_filename, text, int(found.group(1))))
            break
    first = _first_line(message)
    return errors.at(place[0], place[1], f"numba cannot compile the derivative of {fn.__name__}: {first}",
                     "Use backend='python' for this function, or write it in the subset numba compiles")


def _first_line(message):
    """numba's explanation, without its colour codes and its pointers into numba itself."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", message)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("No implementation", "During:", "File", "Failed in", "<source")):
            return line.rstrip(".")
    return text.strip().splitlines()[0] if text.strip() else "a typing error"


def with_array_tape(compiler, compiled, fn, arrays, dispatcher, signature):
    """The derivative with its tape as preallocated arrays (numba_tapes.py) where numba typed
    the list tape of `dispatcher`, compiled for the numba types `signature`, as numbers; else
    `dispatcher`."""
    import numba
    dispatcher.compile(signature)
    result = dispatcher.overloads.get(signature)
    tape = result.type_annotation.typemap.get("_tape") if result is not None else None
    if not isinstance(tape, numba.core.types.List):
        return dispatcher
    text = numba_tapes.array_tape_text(numba_text(compiled.text, arrays), tape.dtype, "_srcad_numpy")
    if text is None:
        return dispatcher
    return compiler.derivative(compiled, fn.__globals__, arrays, fn, text=text)[0]
