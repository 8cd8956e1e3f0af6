"""What the tape refuses, as SrcadErrors citing the user's line that is running when it happens.

The tape has no source to point into: the line is found on the stack, the first frame outside
srcad and numpy (numpy's own Python functions may sit between the user and the tape).
"""
import dis
import os
import sys
import sysconfig

import gast
import numpy as np

from .. import errors
from ..errors import SrcadError

_SRCAD_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_LIBRARY_DIRS = tuple({os.path.abspath(sysconfig.get_paths()[k]) + os.sep
                       for k in ("stdlib", "purelib", "platlib")})


def refusal(what, hint):
    """A SrcadError for the user's line that is running now (`user_frame`)."""
    frame = user_frame()
    if frame is None:
        return SrcadError(f"{what}. {hint}.")
    return errors.at(frame.f_code.co_filename, frame.f_lineno, what, hint)


def user_frame():
    """The frame of the user's code running now: the first frame outside srcad and the
    installed libraries (numpy's or scipy's own Python code calling a traced value), else the
    first outside srcad; None when there is none."""
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_SRCAD_DIR):
            frames.append(frame)
        frame = frame.f_back
    users = [f for f in frames
             if not os.path.abspath(f.f_code.co_filename).startswith(_LIBRARY_DIRS)]
    return (users or frames or [None])[0]


def stored_into_array():
    """The refusal of a traced value stored into a plain array (`v[0] = x[0] * x[1]`, `v` a
    copy of a global), or None when the user's line is doing something else. numpy asks the
    value for a float (one element) or an array (a slice), which is all the tape sees of it;
    the instruction the user's frame is running tells the store apart."""
    frame = user_frame()
    if frame is None or _instruction(frame.f_code, frame.f_lasti) != "STORE_SUBSCR":
        return None
    return refusal("a traced value stored into a plain numpy array (a[i] = ...): the tape cannot "
                   "record a change to an array it does not trace",
                   "Build the array from traced values with np.concatenate or np.stack "
                   "(np.concatenate([np.stack([x[0] * x[1]]), a[1:]])), or use srcad.grad, "
                   "which differentiates writes into arrays")


def _instruction(code, offset):
    return next((ins.opname for ins in dis.get_instructions(code) if ins.offset == offset), None)


def no_rule(key):
    name = describe(key)
    return refusal(f"no derivative rule for {name}",
                   f"Register one with srcad.defvjp({name}, rule)")


def no_derivative_for(key, argument):
    name = describe(key)
    return refusal(f"cannot differentiate {name} with respect to its argument {argument}: it has no "
                   "closed-form derivative there, and srcad no rule",
                   f"Leave it out of what is differentiated, or register a rule with srcad.defvjp({name}, rule)")


def uncovered_operand(key, argument):
    name = describe(key)
    return refusal(f"the derivative rule of {name} gives no cotangent for its argument "
                   f"{argument}, which depends on the differentiated arguments",
                   f"Leave it out of wrt if it only selects (an axis, a size), or register a rule "
                   f"that covers it with srcad.defvjp({name}, rule)")


def keyword_operand(key, keyword):
    return refusal(f"a traced value passed as {keyword}= to {describe(key)}, whose derivative "
                   "rule does not name that parameter", f"Pass a constant as {keyword}=, or register a rule "
                   f"naming {keyword} with srcad.defvjp")


def unknown_keyword(key, keywords):
    return refusal(f"the derivative rule of {describe(key)} takes no argument "
                   f"{', '.join(sorted(keywords))}",
                   "Drop it, or register a rule that takes it with srcad.defvjp")


def in_place(key):
    return refusal(f"an in-place {describe(key)} (out=..., or a += x on a plain array) with a "
                   "traced value", "Write a = a + x, or use the returned value")


_OPERATOR_TEXT = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
                  gast.Mod: "%", gast.MatMult: "@", gast.FloorDiv: "//", gast.USub: "unary -",
                  gast.UAdd: "unary +", gast.Invert: "~"}


def describe(key):
    """How the user spells `key`: `np.sin`, `np.linalg.norm`, `the operator **`, `abs`."""
    if isinstance(key, type) and issubclass(key, gast.AST):
        return f"the operator {_OPERATOR_TEXT.get(key, key.__name__)}"
    special = sys.modules.get("scipy.special")
    if isinstance(key, np.ufunc) and special is not None and getattr(special, key.__name__, None) is key:
        return f"scipy.special.{key.__name__}"
    if isinstance(key, np.ufunc):
        return f"np.{key.__name__}"
    name = getattr(key, "__qualname__", None) or getattr(key, "__name__", None) or repr(key)
    module = getattr(key, "__module__", None) or ""
    if module == "numpy" or module.startswith("numpy."):
        module = "np" + module[len("numpy"):]
    return f"{module}.{name}" if module and module != "builtins" else name
