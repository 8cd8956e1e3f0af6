"""srcad's gradient of a numpy loss on data that does not fit in memory, as dask computes it.

L2-regularised logistic regression on X = da.random.random((40_000_000, 20), chunks=(500_000,
20)) (6.4 GB, never materialised) and a matching 0/1 vector y. Two gradients are computed on
dask's threaded scheduler, each in a new interpreter (so that each peak is its own):

  srcad         srcad.grad(loss)(w, X, y, lam): the numpy function below, differentiated; the
                gradient is a lazy dask array, computed with .compute()
  hand-written  the same gradient written with dask by hand: X^T (expit(Xw) - y) / n + 2 lam w

For each: the time from the call to the computed gradient (srcad's first call, which
compiles the derivative, and building the graph included, and shown apart), and the peak resident memory
of the interpreter (getrusage's ru_maxrss: imports, the graph and the chunks in flight).
Then: the largest difference between the two gradients, relative to the largest component.

Run: python -m benchmarks.dask_logistic [--rows N] [--chunk N]   (needs srcad[dask])
"""
import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

COLUMNS, LAM, SEED = 20, 1e-3, 0
TOOLS = ("srcad", "hand-written")


def loss(w, X, y, lam):
    """The mean logistic loss of a linear model, plus an L2 penalty: plain numpy."""
    z = X @ w
    return np.sum(np.logaddexp(0.0, z) - y * z) / X.shape[0] + lam * np.sum(w * w)


def hand_written(w, X, y, lam):
    import dask.array as da
    p = 1.0 / (1.0 + da.exp(-(X @ w)))
    return X.T @ (p - y) / X.shape[0] + 2.0 * lam * w


def data(rows, chunk):
    """X and y, lazily: the same numbers in every interpreter (one seeded generator)."""
    import dask.array as da
    rng = da.random.default_rng(SEED)
    X = rng.random((rows, COLUMNS), chunks=(chunk, COLUMNS))
    y = (rng.random(rows, chunks=chunk) > 0.5).astype(float)
    return X, y


def probe(tool, rows, chunk):
    """In this interpreter: one gradient by `tool`, printed as JSON with its time and peak."""
    import dask
    X, y = data(rows, chunk)
    w = np.linspace(-0.5, 0.5, COLUMNS)
    import srcad  # imported before the clock starts, as dask is
    start = time.perf_counter()
    if tool == "srcad":  # its first call: parse, transform, compile, then the lazy graph
        gradient = srcad.grad(loss)(w, X, y, LAM)
    else:
        gradient = hand_written(w, X, y, LAM)
    built = time.perf_counter()
    with dask.config.set(scheduler="threads"):
        values = gradient.compute()
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(json.dumps({"tool": tool, "build": built - start, "seconds": done - start, "peak": peak,
                      "gradient": values.tolist(), "lazy": type(gradient).__module__.startswith("dask")}))


def measured(tool, rows, chunk):
    out = subprocess.run([sys.executable, "-m", "benchmarks.dask_logistic", "probe", tool,
                          "--rows", str(rows), "--chunk", str(chunk)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("probe", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=40_000_000)
    parser.add_argument("--chunk", type=int, default=500_000)
    args = parser.parse_args(argv)
    if args.probe:
        return probe(args.probe[1], args.rows, args.chunk)
    gigabytes = args.rows * COLUMNS * 8 / 1e9
    print(f"logistic regression, X {args.rows:,} x {COLUMNS} ({gigabytes:.1f} GB, chunks of "
          f"{args.chunk:,} rows), dask threaded scheduler, each gradient in a new interpreter")
    results = {tool: measured(tool, args.rows, args.chunk) for tool in TOOLS}
    for tool, r in results.items():
        print(f"  {tool:13s} {r['seconds']:8.1f} s (graph built in {r['build']:.2f} s)   peak RSS {r['peak'] / 2**30:5.2f} GiB"
              f"   lazy: {r['lazy']}")
    mine, theirs = (np.array(results[t]["gradient"]) for t in TOOLS)
    relative = np.max(np.abs(mine - theirs)) / np.max(np.abs(theirs))
    ratio = results["srcad"]["seconds"] / results["hand-written"]["seconds"]
    print(f"  srcad / hand-written time: {ratio:.2f}x; largest difference of the gradients, "
          f"relative to the largest component: {relative:.1e}")


if __name__ == "__main__":
    main()
