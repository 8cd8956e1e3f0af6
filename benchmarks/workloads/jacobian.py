"""Jacobians of y = tanh(A @ x) + 0.1 (A @ x)^2 for a wide A (R^3 -> R^m, forward mode should
win) and a tall one (R^m -> R^3, reverse mode should win), with respect to x."""
import numpy as np

from . import Case, rng

torch = None  # the torch column binds the real module here (see rebind)


def layer(x, A):
    z = A @ x
    return np.tanh(z) + 0.1 * z * z


def layer_torch(x, A):
    z = A @ x
    return torch.tanh(z) + 0.1 * z * z


def hand_written(x, A):
    z = A @ x
    t = np.tanh(z)
    return (1.0 - t * t + 0.2 * z)[:, None] * A


def cases(scale):
    m = 7 if scale == "tiny" else 100
    r = rng(0)
    out = []
    for n_in, n_out in ((3, m), (m, 3)):
        args = (r.normal(size=n_in), r.normal(0.0, 1.0 / np.sqrt(n_in), (n_out, n_in)))
        for mode in ("forward", "reverse"):
            out.append(Case(f"jacobian R^{n_in}->R^{n_out} {mode}", "jacobian",
                            f"jacobian-{mode}", layer, hand_written, args,
                            torch=layer_torch, size=n_in))
    return out
