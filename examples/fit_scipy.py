"""Fitting a model with scipy: `scipy.optimize.minimize(loss, p0, jac=srcad.grad(loss))`.

The model is a damped sine, y = a * exp(-b * t) * sin(w * t + phi), fitted by least squares
to noisy samples. srcad gives BFGS the exact gradient of the loss with respect to the parameter
vector, from one reverse pass, instead of the 2 * 4 extra loss evaluations that finite
differences would need (and their rounding error).

    python examples/fit_scipy.py
"""
import numpy as np
from scipy.optimize import minimize

import srcad


# The loss: plain numpy on a parameter vector p = (a, b, w, phi). `t` and `y` are data, passed
# through untouched: only `p` (position 0) is differentiated.
def loss(p, t, y):
    a = p[0]
    b = p[1]
    w = p[2]
    phi = p[3]
    model = a * np.exp(-b * t) * np.sin(w * t + phi)
    r = model - y
    return np.mean(r * r)


def main():
    rng = np.random.default_rng(0)
    t = np.linspace(0.0, 6.0, 120)
    true = np.array([2.0, 0.4, 3.0, 0.5])
    y = true[0] * np.exp(-true[1] * t) * np.sin(true[2] * t + true[3]) + 0.02 * rng.normal(size=t.size)

    # The derivative srcad compiles for an array p: note the reads p[0], ... become
    # `_rt.add_at` scatters in the reverse sweep, and np.mean's rule spreads the cotangent back.
    print(srcad.source(loss, args=(true, t, y)))

    dloss = srcad.grad(loss)  # d loss / d p, a vector like p
    start = np.array([1.0, 0.1, 2.8, 0.0])
    fit = minimize(loss, start, args=(t, y), jac=dloss, method="BFGS")
    print(f"BFGS: {fit.nit} iterations, {fit.nfev} loss and gradient evaluations")
    print("true  ", np.round(true, 3))
    print("fitted", np.round(fit.x, 3), f"loss {fit.fun:.2e}")
    if not fit.success or np.max(np.abs(fit.x - true)) > 0.05:
        raise SystemExit("the fit did not recover the parameters")

    # Gradient check at the starting point: srcad against central differences.
    g = dloss(start, t, y)
    h = 1e-6
    fd = np.array([(loss(start + h * e, t, y) - loss(start - h * e, t, y)) / (2 * h)
                   for e in np.eye(4)])
    print("srcad gradient   ", g)
    print("finite difference", fd)
    if not np.allclose(g, fd, rtol=1e-6, atol=1e-8):
        raise SystemExit("gradient check failed")
    print("gradient check passed")


if __name__ == "__main__":
    main()
