"""Tables as text (terminal) or markdown (docs/benchmarks.md), from the suite's results.

A timed cell reads `time  ratio` (ratio to the plain primal of its row); `np` marks a tool that
ran the numpy spelling of a primal written with `math`; reasons for `n/a`, `WRONG` and `error`
cells are numbered footnotes under the table.
"""
RED, RESET = "\033[31m", "\033[0m"


def duration(seconds):
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def ratio(value):
    if value is None:
        return ""
    return f"{value:.3g}x" if value < 1000 else f"{value:,.0f}x"


class Footnotes:
    def __init__(self):
        self.texts = []

    def mark(self, text):
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"


def cell_text(cell, notes, color=False, markdown=False):
    if cell.status == "ok":
        np_mark = " np" if cell.note == "numpy spelling" else ""
        return f"{duration(cell.seconds)} {ratio(cell.ratio)}{np_mark}"
    label = {"n/a": "n/a", "wrong": "WRONG", "error": "error"}[cell.status]
    text = f"{label} {notes.mark(f'{label}: {cell.reason}')}"
    if cell.status in ("wrong", "error"):
        if markdown:
            return f"**{text}** 🟥"
        if color:
            return f"{RED}{text}{RESET}"
    return text


def table(rows, names, color=False, markdown=False):
    notes = Footnotes()
    header = ["case"] + list(names)
    body = [[row.case.name] + [cell_text(row.cells[n], notes, color, markdown) for n in names]
            for row in rows]
    lines = _markdown(header, body) if markdown else _plain(header, body)
    lines.append("")
    lines.append("Cells: median time per call, then the ratio to the row's primal. "
                 "np: the tool ran the numpy spelling (np.sin, np.log) of a primal written "
                 "with math; torch always runs its own spelling (torch.sin).")
    for row in rows:
        if row.numpy_primal is not None:
            lines.append(f"{row.case.name}: the numpy-spelled primal itself takes "
                         f"{duration(row.numpy_primal)} "
                         f"({row.numpy_primal / row.cells['primal'].seconds:.3g}x the math one).")
    compiled = [(row.case.name, row.cells["jax.jit"].compile_seconds) for row in rows
                if "jax.jit" in row.cells and row.cells["jax.jit"].compile_seconds is not None]
    if compiled:
        lines.append("jax.jit compile (first call less one steady call): " + "; ".join(
            f"{name} {duration(s)}" for name, s in compiled) + ".")
    for i, text in enumerate(notes.texts, 1):
        lines.append(f"- [{i}] {text}" if markdown else f"  [{i}] {text}")
    return "\n".join(lines)


def _plain(header, body):
    visible = [[_strip(c) for c in r] for r in [header] + body]
    widths = [max(len(r[i]) for r in visible) for i in range(len(header))]
    out = []
    for raw, shown in zip([header] + body, visible):
        out.append("  ".join(c + " " * (w - len(s)) for c, s, w in zip(raw, shown, widths)))
        if raw is header:
            out.append("  ".join("-" * w for w in widths))
    return out


def _markdown(header, body):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in body]
    return out


def _strip(text):
    return text.replace(RED, "").replace(RESET, "")


def costs_table(first_calls, overhead, markdown=False):
    header = ["case", "first call (warm process)", "first call (new process)",
              "one call once compiled"]
    body = [[fc.case.name, duration(fc.warm), duration(fc.cold), duration(fc.steady)]
            for fc in first_calls]
    lines = ["srcad's first call: parse + transform + compile + one run, cache cleared "
             "(warm: median in this process; new process: once, after import srcad, numpy)", ""]
    lines += _markdown(header, body) if markdown else _plain(header, body)
    if overhead is not None:
        lines += ["", "srcad.grad's per-call wrapper on the textbook function: "
                  f"primal {duration(overhead.primal)}, generated function called directly "
                  f"{duration(overhead.direct)} ({overhead.direct / overhead.primal:.3g}x), "
                  f"through srcad.grad {duration(overhead.dispatched)} "
                  f"({overhead.dispatched / overhead.primal:.3g}x): the wrapper adds "
                  f"{duration(overhead.dispatched - overhead.direct)} a call."]
    return "\n".join(lines)


def save_plot(plot, results, path):
    """`plot(results, path)`, or a note when matplotlib is not installed."""
    try:
        plot(results, path)
        print(f"  plot: {path}")
    except ImportError:
        print("  plot skipped: matplotlib is not installed (pip install -e '.[plot]')")
