"""Normalise: a function's tree -> three-address (Wengert-list) form.

After this pass every statement has one of these shapes, where `a`, `b`, `i` are atoms (a name,
a constant, or a global reference such as `np.pi`) and `f` is a global reference:

    t = a                 t = a <op> b          t = <op> a            t = a <cmp> b
    t = f(a, b, k=c)      t = a.attr            t = a[i]              t = (a, b)   t = [a, b]
    t = a.method(b)       a[i] = t              f(a)  (a call for its effect)
    if a:                 for t in a:           while a:              return a
    t = <and/or expression>, t = a < b < c   (kept whole: they short-circuit; no derivative)

Augmented assignment, tuple unpacking, method spellings (`x.sum()` -> `np.sum(x)`) and nested
expressions are desugared. Variables assigned only in straight-line code get one name per
definition (`x`, `x_2`, ...; SSA), so nothing they held is overwritten; variables assigned in a
branch or loop keep their name. Every statement keeps the line of the user statement it came
from. Constructs srcad refuses raise `Unsupported` here, with a hint.
"""
import gast

from . import gastutil as g
from .errors import Unsupported
from .ir import COMPOUND, mark_augmented
from .parse import UNRESOLVED
from .rules import registry
from .rules.callees import API, is_user_function

REFUSED_STATEMENTS = {
    gast.Try: ("a try statement", "Move the try/except outside the differentiated function"),
    gast.With: ("a with statement", "Move the with block outside the differentiated function"),
    gast.AsyncWith: ("an async with statement", "Use a plain synchronous function"),
    gast.AsyncFor: ("an async for loop", "Use a plain synchronous function"),
    gast.AsyncFunctionDef: ("an async function", "Use a plain synchronous function"),
    gast.ClassDef: ("a class definition", "Define the class at module level"),
    gast.FunctionDef: ("a nested function definition",
                       "Define the function at module level and call it"),
    gast.Global: ("a global statement", "Pass the value as an argument and return the result"),
    gast.Nonlocal: ("a nonlocal statement", "Pass the value as an argument and return the result"),
    gast.Delete: ("a del statement", "Remove the del; the name goes out of scope on return"),
    gast.Import: ("an import statement", "Import at module level"),
    gast.ImportFrom: ("an import statement", "Import at module level"),
}

REFUSED_EXPRESSIONS = {
    gast.Yield: ("yield (a generator)", "Return a list or an array instead"),
    gast.YieldFrom: ("yield from (a generator)", "Return a list or an array instead"),
    gast.Await: ("await", "Use a plain synchronous function"),
    gast.Lambda: ("a lambda inside the function", "Define a function at module level"),
    gast.ListComp: ("a list comprehension", "Write a for loop that appends to a list"),
    gast.SetComp: ("a set comprehension", "Write a for loop"),
    gast.DictComp: ("a dict comprehension", "Write a for loop"),
    gast.GeneratorExp: ("a generator expression", "Write a for loop"),
    gast.NamedExpr: ("an assignment expression (:=)", "Assign in a statement of its own"),
}


def three_address(src, names):
    """A new FunctionDef: `src.tree` in three-address form, temporaries drawn from `names`."""
    return _Normalizer(src, names).function(src.tree)


