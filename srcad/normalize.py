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

from . import comprehensions, nested, owned
from . import gastutil as g
from .errors import Unsupported
from .expressions import Expressions
from .loops import Loops, stored_names
from .ir import COMPOUND, mark_augmented
from .rules.callees import is_user_function

REFUSED_STATEMENTS = {
    gast.Try: ("a try statement", "Move the try/except outside the differentiated function"),
    gast.With: ("a with statement", "Move the with block outside the differentiated function"),
    gast.AsyncWith: ("an async with statement", "Use a plain synchronous function"),
    gast.AsyncFor: ("an async for loop", "Use a plain synchronous function"),
    gast.AsyncFunctionDef: ("an async function", "Use a plain synchronous function"),
    gast.ClassDef: ("a class definition", "Define the class at module level"),
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
    gast.SetComp: ("a set comprehension", "Build a list with a for loop (sets have no order)"),
    gast.DictComp: ("a dict comprehension here (inside and/or, a conditional expression, a lambda, "
                    "another comprehension or a while test)", "Assign the dict comprehension to a "
                                                              "variable in a statement of its own first"),
    gast.NamedExpr: ("an assignment expression (:=)", "Assign in a statement of its own"),
}


def three_address(src, names, own_arguments=()):
    """A new FunctionDef: `src.tree` in three-address form, temporaries drawn from `names`.
    `own_arguments`: the parameters which, if the function writes into them (`x[0] = v`,
    `x += v`), are copied first, so that the derivative never changes the caller's array
    (see owned.py)."""
    tree = owned.written_arguments_copied(src, names, own_arguments) if own_arguments else src.tree
    return _Normalizer(src, names).function(tree)


class _Normalizer(Expressions, Loops):
    def __init__(self, src, names):
        self.src = src
        self.names = names
        self.current = {}
        self.ssa = set()
        self.aliases = {}  # SSA names bound to a known function: loads read the function
        self.loops = 0     # how many loops enclose the statement being normalised
        self.nested = {}   # name -> a function defined inside, written out where it is called
        self.writing = []  # the nested functions being written out (a call of itself is refused)

    def function(self, tree):
        params = [a.id for a in _params(tree.args)]
        self.ssa = stored_names(tree.body) - _compound_names(tree.body)
        self.outside = comprehensions.names_outside(tree)
        self.defined_inside = {n.name for n in g.nodes(tree) if isinstance(n, gast.FunctionDef) and n is not tree}
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

    def visit_FunctionDef(self, stmt):
        """A nested function: written out where it is called (see nested.py)."""
        if stmt.name in self.src.local_names:
            raise Unsupported(stmt, f"cannot differentiate the nested function {stmt.name}, whose "
                                    "name is also assigned in the function", nested.MOVE_OUT)
        if stmt.name in self.nested:  # in two branches, say: which one runs is told at run time
            raise Unsupported(stmt, f"cannot differentiate a second definition of the nested function "
                                    f"{stmt.name}", "Give each nested function a name of its own")
        self.nested[stmt.name] = nested.checked(stmt)
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
            mark_augmented(bound[-1], left.id, g.OPERATOR_SYMBOLS.get(type(stmt.op), "?") + "=")
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
        held = self.hold_iterable(stmt) or self.strict_zip(stmt)
        if held is not None:
            return self.block(held)
        lowered = self.indexed_loop(stmt)
        if lowered is not None:
            return self.visit_For(lowered)
        pre = []
        iterable = self.atom(stmt.iter, pre)
        body = []
        if isinstance(stmt.target, gast.Name) and stmt.target.id not in stored_names(stmt.body):
            target = self.store(stmt.target.id)
        else:
            # a tuple target is unpacked from the item; a target the body re-binds is copied
            # from it (`for t in y: e = t`), so that the loop's own variable keeps the item and
            # `e`, an ordinary variable, has its overwritten values saved like any other
            item = self.names.temp()
            target = g.store(item)
            body = [g.located(s, stmt) for s in self.bind(stmt.target, g.name(item), stmt)]
        body += self.loop_block(stmt.body)
        return pre + [gast.For(target=target, iter=iterable, body=body or [gast.Pass()],
                               orelse=self.block(stmt.orelse), type_comment=None)]

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




def _params(args):
    params = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    return params + [a for a in (args.vararg, args.kwarg) if a is not None]


def _without_else(loop):
    new = g.clone(loop)
    new.orelse = []
    return g.located(new, loop)


def _has_starred(target):
    return any(isinstance(e, gast.Starred) for e in target.elts)


def _as_load(target):
    node = g.clone(target)
    for child in g.walk(node):
        if hasattr(child, "ctx"):
            child.ctx = gast.Load()
    return node


def _refuse_expressions(stmt):
    roots = [stmt] if not isinstance(stmt, COMPOUND) else \
        [getattr(stmt, "test", None) or stmt.iter]
    for root in roots:
        for node in g.walk(root):
            refused = REFUSED_EXPRESSIONS.get(type(node))
            if refused:
                raise Unsupported(node, f"cannot differentiate {refused[0]}", refused[1])


def _compound_names(body):
    """Names stored anywhere inside a branch or loop (these keep one name throughout)."""
    names = set()
    for stmt in body:
        if isinstance(stmt, COMPOUND):
            names |= stored_names([stmt])
    return names
