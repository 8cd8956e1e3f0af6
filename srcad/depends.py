"""What a compiled derivative depends on: the objects its names denoted when it was made.

A derivative is compiled from what the names of f, and of every helper whose derivative it
calls or whose result it analysed, denoted at that moment: the helpers, the globals and
closure values read, module attributes (`H.act`), the helpers' own code, the registry of
custom rules. Each lookup is kept as a `Binding` (where it was looked up, and what was found
there), and the derivative is current while every binding still holds. `Bindings.guard`
writes that test as one Python expression of identity tests, which the dispatcher
(api.py) evaluates on every call; the cache (cache.py) evaluates it in Python.

A number or an array is bound by its type, not by identity: the generated code reads its
value when it runs, and only its kind shaped the derivative (so `c = 3.0` after `c = 2.0`
costs nothing, `c = np.ones(2)` recompiles). What is not recorded, by design: attributes of
the libraries srcad has rules for (`np.sin`, `math.log` are taken never to be re-bound).
"""
import functools
import os
import sysconfig
import types

import numpy as np

LIBRARIES = {"numpy", "scipy", "math", "builtins", "srcad", "autograd", "jax", "torch"}

MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING"})()  # a name bound to nothing
_NEVER = type("Never", (), {"__repr__": lambda self: "NEVER"})()  # seen as two different objects

# how a binding reads its holder now: a dict entry, a cell, a function's code, a free variable
# of the function the derivative is bound to (`free`, an index into its closure), or the rule
# registry's generation (`rules`: a dict entry too, but one that announces its changes: a
# user's registration clears the cache and every transformation's specialisations, see
# cache.py, so the dispatcher need not test it on every call; the rules of a gradient srcad
# made leave it as it is, see made.py)
DICT, CELL, CODE, FREE, RULES = "dict", "cell", "code", "free", "rules"


class Binding:
    """`holder[name]` (read as `how` says) was `expected`; `by_type`: only its type matters."""

    __slots__ = ("how", "holder", "name", "expected", "by_type")

    def __init__(self, how, holder, name, expected, by_type):
        self.how, self.holder, self.name = how, holder, name
        self.expected, self.by_type = expected, by_type

    def key(self):
        return (self.how, id(self.holder), self.name)

    def current(self, fn=None):
        """What the holder holds now (`fn`: the function whose closure a FREE binding reads)."""
        if self.how in (DICT, RULES):
            return self.holder.get(self.name, MISSING)
        if self.how == CODE:
            return self.holder.__code__
        cell = self.holder if self.how == CELL else fn.__closure__[self.name]
        try:
            return cell.cell_contents
        except ValueError:  # an empty cell
            return MISSING

    def holds(self, fn=None):
        now = self.current(fn)
        return (type(now) is self.expected) if self.by_type else now is self.expected

    def made_concrete(self, fn):
        """This binding with a FREE holder read as `fn`'s own closure cell."""
        if self.how != FREE:
            return self
        return Binding(CELL, fn.__closure__[self.name], None, self.expected, self.by_type)

    def test(self, holder, expected, prefix):
        """Python text that is true when the binding no longer holds (or that raises KeyError
        or ValueError: a name deleted, a cell emptied); `holder` and `expected` are the names
        under which the guard's namespace has them, `prefix` that of its own."""
        if self.how == DICT and self.expected is MISSING:
            return f"{self.name!r} in {holder}"
        if self.how == DICT:
            now = f"{holder}[{self.name!r}]"   # a subscript: faster than .get by a third
        elif self.how == CODE:
            now = f"{holder}.__code__"
        else:
            now = f"{holder}.cell_contents"
        return f"{prefix + 'type(' + now + ')' if self.by_type else now} is not {expected}"


