"""derive(): the table of contents of srcad, one line a stage."""
import gc
import hashlib
import threading
from dataclasses import dataclass, field

import gast

from . import analyze, comprehensions, containers, emit, errors, frozen, library, load, normalize, optimize, parse, pytree, runtime, transform
from . import gastutil as g
from .optimize import arrays as array_passes
from .optimize import shapes as shape_passes
from .cache import CACHE
from .depends import Bindings, Identity
from .errors import Unsupported
from .naming import Names, Namespace
from .rules import registry
from .transform import loops_speed, recompute
from .transform.calls import is_user_function


_IN_PROGRESS = threading.local()


@dataclass
class Compiled:
    """A derivative compiled once: bound to each function object by `bind`. It is current while
    its `bindings` hold (depends.py): what the names it was compiled from denoted then."""
    text: str
    code: object
    helpers: dict
    seed_defaults: tuple  # defaults of the parameters the derivative adds after the function's
    seed: str
    return_lineno: int
    filename: str
    tree: object = None  # the derivative's final gast tree (what `text` prints)
    reverse_code: object = None  # a split derivative's reverse part (`code` is its forward part)
    bound: dict = field(default_factory=dict)
    tangent_params: tuple = ()   # forward mode: the names of the tangent parameters
    bindings: Bindings = field(default_factory=Bindings)
    layout: object = None  # containers.Layout where f was specialised on container arguments

    def bind(self, fn):
        """The derivative of `fn` (or of another function with the same code: a closure's
        sibling): its defaults and closure cells are `fn`'s own."""
        defaults = tuple(fn.__defaults__ or ()) + self.seed_defaults
        return load.function(self.code, fn, self.helpers, defaults)

    def current(self, fn):
        """Whether this derivative still is `fn`'s: every binding it was compiled under holds."""
        return self.bindings.hold(fn)

    def bind_pair(self, fn):
        """A split derivative's (forward part, reverse part) for `fn`, made once per `fn`."""
        pair = self.bound.get(id(fn))
        if pair is None or pair[0] is not fn:
            pair = (fn, load.function(self.code, fn, self.helpers, fn.__defaults__),
                    load.function(self.reverse_code, fn, self.helpers, ()))
            self.bound[id(fn)] = pair
        return pair[1], pair[2]


def derive(fn, wrt, kinds, mode="reverse", variant="vjp", final=False, helper=False, shapes=None,
           checkpoints=None):
    """Compile the derivative of `fn` with respect to the parameters `wrt`, specialised for
    arguments of `kinds` (parameter name -> analyze.FLOAT / ARRAY / OTHER); `variant` is one of
    `transform.reverse.VARIANTS`; `final`: it runs as it is, never transformed again.
    `shapes`: array parameter -> (shape, dtype), for a final gradient specialised on them too
    (optimize/shapes.py). `checkpoints`: K, "sqrt" or None, how the outermost loops over
    `range` are reversed (transform/checkpointed.py)."""
    in_progress = _in_progress()
    if any(code is fn.__code__ for code in in_progress):
        raise _Recursion(fn)
    in_progress.append(fn.__code__)
    # The stages build and drop hundreds of thousands of small tree nodes; the cyclic garbage
    # collector, set off every 700 allocations, walked the growing heap again and again (a
    # sixth of the first call of a long function). Collection waits until the derivative is
    # made: it is paused here and enabled again after, unless it was off already (a
    # process-wide switch: another thread deriving at the same time is fine, each one restores
    # only what it found).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _derive(fn, wrt, kinds, mode, variant, final, helper, shapes, checkpoints)
    finally:
        in_progress.pop()
        if collecting:
            gc.enable()


def wengert_list(fn, within=None, own_arguments=(), structures=None):
    """(Source, Names, tree): the first stages, shared by derive and the kind analysis of called
    helpers. The tree is in three-address form with a single exit; an `Unsupported` from them
    is raised as it is. `within`: the Source of the derivation this one serves (it shares its
    bindings and memo). `own_arguments`: see normalize.three_address. `structures`: parameter
    -> pytree.Tree, the containers f is specialised on (containers.py; `src.layout` says what
    became of them)."""
    src, names = parsed(fn, within, structures)
    tree = transform.single_exit(normalize.three_address(src, names, own_arguments), names)
    return src, names, tree


