"""The textbook example, end to end: f(x1, x2) = ln(x1) + x1*x2 - sin(x2) at (2, 5).

This is the function of Baydin et al. (2018), "Automatic differentiation in machine learning:
a survey", Table 1 and Figure 2. By hand: df/dx1 = 1/x1 + x2 = 5.5 and df/dx2 = x1 - cos(x2)
= 1.716. Here srcad derives the same numbers by transforming f's source code.

    python examples/textbook.py
"""
import math
import os
import sys

import srcad
from srcad.introspect import graph, trace


# 1. The function: plain Python, nothing special about it.
def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def main():
    # 2. The derivative srcad generates, as Python source. The forward sweep is f's Wengert
    #    list (one operation a line: t1, t2, ...); the reverse sweep walks it backwards, one
    #    adjoint a line (bx1 is "x1 bar", the adjoint of x1).
    print(srcad.source(f, wrt=(0, 1)))

    # 3. Run it. One reverse pass gives both partial derivatives.
    y, (d1, d2) = srcad.value_and_grad(f, wrt=(0, 1))(2.0, 5.0)
    print(f"y = {y:.3f}, df/dx1 = {d1:.3f}, df/dx2 = {d2:.3f}\n")

    # 4. The evaluation trace of that call: every statement the derivative ran, with its value,
    #    and the textbook's v_i numbering beside srcad's own names (compare with Table 1).
    print(trace(f, 2.0, 5.0, wrt=(0, 1)))

    # 5. The computation graph (Figure 2) with the values and adjoints of this call on its nodes:
    #    DOT text, drawn to SVG where Graphviz's `dot` is installed.
    #    Pass --dot to print the DOT text, --svg to draw examples/textbook.svg.
    drawing = graph(f, args=(2.0, 5.0), wrt=(0, 1))
    print(repr(drawing), "edges:", sorted(drawing.edges_by_name()))
    if "--dot" in sys.argv:
        print(drawing.dot)
    if "--svg" in sys.argv:
        print("wrote", drawing.render(os.path.join(os.path.dirname(__file__), "textbook.svg")))

    # 6. Check against the closed form and against central differences.
    h = 1e-6
    fd1 = (f(2.0 + h, 5.0) - f(2.0 - h, 5.0)) / (2 * h)
    fd2 = (f(2.0, 5.0 + h) - f(2.0, 5.0 - h)) / (2 * h)
    exact = (1 / 2.0 + 5.0, 2.0 - math.cos(5.0))
    for name_, got, fd, want in (("x1", d1, fd1, exact[0]), ("x2", d2, fd2, exact[1])):
        if abs(got - want) > 1e-12 or abs(got - fd) > 1e-6:
            raise SystemExit(f"df/d{name_}: srcad {got}, finite differences {fd}, exact {want}")
    print("gradient check passed: matches the closed form and finite differences")


if __name__ == "__main__":
    main()
