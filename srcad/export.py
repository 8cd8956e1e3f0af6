"""Export: a derivative as one standalone module, importing only the standard library and numpy.

The module holds what the derivative needs to run, each piece as source text: the modules it
imports, the constants it reads, the user's own functions it calls as they are, the
derivatives of the helpers it calls (srcad generated them too), and the runtime helpers
(`_rt.unbroadcast`, ...) copied from srcad/runtime, with whatever those call in turn. Generated
code is copied byte for byte as `srcad.source` shows it; a factory (`make_f_grad(_rt, ...)`)
is called at the end of the module with the objects it names.

What cannot be written down as source (an object of a third-party library, a closure, an
object with state) is refused with SrcadError naming it.
"""
import ast
import builtins
import dis
import inspect
import linecache
import sys
import textwrap
import types

import numpy as np

from . import callables, errors, parse, runtime, shaped
from .analyze import kind_of_type
from .api import declared_kind
from .cache import CACHE
from .dispatch import Target
from .exported_kinds import check_argument, described
from .rules.callees import is_user_function

# constants written as their repr (tuples of them too)
_LITERALS = (bool, int, float, complex, str, bytes, type(None))
_ARRAY_LIMIT = 10_000  # elements of a global array written into the module


def export(fn, wrt=0, path=None, *, args=None):
    """The text of a standalone module defining `fn`'s gradient (what `srcad.grad(fn, wrt)`
    runs, named `<fn>_grad`), written to `path` too if given. `args`: example arguments to
    specialise it for (array arguments need them or an annotation, as for `srcad.source`)."""
    resolved = callables.resolve(fn)
    target = _target(resolved.fn, callables.wrt_names(fn, resolved, wrt))
    compiled, kinds, shapes = _compiled(target, resolved, args)
    module = Module(resolved.fn)
    containers = [name_ for name_, kind in kinds.items() if not isinstance(kind, str)]
    if containers:  # its generated code takes their leaves: the module's gradient would not be f's
        raise module.refuse(f"its argument {containers[0]} is a container; an exported gradient takes "
                            "floats and arrays only", "Pass the container's numbers as separate arguments")
    made = module.generated(compiled, compiled.helpers, resolved.fn.__globals__)
    module.guard(made[0], {name_: described(kind, (shapes or {}).get(name_)) for name_, kind in kinds.items()})
    text = module.text(made[0], resolved.fn, target.wrt, kinds)
    if path is not None:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    return text


def _target(fn, wrt):
    target = Target(fn, wrt, "export")
    if target.inner is not None:
        raise target.error(f"cannot export {fn.__name__}, made by srcad", "Export the function it differentiates")
    return target


def _compiled(target, resolved, args):
    """The derivative `source(..., of="grad")` shows (the same one, from the cache)."""
    fn = target.fn
    if args is not None:
        kinds = target.kinds(resolved.args + tuple(args), resolved.keywords)
        shapes = shaped.shapes_of(target, kinds, resolved.args + tuple(args))
    else:
        kinds, shapes = {p.name: declared_kind(p, fn) for p in target.params}, None
        kinds.update({n: _kind(v) for n, v in callables.bound_values(resolved).items()})
    return target.compiled(kinds, variant="grad", shapes=shapes), kinds, shapes


def _kind(value):
    return kind_of_type(type(value))


