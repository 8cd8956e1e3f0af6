"""Shrink a failing program to a few lines that still fail the same way.

python -m tests.fuzz.reduce SEED [--stage STAGE]

Greedy, line by line: remove one statement (with its block, if it opens one) or unwrap a
compound statement (keep its first block, dedented), and keep the change if the program still
runs and still fails with the same kind in the same stage (and, for a crash, the same
exception type). Repeats until nothing more can go.
"""
import argparse
import dataclasses
import tempfile

from . import check, generate


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _block_end(lines, start):
    """The index after the statement starting at `start` (its indented block included)."""
    depth = _indent(lines[start])
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > depth):
        end += 1
    # `elif`/`else` clauses belong to the `if` that starts at `start`
    while end < len(lines) and _indent(lines[end]) == depth and \
            lines[end].strip().startswith(("elif ", "else:")):
        end += 1
        while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > depth):
            end += 1
    return end


def _candidates(lines):
    """Smaller versions of `lines`: one statement removed or one compound statement unwrapped."""
    for start, line in enumerate(lines):
        text = line.strip()
        if not text or text.startswith(("import", '"""', "#", "return", "elif", "else")) or \
                line.startswith("def "):
            if text.startswith("return") and _indent(line) > 4:
                yield lines[:start] + lines[start + 1:]
            continue
        end = _block_end(lines, start)
        yield lines[:start] + lines[end:]
        if text.endswith(":") and not text.startswith("def "):
            depth = _indent(line)
            body_end = start + 1
            while body_end < end and (not lines[body_end].strip() or _indent(lines[body_end]) > depth):
                body_end += 1
            body = [b[4:] for b in lines[start + 1:body_end]]
            if text.startswith(("for ", "while ")):
                body = [b for b in body if b.strip() not in ("break", "continue")]
            yield lines[:start] + body + lines[end:]
    for start, line in enumerate(lines):  # whole helpers nobody calls any more
        if line.startswith("def ") and not line.startswith("def f("):
            name = line[4:line.index("(")]
            end = _block_end(lines, start)
            rest = lines[:start] + lines[end:]
            if not any(name + "(" in other for other in rest):
                yield rest


def signature(outcome, stage=None):
    finding = next((f for f in outcome.findings if f[0] in (check.WRONG, check.CRASH)
                    and (stage is None or f[1] == stage)), None)
    if finding is None:
        return None
    kind, stage, message = finding
    return (kind, stage, message.split(":")[0] if kind == check.CRASH else "")


def reduce(program, stage=None, directory=None, log=print):
    directory = directory or tempfile.mkdtemp(prefix="srcad_reduce_")
    wanted = signature(check.check_program(program, directory), stage)
    if wanted is None:
        raise ValueError(f"seed {program.seed} does not fail")
    lines = program.source.splitlines()
    improved = True
    while improved:
        improved = False
        for candidate in _candidates(lines):
            smaller = dataclasses.replace(program, source="\n".join(candidate) + "\n")
            try:
                compile(smaller.source, "candidate", "exec")
            except SyntaxError:
                continue
            if signature(check.check_program(smaller, directory), wanted[1]) == wanted:
                lines, improved = candidate, True
                log(f"  {len(lines)} lines")
                break
    return dataclasses.replace(program, source="\n".join(lines) + "\n"), wanted


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.reduce")
    parser.add_argument("seed", type=int)
    parser.add_argument("--stage", help="keep a failure in this stage (grad, jvp, tape, ...)")
    options = parser.parse_args(argv)
    program, wanted = reduce(generate.program(options.seed), options.stage, log=lambda _: None)
    print(program.source)
    print(f"# args = {program.args!r}")
    print(f"# wrt positions {program.wrt}; fails: {wanted}")


if __name__ == "__main__":
    main()