class _Normalizer:
    def __init__(self, src, names):
        self.src = src
        self.names = names
        self.current = {}
        self.ssa = set()
        self.aliases = {}  # SSA names bound to a known function: loads read the function
        self.loops = 0     # how many loops enclose the statement being normalised

    def function(self, tree):
        params = [a.id for a in _params(tree.args)]
        self.ssa = _stored_names(tree.body) - _compound_names(tree.body)
        self.current = {p: p for p in params}
        self.defined = set(params)
        body = self.block(tree.body)
        new = gast.FunctionDef(name=tree.name, args=g.clone(tree.args), body=body or [gast.Pass()],
                               decorator_list=[], returns=None, type_comment=None, type_params=[])
        return gast.copy_location(new, tree)

    # --- statements ---------------------------------------------------------------------------

    def block(self, stmts):
        out = []
        for stmt in stmts:
            refused = REFUSED_STATEMENTS.get(type(stmt))
            if refused:
                raise Unsupported(stmt, f"cannot differentiate {refused[0]}", refused[1])
            _refuse_expressions(stmt)
            visit = getattr(self, "visit_" + type(stmt).__name__, None)
            if visit is None:
                raise Unsupported(stmt, f"cannot differentiate a {type(stmt).__name__} statement",
                                  "Rewrite it with assignments, if, for and while")
            out.extend(g.located(s, stmt) for s in visit(stmt))
        return out

    def visit_Pass(self, stmt):
        return []

    def visit_Expr(self, stmt):
        if isinstance(stmt.value, gast.Constant):  # a docstring or a bare constant
            return []
        pre = []
        value = self.expression(stmt.value, pre)
        if isinstance(value, gast.Call) and self.is_global_ref(value.func):
            if is_user_function(self.src.resolve(value.func)):  # it may append to what it gets
                return pre + [gast.Assign(targets=[g.store(self.names.temp())], value=value, type_comment=None)]
        return pre + [gast.Expr(value=value)]

    def visit_Assign(self, stmt):
        pre = []
        if len(stmt.targets) > 1:  # a = b = expr
            value = self.atom(stmt.value, pre)
            for target in stmt.targets:
                pre += self.bind(target, value, stmt)
            return pre
        target = stmt.targets[0]
        if isinstance(target, (gast.Tuple, gast.List)) and isinstance(stmt.value, (gast.Tuple, gast.List)) \
                and len(target.elts) == len(stmt.value.elts) and not _has_starred(target):
            atoms = [self.atom(v, pre) for v in stmt.value.elts]
            atoms = self.protect(atoms, target, pre)
            for t, a in zip(target.elts, atoms):
                pre += self.bind(t, a, stmt)
            return pre
        if isinstance(target, gast.Name):
            value = self.own_value(target.id, self.expression(stmt.value, pre), pre)
            bound = self.bind(target, value, stmt)
            if target.id in self.ssa and isinstance(value, gast.Name) and self.is_global_ref(value) \
                    and callable(self.src.resolve(value)):
                self.aliases[self.current[target.id]] = value
            return pre + bound
        value = self.atom(stmt.value, pre)
        return pre + self.bind(target, value, stmt)

    def own_value(self, target, value, pre):
        """`x = x * y` where `x` keeps one name (branches, loops) becomes `t = x * y; x = t`, so
        that no statement reads the variable it overwrites: the reverse sweep then needs the
        old and the new value at different statements."""
        if target in self.ssa or g.is_atom(value):
            return value
        if self.current.get(target, target) not in g.names_in(value) and not self.loops:
            return value  # (in a loop, always: the copy back can then wait for the turn's end)
        t = self.names.temp()
        pre.append(gast.Assign(targets=[g.store(t)], value=value, type_comment=None))
        return g.name(t)

    def visit_AugAssign(self, stmt):
        pre = []
        if isinstance(stmt.target, gast.Name):
            left = self.load(stmt.target.id, stmt)
        else:
            left = self.atom(_as_load(stmt.target), pre)
        right = self.atom(stmt.value, pre)
        value = gast.BinOp(left=left, op=stmt.op, right=right)
        if isinstance(stmt.target, gast.Name):
            value = self.own_value(stmt.target.id, value, pre)
        bound = self.bind(stmt.target, value, stmt)
        if isinstance(stmt.target, gast.Name):  # on an array or a list, Python updates in place:
            mark_augmented(bound[-1], left.id, _SYMBOLS.get(type(stmt.op), "?") + "=")
        return pre + bound

    def visit_AnnAssign(self, stmt):
        if stmt.value is None:
            return []
        return self.visit_Assign(gast.Assign(targets=[stmt.target], value=stmt.value,
                                             type_comment=None))

    def visit_Return(self, stmt):
        pre = []
        if stmt.value is None:
            return [gast.Return(value=g.const(None))]
        value = self.expression(stmt.value, pre)
        if not (g.is_atom(value) or self.is_global_ref(value)):
            out = self.names.fresh("y")
            pre.append(gast.Assign(targets=[g.store(out)], value=value, type_comment=None))
            value = g.name(out)
        return pre + [gast.Return(value=value)]

    def visit_If(self, stmt):
        pre = []
        test = self.atom(stmt.test, pre)
        return pre + [gast.If(test=test, body=self.block(stmt.body) or [gast.Pass()],
                              orelse=self.block(stmt.orelse))]

    def visit_For(self, stmt):
        if stmt.orelse and not g.breaks_out(stmt.body):  # the else block always runs: after the loop
            return self.block([_without_else(stmt)] + stmt.orelse)
        held = self.hold_iterable(stmt)
        if held is not None:
            return self.block(held)
        lowered = self.indexed_loop(stmt)
        if lowered is not None:
            return self.visit_For(lowered)
        pre = []
        iterable = self.atom(stmt.iter, pre)
        body = []
        if isinstance(stmt.target, gast.Name) and stmt.target.id not in _stored_names(stmt.body):
            target = self.store(stmt.target.id)
        else:
            # a tuple target is unpacked from the item; a target the body re-binds is copied
            # from it (`for t in y: e = t`), so that the loop's own variable keeps the item and
            # `e`, an ordinary variable, has its overwritten values saved like any other
            item = self.names.temp()
            target = g.store(item)
            body = self.bind(stmt.target, g.name(item), stmt)
        body += self.loop_block(stmt.body)
        return pre + [gast.For(target=target, iter=iterable, body=body or [gast.Pass()],
                               orelse=self.block(stmt.orelse), type_comment=None)]

    def hold_iterable(self, stmt):
        """`for e in y: ... y = ...` goes on over the array `y` held when the loop began (Python
        evaluates the iterable once); the loop is given its own name for it, `t = y`, so that
        the reverse sweep (and an indexed loop's reads `y[k]`) see that array, not the new one.
        None where the body re-binds no name the iterable reads."""
        rebound = _stored_names(stmt.body) & self.src.local_names
        read = {n.id for n in gast.walk(stmt.iter) if isinstance(n, gast.Name) and n.id in rebound}
        if not read:
            return None
        held, loop = [], g.clone(stmt)
        for name_ in sorted(read):
            copy = self.names.temp()
            self.src.local_names.add(copy)
            held.append(g.located(g.assign(copy, g.name(name_)), stmt))
            for node in gast.walk(loop.iter):
                if isinstance(node, gast.Name) and node.id == name_:
                    node.id = copy
        return held + [g.located(loop, stmt)]

    def indexed_loop(self, stmt):
        """`for i, x in enumerate(xs)`, `for a, b in zip(xs, ys)` and `for x in reversed(xs)`
        as loops over `range`, reading the sequences by index (so the reverse sweep can too)."""
        call = stmt.iter
        if not isinstance(call, gast.Call) or call.keywords or not call.args:
            return None
        fn = self.src.resolve(call.func) if isinstance(call.func, gast.Name) else UNRESOLVED
        if fn not in (enumerate, zip, reversed) or any(isinstance(a, gast.Starred) for a in call.args):
            return None
        k = self.names.fresh("k")
        index = g.name(k)
        builtin = self.builtin
        seqs = [g.clone(a) for a in call.args]
        if fn is enumerate:
            if len(seqs) != 1 or not _pair(stmt.target):
                return None
            loop_range = g.call(builtin(range), [g.call(builtin(len), seqs)])
            reads = [(stmt.target.elts[0], index), (stmt.target.elts[1], g.subscript(seqs[0], index))]
        elif fn is zip:
            if not (isinstance(stmt.target, gast.Tuple) and len(stmt.target.elts) == len(seqs)):
                return None
            lengths = [g.call(builtin(len), [g.clone(s_)]) for s_ in seqs]
            bound = lengths[0] if len(lengths) == 1 else g.call(builtin(min), lengths)
            loop_range = g.call(builtin(range), [bound])
            reads = [(t, g.subscript(s_, index)) for t, s_ in zip(stmt.target.elts, seqs)]
        else:
            if len(seqs) != 1:
                return None
            last = gast.BinOp(left=g.call(builtin(len), [g.clone(seqs[0])]), op=gast.Sub(), right=g.const(1))
            loop_range = g.call(builtin(range), [last, g.const(-1), g.const(-1)])
            reads = [(stmt.target, g.subscript(seqs[0], index))]
        body = [g.located(gast.Assign(targets=[t], value=v, type_comment=None), stmt) for t, v in reads]
        self.src.local_names.add(k)
        return g.located(gast.For(target=g.store(k), iter=loop_range, body=body + stmt.body,
                                  orelse=stmt.orelse, type_comment=None), stmt)

    def builtin(self, fn):
        """A builtin the generated code calls, under a name the user's own variables do not
        shadow (a local `len` would otherwise be called)."""
        return self.src.namespace.refer(fn, fn.__name__)

    def visit_While(self, stmt):
        if stmt.orelse and not g.breaks_out(stmt.body):
            return self.block([_without_else(stmt)] + stmt.orelse)
        pre = []
        test = self.atom(stmt.test, pre)
        body = self.loop_block(stmt.body)
        if pre:  # the test needs statements of its own: evaluate them at the top of every turn
            exit_test = g.located(gast.If(test=gast.UnaryOp(op=gast.Not(), operand=test),
                                          body=[gast.Break()], orelse=[]), stmt)
            return [gast.While(test=g.const(True), body=pre + [exit_test] + body,
                               orelse=self.block(stmt.orelse))]
        return [gast.While(test=test, body=body or [gast.Pass()], orelse=self.block(stmt.orelse))]

    def loop_block(self, stmts):
        self.loops += 1
        try:
            return self.block(stmts)
        finally:
            self.loops -= 1

    def visit_Break(self, stmt):
        return [gast.Break()]

    def visit_Continue(self, stmt):
        return [gast.Continue()]

    def visit_Raise(self, stmt):
        return [stmt]

    def visit_Assert(self, stmt):
        return [stmt]

    # --- binding names ------------------------------------------------------------------------

    def bind(self, target, value, stmt):
        """Statements assigning `value` (an expression) to `target`."""
        if isinstance(target, gast.Name):
            return [gast.Assign(targets=[self.store(target.id)], value=value, type_comment=None)]
        if isinstance(target, (gast.Tuple, gast.List)):
            if _has_starred(target):
                raise Unsupported(stmt, "cannot differentiate starred unpacking (a, *rest = ...)",
                                  "Index the sequence instead")
            out = []
            if not g.is_atom(value):
                whole = self.names.temp()
                out.append(gast.Assign(targets=[g.store(whole)], value=value, type_comment=None))
                value = g.name(whole)
            for i, elt in enumerate(target.elts):
                out += self.bind(elt, g.subscript(g.clone(value), g.const(i)), stmt)
            return out
        if isinstance(target, gast.Subscript):
            pre = []
            base = self.load(target.value.id, stmt) if isinstance(target.value, gast.Name) \
                else self.atom(target.value, pre)
            index = self.index(target.slice, pre)
            value = self.atom(value, pre) if not g.is_atom(value) else value
            store = gast.Subscript(value=base, slice=index, ctx=gast.Store())
            return pre + [gast.Assign(targets=[store], value=value, type_comment=None)]
        raise Unsupported(stmt, f"cannot differentiate an assignment to {type(target).__name__.lower()}",
                          "Assign to a plain variable")

    def protect(self, atoms, target, pre):
        """Copy atoms that `target` overwrites before any is stored (`a, b = b, a`)."""
        stored = set(g.assigned_names(target))
        out = []
        for a in atoms:
            if isinstance(a, gast.Name) and a.id in stored and a.id not in self.ssa:
                t = self.names.temp()
                pre.append(gast.Assign(targets=[g.store(t)], value=a, type_comment=None))
                a = g.name(t)
            out.append(a)
        return out

    def store(self, name_):
        if name_ in self.ssa and name_ in self.defined:
            version = self.names.version(name_)
        else:
            version = name_
        self.defined.add(name_)
        self.current[name_] = version
        return g.store(version)

    def load(self, name_, node):
        version = self.current.get(name_, name_)
        if version in self.aliases:  # a local naming a known function: `dg = srcad.grad(g)`
            return g.clone(self.aliases[version])
        return g.located(g.name(version), node)

    # --- expressions --------------------------------------------------------------------------

    def atom(self, expr, pre):
        """`expr` as an atom, with the statements computing it appended to `pre`."""
        expr = self.expression(expr, pre)
        if g.is_atom(expr) or self.is_global_ref(expr):
            return expr
        t = self.names.temp()
        pre.append(gast.Assign(targets=[g.store(t)], value=expr, type_comment=None))
        return g.name(t)

    def expression(self, expr, pre):
        """`expr` as one operation on atoms, with the statements computing its operands in `pre`."""
        if isinstance(expr, gast.Name):
            return self.load(expr.id, expr) if expr.id in self.src.local_names else expr
        if isinstance(expr, gast.Constant) or self.is_global_ref(expr):
            return expr
        visit = getattr(self, "expr_" + type(expr).__name__, None)
        if visit is None:
            return expr  # f-strings and other opaque values carry no derivative
        return visit(expr, pre)

    def expr_BinOp(self, expr, pre):
        return gast.BinOp(left=self.atom(expr.left, pre), op=expr.op, right=self.atom(expr.right, pre))

    def expr_UnaryOp(self, expr, pre):
        if isinstance(expr.operand, gast.Constant) and type(expr.operand.value) in (int, float) \
                and isinstance(expr.op, (gast.USub, gast.UAdd)):
            value = expr.operand.value
            return g.const(-value if isinstance(expr.op, gast.USub) else value)  # a literal like -1
        return gast.UnaryOp(op=expr.op, operand=self.atom(expr.operand, pre))

    def expr_Compare(self, expr, pre):
        if len(expr.ops) > 1:  # a < b < c short-circuits like and/or: kept whole
            return _rename_loads(expr, self.current, self.src.local_names)
        return gast.Compare(left=self.atom(expr.left, pre), ops=expr.ops,
                            comparators=[self.atom(expr.comparators[0], pre)])

    def expr_BoolOp(self, expr, pre):
        return _rename_loads(expr, self.current, self.src.local_names)

    def expr_IfExp(self, expr, pre):
        test = self.atom(expr.test, pre)
        t = self.names.temp()
        self.ssa.discard(t)
        body, orelse = [], []
        body.append(g.assign(t, self.expression(expr.body, body)))
        orelse.append(g.assign(t, self.expression(expr.orelse, orelse)))
        pre.append(gast.If(test=test, body=body, orelse=orelse))
        return g.name(t)

    def expr_Call(self, expr, pre):
        func = expr.func
        args = [self.call_arg(a, pre) for a in expr.args]
        keywords = [gast.keyword(arg=k.arg, value=self.atom(k.value, pre)) for k in expr.keywords]
        if isinstance(func, gast.Attribute) and not self.is_global_ref(func):
            method = registry().methods.get(func.attr)
            receiver = self.atom(func.value, pre)
            if method is not None:
                return g.call(self.src.namespace.refer_function(method), [receiver] + args, keywords)
            return g.call(g.attr(receiver, func.attr), args, keywords)
        if not (isinstance(func, gast.Name) or self.is_global_ref(func)):
            func = self.atom(func, pre)
        elif isinstance(func, gast.Name):
            func = self.expression(func, pre)
        made = self.transformed(func, args, keywords)
        if made is not None:
            return made
        return g.call(func, args, keywords)

    def transformed(self, func, args, keywords):
        """`srcad.grad(g)` (any srcad transformation of a function known now) is made now, so
        that calls of it are calls of a known function: a reference to it, or None."""
        fn = self.src.resolve(func) if self.is_global_ref(func) else UNRESOLVED
        if not API.makes_derivatives(fn):
            return None
        values = [self.constant_value(a) for a in args] + [self.constant_value(k.value) for k in keywords]
        if any(v is UNRESOLVED for v in values):
            return None
        made = fn(*values[:len(args)], **{k.arg: v for k, v in zip(keywords, values[len(args):])})
        return self.src.namespace.refer(made, "d" + getattr(values[0], "__name__", "f"))

    def constant_value(self, expr):
        if isinstance(expr, gast.Constant):
            return expr.value
        if isinstance(expr, gast.Tuple) and all(isinstance(e, gast.Constant) for e in expr.elts):
            return tuple(e.value for e in expr.elts)
        return self.src.resolve(expr, exact=True) if self.is_global_ref(expr) else UNRESOLVED

    def call_arg(self, arg, pre):
        if isinstance(arg, gast.Starred):
            return gast.Starred(value=self.atom(arg.value, pre), ctx=gast.Load())
        return self.atom(arg, pre)

    def expr_Attribute(self, expr, pre):
        receiver = self.atom(expr.value, pre)
        spelled = registry().attributes.get(expr.attr)
        if spelled is not None:  # x.T is np.transpose(x)
            return g.call(self.src.namespace.refer_function(spelled), [receiver])
        return g.attr(receiver, expr.attr)

    def expr_Subscript(self, expr, pre):
        return g.subscript(self.atom(expr.value, pre), self.index(expr.slice, pre))

    def index(self, index, pre):
        if isinstance(index, gast.Slice):
            parts = {k: (self.atom(getattr(index, k), pre) if getattr(index, k) is not None else None)
                     for k in ("lower", "upper", "step")}
            return gast.Slice(**parts)
        if isinstance(index, gast.Tuple):
            return g.tuple_(self.index(e, pre) for e in index.elts)
        return self.atom(index, pre)

    def expr_Tuple(self, expr, pre):
        return g.tuple_(self.call_arg(e, pre) for e in expr.elts)

    def expr_List(self, expr, pre):
        return gast.List(elts=[self.call_arg(e, pre) for e in expr.elts], ctx=gast.Load())

    def expr_Starred(self, expr, pre):
        raise Unsupported(expr, "cannot differentiate a starred expression here", "Unpack explicitly")

    def is_global_ref(self, expr):
        """A name or module attribute chain that denotes an object outside the function."""
        while isinstance(expr, gast.Attribute):
            expr = expr.value
        if not isinstance(expr, gast.Name) or expr.id in self.src.local_names:
            return False
        return self.src.resolve(expr) is not UNRESOLVED


