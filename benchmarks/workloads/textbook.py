"""The textbook function of two floats: ln(x1) + x1*x2 - sin(x2) at (2, 5)."""
import math

import numpy as np

from . import Case

torch = None  # the torch column binds the real module here (see rebind)


def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def f_numpy(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2)


def f_torch(x1, x2):
    return torch.log(x1) + x1 * x2 - torch.sin(x2)


def hand_written(x1, x2):
    return 1.0 / x1 + x2, x1 - math.cos(x2)


def cases(scale):
    return [Case("textbook", "textbook", "grad", f, hand_written, (2.0, 5.0), (0, 1),
                 numpy=f_numpy, torch=f_torch)]
