"""The registry of derivative rules: one table a domain, read here into `Rule`s.

A table entry is a one-expression lambda. The same lambda is called by the tape and the rule
tests; the transforms inline its body as a template. To find the body, each table module's own
source is parsed once and its `VJP`/`JVP` dict literal matched key by key.
"""
import inspect
from dataclasses import dataclass

import gast

from . import math_rules, numpy_rules, operators, runtime_rules

try:  # scipy is optional: without it, its table is simply absent
    from . import scipy_rules
except ModuleNotFoundError as missing:
    if missing.name != "scipy":
        raise
    scipy_rules = None

DOMAINS = (operators, math_rules, numpy_rules, runtime_rules) + ((scipy_rules,) if scipy_rules else ())


@dataclass
class Rule:
    fn: object             # the lambda itself
    template: gast.Lambda  # its tree, inlined by the transforms
    namespace: dict        # the globals its names denote
    broadcasts: bool       # operands may broadcast: cotangents are summed back to their shape
    owner: object = None   # for a custom rule (no template: called, not inlined), its function

    @property
    def params(self):
        return [a.id for a in self.template.args.args]

    @property
    def custom(self):
        return self.template is None


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
        for module in DOMAINS:
            self._read(module)

    def _read(self, module):
        trees = _table_trees(module)
        broadcasting = getattr(module, "BROADCASTING", set())
        for table_name, table in (("VJP", self.vjp), ("JVP", self.jvp)):
            for key, fn in getattr(module, table_name, {}).items():
                template = trees[table_name][_key(key)]
                table[_key(key)] = Rule(fn, template, vars(module), key in broadcasting)
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
        """Custom rules for `func` (see srcad.defvjp): kept with `func` so its id stays its own."""
        k = _key(func)
        if vjp is not None:
            self.custom_vjp[k] = Rule(vjp, None, None, False, owner=func)
        if jvp is not None:
            self.custom_jvp[k] = Rule(jvp, None, None, False, owner=func)

    def has_no_derivative(self, key):
        try:
            return _key(key) in self.no_derivative
        except TypeError:
            return False

    def knows(self, key):
        """Whether `key` has any entry: a rule either way, or no derivative at all."""
        try:
            k = _key(key)
        except TypeError:
            return False
        return k in self.vjp or k in self.no_derivative or k in self.custom_vjp or k in self.custom_jvp


def _key(obj):
    # Functions are keyed by identity (np.abs is np.absolute); hashing a numpy ufunc is cheap.
    return obj if isinstance(obj, type) else id(obj)


def _table_trees(module):
    """The lambda nodes of `module`'s VJP and JVP dict literals, by the key each stands under."""
    tree = gast.parse(inspect.getsource(module))
    namespace = vars(module)
    found = {"VJP": {}, "JVP": {}}
    for stmt in tree.body:
        if not (isinstance(stmt, gast.Assign) and isinstance(stmt.value, gast.Dict)):
            continue
        name = stmt.targets[0].id
        if name not in found:
            continue
        for key_node, value in zip(stmt.value.keys, stmt.value.values):
            key = eval(compile(gast.gast_to_ast(gast.Expression(body=key_node)), "<rule key>",
                               "eval"), namespace)
            found[name][_key(key)] = value
    return found


REGISTRY = None


def registry():
    """The one registry, built on first use."""
    global REGISTRY
    if REGISTRY is None:
        REGISTRY = Registry()
    return REGISTRY
