"""srcad's imports point one way: down the pipeline, never back up, and never round in a cycle.

Every `import` in the package counts, at module level or inside a function body: an import
that runs late is still a dependency. What a lower stage needs from a higher one is passed in
(a callback, a registry), so each stage can be read, tested and changed knowing only what is
below it.
"""
import ast
import os

import srcad

PACKAGE = os.path.dirname(os.path.abspath(srcad.__file__))

# bottom to top: a module may import its own layer's modules and those of the layers below
LAYERS = [
    ["errors", "convert", "printer", "gastutil", "naming", "depends", "ir"],
    ["parse", "library", "callables"],
    ["runtime"],
    ["rules"],
    ["comprehensions", "nested", "owned", "expressions", "loops", "frozen", "normalize"],
    ["liveness", "aliasing", "writes", "effects", "activity", "analyze", "pytree", "containers", "container_structure",
     "container_writes", "container_loops", "container_inlining"],
    ["transform"],
    ["optimize"],
    ["emit"],
    ["load", "cache"],
    ["pipeline", "stand_in"],
    ["arguments", "structured", "shaped", "custom", "dispatch", "jacobians", "made", "numba_tapes",
     "numba_backend", "numba_twins", "numba_derivative", "api"],
    ["introspect", "tape", "textbook", "exported_kinds", "export", "__main__", "__init__"],
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def modules():
    """{dotted module name: its file} for every module of the package."""
    found = {}
    for folder, _, files in os.walk(PACKAGE):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(folder, file)
                parts = ["srcad"] + os.path.relpath(path, PACKAGE)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                found[".".join(parts)] = path
    return found


def imports(name_, path, known):
    """[(imported module, line)] for every import of srcad in the module `name_`."""
    package = name_ if path.endswith("__init__.py") else name_.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names if alias.name.split(".")[0] == "srcad"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            if base.split(".")[0] != "srcad":
                continue
            for alias in node.names:  # `from . import analyze` imports a module, not a name
                full = f"{base}.{alias.name}"
                out.append((full if full in known else base, node.lineno))
    return out


def graph():
    known = modules()
    return {m: [(t, line) for t, line in imports(m, path, known) if t != m] for m, path in known.items()}, known


def top(name_):
    """The layer entry a module belongs to: `srcad.transform.reverse` -> `transform`."""
    parts = name_.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_has_a_layer():
    _, known = graph()
    missing = sorted({top(m) for m in known} - set(LAYER))
    assert not missing, f"add these to LAYERS in {__file__}: {missing}"


def test_no_module_imports_one_above_it():
    edges, known = graph()
    upward = [f"{os.path.relpath(known[m], PACKAGE)}:{line} imports {t} ({top(t)} is above {top(m)})"
              for m, targets in edges.items() for t, line in targets
              if top(t) in LAYER and top(m) in LAYER and LAYER[top(t)] > LAYER[top(m)]]
    assert not upward, "\n".join(upward)


def cycles(edges):
    """The import cycles among modules (each a list of modules), by Tarjan's strongly
    connected components, with a worklist."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in edges:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = [t for t, _ in edges.get(node, [])]
            if i < len(targets):
                work.append((node, i + 1))
                t = targets[i]
                if t not in index:
                    work.append((t, 0))
                elif t in on_stack:
                    low[node] = min(low[node], index[t])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def test_no_import_cycles():
    edges, _ = graph()
    assert cycles(edges) == []


def private_names_used_across(known):
    """["file:line name"] for each private name (`_x`) of srcad one module takes from another:
    `from .api import _Target`, or `api._Target` on an imported srcad module."""
    found = []
    for name_, path in known.items():
        tree = ast.parse(open(path, encoding="utf-8").read())
        modules = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   and (node.level or (node.module or "").startswith("srcad")) for alias in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("srcad")):
                found += [f"{os.path.relpath(path, PACKAGE)}:{node.lineno} {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in modules and node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append(f"{os.path.relpath(path, PACKAGE)}:{node.lineno} {node.value.id}.{node.attr}")
    return found


def test_no_private_name_crosses_modules():
    assert private_names_used_across(modules()) == []


def test_the_checks_see_a_cycle_and_an_upward_import():
    # the checker itself: a cycle of three and a function-level import are found
    assert cycles({"a": [("b", 1)], "b": [("c", 1)], "c": [("a", 1)], "d": [("a", 1)]}) == [["a", "b", "c"]]
    source = "def f():\n    from ..pipeline import derive\n"
    path = os.path.join(PACKAGE, "transform", "reverse.py")
    assert ("srcad.pipeline", 2) in _imports_of_text("srcad.transform.reverse", path, source)
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        fake = os.path.join(folder, "trace.py")
        with open(fake, "w", encoding="utf-8") as file:
            file.write("from ..api import _Target\nfrom .. import api\napi._transformation\n")
        found = private_names_used_across({"srcad.introspect.trace": fake})
    assert [text.split(" ")[-1] for text in found] == ["_Target", "api._transformation"]


def _imports_of_text(name_, path, text):
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        fake = os.path.join(folder, os.path.basename(path))
        with open(fake, "w", encoding="utf-8") as file:
            file.write(text)
        return imports(name_, fake, modules())
