"""Refill the generated blocks of the tutorials with srcad's real output, and redraw the images.

    python docs/fill_snippets.py          # rewrite the blocks in docs/*.md, draw docs/images/*.svg
    python docs/fill_snippets.py --check  # exit 1 if a block is out of date (images not checked)

A block in a Markdown file looks like this; everything between the two comments is replaced:

    <!-- snippet: show examples/textbook.py:f --wrt x1,x2 -->
    ```python
    ...
    ```
    <!-- end snippet -->

`show`, `trace`, `graph` and `export` run `python -m srcad` with those arguments (paths from the
repository's root); `wengert FILE:FUNC` prints the function's three-address form, the list
srcad's later stages work on; `shaped FILE:FUNC FILE:ARGS --wrt NAME,...` prints the gradient
`grad` runs for the arguments `ARGS()` returns (specialised on their shapes). So the docs show
exactly what srcad prints today.
"""
import contextlib
import importlib.util
import io
import os
import re
import shlex
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = ["docs/tutorial.md", "docs/how-it-works.md", "docs/export-and-numba.md"]
IMAGES = {"docs/images/textbook.svg": "graph examples/textbook.py:f",
          "docs/images/textbook-values.svg": "graph examples/textbook.py:f 2 5 --wrt x1,x2",
          "docs/images/power_sum.svg": "graph docs/model.py:power_sum 1.5 3"}
BLOCK = re.compile(r"(<!-- snippet: (?P<command>.*?) -->\n)(?P<body>.*?)(<!-- end snippet -->)", re.S)


def output(command):
    """What the snippet command prints, as the text of a fenced block."""
    words = shlex.split(command)
    if words[0] == "wengert":
        text, language = wengert_text(words[1]), "python"
    elif words[0] == "shaped":
        text, language = shaped_text(words[1], words[2], words[4]), "python"
    else:
        text, language = run_cli(words), "python" if words[0] in ("show", "export") else "text"
    return f"```{language}\n{text.rstrip()}\n```\n"


def run_cli(words):
    from srcad.__main__ import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(words)
    if status != 0:
        raise SystemExit(f"python -m srcad {' '.join(words)} exited with {status}")
    return out.getvalue()


def function(target):
    """The function `FILE:FUNC` names, from a fresh module of that file."""
    path, _, name_ = target.rpartition(":")
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name_)


def wengert_text(target):
    import gast

    from srcad.gastutil import to_source
    from srcad.introspect.wengert import wengert
    tree = wengert(function(target)).tree
    return to_source(gast.fix_missing_locations(tree))


def shaped_text(target, arguments, wrt):
    import srcad
    return srcad.source(function(target), wrt=tuple(wrt.split(",")), args=function(arguments)(), of="grad")


def filled(text):
    return BLOCK.sub(lambda m: m.group(1) + output(m.group("command")) + m.group(4), text)


def main(argv):
    os.chdir(ROOT)
    sys.path.insert(0, ROOT)
    stale = []
    for doc in DOCS:
        with open(doc, encoding="utf-8") as file:
            text = file.read()
        new = filled(text)
        if new != text:
            stale.append(doc)
            if "--check" not in argv:
                with open(doc, "w", encoding="utf-8") as file:
                    file.write(new)
    if "--check" in argv:
        if stale:
            print(f"out of date: {', '.join(stale)}: run python docs/fill_snippets.py", file=sys.stderr)
            return 1
        return 0
    for path, command in IMAGES.items():
        run_cli(shlex.split(command) + ["-o", path])
    print("filled", ", ".join(DOCS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