class Module:
    """The exported module being assembled: module-level names and the text defining each."""

    def __init__(self, fn):
        self.fn = fn
        self.bound = {}       # module-level name -> the object it holds
        self.names = {}       # id(object) -> its module-level name
        self.imports = []     # import lines
        self.constants = []   # `NAME = value` lines
        self.functions = []   # source of copied functions and classes
        self.runtime = {}     # `_rt` attribute -> module-level name of the copied helper
        self.made = []        # generated factories and the lines calling them
        self.made_names = {}  # id(Compiled) -> the module-level names of what it defines

    def refuse(self, what, hint):
        filename = self.fn.__code__.co_filename
        return errors.at(filename, parse.def_line(self.fn), f"cannot export {self.fn.__name__}: {what}", hint)

    # --- generated derivatives -------------------------------------------------------------

    def generated(self, compiled, helpers, user_globals):
        """Module-level names of the functions `compiled` defines (added with what they need)."""
        text = compiled.text
        tree = ast.parse(text)
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        factory = defs[0] if len(defs) == 1 and defs[0].name.startswith("make_") \
            and any(isinstance(n, ast.FunctionDef) for n in defs[0].body) else None
        made_names = [d.name for d in (factory.body if factory else defs) if isinstance(d, ast.FunctionDef)]
        params = [a.arg for a in factory.args.args] if factory else []
        closure = dict(zip(self.fn.__code__.co_freevars, [c.cell_contents for c in self.fn.__closure__ or ()]))
        passed = [self.value(p, helpers[p] if p in helpers else closure.get(p, _MISSING), user_globals)
                  for p in params]
        for name_ in _global_names(text):
            if name_ not in params:
                self.value(name_, user_globals.get(name_, _MISSING), user_globals)
        chosen = [self.claim(n, None) for n in made_names]
        if factory:
            self.made.append(text.rstrip() + "\n\n\n" + f"{', '.join(chosen)} = {factory.name}({', '.join(passed)})")
        else:
            self.made.append(text.rstrip())
        return chosen

    def generated_function(self, name_, obj):
        """A helper's derivative (sq_fwd): everything its compiled text defines goes in."""
        compiled = CACHE.holding(obj.__code__)
        if compiled is None:
            raise self.refuse(f"the derivative {name_} is no longer cached", "Call srcad.export again")
        chosen = self.made_names.get(id(compiled))
        if chosen is None:
            chosen = self.made_names[id(compiled)] = self.generated(compiled, compiled.helpers, obj.__globals__)
        codes = [compiled.code, compiled.reverse_code]
        return chosen[codes.index(obj.__code__)] if obj.__code__ in codes else chosen[0]

    # --- outside objects ------------------------------------------------------------------

    def value(self, name_, obj, namespace):
        """The module-level name holding `obj` (known in `namespace` as `name_`), added."""
        if obj is _MISSING:
            if hasattr(builtins, name_):
                return name_
            raise self.refuse(f"it reads {name_}, which is not defined", f"Define {name_}")
        if id(obj) in self.names and self.bound.get(self.names[id(obj)]) is obj:
            return self.names[id(obj)]
        if obj is runtime:
            return self.runtime_namespace(name_)
        if getattr(builtins, name_, _MISSING) is obj:
            return name_
        if isinstance(obj, types.ModuleType):
            return self.imported_module(name_, obj)
        if inspect.isfunction(obj) and parse.is_generated(obj.__code__.co_filename):
            chosen = self.generated_function(name_, obj)
            self.names[id(obj)] = chosen
            return chosen
        if _is_constant(obj):
            chosen = self.claim(name_, obj)
            numpy_name = self.value("np", np, {}) if isinstance(obj, (np.ndarray, np.generic)) else None
            self.constants.append(f"{chosen} = {_constant_text(obj, numpy_name)}")
            return chosen
        where = _library_home(obj)
        if where is not None:
            chosen = self.claim(name_, obj)
            self.imports.append(f"from {where} import {obj.__name__}"
                                + (f" as {chosen}" if chosen != obj.__name__ else ""))
            return chosen
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and (
                is_user_function(obj) or getattr(obj, "__module__", "").startswith("srcad.")
                or inspect.isclass(obj) and obj.__module__ == getattr(self.fn, "__module__", None)):
            return self.copied(name_, obj)
        raise self.refuse(f"it uses {name_}, a {type(obj).__name__} that cannot be written as source "
                          "with only the standard library and numpy",
                          f"Pass {name_} as an argument, or compute it inside the function")

    def claim(self, name_, obj):
        """`name_` (or `name_2`, ...) bound to `obj` at module level."""
        chosen, n = name_, 2
        while chosen in self.bound and self.bound[chosen] is not obj:
            chosen, n = f"{name_}_{n}", n + 1
        self.bound[chosen] = obj
        if obj is not None:
            self.names[id(obj)] = chosen
        return chosen

    def imported_module(self, name_, module):
        top = module.__name__.split(".")[0]
        if top != "numpy" and top not in sys.stdlib_module_names:
            raise self.refuse(f"it uses the module {module.__name__}, which is neither the standard "
                              "library nor numpy", "Export imports only those; call the function itself")
        chosen = self.claim(name_, module)
        line = f"import {module.__name__}" + (f" as {chosen}" if chosen != module.__name__ else "")
        if "." in module.__name__ and chosen == module.__name__:
            raise self.refuse(f"it reads the module {module.__name__} by a dotted name", "Import it as a name")
        self.imports.append(line)
        return chosen

    def copied(self, name_, obj):
        """A function or class copied as source (decorators dropped), with what it reads."""
        if getattr(obj, "__closure__", None):
            raise self.refuse(f"{obj.__name__} is a closure", f"Define {obj.__name__} at module level")
        text = textwrap.dedent(inspect.getsource(obj))
        tree = ast.parse(text)
        definition = tree.body[0]
        if getattr(definition, "decorator_list", None):
            definition.decorator_list = []
            text = _without_decorators(text, definition)
        chosen = self.claim(obj.__name__, obj)
        if chosen != obj.__name__:
            raise self.refuse(f"two different objects are called {obj.__name__}", f"Rename one of them")
        self.functions.append(text.rstrip())
        namespace = vars(sys.modules[obj.__module__]) if obj.__module__ in sys.modules else obj.__globals__
        for inner in _global_names(text):
            if inner != obj.__name__:
                self.value(inner, namespace.get(inner, _MISSING), namespace)
        return chosen

    def runtime_namespace(self, name_):
        """`_rt`: a namespace of the runtime helpers generated code calls (filled by `text`)."""
        return self.claim(name_, runtime)

    def guard(self, main_name, kinds):
        """`main_name` checks its arguments' kinds (`kinds`: exported_kinds.described) first,
        then runs the generated derivative, kept as `<main_name>_as_generated`."""
        check = self.value("check_argument", check_argument, {})
        inspect_name = self.value("inspect", inspect, {})
        generated = self.claim(f"{main_name}_as_generated", None)
        table = self.claim("EXPORTED_FOR", None)
        self.made.append(
            f"# {main_name} is specialised on its arguments' kinds (and shapes, where it was exported\n"
            f"# for example arguments): with others its gradient could be wrong, so they are refused\n"
            f"{table} = {kinds!r}\n{generated} = {main_name}\n\n\n"
            f"def {main_name}(*args, **kwargs):\n"
            f"    bound = {inspect_name}.signature({generated}).bind(*args, **kwargs)\n"
            f"    for name, value in bound.arguments.items():\n"
            f"        {check}(name, value, {table}[name])\n"
            f"    return {generated}(*args, **kwargs)")

    # --- the text -------------------------------------------------------------------------

    def text(self, main_name, fn, wrt, kinds):
        self.fill_runtime()
        specialised = ", ".join(f"{p} {_KIND_WORDS.get(k, 'any value')}" for p, k in kinds.items())
        head = (f'"""{main_name}: the gradient of {fn.__name__} ({errors.short(fn.__code__.co_filename)}:'
                f'{parse.def_line(fn)}) with respect to {", ".join(wrt)},\n'
                f'generated by srcad.export for arguments of these kinds: {specialised}.\n'
                'Called with others it raises TypeError: export again for them (args=).\n'
                'It imports only the standard library and numpy."""')
        blocks = self.functions + self.runtime_block() + self.made
        parts = [head]
        imports = sorted(set(self.imports), key=lambda line: (line.startswith("from"), line))
        if imports:
            parts.append("\n".join(imports))
        if self.constants:
            parts.append("\n".join(self.constants))
        return "\n".join(parts) + "\n\n\n" + "\n\n\n".join(blocks) + "\n"

    def fill_runtime(self):
        """Copy the runtime helpers every generated text calls through `_rt`, once."""
        rt_name = self.names.get(id(runtime))
        if rt_name is None:
            return
        for block in list(self.made):
            for attr in _attributes_of(block, rt_name):
                if attr not in self.runtime:
                    self.runtime[attr] = self.value(attr, getattr(runtime, attr), vars(runtime))

    def runtime_block(self):
        rt_name = self.names.get(id(runtime))
        if rt_name is None:
            return []
        self.imports.append("import types")
        fields = ", ".join(f"{attr}={name_}" for attr, name_ in sorted(self.runtime.items()))
        return [f"# the srcad runtime helpers called above, as generated code names them\n"
                f"{rt_name} = types.SimpleNamespace({fields})"]


