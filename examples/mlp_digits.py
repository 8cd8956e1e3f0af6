"""Training a small neural network with srcad: a one-hidden-layer numpy MLP on handwritten digits.

The data are scikit-learn's 8x8 digits (1797 images, shipped inside the package) when
scikit-learn is installed; without it, a small synthetic data set of the same shape stands in
(pass --require-sklearn to refuse that instead). The loss is softmax cross-entropy written in
plain numpy; `srcad.grad(loss, wrt=(0, 1, 2, 3))` gives the gradients of all four weight arrays
from one reverse pass, and plain gradient descent does the rest.

    python examples/mlp_digits.py
"""
import sys

import numpy as np

import srcad


def loss(W1, b1, W2, b2, X, Y):
    """Mean softmax cross-entropy of a tanh MLP; Y is one-hot."""
    H = np.tanh(X @ W1 + b1)
    Z = H @ W2 + b2
    # log-softmax; the logits stay small here, so no max-shift is needed
    logp = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


def predict(W1, b1, W2, b2, X):
    return np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1)


def data(rng):
    """(X, labels, source): the digits scaled to [0, 1], or a synthetic stand-in."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        if "--require-sklearn" in sys.argv:
            raise SystemExit("scikit-learn is not installed (pip install scikit-learn)")
        centres = rng.uniform(0.0, 1.0, size=(10, 64))
        labels = rng.integers(0, 10, size=1000)
        X = np.clip(centres[labels] + 0.25 * rng.normal(size=(1000, 64)), 0.0, 1.0)
        return X, labels, "synthetic digits (scikit-learn is not installed)"
    digits = load_digits()
    return digits.data / 16.0, digits.target, "scikit-learn's digits"


def main():
    rng = np.random.default_rng(0)
    X, labels, source = data(rng)
    Y = np.eye(10)[labels]
    cut = int(0.8 * X.shape[0])
    train, test = slice(0, cut), slice(cut, None)
    print(f"data: {source}, {X.shape[0]} images of {X.shape[1]} pixels")

    W1 = 0.1 * rng.normal(size=(64, 32))
    b1 = np.zeros(32)
    W2 = 0.1 * rng.normal(size=(32, 10))
    b2 = np.zeros(10)

    # The generated reverse sweep is the backpropagation one would write by hand: matmul_left /
    # matmul_right for the two products, (1 - H*H) for tanh, unbroadcast for the biases.
    print(srcad.source(loss, wrt=(0, 1, 2, 3), args=(W1, b1, W2, b2, X[train], Y[train])))

    step = srcad.value_and_grad(loss, wrt=(0, 1, 2, 3))
    for epoch in range(151):
        value, (gW1, gb1, gW2, gb2) = step(W1, b1, W2, b2, X[train], Y[train])
        W1, b1, W2, b2 = W1 - 0.5 * gW1, b1 - 0.5 * gb1, W2 - 0.5 * gW2, b2 - 0.5 * gb2
        if epoch % 50 == 0:
            print(f"epoch {epoch:3d}  loss {value:.4f}")
    accuracy = np.mean(predict(W1, b1, W2, b2, X[test]) == labels[test])
    print(f"test accuracy {accuracy:.3f}")
    if not accuracy >= 0.8:
        raise SystemExit("training did not learn the digits")

    # Gradient check: <grad, V> against a central difference along a random direction V,
    # for each weight array (autograd's directional check).
    params = [W1, b1, W2, b2]
    grads = srcad.grad(loss, wrt=(0, 1, 2, 3))(*params, X[:50], Y[:50])
    h = 1e-6
    for i, name_ in enumerate(["W1", "b1", "W2", "b2"]):
        V = rng.normal(size=params[i].shape)
        plus = [p + h * V if j == i else p for j, p in enumerate(params)]
        minus = [p - h * V if j == i else p for j, p in enumerate(params)]
        fd = (loss(*plus, X[:50], Y[:50]) - loss(*minus, X[:50], Y[:50])) / (2 * h)
        exact = np.sum(grads[i] * V)
        print(f"d loss / d {name_} along V: srcad {exact:.8f}, finite differences {fd:.8f}")
        if abs(exact - fd) > 1e-6 * max(1.0, abs(fd)):
            raise SystemExit(f"gradient check failed for {name_}")
    print("gradient check passed")


if __name__ == "__main__":
    main()
