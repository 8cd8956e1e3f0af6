"""The stand-in's code: the function `grad(f)` returns, generated for each transformation.

Its first test is the common case: the arguments have the types of the first call it served
(`t0, t1, ...`, one `type(x) is T` test each) and every binding the derivatives were compiled
from still holds (depends.py). Other calls build the tuple of their types, look it up among
the specialisations, and make one where there is none (`Target.entry`).

On the fast path the stand-in runs the derivative's own statements, in its own frame, where
it can: a Python call costs about as much as the textbook function's whole derivative. The
statements are those `srcad.source` shows, compiled under the derivative's file name at their
own line numbers (tracebacks and `raise_at_user_line` read them there); the names they read
outside the function are bound to what they denote:

- the derivative's helpers (`_rt`, a helper's derivative): the same objects;
- a global of f's module bound to a function or a module (`math`, a helper): the object the
  guard just found there, by identity;
- a global bound to a number or an array (guarded by its type only): read from the module's
  dict as the statement runs, as the derivative itself would;
- a builtin (`abs`, `len`; the guard tests that no global hides it): read from the builtins.

Where that cannot be done (the derivative reads a closure cell of f, has nested scopes, is
specialised on shapes, names clash) the stand-in calls the derivative, as it does for every
other specialisation.
"""
import ast
import itertools
import types

from . import load, runtime
from .depends import DICT, MISSING, is_library

_TAGS = itertools.count(1)  # names of inlined objects differ from one code to the next


class Unmatched:
    """The type no argument has: the fast path's types before a specialisation claims it."""


class Inlinable:
    """What the stand-in needs to run a derivative's statements in its own frame: the compiled
    derivative, the function bound from it, and the transform whose refusals (a non-scalar
    output, a complex number) become SrcadErrors citing f (None where its code checks none)."""

    __slots__ = ("compiled", "function", "transform")

    def __init__(self, compiled, function, transform):
        self.compiled, self.function, self.transform = compiled, function, transform


def code(target):
    """The code object of `target`'s stand-in, for its current bindings and fast path; the
    objects it reads are put in `target.guard_names` under names starting with
    `target.prefix`, which no parameter starts with (none is removed: another thread may be
    running the previous code)."""
    prefix, names = target.prefix, [p.name for p in target.params]
    guard, values = target.bindings.guard(prefix)
    values.update({prefix + "impls": target.impls, prefix + "entry": target.entry,
                   prefix + "make": target.make, prefix + "at_user_line": load.raise_at_user_line,
                   prefix + "refusals": (runtime.NotScalar, runtime.NotReal)})
    target.guard_names.update(values)
    params = ", ".join(names)
    key = "".join(f"{prefix}type({n}), " for n in names)
    types_differ = " or ".join(f"{prefix}type({n}) is not {prefix}t{i}" for i, n in enumerate(names))
    call_entry = f"{prefix}entry(({params}{',' if len(names) == 1 else ''}), {{}}, {prefix}make)"
    head = [f"def {target.dispatch_name}({params}):",
            *_stale_test(prefix, " or ".join(filter(None, [types_differ, guard])), "    "),
            f"    if {prefix}stale:",
            f"        {prefix}impl = {prefix}impls.get(({key}))",
            *_stale_test(prefix, " or ".join(filter(None, [f"{prefix}impl is None", guard])), "        "),
            f"        if {prefix}stale:",
            f"            {prefix}impl = {call_entry}"]
    inlined = _inlined(target.guard_names.get(prefix + "fast"), target)
    if inlined is None:
        lines = head + ["    else:",
                        f"        {prefix}impl = {prefix}fast",
                        *_called(prefix, params, "    "), ""]
        return compile("\n".join(lines), f"<srcad dispatch {target.fn.__name__}>", "exec")
    body, inline_values, filename, refused = inlined
    target.guard_names.update(inline_values)
    handlers = [f"    except {prefix}refusals as {prefix}refusal:",
                f"        raise {refused}({prefix}refusal) from None"] if refused else []
    lines = head + _called(prefix, params, "        ") + [
        "    try:",
        f"        {prefix}inlined",
        *handlers,
        f"    except Exception as {prefix}error:  # shown at the user's line too",
        f"        {prefix}at_user_line({prefix}error)",
        "        raise", ""]
    module = ast.parse("\n".join(lines))
    for node in ast.walk(module):  # the stand-in's own lines: the derivative's `def` line
        if hasattr(node, "lineno"):
            node.lineno = node.end_lineno = 1
            node.col_offset = node.end_col_offset = 0
    attempt = module.body[0].body[-1]
    attempt.body = body
    return compile(ast.fix_missing_locations(module), filename, "exec")


