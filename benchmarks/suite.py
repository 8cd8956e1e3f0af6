"""Run cases: prepare every column, check its derivative against the hand-written one, then
time the columns that passed, interleaved, in this process.

A column whose derivative is wrong, or that raises, is never timed: its cell says so.
"""
import dataclasses
import gc
from typing import Optional

from . import columns, timing


@dataclasses.dataclass
class Cell:
    status: str                      # "ok", "n/a", "wrong", "error"
    seconds: Optional[float] = None  # median per call
    ratio: Optional[float] = None    # to the primal's median
    note: str = ""                   # spelling used, torch's strategy, ...
    reason: str = ""                 # why n/a / wrong / error
    compile_seconds: Optional[float] = None   # jax.jit: first call less a steady call
    samples: int = 0


@dataclasses.dataclass
class Row:
    case: object
    cells: dict
    numpy_primal: Optional[float] = None   # the primal in numpy spelling, where it differs


def run_case(case, names, settings, skip=None):
    """The row of `case` for the columns in `names`; `skip(column, case)` may give a reason
    to leave a column out (e.g. a compile that takes minutes in a quick run)."""
    cells, entries = {}, {}
    for name in names:
        reason = columns.peer_missing(name) or (skip and skip(name, case))
        if reason:
            cells[name] = Cell("n/a", reason=reason)
            continue
        cells[name], prepared = checked(name, case)
        if prepared is not None:
            entries[name] = (prepared.fn, prepared.args)
    if case.uses_math:
        entries["primal (numpy spelling)"] = (case.numpy, case.args)
        case.numpy(*case.args)
    gc.collect()
    timings = timing.interleaved(entries, settings)
    base = timings["primal"].median if "primal" in timings else None
    for name, t in timings.items():
        if name in cells:
            cell = cells[name]
            cell.seconds, cell.samples = t.median, len(t.samples)
            cell.ratio = t.median / base if base else None
            if cell.compile_seconds is not None:
                cell.compile_seconds = max(0.0, cell.compile_seconds - t.median)
    numpy_primal = timings.get("primal (numpy spelling)")
    return Row(case, cells, numpy_primal.median if numpy_primal else None)


def checked(name, case):
    """(cell, prepared): the column made and called once (and checked, for derivatives); the
    prepared call is None when there is nothing to time."""
    try:
        prepared = columns.prepare(name, case)
    except columns.NotApplicable as why:
        return Cell("n/a", reason=str(why)), None
    except Exception as error:  # noqa: BLE001 (a tool failing to build is a result)
        return Cell("error", reason=_describe(error)), None
    try:
        out = prepared.fn(*prepared.args)
        prepared.fn(*prepared.args)  # warm: caches, allocator, lazy imports
    except Exception as error:  # noqa: BLE001
        return Cell("error", note=prepared.note, reason=_describe(error)), None
    if name != "primal":
        mismatch = columns.check(prepared.result(out), case.hand(*case.args))
        if mismatch:
            return Cell("wrong", note=prepared.note, reason=mismatch), None
    return Cell("ok", note=prepared.note, compile_seconds=prepared.compile_seconds), prepared


def _describe(error):
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}"
