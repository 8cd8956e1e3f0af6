"""Errors: `SrcadError`, the one public exception, and `Unsupported`, its internal twin.

Passes raise `Unsupported(node, what, hint)` with the node they refuse; only the pipeline turns it
into a `SrcadError`, so the `FILE:LINE:` prefix is formatted in exactly one place (`at`).
"""
import linecache
import os

import numpy as np


class SrcadError(Exception):
    """Everything srcad refuses. The message starts with `FILE:LINE:` of the user's own line.

    Attributes `filename` and `lineno` hold that place; both are None where no line exists
    (a builtin, a lambda made by `eval`).
    """

    def __init__(self, message, filename=None, lineno=None):
        super().__init__(message)
        self.filename = filename
        self.lineno = lineno


class Unsupported(Exception):
    """Raised by a pass on a node it cannot differentiate; `derive()` turns it into SrcadError."""

    def __init__(self, node, what, hint):
        super().__init__(what)
        self.node = node
        self.what = what
        self.hint = hint


def at(filename, lineno, what, hint=""):
    """A SrcadError for the user's line `lineno` of `filename`, quoting that line (no place
    where `filename` is None: a builtin has no source)."""
    message = f"{filename}:{lineno}: {what}." if filename is not None else f"{what}."
    if hint:
        message += " " + hint.rstrip(".") + "."
    line = linecache.getline(filename, lineno).strip() if lineno else ""
    if line:
        message += "\n    " + line
    return SrcadError(message, filename, lineno)


class OutputTypeError(SrcadError, TypeError):
    """A transformation that needs a number as output got something else (a str, None, a list,
    a dict, a bool): a TypeError as well as a SrcadError."""


def bad_output(filename, lineno, transform, fn_name, value):
    """The error for `fn_name` returning `value` where `transform` needs a real scalar: a
    SrcadError for an array of another shape or a complex number, else an OutputTypeError."""
    if isinstance(value, np.ndarray) and value.ndim:
        return at(filename, lineno, f"{transform} needs a scalar output, but {fn_name} returned an "
                                    f"array of shape {value.shape}", _JACOBIAN_HINT)
    if not isinstance(value, (tuple, list)) and np.iscomplexobj(value) and np.ndim(value) == 0:
        return complex_error(filename, lineno, transform, f"{fn_name} returned a complex number")
    error = at(filename, lineno, f"{transform} needs a scalar output (a float), but {fn_name} "
                                 f"returned {describe(value)}",
               _JACOBIAN_HINT if isinstance(value, (tuple, list)) else "Return a float or a 0-d array")
    return OutputTypeError(str(error), filename, lineno)


_JACOBIAN_HINT = "Use srcad.vjp for a vector-Jacobian product or srcad.jacobian for the whole Jacobian"


def complex_error(filename, lineno, transform, what):
    """The refusal of a complex number met by a derivative (srcad differentiates real code)."""
    return at(filename, lineno, f"{transform} cannot differentiate complex numbers: {what}",
              "srcad differentiates real-valued code only: work with the real and imaginary parts "
              "as two real numbers (or arrays)")


def describe(value):
    """A short phrase naming what `value` is, for messages: `a str ('hello')`."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    name_ = type(value).__name__
    article = "an" if name_[:1] in "aeiou" else "a"
    return f"{article} {name_} ({shown})" if value is not None else "None"


def from_unsupported(error, filename, default_lineno):
    """Turn a pass's `Unsupported` into the user's `SrcadError`."""
    lineno = getattr(error.node, "lineno", None) or default_lineno
    return at(filename, lineno, error.what, error.hint)


def short(filename):
    """The file name as comments in generated code cite it."""
    return os.path.basename(filename)
