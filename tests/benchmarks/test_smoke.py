"""The benchmark suite's own code on tiny sizes: every column's derivative of every workload
equals the hand-written one. Correctness only; nothing here looks at a time.

Peers (autograd, torch, jax, tangent-ad) are skipped when not installed: CI installs only the
test extra.
"""
import os
import sys

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:  # benchmarks/ is not installed with the package
    sys.path.insert(0, _ROOT)

from benchmarks import columns, report, scaling, suite, timing  # noqa: E402
from benchmarks.workloads import WORKLOADS, cases, recurrence  # noqa: E402

# torch.autograd.functional.jacobian(vectorize=True) warns about torch.jit.script on first use
pytestmark = pytest.mark.filterwarnings("ignore:.*torch.jit.script.*:DeprecationWarning")

TINY = cases("tiny")
DERIVATIVES = [c for c in columns.COLUMNS if c != "primal"]


def test_every_workload_has_a_tiny_case():
    assert {case.workload for case in TINY} == set(WORKLOADS)


@pytest.mark.parametrize("case", TINY, ids=lambda case: case.name)
def test_hand_written_derivative_matches_srcad(case):
    cell, _ = suite.checked("srcad", case)
    assert cell.status == "ok", cell.reason


@pytest.mark.parametrize("column", DERIVATIVES)
@pytest.mark.parametrize("case", TINY, ids=lambda case: case.name)
def test_column_derivative_equals_hand_written(case, column):
    missing = columns.peer_missing(column)
    if missing:
        pytest.skip(f"{column}: {missing}")
    cell, _ = suite.checked(column, case)
    if cell.status == "n/a":
        pytest.skip(cell.reason)
    assert cell.status == "ok", f"{column} on {case.name}: {cell.status}: {cell.reason}"


def test_srcad_and_the_tape_take_every_gradient_workload():
    for case in TINY:
        if case.kind == "grad":
            assert suite.checked("srcad.tape", case)[0].status == "ok", case.name


def test_a_wrong_derivative_is_reported_not_timed():
    case = TINY[0]
    assert columns.check((5.5, 1.7163378145367738), case.hand(*case.args)) is None
    assert columns.check((5.5, 1.8), case.hand(*case.args)).startswith("rel. error")


def test_table_and_scaling_sections_render():
    once = timing.Settings(rounds=1, sample_seconds=0.0)
    rows = [suite.run_case(case, ("primal", "hand-written", "srcad"), once) for case in TINY[:2]]
    text = report.table(rows, ("primal", "hand-written", "srcad"))
    assert "textbook" in text and "WRONG" not in text and "error" not in text
    results = {"recurrence": scaling.series(recurrence.case, (2, 3), once)}
    assert "recurrence" in scaling.text(results)


def test_shapes_table_runs_at_tiny_sizes():
    from benchmarks import shapes, timing
    measured = shapes.rows("tiny", ("rnn",), timing.Settings(rounds=1, sample_seconds=0.001))
    assert [name for name, _ in measured] == ["rnn 5 steps, hidden 4, input 3", "rnn readout 5 steps, hidden 4, input 3"]
    assert "| rnn readout 5 steps" in shapes.markdown(measured)


def test_the_numba_section_checks_and_tabulates_its_gradients():
    pytest.importorskip("numba")
    from benchmarks import numba_bench
    settings = timing.Settings(rounds=1, sample_seconds=0.0005)
    measured = numba_bench.rows(settings, n_turns=20, n_array=30)  # raises if a gradient differs
    assert {name for _, name, _, _ in measured} >= {"numba function", "srcad grad, numba"}
    assert "srcad grad, numba" in numba_bench.table(measured, markdown=True)
