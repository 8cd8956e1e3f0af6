"""Compile time: srcad's first call against the length of the function and the depth of an
expression, for grad, jvp and hessian.

A first call parses the function, transforms it, optimises the derivative, prints and compiles
it, then runs it once; its time is dominated by the passes, so it shows how they grow with the
size of their input. Three generated families of functions (`python -m benchmarks.compile_time
--show straight 12` prints one):

- straight: a straight-line function of n statements, each combining the last value with an
  earlier one (arithmetic, sin, cos, tanh in turn), every fourth statement overwriting `x`;
- sum: one `return` line adding n terms, an expression tree n levels deep;
- loop: a `for` loop whose body is six if/else blocks, n lines in all.

Times are CPU time of the process (`--wall`: wall time) of one first call per cell.

Run: python -m benchmarks.compile_time [--quick] [--markdown]   (writes docs/images/bench_compile.png)
"""
import argparse
import atexit
import importlib.util
import itertools
import math
import os
import pathlib
import shutil
import sys
import tempfile
import time

import srcad
from srcad.cache import CACHE

from . import report

LENGTHS = (10, 30, 100, 300, 1000)
TERMS = (10, 30, 100, 300, 1000, 2000)
LOOP_LINES = (29, 37, 61)
TRANSFORMS = ("grad", "jvp", "hessian")
IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"

_STEPS = ("{a} * 0.9 + 0.1 * {b}", "math.sin({a}) + 0.5 * {b}", "math.tanh({a} * {b})",
          "{a} - 0.3 * math.cos({b})", "0.5 * {a} * {b}")


def straight(length):
    """Source of `f(x, y)`: `length` statements. Each one reads the value just computed and one
    of the three before it, so values stay bounded (a tanh every fifth statement)."""
    lines = ["import math", "", "", "def f(x, y):"]
    values = ["y", "x"]
    for i in range(length):
        a, b = values[-1], values[-2 - i % min(3, len(values) - 1)]
        target = "x" if i % 4 == 3 else f"v{i}"
        lines.append(f"    {target} = " + _STEPS[i % len(_STEPS)].format(a=a, b=b))
        values.append(target)
    lines.append(f"    return {values[-1]} + x")
    return "\n".join(lines) + "\n"


_TERMS = ("0.5 * x", "math.sin(y)", "x * y", "0.25 * math.cos(x)")


def long_sum(terms):
    """Source of `f(x, y)` returning one line of `terms` terms added (a tree `terms` deep)."""
    body = " + ".join(_TERMS[k % len(_TERMS)] for k in range(terms))
    return f"import math\n\n\ndef f(x, y):\n    return {body}\n"


_BRANCH = ("s = 0.9 * s + 0.1 * math.sin(x * t)", "t = t + 0.05 * s * y",
           "s = s - 0.1 * math.cos(t)")


def loop(lines, blocks=6):
    """Source of `f(x, y)`, `lines` lines long (from the def to the return): a loop of eight
    turns whose body is `blocks` if/else blocks, the branches' statements dealt out in turn."""
    statements = lines - 5 - 2 * blocks
    if statements < 2 * blocks:
        raise ValueError(f"a loop with {blocks} if/else blocks needs at least {4 * blocks + 5} lines")
    counts = [statements // (2 * blocks) + (k < statements % (2 * blocks)) for k in range(2 * blocks)]
    steps = itertools.cycle(_BRANCH)
    out = ["import math", "", "", "def f(x, y):", "    s = x", "    t = y", "    for i in range(8):"]
    for b in range(blocks):
        out.append(f"        if s > {0.1 * b:.1f}:")
        out += [f"            {next(steps)}" for _ in range(counts[2 * b])]
        out.append("        else:")
        out += [f"            {next(steps)}" for _ in range(counts[2 * b + 1])]
    out.append("    return s + t")
    return "\n".join(out) + "\n"


FAMILIES = {"straight": straight, "sum": long_sum, "loop": loop}

_MODULES = itertools.count()
_DIRECTORY = []


def load(src, name="f"):
    """Import `src` as a new module from a real file (inspect needs one); its `name`."""
    if not _DIRECTORY:
        _DIRECTORY.append(tempfile.mkdtemp(prefix="srcad_compile_time_"))
        atexit.register(shutil.rmtree, _DIRECTORY[0], True)
    module_name = f"srcad_compile_time_{os.getpid()}_{next(_MODULES)}"
    path = os.path.join(_DIRECTORY[0], module_name + ".py")
    with open(path, "w", encoding="utf-8") as file:
        file.write(src)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)


