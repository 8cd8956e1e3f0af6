"""Per-call ratios on a shared machine: the primal, the generated derivative called directly,
and srcad.grad's stand-in, timed interleaved in one process in CPU time.

Run: python -m benchmarks.interleaved [--samples N]

Where other processes load the machine, `python -m benchmarks` (wall time, rows run one after
another) stops giving steady ratios. Here each sample times the three callables one after the
other on the same arguments, in `time.process_time` (time spent waiting for a core is not
counted), and the medians of many samples are reported, with the fastest sample's ratio beside
them. Rows: the textbook function (floats) and the RNN with a per-step readout at T = 50,
H = 16, I = 8 (issue 15's targets: 2.0x and 2.5x the function), with the hand-written gradient.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import srcad  # noqa: E402

from .workloads import rnn, textbook  # noqa: E402


def _sample(fn, args, number):
    start = time.process_time()
    for _ in range(number):
        fn(*args)
    return (time.process_time() - start) / number


def measure(named, args, samples, number):
    """name -> per-call times (seconds) of each callable in `named`, sampled interleaved."""
    times = {name: [] for name in named}
    for fn in named.values():
        fn(*args)  # compiled and warm
    for _ in range(samples):
        for name, fn in named.items():
            times[name].append(_sample(fn, args, number))
    return times


def row(title, times):
    primal = statistics.median(times["primal"])
    fastest = min(times["primal"])
    cells = [f"{title}: primal {primal * 1e9:,.0f} ns"]
    for name, ts in times.items():
        if name != "primal":
            cells.append(f"{name} {statistics.median(ts) / primal:.2f}x (fastest {min(ts) / fastest:.2f}x)")
    return ", ".join(cells)


def direct(stand_in, args):
    """The derivative the stand-in runs for `args`, called without it."""
    target = stand_in.__srcad__.target
    stand_in(*args)
    return target.guard_names[target.prefix + "fast"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    options = parser.parse_args(argv)
    floats = (2.0, 5.0)
    grad = srcad.grad(textbook.f, (0, 1))
    print(row("textbook", measure({"primal": textbook.f, "derivative called directly": direct(grad, floats),
                                   "srcad.grad": grad, "hand-written": textbook.hand_written},
                                  floats, options.samples, 2000)))
    r = np.random.default_rng(0)
    steps, hidden, inputs = 50, 16, 8
    args = (r.normal(size=(hidden, inputs)) * 0.3, r.normal(size=(hidden, hidden)) * 0.3,
            r.normal(size=hidden) * 0.1, r.normal(size=hidden), r.normal(size=(steps, inputs)),
            r.normal(size=steps), np.zeros(hidden))
    grad = srcad.grad(rnn.readout_loss, (0, 1, 2, 3))
    print(row("RNN T=50 H=16", measure({"primal": rnn.readout_loss, "srcad.grad": grad,
                                         "hand-written": rnn.readout_hand_written},
                                        args, max(options.samples // 4, 10), 20)))


if __name__ == "__main__":
    main()
