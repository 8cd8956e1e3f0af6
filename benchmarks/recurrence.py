"""The 1000-step scalar recurrence: every column of the suite, and the memory srcad's gradient
adds per value it stores.

Run: python -m benchmarks.recurrence   (the same row as `python -m benchmarks --only recurrence`)

x = x + 0.01 * sin(x * y); y = y * cos(0.01 * x), gradient with respect to both.
"""
import sys
import tracemalloc

import srcad

from . import columns, report, suite, timing
from .workloads import cases, recurrence


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
    case, = cases("full", ("recurrence",))
    row = suite.run_case(case, columns.COLUMNS, timing.Settings())
    print(report.table([row], columns.COLUMNS, color=sys.stdout.isatty()))
    n = 100_000
    df = srcad.grad(recurrence.recurrence, wrt=(0, 1))
    stored = floats_saved_per_step(srcad.source(recurrence.recurrence, wrt=(0, 1))) * n
    extra = peak_bytes(df, (0.3, 0.7, n)) - peak_bytes(recurrence.recurrence, (0.3, 0.7, n))
    print(f"\nsrcad's memory at {n:,} steps: {extra / 1e6:.1f} MB added, "
          f"{extra / stored:.1f} bytes per stored float")


if __name__ == "__main__":
    main()
