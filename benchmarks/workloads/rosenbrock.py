"""Vectorised Rosenbrock: sum(100 (x[1:] - x[:-1]^2)^2 + (1 - x[:-1])^2)."""
import numpy as np

from . import Case, rng

torch = None  # the torch column binds the real module here (see rebind)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_torch(x):
    return torch.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def hand_written(x):
    a = x[:-1]
    r = x[1:] - a * a
    g = np.zeros_like(x)
    g[:-1] = -400.0 * r * a - 2.0 * (1.0 - a)
    g[1:] += 200.0 * r
    return (g,)


def point(n, seed=0):
    return rng(seed).uniform(-1.0, 1.5, n)


def case(n):
    return Case(f"rosenbrock n={n:,}", "rosenbrock", "grad", rosenbrock, hand_written,
                (point(n),), (0,), torch=rosenbrock_torch, size=n)


def cases(scale):
    sizes = {"tiny": (1, 5), "quick": (10, 1000, 100_000)}.get(scale, (10, 1000, 1_000_000))
    return [case(n) for n in sizes]
