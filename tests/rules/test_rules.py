"""Every entry of srcad's rule tables against 5-point central differences.

The tests are generated from the tables themselves (`srcad.rules.DOMAINS`, each module's `VJP`
and `JVP`): adding an entry adds its tests, and an entry without a domain in `domains.py`
fails. A rule is called directly, `rule(g, ans, *args)`; its cotangents pass the dot-product
test `<ct_i, v> == <g, J_i v>` for random `g` and `v`, where `J_i v` is a central difference
along `v`. Cotangents of operands that broadcast (the module's `BROADCASTING`) are summed back
with `srcad.runtime.unbroadcast` first, as the transform does; every other cotangent must
already have its operand's shape. A tangent rule `rule(*tangents, ans, *args)` must equal
`J v` for random directions. Arguments may be lists (`sum`, `np.stack`): their cotangents and
directions are lists too.
"""
import inspect
import math

import numpy as np
import pytest

import srcad.rules
from helpers import inner
from rules.domains import DOMAINS, Call, Domain, primal, sample
from srcad.runtime import unbroadcast

RTOL, ATOL = 1e-6, 1e-9
MATH_VJP, MATH_JVP = srcad.rules.math_rules.VJP, srcad.rules.math_rules.JVP
NUMPY_VJP = srcad.rules.numpy_rules.VJP


# ---------------------------------------------------------------- values: floats, arrays, lists


def random_like(value, rng):
    if isinstance(value, (list, tuple)):
        return [random_like(v, rng) for v in value]
    if np.ndim(value) == 0:
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(value))


def zeros_like(value):
    if isinstance(value, (list, tuple)):
        return [zeros_like(v) for v in value]
    return 0.0 if np.ndim(value) == 0 else np.zeros(np.shape(value))


def structure(value):
    """A value's shape, or the list of its items' structures."""
    if isinstance(value, (list, tuple)):
        return [structure(v) for v in value]
    return np.shape(value)


def dot(a, b):
    """The Euclidean inner product of two values of the same structure."""
    if isinstance(a, (list, tuple)):
        return sum(dot(x, y) for x, y in zip(a, b))
    return inner(a, b)


def largest(value):
    """The largest magnitude in a value (a list's items may have different shapes)."""
    if isinstance(value, (list, tuple)):
        return max(largest(v) for v in value)
    return float(np.max(np.abs(np.asarray(value, dtype=float))))


def moved(value, t, direction):
    if isinstance(value, (list, tuple)):
        return [moved(v, t, d) for v, d in zip(value, direction)]
    return value + t * direction


def directional(fn, args, kwargs, directions):
    """d/dt fn(args + t * directions) at 0 by 5-point central differences, h = 1e-3 * scale;
    `directions` maps positions to directions of the arguments' structure."""
    scale = max([1.0] + [largest(args[i]) for i in directions])
    h = 1e-3 * scale

    def at(t):
        moved_args = [moved(a, t, directions[i]) if i in directions else a
                      for i, a in enumerate(args)]
        value = fn(*moved_args, **kwargs)
        if isinstance(value, tuple):  # eigh, svd: one array an output
            return [np.asarray(v, dtype=np.float64) for v in value]
        return np.asarray(value, dtype=np.float64)

    def combine(a, b, c, d):
        if isinstance(a, list):
            return [combine(*parts) for parts in zip(a, b, c, d)]
        return (a - 8 * b + 8 * c - d) / (12 * h)
    return combine(at(-2 * h), at(-h), at(h), at(2 * h))


def name_of(module, key):
    return f"{module.__name__.rsplit('.', 1)[-1]}.{key.__name__}"


# ---------------------------------------------------------------- the checkers


