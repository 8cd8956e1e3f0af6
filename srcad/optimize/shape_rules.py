"""The shape inference's rules (shapes.py): the lattice of alternatives (`one`, `join`, `lift`;
TOP: anything), what an operator or a numpy function gives for its operands' alternatives
(`elementwise`, `matmul`), and what each runtime helper returns for its arguments'
(`RUNTIME`, by the helper's name)."""
import gast
import numpy as np

TOP = None
NUMBERS = ("zero", "float", "int")
NUMERIC = NUMBERS + ("generic", "ndarray")
_MAX_ALTERNATIVES = 6


class GiveUp(Exception):
    """The derivative has a construct the inference does not model: no rewrite."""


def one(kind, shape=()):
    return frozenset({(kind, shape)})


def join(a, b):
    if a is TOP or b is TOP:
        return TOP
    both = a | b
    return both if len(both) <= _MAX_ALTERNATIVES else TOP


def lift(rule, *values):
    """The alternatives of `rule` applied to every combination of the values' alternatives
    (`rule` returns an alternative, a set of them, or None: anything)."""
    if any(v is TOP for v in values):
        return TOP
    combos = [()]
    for v in values:
        combos = [c + (alt,) for c in combos for alt in v]
        if len(combos) > 64:
            return TOP
    out = frozenset()
    for combo in combos:
        found = rule(*combo)
        if found is None:
            return TOP
        out = join(out, found if isinstance(found, frozenset) else frozenset({found}))
        if out is TOP:
            return TOP
    return out


def broadcast(shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        return None


def elementwise(op, python_result=None):
    """The rule of an elementwise operation; `python_result(kinds)`: its result's kind(s) on
    Python numbers alone (None: unknown; a numpy ufunc makes a numpy scalar of them)."""
    def rule(*alts):
        kinds = [a[0] for a in alts]
        if any(k not in NUMERIC for k in kinds):
            return None
        shape = broadcast([a[1] for a in alts])
        if shape is None:
            return None
        if "ndarray" in kinds:
            return ("ndarray" if shape else "generic", shape)
        if "generic" in kinds or python_result is None:
            return ("generic", ())
        found = python_result(kinds, op)
        return None if found is None else frozenset((k, ()) for k in found)
    return rule


def python_arithmetic(kinds, op):
    floats = any(k != "int" for k in kinds)
    if isinstance(op, gast.Div):
        return ("float",)
    if isinstance(op, gast.Pow):  # a float power of a negative number is complex
        if kinds[1] != "int":
            return None
        return ("float",) if floats else ("int", "float")
    return ("float",) if floats else ("int",)


def augmented(op):
    """The rule of `a op= b`: an array is changed in place (a 0-d one stays an array), a number
    is replaced."""
    plain = elementwise(op, python_arithmetic)

    def rule(a, b):
        result = plain(a, b)
        if a[0] != "ndarray" or result is None:
            return result
        return a if broadcast([a[1], b[1]]) == a[1] else None
    return rule


def matmul(a, b):
    if a[0] != "ndarray" or b[0] != "ndarray":
        return None
    sa, sb = a[1], b[1]
    if len(sa) == 2 and len(sb) == 1 and sa[1] == sb[0]:
        return ("ndarray", (sa[0],))
    if len(sa) == 1 and len(sb) == 1 and sa[0] == sb[0]:
        return ("generic", ())
    if len(sa) == 1 and len(sb) == 2 and sa[0] == sb[0]:
        return ("ndarray", (sb[1],))
    if len(sa) == 2 and len(sb) == 2 and sa[1] == sb[0]:
        return ("ndarray", (sa[0], sb[1]))
    return None


# --- the runtime helpers' results --------------------------------------------------------------

def _unbroadcast(gv, x):
    if x[0] in NUMBERS:
        return gv if gv[0] in ("zero", "float") else ("float", ())
    if x[0] not in ("generic", "ndarray") or gv[0] not in NUMERIC:
        return None
    if gv[1] == x[1]:
        return gv
    if x[0] == "generic":
        return ("generic", ())
    return ("ndarray", x[1])


def _zeros_as(gv, like):
    if gv[0] in ("zero", "float") and like[0] == "ndarray" and like[1]:
        return ("ndarray", like[1])
    return gv


def _add(a, b):
    if a[0] == "zero":
        return b
    if b[0] == "zero":
        return a
    summed = elementwise(gast.Add(), python_arithmetic)(a, b)
    if summed is None:
        return None
    if not isinstance(summed, frozenset):  # one alternative
        summed = frozenset({summed})
    if a[0] == "float":  # it may be 0.0 all the same
        summed = summed | {b}
    if b[0] == "float":
        summed = summed | {a}
    return summed


def _operand_shaped(gv, operand):
    if operand[0] == "ndarray" and operand[1] and gv[0] in NUMERIC:
        return ("ndarray", operand[1])
    return None


def _gradient(gv, x):
    if x[0] in NUMBERS:
        return ("float", ())
    if x[0] == "ndarray":
        return ("ndarray", x[1])
    return None


def _spread(u, carrier, *arrays):
    if u[0] not in NUMERIC or u[1] or carrier[0] not in NUMERIC:
        return None
    return frozenset({u, ("ndarray", carrier[1])}) if carrier[1] else u


def _uniform(u, carrier, operand):
    if u[0] not in NUMERIC or u[1]:
        return None
    return ("float" if u[0] == "zero" else u[0], ())


def _expit(z):
    if z[0] not in NUMERIC:
        return None
    return ("ndarray", z[1]) if z[1] else ("generic", ())


RUNTIME = {
    "expit": _expit,
    "reduced_size": lambda a: ("int", ()) if a[0] in NUMERIC else None,
    "spread": _spread,
    "unbroadcast_uniform": _uniform,
    "scalar_seed": lambda *_: ("float", ()),
    "unbroadcast": _unbroadcast,
    "zeros_as": _zeros_as,
    "add": _add,
    "matmul_left": lambda gv, a, b: _operand_shaped(gv, a),
    "matmul_right": lambda gv, a, b: _operand_shaped(gv, b),
    "unreduce": lambda gv, a: _gradient(gv, a) if gv[0] in NUMERIC else None,  # a broadcast view
    "gradient": _gradient,
    "unshared": lambda gv: gv,
    "stand_in": elementwise(None),  # a stand-in has the shape of the elementwise result
    "real_float": lambda v: ("float", ()),
    "Revolve": lambda: ("revolve", ()),  # a checkpointed loop's schedule (its states: shapes.py)
}
# helpers whose other arguments need no value
ARGUMENTS = {"unshared": (0,), "unreduce": (0, 1), "reduced_size": (0,), "Revolve": ()}
