"""The fuzzer on a fixed set of seeds: no wrong derivative, no crash inside srcad.

`python -m tests.fuzz --n 10000` runs many more (see __main__.py). Here `value_and_grad`'s
gradient stands for `grad`'s (one compilation less per program: 200 programs take about 40 s
of CPU). A seed in KNOWN_FAILURES still fails for the reason given there: it runs as a
non-strict xfail, and the list may only shrink (when a fix makes one pass, delete it here and
lower MOST_KNOWN_FAILURES).
"""
import functools
import tempfile

import pytest

from . import check, generate

SEEDS = range(0, 200)

KNOWN_FAILURES = {}
# The list may shrink, never grow: a new failure is a bug to fix (or to refuse), not to list.
MOST_KNOWN_FAILURES = 0


@functools.lru_cache(maxsize=None)
def _directory():
    return tempfile.mkdtemp(prefix="srcad_fuzz_")


def _params():
    return [pytest.param(seed, id=f"seed{seed}",
                         marks=[pytest.mark.xfail(reason=KNOWN_FAILURES[seed], strict=False)]
                         if seed in KNOWN_FAILURES else [])
            for seed in SEEDS]


@pytest.mark.parametrize("seed", _params())
def test_random_program(seed):
    program = generate.program(seed)
    outcome = check.check_program(program, _directory(), thorough=False)
    bad = [f"{kind} in {stage}: {message}" for kind, stage, message in outcome.findings
           if kind in (check.WRONG, check.CRASH)]
    assert not bad, f"seed {seed}:\n{program.source}\nargs = {program.args!r}\n" + "\n".join(bad)


def test_known_failures_do_not_grow():
    assert len(KNOWN_FAILURES) <= MOST_KNOWN_FAILURES
    assert set(KNOWN_FAILURES) <= set(SEEDS)


def test_programs_are_reproducible():
    assert generate.program(12345).source == generate.program(12345).source


# programs (outside SEEDS: a derivative compiled there would be taken from the cache) whose
# gradients reach the in-place pass once its threshold is 1 element (srcad/optimize/in_place.py)
IN_PLACE_SEEDS = (770007, 770033, 770069, 770075, 770083, 770103, 770108, 770141)


@pytest.mark.parametrize("seed", IN_PLACE_SEEDS)
def test_random_program_with_temporaries_reused_in_place(seed, monkeypatch):
    from srcad.optimize import in_place
    import srcad
    monkeypatch.setattr(in_place, "LARGE", 1)
    program = generate.program(seed)
    module = check.load(program.source, _directory())
    try:
        text = srcad.source(module.f, wrt=program.wrt, of="grad", args=program.args)
    finally:
        check.unload(module)
    assert "_rt.into(" in text or "overwrite=True" in text, text
    outcome = check.check_program(program, _directory())
    bad = [f"{kind} in {stage}: {message}" for kind, stage, message in outcome.findings
           if kind in (check.WRONG, check.CRASH)]
    assert not bad, f"seed {seed}:\n{program.source}\nargs = {program.args!r}\n" + "\n".join(bad)
