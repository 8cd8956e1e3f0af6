"""The textbook function on floats: every column of the suite, srcad's first-call cost and the
cost of its per-call wrapper.

Run: python -m benchmarks.textbook   (the same row as `python -m benchmarks --only textbook`)

Times are medians of interleaved repeats in one process; the ratios are what count.
"""
import sys

from . import columns, costs, report, suite, timing
from .workloads import cases


def main():
    case, = cases("full", ("textbook",))
    settings = timing.Settings()
    row = suite.run_case(case, columns.COLUMNS, settings)
    print(report.table([row], columns.COLUMNS, color=sys.stdout.isatty()))
    print()
    print(report.costs_table([costs.first_call(case, repeats=20)],
                             costs.wrapper_overhead(case, settings)))


if __name__ == "__main__":
    main()
