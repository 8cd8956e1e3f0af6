"""Command line: `python -m srcad show FILE.py:FUNC [--wrt NAME,...]` and `python -m srcad demo`."""
import argparse
import importlib.util
import inspect
import math
import os
import sys

from . import SrcadError, grad, source, value_and_grad



def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m srcad",
                                     description="Source-transformation automatic differentiation.")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="print the generated derivative of a function",
                               description="Print the generated derivative of FUNC in FILE.py.")
    show.add_argument("target", metavar="FILE.py:FUNC")
    show.add_argument("--wrt", default=None,
                      help="parameters to differentiate, comma separated (default: the first)")
    show.add_argument("--mode", default="reverse", choices=["reverse"],
                      help="reverse mode (the default)")
    commands.add_parser("demo", help="the textbook example end to end",
                        description="ln(x1) + x1*x2 - sin(x2) at (2, 5), differentiated.")
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            return _show(args)
        return _demo()
    except SrcadError as error:
        print(f"srcad: {error}", file=sys.stderr)
        return 1


def _load(target):
    path, _, name = target.rpartition(":")
    if not path or not name:
        raise SystemExit(f"srcad: expected FILE.py:FUNC, got {target!r}")
    if not os.path.isfile(path):
        raise SystemExit(f"srcad: no such file: {path}")
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(module)
    fn = getattr(module, name, None)
    if fn is None:
        raise SystemExit(f"srcad: {path} has no function {name!r}")
    return fn


def _show(args):
    fn = _load(args.target)
    wrt = 0
    if args.wrt:
        parts = [int(w) if w.isdigit() else w for w in args.wrt.split(",")]
        wrt = parts[0] if len(parts) == 1 else tuple(parts)
    print(source(fn, wrt=wrt, mode=args.mode), end="")
    return 0


def _demo():
    fn = _textbook()
    print("The textbook function (Baydin et al. 2018; the seed documents' Table 1):\n")
    print(inspect.getsource(fn))
    print("srcad.source(f, wrt=(0, 1)) -- the derivative srcad generates and compiles:\n")
    print(source(fn, wrt=(0, 1)))
    value, (d1, d2) = value_and_grad(fn, wrt=(0, 1))(2.0, 5.0)
    print("At (x1, x2) = (2, 5):")
    print(f"  y       = {value:.3f}")
    print(f"  df/dx1  = {d1:.3f}   (closed form 1/x1 + x2   = {1 / 2 + 5:.3f})")
    print(f"  df/dx2  = {d2:.3f}   (closed form x1 - cos x2 = {2 - math.cos(5):.3f})")
    if (d1, d2) != grad(fn, wrt=(0, 1))(2.0, 5.0):
        raise SrcadError("grad and value_and_grad disagree on the textbook example")
    return 0


def _textbook():
    from . import textbook
    return textbook.f


if __name__ == "__main__":
    sys.exit(main())
