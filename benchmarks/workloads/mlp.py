"""MLP loss: batch 64, 784-256-10, tanh hidden layer, softmax cross-entropy (mean over the
batch), gradient with respect to both weight matrices and both biases."""
import numpy as np

from . import Case, rng

torch = None  # the torch column binds the real module here (see rebind)


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    m = np.max(z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)) + m
    return np.mean(np.sum(Y * (lse - z), axis=1))


def mlp_loss_torch(W1, b1, W2, b2, X, Y):
    h = torch.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    m = torch.amax(z, dim=1, keepdim=True)
    lse = torch.log(torch.sum(torch.exp(z - m), dim=1, keepdim=True)) + m
    return torch.mean(torch.sum(Y * (lse - z), dim=1))


def hand_written(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    bz = (p * np.sum(Y, axis=1, keepdims=True) - Y) / X.shape[0]
    bW2 = h.T @ bz
    bb2 = np.sum(bz, axis=0)
    ba = (bz @ W2.T) * (1.0 - h * h)
    return X.T @ ba, np.sum(ba, axis=0), bW2, bb2


def data(batch, n_in, n_hidden, n_out, seed=0):
    r = rng(seed)
    W1 = r.normal(0.0, 1.0 / np.sqrt(n_in), (n_in, n_hidden))
    b1 = r.normal(0.0, 0.1, n_hidden)
    W2 = r.normal(0.0, 1.0 / np.sqrt(n_hidden), (n_hidden, n_out))
    b2 = r.normal(0.0, 0.1, n_out)
    X = r.normal(0.0, 1.0, (batch, n_in))
    Y = np.eye(n_out)[r.integers(0, n_out, batch)]
    return W1, b1, W2, b2, X, Y


def cases(scale):
    shape = (4, 8, 6, 3) if scale == "tiny" else (64, 784, 256, 10)
    name = "mlp " + ("batch 4, 8-6-3" if scale == "tiny" else "batch 64, 784-256-10")
    return [Case(name, "mlp", "grad", mlp_loss, hand_written, data(*shape), (0, 1, 2, 3),
                 torch=mlp_loss_torch, size=shape[0])]
