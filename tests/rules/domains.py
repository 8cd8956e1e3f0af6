"""Where each derivative rule is checked: one `Domain` per key of srcad's rule tables.

As JAX pairs each primitive with the domain its tests sample, every key of every `VJP` (and
`JVP`) table in `srcad/rules/` has an entry here, saying

- `args`: where to sample each positional argument: `Between(lo, hi)`, or `AwayFromZero(lo, hi)`
  (magnitude in [lo, hi], either sign) to stay off kinks (abs), poles (1/y) and branch cuts;
  `Distinct` (no two values or magnitudes close: max, sort, the max-norms), `Near` (close to
  given centres: each piece of clip), `Mask` (booleans: where's condition), `NearIdentity` and
  `PositiveDefinite` (matrices for inv, solve, det, cholesky), and `Given()` for an argument
  that is not sampled: the call lists its value where the others list a shape (einsum's
  subscripts, the numbers of `a.reshape(2, 6)`);
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

from srcad import runtime as _rt
from srcad.rules import numpy_rules
from srcad.rules.operators import WholePow


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


@dataclass(frozen=True)
class Distinct:
    """Magnitudes in [smallest, largest], either sign, no two closer than half of
    (largest - smallest) / size: off the ties and kinks of max, min, sort and the max-norms."""
    smallest: float
    largest: float

    @property
    def lo(self):
        return -self.largest

    @property
    def hi(self):
        return self.largest

    def sample(self, rng, shape):
        if isinstance(shape, list):  # a list of values, distinct across the list (max, sorted)
            flat = self.sample(rng, (sum(int(np.prod(s)) for s in shape),))
            sizes = np.cumsum([int(np.prod(s)) for s in shape])[:-1]
            return [_value(np.reshape(part, s), s) for part, s in zip(np.split(flat, sizes), shape)]
        n = int(np.prod(shape))
        spacing = (self.largest - self.smallest) / n
        magnitude = self.smallest + spacing * (rng.permutation(n) + rng.uniform(0.25, 0.75, n))
        return _value(np.reshape(magnitude * rng.choice([-1.0, 1.0], n), shape), shape)


@dataclass(frozen=True)
class Near:
    """Within `jitter` of one of `centres`: every piece of a piecewise function, off its kinks."""
    centres: tuple
    jitter: float

    @property
    def lo(self):
        return min(self.centres) - self.jitter

    @property
    def hi(self):
        return max(self.centres) + self.jitter

    def sample(self, rng, shape):
        centre = rng.choice(self.centres, size=shape)
        return _value(centre + rng.uniform(-self.jitter, self.jitter, size=shape), shape)


@dataclass(frozen=True)
class Mask:
    """Booleans (a Python bool for shape ())."""
    lo = False
    hi = True

    def sample(self, rng, shape):
        mask = rng.uniform(size=shape) < 0.5
        return bool(mask) if shape == () else mask


@dataclass(frozen=True)
class NearIdentity:
    """Square matrices (or stacks of them) 2 I + noise in [-0.5, 0.5]: far from singular."""
    lo = -0.5
    hi = 2.5

    def sample(self, rng, shape):
        return 2.0 * np.eye(shape[-1]) + rng.uniform(-0.5, 0.5, size=shape)


@dataclass(frozen=True)
class PositiveDefinite:
    """Symmetric positive definite matrices (or stacks) m m^T / n + I, m in [-1, 1]."""
    lo = -1.0
    hi = 2.0

    def sample(self, rng, shape):
        m = rng.uniform(-1.0, 1.0, size=shape)
        return m @ np.swapaxes(m, -1, -2) / shape[-1] + np.eye(shape[-1])


class Separated:
    """Matrices (or stacks) noise in [-0.2, 0.2] plus 1, 2, 3, ... down the diagonal: their
    eigenvalues (eigh reads one triangle) and singular values stay far apart, and their rank full."""
    lo = -0.2
    hi = 10.0

    def sample(self, rng, shape):
        k = min(shape[-2:])
        spread = np.zeros(shape[-2:])
        spread[np.arange(k), np.arange(k)] = np.arange(1, k + 1)
        return spread + rng.uniform(-0.2, 0.2, size=shape)


@dataclass(frozen=True)
class Factors:
    """A decomposition's factors, a list: item `spaced` (eigenvalues, singular values) holds
    1, 2, 3, ... plus noise in [-0.2, 0.2] along its last axis, far apart and from zero; the
    other items are in [-1, 1]."""
    spaced: int
    lo = -1.0
    hi = 10.0

    def sample(self, rng, shapes):
        if not isinstance(shapes, list):  # the values alone
            return np.arange(1.0, shapes[-1] + 1) + rng.uniform(-0.2, 0.2, size=shapes)
        out = [rng.uniform(-1.0, 1.0, size=shape) for shape in shapes]
        out[self.spaced] = self.sample(rng, shapes[self.spaced])
        return out


@dataclass(frozen=True)
class SomeZeros:
    """In [lo, hi] with about a third of the values exactly 0: the division-free paths of the
    product helpers (prod_others), which are polynomials there, so differences still apply."""
    lo: float
    hi: float

    def sample(self, rng, shape):
        values = rng.uniform(self.lo, self.hi, size=shape) * (rng.uniform(size=shape) > 1 / 3)
        return _value(values, shape)


class _AnyBound:
    """Within any bound: the bounds of a `Given` argument, whatever its value."""
    __array_ufunc__ = None  # `array <= bound` then asks this object

    def __le__(self, other):
        return True

    def __ge__(self, other):
        return True


class Given:
    """An argument that is not sampled: its value stands in the call where a shape would."""
    lo = hi = _AnyBound()

    def sample(self, rng, value):
        return value


GIVEN = Given()


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


DISTINCT = Distinct(0.2, 2.0)
EXTREMUM_CALLS = (
    Call(((), ())), Call(((), (), ())), Call(((), (), (), ())), Call(([(), (), ()],)),
    Call(((5,),)), Call(([(), (), ()],), {"key": abs}), Call(((), ()), {"key": abs}),
)
SEQUENCE_CALLS = (Call(((4,),)), Call(((3, 4),)), Call(([(), (), ()],)), Call(([(3,), (3,)],)))
SOLVE_HELPER_CALLS = (  # g, x (the solution), a, b
    Call(((3,), (3,), (3, 3), (3,))), Call(((3, 2), (3, 2), (3, 3), (3, 2))),
    Call(((2, 3, 2), (2, 3, 2), (2, 3, 3), (2, 3, 2))), Call(((2, 3), (2, 3), (2, 3, 3), (3,))),
    Call(((2, 3, 2), (2, 3, 2), (2, 3, 3), (1, 3, 2))), Call(((2, 3, 1), (2, 3, 1), (3, 3), (2, 3, 1))),
)
CUMULATIVE_CALLS = (
    Call(((),)), Call(((4,),)), Call(((3, 4),)), Call(((3, 4),), {"axis": 0}),
    Call(((3, 4),), {"axis": 1}), Call(((2, 3, 4),), {"axis": -2}),
)
DIAGONAL_CALLS = (
    Call(((3, 3),)), Call(((3, 4),)), Call(((3, 4),), {"offset": 1}), Call(((4, 3),), {"offset": -2}),
    Call(((2, 3, 4),), {"axis1": 1, "axis2": 2}),
    Call(((2, 3, 4),), {"offset": -1, "axis1": 2, "axis2": 0}),
)
SOFTMAX_CALLS = (
    Call(((),)), Call(((4,),)), Call(((3, 4),)), Call(((3, 4),), {"axis": 1}),
    Call(((3, 4),), {"axis": 0}), Call(((2, 3, 4),), {"axis": (0, 2)}),
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
    WholePow: operator_(operator.pow, POSITIVE, ANY),
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
    # max and min of several values (each its own argument) or of one list or 1-d array
    max: Domain((DISTINCT,) * 4, (0, 1, 2, 3), EXTREMUM_CALLS),
    min: Domain((DISTINCT,) * 4, (0, 1, 2, 3), EXTREMUM_CALLS),
    sorted: Domain((DISTINCT,), (0,), (
        Call(([(), (), (), ()],)), Call(((5,),)), Call(([(), (), ()],), {"reverse": True}),
        Call(([(), (), ()],), {"key": abs}), Call(((4,),), {"key": abs, "reverse": True}),
    )),
    tuple: Domain((ANY,), (0,), SEQUENCE_CALLS),
    list: Domain((ANY,), (0,), SEQUENCE_CALLS),

    # ---- numpy_rules.py: floats, vectors, matrices, broadcast pairs
    # elementwise, one operand
    np.exp: elementwise(ANY),
    np.exp2: elementwise(ANY),
    np.expm1: elementwise(ANY),
    np.log: elementwise(POSITIVE),
    np.log2: elementwise(POSITIVE),
    np.log10: elementwise(POSITIVE),
    np.log1p: elementwise(Between(-0.5, 2.0)),
    np.sqrt: elementwise(POSITIVE),
    np.cbrt: elementwise(NONZERO),
    np.square: elementwise(ANY),
    np.reciprocal: elementwise(NONZERO),
    np.sin: elementwise(ANY),
    np.cos: elementwise(ANY),
    np.tan: elementwise(Between(-1.2, 1.2)),
    np.arcsin: elementwise(UNIT),
    np.arccos: elementwise(UNIT),
    np.arctan: elementwise(ANY),
    np.sinh: elementwise(ANY),
    np.cosh: elementwise(ANY),
    np.tanh: elementwise(ANY),
    np.arcsinh: elementwise(ANY),
    np.arccosh: elementwise(Between(1.2, 3.0)),
    np.arctanh: elementwise(UNIT),
    np.abs: elementwise(NONZERO),
    np.fabs: elementwise(NONZERO),
    np.negative: elementwise(ANY),
    np.positive: elementwise(ANY),
    np.deg2rad: elementwise(ANY),
    np.radians: elementwise(ANY),
    np.rad2deg: elementwise(ANY),
    np.degrees: elementwise(ANY),
    np.real: elementwise(ANY),

    # elementwise, two or three operands, broadcast against each other
    np.add: elementwise(ANY, ANY),
    np.subtract: elementwise(ANY, ANY),
    np.multiply: elementwise(ANY, ANY),
    np.divide: elementwise(ANY, NONZERO),
    np.power: elementwise(POSITIVE, ANY),
    np.float_power: elementwise(POSITIVE, ANY),
    np.mod: elementwise(Between(1.2, 1.8), Between(1.0, 1.1)),     # x1 // x2 stays 1
    np.fmod: elementwise(AwayFromZero(1.2, 1.8), Between(1.0, 1.1)),
    np.arctan2: elementwise(NONZERO, NONZERO),
    np.hypot: elementwise(NONZERO, NONZERO),
    np.logaddexp: elementwise(ANY, ANY),
    np.logaddexp2: elementwise(ANY, ANY),
    np.copysign: elementwise(NONZERO, NONZERO, wrt=(0,)),          # the sign: no derivative
    np.maximum: elementwise(AwayFromZero(0.5, 1.0), Between(-0.3, 0.3)),  # never x1 == x2
    np.minimum: elementwise(AwayFromZero(0.5, 1.0), Between(-0.3, 0.3)),
    np.fmax: elementwise(AwayFromZero(0.5, 1.0), Between(-0.3, 0.3)),
    np.fmin: elementwise(AwayFromZero(0.5, 1.0), Between(-0.3, 0.3)),
    np.where: Domain((Mask(), ANY, ANY), (1, 2), (
        Call(((), (), ())), Call(((4,), (4,), (4,))), Call(((3, 4), (3, 4), (3, 4))),
        Call(((3, 1), (4,), (3, 4))), Call(((), (3,), (3,))), Call(((4,), (), (3, 4))),
    )),
    # a near -1.5, -0.5, 0.5, 1.5 and bounds near -1 and 1: below, inside and above
    np.clip: Domain((Near((-1.5, -0.5, 0.5, 1.5), 0.1), Between(-1.1, -0.9), Between(0.9, 1.1)),
                    (0, 1, 2), (
        Call(((), (), ())), Call(((4,), (), ())), Call(((3, 4), (3, 4), (3, 4))),
        Call(((3, 4), (4,), (3, 1))), Call(((4,), (3, 4), ())),
        Call(((3, 4),), {"a_min": None, "a_max": 1.0}), Call(((3, 4),), {"a_min": -1.0, "a_max": None}),
        Call(((3, 4),), {"min": -1.0, "max": 1.0}), Call(((3, 4), ()), {"a_max": None}),
    )),

    # reductions
    np.sum: Domain((ANY,), (0,), REDUCTION_CALLS),
    np.mean: Domain((ANY,), (0,), REDUCTION_CALLS),
    np.prod: Domain((NONZERO,), (0,), REDUCTION_CALLS),
    np.max: Domain((Distinct(0.2, 2.0),), (0,), REDUCTION_CALLS),
    np.min: Domain((Distinct(0.2, 2.0),), (0,), REDUCTION_CALLS),
    np.amax: Domain((Distinct(0.2, 2.0),), (0,), REDUCTION_CALLS),
    np.amin: Domain((Distinct(0.2, 2.0),), (0,), REDUCTION_CALLS),
    np.var: Domain((ANY,), (0,), REDUCTION_CALLS + (
        Call(((3, 4),), {"ddof": 1}), Call(((3, 4),), {"axis": 0, "ddof": 1, "keepdims": True}),
    )),
    np.std: Domain((ANY,), (0,), REDUCTION_CALLS[1:] + (               # not of one number: 0
        Call(((3, 4),), {"ddof": 1}), Call(((3, 4),), {"axis": 0, "ddof": 1, "keepdims": True}),
    )),
    np.cumsum: Domain((ANY,), (0,), CUMULATIVE_CALLS),
    np.cumprod: Domain((ANY,), (0,), CUMULATIVE_CALLS),
    np.diff: Domain((ANY,), (0,), (
        Call(((5,),)), Call(((3, 4),)), Call(((3, 4),), {"axis": 0}),
        Call(((3, 4),), {"n": 2, "axis": -1}), Call(((5, 3),), {"n": 3, "axis": 0}),
    )),
    np.sort: Domain((Distinct(0.2, 2.0),), (0,), (
        Call(((5,),)), Call(((3, 4),)), Call(((3, 4),), {"axis": 0}),
        Call(((3, 4),), {"axis": None}), Call(((2, 3, 4),), {"axis": 1}),
    )),

    # linear algebra
    np.dot: Domain((ANY, ANY), (0, 1), DOT_SHAPES + (
        Call(((2, 3, 4), (4,))), Call(((4,), (2, 4, 3))), Call(((2, 3, 4), (4, 2))),
        Call(((2, 3, 4), (5, 4, 2))),
    )),
    np.matmul: Domain((ANY, ANY), (0, 1), MATMUL_SHAPES),
    np.inner: Domain((ANY, ANY), (0, 1), (
        Call(((4,), (4,))), Call(((3, 4), (4,))), Call(((4,), (3, 4))), Call(((2, 3, 4), (5, 4))),
        Call(((), (3, 4))), Call(((3, 4), ())), Call(((), ())),
    )),
    np.outer: Domain((ANY, ANY), (0, 1), (
        Call(((3,), (4,))), Call(((2, 3), (4,))), Call(((), (3,))), Call(((3,), (2, 2))),
    )),
    np.vdot: Domain((ANY, ANY), (0, 1), (
        Call(((4,), (4,))), Call(((3, 4), (3, 4))), Call(((2, 6), (3, 4))), Call(((), ())),
    )),
    np.tensordot: Domain((ANY, ANY), (0, 1), (
        Call(((2, 3, 4), (3, 4, 5))), Call(((3, 4), (4, 5)), {"axes": 1}),
        Call(((3,), (4,)), {"axes": 0}), Call(((3, 2, 4), (2, 3, 5)), {"axes": ([1, 0], [0, 1])}),
        Call(((3, 4), (4, 5)), {"axes": ([-1], [0])}), Call(((3, 4), (3, 4)), {"axes": 2}),
        Call(((2, 3), (3, 2)), {"axes": (1, 0)}),
    )),
    np.einsum: Domain((GIVEN, ANY, ANY, ANY, ANY), (1, 2, 3, 4), (
        Call(("ij,jk->ik", (3, 4), (4, 2))), Call(("ij,jk", (3, 4), (4, 2))),
        Call(("ii->i", (3, 3))), Call(("ii", (3, 3))), Call(("ij->", (3, 4))),
        Call(("ij->ji", (3, 4))), Call(("i,i->", (4,), (4,))), Call(("i,j->ij", (3,), (4,))),
        Call(("...ij,...jk->...ik", (2, 3, 4), (2, 4, 5))),
        Call(("...ij,jk->...ik", (2, 3, 4), (4, 5))), Call(("...i,...i", (2, 3), (3,))),
        Call(("ij,j,jk->ik", (3, 4), (4,), (4, 2))), Call(("bi,bj->ij", (5, 2), (5, 3))),
        Call(("ij,ij->ij", (1, 3), (2, 3))), Call(("iij->j", (2, 2, 3))),
        Call(("a,b,c,d->abcd", (2,), (3,), (2,), (2,))), Call(("i,->i", (3,), ())),
    )),
    np.trace: Domain((ANY,), (0,), DIAGONAL_CALLS),
    np.diagonal: Domain((ANY,), (0,), DIAGONAL_CALLS),
    np.diag: Domain((ANY,), (0,), (
        Call(((4,),)), Call(((4,),), {"k": 1}), Call(((4,),), {"k": -2}), Call(((3, 3),)),
        Call(((3, 4),), {"k": 1}), Call(((4, 3),), {"k": -1}),
    )),
    np.linalg.norm: Domain((Distinct(0.2, 2.0),), (0,), (
        Call(((),)), Call(((4,),)), Call(((3, 4),)), Call(((2, 3, 4),)),
        Call(((4,),), {"ord": 1}), Call(((4,),), {"ord": 3}), Call(((4,),), {"ord": 0.5}),
        Call(((4,),), {"ord": np.inf}), Call(((4,),), {"ord": -np.inf}),
        Call(((3, 4),), {"axis": 1}), Call(((3, 4),), {"axis": -2, "keepdims": True}),
        Call(((3, 4),), {"axis": 0, "ord": 1}), Call(((3, 4),), {"keepdims": True}),
        Call(((3, 4),), {"ord": "fro"}), Call(((3, 4),), {"ord": "nuc"}),
        Call(((3, 4),), {"ord": 2}), Call(((3, 4),), {"ord": -2}),
        Call(((3, 4),), {"ord": 1}), Call(((3, 4),), {"ord": -1}),
        Call(((3, 4),), {"ord": np.inf}), Call(((3, 4),), {"ord": -np.inf}),
        Call(((2, 3, 4),), {"axis": (1, 2)}), Call(((2, 3, 4),), {"axis": (2, 0), "ord": 2}),
        Call(((2, 3, 4),), {"axis": (-1, 1), "ord": 1, "keepdims": True}),
    )),
    np.linalg.inv: Domain((NearIdentity(),), (0,), (Call(((3, 3),)), Call(((2, 3, 3),)))),
    np.linalg.solve: Domain((NearIdentity(), ANY), (0, 1), (
        Call(((3, 3), (3,))), Call(((3, 3), (3, 2))), Call(((2, 3, 3), (2, 3, 2))),
        Call(((2, 3, 3), (3,))), Call(((2, 3, 3), (1, 3, 2))), Call(((3, 3), (2, 3, 1))),
    )),
    np.linalg.det: Domain((NearIdentity(),), (0,), (
        Call(((3, 3),)), Call(((2, 3, 3),)), Call(((1, 1),)),
    )),
    np.linalg.slogdet: Domain((NearIdentity(),), (0,), (Call(((3, 3),)), Call(((2, 3, 3),)))),
    np.linalg.cholesky: Domain((PositiveDefinite(),), (0,), (
        Call(((3, 3),)), Call(((2, 3, 3),)), Call(((3, 3),), {"upper": True}),
        Call(((2, 4, 4),), {"upper": True}),
    )),
    np.linalg.eigh: Domain((Separated(),), (0,), (
        Call(((3, 3),)), Call(((2, 3, 3),)), Call(((3, 3),), {"UPLO": "U"}),
    )),
    np.linalg.svd: Domain((Separated(),), (0,), (
        Call(((4, 3),), {"full_matrices": False}), Call(((3, 4),), {"full_matrices": False}), Call(((3, 3),)),
        Call(((2, 3, 2),), {"full_matrices": False}), Call(((4, 3),), {"compute_uv": False}),
        Call(((2, 3, 4),), {"compute_uv": False}),
    )),
    np.linalg.pinv: Domain((Separated(),), (0,), (
        Call(((3, 3),)), Call(((4, 3),)), Call(((3, 4),)), Call(((2, 4, 3),)),
    )),

    # shapes, copies and gathers
    np.reshape: Domain((ANY,), (0,), (
        Call(((3, 4),), {"shape": (4, 3)}), Call(((3, 4),), {"shape": (2, -1), "order": "F"}),
        Call(((),), {"shape": (1, 1)}), Call(((4,),), {"shape": 4}),
    )),
    numpy_rules.reshape_method: Domain((ANY, GIVEN, GIVEN, GIVEN), (0,), (
        Call(((3, 4), 2, 6)), Call(((3, 4), (12,))), Call(((3, 4), 12)),
        Call(((3, 4), 2, 3, 2), {"order": "F"}), Call(((2, 3, 2), -1, 3)),
    )),
    np.ravel: Domain((ANY,), (0,), (
        Call(((),)), Call(((3, 4),)), Call(((3, 4),), {"order": "F"}),
        Call(((3, 4),), {"order": "A"}), Call(((2, 3, 4),), {"order": "K"}),
    )),
    numpy_rules.flatten_method: Domain((ANY,), (0,), (
        Call(((),)), Call(((3, 4),)), Call(((3, 4),), {"order": "F"}), Call(((2, 3, 4),), {"order": "K"}),
    )),
    np.transpose: Domain((ANY,), (0,), (
        Call(((),)), Call(((3, 4),)), Call(((2, 3, 4),)), Call(((2, 3, 4),), {"axes": (1, 2, 0)}),
        Call(((2, 3, 4),), {"axes": (-1, 0, 1)}),
    )),
    numpy_rules.transpose_method: Domain((ANY, GIVEN, GIVEN, GIVEN), (0,), (
        Call(((3, 4),)), Call(((2, 3, 4),)), Call(((2, 3, 4), 2, 0, 1)),
        Call(((2, 3, 4), (1, 2, 0))), Call(((3, 4), 1, 0)), Call(((2, 3, 4), -1, 0, 1)),
    )),
    np.swapaxes: Domain((ANY,), (0,), (
        Call(((2, 3, 4),), {"axis1": 0, "axis2": 2}), Call(((2, 3, 4),), {"axis1": -1, "axis2": 1}),
        Call(((3, 4),), {"axis1": 0, "axis2": 0}),
    )),
    np.moveaxis: Domain((ANY,), (0,), (
        Call(((2, 3, 4),), {"source": 0, "destination": -1}),
        Call(((2, 3, 4),), {"source": (0, 1), "destination": (2, 0)}),
    )),
    np.expand_dims: Domain((ANY,), (0,), (
        Call(((3, 4),), {"axis": 1}), Call(((3, 4),), {"axis": (0, -1)}), Call(((),), {"axis": 0}),
    )),
    np.squeeze: Domain((ANY,), (0,), (
        Call(((3, 1, 4),)), Call(((1, 4, 1),), {"axis": 0}), Call(((1, 4, 1),), {"axis": (0, 2)}),
        Call(((1,),)),
    )),
    np.broadcast_to: Domain((ANY,), (0,), (
        Call(((),), {"shape": (2, 3)}), Call(((4,),), {"shape": (3, 4)}),
        Call(((3, 1),), {"shape": (2, 3, 4)}), Call(((3, 4),), {"shape": (3, 4)}),
    )),
    np.stack: Domain((ANY,), (0,), (
        Call(([(), ()],)), Call(([(4,), (4,), (4,)],)), Call(([(2, 3), (2, 3)],)),
        Call(([(4,), (4,)],), {"axis": 1}), Call(([(2, 3), (2, 3)],), {"axis": -1}),
        Call(((3, 4),)), Call(((3, 4),), {"axis": 1}),                    # an array of rows
    )),
    # lists of arrays of one shape (the checker's differences take lists of one shape only;
    # tests/numpy/test_numpy_rules.py checks lists of several shapes)
    np.concatenate: Domain((ANY,), (0,), (
        Call(([(3,), (3,)],)), Call(([(2, 3), (2, 3)],)), Call(([(3, 2), (3, 2)],), {"axis": 1}),
        Call(([(3, 2), (3, 2), (3, 2)],), {"axis": -1}), Call(([(2, 3), (2, 3)],), {"axis": None}),
        Call(((3, 4),)),
    )),
    np.hstack: Domain((ANY,), (0,), (
        Call(([(3,), (3,)],)), Call(([(2, 3), (2, 3)],)), Call(([(), ()],)), Call(((3, 4),)),
    )),
    np.vstack: Domain((ANY,), (0,), (
        Call(([(3,), (3,)],)), Call(([(2, 3), (2, 3)],)), Call(([(), ()],)), Call(((3, 4),)),
    )),
    numpy_rules.row_stack: Domain((ANY,), (0,), (Call(([(3,), (3,)],)), Call(([(2, 3), (2, 3)],)))),
    np.atleast_1d: Domain((ANY,), (0,), (Call(((),)), Call(((4,),)), Call(((3, 4),)))),
    np.atleast_2d: Domain((ANY,), (0,), (Call(((),)), Call(((4,),)), Call(((3, 4),)), Call(((2, 3, 4),)))),
    np.atleast_3d: Domain((ANY,), (0,), (Call(((),)), Call(((4,),)), Call(((3, 4),)), Call(((2, 3, 4),)))),
    np.tile: Domain((ANY,), (0,), (
        Call(((3,),), {"reps": 2}), Call(((2, 3),), {"reps": (2, 1, 2)}),
        Call(((2, 3),), {"reps": (2,)}), Call(((),), {"reps": 3}), Call(((2, 1, 3),), {"reps": (2, 2)}),
    )),
    np.repeat: Domain((ANY,), (0,), (
        Call(((4,),), {"repeats": 2}), Call(((2, 3),), {"repeats": 2, "axis": 1}),
        Call(((2, 3),), {"repeats": [1, 0, 2], "axis": -1}), Call(((2, 3),), {"repeats": 3}),
        Call(((),), {"repeats": 3}),
    )),
    np.take: Domain((ANY,), (0,), (
        Call(((5,),), {"indices": [0, 2, 2, 4]}), Call(((3, 4),), {"indices": 7}),
        Call(((3, 4),), {"indices": [[0, 1], [3, 3]], "axis": 1}),
        Call(((3, 4),), {"indices": [1, -1, 1], "axis": 0}),
        Call(((3, 4),), {"indices": [5, -7], "axis": 1, "mode": "wrap"}),
        Call(((3, 4),), {"indices": [5, -7, 2], "axis": -1, "mode": "clip"}),
    )),
    np.flip: Domain((ANY,), (0,), (
        Call(((4,),)), Call(((3, 4),), {"axis": 0}), Call(((3, 4),), {"axis": (0, 1)}),
        Call(((2, 3, 4),), {"axis": -1}),
    )),
    np.fliplr: Domain((ANY,), (0,), (Call(((3, 4),)), Call(((3, 4, 2),)))),
    np.rot90: Domain((ANY,), (0,), (
        Call(((3, 4),)), Call(((3, 4),), {"k": 2}), Call(((3, 4),), {"k": 3}),
        Call(((2, 3, 4),), {"k": -1, "axes": (1, 2)}),
    )),
    np.full: Domain((GIVEN, ANY), (1,), (Call(((3,), ())), Call(((2, 3), (3,))), Call((4, ())))),
    np.full_like: Domain((ANY, ANY), (1,), (Call(((3,), ())), Call(((2, 3), (3,))), Call(((2, 3), (2, 1))))),
    np.linspace: Domain((ANY, ANY), (0, 1), (
        Call(((), ()), {"num": 5}), Call(((), ()), {"num": 4, "endpoint": False}), Call(((), ()), {"num": 1}),
        Call(((3,), ()), {"num": 4}), Call(((2, 3), (3,)), {"num": 5, "axis": -1}),
        Call(((3,), (3,)), {"num": 4, "axis": 1}),
    )),
    np.flipud: Domain((ANY,), (0,), (Call(((3, 4),)), Call(((4,),)))),
    np.roll: Domain((ANY,), (0,), (
        Call(((5,),), {"shift": 2}), Call(((3, 4),), {"shift": 5}),
        Call(((3, 4),), {"shift": (1, -1), "axis": (0, 1)}), Call(((3, 4),), {"shift": -1, "axis": 1}),
    )),
    np.triu: Domain((ANY,), (0,), (Call(((4, 4),)), Call(((3, 4),), {"k": 1}), Call(((2, 3, 3),), {"k": -1}))),
    np.tril: Domain((ANY,), (0,), (Call(((4, 4),)), Call(((3, 4),), {"k": 1}), Call(((2, 3, 3),), {"k": -1}))),
    np.copy: Domain((ANY,), (0,), (Call(((3, 4),)), Call(((4,),)), Call(([(), ()],)))),
    numpy_rules.copy_method: Domain((ANY,), (0,), (Call(((3, 4),)), Call(((4,),)), Call(((3, 4),), {"order": "F"}))),
    np.array: Domain((ANY,), (0,), (
        Call(([(), (), ()],)), Call(([(4,), (4,)],)), Call(((3, 4),)),
        Call(([(), ()],), {"dtype": float}),
        Call(((4,),), {"ndmin": 2}),
    )),
    np.asarray: Domain((ANY,), (0,), (
        Call(((),)), Call(((3, 4),)), Call(([(), (), ()],)), Call(([(3,), (3,)],)),
    )),
    numpy_rules.astype_method: Domain((Between(0.2, 0.8), GIVEN), (0,), (  # no integer crossed
        Call(((3, 4), "float64")), Call(((4,), np.float64)), Call(((3, 4), "int64")),
        Call(((3, 4), bool)),
    )),
}

try:
    import scipy.special
except ModuleNotFoundError:  # scipy is optional, and so is its table
    scipy = None

if scipy is not None:
    DOMAINS.update({
        # ---- scipy_rules.py
        scipy.special.expit: elementwise(ANY),
        scipy.special.logit: elementwise(Between(0.1, 0.9)),
        scipy.special.log_expit: elementwise(ANY),
        scipy.special.logsumexp: Domain((ANY, GIVEN, POSITIVE), (0, 2), REDUCTION_CALLS + (
            Call(((3, 4), None, (3, 4))), Call(((3, 4), 1, (3, 4))), Call(((3, 4), -1, (4,))),
            Call(((2, 3, 4), (0, 2), (2, 3, 4)), {"keepdims": True}),
        )),
        scipy.special.softmax: Domain((ANY,), (0,), SOFTMAX_CALLS),
        scipy.special.log_softmax: Domain((ANY,), (0,), SOFTMAX_CALLS),
        scipy.special.gamma: elementwise(POSITIVE),
        scipy.special.gammaln: elementwise(POSITIVE),
        scipy.special.digamma: elementwise(POSITIVE),
        scipy.special.erf: elementwise(ANY),
        scipy.special.erfc: elementwise(ANY),
        scipy.special.erfinv: elementwise(UNIT),
        scipy.special.ndtr: elementwise(ANY),
        scipy.special.xlogy: elementwise(POSITIVE, POSITIVE),
        scipy.special.xlog1py: elementwise(POSITIVE, Between(-0.5, 2.0)),
        scipy.special.betaln: elementwise(POSITIVE, POSITIVE),
        # the shape parameters have no rule (refused): only the last argument is checked
        scipy.special.betainc: Domain((POSITIVE, POSITIVE, Between(0.1, 0.9)), (2,), (
            Call(((), (), ())), Call(((4,), (4,), (4,))), Call(((), (), (3, 4))), Call(((3, 1), (4,), (3, 4))),
        )),
        scipy.special.gammainc: elementwise(POSITIVE, POSITIVE, wrt=(1,)),
        scipy.special.gammaincc: elementwise(POSITIVE, POSITIVE, wrt=(1,)),
        scipy.special.stdtr: elementwise(POSITIVE, ANY, wrt=(1,)),
        scipy.special.zeta: elementwise(Between(2.0, 4.0), POSITIVE, wrt=(1,)),
        scipy.special.polygamma: Domain((GIVEN, POSITIVE), (1,), (
            Call((0, ())), Call((1, (4,))), Call((2, (3, 4))),
        )),
    })

# ---- runtime_rules.py: srcad's own helpers, which generated gradients call. The table is
# forward-only (forward mode over a gradient), so only its JVP rules are checked here. The
# cotangent a helper computes is linear (or bilinear) in its cotangent arguments; its other
# arguments are either differentiable too (a matmul's other operand, a solve's matrix, the
# output `ans` it is given) or read only for their shapes, axes and indices: those are left out
# of `wrt`, sampled anyway (a shape's worth of numbers) or `GIVEN`.
DOMAINS.update({
    _rt.unbroadcast: Domain((ANY, ANY), (0,), (
        Call(((3, 4), (1, 4))), Call(((3, 4), (4,))), Call(((2, 3, 4), (3, 1))), Call(((3, 4), ())),
        Call(((4,), (4,))), Call(((), ())),
    )),
    _rt.unreduce: Domain((ANY, ANY, GIVEN, GIVEN), (0,), (
        Call(((3,), (3, 4), 1, False)), Call(((4,), (3, 4), 0, False)), Call(((1, 4), (3, 4), 0, True)),
        Call(((), (3, 4), None, False)), Call(((2,), (2, 3, 4), (1, -1), False)), Call(((), (), None, False)),
    )),
    _rt.matmul_left: Domain((ANY, ANY, ANY), (0, 2), (            # a: its shape only
        Call(((3, 2), (3, 4), (4, 2))), Call(((3,), (4,), (4, 3))), Call(((3,), (3, 4), (4,))),
        Call(((), (4,), (4,))), Call(((2, 3, 5), (2, 3, 4), (2, 4, 5))), Call(((2, 3, 5), (3, 4), (2, 4, 5))),
    )),
    _rt.matmul_right: Domain((ANY, ANY, ANY), (0, 1), (           # b: its shape only
        Call(((3, 2), (3, 4), (4, 2))), Call(((3,), (4,), (4, 3))), Call(((3,), (3, 4), (4,))),
        Call(((), (4,), (4,))), Call(((2, 3, 5), (2, 3, 4), (2, 4, 5))), Call(((2, 3, 5), (2, 3, 4), (4, 5))),
    )),
    _rt.log: elementwise(POSITIVE),
    _rt.power_log: elementwise(POSITIVE),
    _rt.power_slope: elementwise(POSITIVE, ANY),
    _rt.over: elementwise(ANY, NONZERO),
    _rt.expit: elementwise(Between(-6.0, 6.0)),
    _rt.item: Domain((ANY, GIVEN), (0,), (
        Call(([(), (), ()], 1)), Call(([(3,), (3,)], 0)), Call(((3, 4), 2)), Call(((), 0)),
    )),
    _rt.add_at: Domain((ANY, ANY, GIVEN, ANY), (0, 3), (         # a: its shape; index: given
        Call(((5,), (5,), np.array([0, 2, 2, 4]), (4,))),         # repeated indices accumulate
        Call(((3, 4), (3, 4), [1, 1, 0], (3, 4))), Call(((3, 4), (3, 4), 1, (4,))),
        Call(((3, 4), (3, 4), (slice(None), 2), (3,))), Call(((), (5,), np.array([1, 1]), (2,))),
        Call(([(), (), ()], [(), (), ()], 1, ())), Call(([(), (), (), ()], [(), (), (), ()], slice(1, 3), [(), ()])),
    )),
    _rt.drop_last: Domain((ANY,), (0,), (Call(([(), (), ()],)), Call(((4,),)), Call(((3, 4),)), Call(((),)))),
    _rt.add: Domain((ANY, ANY), (0, 1), (
        Call(((), ())), Call(((3,), (3,))), Call(((3, 4), (4,))), Call(([(), ()], [(), ()])),
        Call(([(3,), (3,)], [(3,), (3,)])),
    )),
    _rt.sum_grad: Domain((ANY, ANY), (0,), (
        Call(((), [(), (), ()])), Call(((), (4,))), Call(((3,), (2, 3))), Call(((3,), [(3,), (3,)])),
    )),
    _rt.unstack: Domain((ANY, ANY), (0,), (
        Call(((3, 4), [(4,), (4,), (4,)])), Call(((4, 3), [(4,), (4,), (4,)]), {"axis": 1}),
        Call(((2,), [(), ()])),
    )),
    _rt.gradient: Domain((ANY, ANY), (0,), (
        Call(((), ())), Call(((3, 4), (3, 4))), Call(((), (3, 4))), Call(((4,), (3, 4))),
    )),
    _rt.unshared: Domain((ANY, ANY), (0,), (                       # others: compared by identity
        Call(((3,), [(3,), (3,)])), Call(((3, 4), [(4,)])), Call(((), [(), ()])),
    )),
    _rt.saved: elementwise(ANY),
    _rt.zeros_as: Domain((ANY, ANY), (0,), (                       # like: read for its shape
        Call(((3, 4), (3, 4))), Call(((), ())), Call(((4,), (4,))),
    )),
    _rt.copied: elementwise(ANY),
    _rt.zero_at: Domain((ANY, GIVEN), (0,), (
        Call(((4,), 1)), Call(((3, 4), (slice(None), 2))), Call(((5,), np.array([0, 2]))), Call(((), 0)),
    )),
    _rt.shaped_like: Domain((ANY, ANY), (0,), (
        Call(((12,), (3, 4))), Call(((12,), (3, 4)), {"order": "F"}), Call(((4,), ())), Call(((1, 1), ())),
    )),
    _rt.dot_left: Domain((ANY, ANY, ANY), (0, 2), (
        Call(((3, 2), (3, 4), (4, 2))), Call(((3,), (4,), (4, 3))), Call(((3,), (3, 4), (4,))),
        Call(((), (4,), (4,))), Call(((3,), (), (3,))), Call(((3, 4), (3, 4), ())),
        Call(((2, 3, 5, 2), (2, 3, 4), (5, 4, 2))),
    )),
    _rt.dot_right: Domain((ANY, ANY, ANY), (0, 1), (
        Call(((3, 2), (3, 4), (4, 2))), Call(((3,), (4,), (4, 3))), Call(((3,), (3, 4), (4,))),
        Call(((), (4,), (4,))), Call(((3,), (), (3,))), Call(((3, 4), (3, 4), ())),
        Call(((2, 3, 5, 2), (2, 3, 4), (5, 4, 2))),
    )),
    _rt.inner_left: Domain((ANY, ANY, ANY), (0, 2), (
        Call(((3,), (3, 4), (4,))), Call(((3,), (4,), (3, 4))), Call(((2, 3, 5), (2, 3, 4), (5, 4))),
        Call(((), (4,), (4,))), Call(((3, 4), (), (3, 4))),
    )),
    _rt.inner_right: Domain((ANY, ANY, ANY), (0, 1), (
        Call(((3,), (3, 4), (4,))), Call(((3,), (4,), (3, 4))), Call(((2, 3, 5), (2, 3, 4), (5, 4))),
        Call(((), (4,), (4,))), Call(((3, 4), (3, 4), ())),
    )),
    _rt.tensordot_left: Domain((ANY, ANY, ANY), (0, 2), (
        Call(((2, 5), (2, 3, 4), (3, 4, 5))), Call(((3, 5), (3, 4), (4, 5)), {"axes": 1}),
        Call(((4, 5), (3, 2, 4), (2, 3, 5)), {"axes": ([1, 0], [0, 1])}), Call(((3, 4), (3,), (4,)), {"axes": 0}),
    )),
    _rt.tensordot_right: Domain((ANY, ANY, ANY), (0, 1), (
        Call(((2, 5), (2, 3, 4), (3, 4, 5))), Call(((3, 5), (3, 4), (4, 5)), {"axes": 1}),
        Call(((4, 5), (3, 2, 4), (2, 3, 5)), {"axes": ([1, 0], [0, 1])}), Call(((3, 4), (3,), (4,)), {"axes": 0}),
    )),
    _rt.variance_grad: Domain((ANY, GIVEN, GIVEN), (0,), (
        Call(((3, 4), None, 0)), Call(((3, 4), 0, 1)), Call(((2, 3, 4), (0, 2), 0)),
    )),
    _rt.uncumsum: Domain((ANY, ANY, GIVEN), (0,), (
        Call(((3, 4), (3, 4), 0)), Call(((3, 4), (3, 4), -1)), Call(((12,), (3, 4), None)),
        Call(((1,), (), None)),
    )),
    _rt.unravel: Domain((ANY, ANY), (0,), (
        Call(((12,), (3, 4))), Call(((12,), (3, 4)), {"order": "F"}), Call(((24,), (2, 3, 4)), {"order": "K"}),
        Call(((1,), ())),
    )),
    _rt.undiagonal: Domain((ANY, ANY), (0,), (
        Call(((3,), (3, 3))), Call(((3,), (3, 4)), {"offset": 1}), Call(((2,), (4, 3)), {"offset": -2}),
        Call(((2, 3), (2, 3, 4)), {"axis1": 1, "axis2": 2}), Call(((1,), (3, 3))),   # np.trace's g
    )),
    _rt.undiag: Domain((ANY, ANY, GIVEN), (0,), (
        Call(((4, 4), (4,), 0)), Call(((5, 5), (4,), 1)), Call(((3,), (3, 3), 0)), Call(((3,), (3, 4), 1)),
    )),
    _rt.unconcatenate: Domain((ANY, ANY), (0,), (
        Call(((6,), [(3,), (3,)])), Call(((4, 3), [(2, 3), (2, 3)])),
        Call(((3, 4), [(3, 2), (3, 2)]), {"axis": 1}), Call(((12,), [(2, 3), (2, 3)]), {"axis": None}),
        Call(((12,), (3, 4))),                                     # an array of rows
    )),
    _rt.unhstack: Domain((ANY, ANY), (0,), (
        Call(((6,), [(3,), (3,)])), Call(((2, 6), [(2, 3), (2, 3)])), Call(((2,), [(), ()])),
        Call(((12,), (3, 4))),
    )),
    _rt.unvstack: Domain((ANY, ANY), (0,), (
        Call(((2, 3), [(3,), (3,)])), Call(((4, 3), [(2, 3), (2, 3)])), Call(((2, 1), [(), ()])),
        Call(((3, 4), (3, 4))),
    )),
    _rt.untile: Domain((ANY, ANY, GIVEN), (0,), (
        Call(((6,), (3,), 2)), Call(((2, 2, 6), (2, 3), (2, 1, 2))), Call(((3,), (), 3)),
    )),
    _rt.unrepeat: Domain((ANY, ANY, GIVEN), (0,), (
        Call(((8,), (4,), 2)), Call(((2, 6), (2, 3), 2), {"axis": 1}),
        Call(((2, 3), (2, 3), [1, 0, 2]), {"axis": -1}), Call(((3,), (), 3)),
    )),
    _rt.untake: Domain((ANY, ANY, GIVEN), (0,), (
        Call(((4,), (5,), [0, 2, 2, 4])), Call(((), (3, 4), 7)),
        Call(((3, 2, 2), (3, 4), [[0, 1], [3, 3]]), {"axis": 1}),
        Call(((3, 2), (3, 4), [5, -7]), {"axis": 1, "mode": "wrap"}),
    )),
    _rt.unsort: Domain((ANY, Distinct(0.2, 2.0)), (0,), (         # a: the order only
        Call(((5,), (5,))), Call(((3, 4), (3, 4)), {"axis": 0}), Call(((12,), (3, 4)), {"axis": None}),
    )),
    _rt.share_extremum: Domain((ANY, GIVEN, GIVEN, GIVEN), (0,), (   # y (the extremum), k, args: given
        Call(((), 1.5, 0, (1.5, 0.5, None, None))), Call(((), 1.5, 1, (0.5, 1.5, -2.0, None))),
        Call(((), 1.5, 0, ([0.5, 1.5, 1.5], None, None, None))),
        Call(((), 2.0, 0, (np.array([2.0, 1.0, 2.0]), None, None, None))),
    )),
    _rt.unsort_items: Domain((ANY, DISTINCT), (0,), (                    # the items: their order only
        Call(([(), (), ()], [(), (), ()])), Call(([(), (), (), ()], (4,))),
        Call(([(), (), ()], [(), (), ()]), {"reverse": True}),
    )),
    _rt.unlinspace: Domain((ANY, ANY, ANY, GIVEN, GIVEN, GIVEN, GIVEN), (0,), (  # start, stop: shapes only
        Call(((5,), (), (), 5, True, 0, 0)), Call(((5,), (), (), 5, True, 0, 1)),
        Call(((4, 3), (3,), (), 4, False, 0, 0)), Call(((3, 5), (3,), (3,), 5, True, 1, 1)),
    )),
    # the decompositions' cotangents: smooth in the factors given (eigenvalues, singular values apart)
    _rt.eigh_grad: Domain((ANY, Factors(0), GIVEN), (0, 1), (
        Call(([(3,), (3, 3)], [(3,), (3, 3)], "L")), Call(([(3,), (3, 3)], [(3,), (3, 3)], "U")),
        Call(([(2, 3), (2, 3, 3)], [(2, 3), (2, 3, 3)], "L")),
    )),
    _rt.svd_grad: Domain((ANY, Factors(1), Separated(), GIVEN, GIVEN), (0, 1, 2), (
        Call(([(4, 3), (3,), (3, 3)], [(4, 3), (3,), (3, 3)], (4, 3), False, True)),
        Call(([(2, 2), (2,), (2, 4)], [(2, 2), (2,), (2, 4)], (2, 4), False, True)),
        Call(([(3, 3), (3,), (3, 3)], [(3, 3), (3,), (3, 3)], (3, 3), True, True)),
        Call(((3,), (3,), (4, 3), True, False)),
    )),
    _rt.pinv_grad: Domain((ANY, ANY, Separated()), (0, 1, 2), (
        Call(((3, 4), (3, 4), (4, 3))), Call(((3, 3), (3, 3), (3, 3))), Call(((2, 3, 4), (2, 3, 4), (2, 4, 3))),
    )),
    _rt.unlist: Domain((ANY, ANY), (0,), (
        Call(([(), (), ()], (3,))), Call(([(4,), (4,)], (2, 4))), Call(([(), ()], [(), ()])),
    )),
    _rt.undiff: Domain((ANY, ANY), (0,), (
        Call(((4,), (5,))), Call(((3, 3), (3, 4))), Call(((1, 4), (3, 4)), {"n": 2, "axis": 0}),
    )),
    _rt.cast_back: Domain((ANY, ANY, GIVEN), (0,), (
        Call(((3, 4), (3, 4), "float64")), Call(((3, 4), (3, 4), "int64")), Call(((), (), float)),
    )),
    _rt.prod_others: Domain((SomeZeros(-2.0, 2.0), GIVEN), (0,), (
        Call(((),  None)), Call(((4,), None)), Call(((3, 4), None)), Call(((3, 4), 0)), Call(((3, 4), -1)),
        Call(((2, 3, 4), (0, 2))),
    )),
    # ans (the norm) sampled apart from x: the weights' derivative in each, separately. Not the
    # vector max-norms (ord inf, -inf): their weights find the maxima by |x| == ans, which no
    # independently sampled ans meets (tests/rules/test_runtime_rules.py checks them end to end)
    _rt.norm_weights: Domain((POSITIVE, Distinct(0.2, 2.0), GIVEN, GIVEN, GIVEN), (0, 1), (
        Call(((), (), None, None, False)), Call(((), (4,), None, None, False)),
        Call(((), (3, 4), None, None, False)), Call(((), (4,), 1, None, False)),
        Call(((), (4,), 3, None, False)), Call(((), (4,), 0.5, None, False)),
        Call(((), (4,), 0, None, False)), Call(((3,), (3, 4), None, 1, False)),
        Call(((1, 4), (3, 4), None, -2, True)), Call(((4,), (3, 4), 2, 0, False)),
        Call(((), (3, 4), "fro", None, False)), Call(((2,), (2, 3, 4), None, (1, 2), False)),
        Call(((), (3, 4), "nuc", None, False)), Call(((), (4, 3), "nuc", None, False)),
        Call(((), (3, 3), "nuc", None, False)), Call(((), (3, 4), 2, None, False)),
        Call(((), (4, 3), -2, None, False)), Call(((3,), (2, 3, 4), 2, (2, 0), False)),
        Call(((), (3, 4), 1, None, False)), Call(((), (3, 4), -np.inf, None, False)),
        Call(((2, 1, 1), (2, 4, 3), "nuc", (-1, 1), True)),
    )),
    _rt.uncumprod: Domain((ANY, ANY, NONZERO, GIVEN), (0, 1, 2), (  # a's zeros: end to end
        Call(((4,), (4,), (4,), 0)), Call(((12,), (12,), (3, 4), None)), Call(((3, 4), (3, 4), (3, 4), 0)),
        Call(((2, 3, 4), (2, 3, 4), (2, 3, 4), -2)), Call(((1,), (1,), (), None)),
    )),
    # L sampled as any well-conditioned matrix: the helper's formula holds for every one
    _rt.cholesky_grad: Domain((ANY, NearIdentity(), GIVEN), (0, 1), (
        Call(((3, 3), (3, 3), False)), Call(((2, 3, 3), (2, 3, 3), False)), Call(((3, 3), (3, 3), True)),
        Call(((2, 4, 4), (2, 4, 4), True)),
    )),
    # solve(a, b) = x: g and x have x's shape; b is read for its shape only
    _rt.solve_left: Domain((ANY, ANY, NearIdentity(), ANY), (0, 1, 2), SOLVE_HELPER_CALLS),
    _rt.solve_right: Domain((ANY, ANY, NearIdentity(), ANY), (0, 2), SOLVE_HELPER_CALLS),
    _rt.einsum_grad: Domain((ANY, GIVEN, GIVEN, ANY, ANY, ANY, ANY), (0, 3, 4, 5, 6), (
        Call(((3, 2), 0, "ij,jk->ik", (3, 4), (4, 2))), Call(((3, 2), 1, "ij,jk->ik", (3, 4), (4, 2))),
        Call(((3,), 0, "ii->i", (3, 3))), Call(((), 1, "i,i->", (4,), (4,))),
        Call(((2, 3, 5), 1, "...ij,jk->...ik", (2, 3, 4), (4, 5))),
        Call(((3, 2), 1, "ij,j,jk->ik", (3, 4), (4,), (4, 2))), Call(((2, 3), 0, "ij,ij->ij", (1, 3), (2, 3))),
        Call(((3,), 1, "i,->i", (3,), ())), Call(((2, 3, 2, 2), 2, "a,b,c,d->abcd", (2,), (3,), (2,), (2,))),
    )),
    _rt.logsumexp_weights: Domain((ANY, ANY, GIVEN, GIVEN, POSITIVE), (0, 1, 4), (
        Call(((), (4,), None, False)), Call(((3,), (3, 4), 1, False)), Call(((1, 4), (3, 4), 0, True)),
        Call(((2,), (2, 3, 4), (1, 2), False)), Call(((3,), (3, 4), 1, False, (3, 4))),
        Call(((3,), (3, 4), -1, False, (4,))), Call(((), (), None, False)),
    )),
})


def sample(domain, call, rng):
    """Arguments for `call`: one value a shape, from the domain's sampler for its position."""
    return tuple(sampler.sample(rng, shape) for sampler, shape in zip(domain.args, call.shapes))


def primal(key, domain):
    """The function a rule differentiates."""
    return domain.fn if domain.fn is not None else key
