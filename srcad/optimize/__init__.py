"""Optimise a derivative's tree after transform and before emit.

- scalar.py: constant folding, copy propagation and dead code, to a fixed point (every
  derivative);
- repeated_errors.py: a primal call kept only for its errors goes where a later call repeats
  them (`math.sin(x)` before the reverse sweep's `math.cos(x)`), and one whose function fails
  only outside a known domain is called only where it may fail (`x > 0.0 or math.log(x)`);
- arrays.py: the array passes of a reverse-mode gradient that runs as it is (stand-ins, shared
  shapes, accumulation in place, early release), with uniform.py (uniform cotangents kept as
  numbers) and signs.py (negations moved into constants).
"""
from .scalar import simplify
from .repeated_errors import drop_repeated, test_domains
