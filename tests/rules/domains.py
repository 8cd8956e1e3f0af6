"""Where each derivative rule is checked: one `Domain` per key of srcad's rule tables.

As JAX pairs each primitive with the domain its tests sample, every key of every `VJP` (and
`JVP`) table in `srcad/rules/` has an entry here, saying

- `args`: where to sample each positional argument: `Between(lo, hi)`, or `AwayFromZero(lo, hi)`
  (magnitude in [lo, hi], either sign) to stay off kinks (abs), poles (1/y) and branch cuts;
- `wrt`: which positions are differentiable (copysign's sign argument is not);
- `calls`: the argument shapes to try, with keyword arguments; shape `()` is a Python float, a
  list of shapes is a list of values (`sum`, `np.stack`, `np.array` take lists).
  `Call(..., xfail={"VJP": "..."})` marks a shape where that table's rule is known to be wrong
  (a strict xfail, so that the fix is noticed).

`fn` is the primal where the key is not itself callable (the operator classes of gast).
`tests/rules/test_rules.py` fails for a table key that has no entry here.
"""
import math
import operator
from dataclasses import dataclass, field

import gast
import numpy as np


@dataclass(frozen=True)
class Between:
    lo: float
    hi: float

    def sample(self, rng, shape):
        if isinstance(shape, list):
            return [self.sample(rng, s) for s in shape]
        return _value(rng.uniform(self.lo, self.hi, size=shape), shape)


@dataclass(frozen=True)
class AwayFromZero:
    lo: float
    hi: float

    def sample(self, rng, shape):
        if isinstance(shape, list):
            return [self.sample(rng, s) for s in shape]
        magnitude = rng.uniform(self.lo, self.hi, size=shape)
        return _value(magnitude * rng.choice([-1.0, 1.0], size=shape), shape)


def _value(sample, shape):
    return float(sample) if shape == () else np.asarray(sample, dtype=np.float64)


@dataclass(frozen=True)
class Call:
    shapes: tuple                      # one shape per positional argument
    kwargs: dict = field(default_factory=dict)
    xfail: dict = field(default_factory=dict)  # table ("VJP", "JVP") -> a known bug it shows

    @property
    def id(self):
        shapes = "x".join(str(s).replace(" ", "") for s in self.shapes)
        options = ",".join(f"{k}={v}".replace(" ", "") for k, v in self.kwargs.items())
        return shapes + (f"-{options}" if options else "")


@dataclass(frozen=True)
class Domain:
    args: tuple
    wrt: tuple
    calls: tuple
    fn: object = None                  # the primal, where the key is not callable


def scalar(*samplers):
    """A rule of floats: every argument a Python float, all differentiable."""
    return Domain(samplers, tuple(range(len(samplers))), (Call(((),) * len(samplers)),))


ANY = Between(-2.0, 2.0)
POSITIVE = Between(0.5, 3.0)
UNIT = Between(-0.9, 0.9)          # inside (-1, 1): asin, acos, atanh
NONZERO = AwayFromZero(0.3, 2.0)

UNARY_SHAPES = (Call(((),)), Call(((4,),)), Call(((3, 4),)))
BINARY_SHAPES = (
    Call(((), ())), Call(((4,), (4,))), Call(((3, 4), (3, 4))),
    Call(((3, 1), (1, 4))), Call(((4,), (3, 4))), Call(((3, 4), (4,))),
    Call(((), (3, 4))), Call(((3, 4), ())), Call(((2, 1, 4), (3, 1))),
)

BATCHED_VECTOR_RIGHT = {"VJP": "_rt.matmul_right for (2, 3, 4) @ (4,): sums the batch axis "
                               "but not the rows, then cannot reshape (4, 3) to (4,)"}
BATCHED_VECTOR_LEFT = {"VJP": "_rt.matmul_right for (4,) @ (2, 4, 3): np.multiply.outer(a, g) "
                              "has shape (4, 2, 3), not the operand's (2, 4, 3)"}
MATMUL_SHAPES = (
    Call(((3, 4), (4, 2))), Call(((4,), (4, 3))), Call(((3, 4), (4,))), Call(((4,), (4,))),
    Call(((2, 3, 4), (4, 5))), Call(((2, 3, 4), (2, 4, 5))), Call(((3, 4), (2, 4, 5))),
    Call(((2, 3, 4), (4,))),
    Call(((4,), (2, 4, 3))),
)
START_OF_ARRAYS = ("sum(arrays, start) with a float start gives start the array cotangent g, "
                   "not g summed to a float (sum is not in BROADCASTING): the gradient of "
                   "np.sum(sum([x, 2 * x], s)) for s is array([1., 1., 1.]), not 3.0")
NDMIN = {"VJP": "np.array(x, ndmin=2) gives x the cotangent g of shape (1, 4), not x's (4,): "
                "the rule returns g unchanged for an array",
         "JVP": "np.array(x, ndmin=2)'s tangent rule np.array(dx) drops ndmin: shape (4,), not "
                "the output's (1, 4)"}
DOT_SHAPES = (  # np.dot agrees with matmul up to 2-d, and takes scalars
    Call(((3, 4), (4, 2))), Call(((4,), (4, 3))), Call(((3, 4), (4,))), Call(((4,), (4,))),
    Call(((), (3,))), Call(((3, 4), ())),
)
REDUCTION_CALLS = (
    Call(((),)), Call(((4,),)), Call(((3, 4),)),
    Call(((3, 4),), {"axis": 0}), Call(((3, 4),), {"axis": 1}), Call(((3, 4),), {"axis": -1}),
    Call(((3, 4),), {"axis": 0, "keepdims": True}), Call(((3, 4),), {"keepdims": True}),
    Call(((3, 4),), {"axis": None, "keepdims": True}),
    Call(((2, 3, 4),), {"axis": (0, 2)}), Call(((2, 3, 4),), {"axis": (0, -1), "keepdims": True}),
)


