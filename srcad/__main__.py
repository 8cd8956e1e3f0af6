"""Command line: see a derivative.

    python -m srcad show  FILE.py:FUNC [--wrt NAME,...] [--mode reverse|forward] [--of VARIANT]
                          [--side-by-side]
    python -m srcad trace FILE.py:FUNC ARG... [--wrt NAME,...] [--limit N | --all] [--control]
    python -m srcad graph FILE.py:FUNC [ARG...] [--wrt NAME,...] [-o out.svg]
    python -m srcad export FILE.py:FUNC [--wrt NAME,...] [-o OUT.py]
    python -m srcad demo

Mistakes in the command (a missing file or function, an argument that is not a number or a
Python literal, an unknown parameter) print one line and exit with status 2; code srcad cannot
differentiate prints srcad's message (FILE:LINE: ...) and exits with status 1.
"""
import argparse
import ast
import importlib.util
import inspect
import math
import os
import sys

import numpy as np

from . import SrcadError, export, jvp, source, value_and_grad
from .introspect import graph, trace


class UsageError(Exception):
    """A mistake in the command line: one line, exit status 2."""


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"srcad: {error}", file=sys.stderr)
        return 2
    except SrcadError as error:
        print(f"srcad: {error}", file=sys.stderr)
        return 1


