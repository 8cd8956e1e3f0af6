"""Library callables as Python functions srcad can read: a generated one-line `def` per callable.

`srcad.grad(np.tanh)` differentiates

    def tanh(x):
        return np.tanh(x)

which srcad reads like any user function (its text is registered in `linecache` under the file
name `<srcad-library np.tanh>`), so the callable's derivative rules are used in every mode and
order, and a callable with no rule is refused as a call in user code is. The parameters are the
callable's required positional ones (a ufunc's `x` or `x1, x2`); optional ones (`axis`, ...)
need a lambda: `srcad.grad(lambda x: np.sum(x, axis=0) @ w)`.

`operator` functions become their operator (`def mul(a, b): return a * b`), and the
`logpdf`/`pdf` of scipy.stats distributions (norm, t, gamma, beta, dirichlet,
multivariate_normal) and the `cdf` of norm, t, gamma and beta their formula in numpy and
scipy.special (`STATS`), for the same reason: the cdfs through stdtr, gammainc and betainc,
whose derivatives in the shape parameters (df, a, b) srcad has no rule for (refused).
"""
import inspect
import linecache
import math
import sys
import types

import numpy as np

from .depends import is_library
from .errors import SrcadError

# operator's functions, written as the operators they are
OPERATORS = {
    "add": ("a, b", "a + b"), "sub": ("a, b", "a - b"), "mul": ("a, b", "a * b"),
    "truediv": ("a, b", "a / b"), "pow": ("a, b", "a ** b"), "matmul": ("a, b", "a @ b"),
    "mod": ("a, b", "a % b"), "neg": ("a", "-a"), "pos": ("a", "+a"), "abs": ("a", "abs(a)"),
}

# math functions inspect cannot read the signature of
MATH_PARAMS = {"log": "x", "hypot": "x, y", "atan2": "y, x", "pow": "x, y", "copysign": "x, y"}

_NORM_LOGPDF = "-0.5 * z * z - np.log(scale) - 0.5 * math.log(2.0 * math.pi)"
_T_LOGPDF = ("scipy.special.gammaln((df + 1.0) / 2.0) - scipy.special.gammaln(df / 2.0) "
             "- 0.5 * np.log(df * math.pi) - (df + 1.0) / 2.0 * np.log1p(z * z / df) - np.log(scale)")
_GAMMA_LOGPDF = "scipy.special.xlogy(a - 1.0, z) - z - scipy.special.gammaln(a) - np.log(scale)"
_BETA_LOGPDF = ("scipy.special.xlogy(a - 1.0, z) + (b - 1.0) * np.log1p(-z) - scipy.special.gammaln(a) "
                "- scipy.special.gammaln(b) + scipy.special.gammaln(a + b) - np.log(scale)")
_DIRICHLET_LOGPDF = ("np.sum(scipy.special.xlogy(alpha - 1.0, x)) + scipy.special.gammaln(np.sum(alpha)) "
                     "- np.sum(scipy.special.gammaln(alpha))")
_MVN_LOGPDF = ("-0.5 * (d @ np.linalg.solve(cov, d)) - 0.5 * np.linalg.slogdet(cov)[1] "
               "- 0.5 * np.size(d) * math.log(2.0 * math.pi)")
_Z = "z = (x - loc) / scale"


def _in_support(inside, density):
    """Statements returning `density` where `inside` holds and -inf elsewhere: by a branch for
    a number (its gradient a float, as its argument), by np.where for an array."""
    return [_Z, "if np.ndim(z) == 0:", f"    if {inside}:", f"        return {density}",
            "    return -math.inf"], f"np.where({inside}, {density}, -np.inf)"


def _exp_in_support(inside, log_density):
    return _in_support(inside, f"np.exp({log_density})")


_GAMMA_SUPPORT, _BETA_SUPPORT = "z > 0.0", "np.logical_and(z > 0.0, z < 1.0)"


def _cdf_in_support(below, above, cdf, inside_value):
    """Statements returning the distribution function `cdf` of z: 0 below the support (`below`
    holds) and 1 above it (`above`, or None for no upper end). A number takes a branch; an
    array `np.where`, with z replaced inside `cdf` where it is outside the support (by
    `inside_value`), so that no nan there reaches the gradient (the double where)."""
    inside = f"np.logical_not({below})" if above is None else f"np.logical_not(np.logical_or({below}, {above}))"
    lines = [_Z, "if np.ndim(z) == 0:", f"    if {below}:", "        return 0.0"]
    lines += [f"    if {above}:", "        return 1.0"] if above is not None else []
    lines += [f"    return {cdf.format(z='z')}"]
    array = cdf.format(z=f"np.where({inside}, z, {inside_value})")
    if above is not None:
        array = f"np.where({above}, 1.0, {array})"
    return lines, f"np.where({below}, 0.0, {array})"

