"""Tanh RNNs over T steps in a Python loop, two losses.

- `rnn_loss`: h = tanh(W @ h + U @ x[t] + b); the loss is the sum of the squares of the last h;
  gradient with respect to W, U and b.
- `readout_loss` (issue 15's model): h = tanh(Wx @ x[t] + Wh @ h + b) and a scalar readout
  v @ h compared with y[t] at every step; the loss is the mean of the squared errors; gradient
  with respect to Wx, Wh, b and v. At T = 50, H = 16, I = 8 each numpy call works on a few
  dozen numbers, so call overhead is the cost; H = 128 and T = 1000 show the same loop where
  the arithmetic, or the number of turns, dominates.
"""
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


def readout_loss(Wx, Wh, b, v, xs, ys, h0):
    h = h0
    loss = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(Wx @ xs[t] + Wh @ h + b)
        loss = loss + (v @ h - ys[t]) ** 2
    return loss / xs.shape[0]


def readout_loss_torch(Wx, Wh, b, v, xs, ys, h0):
    h = h0
    loss = 0.0
    for t in range(xs.shape[0]):
        h = torch.tanh(Wx @ xs[t] + Wh @ h + b)
        loss = loss + (v @ h - ys[t]) ** 2
    return loss / xs.shape[0]


def readout_hand_written(Wx, Wh, b, v, xs, ys, h0):
    steps = xs.shape[0]
    hs, errors = [h0], []
    h = h0
    for t in range(steps):
        h = np.tanh(Wx @ xs[t] + Wh @ h + b)
        hs.append(h)
        errors.append(v @ h - ys[t])
    bWx, bWh, bb, bv = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b), np.zeros_like(v)
    bh = np.zeros_like(h0)
    for t in reversed(range(steps)):
        g = 2.0 * errors[t] / steps
        bv += g * hs[t + 1]
        ba = (bh + g * v) * (1.0 - hs[t + 1] * hs[t + 1])
        bWx += np.outer(ba, xs[t])
        bWh += np.outer(ba, hs[t])
        bb += ba
        bh = Wh.T @ ba
    return bWx, bWh, bb, bv


def readout_data(steps, hidden, n_in, seed=0):
    r = rng(seed)
    Wx = r.normal(0.0, 1.0 / np.sqrt(n_in), (hidden, n_in))
    Wh = r.normal(0.0, 0.5 / np.sqrt(hidden), (hidden, hidden))
    b = r.normal(0.0, 0.1, hidden)
    v = r.normal(0.0, 1.0 / np.sqrt(hidden), hidden)
    return Wx, Wh, b, v, r.normal(0.0, 1.0, (steps, n_in)), r.normal(0.0, 1.0, steps), np.zeros(hidden)


def data(steps, hidden, n_in, seed=0):
    r = rng(seed)
    W = r.normal(0.0, 0.5 / np.sqrt(hidden), (hidden, hidden))
    U = r.normal(0.0, 1.0 / np.sqrt(n_in), (hidden, n_in))
    b = r.normal(0.0, 0.1, hidden)
    xs = r.normal(0.0, 1.0, (steps, n_in))
    return W, U, b, xs, np.zeros(hidden)


def cases(scale):
    steps, hidden, n_in = (5, 4, 3) if scale == "tiny" else (50, 16, 8)
    sizes = [(5, 4, 3)] if scale == "tiny" else [(50, 16, 8), (50, 128, 8), (1000, 16, 8)]
    return [Case(f"rnn {steps} steps, hidden {hidden}, input {n_in}", "rnn", "grad", rnn_loss,
                 hand_written, data(steps, hidden, n_in), (0, 1, 2), torch=rnn_loss_torch,
                 size=steps)] + [
        Case(f"rnn readout {t} steps, hidden {h}, input {i}", "rnn", "grad", readout_loss,
             readout_hand_written, readout_data(t, h, i), (0, 1, 2, 3), torch=readout_loss_torch,
             size=t) for t, h, i in sizes]
