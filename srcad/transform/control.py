"""Lower `break`, `continue` and early `return` to flags and a single exit.

The reverse sweep must mirror exactly the iterations and branches that ran. After this pass a
loop body ends only at its end: `break` sets `brk_` (the loop stops after this turn) and
`skip_` (the rest of this turn is skipped); `continue` sets `skip_`; `return v` stores `v` in
the function's one result variable and sets `ret_`. Statements after a place that may have set
a flag run under `if not flag:`, a branch like any other, so it is recorded like any other.
The function ends with its only `return`.
"""
from dataclasses import dataclass

import gast

from .. import gastutil as g
from ..errors import Unsupported


@dataclass
class _Loop:
    skip: str
    brk: str


def single_exit(tree, names):
    """The three-address function `tree` rewritten to end with its only `return`."""
    jumps = _jumps(tree.body)
    if not jumps:
        return tree
    new = g.clone(tree)
    new.body = _Lowering(names, returns="return" in jumps).function(tree.body)
    return new


def _jumps(body):
    """Which of return, break, continue occur other than as one final top-level return."""
    found = set()
    if not body or not isinstance(body[-1], gast.Return):
        found.add("return")
    for stmt in body[:-1]:
        for node in g.nodes(stmt):
            if isinstance(node, (gast.Return, gast.Break, gast.Continue)):
                found.add(type(node).__name__.lower())
    return found


class _Lowering:
    def __init__(self, names, returns):
        self.names = names
        self.returns = returns  # whether there are returns besides one final one
        self.result = names.fresh("y") if returns else None
        self.ret = names.fresh("ret_") if returns else None

    def function(self, body):
        if not self.returns:  # only break and continue to lower: keep the final return
            out, _ = self.block(body[:-1], None)
            return out + [body[-1]]
        out, _ = self.block(body, None)
        start = [g.assign(self.ret, g.const(False), body[0]), g.assign(self.result, g.const(None), body[0])]
        last = body[-1]
        return start + out + [g.located(gast.Return(value=g.name(self.result)), last)]

    def block(self, stmts, loop):
        """(lowered statements, which escapes they may take: "ret", "brk", "cont")."""
        out = []
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, gast.Return):
                return out + self.returning(stmt, loop), {"ret"}
            if isinstance(stmt, gast.Break):
                return out + self.flags(stmt, loop.skip, loop.brk), {"brk"}
            if isinstance(stmt, gast.Continue):
                return out + self.flags(stmt, loop.skip), {"cont"}
            if isinstance(stmt, gast.If):
                body, escapes = self.block(stmt.body, loop)
                orelse, more = self.block(stmt.orelse, loop)
                escapes |= more
                out.append(g.located(gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse), stmt))
            elif isinstance(stmt, (gast.For, gast.While)):
                lowered, escapes = self.loop(stmt, loop)
                out += lowered
            else:
                out.append(stmt)
                continue
            if escapes:
                rest, more = self.block(stmts[i + 1:], loop)
                if rest:
                    out += self.guarded(rest, loop, stmt)
                return out, escapes | more
        return out, set()

    def loop(self, stmt, outer):
        if stmt.orelse:
            raise Unsupported(stmt, "cannot differentiate a loop with an else block",
                              "Move the else block after the loop, guarded by a flag")
        inner = _Loop(self.names.fresh("skip_"), self.names.fresh("brk_"))
        body, escapes = self.block(stmt.body, inner)
        new = g.clone(stmt)
        if not escapes:
            new.body = body
            return [new], set()
        new.body = [g.assign(inner.skip, g.const(False), stmt)] + body
        if escapes & {"brk", "ret"}:
            new.body.append(g.located(gast.If(test=g.name(inner.brk), body=[gast.Break()], orelse=[]), stmt))
        out = [g.assign(inner.brk, g.const(False), stmt), new]
        if "ret" not in escapes:
            return out, set()
        if outer is not None:  # a return leaves the outer loop too
            out.append(g.located(gast.If(test=g.name(self.ret), body=self.flags(stmt, outer.skip, outer.brk),
                                         orelse=[]), stmt))
        return out, {"ret"}

    def returning(self, stmt, loop):
        out = [g.assign(self.result, stmt.value, stmt), g.assign(self.ret, g.const(True), stmt)]
        if loop is not None:
            out += self.flags(stmt, loop.skip, loop.brk)
        return out

    def flags(self, like, *names_):
        return [g.assign(n, g.const(True), like) for n in names_]

    def guarded(self, rest, loop, like):
        flag = loop.skip if loop is not None else self.ret
        go = self.names.temp()
        test = g.assign(go, gast.UnaryOp(op=gast.Not(), operand=g.name(flag)), like)
        return [test, g.located(gast.If(test=g.name(go), body=rest, orelse=[]), like)]