def parsed(fn, within=None, structures=None):
    """(Source, Names) of `fn`, with the namespace generated code names outside objects in: the
    first stage, shared by derive, the trace and the graph (so temporaries get the same names
    everywhere)."""
    src = parse.function(fn)
    if within is not None:
        src.bindings, src.return_kinds, src.depth = within.bindings, within.return_kinds, within.depth + 1
    src.read_helper = wengert_list
    names = Names(src.all_names)
    if frozen.mentions_scipy_stats(src):  # scipy.stats.norm(mu, s).logpdf(x)
        src.tree = frozen.rewrite(src.tree, src.resolve, names)
        src.local_names |= set(names.taken) - src.all_names
        src.all_names |= src.local_names
    if any(isinstance(n, gast.DictComp) for n in g.nodes(src.tree)):  # dicts made in loops (containers.py)
        src.tree = comprehensions.dicts_written_out(src.tree, names)
    if structures or _builds_containers(src):
        src.tree, src.layout = containers.specialise(src.tree, structures or {}, names,
                                                     lambda func: _user_function(src, func), src.filename)
        src.local_names |= set(names.taken) - src.all_names
        src.all_names |= src.local_names
    src.namespace = Namespace(names, {**src.globals, **src.closure}, src.local_names, src.lookup)
    return src, names


def _derive(fn, wrt, kinds, mode, variant, final, helper, shapes, checkpoints):
    try:
        structures = {k: v for k, v in kinds.items() if isinstance(v, pytree.Tree)}
        # numbers are never changed in place: only the other arguments may need a copy
        owned = () if helper else tuple(sorted(p for p, k in kinds.items() if k not in (analyze.FLOAT, analyze.INT)))
        src, names, tree = wengert_list(fn, own_arguments=owned, structures=structures)
        if structures:
            kinds, wrt = leaves_of(kinds, wrt, src.layout)
        src.bindings.rules(registry())  # rules registered later replace those used now

        def call(callee, *args, **kwargs):  # a helper's derivative: this one depends on it too
            compiled = derive_call(callee, *args, **kwargs)
            src.bindings.merge(compiled.bindings, callee)
            return compiled
        facts = analyze.dataflow(tree, src, wrt, kinds)
        if mode == "forward":
            deriv = transform.forward(tree, src, facts, names, call)
        else:
            deriv = transform.reverse(tree, src, facts, names, "vjp" if variant == "split" else variant,
                                      call, checkpoints)
        tree = optimize.simplify(deriv.tree, _pure_calls(src), deriv.adjoints, deriv.floats,
                                 deriv.harmless, _float_functions(src), in_place=True)
        if mode == "reverse":
            optimize.drop_repeated(tree, lambda f: _resolve(f, src))
        if final and variant in ("grad", "value_and_grad"):
            tree = array_passes.apply(tree, src, deriv, facts, variant, lambda f: _resolve(f, src))
            if shapes and not structures:
                tree = shape_passes.apply(tree, src, shapes, kinds, lambda f: _resolve(f, src))
            optimize.test_domains(tree, lambda f: _resolve(f, src), _numbers(facts, deriv))
            loops_speed.apply(tree, _numbers(facts, deriv), lambda s: recompute.cheap(s, facts), names,
                              lambda f: _resolve(f, src), _pure_calls(src))
        trees = list(transform.split(tree, deriv.seed, names)) if variant == "split" else [tree]
    except Unsupported as error:
        raise errors.from_unsupported(error, fn.__code__.co_filename, fn.__code__.co_firstlineno) from None
    used = {n.id for t in trees for n in g.nodes(t) if isinstance(n, gast.Name)}
    helpers = {k: v for k, v in src.namespace.helpers.items() if k in used}
    free = [n for n in fn.__code__.co_freevars if n in used]
    text = emit.source_text(trees, src.filename, helpers, free)
    filename = _generated_filename(src, trees[0].name, text)
    load.register_lines(filename, text, src.filename, src.tree.name)
    codes = [load.code_of(text, filename, t.name) for t in trees]
    tangent_params = tuple(a.id for a in trees[0].args.args[-len(facts.wrt):]) if mode == "forward" else ()
    return Compiled(text, codes[0], helpers, tuple(deriv.seed_defaults), deriv.seed,
                    deriv.return_lineno, src.filename, trees[0],
                    codes[1] if len(codes) > 1 else None, tangent_params=tangent_params,
                    bindings=src.bindings.relative_to(fn), layout=src.layout)


def _builds_containers(src):
    """Whether `src` has a dict literal, or calls a helper of its own returning one (which
    containers.py inlines)."""
    for node in g.nodes(src.tree):
        if isinstance(node, (gast.Dict, gast.DictComp)):
            return True
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
            fn = _user_function(src, node.func)
            if fn is not None and containers.returns_dict(fn):
                return True
    return False


