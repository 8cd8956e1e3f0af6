"""Which arguments a call of the user's own function may change in place.

A container given to a helper together with a differentiated value (`h(params, x)`) varies
after the call only if the helper may write into it (append to it, store into it), itself or
through the user's functions it calls. Read from the source, erring on "may":

- a parameter reaches every local name bound to an expression that mentions a name it reaches
  (`q = p`, `w = p["w"]`, `for row in p`, `box[0] = p`), except the new values of arithmetic
  and comparisons;
- what changes the object a name holds: a store through an index or attribute (`q[0] = v`,
  `q.w = v`), an augmented assignment (`q += v`: in place for arrays and lists), a method that
  changes its receiver (`q.append(v)`, `q.fill(0)`) or one srcad does not know, a library
  function writing into its arguments (`np.copyto`, `np.add.at`, `out=`), a call of a local or
  unknown function, a helper that changes the parameter it is given there.

So `def h(xs, x): ys = xs; ys.append(x)` changes xs, and `def h(p, x): return x * p["w"]`
changes nothing.
"""
import inspect

import gast

from .errors import SrcadError
from .gastutil import walk
from .parse import UNRESOLVED, function
from .rules.callees import is_user_function

# methods and library functions that write into an object they are given (list, dict, set and
# deque methods, numpy's in-place methods and functions, operator's in-place functions,
# setattr, random.shuffle, heapq and bisect)
_CHANGING = frozenset({
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault",
    "add", "discard", "sort", "reverse", "fill", "put", "place", "putmask", "copyto",
    "fill_diagonal", "resize", "itemset", "setflags", "partition", "at", "setitem", "delitem",
    "setattr", "delattr", "exec", "eval", "iadd", "isub", "imul", "imatmul", "itruediv",
    "ifloordiv", "imod", "ipow", "iconcat", "__setitem__", "__delitem__", "__setattr__",
    "__iadd__", "__imul__", "shuffle", "heappush", "heappop", "heapify", "heapreplace",
    "heappushpop", "insort", "insort_left", "insort_right", "put_along_axis", "appendleft",
    "extendleft", "popleft", "rotate"})

# methods that only read their receiver (numpy arrays', dicts', lists'): any other method of
# an object may change it
_READING = frozenset({
    "sum", "mean", "std", "var", "prod", "max", "min", "argmax", "argmin", "dot", "reshape",
    "transpose", "ravel", "flatten", "copy", "astype", "squeeze", "swapaxes", "clip", "round",
    "cumsum", "cumprod", "all", "any", "nonzero", "tolist", "item", "keys", "values", "items",
    "get", "index", "count", "conj", "conjugate", "trace", "diagonal", "repeat", "take", "ptp",
    "argsort", "searchsorted", "view", "__getitem__", "__len__", "__contains__"})

_NEW_VALUES = (gast.BinOp, gast.UnaryOp, gast.Compare, gast.Constant, gast.JoinedStr)
# new objects, which may hold objects a parameter reaches
_NEW_CONTAINERS = (gast.List, gast.Tuple, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp)


def changed_parameters(fn):
    """The names of the parameters of `fn` (a function of the user's) whose objects a call
    may change, itself or through the user's functions it calls (worked out for all of them
    together, to a fixed point: they may call each other)."""
    functions, work = {}, [fn]
    while work:
        current = work.pop()
        if current.__code__ in functions:
            continue
        try:
            src = function(current)
        except SrcadError:  # no source: it may change anything it is given
            src = None
        functions[current.__code__] = (current, src)
        if src is not None:
            work += [callee for callee in _called(src) if is_user_function(callee)]
    changed = {code: frozenset() for code in functions}
    for code, (current, src) in functions.items():
        if src is None:
            changed[code] = frozenset(inspect.signature(current).parameters)
    done = False
    while not done:
        done = True
        for code, (current, src) in functions.items():
            if src is None:
                continue
            now = _Function(src, changed).changed()
            if now != changed[code]:
                changed[code], done = now, False
    return changed[fn.__code__]


def _called(src):
    for node in walk(src.tree):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
            callee = src.resolve(node.func)
            if callee is not UNRESOLVED:
                yield callee


