"""python -m benchmarks: the whole suite: the table (every workload, every column), srcad's
first-call and wrapper costs, the scaling plot, the memory plot, the compile-time plot and the
numba backend's table.

    python -m benchmarks                       # everything, about 15 minutes
    python -m benchmarks --quick               # fewer rounds, smaller sweeps
    python -m benchmarks --only textbook mlp   # some workloads (or: table costs scaling memory compile numba)
    python -m benchmarks --markdown            # tables as markdown, for docs/benchmarks.md

Threads: numpy's BLAS, torch and XLA all get --threads (default 1), set before any of them is
imported, so that every column does the same arithmetic on the same cores and the ratios
measure differentiation, not parallelism.
"""
import argparse
import os
import sys

SECTIONS = ("table", "costs", "scaling", "memory", "compile", "numba")


def arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and smaller sweeps (a few minutes)")
    parser.add_argument("--only", nargs="+", default=(), metavar="NAME",
                        help="workloads (textbook, recurrence, rosenbrock, mlp, rnn, logistic, "
                             "hvp, jacobian), case names, or sections (table, costs, scaling, "
                             "memory, compile, numba)")
    parser.add_argument("--columns", nargs="+", metavar="COLUMN",
                        help="columns of the table (default: all)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per cell (default 15, "
                        "quick 5)")
    parser.add_argument("--threads", type=int, default=1, help="threads for BLAS, torch, XLA")
    parser.add_argument("--markdown", action="store_true", help="print tables as markdown")
    parser.add_argument("--no-color", action="store_true")
    return parser.parse_args(argv)


def limit_threads(n):
    """Before numpy, torch or jax is imported: the environment their thread pools read."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    if n == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   " --xla_cpu_multi_thread_eigen=false"
                                   " intra_op_parallelism_threads=1").strip()


def main(argv=None):
    args = arguments(sys.argv[1:] if argv is None else argv)
    if "numpy" not in sys.modules:
        limit_threads(args.threads)
    from . import run
    run.main(args, SECTIONS)


if __name__ == "__main__":
    main()
