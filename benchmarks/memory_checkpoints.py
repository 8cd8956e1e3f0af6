"""Memory and time of gradients with checkpointing (`grad(f, checkpoints=...)`), issue 16's figures.

The recurrence of the issue, x = x + 0.01 sin(p x y); y = y cos(0.01 x) + 0.01 p, gradient
with respect to p, x and y, for `checkpoints` None (a tape of every turn), 10 and "sqrt", at
growing numbers of turns; and an RNN-like loop over arrays, h = tanh(W @ h + xs[t]).

  peak    tracemalloc's peak during a call, less what was held before it: every Python and
          numpy allocation the gradient makes, byte-exact (a second call: nothing compiles)
  time    the least CPU time of a few calls (the recurrence: the function and the three
          gradients called in turn, 5 rounds, 50 at 1000 turns), tracemalloc off; as ratios
          to the function and to the gradient with no checkpointing

Run: python -m benchmarks.memory_checkpoints [--quick]   (a table; a plot in
docs/images/memory_checkpoints.png where matplotlib is installed)
"""
import argparse
import math
import pathlib
import sys
import time
import tracemalloc

import numpy as np

import srcad

CHECKPOINTS = (None, 10, "sqrt")
TURNS = (1000, 10_000, 100_000, 1_000_000)
IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def recurrence(p, x, y, n):
    for i in range(n):
        x = x + 0.01 * math.sin(p * x * y)
        y = y * math.cos(0.01 * x) + 0.01 * p
    return x + y


def rnn(W, h, xs):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def peak_bytes(fn, args):
    """The most memory `fn(*args)` holds at once beyond what was held before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def best_seconds(fn, args, rounds):
    best = math.inf
    for _ in range(rounds):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def cpu_seconds(fns, args, rounds):
    """{name: the least CPU time of `rounds` calls} for the functions `fns` (name -> fn), taken
    in turn round after round: on a shared machine, CPU time leaves out the waits for the CPU,
    and taking them in turn gives each the same conditions."""
    best = dict.fromkeys(fns, math.inf)
    for _ in range(rounds):
        for name_, fn in fns.items():
            start = time.process_time()
            fn(*args)
            best[name_] = min(best[name_], time.process_time() - start)
    return best


def measure_recurrence(turns=TURNS, rounds=5):
    """{(turns, checkpoints): {"peak", "seconds", "per_function", "per_plain", "agrees"}}."""
    out = {}
    for n in turns:
        args = (0.5, 1.0, 2.0, n)
        grads = {c: srcad.grad(recurrence, wrt=(0, 1, 2), checkpoints=c) for c in CHECKPOINTS}
        for df in grads.values():
            df(0.5, 1.0, 2.0, 10)
        # short calls vary most from call to call: at least 50,000 turns of each in all
        seconds = cpu_seconds({"function": recurrence, **grads}, args,
                              max(rounds, 50_000 // n) if n < 1_000_000 else 3)
        plain = grads[None](*args)
        for checkpoints, df in grads.items():
            gradient = df(*args)
            out[n, checkpoints] = {"peak": peak_bytes(df, args), "seconds": seconds[checkpoints],
                                   "per_function": seconds[checkpoints] / seconds["function"],
                                   "per_plain": seconds[checkpoints] / seconds[None],
                                   "agrees": max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(gradient, plain))}
    return out


def measure_rnn(size=1000, steps=10_000, rounds=1):
    """{checkpoints: {"peak", "seconds"}} for the RNN-like loop, None and "sqrt"."""
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(size, size)) / size, np.zeros(size), rng.normal(size=(steps, size)))
    out = {}
    for checkpoints in (None, "sqrt"):
        df = srcad.grad(rnn, checkpoints=checkpoints)
        df(args[0], args[1], args[2][:3])
        out[checkpoints] = {"peak": peak_bytes(df, args), "seconds": best_seconds(df, args, rounds)}
    return out


def text(recurrence_rows, rnn_rows):
    lines = ["the recurrence, gradient with respect to p, x, y: tracemalloc peak added by one call, "
             "and CPU time (least of a few)",
             f"  {'turns':>10} {'checkpoints':>12} {'peak':>10} {'bytes/turn':>11} {'time':>9} "
             f"{'x function':>11} {'x plain grad':>13} {'rel. diff':>10}"]
    for (n, checkpoints), row in recurrence_rows.items():
        lines.append(f"  {n:>10,} {str(checkpoints):>12} {_mb(row['peak']):>10} {row['peak'] / n:>11.1f} "
                     f"{row['seconds'] * 1e3:>7.1f}ms {row['per_function']:>11.2f} {row['per_plain']:>13.2f} "
                     f"{row['agrees']:>10.1e}")
    if rnn_rows:
        plain, kept = rnn_rows[None], rnn_rows["sqrt"]
        lines.append(f"the RNN-like loop (arrays of 1000, 10,000 steps): peak {_mb(plain['peak'])} "
                     f"plain, {_mb(kept['peak'])} with checkpoints='sqrt' "
                     f"(1/{plain['peak'] / kept['peak']:.0f}); time {plain['seconds']:.1f} s and "
                     f"{kept['seconds']:.1f} s")
    return "\n".join(lines)


def _mb(value):
    return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} kB"


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for checkpoints in CHECKPOINTS:
        points = sorted((n, row) for (n, c), row in rows.items() if c == checkpoints)
        label = f"checkpoints={checkpoints!r}"
        left.plot([n for n, _ in points], [r["peak"] for _, r in points], marker="o", label=label)
        right.plot([n for n, _ in points], [r["seconds"] for _, r in points], marker="o", label=label)
    plain = sorted((n, row) for (n, c), row in rows.items() if c is None)
    right.plot([n for n, _ in plain], [r["seconds"] / r["per_function"] for _, r in plain], "--",
               color="gray", label="the function itself")
    right.legend()
    for ax, what in ((left, "peak memory added (bytes)"), (right, "CPU time of one call (s)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("turns of the loop")
        ax.set_ylabel(what)
        ax.grid(True, which="both", alpha=0.3)
    left.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 100,000 turns, no RNN")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    rows = measure_recurrence(TURNS[:3] if args.quick else TURNS)
    rnn_rows = None if args.quick else measure_rnn()
    print(text(rows, rnn_rows))
    try:
        plot(rows, IMAGES / "memory_checkpoints.png")
    except ModuleNotFoundError:
        print("(matplotlib is not installed: no plot)")


if __name__ == "__main__":
    main()