class _Function:
    """One function's parameters that may change, given what its callees change (`changed`:
    code object -> parameter names)."""

    def __init__(self, src, changed):
        self.src, self.tree, self.callees = src, src.tree, changed
        args = self.tree.args
        self.params = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
        self.params += [a.id for a in (args.vararg, args.kwarg) if a is not None]
        self.reach = {p: {p} for p in self.params}
        self.bound = list(self.bindings())
        # names bound only to new values (`s = 0.0` or `s = []`, then `s += v`): `s += v`
        # changes no object a parameter reaches, even when s holds v's items afterwards
        self.fresh = {n for names, _, _ in self.bound for n in names} - set(self.params) - {
            n for names, value, augmented in self.bound if not augmented and not isinstance(value, _NEW_VALUES + _NEW_CONTAINERS)
            for n in names}

    def changed(self):
        self.spread()
        out = set()
        for node in walk(self.tree):
            out |= self.changed_by(node)
        return frozenset(out & set(self.params))

    def spread(self):
        """`reach`: each local name -> the parameters whose objects it may hold (or hold
        inside it), to a fixed point."""
        grown = True
        while grown:
            grown = False
            for targets, value, _ in self.bound:
                roots = self.roots(value)
                for target in targets:
                    held = self.reach.setdefault(target, set())
                    if not roots <= held:
                        held |= roots
                        grown = True

    def bindings(self):
        """(names bound, expression their value comes from, whether augmented) for every
        binding in the tree."""
        for node in walk(self.tree):
            if isinstance(node, gast.Assign):
                for target in node.targets:
                    yield _names(target), node.value, False
            elif isinstance(node, gast.AugAssign):  # `q += v`: q may hold v's items now
                yield _names(node.target), node.value, True
            elif isinstance(node, (gast.For, gast.comprehension)):
                yield _names(node.target), node.iter, False
            elif isinstance(node, gast.NamedExpr):
                yield _names(node.target), node.value, False
            elif isinstance(node, gast.withitem) and node.optional_vars is not None:
                yield _names(node.optional_vars), node.context_expr, False

    def roots(self, expr):
        if expr is None or isinstance(expr, _NEW_VALUES):
            return set()
        out = set()
        for name_ in _names(expr):
            out |= self.reach.get(name_, set())
        return out

    def changed_by(self, node):
        """The parameters whose objects `node` may change."""
        if isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(node.ctx, (gast.Store, gast.Del)):
            return self.roots(node.value)
        if isinstance(node, gast.AugAssign):
            fresh = isinstance(node.target, gast.Name) and node.target.id in self.fresh
            return set() if fresh else self.roots(node.target)
        if isinstance(node, gast.Call):
            return self.changed_by_call(node)
        return set()

    def changed_by_call(self, call):
        arguments = list(call.args) + [k.value for k in call.keywords]
        everything = set().union(*(self.roots(a) for a in arguments)) if arguments else set()
        if any(k.arg in ("out", None) for k in call.keywords):
            return everything
        func = call.func
        if isinstance(func, gast.Attribute):
            if self.src.resolve(func.value) is not UNRESOLVED:  # a module's function: np.copyto
                return everything if func.attr in _CHANGING else set()
            if func.attr in _CHANGING:
                return self.roots(func.value)
            return set() if func.attr in _READING else self.roots(func.value) | everything
        callee = self.src.resolve(func) if isinstance(func, gast.Name) else UNRESOLVED
        if callee is UNRESOLVED or getattr(callee, "__name__", None) in _CHANGING:
            return everything  # a local or computed function, setattr: anything it is given
        if not is_user_function(callee):
            return set()
        return self.changed_by_helper(callee, call, everything)

    def changed_by_helper(self, callee, call, everything):
        """What a call of the user's `callee` changes: the arguments given to the parameters
        it changes (everything it is given where the call cannot be matched to them)."""
        changed = self.callees.get(callee.__code__)
        if changed is None or any(isinstance(a, gast.Starred) for a in call.args) \
                or any(k.arg is None for k in call.keywords):
            return everything
        try:
            bound = inspect.signature(callee).bind(*call.args, **{k.arg: k.value for k in call.keywords})
        except TypeError:
            return everything
        out = set()
        for name_, value in bound.arguments.items():
            if name_ in changed:  # *args and **kwargs bind a tuple or a dict of expressions
                values = value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else [value]
                for v in values:
                    out |= self.roots(v)
        return out


def _names(expr):
    return [n.id for n in walk(expr) if isinstance(n, gast.Name)]
