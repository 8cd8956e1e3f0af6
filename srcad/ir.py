"""What the stages agree on in the trees they pass along: the compound statements and their
blocks, comments and citations (the sweep markers among them), srcad's annotations on nodes,
parameter lists, calls' arguments bound to parameters.

gastutil builds and walks gast nodes; this module says what some of them mean to srcad. A
comment is a statement the emitter prints as `# text` (emit.py); a citation is the comment
emit puts above the statements made from one line of the user's (`model.py:4  z = x * y`),
which load reads back to show errors at that line; a note is a comment about the statement
after it, printed with no citation between them.
"""
import inspect
import re

import gast

from .errors import Unsupported, short

# the compound statements of the three-address form; each holds statement lists (`blocks`),
# in the fields BLOCK_FIELDS
COMPOUND = (gast.If, gast.For, gast.While)
BLOCK_FIELDS = ("body", "orelse")

# the comments that open the two sweeps of a reverse-mode derivative (split.py cuts there)
FORWARD_SWEEP = "forward sweep"
REVERSE_SWEEP = "reverse sweep"


# srcad's own annotations on nodes, each set and read here: a comment's text and whether it
# is a note; the augmented assignment a statement was normalised from; the value a stand-in
# replaces (the array passes)

def comment(text, note=False):
    """A statement the emitter prints as `# text`; a `note` is about the statement after it."""
    marker = gast.Name(id="__srcad_comment__", ctx=gast.Load(), annotation=None, type_comment=None)
    stmt = gast.Expr(value=marker)
    stmt.comment = text
    stmt.note = note
    return stmt


def comment_text(stmt):
    """The text of the comment `stmt`, or None for any other statement."""
    return getattr(stmt, "comment", None)


def is_note(stmt):
    return getattr(stmt, "note", False)


def citation(filename, lineno, code):
    """The text of the comment that cites the user's line above the statements made from it:
    `model.py:4  z = x * y + math.sin(x)` (the trace and the graph cite lines so too)."""
    return f"{short(filename)}:{lineno}  {code}"


def citations_of(filename):
    """A pattern matching a line of generated text that cites a line of `filename`; its group
    is the cited line number."""
    return re.compile(r"^\s*# " + re.escape(short(filename)) + r":(\d+)  ")


def mark_augmented(stmt, name_, symbol):
    """`a += e`, normalised to `a = a + e` (`stmt`): Python changes an array or a list `a` in
    place, which writes.py judges as a write into `a`, spelled `symbol` ("+=")."""
    stmt.in_place = (name_, symbol)


def augmented(stmt):
    """(name, symbol) of the augmented assignment `stmt` was normalised from, else (None, "")."""
    return getattr(stmt, "in_place", (None, ""))


def mark_stand_in(stmt, text):
    """`stmt`'s value is now a stand-in for the value spelled `text` (only its shape is read)."""
    stmt.stand_in_for = text


def stand_in_text(stmt):
    """The text of the value `stmt`'s stand-in replaces, or None if it is no stand-in."""
    return getattr(stmt, "stand_in_for", None)


def blocks(stmt):
    """The statement lists of a compound statement: its body, then its else block."""
    yield stmt.body
    yield stmt.orelse


def parameters(tree):
    """The names of the function `tree`'s parameters that take arguments one by one
    (positional-only, positional, keyword-only), in order."""
    return [a.id for a in tree.args.posonlyargs + tree.args.args + tree.args.kwonlyargs]


def bound_arguments(fn, call, stmt):
    """([(parameter name, argument expression)] of `call` to `fn`, defaults left out; `fn`'s
    signature). Calls srcad cannot follow argument by argument are refused at `stmt`."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise Unsupported(stmt, f"cannot differentiate a call of {fn.__name__} with *args or **kwargs",
                          "Pass the arguments one by one")
    signature = inspect.signature(fn, follow_wrapped=False)  # a decorator's wrapper: its own
    variadic = [("*" if p.kind is p.VAR_POSITIONAL else "**") + p.name
                for p in signature.parameters.values() if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if variadic:  # the values it collects would not be seen as the arguments they are
        raise Unsupported(stmt, f"cannot differentiate a call of {fn.__name__}, which takes "
                                f"{' and '.join(variadic)}", "Give it one named parameter per argument")
    try:
        bound = signature.bind(*call.args, **{k.arg: k.value for k in call.keywords})
    except TypeError as error:
        raise mismatched_call(stmt, fn, error) from None
    return list(bound.arguments.items()), signature


def mismatched_call(stmt, fn, error):
    """The refusal of a call of the user's `fn` that its parameters do not take (Python would
    raise TypeError there), saying how to call it."""
    return Unsupported(stmt, f"the call does not match {fn.__name__}'s parameters ({error})",
                       f"Call it as {fn.__name__}{inspect.signature(fn)}")
