"""Normalise expressions (a part of normalize.py's `_Normalizer`): a nested expression becomes
one operation on atoms, the statements computing its operands appended before it.

A method spelling becomes the function it stands for (`x.sum()` is `np.sum(x)`, `x.T` is
`np.transpose(x)`); `srcad.grad(g)` of a function known now is made now, so that calls of it
are calls of a known function; `a if c else b` keeps both sides' statements on their side.
"""
import gast

from . import comprehensions, nested
from . import gastutil as g
from .errors import Unsupported
from .parse import UNRESOLVED
from .rules import registry
from .rules.callees import API


class Expressions:
    """The `expr_<Node>` visitors of the normaliser, and the atoms they make."""

    def atom(self, expr, pre):
        """`expr` as an atom, with the statements computing it appended to `pre`."""
        return self.temporary(self.expression(expr, pre), pre)

    def temporary(self, expr, pre):
        """`expr` (one operation on atoms) as an atom: a new temporary assigned it in `pre`."""
        if g.is_atom(expr) or self.is_global_ref(expr):
            return expr
        t = self.names.temp()
        pre.append(gast.Assign(targets=[g.store(t)], value=expr, type_comment=None))
        return g.name(t)

    def expression(self, expr, pre):
        """`expr` as one operation on atoms, with the statements computing its operands in `pre`."""
        if isinstance(expr, gast.Name):
            if expr.id in self.nested:
                raise Unsupported(expr, f"cannot differentiate the nested function {expr.id} used as "
                                        "a value (only its calls are written out)", nested.MOVE_OUT)
            return self.load(expr.id, expr) if expr.id in self.src.local_names else expr
        if isinstance(expr, gast.Constant) or self.is_global_ref(expr):
            return expr
        visit = getattr(self, "expr_" + type(expr).__name__, None)
        if visit is None:
            return expr  # f-strings and other opaque values carry no derivative
        return visit(expr, pre)

    def expr_BinOp(self, expr, pre):
        """`a + b + c + ...` is a chain of BinOps down their left operands, as deep as the line
        is long: the chain is walked with a list, not by recursion (a few hundred terms would
        exceed Python's recursion limit); each inner BinOp becomes a temporary, in the order
        recursion would give: its left operand, its right operand, then itself."""
        chain = [expr]
        while isinstance(chain[-1].left, gast.BinOp):
            chain.append(chain[-1].left)
        left = self.atom(chain[-1].left, pre)
        for node in reversed(chain[1:]):
            left = self.temporary(gast.BinOp(left=left, op=node.op, right=self.atom(node.right, pre)), pre)
        return gast.BinOp(left=left, op=expr.op, right=self.atom(expr.right, pre))

    def expr_UnaryOp(self, expr, pre):
        if isinstance(expr.operand, gast.Constant) and type(expr.operand.value) in (int, float) \
                and isinstance(expr.op, (gast.USub, gast.UAdd)):
            value = expr.operand.value
            return g.const(-value if isinstance(expr.op, gast.USub) else value)  # a literal like -1
        return gast.UnaryOp(op=expr.op, operand=self.atom(expr.operand, pre))

    def expr_Compare(self, expr, pre):
        if len(expr.ops) > 1 and not _has_comprehension(expr):  # a < b < c short-circuits: kept whole
            return _rename_loads(expr, self.current, self.src.local_names)
        if len(expr.ops) == 1:
            return gast.Compare(left=self.atom(expr.left, pre), ops=expr.ops,
                                comparators=[self.atom(expr.comparators[0], pre)])
        # with a comprehension, as the ifs it stands for: `t = a < b; if t: t = b < c`, b once
        t = self.names.temp()
        self.ssa.discard(t)
        left, block = self.atom(expr.left, pre), pre
        for k, (op, comparator) in enumerate(zip(expr.ops, expr.comparators)):
            body = block if k == 0 else []
            right = self.atom(comparator, body)
            body.append(g.assign(t, gast.Compare(left=left, ops=[op], comparators=[right])))
            if k:
                block.append(gast.If(test=g.name(t), body=body, orelse=[]))
                block = body
            left = right
        return g.name(t)

    def expr_BoolOp(self, expr, pre):
        """`a and b` is kept whole (Python evaluates `b` only where `a` is true); with a
        comprehension in it (`any(...) and all(...)`), which needs statements of its own, it is
        written out as the ifs it stands for: `t = a; if t: t = b` (`if not t:` for `or`)."""
        if not _has_comprehension(expr):
            return _rename_loads(expr, self.current, self.src.local_names)
        t = self.names.temp()
        self.ssa.discard(t)
        block = pre
        block.append(g.assign(t, self.expression(expr.values[0], block)))
        for value in expr.values[1:]:
            test = g.name(t) if isinstance(expr.op, gast.And) else \
                self.temporary(gast.UnaryOp(op=gast.Not(), operand=g.name(t)), block)
            body = []
            body.append(g.assign(t, self.expression(value, body)))
            block.append(gast.If(test=test, body=body, orelse=[]))
            block = body  # the next value only where this one was evaluated
        return g.name(t)

    def expr_ListComp(self, expr, pre, accumulate=None):
        """A comprehension (or generator expression) as the loop building its list, or with
        `accumulate` (a start value) adding its elements: see comprehensions.py."""
        result = self.names.temp()
        stmts, renamed = comprehensions.lowered(expr, result, self.names, self.outside, accumulate)
        self.outside |= renamed  # the next comprehension's `v` is another variable
        self.src.local_names |= renamed | {result}
        self.ssa -= renamed  # set in a loop: one name throughout
        pre.extend(self.block(stmts))
        return self.load(result, expr)

    expr_GeneratorExp = expr_ListComp

    def is_builtin(self, func, fns):
        """Whether `func` names one of the builtins `fns` (not a variable of the same name, unless
        that variable is bound to it: `largest = max`)."""
        if isinstance(func, gast.Name) and func.id in self.src.local_names:
            func = self.aliases.get(self.current.get(func.id, func.id))  # see normalize.load
        return isinstance(func, gast.Name) and func.id not in self.src.local_names \
            and any(self.src.resolve(func) is fn for fn in fns)

    def extremum_or_default(self, expr, pre):
        """`max(xs, default=d)` (and min): `d` where `xs` is empty, as in Python, written out as
        `items = list(xs); fallback = d; if len(items) > 0: t = max(items) else: t = fallback`."""
        fallback, result = self.names.temp(), self.names.temp()
        default = next(k.value for k in expr.keywords if k.arg == "default")
        keywords = [k for k in expr.keywords if k.arg != "default"]
        iterable, stmts = expr.args[0], []
        if isinstance(iterable, comprehensions.LOWERED):
            # its loop fills a list of its own: that list is `items` (under another name, what
            # it holds would be hidden from aliasing.py, which then fears lists sharing items)
            items = self.expression(iterable, pre).id
        else:
            items = self.names.temp()
            if not isinstance(iterable, (gast.List, gast.Tuple)):  # a list already
                iterable = g.call(self.builtin(list), [iterable])  # an iterator is read once, as max does
            stmts.append(g.assign(items, iterable))
        nonempty = gast.Compare(left=g.call(self.builtin(len), [g.name(items)]), ops=[gast.Gt()],
                                comparators=[g.const(0)])
        stmts += [g.assign(fallback, default),
                  gast.If(test=nonempty, body=[g.assign(result, g.call(expr.func, [g.name(items)], keywords))],
                          orelse=[g.assign(result, g.name(fallback))])]
        for stmt in stmts:
            for node in [stmt] + stmt.body + stmt.orelse if isinstance(stmt, gast.If) else [stmt]:
                g.located(node, expr)
        self.src.local_names |= {items, fallback, result}
        pre.extend(self.block(stmts))
        return self.load(result, expr)

    def written_out(self, fdef, call, pre):
        """The call `call` of the nested function `fdef`, its body written out into `pre`."""
        if fdef in self.writing:
            raise Unsupported(call, f"cannot differentiate the nested function {fdef.name}, which "
                                    "calls itself", "Rewrite the recursion as a loop")
        stmts, value, renamed = nested.written_out(fdef, call, self.names)
        self.src.local_names |= renamed
        self.writing.append(fdef)
        try:
            pre.extend(self.block(stmts))
            return self.expression(value, pre)
        finally:
            self.writing.pop()

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
        if isinstance(func, gast.Name) and func.id in self.nested:
            return self.written_out(self.nested[func.id], expr, pre)
        if isinstance(func, gast.Name) and func.id in self.defined_inside:
            raise Unsupported(expr, f"cannot differentiate a call of {func.id} before its def inside "
                                    "the function (Python raises UnboundLocalError there)",
                              "Define the nested function before calling it")
        if isinstance(func, gast.Name) and func.id not in self.src.local_names and not expr.keywords \
                and len(expr.args) in (1, 2) and isinstance(expr.args[0], comprehensions.LOWERED) \
                and self.src.resolve(func) is sum:  # sum(e for v in xs): the loop adding them
            start = expr.args[1] if len(expr.args) == 2 else g.const(0)
            return self.expr_ListComp(expr.args[0], pre, accumulate=start)
        if self.is_builtin(func, (max, min)) and not any(isinstance(a, gast.Starred) for a in expr.args):
            if any(k.arg == "default" for k in expr.keywords) and len(expr.args) == 1:
                return self.extremum_or_default(expr, pre)
            if len(expr.args) >= 5:  # max(a, b, c, d, e) is the max of the list [a, b, c, d, e]
                expr = gast.Call(func=func, args=[gast.List(elts=expr.args, ctx=gast.Load())],
                                 keywords=expr.keywords)
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


def _has_comprehension(expr):
    return any(isinstance(node, comprehensions.LOWERED) for node in gast.walk(expr))


def _rename_loads(expr, current, local_names):
    expr = g.clone(expr)
    for node in g.walk(expr):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id in local_names:
            node.id = current.get(node.id, node.id)
    return expr
