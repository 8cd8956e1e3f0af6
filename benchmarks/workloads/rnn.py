"""A tanh RNN over T steps in a Python loop: h = tanh(W @ h + U @ x[t] + b); loss = sum of the
squares of the last h; gradient with respect to W, U and b."""
import numpy as np

from . import Case, rng

torch = None  # the torch column binds the real module here (see rebind)


def rnn_loss(W, U, b, xs, h):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h * h)


def rnn_loss_torch(W, U, b, xs, h):
    for t in range(xs.shape[0]):
        h = torch.tanh(W @ h + U @ xs[t] + b)
    return torch.sum(h * h)


def hand_written(W, U, b, xs, h):
    hs = [h]
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t] + b)
        hs.append(h)
    bW, bU, bb = np.zeros_like(W), np.zeros_like(U), np.zeros_like(b)
    bh = 2.0 * h
    for t in reversed(range(xs.shape[0])):
        ba = bh * (1.0 - hs[t + 1] * hs[t + 1])
        bW += np.outer(ba, hs[t])
        bU += np.outer(ba, xs[t])
        bb += ba
        bh = W.T @ ba
    return bW, bU, bb


def data(steps, hidden, n_in, seed=0):
    r = rng(seed)
    W = r.normal(0.0, 0.5 / np.sqrt(hidden), (hidden, hidden))
    U = r.normal(0.0, 1.0 / np.sqrt(n_in), (hidden, n_in))
    b = r.normal(0.0, 0.1, hidden)
    xs = r.normal(0.0, 1.0, (steps, n_in))
    return W, U, b, xs, np.zeros(hidden)


def cases(scale):
    steps, hidden, n_in = (5, 4, 3) if scale == "tiny" else (50, 16, 8)
    return [Case(f"rnn {steps} steps, hidden {hidden}, input {n_in}", "rnn", "grad", rnn_loss,
                 hand_written, data(steps, hidden, n_in), (0, 1, 2), torch=rnn_loss_torch,
                 size=steps)]
