"""The numba backend's tapes as preallocated arrays, where the trip count is known at loop entry.

A derivative's tape is a list (`_tape.append(v)` in the forward sweep, `v = _tape.pop()` in the
reverse sweep); numba types it by what is appended. Where the list holds numbers (or tuples of
numbers) pushed once a turn by a loop over a range and popped once a turn by the loop counting
down over the same range, the tape becomes one array a slot, allocated with the range's length
before the loop, and a counter:

    _tape_0 = np.empty(len(t1), np.float64)       # before `for i in t1:`
    _tape_0[_tape_at] = s; _tape_at += 1          # was _tape.append(s)
    _tape_at -= 1; s = _tape_0[_tape_at]          # was s = _tape.pop()

The slots' dtypes are the element types numba inferred for the list (the derivative is first
compiled with the list, for the call's argument types). Anything else (several pushes, a push
under a branch or in a nested loop, a tape handed to a helper) keeps the list.
"""
import ast
import re

_FOR = re.compile(r"^(\s*)for \w+ in (\w+):$")
_RANGE = "{name} = range("


def array_tape_text(text, item_type, numpy_name):
    """`text` (a derivative in numba's subset) with its tape as arrays of the dtypes of numba's
    `item_type` (a number type or a tuple of them), or None where the tape is used otherwise."""
    slots = _slot_dtypes(item_type)
    lines = text.split("\n")
    mentions = [i for i, line in enumerate(lines) if "_tape" in line and not line.strip().startswith("#")]
    if slots is None or len(mentions) != 3 or re.search(r"\b_tape_(\d+|at)\b", text):
        return None
    made, push, pop = mentions
    if lines[made].strip() != "_tape = []" or not lines[push].strip().startswith("_tape.append(") \
            or not lines[pop].strip().endswith(" = _tape.pop()"):
        return None
    loop = _single_loop(lines, push)
    back = _single_loop(lines, pop)
    if loop is None or back is None:
        return None
    header, range_name = loop
    level = _indent(lines[made])  # both loops at the function's own level: each runs once
    assigned = [line for line in lines if re.match(rf"\s*{range_name} = ", line)]
    if _indent(lines[header]) != level or _indent(lines[back[0]]) != level or len(assigned) != 1 \
            or not assigned[0].strip().startswith(_RANGE.format(name=range_name)) \
            or not _counts_down(lines[back[0]], range_name):
        return None
    pushed = _parts(lines[push].strip()[len("_tape.append("):-1], len(slots))
    popped = _parts(lines[pop].strip()[:-len(" = _tape.pop()")], len(slots))
    if pushed is None or popped is None:
        return None
    return "\n".join(_rewritten(lines, made, header, push, pop, range_name, slots, pushed, popped, numpy_name))


def _slot_dtypes(item_type):
    """numpy dtype names of the tape's slots, or None if one is no number."""
    from numba.core import types
    parts = list(item_type.types) if isinstance(item_type, types.BaseTuple) else [item_type]
    if not parts or not all(isinstance(t, (types.Float, types.Integer, types.Boolean)) for t in parts):
        return None
    return ["bool_" if isinstance(t, types.Boolean) else str(t) for t in parts]


def _single_loop(lines, at):
    """(line of the `for v in name:` whose body holds line `at` directly, name) when that body is
    straight-line code (no nested block, no break or continue: one turn, one push), else None."""
    indent = _indent(lines[at])
    header = at - 1
    while header >= 0 and (not lines[header].strip() or _indent(lines[header]) >= indent):
        header -= 1
    found = _FOR.match(lines[header]) if header >= 0 else None
    range_name = found.group(2) if found else None
    if found is None and header >= 0 and lines[header].lstrip().startswith("for ") and "(len(" in lines[header]:
        range_name = ""  # the counting-down loop: checked by _counts_down
    if header < 0 or range_name is None or _indent(lines[header]) != indent - 4:
        return None
    end = header + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) >= indent):
        stripped = lines[end].strip()
        if stripped and not stripped.startswith("#") and (_indent(lines[end]) != indent or
                                                         stripped.split()[0] in ("break", "continue", "return")):
            return None
        end += 1
    return header, range_name


def _counts_down(line, range_name):
    r = range_name
    return line.strip().endswith(f"in range({r}.start + (len({r}) - 1) * {r}.step, {r}.start - {r}.step, -{r}.step):")


def _parts(text, count):
    """The `count` comma-separated parts of a pushed tuple or a popped target, as source."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    items = node.elts if isinstance(node, ast.Tuple) and count > 1 else [node]
    return [ast.unparse(item) for item in items] if len(items) == count else None


def _rewritten(lines, made, header, push, pop, range_name, slots, pushed, popped, numpy_name):
    out = []
    for i, line in enumerate(lines):
        pad = " " * _indent(line)
        if i == made:
            out.append(f"{pad}_tape_at = 0")
        elif i == header:
            out += [f"{pad}_tape_{k} = {numpy_name}.empty(len({range_name}), {numpy_name}.{dtype})"
                    for k, dtype in enumerate(slots)]
            out.append(line)
        elif i == push:
            out += [f"{pad}_tape_{k}[_tape_at] = {value}" for k, value in enumerate(pushed)]
            out.append(f"{pad}_tape_at += 1")
        elif i == pop:
            out.append(f"{pad}_tape_at -= 1")
            out += [f"{pad}{target} = _tape_{k}[_tape_at]" for k, target in enumerate(popped)]
        else:
            out.append(line)
    return out


def _indent(line):
    return len(line) - len(line.lstrip())