def elementwise(*samplers, wrt=None):
    calls = UNARY_SHAPES if len(samplers) == 1 else BINARY_SHAPES
    return Domain(samplers, tuple(range(len(samplers))) if wrt is None else wrt, calls)


def operator_(primal, *samplers, calls=None):
    calls = calls or (UNARY_SHAPES if len(samplers) == 1 else BINARY_SHAPES)
    return Domain(samplers, tuple(range(len(samplers))), calls, fn=primal)


DOMAINS = {
    # ---- operators.py: keyed by gast operator classes, checked on floats and arrays
    gast.Add: operator_(operator.add, ANY, ANY),
    gast.Sub: operator_(operator.sub, ANY, ANY),
    gast.Mult: operator_(operator.mul, ANY, ANY),
    gast.Div: operator_(operator.truediv, ANY, NONZERO),
    gast.Pow: operator_(operator.pow, POSITIVE, ANY),          # log(x) in the exponent's rule
    gast.Mod: operator_(operator.mod, Between(1.2, 1.8), Between(1.0, 1.1)),  # x // y stays 1
    gast.MatMult: operator_(operator.matmul, ANY, ANY, calls=MATMUL_SHAPES),
    gast.USub: operator_(operator.neg, ANY),
    gast.UAdd: operator_(operator.pos, ANY),

    # ---- math_rules.py: plain floats
    math.exp: scalar(ANY),
    math.expm1: scalar(ANY),
    math.log: Domain((POSITIVE, Between(1.5, 4.0)), (0, 1),
                     (Call(((),)), Call(((), ())))),               # with and without a base
    math.log1p: scalar(Between(-0.5, 2.0)),
    math.log2: scalar(POSITIVE),
    math.log10: scalar(POSITIVE),
    math.sqrt: scalar(POSITIVE),
    math.pow: scalar(POSITIVE, ANY),
    math.sin: scalar(ANY),
    math.cos: scalar(ANY),
    math.tan: scalar(Between(-1.2, 1.2)),
    math.asin: scalar(UNIT),
    math.acos: scalar(UNIT),
    math.atan: scalar(ANY),
    math.atan2: scalar(NONZERO, NONZERO),                          # y != 0: off the branch cut
    math.sinh: scalar(ANY),
    math.cosh: scalar(ANY),
    math.tanh: scalar(ANY),
    math.asinh: scalar(ANY),
    math.acosh: scalar(Between(1.2, 3.0)),
    math.atanh: scalar(UNIT),
    math.hypot: scalar(NONZERO, NONZERO),
    math.erf: scalar(ANY),
    math.erfc: scalar(ANY),
    math.fabs: scalar(NONZERO),
    math.copysign: Domain((NONZERO, NONZERO), (0,), (Call(((), ())),)),  # the sign: no derivative
    math.degrees: scalar(ANY),
    math.radians: scalar(ANY),
    abs: scalar(NONZERO),
    float: scalar(ANY),
    sum: Domain((ANY, ANY), (0, 1), (
        Call(([(), (), ()],)), Call(([(), (), ()], ())), Call(((4,),)), Call(((3, 4),)),
        Call(([(3,), (3,)], (3,))),
        Call(([(3,), (3,)], ())),
    )),

    # ---- numpy_rules.py: floats, vectors, matrices, broadcast pairs
    np.exp: elementwise(ANY),
    np.log: elementwise(POSITIVE),
    np.sin: elementwise(ANY),
    np.cos: elementwise(ANY),
    np.tan: elementwise(Between(-1.2, 1.2)),
    np.tanh: elementwise(ANY),
    np.sqrt: elementwise(POSITIVE),
    np.square: elementwise(ANY),
    np.abs: elementwise(NONZERO),
    np.negative: elementwise(ANY),
    np.add: elementwise(ANY, ANY),
    np.subtract: elementwise(ANY, ANY),
    np.multiply: elementwise(ANY, ANY),
    np.divide: elementwise(ANY, NONZERO),
    np.power: elementwise(POSITIVE, ANY),
    np.maximum: elementwise(AwayFromZero(0.5, 1.0), Between(-0.3, 0.3)),  # never x == y
    np.minimum: elementwise(AwayFromZero(0.5, 1.0), Between(-0.3, 0.3)),
    np.sum: Domain((ANY,), (0,), REDUCTION_CALLS),
    np.mean: Domain((ANY,), (0,), REDUCTION_CALLS),
    np.dot: Domain((ANY, ANY), (0, 1), DOT_SHAPES),
    np.matmul: Domain((ANY, ANY), (0, 1), MATMUL_SHAPES),
    np.stack: Domain((ANY,), (0,), (
        Call(([(), ()],)), Call(([(4,), (4,), (4,)],)), Call(([(2, 3), (2, 3)],)),
        Call(([(4,), (4,)],), {"axis": 1}), Call(([(2, 3), (2, 3)],), {"axis": -1}),
    )),
    np.array: Domain((ANY,), (0,), (
        Call(([(), (), ()],)), Call(([(4,), (4,)],)), Call(((3, 4),)),
        Call(([(), ()],), {"dtype": float}),
        Call(((4,),), {"ndmin": 2}),
    )),
}


def sample(domain, call, rng):
    """Arguments for `call`: one value a shape, from the domain's sampler for its position."""
    return tuple(sampler.sample(rng, shape) for sampler, shape in zip(domain.args, call.shapes))


def primal(key, domain):
    """The function a rule differentiates."""
    return domain.fn if domain.fn is not None else key