def _user_function(src, func):
    """The user's own function `func` denotes in `src`, else None."""
    fn = src.resolve(func)
    return fn if is_user_function(fn) else None


def leaves_of(kinds, wrt, layout):
    """(kinds, wrt) of the function specialised on its containers: each container parameter's
    leaves in its place, those holding numbers in `wrt` (a tuple then, in flatten's order)."""
    leaf_kinds, original = {}, kinds
    for param, leaves in layout.params.items():
        leaf_kinds.update(zip(leaves, kinds[param].leaf_kinds()))
    kinds = {**{k: v for k, v in kinds.items() if k not in layout.params}, **leaf_kinds}
    expanded = []
    for w in ((wrt,) if isinstance(wrt, str) else wrt):
        leaves = layout.params.get(w, [w])
        if w.endswith("]"):  # `xs[1]`: the leaves of that element of *xs
            varargs, _, index = w[:-1].partition("[")
            node = original[varargs]
            start = sum(len(pytree.leaf_nodes(c)) for c in node.children[:int(index)])
            leaves = layout.params[varargs][start:start + len(pytree.leaf_nodes(node.children[int(index)]))]
        expanded += [leaf for leaf in leaves if kinds[leaf] in pytree.NUMERIC]
    return kinds, tuple(expanded)


class _Recursion(Exception):
    def __init__(self, fn):
        super().__init__(fn.__name__)
        self.fn = fn


def _in_progress():
    """The code objects being derived in this thread, outermost first (compared by identity)."""
    if not hasattr(_IN_PROGRESS, "codes"):
        _IN_PROGRESS.codes = []
    return _IN_PROGRESS.codes


def derive_call(fn, wrt, kinds, stmt, mode="reverse"):
    """The derivative of a user function `fn` called at `stmt` (compiled once): split into
    forward and reverse parts in reverse mode, its jvp in forward mode."""
    variant = "split" if mode == "reverse" else "jvp"
    key = (Identity(fn.__code__), Identity(fn.__globals__), wrt, mode, variant,
           tuple(sorted(kinds.items())))
    try:
        compiled = CACHE.get(key, lambda: derive(fn, wrt, kinds, mode, variant, helper=True),
                             lambda c: c.current(fn))
    except _Recursion as recursion:
        raise Unsupported(stmt, f"cannot differentiate the recursive call of {recursion.fn.__name__}",
                          "Rewrite the recursion as a loop") from None
    except errors.SrcadError as error:
        if not (error.filename or "").startswith(library.FILENAME):
            raise
        # refused inside srcad's own definition of a library function: at the user's call
        first = str(error).split("\n")[0]
        raise Unsupported(stmt, first.removeprefix(f"{error.filename}:{error.lineno}: ").rstrip("."), "") from None
    if compiled.layout is not None and compiled.layout.output is not None:  # it returns leaves
        raise Unsupported(stmt, f"cannot differentiate this call of {fn.__name__}, which returns a "
                          "container, inside an expression", f"Call it in a statement of its own: "
                          f"r = {fn.__name__}(...), then read r")
    return compiled


def _numbers(facts, deriv):
    """Names of the derivative known to hold numbers: primal floats and their adjoints."""
    floats = {n for n, kind in facts.kinds.items() if kind == analyze.FLOAT}
    return floats | {deriv.adjoint_of[n] for n in floats if n in deriv.adjoint_of}


def _float_functions(src):
    """Names by which generated code reaches the `math` module (its functions return floats)."""
    import math
    found = {name_ for name_, obj in {**src.globals, **src.closure}.items() if obj is math}
    found |= {name_ for name_, obj in src.namespace.helpers.items() if obj is math}
    return frozenset(found - src.local_names)


def _pure_calls(src):
    """Calls the optimiser may drop: functions in the rule tables and srcad's runtime helpers
    (but `scalar_seed`, which checks the output even where the gradient does not need it)."""
    reg = registry()

    def pure(call):
        obj = _resolve(call.func, src)
        module = getattr(obj, "__module__", None) or ""
        return obj is not parse.UNRESOLVED and obj is not runtime.scalar_seed \
            and (reg.knows(obj) or module.startswith("srcad.runtime"))
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
    return f"{parse.GENERATED}{errors.short(src.filename)}:{src.tree.lineno} {name_} {digest}>"
