"""Peak memory of one gradient of the scalar recurrence against its number of steps, for srcad,
srcad.tape, autograd and torch (the primal and the hand-written gradient as references).

Each point is measured in a new interpreter (`python -m benchmarks.memory probe TOOL STEPS`),
after one warm-up call at 10 steps:
  rss     growth of the resident set during the call: the kernel's high-water mark (VmHWM,
          reset through /proc/self/clear_refs just before) less the resident size before it.
          It sees every allocation, torch's C++ autograd graph included; its grain is a page,
          and memory the allocators already hold can hide a small growth: the plot leaves
          out points below 256 kB.
  traced  tracemalloc's peak during a second call: Python allocations only, byte-exact; it
          cannot see torch's allocator or autograd nodes, so it is not shown for torch.

Run: python -m benchmarks.memory [--quick]   (writes docs/images/bench_memory.png)
"""
import argparse
import ctypes
import gc
import json
import pathlib
import re
import subprocess
import sys
import tracemalloc

from . import report

TOOLS = ("primal", "hand-written", "srcad", "srcad.tape", "autograd", "torch")
STEPS = (10, 100, 1000, 10_000, 100_000)
RSS_GRAIN = 256 * 1024  # below this, resident-set growth is allocator slack, not data
IMAGES = pathlib.Path(__file__).resolve().parent.parent / "docs" / "images"


def probe(tool, steps):
    """{"rss": bytes or None, "traced": bytes or None} for one call at `steps` (in this process)."""
    from . import columns
    from .workloads import recurrence
    warm = columns.prepare(tool, recurrence.case(10))
    warm.fn(*warm.args)
    prepared = columns.prepare(tool, recurrence.case(steps))
    gc.collect()
    rss = _rss_growth(lambda: prepared.fn(*prepared.args))
    gc.collect()
    traced = None
    if tool != "torch":
        tracemalloc.start()
        prepared.fn(*prepared.args)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"rss": rss, "traced": traced}


def _status(field):
    text = pathlib.Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", text).group(1)) * 1024


def _rss_growth(call):
    _release_free_memory()
    try:
        before = _status("VmRSS")
        pathlib.Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to VmRSS
    except (OSError, AttributeError):
        return None
    out = call()
    peak = _status("VmHWM")
    del out
    return max(0, peak - before)


def _release_free_memory():
    """Hand the C allocator's free pages back to the kernel, so that the call's growth is not
    hidden in memory freed earlier (glibc only; elsewhere the figure is a lower bound)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def measure(steps=STEPS, tools=TOOLS):
    """tool -> {steps: {"rss": ..., "traced": ...}}, each point in a new interpreter."""
    results = {tool: {} for tool in tools}
    for n in steps:
        for tool in tools:
            done = subprocess.run([sys.executable, "-m", "benchmarks.memory", "probe", tool,
                                   str(n)], capture_output=True, text=True, timeout=1200,
                                  cwd=pathlib.Path(__file__).resolve().parent.parent)
            lines = done.stdout.strip().splitlines()
            results[tool][n] = json.loads(lines[-1]) if done.returncode == 0 and lines else {
                "rss": None, "traced": None, "error": done.stderr.strip()[-300:]}
    return results


def text(results):
    lines = ["peak memory of one gradient of the recurrence: rss growth / tracemalloc peak"]
    steps = sorted({n for points in results.values() for n in points})
    lines.append("  " + "tool".ljust(14) + "".join(f"{n:>24,}" for n in steps))
    for tool, points in results.items():
        shown = [_pair(points.get(n, {})) for n in steps]
        lines.append("  " + tool.ljust(14) + "".join(s.rjust(24) for s in shown))
    return "\n".join(lines)


def _pair(point):
    if "error" in point:
        return "error"
    return f"{_mb(point.get('rss'))} / {_mb(point.get('traced'))}"


def _mb(value):
    if value is None:
        return "-"
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value} B"


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    for i, (tool, points) in enumerate(results.items()):
        color = f"C{i}"
        for field, style in (("rss", "-"), ("traced", ":")):
            floor = RSS_GRAIN if field == "rss" else 1
            xy = [(n, p[field]) for n, p in sorted(points.items()) if (p.get(field) or 0) >= floor]
            if xy:
                label = None if any(line.get_color() == color for line in ax.lines) else tool
                ax.plot(*zip(*xy), style, marker="o" if field == "rss" else ".", color=color,
                        label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("recurrence steps (loop length)")
    ax.set_ylabel("peak memory added by one call (bytes)")
    ax.set_title("solid: resident-set growth, all allocations (shown from 256 kB); "
                 "dotted: tracemalloc peak", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save(results):
    report.save_plot(plot, results, IMAGES / "bench_memory.png")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["probe"]:
        print(json.dumps(probe(argv[1], int(argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    results = measure(STEPS[:3] if args.quick else STEPS)
    print(text(results))
    save(results)


if __name__ == "__main__":
    main()
