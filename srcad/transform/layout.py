"""Where each variable of a three-address function is defined and read, block by block.

The reverse transform asks three questions of it:
- `local(v)`: is `v` defined once and read only in the block (statement list) of its
  definition? Then its adjoint lives in that block: the first contribution assigns it.
  Any other adjoint is set to zero at the start of the reverse sweep and only accumulates.
- `stable(v)`: is `v` defined at most once, outside any loop? Then its value never changes
  after it is set, and the reverse sweep may read it without saving it.
- `redefined(v)`: is `v` defined more than once, or inside a loop? Its overwritten values are
  saved on the tape when the reverse sweep needs them.
"""
import gast

from .. import gastutil as g
from ..ir import COMPOUND, blocks


class Layout:
    def __init__(self, params, body):
        self.params = set(params)
        self.defs = {p: [(0, False)] for p in params}  # name -> [(block id, inside a loop)]
        self.uses = {}                                 # name -> {block ids}
        self.loop_targets = set()
        self.first_defs = {}                           # name -> the statement defining it first
        self.appended = set()                          # lists built with .append
        self._scan(body)

    def _scan(self, body):
        work = [(body, 0, False)]
        next_id = 1
        while work:
            stmts, block, in_loop = work.pop()
            for stmt in stmts:
                self._record(stmt, block, in_loop)
                if isinstance(stmt, COMPOUND):
                    loop = in_loop or not isinstance(stmt, gast.If)
                    for sub in blocks(stmt):
                        work.append((sub, next_id, loop))
                        next_id += 1

    def _record(self, stmt, block, in_loop):
        if isinstance(stmt, gast.For):
            self.loop_targets.add(stmt.target.id)
            self.defs.setdefault(stmt.target.id, []).append((block, True))
            for name_ in (stmt.iter.id,) if isinstance(stmt.iter, gast.Name) else ():
                self.uses.setdefault(name_, set()).add(-1)  # read again inside the reversed loop
            roots = [stmt.iter]
        elif isinstance(stmt, (gast.If, gast.While)):
            roots = [stmt.test]
        else:
            roots = [stmt]
            if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call) \
                    and isinstance(stmt.value.func, gast.Attribute) and stmt.value.func.attr == "append" \
                    and isinstance(stmt.value.func.value, gast.Name):
                self.appended.add(stmt.value.func.value.id)
                self.uses.setdefault(stmt.value.func.value.id, set()).add(-1)  # never local
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                name_ = stmt.targets[0].id
                self.defs.setdefault(name_, []).append((block, in_loop))
                if name_ not in self.params:
                    self.first_defs.setdefault(name_, (stmt, block))
        for root in roots:
            for node in g.nodes(root):
                if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                    self.uses.setdefault(node.id, set()).add(block)

    def local(self, name_):
        defs = self.defs.get(name_, [])
        if len(defs) != 1 or name_ in self.loop_targets:
            return False
        return self.uses.get(name_, set()) <= {defs[0][0]}

    def stable(self, name_):
        defs = self.defs.get(name_, [])
        return len(defs) <= 1 and not any(in_loop for _, in_loop in defs)

    def first_at_top(self, name_, stmt):
        """Whether `stmt` is the first definition of `name_` and at the top level: nothing
        before it can read the variable, so its old value never needs saving."""
        first = self.first_defs.get(name_)
        return first is not None and first[0] is stmt and first[1] == 0

    def redefined(self, name_):
        return not self.stable(name_)
