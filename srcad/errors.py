"""Errors: `SrcadError`, the one public exception, and `Unsupported`, its internal twin.

Passes raise `Unsupported(node, what, hint)` with the node they refuse; only the pipeline turns it
into a `SrcadError`, so the `FILE:LINE:` prefix is formatted in exactly one place (`at`).
"""
import linecache
import os


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
    """A SrcadError for the user's line `lineno` of `filename`, quoting that line."""
    message = f"{filename}:{lineno}: {what}."
    if hint:
        message += " " + hint.rstrip(".") + "."
    line = linecache.getline(filename, lineno).strip() if lineno else ""
    if line:
        message += "\n    " + line
    return SrcadError(message, filename, lineno)


def from_unsupported(error, filename, default_lineno):
    """Turn a pass's `Unsupported` into the user's `SrcadError`."""
    lineno = getattr(error.node, "lineno", None) or default_lineno
    return at(filename, lineno, error.what, error.hint)


def short(filename):
    """The file name as comments in generated code cite it."""
    return os.path.basename(filename)