def _call(transform, fn):
    """Make the derivative `transform` of `fn(x, y)` and call it once; returns its result."""
    x, y = 0.3, 0.7
    if transform == "grad":
        return srcad.grad(fn, wrt=(0, 1))(x, y)
    if transform == "jvp":
        return srcad.jvp(fn, wrt=(0, 1))(x, y, 1.0, 0.5)
    if transform == "hessian":
        return srcad.hessian(fn)(x, y)
    raise ValueError(f"unknown transform {transform!r}")


def first_call(transform, src, repeats=1, clock=time.process_time):
    """Seconds of the first call of `transform` on the function `src` defines (cache cleared;
    the fastest of `repeats`, each on a newly loaded function), and the call's result.
    `clock`: CPU time of this process by default (on a shared machine, wall time counts the
    other processes too)."""
    best, result = math.inf, None
    for _ in range(repeats):
        fn = load(src)
        CACHE.clear()
        start = clock()
        result = _call(transform, fn)
        best = min(best, clock() - start)
    CACHE.clear()
    return best, result


def measure(quick=False, transforms=TRANSFORMS, clock=time.process_time):
    """family -> size -> transform -> seconds."""
    sizes = {"straight": LENGTHS[:-1] if quick else LENGTHS, "sum": TERMS[:-2] if quick else TERMS,
             "loop": LOOP_LINES}
    results = {}
    for family, make in FAMILIES.items():
        results[family] = {}
        for size in sizes[family]:
            src = make(size)
            results[family][size] = {t: _fastest(t, src, clock) for t in transforms}
            print(f"  ... {family} {size}: " + ", ".join(
                f"{t} {report.duration(s)}" for t, s in results[family][size].items()),
                file=sys.stderr, flush=True)
    return results


def _fastest(transform, src, clock):
    """One first call; the fastest of three when it takes under a second (a shared machine's
    load makes single short samples noisy)."""
    seconds = first_call(transform, src, clock=clock)[0]
    return min(seconds, first_call(transform, src, 2, clock)[0]) if seconds < 1.0 else seconds


_CAPTIONS = {"straight": "statements", "sum": "terms in one expression", "loop": "lines of the loop"}


def text(results, markdown=False):
    lines = []
    for family, rows in results.items():
        transforms = list(next(iter(rows.values())))
        header = [f"{family}: {_CAPTIONS[family]}"] + [f"{t} first call" for t in transforms]
        body = [[f"{size:,}"] + [report.duration(s) for s in row.values()] for size, row in rows.items()]
        lines += (report._markdown(header, body) if markdown else report._plain(header, body)) + [""]
    return "\n".join(lines)


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 4))
    for ax, (family, rows) in zip(axes, results.items()):
        sizes = list(rows)
        for transform in next(iter(rows.values())):
            ax.plot(sizes, [rows[n][transform] for n in sizes], marker="o", label=transform)
        first = rows[sizes[0]]["grad"] if "grad" in rows[sizes[0]] else None
        if first is not None:  # what linear growth from the smallest grad would give
            ax.plot(sizes, [first * n / sizes[0] for n in sizes], ":", color="gray", label="linear")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(_CAPTIONS[family])
        ax.set_ylabel("first call (s, CPU)")
        ax.set_title(family, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save(results):
    report.save_plot(plot, results, IMAGES / "bench_compile.png")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--only", nargs="+", choices=TRANSFORMS, default=TRANSFORMS)
    parser.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    parser.add_argument("--show", nargs=2, metavar=("FAMILY", "SIZE"),
                        help="print the source of one generated function and stop")
    args = parser.parse_args(argv)
    if args.show:
        print(FAMILIES[args.show[0]](int(args.show[1])), end="")
        return
    results = measure(args.quick, tuple(args.only), time.perf_counter if args.wall else time.process_time)
    print(text(results, args.markdown))
    save(results)


if __name__ == "__main__":
    main()
