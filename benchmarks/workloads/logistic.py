"""L2-regularised logistic regression: mean(log(1 + exp(-y * (X @ w)))) + lam * sum(w^2),
labels y in {-1, 1}, gradient with respect to w."""
import numpy as np

from . import Case, rng

torch = None  # the torch column binds the real module here (see rebind)


def logistic_loss(w, X, y, lam):
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z)) + lam * np.sum(w * w)


def logistic_loss_torch(w, X, y, lam):
    z = X @ w
    return torch.mean(torch.nn.functional.softplus(-y * z)) + lam * torch.sum(w * w)


def hand_written(w, X, y, lam):
    z = X @ w
    s = -y / (1.0 + np.exp(y * z))  # d/dz log(1 + exp(-y z))
    return (X.T @ s / X.shape[0] + 2.0 * lam * w,)


def data(n, d, seed=0):
    r = rng(seed)
    X = r.normal(0.0, 1.0, (n, d))
    w_true = r.normal(0.0, 1.0, d)
    y = np.where(X @ w_true + r.normal(0.0, 0.5, n) > 0.0, 1.0, -1.0)
    return r.normal(0.0, 0.1, d), X, y, 0.01


def cases(scale):
    n, d = (50, 3) if scale == "tiny" else (100_000, 20)
    return [Case(f"logistic n={n:,}, d={d}", "logistic", "grad", logistic_loss, hand_written,
                 data(n, d), (0,), torch=logistic_loss_torch, size=n)]
