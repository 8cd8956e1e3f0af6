"""A small neural network whose parameters are a dict, trained by plain gradient descent.

`srcad.grad(loss)` differentiates with respect to the whole dict: the gradient is a dict with
the same keys, each entry an array of its parameter's shape. The derivative srcad generates is
specialised on the dict's keys: every parameter is a plain local name in it (`params_W1`, and
its adjoint `bparams_W1`), with no dictionary traffic in the loop that trains it.

    python examples/mlp_dict.py
"""
import numpy as np

import srcad


def loss(params, x, y):
    """Mean squared error of a one-hidden-layer tanh network on inputs x (n, 1)."""
    h = np.tanh(x @ params["W1"] + params["b1"])
    out = h @ params["W2"] + params["b2"]
    return np.mean((out[:, 0] - y) ** 2)


def init(rng, hidden=16):
    return {"W1": rng.normal(size=(1, hidden)), "b1": np.zeros(hidden),
            "W2": rng.normal(size=(hidden, 1)) / np.sqrt(hidden), "b2": np.zeros(1)}


def train(params, x, y, steps=2000, rate=0.1):
    grad_loss = srcad.grad(loss)  # compiled once, on the first call
    for _ in range(steps):
        grads = grad_loss(params, x, y)
        params = {name: params[name] - rate * grads[name] for name in params}
    return params


def check_gradient(params, x, y, h=1e-6):
    """Central differences on every entry of every parameter against srcad's gradient."""
    grads = srcad.grad(loss)(params, x, y)
    for name, value in params.items():
        for index in np.ndindex(value.shape):
            up, down = {k: v.copy() for k, v in params.items()}, {k: v.copy() for k, v in params.items()}
            up[name][index] += h
            down[name][index] -= h
            estimate = (loss(up, x, y) - loss(down, x, y)) / (2.0 * h)
            assert abs(estimate - grads[name][index]) < 1e-6 * max(1.0, abs(estimate)), (name, index)


def main():
    rng = np.random.default_rng(0)
    x = np.linspace(-1.0, 1.0, 64)[:, None]
    y = np.sin(3.0 * x[:, 0])
    params = init(rng)
    print(srcad.source(loss, args=(params, x, y)))
    before = loss(params, x, y)
    params = train(params, x, y)
    print(f"loss {before:.4f} before training, {loss(params, x, y):.4f} after")

    # a lambda works as well as a def: the derivative of the network's activation
    slope = srcad.grad(lambda z: np.tanh(z) ** 2)
    print(f"d/dz tanh(z)^2 at 0.5 = {slope(0.5):.6f}")

    check_gradient(params, x, y)
    print("gradient check passed")


if __name__ == "__main__":
    main()
