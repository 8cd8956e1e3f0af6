"""Which values an argument in `wrt` may hold, checked when a derivative is called.

A differentiated argument is a number: a Python float or int, a numpy scalar or an array of
numbers, or a flat list or tuple of them (differentiated as the array it converts to, its
gradient that array's shape). Anything else (a dict, an object, a nested list, a string, None,
a flag) is refused with a SrcadError at f's `def` line that names the argument, what it holds,
and what to pass instead: the generated code would otherwise fail inside srcad with an error
that says nothing, or return a number for a value that has no derivative. Containers of such
values (pytrees) are checked by structured.py.
"""
import numpy as np

from .runtime.core import is_foreign

NUMBERS = (float, int, complex)  # complex is let through here: api refuses it with a message of its own
NUMBER_DTYPES = "fiuc"  # float, int, unsigned int, complex


def refusal(value):
    """None if `value` can be differentiated with respect to, else what it is (for the message)."""
    if type(value) in NUMBERS:
        return None
    if isinstance(value, (np.ndarray, np.generic)) or is_foreign(value):  # a dask array too
        return None if value.dtype.kind in NUMBER_DTYPES else f"{_describe(value)} of dtype {value.dtype}"
    if type(value) in (list, tuple):
        return _refusal_of_sequence(value)
    return _describe(value)


def _refusal_of_sequence(value):
    for item in value:
        if type(item) not in NUMBERS and not (
                isinstance(item, (np.ndarray, np.generic)) and item.dtype.kind in NUMBER_DTYPES):
            return f"{_describe(value)} holding {_describe(item)}"
    try:
        np.asarray(value, dtype=complex) if value else None
    except (ValueError, TypeError):  # arrays of different shapes: no one array to differentiate
        return f"{_describe(value)} of arrays of different shapes"
    return None


def _describe(value):
    if value is None:
        return "None"
    if isinstance(value, bool):
        return f"a bool ({value})"
    if isinstance(value, np.ndarray):
        return "an array"
    return f"a {type(value).__name__}"


def hint(value):
    """What to pass instead of `value`."""
    if isinstance(value, (bool, np.bool_)) or getattr(value, "dtype", None) == np.bool_:
        return "A bool is a flag, not a number to differentiate: pass a float (1.0 for True), " \
               "or leave this argument out of wrt"
    return "Pass a float, an array, or a container (dict, list, tuple, dataclass) of them, and " \
           "leave other values (strings, None, flags) out of wrt"
