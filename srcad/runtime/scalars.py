"""The longer math of the scalar rules (operators, math, numpy's elementwise functions), with
the edge values JAX gives: powers at 0, division by a Python zero, |x| at 0, the logistic
function without overflow."""
import math

import numpy as np

from .core import is_foreign, refuse_complex


TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def log(x):
    """`math.log` for a float, `np.log` otherwise (the exponent's rule of `x ** y`)."""
    if type(x) is float or type(x) is int:
        return math.log(x)
    return np.log(x)


def power_slope(x, y):
    """d(x ** y)/dx = y x^(y-1) where Python would raise, as JAX computes it: at x = 0 a
    power below 1 gives inf (0 ** -0.5), a whole exponent 0 gives 0 (a float 0.0 gives nan:
    0 * inf); a negative x with a fractional y (a complex power) is refused."""
    if type(x) is float or type(x) is int:
        if x > 0:
            return y * x ** (y - 1)
        if x == 0:
            return _power_slope_at_zero(x, y)
        if (type(y) is float or type(y) is int) and not float(y).is_integer():
            refuse_complex(f"{x!r} ** {y!r} is complex")
    return y * x ** (y - 1)  # numpy: inf, nan and warnings as JAX's (IEEE) arithmetic gives


def _power_slope_at_zero(x, y):
    if type(y) is int and y == 0:
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = y * np.power(np.float64(x), np.subtract(y, 1, dtype=np.float64))
    return float(slope) if np.ndim(slope) == 0 else slope


def power_log(x):
    """log(x) as the exponent's derivative of `x ** y` (ans * log x) takes it, as JAX does:
    log 1 = 0 stands in at x = 0 (ans * log x -> 0 there for y > 0: d(0 ** y)/dy = 0), nan
    for a negative x (x ** y is not real for y near a whole number)."""
    if type(x) is float or type(x) is int:
        return math.log(x) if x > 0 else (0.0 if x == 0 else math.nan)
    return np.log(np.where(x == 0, 1, x))


def inverse_or_zero(x):
    """1 / x, 0 where x is 0 (the derivative of power_log, constant at 0)."""
    if type(x) is float or type(x) is int:
        return 1.0 / x if x != 0 else 0.0
    if is_foreign(x):  # no `out=` in other libraries: 1 / x where x is not 0
        return np.where(x != 0, 1.0 / np.where(x != 0, x, 1.0), 0.0)
    x = np.asarray(x)
    return np.divide(1.0, x, out=np.zeros(x.shape, np.result_type(x, 1.0)), where=x != 0)


def over(a, b):
    """a / b with IEEE's answer where b is a Python zero (inf of a's sign, nan for 0 / 0), as
    numpy and JAX give it, where Python floats raise ZeroDivisionError: d sqrt(x) at 0 is inf."""
    if (type(b) is float or type(b) is int) and b == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.true_divide(a, np.float64(b))
        return float(out) if type(a) is float or type(a) is int else out
    return a / b


def abs_slope(x):
    """d|x|/dx as JAX takes it: 1 where x >= 0 (at 0 too), -1 elsewhere (also at nan)."""
    if type(x) is float or type(x) is int:
        return 1.0 if x >= 0 else -1.0
    x = x if is_foreign(x) else np.asarray(x)
    one = (x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)).type(1)
    return np.where(x >= 0, one, -one)


def expit(z, overwrite=False):
    """1 / (1 + exp(-z)) without overflow: the derivative of `np.logaddexp(x1, x2)` in x1 is
    `expit(x1 - x2)`, and it needs no value of logaddexp. Where no z is below -_NO_OVERFLOW
    (nan aside), exp(-z) is finite and the formula is computed as it stands (five passes,
    one new array); else from exp(-|z|) alone, exact down to the smallest subnormal. Another
    library's array (dask) takes the exp(-|z|) form, with no Python `if` on its values.
    `overwrite`: `z` is an array generated code made and reads no more (see
    srcad/optimize/in_place.py); the first form is then computed in it, with no new array."""
    if is_foreign(z):
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0, e) / (1.0 + e)
    if np.ndim(z) == 0:
        e = np.exp(-abs(z))
        return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)
    z = np.asarray(z)
    if z.dtype.kind not in "fc":
        z = z.astype(float)
    bound = _NO_OVERFLOW.get(z.dtype)
    if bound is not None and z.size and np.fmin.reduce(z, axis=None) > -bound:  # fmin skips nan
        own = overwrite and z.base is None and z.flags.writeable and z.dtype.kind == "f"
        e = np.negative(z, out=z if own else None)
        np.exp(e, out=e)
        e += 1.0
        return np.reciprocal(e, out=e)
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    # the numerator, 1 where z >= 0 and e elsewhere, is max(e, z >= 0) since 0 <= e <= 1
    # (nan stays nan): a third of the time np.where takes to pick between e and a constant
    out = np.maximum(e, z >= 0)
    e += 1.0
    out /= e
    return out


# |z| below which exp(|z|) is finite, by dtype (exp overflows from 709.78 and 88.72)
_NO_OVERFLOW = {np.dtype(np.float64): 700.0, np.dtype(np.float32): 85.0}


def expit_tangent(dz, z):
    """The tangent of expit(z): expit(z) expit(-z) dz."""
    return dz * expit(z) * expit(-z)


def sign(x):
    """-1, 0 or 1 like x: a float for a float, an array for an array."""
    if type(x) is float or type(x) is int:
        return (x > 0) - (x < 0) + 0.0
    return np.sign(x)
