"""The functions docs/how-it-works.md differentiates (its code blocks cite this file's lines)."""
import math

import numpy as np


def power_sum(x, n):
    s = 0.0
    p = 1.0
    for i in range(n):
        p = p * x
        s = s + p
    return s


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def neuron(w, x, b):
    return sigmoid(w * x + b) * x


def relu_step(x, y):
    if x > 0.0:
        z = x * y
    else:
        z = 0.0
    return z + y


def rosenbrock(x: np.ndarray):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rnn(Wx, Wh, b, v, xs, ys, h0):
    h = h0
    loss = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(Wx @ xs[t] + Wh @ h + b)
        loss = loss + (v @ h - ys[t]) ** 2
    return loss / xs.shape[0]


def rnn_args(steps=50, hidden=16, n_in=8):
    """Arguments for `rnn` of these sizes (the generated code shows only their shapes)."""
    r = np.random.default_rng(0)
    return (r.normal(size=(hidden, n_in)), r.normal(size=(hidden, hidden)), r.normal(size=hidden),
            r.normal(size=hidden), r.normal(size=(steps, n_in)), r.normal(size=steps), np.zeros(hidden))
