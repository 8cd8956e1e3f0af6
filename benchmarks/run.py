"""The suite's sections, in order: table, costs, scaling, memory, compile, numba (see __main__.py)."""
import datetime
import os
import platform
import subprocess
import sys

import numpy as np

from . import columns, compile_time, costs, memory, numba_bench, report, scaling, suite, timing
from .workloads import WORKLOADS, cases


def environment(threads):
    """One paragraph: machine, versions, date (printed above the results)."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    for module, label in (("autograd", "autograd"), ("torch", "torch"), ("jax", "jax"),
                          ("tangent", "tangent-ad")):
        versions.append(f"{label} {_version(module, label)}")
    return (f"{datetime.date.today().isoformat()}, srcad {_commit()}, {cpu}, {os.cpu_count()} "
            f"cores; {', '.join(versions)}; {threads} thread(s) for BLAS, torch and XLA")


def _commit():
    """The srcad commit measured, "+changes" when srcad/ differs from it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "srcad"], cwd=root, text=True,
                                 capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "(commit unknown)"
    return f"at {head}" + (" +changes" if changed else "")


def _version(module, dist):
    try:
        from importlib.metadata import version
        __import__(module)
        return version(dist)
    except Exception:  # noqa: BLE001 (not installed, or no metadata)
        return "not installed"


def quick_skip(column, case):
    if column == "jax.jit" and case.workload == "recurrence":
        return "skipped by --quick: tracing 1000 steps makes a compile of minutes"
    return None


def main(args, sections):
    chosen = [s for s in args.only if s in sections]
    names = [n for n in args.only if n not in sections]
    unknown = [n for n in names if n not in WORKLOADS and not cases("full", (n,))]
    if unknown:
        sys.exit(f"unknown workload, case or section: {', '.join(unknown)}")
    run_sections = chosen or (["table", "costs"] if names else list(sections))
    scale = "quick" if args.quick else "full"
    settings = timing.Settings.quick() if args.quick else timing.Settings()
    if args.rounds:
        settings.rounds = args.rounds
    columns.configure(args.threads)
    color = sys.stdout.isatty() and not args.no_color
    print(environment(args.threads), flush=True)
    selected = cases(scale, tuple(names))
    if "table" in run_sections:
        names_ = tuple(args.columns or columns.COLUMNS)
        rows = []
        for case in selected:
            print(f"  ... {case.name}", file=sys.stderr, flush=True)
            rows.append(suite.run_case(case, names_, settings, quick_skip if args.quick else None))
        print()
        print(report.table(rows, names_, color=color, markdown=args.markdown), flush=True)
    if "costs" in run_sections:
        repeats = 3 if args.quick else 10
        first = [costs.first_call(case, repeats) for case in selected]
        textbook = [c for c in selected if c.workload == "textbook"]
        overhead = costs.wrapper_overhead(textbook[0], settings) if textbook else None
        print()
        print(report.costs_table(first, overhead, markdown=args.markdown), flush=True)
    if "scaling" in run_sections:
        print()
        results = scaling.measure(settings, args.quick)
        print(scaling.text(results))
        scaling.save(results)
    if "memory" in run_sections:
        print()
        results = memory.measure(memory.STEPS[:3] if args.quick else memory.STEPS)
        print(memory.text(results))
        memory.save(results)
    if "compile" in run_sections:
        print()
        results = compile_time.measure(args.quick)
        print(compile_time.text(results, markdown=args.markdown))
        compile_time.save(results)
    if "numba" in run_sections:
        print()
        numba_bench.section(settings, markdown=args.markdown)
