"""The cotangents of contractions: np.tensordot, np.dot, np.inner and np.einsum (with the
tangents of einsum's)."""
import numpy as np

from .core import float_dtype, is_zero, like_kind, permutation, shaped_like, unbroadcast, zeros_of


def _tensordot_axes(axes, a_ndim, b_ndim):
    """np.tensordot's `axes` as two lists of non-negative axes, of `a` and of `b`."""
    if np.ndim(axes) == 0:
        n = int(axes)
        return list(range(a_ndim - n, a_ndim)), list(range(n))
    xa, xb = axes
    xa = [xa] if np.ndim(xa) == 0 else list(xa)
    xb = [xb] if np.ndim(xb) == 0 else list(xb)
    return [int(i) % a_ndim for i in xa], [int(i) % b_ndim for i in xb]


def tensordot_left(g, a, b, axes=2):
    """The cotangent of `a` in `np.tensordot(a, b, axes)`."""
    xa, xb = _tensordot_axes(axes, np.ndim(a), np.ndim(b))
    fa = [i for i in range(np.ndim(a)) if i not in xa]
    fb = [i for i in range(np.ndim(b)) if i not in xb]
    t = np.tensordot(g, b, axes=(list(range(len(fa), len(fa) + len(fb))), fb))
    # t's axes: a's free ones, then b's contracted ones in increasing order, each standing
    # for the axis of a it was paired with
    return shaped_like(np.transpose(t, permutation(fa + [xa[xb.index(i)] for i in sorted(xb)])), a)


def tensordot_right(g, a, b, axes=2):
    """The cotangent of `b` in `np.tensordot(a, b, axes)`."""
    xa, xb = _tensordot_axes(axes, np.ndim(a), np.ndim(b))
    fa = [i for i in range(np.ndim(a)) if i not in xa]
    fb = [i for i in range(np.ndim(b)) if i not in xb]
    t = np.tensordot(a, g, axes=(fa, list(range(len(fa)))))
    return shaped_like(np.transpose(t, permutation([xb[xa.index(i)] for i in sorted(xa)] + fb)), b)


def _dot_axes(b):
    """np.dot contracts a's last axis with b's second-to-last (its only one, for a vector)."""
    return [-1], [-2 if np.ndim(b) >= 2 else -1]


def dot_left(g, a, b):
    """The cotangent of `a` in `np.dot(a, b)`, for operands of any number of dimensions."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    return tensordot_left(g, a, b, _dot_axes(b))


def dot_right(g, a, b):
    """The cotangent of `b` in `np.dot(a, b)`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    return tensordot_right(g, a, b, _dot_axes(b))


def inner_left(g, a, b):
    """The cotangent of `a` in `np.inner(a, b)` (a product over the last axes)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    nb = np.ndim(b)
    return np.tensordot(g, b, axes=(list(range(np.ndim(g) - nb + 1, np.ndim(g))), list(range(nb - 1))))


def inner_right(g, a, b):
    """The cotangent of `b` in `np.inner(a, b)`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    na = np.ndim(a)
    return np.tensordot(g, a, axes=(list(range(na - 1)), list(range(na - 1))))


def _einsum_spec(subscripts, ndims):
    """(input subscripts, output subscripts) of an einsum with `...` spelled out as letters."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    inputs = inputs.split(",")
    spare = [c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in spec]
    width = max([n - len(s.replace("...", "")) for s, n in zip(inputs, ndims) if "..." in s] + [0])
    dots = "".join(spare[:width][::-1])
    inputs = [s.replace("...", dots[width - (n - len(s) + 3):]) if "..." in s else s
              for s, n in zip(inputs, ndims)]
    if arrow:
        output = output.replace("...", dots)
    else:
        once = [c for c in "".join(inputs) if "".join(inputs).count(c) == 1 and c not in dots]
        output = dots + "".join(sorted(once))
    return inputs, output, spare[width:]


def einsum_grad(g, k, subscripts, *operands):
    """The cotangent of operand `k` in `np.einsum(subscripts, *operands)` (operands that are
    None, a rule's unused defaults, are left out): `g` contracted with the other operands.
    A letter repeated in the operand (a diagonal) gets an identity matrix, a letter only it
    has (summed away) a vector of ones; axes it broadcast are summed back."""
    operands = [x for x in operands if x is not None]
    if k >= len(operands):
        return None
    inputs, output, spare = _einsum_spec(subscripts, [np.ndim(x) for x in operands])
    x, subs = operands[k], inputs[k]
    shape = np.shape(x)
    dtype = float_dtype(g, x)
    others = [i for i in range(len(operands)) if i != k]
    elsewhere = set(output + "".join(inputs[i] for i in others))
    target, extra, extra_subs = "", [], []
    for letter, n in zip(subs, shape):
        if letter in target:
            fresh = spare.pop()
            extra.append(np.eye(n, dtype=dtype))
            extra_subs.append(letter + fresh)
            letter = fresh
        elif letter not in elsewhere:
            extra.append(np.ones(n, dtype=dtype))
            extra_subs.append(letter)
        target += letter
    spec = ",".join([output] + [inputs[i] for i in others] + extra_subs) + "->" + target
    out = np.einsum(spec, like_kind(g, x), *[operands[i] for i in others], *extra)
    broadcast = tuple(i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1)
    return shaped_like(np.sum(out, axis=broadcast, keepdims=True) if broadcast else out, x)


def einsum_grad_tangent(dg, doperands, g, k, subscripts, operands):
    """The tangent of `einsum_grad(g, k, subscripts, *operands)`: linear in `g` and in each
    operand but the k-th (read for its shape only), so one einsum_grad per varying input."""
    operands = [x for x in operands if x is not None]
    if k >= len(operands):
        return None
    total = None if is_zero(dg) else einsum_grad(dg, k, subscripts, *operands)
    for j, d in enumerate(doperands[:len(operands)]):
        if j != k and not is_zero(d):
            term = einsum_grad(g, k, subscripts, *operands[:j], d, *operands[j + 1:])
            total = term if total is None else total + term
    if total is None:
        return shaped_like(zeros_of(g, np.shape(operands[k]), float_dtype(g, operands[k])), operands[k])
    return total


def einsum_tangent(subscripts, tangents, operands):
    """The tangent of `np.einsum(subscripts, *operands)`: one einsum per varying operand."""
    operands = [x for x in operands if x is not None]
    total = 0.0
    for k, d in enumerate(tangents[:len(operands)]):
        if not is_zero(d):
            total = total + np.einsum(subscripts, *operands[:k], d, *operands[k + 1:])
    return total
