"""Run srcad's stages one at a time, as `pipeline.derive` does, and show their trees as Python.

Pass tests state before and after as functions (Tangent's optimiser tests):

    assert normalized(before) == text_of(after)

Both sides are printed by astor from gast, with the function renamed `f`, so a test compares
two readable texts and a failure shows a readable diff. Analysis tests compare a short dump of
`Facts` (beniget's def-use tests): `dump(facts, "active")` is `"active: a, x"`.
"""
import copy

import gast

from srcad import analyze, normalize, parse, pipeline, transform
from srcad.gastutil import to_source

FUNCTION_NAME = "f"


def parsed(fn):
    """(src, names) for `fn`, with `src.namespace` set up exactly as `pipeline.derive` does."""
    return pipeline.parsed(fn)


def normal_form(fn):
    """(src, names, tree): `fn` parsed and normalised to three-address form."""
    src, names = parsed(fn)
    return src, names, normalize.three_address(src, names)


def render(tree, name=FUNCTION_NAME, comments=True):
    """The Python text of a FunctionDef, renamed `name`; `comment()` statements (the transforms'
    `# forward sweep`) become `# text` lines, or are left out without `comments`."""
    tree = gast.fix_missing_locations(_renamed(tree, name))
    texts = [stmt.comment for stmt in gast.walk(tree) if hasattr(stmt, "comment")]
    out = []
    for line in to_source(tree).splitlines():
        if line.strip() == "__srcad_comment__":
            text = texts.pop(0)
            if not comments:
                continue
            line = line.replace("__srcad_comment__", "# " + text)
        out.append(line)
    return "\n".join(out) + "\n"


def _renamed(tree, name):
    # A copy: fix_missing_locations writes into the nodes, and the caller's tree stays as it was.
    clone = copy.deepcopy(tree)
    clone.name = name
    return clone


def text_of(fn, name=FUNCTION_NAME):
    """`fn`'s own source as the stages print it (decorators dropped, as `parse` drops them)."""
    return render(parse.function(fn).tree, name)


def normalized(fn):
    """The text of `fn` in three-address form."""
    return render(normal_form(fn)[2])


def facts_of(fn, wrt, kinds):
    """(tree, facts): `fn` normalised and analysed for `wrt` and argument `kinds`."""
    src, _, tree = normal_form(fn)
    return tree, analyze.dataflow(tree, src, wrt, kinds)


def local_variables(tree):
    """The parameters and assigned names of a FunctionDef (not the globals it reads)."""
    names = {a.id for a in tree.args.args}
    names |= {n.id for n in gast.walk(tree) if isinstance(n, gast.Name)
              and isinstance(n.ctx, gast.Store)}
    return names


def dump(facts, *fields, only=None):
    """`facts` as text, one line a field: `varied: a, t1, x`; sets restricted to `only`."""
    lines = []
    for field in fields:
        value = facts.kinds if field == "kinds" else getattr(facts, field)
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in sorted(value.items())
                              if only is None or k in only)
        else:
            shown = ", ".join(sorted(n for n in value if only is None or n in only))
        lines.append(f"{field}: {shown}")
    return "\n".join(lines)


def derivative(fn, wrt, kinds, variant="vjp"):
    """(src, names, deriv): the reverse transform of `fn`, before optimisation."""
    src, names, tree = normal_form(fn)
    facts = analyze.dataflow(tree, src, wrt, kinds)
    return src, names, transform.reverse(tree, src, facts, names, variant, pipeline.derive_call)


def reversed_text(fn, wrt, kinds, variant="vjp", comments=False):
    """The text of the reverse transform of `fn` before optimisation, renamed `f`; without the
    sweeps' comments unless asked (an `after` function cannot carry comments through its tree)."""
    return render(derivative(fn, wrt, kinds, variant)[2].tree, comments=comments)


def normalized_function(fn):
    """The normal form of `fn`, compiled: a function to run next to `fn` itself."""
    src, _, tree = normal_form(fn)
    namespace = {**src.globals, **src.closure, **src.namespace.helpers}
    exec(compile(render(tree, fn.__name__), f"<normal form of {fn.__name__}>", "exec"), namespace)
    return namespace[fn.__name__]
