"""The textbook function on floats: gradient time / function time, and first-call cost.

Run: python -m benchmarks.textbook

Times are medians of many interleaved repeats in one process; the ratio is what counts.
"""
import math
import statistics
import time
import timeit

import srcad
from srcad.cache import CACHE


def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def hand_written(x1, x2):
    return 1.0 / x1 + x2, x1 - math.cos(x2)


def median_time(fn, args, number=20000, repeats=15):
    timer = timeit.Timer(lambda: fn(*args))
    return [t / number for t in timer.repeat(repeat=repeats, number=number)]


def interleaved(cases, args, number=20000, rounds=15):
    """Median seconds per call of each case, measured round-robin so drift hits all alike."""
    samples = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(timeit.timeit(lambda: fn(*args), number=number) / number)
    return {name: statistics.median(s) for name, s in samples.items()}


def first_call_ms():
    """Parse + transform + compile of the textbook gradient, from an empty cache."""
    times = []
    for _ in range(20):
        CACHE.clear()
        start = time.perf_counter()
        srcad.grad(f, wrt=(0, 1))(2.0, 5.0)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    df = srcad.grad(f, wrt=(0, 1))
    args = (2.0, 5.0)
    assert df(*args) == hand_written(*args) or all(
        abs(a - b) < 1e-12 for a, b in zip(df(*args), hand_written(*args)))
    times = interleaved({"primal": f, "hand-written": hand_written, "srcad.grad": df}, args)
    base = times["primal"]
    print(f"textbook f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5)")
    for name, t in times.items():
        print(f"  {name:14s} {t * 1e9:8.1f} ns   {t / base:5.2f}x primal")
    print(f"  first call (parse + transform + compile): {first_call_ms():.2f} ms")


if __name__ == "__main__":
    main()
