"""Scalar recurrence: gradient time / function time, and the memory the gradient adds.

Run: python -m benchmarks.recurrence

x = x + 0.01 * sin(x * y); y = y * cos(0.01 * x), 1000 steps; gradient with respect to both.
"""
import math
import statistics
import timeit
import tracemalloc

import srcad


def recurrence(x, y, n):
    for i in range(n):
        x = x + 0.01 * math.sin(x * y)
        y = y * math.cos(0.01 * x)
    return x + y


def hand_written(x, y, n):
    xs, ys = [], []
    for i in range(n):
        xs.append(x)
        ys.append(y)
        x = x + 0.01 * math.sin(x * y)
        y = y * math.cos(0.01 * x)
    bx, by = 1.0, 1.0
    for i in reversed(range(n)):
        x1 = xs[i] + 0.01 * math.sin(xs[i] * ys[i])
        c = math.cos(0.01 * x1)
        by_in = by
        by = by_in * c
        bx1 = bx - by_in * ys[i] * math.sin(0.01 * x1) * 0.01
        t = bx1 * 0.01 * math.cos(xs[i] * ys[i])
        bx = bx1 + t * ys[i]
        by += t * xs[i]
    return bx, by


def interleaved(cases, args, number=20, rounds=15):
    samples = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(timeit.timeit(lambda: fn(*args), number=number) / number)
    return {name: statistics.median(s) for name, s in samples.items()}


def peak_bytes(fn, args):
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def floats_saved_per_step(text):
    """How many values the generated loop pushes on its tape each turn (read off its source)."""
    pushes = [line for line in text.splitlines() if "_tape.append(" in line]
    return sum(line.count(",") + 1 if "((" in line else 1 for line in pushes)


def main():
    df = srcad.grad(recurrence, wrt=(0, 1))
    args = (0.3, 0.7, 1000)
    got, want = df(*args), hand_written(*args)
    if any(abs(a - b) > 1e-9 * max(1.0, abs(b)) for a, b in zip(got, want)):
        raise SystemExit(f"gradients disagree: srcad {got}, hand-written {want}")
    times = interleaved({"primal": recurrence, "hand-written": hand_written, "srcad.grad": df}, args)
    base = times["primal"]
    print("scalar recurrence, 1000 steps, gradient wrt (x, y)")
    for name, t in times.items():
        print(f"  {name:14s} {t * 1e6:9.1f} us   {t / base:5.2f}x primal")
    n = 100_000
    stored = floats_saved_per_step(srcad.source(recurrence, wrt=(0, 1))) * n
    extra = peak_bytes(df, (0.3, 0.7, n)) - peak_bytes(recurrence, (0.3, 0.7, n))
    print(f"  memory at {n} steps: {extra / 1e6:.1f} MB added, {extra / stored:.1f} bytes per stored float")


if __name__ == "__main__":
    main()
