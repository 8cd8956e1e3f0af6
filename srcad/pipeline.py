"""derive(): the table of contents of srcad, one line a stage."""
import hashlib
from dataclasses import dataclass

import gast

from . import analyze, emit, errors, load, normalize, optimize, parse, transform
from .errors import Unsupported
from .naming import Names, Namespace
from .rules import registry


@dataclass
class Compiled:
    """A derivative compiled once: bound to each function object by `bind`."""
    text: str
    code: object
    helpers: dict
    defaults: tuple
    seed: str
    return_lineno: int
    filename: str
    tree: object = None  # the derivative's final gast tree (what `text` prints)

    def bind(self, fn):
        return load.function(self.code, fn, self.helpers, self.defaults)


def derive(fn, wrt, kinds, mode="reverse", variant="vjp"):
    """Compile the derivative of `fn` with respect to the parameters `wrt`, specialised for
    arguments of `kinds` (parameter name -> analyze.FLOAT / ARRAY / OTHER); `variant` is one of
    `transform.reverse.VARIANTS`."""
    src = parse.function(fn)
    names = Names(src.all_names)
    src.namespace = Namespace(names, {**src.globals, **src.closure}, src.local_names)
    try:
        tree = normalize.three_address(src, names)
        tree = transform.single_exit(tree, names)
        facts = analyze.dataflow(tree, src, wrt, kinds)
        deriv = transform.reverse(tree, src, facts, names, variant)
        tree = optimize.simplify(deriv.tree, _pure_calls(src))
    except Unsupported as error:
        raise errors.from_unsupported(error, src.filename, src.tree.lineno) from None
    used = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)}
    helpers = {k: v for k, v in src.namespace.helpers.items() if k in used}
    free = [n for n in fn.__code__.co_freevars if n in used]
    text = emit.source_text(tree, src.filename, helpers, free)
    filename = _generated_filename(src, tree.name, text)
    code = load.code_of(text, filename, tree.name)
    defaults = tuple(fn.__defaults__ or ()) + deriv.seed_defaults
    return Compiled(text, code, helpers, defaults, deriv.seed,
                    deriv.return_lineno, src.filename, tree)


def _pure_calls(src):
    """Calls the optimiser may drop: functions in the rule tables and srcad's runtime helpers."""
    reg = registry()

    def pure(call):
        obj = _resolve(call.func, src)
        return obj is not parse.UNRESOLVED and (reg.knows(obj) or getattr(obj, "__module__", "") == "srcad.runtime")
    return pure


def _resolve(func, src):
    if isinstance(func, gast.Attribute):
        base = _resolve(func.value, src)
        return getattr(base, func.attr, parse.UNRESOLVED) if base is not parse.UNRESOLVED else base
    if isinstance(func, gast.Name):
        obj = src.namespace.known_object(func.id)
        return obj if obj is not None else src.resolve(func)
    return parse.UNRESOLVED


def _generated_filename(src, name_, text):
    digest = hashlib.sha1(text.encode()).hexdigest()[:8]
    return f"<srcad {errors.short(src.filename)}:{src.tree.lineno} {name_} {digest}>"
