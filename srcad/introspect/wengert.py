"""The Wengert list of a function, as srcad's own stages make it, and the textbook's numbering.

`wengert(fn)` runs the first stages of `pipeline.derive` (parse, three-address form, single
exit) with the same set-up, so every temporary gets the very name it has in the derivative
(`t1`, `t2`, ...). It numbers the variables the way Baydin et al. (2018) number their
evaluation trace: the n parameters are v_{1-n} ... v_0, then every variable the function
assigns is v_1, v_2, ... in the order of its first assignment. A variable assigned in a loop
keeps one number for all its turns.
"""
import re
from dataclasses import dataclass, field

import gast

from .. import errors, normalize, pipeline, transform
from .. import gastutil as g
from ..errors import Unsupported
from ..ir import COMPOUND

_VERSION = re.compile(r"_\d+$")


@dataclass
class Wengert:
    """A function in three-address form, with the textbook's number of each variable."""
    src: object                 # parse.Source
    tree: gast.FunctionDef      # the three-address form (normalize.three_address)
    params: list
    numbers: dict = field(default_factory=dict)  # variable -> its v index (params <= 0)
    result: str = None          # the returned variable, where the function returns a name

    @property
    def primals(self):
        """The function's own variables (parameters, user variables, temporaries), in order."""
        return sorted(self.numbers, key=self.numbers.get)

    def adjoint_of(self, name_):
        """The variable whose adjoint `name_` is (`bx` -> `x`, `bt3_2` -> `t3`), or None.

        Adjoints are named by `naming.Names.adjoint`: `b` + the variable, with a numeric
        suffix where that name was taken."""
        if name_ in self.numbers or not name_.startswith("b"):
            return None
        for candidate in (name_[1:], _VERSION.sub("", name_[1:])):
            if candidate in self.numbers:
                return candidate
        return None

    def textbook(self, name_):
        """`v_3` for a variable, `v'_3` for its adjoint, None for anything else."""
        if name_ in self.numbers:
            return f"v_{self.numbers[name_]}"
        primal = self.adjoint_of(name_)
        return f"v'_{self.numbers[primal]}" if primal is not None else None

    def renamed(self, node):
        """The source text of `node` with every variable and adjoint spelled the textbook's way."""
        node = g.clone(node)
        spelled = {}
        for child in gast.walk(node):
            if isinstance(child, gast.Name):
                v = self.textbook(child.id)
                if v is not None:
                    placeholder = f"__srcad_v{len(spelled)}__"
                    spelled[placeholder] = v
                    child.id = placeholder
        text = source_of(node)
        for placeholder, v in spelled.items():
            text = text.replace(placeholder, v)
        return text


def wengert(fn):
    """`fn`'s Wengert list (three-address form) and the textbook numbering of its variables."""
    src, names = pipeline.parsed(fn)
    try:
        tree = normalize.three_address(src, names)
        single = transform.single_exit(tree, names)
    except Unsupported as error:
        raise errors.from_unsupported(error, src.filename, src.tree.lineno) from None
    params = [a.id for a in _params(tree.args)]
    numbers = {p: i - len(params) + 1 for i, p in enumerate(params)}
    for name_ in _assigned_in_order(tree.body):
        numbers.setdefault(name_, len(numbers) - len(params) + 1)
    result = None
    last = single.body[-1] if single.body else None
    if isinstance(last, gast.Return) and isinstance(last.value, gast.Name):
        result = last.value.id  # single_exit's result variable, where it made one
        numbers.setdefault(result, len(numbers) - len(params) + 1)
    return Wengert(src, tree, params, numbers, result)


def source_of(node):
    """One line of Python for a statement or expression (a compound statement: its header)."""
    if isinstance(node, gast.For):
        return f"for {source_of(node.target)} in {source_of(node.iter)}"
    if isinstance(node, gast.While):
        return f"while {source_of(node.test)}"
    if isinstance(node, gast.If):
        return f"if {source_of(node.test)}"
    text = g.to_source(node, pretty_source="".join).strip()
    if isinstance(node, gast.expr) and text.startswith("(") and text.endswith(")"):
        try:  # astor's parentheses around a whole expression (`(True)`, `(a, b)` stays)
            compile(text[1:-1], "<text>", "eval")
            if not isinstance(node, gast.Tuple):
                return text[1:-1]
        except SyntaxError:
            pass
    return text


def _assigned_in_order(body):
    """Names stored by the statements of `body`, nested blocks included, in program order."""
    out, work = [], list(reversed(body))
    while work:
        stmt = work.pop()
        if isinstance(stmt, gast.For):
            out += _stored(stmt.target)
        elif isinstance(stmt, (gast.Assign, gast.AugAssign)):
            for target in getattr(stmt, "targets", None) or [stmt.target]:
                out += _stored(target)
        if isinstance(stmt, COMPOUND):
            work.extend(reversed(stmt.body + stmt.orelse))
    return out


def _stored(target):
    return [n.id for n in gast.walk(target) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]


def _params(args):
    params = list(args.posonlyargs) + list(args.args) + list(args.kwonlyargs)
    return params + [a for a in (args.vararg, args.kwarg) if a is not None]

