"""Functions the introspection tests trace and draw (a real module, so inspect can read them)."""
import math

import numpy as np


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def sum_of_sines(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * i)
    return s


def clipped(x, y):
    if x > y:
        z = x * y
    else:
        z = x + y
    return z


def halving(x):
    while x > 1.0:
        x = x * 0.5
    return x


def square(z):
    return z * z


def calls_helper(x):
    return square(x) + x


def weighted(w, v):
    return np.sum(w * v)


def vector_out(x):
    return np.array([x, x])
