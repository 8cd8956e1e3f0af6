"""Gradient / primal ratio against problem size: Rosenbrock n = 1 .. 10^6 and the scalar
recurrence 10 .. 10^4 steps, for srcad, srcad.tape, autograd and torch (and the hand-written
gradient as the floor). Each size is one interleaved run of `suite.run_case`.

Run: python -m benchmarks.scaling [--quick]   (writes docs/images/bench_scaling.png)
"""
import argparse
import pathlib

from . import report, suite, timing
from .workloads import recurrence, rosenbrock

TOOLS = ("hand-written", "srcad", "srcad.tape", "autograd", "torch")
ROSENBROCK_SIZES = (1, 10, 100, 1000, 10_000, 100_000, 1_000_000)
RECURRENCE_STEPS = (10, 100, 1000, 10_000)
IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def series(make, sizes, settings):
    """size -> Row, for the cases `make(size)`."""
    return {n: suite.run_case(make(n), ("primal",) + TOOLS, settings) for n in sizes}


def measure(settings, quick=False):
    sizes = ROSENBROCK_SIZES[::2] if quick else ROSENBROCK_SIZES
    steps = RECURRENCE_STEPS[:3] if quick else RECURRENCE_STEPS
    return {"rosenbrock": series(rosenbrock.case, sizes, settings),
            "recurrence": series(recurrence.case, steps, settings)}


def text(results):
    lines = ["gradient time / primal time"]
    for name, rows in results.items():
        lines.append(f"  {name}: " + "size".rjust(10) + "".join(t.rjust(14) for t in TOOLS))
        for n, row in rows.items():
            cells = [row.cells[t] for t in TOOLS]
            shown = [report.ratio(c.ratio) if c.status == "ok" else c.status for c in cells]
            lines.append(" " * (len(name) + 4) + f"{n:>10,}" + "".join(s.rjust(14) for s in shown))
    return "\n".join(lines)


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    titles = {"rosenbrock": "vectorised Rosenbrock: n", "recurrence":
              "scalar recurrence: steps (tape, autograd: np spelling; torch: torch.sin)"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, (name, rows) in zip(axes, results.items()):
        for tool in TOOLS:
            points = [(n, row.cells[tool].ratio) for n, row in rows.items()
                      if row.cells[tool].status == "ok"]
            if points:
                style = "--" if tool == "hand-written" else "-"
                ax.plot(*zip(*points), style, marker="o", label=tool)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("problem size")
        ax.set_ylabel("gradient time / primal time")
        ax.set_title(titles[name], fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    settings = timing.Settings.quick() if args.quick else timing.Settings()
    results = measure(settings, args.quick)
    print(text(results))
    save(results)


def save(results):
    report.save_plot(plot, results, IMAGES / "bench_scaling.png")


if __name__ == "__main__":
    main()
