"""Differentiating a simulation: a damped spring, stepped in time, fitted to observations.

A mass on a spring with stiffness k and damping c, x'' = -k x - c x', is stepped 400 times
with semi-implicit Euler. The loss is the squared distance between the simulated positions and
observed ones. srcad differentiates straight through the time-stepping loop: the reverse sweep
runs the loop backwards, step by step, with the values it needs saved on a tape (see the
generated code printed below), so d loss / d (k, c) costs about one more simulation.

    python examples/physics.py
"""
import numpy as np

import srcad


# The simulation and its loss: a plain Python loop over time steps, on floats.
def loss(k, c, observed, dt):
    x = 1.0
    v = 0.0
    total = 0.0
    for i in range(len(observed)):
        a = -k * x - c * v
        v = v + dt * a
        x = x + dt * v
        total = total + (x - observed[i]) ** 2
    return total * dt


def simulate(k, c, n, dt):
    x, v, xs = 1.0, 0.0, []
    for _ in range(n):
        v += dt * (-k * x - c * v)
        x += dt * v
        xs.append(x)
    return np.array(xs)


def main():
    dt, n = 0.02, 400
    observed = simulate(4.0, 0.3, n, dt)  # the "measurements": k = 4, c = 0.3

    # The derivative with respect to both parameters: the forward sweep pushes what each step
    # overwrites; the reverse sweep pops it back, walking the steps in reverse.
    print(srcad.source(loss, wrt=(0, 1)))

    # Gradient check first, at the start point, against central differences.
    dloss = srcad.value_and_grad(loss, wrt=(0, 1))
    _, (gk, gc) = dloss(3.0, 1.0, observed, dt)
    h = 1e-6
    fdk = (loss(3.0 + h, 1.0, observed, dt) - loss(3.0 - h, 1.0, observed, dt)) / (2 * h)
    fdc = (loss(3.0, 1.0 + h, observed, dt) - loss(3.0, 1.0 - h, observed, dt)) / (2 * h)
    print(f"d loss/dk: srcad {gk:.8f}, finite differences {fdk:.8f}")
    print(f"d loss/dc: srcad {gc:.8f}, finite differences {fdc:.8f}")
    if abs(gk - fdk) > 1e-6 * max(1.0, abs(fdk)) or abs(gc - fdc) > 1e-6 * max(1.0, abs(fdc)):
        raise SystemExit("gradient check failed")
    print("gradient check passed")

    # Fit k and c from a wrong start by gradient descent with a simple step-size control.
    k, c = 3.0, 1.0
    value, (gk, gc) = dloss(k, c, observed, dt)
    rate = 0.5
    for it in range(200):
        k_new, c_new = k - rate * gk, c - rate * gc
        new_value, new_grad = dloss(k_new, c_new, observed, dt)
        if new_value < value:
            k, c, value, (gk, gc) = k_new, c_new, new_value, new_grad
            rate *= 1.2
        else:
            rate *= 0.5
    print(f"fitted k = {k:.4f} (true 4), c = {c:.4f} (true 0.3), loss {value:.2e}")
    if abs(k - 4.0) > 0.01 or abs(c - 0.3) > 0.01:
        raise SystemExit("the fit did not recover k and c")


if __name__ == "__main__":
    main()
