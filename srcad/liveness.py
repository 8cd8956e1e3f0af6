"""Liveness: after each simple statement, the names a later statement may read before any
statement redefines them (a backward dataflow over the structured three-address tree; a loop's
body is run to a fixed point, `break` leads after the loop, `continue` to its head)."""
import gast

from . import gastutil as g


def live_after(body):
    """id(simple statement) -> the names some later statement may read before redefining them
    (a backward dataflow over the structured tree, loops to a fixed point)."""
    live = {}
    _Liveness(live).block(body, set(), None)
    return live


class _Liveness:
    def __init__(self, live):
        self.live = live

    def block(self, stmts, out, loop):
        """The names live before `stmts`, given those live after; `loop`: (after the loop, at
        its head) for break and continue."""
        current = set(out)
        for stmt in reversed(stmts):
            current = self.statement(stmt, current, loop)
        return current

    def statement(self, stmt, out, loop):
        if isinstance(stmt, gast.If):
            return set(g.names_in(stmt.test)) | self.block(stmt.body, out, loop) \
                | self.block(stmt.orelse, out, loop)
        if isinstance(stmt, (gast.For, gast.While)):
            return self.loop(stmt, out)
        if isinstance(stmt, gast.Break):
            return set(loop[0]) if loop else set(out)
        if isinstance(stmt, gast.Continue):
            return set(loop[1]) if loop else set(out)
        self.live[id(stmt)] = set(out) | self.live.get(id(stmt), set())
        defined = set(g.assigned_names(stmt.targets[0])) if isinstance(stmt, gast.Assign) else set()
        return (set(out) - defined) | set(g.names_in(stmt))

    def loop(self, stmt, out):
        test = set(g.names_in(stmt.test)) if isinstance(stmt, gast.While) else set()
        target = set(g.assigned_names(stmt.target)) if isinstance(stmt, gast.For) else set()
        leaving = self.block(stmt.orelse, out, None)  # a break skips the else block
        head = leaving | test
        while True:  # the live sets only grow: this ends
            body_in = self.block(stmt.body, head, (out, head))
            new_head = leaving | test | (body_in - target)
            if new_head == head:
                break
            head = new_head
        return head | (set(g.names_in(stmt.iter)) if isinstance(stmt, gast.For) else set())
