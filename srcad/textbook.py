"""The textbook example (Baydin et al. 2018, Griewank and Walther): used by the demo."""
import math


def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)
