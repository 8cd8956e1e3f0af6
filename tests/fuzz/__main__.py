"""python -m tests.fuzz [--n N] [--seed S] [--jobs J] [--out DIR] [--show SEED] [--in-place-from E]

Runs the programs of seeds S .. S+N-1 through every check (check.py) and prints how many
were ok, refused (SrcadError), wrong, crashed inside srcad, or skipped (no trustworthy oracle),
with the most common refusals. Each wrong or crashing program is written to DIR as
`<kind>_<seed>.py`: the program, then a comment with its arguments and the findings.
`--show SEED` prints one program and its arguments, `--run SEED` checks one and prints that
report; `python -m tests.fuzz.reduce SEED` shrinks a failing one.
"""
import argparse
import collections
import multiprocessing
import os
import re
import sys
import tempfile
import time

from . import check, generate


def _work(seed):
    directory = _work.directory
    program = generate.program(seed)
    outcome = check.check_program(program, directory)
    return program, outcome


def _start_worker(directory, in_place_from=None):
    _work.directory = directory
    if in_place_from is not None:  # the fuzzer's vectors are small: reach the in-place pass
        from srcad.optimize import in_place
        in_place.LARGE = in_place_from


def report(program, outcome):
    lines = [program.source, "", f"# seed {program.seed}: {outcome.kind}",
             f"# wrt positions {program.wrt}", "# args = ("]
    lines += [f"#     {arg!r}," for arg in program.args]
    lines.append("# )")
    for kind, stage, message in outcome.findings:
        lines.append(f"# {kind} in {stage}:")
        lines += ["#   " + line for line in message.splitlines()]
    return "\n".join(lines) + "\n"


def grouped(message):
    """A refusal or crash message with the program's own names and numbers blanked out."""
    message = re.sub(r"\b[a-z]+\d+(_\d+)?\b", "NAME", message.split("\n")[0])
    message = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", message)
    return message[:160]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[2])
    parser.add_argument("--n", type=int, default=500, help="how many programs")
    parser.add_argument("--seed", type=int, default=0, help="the first seed")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "srcad-fuzz-failures"),
                        help="folder for failing programs (default: %(default)s)")
    parser.add_argument("--show", type=int, help="print the program of this seed and stop")
    parser.add_argument("--run", type=int, help="check the program of this seed, print the report")
    parser.add_argument("--quiet", action="store_true", help="no line per failure")
    parser.add_argument("--in-place-from", type=int, metavar="ELEMENTS",
                        help="reuse temporaries in place from this many elements (srcad's "
                             "threshold is 16384, above the fuzzer's vectors: 1 reaches the pass)")
    options = parser.parse_args(argv)
    if options.show is not None:
        program = generate.program(options.show)
        print(program.source)
        print(f"# args = {program.args!r}, wrt positions {program.wrt}")
        return 0

    if options.run is not None:
        with tempfile.TemporaryDirectory(prefix="srcad_fuzz_") as directory:
            _start_worker(directory, options.in_place_from)
            program = generate.program(options.run)
            outcome = check.check_program(program, directory)
        print(report(program, outcome))
        return 0 if outcome.kind not in (check.WRONG, check.CRASH) else 1

    counts = collections.Counter()
    refusals, crashes = collections.Counter(), collections.Counter()
    os.makedirs(options.out, exist_ok=True)
    seeds = range(options.seed, options.seed + options.n)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="srcad_fuzz_") as directory:
        if options.jobs > 1:
            pool = multiprocessing.Pool(options.jobs, _start_worker, (directory, options.in_place_from))
            results = pool.imap_unordered(_work, seeds, chunksize=4)
        else:
            pool = None
            _start_worker(directory, options.in_place_from)
            results = map(_work, seeds)
        for program, outcome in results:
            counts[outcome.kind] += 1
            for kind, stage, message in outcome.findings:
                if kind == check.REFUSED:
                    refusals[grouped(message)] += 1
                elif kind == check.CRASH:
                    crashes[f"{stage}: {grouped(message)}"] += 1
            if outcome.kind in (check.WRONG, check.CRASH, check.NAN):  # nan: kept to be read
                path = os.path.join(options.out, f"{outcome.kind}_{program.seed}.py")
                with open(path, "w", encoding="utf-8") as file:
                    file.write(report(program, outcome))
                if not options.quiet and outcome.kind != check.NAN:
                    kind, stage, message = outcome.first(outcome.kind)
                    print(f"seed {program.seed}: {kind} in {stage}: {message.splitlines()[0][:150]}")
        if pool is not None:
            pool.close()
            pool.join()

    total = sum(counts.values())
    print(f"\n{total} programs in {time.time() - started:.0f} s: " + ", ".join(
        f"{kind} {counts[kind]}" for kind in (check.OK, check.REFUSED, check.WRONG, check.CRASH,
                                              check.NAN, check.SKIPPED)))
    if refusals:
        print(f"refusal rate {counts[check.REFUSED] / max(total, 1):.1%}; most common refusals:")
        for message, count in refusals.most_common(8):
            print(f"  {count:5d}  {message}")
    if crashes:
        print("most common crashes:")
        for message, count in crashes.most_common(8):
            print(f"  {count:5d}  {message}")
    if counts[check.WRONG] or counts[check.CRASH]:
        print(f"failing programs written to {options.out}")
    return 1 if counts[check.WRONG] or counts[check.CRASH] else 0


if __name__ == "__main__":
    sys.exit(main())
