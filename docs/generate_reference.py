"""Write docs/reference.md from srcad's own tables, so the reference cannot drift from the code.

    python docs/generate_reference.py          # rewrite docs/reference.md
    python docs/generate_reference.py --check  # exit 1 if docs/reference.md is out of date

Read: the statement shapes of the three-address form (`normalize`'s docstring), the constructs
srcad refuses with the hint it gives (`normalize.REFUSED_STATEMENTS`, `REFUSED_EXPRESSIONS`),
and every derivative rule table (`srcad.rules.DOMAINS`: VJP, JVP, NO_DERIVATIVE, METHODS).
"""
import builtins
import inspect
import os
import sys

import gast
import numpy as np

from srcad import normalize
from srcad.introspect.wengert import source_of
from srcad.rules import DOMAINS, registry

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "reference.md")

SYMBOLS = {"Add": "x + y", "Sub": "x - y", "Mult": "x * y", "Div": "x / y", "Pow": "x ** y",
           "WholePow": "x ** n (n a whole constant >= 1)",
           "Mod": "x % y", "MatMult": "x @ y", "FloorDiv": "x // y", "USub": "-x", "UAdd": "+x",
           "Not": "not x", "Invert": "~x", "BitAnd": "x & y", "BitOr": "x | y", "BitXor": "x ^ y",
           "LShift": "x << y", "RShift": "x >> y", "Eq": "x == y", "NotEq": "x != y",
           "Lt": "x < y", "LtE": "x <= y", "Gt": "x > y", "GtE": "x >= y", "Is": "x is y",
           "IsNot": "x is not y", "In": "x in y", "NotIn": "x not in y"}


def key_text(key):
    """How a rule's key reads in code: `x + y`, `math.sin`, `np.sum`, `abs`."""
    if isinstance(key, type) and issubclass(key, gast.AST):
        return SYMBOLS.get(key.__name__, key.__name__)
    name_ = getattr(key, "__name__", repr(key))
    if getattr(builtins, name_, None) is key:
        return name_
    module = getattr(key, "__module__", None) or ""
    if module.startswith("numpy.linalg"):
        return f"np.linalg.{name_}"
    if isinstance(key, np.ufunc) or module.startswith("numpy"):
        return f"np.{name_}"
    if module == "srcad.runtime" or module.startswith("srcad.runtime."):
        return f"_rt.{name_}"
    return f"{module}.{name_}" if module else name_


def template_text(rule):
    """`(g, ans, x) -> g * ans`: a rule's parameters and its one expression."""
    if rule is None:
        return ""
    body = source_of(rule.template.body)
    return f"`({', '.join(rule.params)}) -> {body}`"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def subset_section():
    out = ["## The supported Python subset", "",
           "A differentiated function may use the statements and expressions below. srcad first "
           "rewrites it into three-address (Wengert-list) form (`srcad/normalize.py`, whose "
           "contract follows).", ""]
    out += markdown(inspect.getdoc(normalize).split("\n\n", 1)[1])
    out += ["", "### Refused statements", "", "| statement | what to do instead |", "| --- | --- |"]
    out += [f"| {what} | {hint} |" for what, hint in _unique(normalize.REFUSED_STATEMENTS.values())]
    out += ["", "### Refused expressions", "", "| expression | what to do instead |", "| --- | --- |"]
    out += [f"| {what} | {hint} |" for what, hint in _unique(normalize.REFUSED_EXPRESSIONS.values())]
    return out


def markdown(doc):
    """A docstring's paragraphs as Markdown: indented paragraphs become code blocks."""
    out = []
    for paragraph in doc.split("\n\n"):
        lines = paragraph.splitlines()
        if all(line.startswith("    ") for line in lines if line.strip()):
            out += ["```text"] + [line[4:] for line in lines] + ["```", ""]
        else:
            out += [" ".join(paragraph.split()), ""]
    return out[:-1]


def _unique(pairs):
    seen, out = set(), []
    for pair in pairs:
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out


def rules_section():
    reg = registry()
    out = ["## Derivative rules", "",
           "One table per domain. In a reverse rule (VJP) `g` is the output's cotangent and `ans` "
           "the output, then the call's arguments; it gives one cotangent per argument (`None`: no "
           "derivative). A forward rule (JVP) takes one tangent per argument (`dx`, `dy`, ...), "
           "then `ans` and the arguments, and gives the output's tangent. A one-operand elementwise "
           "function has one entry (`ELEMENTWISE`) for both: its forward rule is the reverse one with "
           "`dx` in the place of `g`. Register more with `srcad.defvjp` / `srcad.defjvp`."]
    for module in DOMAINS:
        title = module.__name__.rsplit(".", 1)[-1]
        summary = " ".join(inspect.getdoc(module).split("\n\n")[0].split())
        out += ["", f"### {title} (`{module.__name__}`)", "", summary, "",
                "| operation | reverse rule (VJP) | forward rule (JVP) |", "| --- | --- | --- |"]
        keys = list(getattr(module, "VJP", {})) + [k for k in getattr(module, "JVP", {})
                                                  if k not in getattr(module, "VJP", {})]
        for key in keys:
            out.append(f"| `{cell(key_text(key))}` | {cell(template_text(reg.reverse_rule(key)))} "
                       f"| {cell(template_text(reg.forward_rule(key)))} |")
        broadcasting = getattr(module, "BROADCASTING", ())
        if broadcasting:
            names = ", ".join(f"`{n}`" for n in sorted(key_text(k) for k in broadcasting))
            out += ["", f"Operands broadcast (a cotangent is summed back to its operand's shape): {names}."]
        none = sorted(key_text(k) for k in getattr(module, "NO_DERIVATIVE", ()))
        if none:
            out += ["", "No derivative (their results are constants to srcad): "
                    + ", ".join(f"`{n}`" for n in none) + "."]
        methods = getattr(module, "METHODS", {})
        if methods:
            out += ["", "Method spellings: " + ", ".join(f"`x.{m}(...)` is `{key_text(f)}(x, ...)`"
                                                         for m, f in methods.items()) + "."]
    return out


def reference():
    lines = ["# srcad reference", "",
             "<!-- Generated by docs/generate_reference.py from srcad's own tables: do not edit. "
             "Run `python docs/generate_reference.py` after changing a table. -->", ""]
    lines += subset_section() + [""] + rules_section()
    return "\n".join(lines) + "\n"


def main(argv):
    text = reference()
    if "--check" in argv:
        with open(OUTPUT, encoding="utf-8") as file:
            current = file.read()
        if current != text:
            print("docs/reference.md is out of date: run python docs/generate_reference.py",
                  file=sys.stderr)
            return 1
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as file:
        file.write(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