# (distribution, method) -> (parameters, statements before the return, returned expression)
STATS = {
    ("norm", "logpdf"): ("x, loc=0.0, scale=1.0", [_Z], _NORM_LOGPDF),
    ("norm", "pdf"): ("x, loc=0.0, scale=1.0", [_Z], f"np.exp({_NORM_LOGPDF})"),
    ("norm", "cdf"): ("x, loc=0.0, scale=1.0", [_Z], "scipy.special.ndtr(z)"),
    ("t", "logpdf"): ("x, df, loc=0.0, scale=1.0", [_Z], _T_LOGPDF),
    ("t", "pdf"): ("x, df, loc=0.0, scale=1.0", [_Z], f"np.exp({_T_LOGPDF})"),
    ("t", "cdf"): ("x, df, loc=0.0, scale=1.0", [_Z], "scipy.special.stdtr(df, z)"),
    ("gamma", "cdf"): ("x, a, loc=0.0, scale=1.0",
                       *_cdf_in_support("z <= 0.0", None, "scipy.special.gammainc(a, {z})", "1.0")),
    ("beta", "cdf"): ("x, a, b, loc=0.0, scale=1.0",
                      *_cdf_in_support("z <= 0.0", "z >= 1.0", "scipy.special.betainc(a, b, {z})", "0.5")),
    ("gamma", "logpdf"): ("x, a, loc=0.0, scale=1.0", *_in_support(_GAMMA_SUPPORT, _GAMMA_LOGPDF)),
    ("gamma", "pdf"): ("x, a, loc=0.0, scale=1.0", *_exp_in_support(_GAMMA_SUPPORT, _GAMMA_LOGPDF)),
    ("beta", "logpdf"): ("x, a, b, loc=0.0, scale=1.0", *_in_support(_BETA_SUPPORT, _BETA_LOGPDF)),
    ("beta", "pdf"): ("x, a, b, loc=0.0, scale=1.0", *_exp_in_support(_BETA_SUPPORT, _BETA_LOGPDF)),
    ("dirichlet", "logpdf"): ("x, alpha", [], _DIRICHLET_LOGPDF),
    ("dirichlet", "pdf"): ("x, alpha", [], f"np.exp({_DIRICHLET_LOGPDF})"),
    ("multivariate_normal", "logpdf"): ("x, mean, cov", ["d = x - mean"], _MVN_LOGPDF),
    ("multivariate_normal", "pdf"): ("x, mean, cov", ["d = x - mean"], f"np.exp({_MVN_LOGPDF})"),
}

_MADE = {}  # a callable (or a scipy.stats (distribution, method)) -> its generated def
_KNOWN = {distribution for distribution, _ in STATS}


def has_wrapper(obj):
    """Whether `obj` is a library callable with no Python source srcad would read."""
    if isinstance(obj, np.ufunc):
        return True
    if inspect.isclass(obj) or not callable(obj):
        return False
    module = getattr(obj, "__module__", None) or ""
    return module in ("operator", "_operator") or is_library(obj)


def wrapper(obj):
    """The generated `def` calling the library callable `obj` (made once per callable)."""
    try:
        return _MADE[obj]
    except (KeyError, TypeError):  # TypeError: an unhashable callable, made each time
        pass
    name_ = _identifier(getattr(obj, "__name__", "fn"))
    operator_form = OPERATORS.get(name_) if _module(obj) in ("operator", "_operator") else None
    if operator_form is not None:
        params, expr = operator_form
    else:
        params = _params(obj, name_)
        expr = f"{_spelling(obj, name_)}({params})"
    label = expr.split("(")[0] if operator_form is None and not expr.startswith("fn(") else f"{_module(obj)}.{name_}"
    made = _define(name_, params, [], expr, label, obj)
    try:
        _MADE[obj] = made
    except TypeError:
        pass
    return made


def stats_method(owner, name_):
    """The generated `def` of `owner.name_` where `owner` is a scipy.stats distribution (not a
    frozen one) and srcad has the formula of that method (`scipy.stats.norm.logpdf` called
    inside f), else None."""
    key = (_distribution(owner), name_)
    return method_wrapper(getattr(owner, name_)) if key in STATS else None


def frozen_method(method):
    """The generated `def` for a method of a frozen scipy.stats distribution
    (`scipy.stats.norm(1.0, 2.0).logpdf`): its distribution's formula, the frozen parameters its
    defaults (a function of its own, with the same code); None for a method of anything else."""
    owner = method.__self__
    if not (type(owner).__module__ or "").startswith("scipy.stats") or _distribution(owner) in _KNOWN:
        return None
    dist = getattr(owner, "dist", None) or getattr(owner, "_dist", None)
    if _distribution(dist) is None:
        return None
    made = method_wrapper(getattr(dist, method.__name__))
    names = parameter_names(_distribution(dist), method.__name__)[1:]
    if hasattr(owner, "args"):  # a univariate one: its arguments as given
        bound = {**dict(zip(names, owner.args)), **owner.kwds}
    else:  # a multivariate one keeps them as attributes (mean, cov, alpha)
        bound = {name_: getattr(owner, name_) for name_ in names}
    defaults = dict(zip(names[len(names) - len(made.__defaults__ or ()):], made.__defaults__ or ()))
    frozen = types.FunctionType(made.__code__, made.__globals__, made.__name__,
                                tuple(bound.get(n, defaults.get(n)) for n in names), made.__closure__)
    frozen.__doc__ = made.__doc__
    return frozen


