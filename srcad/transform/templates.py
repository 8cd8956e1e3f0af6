"""Inline a rule's lambda body as an expression of generated code.

`inline(rule, values, namespace)` substitutes each lambda parameter by the expression given for
it (or by its default), names every module or helper the body uses the way generated code can
see it (`namespace.refer`), and folds calls and attributes whose operands are all constants
(`math.log(2.0)` becomes its value), so that the printed derivative stays short.
"""
import functools
import inspect
import math

import gast

from .. import gastutil as g
from .. import runtime
from ..errors import Unsupported


def inline(rule, values, namespace):
    """The rule's body with parameters replaced by `values` (param name -> expression).
    A tuple body gives a list of expressions (None where the rule says no derivative)."""
    defaults = _defaults(rule)
    params = set(rule.params) | {a.id for a in rule.template.args.kwonlyargs}  # and keyword-only ones
    body = _Substitute(values, defaults, params, rule.namespace, namespace).instance(rule.template.body)
    if isinstance(body, gast.Tuple):
        return [None if _is_none(e) else e for e in body.elts]
    return body


def refuse_no_rule(term, namespace, stmt):
    """Refuse `stmt` where the differentiated `term` of a rule is `_rt.no_rule_for(d, name,
    param)`: the function has no derivative rule with respect to that argument."""
    for node in g.walk(term):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and node.func.attr == "no_rule_for" and isinstance(node.func.value, gast.Name) \
                and namespace.known_object(node.func.value.id) is runtime:
            name_, param = (a.value for a in node.args[1:3])
            raise Unsupported(stmt, f"cannot differentiate {name_} with respect to its argument {param}: "
                                    "it has no closed-form derivative there, and srcad no rule",
                              f"Leave the argument {param} out of what is differentiated (a constant), "
                              f"or register a rule with srcad.defvjp({name_}, rule)")


def bind(rule, n_leading, args, keywords):
    """Map a call's argument expressions to the rule's parameter names after the first
    `n_leading` (`g, ans`); raises TypeError when the call does not fit the rule."""
    try:
        signature = _known_after_leading(rule.fn, n_leading)
    except TypeError:  # a rule that is no hashable function
        signature = _after_leading(rule.fn, n_leading)
    return dict(signature.bind(*args, **keywords).arguments)


def _after_leading(fn, n_leading):
    """The signature of the rule `fn` without its first `n_leading` parameters."""
    return inspect.Signature(list(inspect.signature(fn).parameters.values())[n_leading:])


# asked once per call differentiated, and inspect.signature is slow
_known_after_leading = functools.lru_cache(maxsize=1024)(_after_leading)


def _defaults(rule):
    fn = rule.fn
    code = getattr(fn, "__code__", None)
    if code is not None and not getattr(fn, "__kwdefaults__", None) \
            and not hasattr(fn, "__wrapped__") and not hasattr(fn, "__signature__"):
        # a plain lambda, as the tables' rules are: what inspect.signature reports, at a
        # hundredth of its cost (it is asked once per statement differentiated)
        names = code.co_varnames[:code.co_argcount]
        values = fn.__defaults__ or ()
        return dict(zip(names[len(names) - len(values):], values))
    sig = inspect.signature(rule.fn)
    return {name: p.default for name, p in sig.parameters.items()
            if p.default is not inspect.Parameter.empty}


def _is_none(expr):
    return isinstance(expr, gast.Constant) and expr.value is None


class _Substitute:
    """Makes a rule template's instance: a copy of its body (as `g.clone` makes it), with the
    substitutions and folds below, in one pass (inlining runs once per statement
    differentiated; copying the template and then transforming the copy took twice as long)."""

    def __init__(self, values, defaults, params, rule_namespace, namespace):
        self.values = values
        self.defaults = defaults
        self.params = params
        self.rule_namespace = rule_namespace
        self.namespace = namespace

    def instance(self, node):
        """The instance of the template expression `node` (recursive: templates are one-line
        lambda bodies, a few levels deep)."""
        kind = type(node)
        if kind is gast.Name:
            return self.visit_Name(node)
        if kind is gast.Attribute:
            value = self._constant_attribute(node)
            if value is not None:
                return g.const(value)
        made = kind.__new__(kind)
        made.__dict__.update(node.__dict__)
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                setattr(made, field, [self._child(v) for v in value])
            elif isinstance(value, gast.AST):
                setattr(made, field, self._child(value))
        return self.folded(made) if kind is gast.Call else made

    def _child(self, node):
        if isinstance(node, g.LEAVES) or not isinstance(node, gast.AST):
            return node  # contexts and operators are shared, as clone shares them
        return self.instance(node)

    def visit_Name(self, node):
        if node.id in self.params:
            if node.id in self.values:
                return g.clone(self.values[node.id])
            return g.const(self.defaults[node.id])
        obj = self.rule_namespace.get(node.id, None)
        if obj is None:
            import builtins
            obj = getattr(builtins, node.id)
        return self.namespace.refer(obj, node.id)

    def folded(self, node):
        """A call of a `math` function on number constants, as its value."""
        fn = self._library_function(node.func)
        if fn is not None and not node.keywords and node.args \
                and all(isinstance(a, gast.Constant) and type(a.value) in (int, float) for a in node.args):
            try:
                return g.const(fn(*[a.value for a in node.args]))
            except (ValueError, OverflowError, ZeroDivisionError):
                return node
        return node

    def _constant_attribute(self, node):
        """`math.pi`, `_rt.TWO_OVER_SQRT_PI`: module constants become their values."""
        if isinstance(node.value, gast.Name) and node.value.id not in self.params:
            module = self.rule_namespace.get(node.value.id)
            value = getattr(module, node.attr, None) if inspect.ismodule(module) else None
            if type(value) is float:
                return value
        return None

    def _library_function(self, func):
        """The `math` function a template call names, if it is one (only those fold)."""
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            if self.namespace.known_object(func.value.id) is math:
                return getattr(math, func.attr, None)
        return None