_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//",
            gast.Mod: "%", gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|",
            gast.BitXor: "^", gast.LShift: "<<", gast.RShift: ">>"}


def _params(args):
    params = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    return params + [a for a in (args.vararg, args.kwarg) if a is not None]


def _without_else(loop):
    new = g.clone(loop)
    new.orelse = []
    return g.located(new, loop)


def _pair(target):
    return isinstance(target, gast.Tuple) and len(target.elts) == 2


def _has_starred(target):
    return any(isinstance(e, gast.Starred) for e in target.elts)


def _as_load(target):
    node = g.clone(target)
    for child in gast.walk(node):
        if hasattr(child, "ctx"):
            child.ctx = gast.Load()
    return node


def _refuse_expressions(stmt):
    roots = [stmt] if not isinstance(stmt, COMPOUND) else \
        [getattr(stmt, "test", None) or stmt.iter]
    for root in roots:
        for node in gast.walk(root):
            refused = REFUSED_EXPRESSIONS.get(type(node))
            if refused:
                raise Unsupported(node, f"cannot differentiate {refused[0]}", refused[1])


def _rename_loads(expr, current, local_names):
    expr = g.clone(expr)
    for node in gast.walk(expr):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in local_names:
            node.id = current.get(node.id, node.id)
    return expr


def _stored_names(body):
    """Every name stored in `body`, inside its branches and loops too."""
    return {n for stmt in body for node in gast.walk(stmt) if isinstance(node, gast.Name)
            and isinstance(node.ctx, gast.Store) for n in [node.id]}


def _compound_names(body):
    """Names stored anywhere inside a branch or loop (these keep one name throughout)."""
    names = set()
    for stmt in body:
        if isinstance(stmt, COMPOUND):
            names |= _stored_names([stmt])
    return names