def check_vjp(fn, rule, args, kwargs, wrt, broadcasts, rng):
    """Assert the rule's cotangents pass the dot-product test, one differentiable argument at a
    time; `broadcasts` says they are summed back to their operands' shapes first."""
    ans = fn(*args, **kwargs)
    g = random_like(ans, rng)
    cotangents = rule(g, ans, *args, **kwargs)
    if not isinstance(cotangents, tuple):
        cotangents = (cotangents,)
    for i in (i for i in wrt if i < len(args)):   # math.log(x) leaves out its base
        cotangent = unbroadcast(cotangents[i], args[i]) if broadcasts else cotangents[i]
        assert structure(cotangent) == structure(args[i]), (
            f"cotangent {i} has shape {structure(cotangent)}, its operand {structure(args[i])}")
        v = random_like(args[i], rng)
        j_v = directional(fn, args, kwargs, {i: v})
        assert dot(cotangent, v) == pytest.approx(dot(g, j_v), rel=RTOL, abs=ATOL), (
            f"cotangent {i} fails the dot-product test")


def check_jvp(fn, rule, args, kwargs, wrt, rng):
    """Assert the rule's output tangent equals J v by differences, for random directions along
    the differentiable arguments (zero along the others; 0.0 for parameters not passed)."""
    ans = fn(*args, **kwargs)
    params = list(inspect.signature(rule).parameters)
    tangents, directions = [], {}
    for i in range(params.index("ans")):
        if i in wrt and i < len(args):
            directions[i] = random_like(args[i], rng)
            tangents.append(directions[i])
        else:
            tangents.append(zeros_like(args[i]) if i < len(args) else 0.0)
    tangent = rule(*tangents, ans, *args, **kwargs)
    expected = directional(fn, args, kwargs, directions)
    assert structure(tangent) == structure(ans), (
        f"the tangent has shape {structure(tangent)}, the output {structure(ans)}")
    if isinstance(ans, tuple):
        for part, expected_part in zip(tangent, expected):
            np.testing.assert_allclose(part, expected_part, rtol=RTOL, atol=ATOL)
    else:
        np.testing.assert_allclose(tangent, expected, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- cases from the tables


def entries(table):
    """(module, key, rule) for every entry of every module's `table` ("VJP" or "JVP")."""
    return [(module, key, rule) for module in srcad.rules.DOMAINS
            for key, rule in getattr(module, table).items()]


def cases(table):
    out = []
    for module, key, rule in entries(table):
        domain = DOMAINS.get(key)
        if domain is None:  # no domain: one case that fails, named after the entry
            out.append(pytest.param(module, key, rule, None, None, id=name_of(module, key)))
            continue
        for call in domain.calls:
            bug = call.xfail.get(table)
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            out.append(pytest.param(module, key, rule, domain, call, marks=marks,
                                    id=f"{name_of(module, key)}-{call.id}"))
    return out


@pytest.mark.parametrize("module, key, rule, domain, call", cases("VJP"))
def test_vjp_rule_matches_finite_differences(module, key, rule, domain, call, rng):
    assert domain is not None, f"{name_of(module, key)} has no entry in tests/rules/domains.py"
    args = sample(domain, call, rng)
    broadcasts = key in getattr(module, "BROADCASTING", set())
    check_vjp(primal(key, domain), rule, args, call.kwargs, domain.wrt, broadcasts, rng)


@pytest.mark.parametrize("module, key, rule, domain, call", cases("JVP"))
def test_jvp_rule_matches_finite_differences(module, key, rule, domain, call, rng):
    assert domain is not None, f"{name_of(module, key)} has no entry in tests/rules/domains.py"
    args = sample(domain, call, rng)
    check_jvp(primal(key, domain), rule, args, call.kwargs, domain.wrt, rng)


# ---------------------------------------------------------------- the tables and the domains


@pytest.mark.parametrize("table", ["VJP", "JVP"])
def test_every_table_entry_has_a_domain(table):
    missing = [name_of(module, key) for module, key, _ in entries(table) if key not in DOMAINS]
    assert missing == []


def test_every_domain_names_a_table_entry():
    keys = {key for table in ("VJP", "JVP") for _, key, _ in entries(table)}
    assert [d for d in DOMAINS if d not in keys] == []


# Forward-only tables. runtime_rules holds the rules of srcad's own runtime helpers, which only
# generated gradients call: forward mode runs through a gradient (hessian, jvp(grad(f))) and
# needs their JVPs, while reverse mode never runs through one (grad(grad(f)) is forward over
# reverse too), so its VJP table is empty on purpose.
FORWARD_ONLY = {srcad.rules.runtime_rules}


def test_vjp_and_jvp_tables_have_the_same_keys():
    for module in srcad.rules.DOMAINS:
        if module in FORWARD_ONLY:
            assert module.VJP == {} and module.JVP, module.__name__
        else:
            assert list(module.VJP) == list(module.JVP), module.__name__


def test_the_registry_holds_every_table_entry_with_its_broadcasting():
    registry = srcad.rules.registry()
    for module, key, fn in entries("VJP"):
        rule = registry.reverse_rule(key)
        assert rule is not None and rule.fn is fn, name_of(module, key)
        broadcasts = key in getattr(module, "BROADCASTING", set())
        assert rule.broadcasts == broadcasts, name_of(module, key)
        assert registry.forward_rule(key).fn is module.JVP[key], name_of(module, key)
    for module in FORWARD_ONLY:
        for key, fn in module.JVP.items():
            assert registry.reverse_rule(key) is None, name_of(module, key)
            assert registry.forward_rule(key).fn is fn, name_of(module, key)
    assert len(registry.vjp) == len(entries("VJP"))
    assert len(registry.jvp) == len(entries("JVP"))


def test_domains_sample_inside_their_bounds(rng):
    for key, domain in DOMAINS.items():
        for call in domain.calls:
            for sampler, value in zip(domain.args, sample(domain, call, rng)):
                if type(sampler).__name__ == "Given":  # a value the call gives, in any bound
                    continue
                values = np.concatenate([np.ravel(v) for v in value]) \
                    if isinstance(value, list) else np.ravel(value)
                if type(sampler).__name__ == "AwayFromZero":
                    values = np.abs(values)
                assert np.all(sampler.lo <= values) and np.all(values <= sampler.hi), key


# ---------------------------------------------------------------- the checker catches mistakes


def test_the_checker_catches_a_wrong_sign(rng):
    def wrong(g, ans, x):
        return g * math.sin(x)   # sin's derivative given as +sin, not cos
    args = sample(DOMAINS[math.sin], DOMAINS[math.sin].calls[0], rng)
    with pytest.raises(AssertionError, match="dot-product"):
        check_vjp(math.sin, wrong, args, {}, (0,), False, rng)


def test_the_checker_catches_a_wrong_tangent(rng):
    def wrong(dx, ans, x):
        return dx * math.sin(x)
    args = sample(DOMAINS[math.sin], DOMAINS[math.sin].calls[0], rng)
    with pytest.raises(AssertionError):
        check_jvp(math.sin, wrong, args, {}, (0,), rng)


def test_the_checker_catches_a_missing_unbroadcast(rng):
    # np.multiply's own rule, but claimed not to broadcast: its cotangents keep the output's shape
    domain = Domain(DOMAINS[np.multiply].args, (0, 1), (Call(((3, 1), (1, 4))),))
    args = sample(domain, domain.calls[0], rng)
    with pytest.raises(AssertionError, match="shape"):
        check_vjp(np.multiply, NUMPY_VJP[np.multiply], args, {}, (0, 1), False, rng)


def test_the_checker_catches_a_wrong_second_cotangent(rng):
    def wrong(g, ans, x, y):
        return g * y, g * y   # the second should be g * x
    args = sample(DOMAINS[np.multiply], Call(((4,), (4,))), rng)
    with pytest.raises(AssertionError, match="cotangent 1"):
        check_vjp(np.multiply, wrong, args, {}, (0, 1), True, rng)


def test_the_checker_accepts_the_right_rule(rng):
    args = sample(DOMAINS[math.sin], DOMAINS[math.sin].calls[0], rng)
    check_vjp(math.sin, MATH_VJP[math.sin], args, {}, (0,), False, rng)
    check_jvp(math.sin, MATH_JVP[math.sin], args, {}, (0,), rng)
