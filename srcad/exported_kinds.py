"""What an exported gradient checks of its arguments before it runs.

`srcad.export` writes a derivative compiled for arguments of certain kinds (a float, an
ndarray, something not differentiated) and, where example arguments were given, for certain
array shapes and dtypes. Called with others its code could compute a wrong gradient without an
error (a float's adjoint code does not sum an array's cotangent), so the exported module
refuses them: it copies `check_argument`, and `described` writes what it checks as plain values.
"""
import numpy as np


def described(kind, shape=None):
    """An argument's kind (analyze's FLOAT, INT, ARRAY or OTHER) written as the exported module
    checks it: "float", "other", or ("array", None or (shape, dtype string))."""
    return ("array", shape) if kind == "array" else kind


def check_argument(name, value, kind):
    """Raise TypeError unless `value`, the argument `name`, is of the `kind` the gradient was
    exported for (see `described`)."""
    if kind in ("float", "int"):
        fits = type(value) in (float, int, bool)
    elif kind == "other":
        fits = not isinstance(value, (float, int, np.ndarray, np.generic))
    elif kind[1] is None:
        fits = isinstance(value, (np.ndarray, np.generic))
    else:
        fits = type(value) is np.ndarray and (value.shape, value.dtype.str) == tuple(kind[1])
    if not fits:
        raise TypeError(f"this gradient was exported for {name} of kind {kind!r}, and got "
                        f"{type(value).__name__} {getattr(value, 'shape', '')}: its code is specialised "
                        "on the kinds of its arguments. Export it again for these (srcad.export(..., args=))")
