"""srcad's gradient against the primal, row by row: the median ratio of CPU times.

Run: python -m benchmarks.ratios [--rounds 9] [names...]

Each sample times back-to-back calls for about 20 ms of CPU time (`time.process_time`: what
other processes take of the machine is not counted), the primal and srcad alternately; the
median ratio of each row is printed. To compare two commits of srcad, run it in a checkout of
each, alternately, and compare the rows they share (docs/benchmarks.md does so).
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread, as the suite's table
os.environ.setdefault("OMP_NUM_THREADS", "1")

from . import columns  # noqa: E402
from .workloads import cases  # noqa: E402


def per_call(fn, args, seconds=0.02):
    """CPU seconds per call of fn(*args), from back-to-back calls taking about `seconds`."""
    n = 1
    while True:
        start = time.process_time()
        for _ in range(n):
            fn(*args)
        spent = time.process_time() - start
        if spent >= seconds:
            return spent / n
        n = n * 4 if spent <= 0 else max(n + 1, int(n * seconds / spent * 1.1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("names", nargs="*", help="rows whose names start so (default: all)")
    options = parser.parse_args(argv)
    for case in cases("full"):
        if options.names and not any(case.name.startswith(n) for n in options.names):
            continue
        primal, srcad = columns.prepare("primal", case), columns.prepare("srcad", case)
        primal.fn(*primal.args)
        srcad.fn(*srcad.args)
        ratios = [per_call(srcad.fn, srcad.args) / per_call(primal.fn, primal.args)
                  for _ in range(options.rounds)]
        print(f"{case.name}\t{statistics.median(ratios):.3f}", flush=True)


if __name__ == "__main__":
    main()