def _called(prefix, params, indent):
    return [f"{indent}try:",  # costs nothing unless it raises (Python 3.11+; a few ns before)
            f"{indent}    return {prefix}impl({params})",
            f"{indent}except Exception as {prefix}error:  # shown at the user's line too",
            f"{indent}    {prefix}at_user_line({prefix}error)",
            f"{indent}    raise"]


def _stale_test(prefix, test, indent):
    """Lines setting `stale` to `test`, or to True where it raises KeyError or ValueError."""
    return [f"{indent}try:",
            f"{indent}    {prefix}stale = {test}",
            f"{indent}except (KeyError, ValueError):  # a global deleted, a closure cell emptied",
            f"{indent}    {prefix}stale = True"]


def _inlined(impl, target):
    """(statements, namespace values, file name, name of the refusal converter or None) for
    running `impl`'s statements in the stand-in, or None where they cannot run there."""
    made = getattr(impl, "__srcad_inlinable__", None)
    if made is None or target.inner is not None:
        return None
    function, prefix = made.function, target.prefix
    code_ = function.__code__
    if code_.co_cellvars or any(isinstance(c, types.CodeType) for c in code_.co_consts):
        return None  # nested scopes (a lambda, a comprehension): they would need their own cells
    tree = next((node for node in ast.walk(ast.parse(made.compiled.text))
                 if isinstance(node, ast.FunctionDef) and node.name == code_.co_name), None)
    names = [p.name for p in target.params]
    if tree is None or _unusual(tree, names) or any(n.startswith(prefix) for n in code_.co_varnames):
        return None
    tag = f"{prefix}{next(_TAGS)}_"
    resolve = _Resolver(function, made.compiled.helpers, target.bindings, tag)
    body = tree.body
    _rename(body, set(code_.co_varnames), resolve)
    body = _seeds(tree, names, function, resolve) + body
    if resolve.failed:
        return None
    refused = None
    if made.transform is not None:
        refused = tag + "refused"
        resolve.values[refused] = _refuser(target, made.compiled, made.transform)
    return body, resolve.values, code_.co_filename, refused


def _unusual(tree, names):
    """Whether the derivative's signature or body keeps it from running in the stand-in."""
    args = tree.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        return True
    if [a.arg for a in args.args[:len(names)]] != names:
        return True
    return any(isinstance(node, (ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom, ast.Await))
               for node in ast.walk(tree))


def _seeds(tree, names, function, resolve):
    """Assignments of the parameters the derivative adds after f's (a seed) to their defaults."""
    extra = [a.arg for a in tree.args.args[len(names):]]
    if not extra:
        return []
    defaults = function.__defaults__ or ()
    if len(defaults) < len(extra):
        resolve.failed = True
        return []
    out = []
    for name_, default in zip(extra, defaults[len(defaults) - len(extra):]):
        resolve.values[resolve.tag + "seed_" + name_] = default
        out.append(ast.Assign(targets=[ast.Name(id=name_, ctx=ast.Store())],
                              value=ast.Name(id=resolve.tag + "seed_" + name_, ctx=ast.Load()),
                              lineno=1, col_offset=0, end_lineno=1, end_col_offset=0))
    return out


