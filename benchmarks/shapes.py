"""The derivatives specialised on array shapes against the general ones, side by side.

Run: python -m benchmarks.shapes [WORKLOAD ...]   (default: rosenbrock mlp rnn logistic)

For each gradient row with array arguments, in one process, interleaved: the primal, the
hand-written gradient, srcad's general derivative (compiled for the argument kinds alone, what
ran before issue 15), the derivative specialised on the arrays' shapes called directly, and
`srcad.grad(f)` (which dispatches to the specialised one: the difference is the cost of the
dispatcher, its shape key included). Cells are ratios to the primal; the last columns compare
the specialised derivative with the general one and srcad.grad with the hand-written gradient.
"""
import sys

import srcad
from srcad import shaped
from srcad.dispatch import Target, bound_and_checked

from . import timing
from .workloads import cases

COLUMNS = ("primal", "hand-written", "general", "specialised", "srcad.grad")


def entries(case):
    """Column -> (callable, args) for `case`, or None where no shape specialisation applies."""
    f, args = case.primal, case.args
    names = tuple(f.__code__.co_varnames[i] for i in case.wrt)
    target = Target(f, names if len(names) > 1 else names[0], "grad")
    kinds = target.kinds(args, {})
    shapes = shaped.shapes_of(target, kinds, args)
    if shapes is None:
        return None
    compiled = {"general": target.compiled(kinds, variant="grad"),
                "specialised": target.compiled(kinds, variant="grad", shapes=shapes)}
    found = {"primal": f, "hand-written": case.hand,
             **{k: bound_and_checked(target, c, "grad") for k, c in compiled.items()},
             "srcad.grad": srcad.grad(f, wrt=case.wrt if len(case.wrt) > 1 else case.wrt[0])}
    for fn in found.values():
        fn(*args)
    return {k: (fn, args) for k, fn in found.items()}


def rows(scale="full", only=("rosenbrock", "mlp", "rnn", "logistic"), settings=None):
    """(case name, column -> median seconds a call) for each case with array arguments."""
    settings = settings or timing.Settings()
    out = []
    for case in cases(scale, only):
        found = entries(case) if case.kind == "grad" else None
        if found is not None:
            times = timing.interleaved(found, settings)
            out.append((case.name, {k: t.median for k, t in times.items()}))
    return out


def markdown(measured):
    lines = ["| case | " + " | ".join(COLUMNS) + " | specialised / general | srcad.grad / hand-written |",
             "|---" * (len(COLUMNS) + 3) + "|"]
    for name, t in measured:
        cells = [f"{t['primal'] * 1e6:,.0f} µs"] + [f"{t[c] / t['primal']:.2f}x" for c in COLUMNS[1:]]
        lines.append(f"| {name} | " + " | ".join(cells) +
                     f" | {t['specialised'] / t['general']:.2f} | {t['srcad.grad'] / t['hand-written']:.2f} |")
    return "\n".join(lines)


def main(argv):
    print(markdown(rows(only=tuple(argv) or ("rosenbrock", "mlp", "rnn", "logistic"))))


if __name__ == "__main__":
    main(sys.argv[1:])
