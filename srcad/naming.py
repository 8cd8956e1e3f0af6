"""Names in generated code: temporaries, adjoints, versions, and references to outside objects.

Every name is chosen deterministically (a numeric suffix on a clash, never a random one), so the
same function always gives byte-identical text. `Names` knows every name the user's function
uses; `Namespace` decides how generated code refers to an object (a module, a rule's helper):
through a global the user already has, or through one srcad supplies (`helpers`).
"""
import builtins
import keyword
import re

import gast


class Names:
    """Fresh, readable names that never collide with the user's or with each other."""

    def __init__(self, taken):
        self.taken = set(taken)
        self.temps = 0

    def copy(self):
        other = Names(self.taken)
        other.temps = self.temps
        return other

    def fresh(self, base):
        """`base` itself if free, else `base_2`, `base_3`, ..."""
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = 2
        while f"{base}_{n}" in self.taken:
            n += 1
        name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def temp(self):
        """The next `t1`, `t2`, ... not used by the user."""
        while True:
            self.temps += 1
            name = f"t{self.temps}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def version(self, name):
        """A new name for a redefinition of `name` (`x` -> `x_2`)."""
        return self.fresh(name)

    def adjoint(self, name):
        """The adjoint's name: `bx` for `x` (Tangent's spelling of Griewank's bar)."""
        return self.fresh("b" + name)

    def tangent(self, name):
        """The tangent's name: `dx` for `x`."""
        return self.fresh("d" + name)


class Namespace:
    """How generated code names an outside object: a user global where one is bound to it, else
    a helper name srcad passes in. `helpers` maps those names to their objects. `depend_on(name)`
    is told each user name chosen: the generated code reads it, so it must stay bound so."""

    def __init__(self, names, user_globals, user_locals, depend_on=None):
        self.names = names
        self.user_globals = user_globals
        self.user_locals = set(user_locals)
        self.depend_on = depend_on or (lambda name_: None)
        self.helpers = {}
        self.known = {}
        self.objects = {}

    def refer(self, obj, preferred):
        """A gast expression for `obj` in generated code; `preferred` is its usual name."""
        key = id(obj)
        if key not in self.known:
            self.known[key] = self._choose(obj, preferred)
            self.objects[key] = obj
        return gast.Name(id=self.known[key], ctx=gast.Load(), annotation=None, type_comment=None)

    def known_object(self, name_):
        """The object generated code's name `name_` was chosen for, if any."""
        for key, chosen in self.known.items():
            if chosen == name_:
                return self.objects[key]
        return None

    def refer_function(self, obj):
        """A gast expression for a library function: `np.sum`, `math.cos`, else a helper name."""
        name_ = getattr(obj, "__name__", None)
        for module, alias in _module_aliases():
            if name_ and getattr(module, name_, None) is obj:
                head, *rest = alias.split(".")
                expr = self.refer(module if not rest else _root(module), head)
                for part in rest + [name_]:
                    expr = gast.Attribute(value=expr, attr=part, ctx=gast.Load())
                return expr
        return self.refer(obj, name_ or "fn")

    def _choose(self, obj, preferred):
        preferred = _identifier(preferred)
        if preferred not in self.user_locals:
            if self.user_globals.get(preferred, _MISSING) is obj or preferred not in self.user_globals \
                    and getattr(builtins, preferred, _MISSING) is obj:
                self.depend_on(preferred)
                return preferred
        for name, value in self.user_globals.items():
            if value is obj and name not in self.user_locals and not name.startswith("__"):
                self.depend_on(name)
                return name
        name = self.names.fresh(preferred)
        self.helpers[name] = obj
        return name


_MISSING = object()


def _identifier(text):
    """`text` made a Python identifier: a lambda's `<lambda>_fwd` is `lambda_fwd`."""
    text = re.sub(r"\W+", "", text)
    return text if text.isidentifier() and not keyword.iskeyword(text) else "fn_" + text


def _module_aliases():
    import math

    import numpy
    return ((numpy, "np"), (math, "math"), (numpy.linalg, "np.linalg"))


def _root(module):
    import sys
    return sys.modules[module.__name__.split(".")[0]]

