"""The registry of derivative rules: one table a domain, read here into `Rule`s.

A table entry is a one-expression lambda. The same lambda is called by the tape and the rule
tests; the transforms inline its body as a template. To find the body, a table module's own
source is parsed, once, the first time one of its templates is asked for (so the numpy tables
cost nothing to a function that uses only `math`), and its `VJP`/`JVP` dict literal is matched
key by key. A one-operand elementwise function's rule is one entry of the module's
`ELEMENTWISE` dict, which both tables take in whole: its forward template is made from the
reverse one (elementwise.py).
"""
import functools
import inspect
from dataclasses import dataclass

import gast

from . import linalg_rules, math_rules, numpy_rules, operators, runtime_rules
from .elementwise import tangent_form

try:  # scipy is optional: without it, its table is simply absent
    from . import scipy_rules
except ModuleNotFoundError as missing:
    if missing.name != "scipy":
        raise
    scipy_rules = None

DOMAINS = (operators, math_rules, numpy_rules, linalg_rules, runtime_rules) + ((scipy_rules,) if scipy_rules else ())


@dataclass
class Rule:
    fn: object             # the lambda itself
    module: object         # the table module it stands in (None: a custom rule, called not inlined)
    table: str             # "VJP" or "JVP"
    key: object            # its key in that table
    broadcasts: bool       # operands may broadcast: cotangents are summed back to their shape
    owner: object = None   # for a custom rule, its function

    @property
    def template(self):
        """The lambda's tree, inlined by the transforms (None for a custom rule)."""
        if self.module is None:
            return None
        return _table_trees(self.module.__name__)[self.table][_key(self.key)]

    @property
    def namespace(self):
        """The globals the template's names denote."""
        return vars(self.module) if self.module is not None else None

    @property
    def params(self):
        return [a.id for a in self.template.args.args]

    @property
    def custom(self):
        return self.module is None


class Registry:
    """Rules by key (a gast operator class or a function object), for both modes."""

    def __init__(self):
        self.vjp = {}
        self.jvp = {}
        self.no_derivative = set()
        self.methods = {}      # method name -> function: x.sum(axis=0) is np.sum(x, axis=0)
        self.attributes = {}   # attribute name -> function: x.T is np.transpose(x)
        self.custom_vjp = {}
        self.custom_jvp = {}
        self.generation = object()  # a new object at each registration: derivatives made
        for module in DOMAINS:      # before it depend on the old one (see depends.py)
            self._read(module)

    def _read(self, module):
        broadcasting = getattr(module, "BROADCASTING", set())
        for table_name, table in (("VJP", self.vjp), ("JVP", self.jvp)):
            for key, fn in getattr(module, table_name, {}).items():
                table[_key(key)] = Rule(fn, module, table_name, key, key in broadcasting)
        self.no_derivative |= {_key(k) for k in getattr(module, "NO_DERIVATIVE", ())}
        self.methods.update(getattr(module, "METHODS", {}))
        self.attributes.update(getattr(module, "ATTRIBUTES", {}))

    def reverse_rule(self, key):
        """The rule for `key`: one registered with defvjp (called), else the table's (inlined)."""
        k = _key(key)
        return self.custom_vjp.get(k) or self.vjp.get(k)

    def forward_rule(self, key):
        k = _key(key)
        return self.custom_jvp.get(k) or self.jvp.get(k)

    def register(self, func, vjp=None, jvp=None):
        """Custom rules for `func` (see srcad.defvjp): kept with `func` so its id stays its own.
        Derivatives made before depend on the rules they found, so the generation changes."""
        self.generation = object()
        self._add(func, vjp, jvp)

    def register_first(self, func, vjp=None, jvp=None):
        """Rules for `func` in the modes where it has none, for a function that no derivative
        made so far can have met without its rules: derivatives made before stay current (the
        generation stays). A gradient srcad made is one: analysis gives it its rules as soon
        as it meets a call of it (made.py). A mode that has a rule keeps it."""
        self._add(func, vjp if self.reverse_rule(func) is None else None,
                  jvp if self.forward_rule(func) is None else None)

    def _add(self, func, vjp, jvp):
        k = _key(func)
        if vjp is not None:
            self.custom_vjp[k] = Rule(vjp, None, "VJP", func, False, owner=func)
        if jvp is not None:
            self.custom_jvp[k] = Rule(jvp, None, "JVP", func, False, owner=func)

    def has_no_derivative(self, key):
        try:
            return _key(key) in self.no_derivative
        except TypeError:
            return False

    def knows(self, key):
        """Whether `key` has any entry: a rule of either mode, or no derivative at all."""
        try:
            k = _key(key)
        except TypeError:
            return False
        return k in self.vjp or k in self.jvp or k in self.no_derivative or k in self.custom_vjp \
            or k in self.custom_jvp

    def covers(self, key):
        """Whether srcad's own tables cover `key`, with no rule of a user's over them (a user's
        `defvjp` rule may return anything)."""
        try:
            k = _key(key)
        except TypeError:
            return False
        return (k in self.vjp or k in self.jvp or k in self.no_derivative) \
            and k not in self.custom_vjp and k not in self.custom_jvp


def _key(obj):
    # Functions are keyed by identity (np.abs is np.absolute); hashing a numpy ufunc is cheap.
    return obj if isinstance(obj, type) else id(obj)


class _Trees(dict):
    """A table's lambdas by key, turned into gast trees one by one as they are asked for."""

    def __missing__(self, key):
        raise KeyError(key)

    def __getitem__(self, key):
        node = dict.__getitem__(self, key)
        if isinstance(node, _Tangent):
            node = tangent_form(node.reverse)
            self[key] = node
        elif type(node).__module__ == "ast":  # not yet a gast tree
            node = gast.ast_to_gast(node)
            self[key] = node
        return node


@dataclass
class _Tangent:
    """The forward template of an `ELEMENTWISE` entry, to be made from its reverse one."""
    reverse: object  # the entry's lambda, an `ast` tree


@functools.lru_cache(maxsize=None)
def _table_trees(module_name):
    """The lambda nodes of a table module's VJP and JVP dict literals, by the key each stands
    under (`**ELEMENTWISE` in them: each entry of that dict literal, which comes first): the
    module is parsed once (by the fast `ast`), on first use."""
    import ast
    import sys
    module = sys.modules[module_name]
    tree = ast.parse(inspect.getsource(module))
    namespace = vars(module)
    elementwise = {}
    found = {"VJP": _Trees(), "JVP": _Trees(), "ELEMENTWISE": elementwise}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Dict)):
            continue
        name = stmt.targets[0].id
        if name not in found:
            continue
        for key_node, value in zip(stmt.value.keys, stmt.value.values):
            if key_node is None:  # **ELEMENTWISE: the reverse rules as they are, and their tangent forms
                if not (isinstance(value, ast.Name) and value.id == "ELEMENTWISE" and elementwise):
                    raise ValueError(f"{module_name}: a rule table takes in no dict but ELEMENTWISE, "
                                     "written before it")
                for key, node in elementwise.items():
                    found[name][key] = node if name == "VJP" else _Tangent(node)
                continue
            key = eval(compile(ast.Expression(body=key_node), "<rule key>", "eval"), namespace)
            if not isinstance(value, ast.Lambda):  # made by linear() (linear.py): its own text
                value = ast.parse(namespace[name][key].template_text, mode="eval").body
            found[name][_key(key)] = value
    del found["ELEMENTWISE"]
    return found


REGISTRY = None


def registry():
    """The one registry, built on first use."""
    global REGISTRY
    if REGISTRY is None:
        REGISTRY = Registry()
    return REGISTRY
