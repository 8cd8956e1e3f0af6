"""Forward rules of runtime helpers that are linear in some of their arguments, written once.

The tangent of a helper linear in arguments `i, j, ...` (jointly: `add_at(b, a, index, g)` in
`b` and `g`) is the helper applied to their tangents, the other arguments as they are:
`linear(_rt.unbroadcast, 0)` is `lambda dg, dx, ans, g, x: _rt.unbroadcast(dg, x)`. A helper
linear in each of two arguments separately (`matmul_left(g, a, b)` in `g` and in `b`) has the
product rule's two terms: `bilinear(_rt.matmul_left, 0, 2)`. The rule is that lambda, made from
the helper's signature; its text is kept (`template_text`) for the transforms, which inline it
as they inline a table's own lambdas (rules/__init__.py).

A numpy function linear in its first argument (`np.sum`, `np.transpose`, `np.tile`, ...) has
the forward rule `tangent_applied(np.sum, VJP, "axis=", "keepdims=")`: the function applied to
that argument's tangent and to the arguments named (`axis=`: passed by keyword), which is
`lambda da, ans, a, axis=None, dtype=None, out=None, keepdims=False: np.sum(da, axis=axis,
keepdims=keepdims)`. Its parameters are those of the function's reverse rule in `VJP`, so that
the two modes accept the same calls (a parameter neither knows, such as `np.diff`'s `prepend`,
is refused in both).
"""
import inspect

import numpy as np

from .. import runtime


def linear(helper, *positions):
    """The forward rule of `helper`, jointly linear in the arguments at `positions`."""
    return _rule(helper, [positions])


def bilinear(helper, first, second):
    """The forward rule of `helper`, linear in the argument at `first` and, separately, in the
    one at `second`."""
    return _rule(helper, [(first,), (second,)])


def tangent_applied(function, reverse_rules, *passed):
    """The forward rule of the numpy `function`, linear in its first parameter, whose reverse
    rule is `reverse_rules[function]`: `function` applied to the first parameter's tangent, then
    to the parameters named in `passed`, as they are (`"axis="`: by keyword)."""
    return _numpy_rule(function, reverse_rules, 1, passed)


def tangent_product(function, reverse_rules, *passed):
    """The forward rule of the numpy `function`, linear in each of its first two parameters
    separately (`np.dot`): the product rule's two terms, `np.dot(da, b) + np.dot(a, db)`."""
    return _numpy_rule(function, reverse_rules, 2, passed)


def _numpy_rule(function, reverse_rules, operands, passed):
    params = list(inspect.signature(reverse_rules[function]).parameters.values())[2:]  # after g, ans
    if any(p.kind is p.KEYWORD_ONLY for p in params):
        raise ValueError(f"{function.__name__}: a rule with keyword-only parameters is written out")
    names = [p.name for p in params[:operands]]
    rest = [f"{name[:-1]}={name[:-1]}" if name.endswith("=") else name for name in passed]
    terms = [f"np.{function.__name__}({', '.join(['d' + n if i == term else n for i, n in enumerate(names)] + rest)})"
             for term in range(operands)]
    tangents = ", ".join("d" + n for n in names)
    return _made(f"lambda {tangents}, ans, {', '.join(_spelled(p) for p in params)}: {' + '.join(terms)}")


def _spelled(param):
    """A lambda parameter as written: `x`, or `axis=None`."""
    return param.name if param.default is param.empty else f"{param.name}={param.default!r}"


def _made(text):
    rule = eval(text, {"_rt": runtime, "np": np})  # noqa: S307 - text made here from a signature
    rule.template_text = text
    return rule


def _rule(helper, terms):
    params = list(inspect.signature(helper).parameters.values())
    names = [p.name for p in params]
    spelled = [_spelled(p) for p in params]
    calls = [f"_rt.{helper.__name__}({', '.join('d' + n if i in term else n for i, n in enumerate(names))})"
             for term in terms]
    text = f"lambda {', '.join('d' + n for n in names)}, ans, {', '.join(spelled)}: {' + '.join(calls)}"
    return _made(text)