class Bindings:
    """The bindings one derivative (or one transformation's specialisations) depends on."""

    def __init__(self):
        self.entries = {}   # Binding.key() -> Binding

    def __len__(self):
        return len(self.entries)

    def add(self, binding):
        """Keep `binding`; whether that changed anything."""
        old = self.entries.get(binding.key())
        if old is None:
            self.entries[binding.key()] = binding
            return True
        if old.expected is not binding.expected or old.by_type != binding.by_type:
            joined = _joined(old, binding)
            self.entries[binding.key()] = joined
            return joined is not old
        return False

    def name(self, namespace, name_, value, exact=False):
        """`name_` looked up in the dict `namespace` (module globals, a module's attributes)
        gave `value` (MISSING: it was not there)."""
        self.add(_binding(DICT, namespace, name_, value, exact))

    def cell(self, cell, value, exact=False):
        self.add(_binding(CELL, cell, None, value, exact))

    def rules(self, registry):
        """The rules in `registry` (those registered later may replace the ones used)."""
        self.add(Binding(RULES, vars(registry), "generation", registry.generation, False))

    def code(self, fn):
        """A user function's code: IPython's autoreload replaces it in place."""
        self.add(Binding(CODE, fn, "__code__", fn.__code__, False))

    def merge(self, other, fn):
        """Add `other`'s bindings, made for `fn` (its FREE ones become `fn`'s cells); whether
        that changed anything."""
        changed = [self.add(binding.made_concrete(fn)) for binding in list(other.entries.values())]
        return any(changed)

    def relative_to(self, fn):
        """The bindings, those of `fn`'s own closure cells as FREE ones: another closure with
        the same code and the same captured objects may then share the derivative."""
        cells = {id(c): i for i, c in enumerate(fn.__closure__ or ())}
        out = Bindings()
        for binding in self.entries.values():
            if binding.how == CELL and id(binding.holder) in cells:
                binding = Binding(FREE, None, cells[id(binding.holder)], binding.expected,
                                  binding.by_type)
            out.entries[binding.key()] = binding
        return out

    def hold(self, fn=None):
        """Whether every binding still holds (FREE ones read in `fn`'s closure)."""
        return all(b.holds(fn) for b in self.entries.values())

    def changed_test(self):
        """The guard compiled alone: a function of no arguments, true when some binding no
        longer holds (jvp and the Jacobians run it on every call, as the stand-in its guard)."""
        guard, values = self.guard("_")
        if not guard:
            return lambda: False
        exec(f"def changed():\n    try:\n        return {guard}\n"
             f"    except (KeyError, ValueError):  # a name deleted, a cell emptied\n"
             f"        return True\n", values)
        return values["changed"]

    def guard(self, prefix):
        """(text, values): a Python expression, true when some binding no longer holds (or
        raising KeyError or ValueError), over the names in `values`, each starting with `prefix`
        (so they differ from the names of the code it is put in): holders `h0, h1, ...`,
        expected objects `v0, v1, ...`. The registry's binding is left out (see RULES)."""
        tests, values = [], {prefix + "type": type}
        for i, binding in enumerate(b for b in self.entries.values() if b.how != RULES):
            holder, expected = f"{prefix}h{i}", f"{prefix}v{i}"
            values[holder], values[expected] = binding.holder, binding.expected
            tests.append(binding.test(holder, expected, prefix))
        return " or ".join(tests), values


def _binding(how, holder, name_, value, exact):
    by_type = not exact and _is_data(value)
    return Binding(how, holder, name_, type(value) if by_type else value, by_type)


def _is_data(value):
    """A number or an array: generated code reads its value; only its kind shaped the code."""
    return type(value) in (float, int, bool, complex) or isinstance(value, (np.ndarray, np.generic))


def _joined(old, new):
    """One binding for a place seen twice in one derivation: the stricter, or one that never
    holds when the two saw different objects (the place changed while it was compiled)."""
    if old.by_type and not new.by_type and type(new.expected) is old.expected:
        return new
    if new.by_type and not old.by_type and type(old.expected) is new.expected:
        return old
    return Binding(old.how, old.holder, old.name, _NEVER, False)


class Identity:
    """A key part that is equal only to itself (code objects compare by value: two functions
    with the same text in different modules would otherwise share a derivative)."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, Identity) and other.obj is self.obj


def is_library(obj):
    """Whether `obj` (a module or a function) is library code: a library srcad has rules for,
    or any module of Python's own (the standard library) or installed into site-packages.
    srcad never transforms a library's source: a call into one needs a rule."""
    name_ = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", None)
    if (name_ or "").split(".")[0] in LIBRARIES:
        return True
    code = getattr(obj, "__code__", None)
    path = code.co_filename if code is not None else getattr(obj, "__file__", None)
    return isinstance(path, str) and _installed(path)


@functools.lru_cache(maxsize=None)
def _installed(path):
    """Whether the file `path` lies where Python keeps its standard library or installed
    packages (an editable install keeps its source elsewhere: it is the user's code)."""
    real = os.path.realpath(path)
    return any(real.startswith(root) for root in _library_roots()) \
        or any(part in ("site-packages", "dist-packages") for part in real.split(os.sep))


@functools.lru_cache(maxsize=None)
def _library_roots():
    paths = sysconfig.get_paths()
    roots = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)}
    return tuple(os.path.join(os.path.realpath(r), "") for r in roots)
