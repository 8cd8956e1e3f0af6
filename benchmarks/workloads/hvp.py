"""Hessian-vector product of the vectorised Rosenbrock function (forward over reverse)."""
import numpy as np

from . import Case, rng
from .rosenbrock import point, rosenbrock, rosenbrock_torch


def hand_written(x, v):
    """H v for Rosenbrock: H is tridiagonal."""
    a = x[:-1]
    r = x[1:] - a * a
    diag = np.zeros_like(x)
    diag[:-1] = -400.0 * r + 800.0 * a * a + 2.0
    diag[1:] += 200.0
    off = -400.0 * a  # H[i, i+1] = H[i+1, i]
    hv = diag * v
    hv[:-1] += off * v[1:]
    hv[1:] += off * v[:-1]
    return hv


def cases(scale):
    n = 5 if scale == "tiny" else 100
    return [Case(f"hvp rosenbrock n={n}", "hvp", "hvp", rosenbrock, hand_written,
                 (point(n), rng(1).normal(size=n)), torch=rosenbrock_torch, size=n)]
