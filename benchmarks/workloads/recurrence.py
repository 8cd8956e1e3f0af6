"""A scalar recurrence: x = x + 0.01 sin(x y); y = y cos(0.01 x), n steps, gradient wrt x, y."""
import math

import numpy as np

from . import Case

torch = None  # the torch column binds the real module here (see rebind)


def recurrence(x, y, n):
    for i in range(n):
        x = x + 0.01 * math.sin(x * y)
        y = y * math.cos(0.01 * x)
    return x + y


def recurrence_numpy(x, y, n):
    for i in range(n):
        x = x + 0.01 * np.sin(x * y)
        y = y * np.cos(0.01 * x)
    return x + y


def recurrence_torch(x, y, n):
    for i in range(n):
        x = x + 0.01 * torch.sin(x * y)
        y = y * torch.cos(0.01 * x)
    return x + y


def hand_written(x, y, n):
    xs, ys = [], []
    for i in range(n):
        xs.append(x)
        ys.append(y)
        x = x + 0.01 * math.sin(x * y)
        y = y * math.cos(0.01 * x)
    bx, by = 1.0, 1.0
    for i in reversed(range(n)):
        x1 = xs[i] + 0.01 * math.sin(xs[i] * ys[i])
        c = math.cos(0.01 * x1)
        by_in = by
        by = by_in * c
        bx1 = bx - by_in * ys[i] * math.sin(0.01 * x1) * 0.01
        t = bx1 * 0.01 * math.cos(xs[i] * ys[i])
        bx = bx1 + t * ys[i]
        by += t * xs[i]
    return bx, by


def case(n):
    return Case(f"recurrence {n} steps", "recurrence", "grad", recurrence, hand_written,
                (0.3, 0.7, n), (0, 1), numpy=recurrence_numpy, torch=recurrence_torch, size=n)


def cases(scale):
    return [case(10 if scale == "tiny" else 1000)]
