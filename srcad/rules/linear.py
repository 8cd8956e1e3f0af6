"""Forward rules of runtime helpers that are linear in some of their arguments, written once.

The tangent of a helper linear in arguments `i, j, ...` (jointly: `add_at(b, a, index, g)` in
`b` and `g`) is the helper applied to their tangents, the other arguments as they are:
`linear(_rt.unbroadcast, 0)` is `lambda dg, dx, ans, g, x: _rt.unbroadcast(dg, x)`. A helper
linear in each of two arguments separately (`matmul_left(g, a, b)` in `g` and in `b`) has the
product rule's two terms: `bilinear(_rt.matmul_left, 0, 2)`. The rule is that lambda, made from
the helper's signature; its text is kept (`template_text`) for the transforms, which inline it
as they inline a table's own lambdas (rules/__init__.py).
"""
import inspect

from .. import runtime


def linear(helper, *positions):
    """The forward rule of `helper`, jointly linear in the arguments at `positions`."""
    return _rule(helper, [positions])


def bilinear(helper, first, second):
    """The forward rule of `helper`, linear in the argument at `first` and, separately, in the
    one at `second`."""
    return _rule(helper, [(first,), (second,)])


def _rule(helper, terms):
    params = list(inspect.signature(helper).parameters.values())
    names = [p.name for p in params]
    spelled = [p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in params]
    calls = [f"_rt.{helper.__name__}({', '.join('d' + n if i in term else n for i, n in enumerate(names))})"
             for term in terms]
    text = f"lambda {', '.join('d' + n for n in names)}, ans, {', '.join(spelled)}: {' + '.join(calls)}"
    rule = eval(text, {"_rt": runtime})  # noqa: S307 - text made above from a signature
    rule.template_text = text
    return rule