def _parser():
    parser = argparse.ArgumentParser(prog="python -m srcad",
                                     description="srcad: source-transformation automatic "
                                                 "differentiation. See a derivative.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    target = {"metavar": "FILE.py:FUNC", "help": "the function FUNC defined in FILE.py"}
    wrt = {"default": None, "metavar": "NAME,...",
           "help": "parameters to differentiate, by name or position, comma separated "
                   "(default: the first)"}

    show = commands.add_parser("show", help="print the generated derivative of a function",
                               description="Print the derivative srcad generates for FUNC, "
                                           "exactly as it is compiled.")
    show.add_argument("target", **target)
    show.add_argument("--wrt", **wrt)
    show.add_argument("--mode", default="reverse", choices=["reverse", "forward"],
                      help="reverse mode (the default) or forward mode")
    show.add_argument("--of", default="vjp", choices=["vjp", "value_and_grad", "grad"],
                      help="in reverse mode, which derivative: vjp (the default: value and "
                           "gradient for a cotangent by), value_and_grad, or grad (what "
                           "srcad.grad runs)")
    show.add_argument("--side-by-side", action="store_true",
                      help="put each line of FUNC beside the code generated from it")
    show.set_defaults(run=_show)

    tr = commands.add_parser("trace", help="print the evaluation trace of one call",
                             description="Run FUNC's derivative on ARG... and print every "
                                         "statement it runs with its value: the forward primal "
                                         "trace, then the reverse adjoint trace.")
    tr.add_argument("target", **target)
    tr.add_argument("args", nargs="*", metavar="ARG",
                    help="the arguments: numbers, or Python literals such as [1.0, 2.0] "
                         "(a list of numbers becomes a numpy array when differentiated)")
    tr.add_argument("--wrt", **wrt)
    tr.add_argument("--limit", type=int, default=4, metavar="N",
                    help="show at most N turns of each loop (default 4)")
    tr.add_argument("--all", action="store_true", help="show every turn of every loop")
    tr.add_argument("--control", action="store_true",
                    help="also show the bookkeeping: flags, counters, the tape itself")
    tr.set_defaults(run=_trace)

    gr = commands.add_parser("graph", help="print or draw the computation graph",
                             description="Print FUNC's computation graph as Graphviz DOT text, "
                                         "or draw it with -o. With ARG..., each node also shows "
                                         "its value and adjoint in that call.")
    gr.add_argument("target", **target)
    gr.add_argument("args", nargs="*", metavar="ARG", help="arguments of a call to overlay")
    gr.add_argument("--wrt", **wrt)
    gr.add_argument("-o", "--output", default=None, metavar="OUT",
                    help="write to OUT: .svg, .png or .pdf (needs Graphviz's dot), or .dot")
    gr.set_defaults(run=_graph)

    ex = commands.add_parser("export", help="write the gradient as a standalone module",
                             description="Write FUNC's gradient (what srcad.grad runs) as one "
                                         "module that imports only the standard library and "
                                         "numpy: the runtime helpers it calls are copied in.")
    ex.add_argument("target", **target)
    ex.add_argument("--wrt", **wrt)
    ex.add_argument("-o", "--output", default=None, metavar="OUT.py",
                    help="write to OUT.py (default: print it)")
    ex.set_defaults(run=_export)

    demo = commands.add_parser("demo", help="the textbook example end to end",
                               description="f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5): "
                                           "its derivative, its values and its evaluation trace.")
    demo.set_defaults(run=_demo)
    return parser


# --- commands ----------------------------------------------------------------------------------

def _show(args):
    fn = _load(args.target)
    wrt = _wrt(fn, args.wrt)
    try:
        text = source(fn, wrt=wrt, mode=args.mode, of=args.of)
    except SrcadError as error:
        if args.mode == "forward" and error.lineno is None:
            raise UsageError(str(error).splitlines()[0]) from None
        raise
    print(_side_by_side(fn, text) if args.side_by_side else text, end="")
    return 0


def _trace(args):
    fn = _load(args.target)
    wrt = _wrt(fn, args.wrt)
    values = _arguments(fn, args.args, wrt)
    result = _call(lambda: trace(fn, *values, wrt=wrt), fn)
    print(result.format(limit=None if args.all else max(args.limit, 1), control=args.control), end="")
    return 0


def _graph(args):
    fn = _load(args.target)
    wrt = _wrt(fn, args.wrt)
    values = _arguments(fn, args.args, wrt) if args.args else None
    drawn = _call(lambda: graph(fn, args=values, wrt=wrt), fn)
    if args.output is None:
        print(drawn.dot, end="")
        return 0
    try:
        drawn.render(args.output)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
    except SrcadError as error:
        raise UsageError(str(error)) from None
    print(f"wrote {args.output}")
    return 0


def _export(args):
    fn = _load(args.target)
    text = export(fn, wrt=_wrt(fn, args.wrt))
    if args.output is None:
        print(text, end="")
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        raise UsageError(f"cannot write {args.output}: {error.strerror}") from None
    print(f"wrote {args.output}")
    return 0


def _demo(args):
    from . import textbook
    fn = textbook.f
    print("The textbook function (Baydin et al. 2018, Table 1 and Figure 2):\n")
    print(inspect.getsource(fn))
    print("srcad.source(f, wrt=(0, 1)): the derivative srcad generates and compiles.\n")
    print(source(fn, wrt=(0, 1)))
    value, (d1, d2) = value_and_grad(fn, wrt=(0, 1))(2.0, 5.0)
    print("At (x1, x2) = (2, 5):")
    print(f"  y       = {value:.3f}")
    print(f"  df/dx1  = {d1:.3f}   (by hand: 1/x1 + x2   = {1 / 2 + 5:.3f})")
    print(f"  df/dx2  = {d2:.3f}   (by hand: x1 - cos x2 = {2 - math.cos(5):.3f})")
    print("\nForward mode, as the textbook computes df/dx1: one pass with the tangent (1, 0).\n"
          "srcad.source(f, wrt=(0, 1), mode='forward'):\n")
    print(source(fn, wrt=(0, 1), mode="forward"))
    _, tangent = jvp(fn, wrt=(0, 1))(2.0, 5.0, 1.0, 0.0)
    print(f"  srcad.jvp(f, wrt=(0, 1))(2, 5, 1, 0) -> df/dx1 = {tangent:.3f} in one forward pass")
    print("\nsrcad.trace(f, 2.0, 5.0, wrt=(0, 1)): every statement the derivative ran.\n")
    print(trace(fn, 2.0, 5.0, wrt=(0, 1)))
    print("Draw the computation graph (Figure 2) with:\n"
          f"  python -m srcad graph {fn.__code__.co_filename}:f 2 5 --wrt x1,x2 -o textbook.svg")
    return 0


# --- reading the command line ------------------------------------------------------------------

def _load(target):
    """The function FUNC of FILE.py, imported as a module (its `__main__` block does not run)."""
    path, _, name_ = target.rpartition(":")
    if not path or not name_:
        raise UsageError(f"expected FILE.py:FUNC, got {target!r}")
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    module_name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None:
        raise UsageError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's module failed to import: say why, in one line
        raise UsageError(f"cannot import {path}: {type(error).__name__}: {error}") from None
    fn = module
    for part in name_.split("."):  # Class.method: the method's function, self a parameter
        fn = getattr(fn, part, None)
        if fn is None:
            raise UsageError(f"{path} has no function {name_!r}")
    if inspect.ismethod(fn):  # a classmethod: its function, the class a parameter
        fn = fn.__func__
    if not inspect.isfunction(fn):
        raise UsageError(f"{path}: {name_!r} is a {type(fn).__name__}, not a function")
    return fn


def _wrt(fn, text):
    """`--wrt x1,x2` as srcad's wrt: a name or position, or a tuple of them."""
    if text is None:  # the first parameter, after a method's self or cls
        first = next(iter(inspect.signature(fn).parameters), None)
        return 1 if first in ("self", "cls") and "." in fn.__qualname__ else 0
    params = [p.name for p in inspect.signature(fn).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    parts = []
    for item in (w.strip() for w in text.split(",")):
        if item.lstrip("-").isdigit():
            if not -len(params) <= int(item) < len(params):
                raise UsageError(f"--wrt {item}: {fn.__name__} has no parameter at position {item} "
                                 f"(it has {len(params)}: {', '.join(params)})")
            parts.append(int(item))
        elif item in params:
            parts.append(item)
        else:
            raise UsageError(f"--wrt {item or repr(text)}: {fn.__name__} has no parameter named "
                             f"{item!r} (its parameters: {', '.join(params)})")
    return parts[0] if len(parts) == 1 else tuple(parts)


def _arguments(fn, texts, wrt):
    """The ARGs as values: numbers, or Python literals; differentiated ones as floats/arrays."""
    params = list(inspect.signature(fn).parameters)
    chosen = {params[w] if isinstance(w, int) else w for w in (wrt if isinstance(wrt, tuple) else (wrt,))}
    values = []
    for i, text in enumerate(texts):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise UsageError(f"cannot read argument {text!r}: expected a number or a Python "
                             "literal such as [1.0, 2.0]") from None
        if i < len(params) and params[i] in chosen:
            value = _differentiable(value, text)
        values.append(value)
    try:
        inspect.signature(fn).bind(*values)
    except TypeError as error:
        raise UsageError(f"{fn.__name__}({', '.join(params)}) given {len(values)} argument(s): "
                         f"{error}") from None
    return values


def _differentiable(value, text):
    if isinstance(value, bool) or not isinstance(value, (int, float, list, tuple)):
        raise UsageError(f"argument {text!r} is differentiated, so it must be a number or a list "
                         "of numbers")
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise UsageError(f"argument {text!r}: a differentiated list must hold numbers") from None
    return float(value)


def _call(make, fn):
    """Run `make()`; an error raised by the user's own code becomes one line (status 1)."""
    try:
        return make()
    except (SrcadError, UsageError):
        raise
    except Exception as error:
        raise SrcadError(f"{fn.__name__} raised {type(error).__name__}: {error}") from None


def _side_by_side(fn, text):
    """Each line of `fn` beside the generated code from it: where the generated text cites a
    line of fn's file (`# file.py:N  ...`), that line goes in the left column, level with the
    first generated line after the comment."""
    lines, first = inspect.getsourcelines(fn)
    own = {first + i: line.rstrip().expandtabs() for i, line in enumerate(lines)}
    width = min(max(len(line) for line in own.values()), 60)
    marker = f"# {os.path.basename(fn.__code__.co_filename)}:"
    generated = text.splitlines()
    out, pending = [], own[first]
    for line in generated:
        stripped = line.strip()
        if stripped.startswith(marker):
            number = stripped[len(marker):].split()[0]
            pending = own.get(int(number), "") if number.isdigit() else ""
            continue
        out.append(f"{pending:<{width}}  |  {line}".rstrip())
        pending = ""
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
