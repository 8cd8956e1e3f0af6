"""What a call reaches: a function with rules, a library's, a derivative srcad made, or a
function of the user's that srcad reads and differentiates too.

Derivatives srcad made (`srcad.grad(g)` called inside a differentiated function) are made by
the API, which sits above every stage that meets them. It passes in what those stages need
to know of them (`API`): which of its functions make derivatives of a known function at once
(normalize makes `srcad.grad(g)` then), and how a derivative it made gets derivative rules of
its own (analyze asks for them when code calls one).
"""
import inspect

from ..depends import is_library
from . import registry


class Api:
    """The API's answers, given by the API itself when it is imported (api.py, made.py)."""

    def __init__(self):
        self.transformations = ()   # srcad.grad, value_and_grad, jvp, jacobian, hessian
        self.give_rules = None      # fn -> whether `fn`, a derivative srcad made, has rules now

    def makes_derivatives(self, fn):
        """Whether `fn` is one of the API's transformations (`srcad.grad`, ...)."""
        return any(fn is t for t in self.transformations)

    def rules_for_made(self, fn):
        """Give `fn`, a derivative srcad made, its derivative rules where it can have some."""
        return self.give_rules is not None and self.give_rules(fn)


API = Api()


def made_by_srcad(fn):
    return getattr(fn, "__srcad__", None) is not None


# what `srcad.checkpoint(g)` marks its copy of g with (custom.py)
CHECKPOINTED = "__srcad_checkpoint__"


def is_checkpointed(fn):
    """Whether the user's function `fn` was made by `srcad.checkpoint`: a call of it keeps only
    its inputs, and the reverse sweep runs its forward part again."""
    return getattr(fn, CHECKPOINTED, False) is True


def is_user_function(fn):
    """A plain Python function of the user's (not a library's, not one with a rule, not one
    srcad made: functools.wraps gives those the module and source of the function they
    differentiate)."""
    if not inspect.isfunction(fn) or registry().knows(fn) or made_by_srcad(fn):
        return False
    return not is_library(fn)
