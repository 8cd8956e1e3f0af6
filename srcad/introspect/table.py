"""A trace as a table: text for terminals and `str()`, HTML for notebooks.

Both read one sequence of items (`_items`): a section heading a sweep, a comment citing the
user's line (as `srcad.source` does), the start of a loop turn, an ellipsis standing for turns
not shown, and the rows themselves.
"""
import html
import linecache
import re

import numpy as np

from ..ir import citation

TITLES = {"forward": "Forward primal trace", "reverse": "Reverse adjoint trace"}
HIDDEN_KINDS = {"control"}
NOTES = {"input": "argument", "seed": "seed", "tape": "save", "restore": "restore",
         "gradient": "gradient"}
_V = re.compile(r"v('?)_(-?\d+)")


def value_text(value, digits):
    """A value in a few characters: `0.69315`, `array([1, 2, ..., 9])` on one line."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (float, np.floating)):
        text = format(value, f".{digits}g")
        return text + ".0" if text.lstrip("-").isdigit() else text
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=digits - 1, threshold=6, edgeitems=2,
                               separator=", ", max_line_width=10_000)
        return "array(" + re.sub(r"\[ ", "[", " ".join(text.split())) + ")"
    if isinstance(value, tuple):
        return "(" + ", ".join(value_text(v, digits) for v in value) + ("," if len(value) == 1 else "") + ")"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def heading(trace, digits):
    args = ", ".join(f"{k}={value_text(v, digits)}" for k, v in trace.args.items())
    wrt = ", ".join(trace.wrt)
    grads = trace.gradient if len(trace.wrt) > 1 else (trace.gradient,)
    partials = ", ".join(f"df/d{p} = {value_text(v, digits)}" for p, v in zip(trace.wrt, grads))
    return [f"Evaluation trace of {trace.fn.__name__}({args}), differentiated with respect to {wrt}",
            f"value {value_text(trace.value, digits)};  {partials}"]


def text(trace, limit, control, digits):
    items = list(_items(trace, limit, control))
    rows = [(depth, _statement(row), value_text(row.value, digits), row.textbook)
            for kind, depth, row in items if kind == "row"]
    left = min(max([2 * d + len(s) for d, s, _, _ in rows] + [24]), 64)
    middle = min(max([len(v) for _, _, v, _ in rows] + [5]), 32)
    out = heading(trace, digits)
    for kind, depth, item in items:
        pad = "  " * (depth + 1)
        if kind == "section":
            out += ["", f"{TITLES[item]:<{left + 2}}  {'value':<{middle}}  textbook (Baydin et al. 2018)"]
        elif kind == "row":
            statement = pad + _statement(item)
            value = value_text(item.value, digits)
            out.append(f"{statement:<{left + 2}}  {value:<{middle}}  {item.textbook}".rstrip())
        else:
            out.append(pad + item)
    if not trace.complete:
        out.append(f"(the recording stopped after {len(trace.rows)} rows)")
    return "\n".join(out) + "\n"


def html_text(trace, limit, control, digits):
    cells = []
    for kind, depth, item in _items(trace, limit, control):
        pad = f' style="padding-left:{1 + 1.5 * depth}em"'
        if kind == "section":
            cells.append(f'<tr><th style="text-align:left">{TITLES[item]}</th><th>value</th>'
                         f'<th style="text-align:left">textbook</th></tr>')
        elif kind == "row":
            cells.append(f"<tr><td{pad}><code>{html.escape(_statement(item))}</code></td>"
                         f'<td style="text-align:right">{html.escape(value_text(item.value, digits))}</td>'
                         f"<td>{_textbook_html(item.textbook)}</td></tr>")
        else:
            cells.append(f'<tr><td colspan="3"{pad}><em>{html.escape(item)}</em></td></tr>')
    head = "<br>".join(html.escape(line) for line in heading(trace, digits))
    return f"<div><p>{head}</p><table>{''.join(cells)}</table></div>"


def _textbook_html(text_):
    return _V.sub(lambda m: f"v{m.group(1)}<sub>{m.group(2)}</sub>", html.escape(text_, quote=False))


def _statement(row):
    note = NOTES.get(row.kind)
    if row.kind == "input":
        return f"{row.name}  # {note}"
    return f"{row.statement}  # {note}" if note and row.kind not in ("gradient",) else row.statement


def _items(trace, limit, control):
    """("section", 0, sweep), ("note", depth, text), ("row", depth, row), in order."""
    sweep, path, line, skipped = None, (), None, set()
    filename = trace.fn.__code__.co_filename
    for row in trace.rows:
        if row.sweep != sweep:
            sweep, path, line = row.sweep, (), None
            yield "section", 0, sweep
        hidden = _hidden_level(trace, row.loops, limit)
        shown = row.loops if hidden is None else row.loops[:hidden]
        for depth, entry in enumerate(shown):
            if depth >= len(path) or path[depth] != entry:
                yield "note", depth, _turn_text(trace, entry)
                line = None
        if hidden is not None:
            loop, run, _ = row.loops[hidden]
            if (loop, run) not in skipped:
                skipped.add((loop, run))
                yield "note", hidden, _skip_text(trace, loop, run, limit)
            path = row.loops[:hidden + 1]
            continue
        path = row.loops
        if row.kind in HIDDEN_KINDS and not control:
            continue
        if row.kind not in ("input", "gradient", "seed"):
            if row.line != line and row.line:
                code = linecache.getline(filename, row.line).strip()
                if code:
                    yield "note", len(row.loops), "# " + citation(filename, row.line, code)
            line = row.line
        yield "row", len(row.loops), row


def _shown_turns(total, limit):
    """Turns of a loop run shown with `limit`: the first limit-1 and the last."""
    if limit is None or total <= limit:
        return None
    head = max(limit - 1, 1)
    return head, total - (limit - head) + 1


def _hidden_level(trace, loops, limit):
    for depth, (loop, run, turn) in enumerate(loops):
        bounds = _shown_turns(trace.turns[(loop, run)], limit)
        if bounds is not None and bounds[0] < turn < bounds[1]:
            return depth
    return None


def _turn_text(trace, entry):
    loop, run, turn = entry
    header = trace.loops[loop].header
    value = trace.turn_values.get(entry)
    total = trace.turns[(loop, run)]
    at = f"{header}: turn {turn} of {total}"
    return at + (f" ({header.split(' ')[1]} = {value_text(value, 5)})" if value is not None
                 and header.startswith("for ") else "")


def _skip_text(trace, loop, run, limit):
    total = trace.turns[(loop, run)]
    first, last = _shown_turns(total, limit)
    return f"... turns {first + 1} to {last - 1} of {total} not shown"
