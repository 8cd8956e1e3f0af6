"""What srcad pays besides running the derivative: the first call (parse + transform + compile,
from an empty cache) and the per-call cost of the dispatching wrapper.

First call, warm process: `srcad.cache.CACHE` cleared, a fresh `srcad.grad(f)` made and called
once, median of several repeats (rule tables, gast and astor are already loaded). First call,
cold process: the same once in a new interpreter that has imported srcad and numpy only.
"""
import dataclasses
import json
import subprocess
import sys
from typing import Optional

import srcad
import srcad.dispatch
from srcad.cache import CACHE

from . import columns, timing


@dataclasses.dataclass
class FirstCall:
    case: object
    warm: float           # seconds, median, cache cleared each time
    cold: Optional[float]  # seconds, in a new interpreter (None if it failed)
    steady: float         # seconds of one call once compiled


def first_call(case, repeats):
    def once():
        CACHE.clear()
        prepared = columns.prepare("srcad", case)
        prepared.fn(*prepared.args)
    prepared = columns.prepare("srcad", case)
    prepared.fn(*prepared.args)
    steady = timing.median_of(lambda: prepared.fn(*prepared.args), max(repeats, 5))
    warm = timing.median_of(once, repeats)
    CACHE.clear()
    return FirstCall(case, warm, _cold(case), steady)


_COLD = """
import json, sys, time
import numpy, srcad
from benchmarks import columns
from benchmarks.workloads import cases
case = next(c for c in cases({scale!r}) if c.name == {name!r})
start = time.perf_counter()
prepared = columns.prepare("srcad", case)
prepared.fn(*prepared.args)
print(json.dumps(time.perf_counter() - start))
"""


def _cold(case):
    code = _COLD.format(scale=case.scale, name=case.name)
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=600, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None


@dataclasses.dataclass
class Overhead:
    primal: float
    dispatched: float      # srcad.grad(f)(x1, x2)
    direct: float          # the generated function called directly


def wrapper_overhead(case, settings):
    """srcad.grad(f) against the generated function it dispatches to, on `case` (floats)."""
    target = srcad.dispatch.Target(case.primal, case.wrt, "grad")
    kinds = target.kinds(case.args, {})
    direct = target.compiled(kinds, variant="grad").bind(case.primal)
    dispatched = srcad.grad(case.primal, wrt=case.wrt)
    entries = {"primal": (case.primal, case.args), "dispatched": (dispatched, case.args),
               "direct": (direct, case.args)}
    for fn, args in entries.values():
        fn(*args)
    times = timing.interleaved(entries, settings)
    return Overhead(times["primal"].median, times["dispatched"].median, times["direct"].median)