def parameter_names(distribution, method):
    """The names of the parameters of the formula of `distribution.method` (x first)."""
    return [p.split("=")[0].strip() for p in STATS[(distribution, method)][0].split(",")]


def _distribution(owner):
    """The name of the scipy.stats distribution `owner` is (`norm`), else None."""
    if owner is None or not (type(owner).__module__ or "").startswith("scipy.stats"):
        return None
    return type(owner).__name__.removesuffix("_gen")


def method_wrapper(method):
    """The generated `def` of a scipy.stats distribution's method (its formula), None for a
    method of anything else; refuses the methods it has no formula for."""
    owner = method.__self__
    if not (type(owner).__module__ or "").startswith("scipy.stats"):
        return None
    distribution = type(owner).__name__.removesuffix("_gen")
    key = (distribution, method.__name__)
    if key not in STATS:
        known = ", ".join(sorted({f"{d}.{m}" for d, m in STATS}))
        raise SrcadError(f"cannot differentiate scipy.stats {distribution}.{method.__name__} passed "
                         f"as it is: srcad has the formulas of {known} (of the distribution, not a "
                         "frozen one). Write the density in a def with numpy and scipy.special, or "
                         "register a rule with srcad.defvjp")
    made = _MADE.get(key)
    if made is None:
        params, lines, expr = STATS[key]
        made = _MADE[key] = _define(method.__name__, params, lines, expr,
                                    f"scipy.stats.{distribution}.{method.__name__}", None)
    return made


FILENAME = "<srcad-library "  # how the file names of the generated defs start


def _define(name_, params, lines, expr, label, obj):
    """Compile `def name_(params): lines; return expr` under a linecache file name."""
    filename = f"{FILENAME}{label}>"
    text = "".join(f"{line}\n" for line in [f"def {name_}({params}):"] + [f"    {s}" for s in lines]
                   + [f"    return {expr}"])
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    namespace = {"np": np, "math": math, "fn": obj}
    root = _module(obj).split(".")[0]
    if root in sys.modules:
        namespace.setdefault(root, sys.modules[root])
    try:
        import scipy.special
        namespace["scipy"] = scipy
    except ImportError:  # scipy is optional: only its functions' definitions need it
        pass
    exec(compile(text, filename, "exec"), namespace)
    made = namespace[name_]
    made.__doc__ = f"srcad's definition of {label}, which it differentiates"
    return made


def _params(obj, name_):
    """`obj`'s required positional parameters, as the generated def's parameter list."""
    if isinstance(obj, np.ufunc):
        return "x" if obj.nin == 1 else ", ".join(f"x{i + 1}" for i in range(obj.nin))
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        if _module(obj) == "math" and name_ in MATH_PARAMS:
            return MATH_PARAMS[name_]
        raise SrcadError(f"cannot differentiate {obj!r} passed as it is: its parameters cannot be "
                         f"read. {_lambda_hint(obj, name_)}") from None
    names = [p.name for p in params if p.default is p.empty
             and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not names:
        raise SrcadError(f"cannot differentiate {obj!r} passed as it is: it has no required "
                         f"positional parameter. {_lambda_hint(obj, name_)}")
    return ", ".join(names)


def _lambda_hint(obj, name_):
    """What to pass instead of a library callable whose parameters srcad cannot tell."""
    spelled = _spelling(obj, name_)
    if spelled == "fn":  # an object (operator.itemgetter(0)): its call has no rule either
        return "Pass a def computing the same with operators and numpy (x[0] for itemgetter(0))"
    return f"Pass a lambda calling it with the arguments it takes: srcad.grad(lambda x: {spelled}(x))"


def _spelling(obj, name_):
    """How the generated def names `obj`: `np.tanh`, `math.sin`, `scipy.special.erf`, else `fn`."""
    candidates = [(np, "np"), (np.linalg, "np.linalg"), (math, "math")]
    try:
        import scipy.special
        candidates.append((scipy.special, "scipy.special"))
    except ImportError:  # scipy is optional
        pass
    for module, spelled in candidates:
        if getattr(module, name_, None) is obj:
            return f"{spelled}.{name_}"
    module = sys.modules.get(_module(obj))
    if module is not None and getattr(module, name_, None) is obj:  # `numpy.fft.fft`, `builtins.len`
        return f"{module.__name__}.{name_}"
    return "fn"


def _module(obj):
    return getattr(obj, "__module__", None) or ""


def _identifier(text):
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in text)
    return text if text.isidentifier() else "fn"