def _rename(body, local, resolve):
    """Replace the names `body` reads outside its frame (not in `local`) by what `resolve`
    makes of them, and a library module's attribute (`math.cos`) by the function itself: found
    first, then replaced, so that no replacement is looked at again."""
    places = []
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        for field, value in ast.iter_fields(node):
            items = enumerate(value) if isinstance(value, list) else [(None, value)]
            places += [(node, field, i, item) for i, item in items if _outside(item, local)]
    for node, field, index, read in places:
        if isinstance(read, ast.Attribute):
            new = resolve.attribute(read)
            if new is None:  # the module (or object) resolved alone, its attribute read live
                read.value = ast.copy_location(resolve(read.value.id), read.value)
                continue
        else:
            new = resolve(read.id)
        new = ast.copy_location(new, read)
        if index is None:
            setattr(node, field, new)
        else:
            getattr(node, field)[index] = new


def _outside(node, local):
    """Whether `node` reads a name from outside the derivative's frame (or an attribute of one)."""
    if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
        return isinstance(node.value, ast.Name) and node.value.id not in local
    return isinstance(node, ast.Name) and node.id not in local


class _Resolver:
    """What a name the derivative reads outside its frame becomes in the stand-in (see the
    module's docstring); `failed` once a name has no safe stand-in."""

    def __init__(self, function, helpers, bindings, tag):
        self.cells = dict(zip(function.__code__.co_freevars, function.__closure__ or ()))
        self.helpers, self.bindings, self.tag = helpers, bindings, tag
        self.globals = function.__globals__
        self.builtins = _builtins(function)
        self.values, self.failed = {}, False

    def __call__(self, name_):
        if name_ in self.cells:
            if name_ not in self.helpers:  # a closure cell of f: read live through the cell
                self.failed = True
            return self.constant(name_, self.cells[name_].cell_contents if not self.failed else None)
        binding = self.bindings.entries.get((DICT, id(self.globals), name_))
        if binding is None:
            self.failed = True
            return self.constant(name_, None)
        if binding.expected is MISSING:  # (not a builtin either: the NameError is the derivative's)
            self.failed = self.failed or name_ not in self.builtins
            return self.entry("builtins", self.builtins, name_)
        if binding.by_type:
            return self.entry("globals", self.globals, name_)
        return self.constant(name_, binding.expected)

    def attribute(self, node):
        """The function a library module's attribute is (`math.cos`: srcad takes the attributes
        of the libraries it has rules for never to be re-bound), or None: the name is resolved
        alone, the attribute read as the statement runs."""
        binding = self.bindings.entries.get((DICT, id(self.globals), node.value.id))
        if node.value.id in self.cells or binding is None or binding.by_type:
            return None
        module = binding.expected
        if not isinstance(module, types.ModuleType) or not is_library(module) \
                or not callable(getattr(module, node.attr, None)):
            return None
        return self.constant(f"{node.value.id}_{node.attr}", getattr(module, node.attr))

    def constant(self, name_, value):
        self.values[self.tag + "c_" + name_] = value
        return ast.Name(id=self.tag + "c_" + name_, ctx=ast.Load())

    def entry(self, holder_name, holder, name_):
        """`holder[name_]`, read as the statement runs."""
        self.values[self.tag + holder_name] = holder
        return ast.Subscript(value=ast.Name(id=self.tag + holder_name, ctx=ast.Load()),
                             slice=ast.Constant(value=name_), ctx=ast.Load())


def _refuser(target, compiled, transform):
    def refused(refusal):
        return target.refused(refusal, compiled, transform)
    return refused


def _builtins(function):
    """The builtins `function` reads: its `__builtins__` (Python 3.10+), or as Python 3.9
    finds them, from its globals."""
    found = getattr(function, "__builtins__", None)
    if found is None:
        found = function.__globals__.get("__builtins__", __builtins__)
    return vars(found) if isinstance(found, types.ModuleType) else found