_MISSING = object()
_KIND_WORDS = {"float": "a float", "int": "an int", "array": "an ndarray", "other": "not differentiated"}


def _global_names(text):
    """Names the module `text` reads as globals (in functions, class bodies and at top level),
    but those it defines at top level."""
    code = compile(text, "<export>", "exec")
    read, defined, work = set(), set(), [(code, True)]
    while work:
        code, top = work.pop()
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                read.add(ins.argval)
            elif top and ins.opname == "STORE_NAME":
                defined.add(ins.argval)
        work.extend((c, False) for c in code.co_consts if isinstance(c, types.CodeType))
    return sorted(n for n in read - defined if not n.startswith("__"))


def _attributes_of(text, name_):
    """The attributes read from `name_` in `text` (`_rt.unbroadcast` -> unbroadcast)."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == name_:
            found.append(node.attr)
    return sorted(set(found))


def _is_constant(obj):
    if isinstance(obj, _LITERALS) and type(obj) in _LITERALS:
        return True
    if type(obj) is tuple:
        return all(_is_constant(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind in "biuf" and obj.size <= _ARRAY_LIMIT
    return isinstance(obj, np.generic) and obj.dtype.kind in "biuf"


def _constant_text(obj, numpy_name):
    if isinstance(obj, np.ndarray):
        return f"{numpy_name}.array({obj.tolist()!r}, dtype={numpy_name}.{obj.dtype.name})"
    if isinstance(obj, np.generic):
        return f"{numpy_name}.{obj.dtype.name}({obj.item()!r})"
    return repr(obj)


def _library_home(obj):
    """The stdlib or numpy module `obj` is importable from by its name, else None."""
    name_ = getattr(obj, "__name__", None)
    if not name_ or not callable(obj):
        return None
    for module_name in (getattr(obj, "__module__", None), "numpy"):
        module = sys.modules.get(module_name or "")
        top = (module_name or "").split(".")[0]
        if module is not None and getattr(module, name_, None) is obj \
                and (top == "numpy" or top in sys.stdlib_module_names):
            return "numpy" if module_name.startswith("numpy") and getattr(np, name_, None) is obj else module_name
    return None


def _without_decorators(text, definition):
    """`text` without the decorator lines above the `def` or `class` line."""
    lines = text.splitlines(True)
    return "".join(lines[definition.lineno - 1:])
