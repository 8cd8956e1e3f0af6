"""Every numpy and operator rule, run on dask arrays: lazy, and equal to the same rule on numpy.

Each case of tests/rules/domains.py (the domains the rule tests sample) is called twice: on
numpy arrays, and on the same values as dask arrays of two chunks or more. The dask call runs
under a scheduler that refuses to compute, so a rule or a runtime helper that pulls a dask
array into memory (`np.asarray`, `float()`, a Python `if` on an array value) fails the test,
as does a numpy function dask does not implement (dask warns, then computes). Every array the
rule returns must be a dask array; computed, it must equal the numpy result.
"""
import inspect
import warnings

import numpy as np
import pytest

import srcad
import srcad.rules
if srcad.rules.scipy_rules:
    import scipy.special
from rules.domains import DOMAINS, primal, sample
from srcad.runtime import unbroadcast

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

TABLES = (srcad.rules.operators, srcad.rules.numpy_rules, srcad.rules.linalg_rules) + (
    (srcad.rules.scipy_rules,) if srcad.rules.scipy_rules else ())

# Entries whose primal dask cannot run lazily for some calls (it computes, warns or raises):
# those calls are skipped, and only those; wherever dask runs the primal, the rule must be lazy.
DASK_LACKS = {
    np.sort: "no sort in dask (it computes)",
    np.trace: "dask's trace takes no axis1/axis2",
    np.inner: "no inner in dask (it computes)",
    np.copy: "no copy in dask (it computes)",
    np.ravel: "dask's ravel takes no order",
    srcad.rules.numpy_rules.flatten_method: "dask's ravel takes no order",
    np.take: "dask's take needs an axis",
    np.full: "numpy's full makes a numpy array (a dask fill_value is computed)",
    np.full_like: "dask's full_like takes a number only",
    np.clip: "dask's clip takes min/max, not a_min/a_max",
    np.reshape: "dask reshapes only by merging or splitting whole chunks",
    srcad.rules.numpy_rules.reshape_method: "dask reshapes only by merging or splitting whole chunks",
    srcad.rules.numpy_rules.row_stack: "dask's vstack takes no dtype",
    np.hstack: "dask stacks sequences only", np.vstack: "dask stacks sequences only",
    np.repeat: "dask repeats by a whole number only",
    np.linspace: "dask's linspace takes numbers only",
    np.dot: "dask's dot takes no Python float", np.outer: "dask's outer takes no Python float",
    np.array: "np.array makes a numpy array (it computes)",
    np.asarray: "np.asarray makes a numpy array (it computes)",
    # np.linalg: dask's linalg takes one 2-D matrix (no stacks), and lacks some functions
    np.linalg.norm: "dask's norm takes no stacks of matrices for ord=2, -2, 'nuc'",
    np.linalg.inv: "dask's LU takes one 2-D matrix", np.linalg.solve: "dask's LU takes one 2-D matrix",
    np.linalg.cholesky: "dask's cholesky takes one 2-D matrix and no upper=",
    np.linalg.svd: "dask's svd takes one 2-D matrix and no compute_uv=",
    np.linalg.det: "no det in dask (numpy computes it)", np.linalg.slogdet: "no slogdet in dask (numpy computes it)",
    np.linalg.eigh: "no eigh in dask (numpy computes it)", np.linalg.pinv: "no pinv in dask (numpy computes it)",
}
if srcad.rules.scipy_rules:  # these convert their arguments to numpy arrays (they compute), as without srcad
    DASK_LACKS.update({fn: f"scipy.special.{fn.__name__} computes a dask array" for fn in (
        scipy.special.logsumexp, scipy.special.softmax, scipy.special.log_softmax, scipy.special.polygamma)})
# Rules that refuse a dask array (SrcadError naming the step): np.cumprod needs the values, and
# dask's cholesky factor is the upper one where numpy's is the lower one.
REFUSED = {np.cumprod: "needs the values.*np.cumprod", np.linalg.cholesky: "cannot differentiate np.linalg.cholesky"}
FREE_SIGNS = {np.linalg.svd}
PRIMAL_FAILURES = (TypeError, ValueError, IndexError, NotImplementedError, FutureWarning, AttributeError)


class Computed(Exception):
    """Raised by the scheduler that refuses to compute."""


def refuse_to_compute(dsk, keys, **kwargs):
    raise Computed("a dask array was computed while the rule ran")


def halves(shape):
    """Two chunks or more along each axis longer than 1."""
    return tuple(max(1, (n + 1) // 2) for n in shape)


def squares(shape):
    """Chunks of one element: square ones, as dask's LU and Cholesky need."""
    return (1,) * len(shape)


def rows(shape):
    """Chunks along the rows only: a tall-and-skinny matrix in blocks, as dask's svd needs."""
    return halves(shape[:-1]) + shape[-1:]


# dask's linear algebra takes some chunkings only
CHUNKS = {np.linalg.inv: squares, np.linalg.solve: squares, np.linalg.cholesky: squares,
          np.linalg.svd: rows, np.linalg.norm: rows}


def to_dask(value, chunks=halves):
    """Arrays of `value` as dask arrays, chunked by `chunks` (the shape -> the chunks)."""
    if isinstance(value, list):
        return [to_dask(v, chunks) for v in value]
    if isinstance(value, np.ndarray) and value.ndim:
        return da.from_array(value, chunks=chunks(value.shape))
    return value


def has_array(value):
    if isinstance(value, (list, tuple)):
        return any(has_array(v) for v in value)
    return isinstance(value, np.ndarray) and value.ndim > 0


def random_like(value, rng):
    if isinstance(value, (list, tuple)):
        return [random_like(v, rng) for v in value]
    return float(rng.standard_normal()) if np.ndim(value) == 0 else rng.standard_normal(np.shape(value))


def lazily(fn, *args, **kwargs):
    """fn(*args, **kwargs) with computing refused and dask's "computes instead" warning an error."""
    with dask.config.set(scheduler=refuse_to_compute), warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*not implemented by Dask", category=FutureWarning)
        return fn(*args, **kwargs)


def assert_same(lazy, eager, what):
    """A dask result (lazy) computed equals the numpy one (eager), part by part."""
    if eager is None or lazy is None:
        assert eager is None and lazy is None or _zero(eager) or _zero(lazy), what
        return
    if isinstance(eager, (list, tuple)):
        assert len(lazy) == len(eager), what
        for i, (a, b) in enumerate(zip(lazy, eager)):
            assert_same(a, b, f"{what}[{i}]")
        return
    if np.ndim(eager) > 0:
        assert isinstance(lazy, da.Array), f"{what}: a {type(lazy).__name__}, not a dask array"
    computed = dask.compute(lazy, scheduler="sync")[0]
    assert np.shape(computed) == np.shape(eager), what
    np.testing.assert_allclose(np.asarray(computed, dtype=float), np.asarray(eager, dtype=float),
                               rtol=1e-12, atol=1e-12, err_msg=what)


def _zero(value):
    return type(value) is float and value == 0.0


def cases(table):
    out = []
    for module in TABLES:
        for key in getattr(module, table):
            domain = DOMAINS[key]
            for call in domain.calls:
                if call.xfail.get(table) or not has_array(sample(domain, call, np.random.default_rng(0))):
                    continue
                name = f"{module.__name__.rsplit('.', 1)[-1]}.{getattr(key, '__name__', key)}-{call.id}"
                out.append(pytest.param(module, key, domain, call, id=name))
    return out


def lazy_primal(fn, key, dargs, kwargs):
    """fn on the dask arguments, lazily; a call dask cannot run lazily is skipped where
    DASK_LACKS says so."""
    try:
        return lazily(fn, *dargs, **kwargs)
    except (Computed,) + PRIMAL_FAILURES as failure:
        if key not in DASK_LACKS:
            raise
        pytest.skip(f"{DASK_LACKS[key]} ({type(failure).__name__})")


def numpy_primal(key, ans, dans):
    """The output the numpy rule is given: numpy's own, or for a primal whose dask output
    differs from numpy's and is right all the same (the singular vectors' signs, which LAPACK
    and dask's QR pick differently), dask's output computed: both rules then differentiate the
    same factors."""
    return dask.compute(dans, scheduler="sync")[0] if key in FREE_SIGNS else ans


def lazily_or_refused(key, fn):
    """fn() lazily; for a rule in REFUSED, the SrcadError naming the step instead."""
    if key not in REFUSED:
        return lazily(fn)
    with pytest.raises(srcad.SrcadError, match=REFUSED[key]):
        lazily(fn)
    return None


@pytest.mark.parametrize("module, key, domain, call", cases("VJP"))
def test_vjp_rule_on_dask_arrays(module, key, domain, call, rng):
    fn, rule = primal(key, domain), module.VJP[key]
    args = sample(domain, call, rng)
    ans = fn(*args, **call.kwargs)
    g = random_like(ans, rng)
    eager = rule(g, ans, *args, **call.kwargs)
    chunks = CHUNKS.get(key, halves)
    dargs = to_dask(list(args), chunks)
    broadcasts = key in getattr(module, "BROADCASTING", set())

    def both(rule_args, g_, ans_):
        out = rule(g_, ans_, *rule_args, **call.kwargs)
        out = out if isinstance(out, tuple) else (out,)
        if broadcasts:
            out = tuple(None if c is None else unbroadcast(c, a) for c, a in zip(out, rule_args))
        return out
    dans = lazy_primal(fn, key, dargs, call.kwargs)
    lazy = lazily_or_refused(key, lambda: both(dargs, to_dask(g, chunks), dans))
    if lazy is None:
        return
    eager = both(args, g, numpy_primal(key, ans, dans))
    for i in domain.wrt:
        if i < len(args):
            assert_same(lazy[i], eager[i], f"cotangent {i}")


@pytest.mark.parametrize("module, key, domain, call", cases("JVP"))
def test_jvp_rule_on_dask_arrays(module, key, domain, call, rng):
    fn, rule = primal(key, domain), module.JVP[key]
    args = sample(domain, call, rng)
    params = list(inspect.signature(rule).parameters)
    tangents = []
    for i in range(params.index("ans")):
        if i in domain.wrt and i < len(args):
            tangents.append(random_like(args[i], rng))
        else:
            tangents.append(0.0)
    chunks = CHUNKS.get(key, halves)
    dargs = to_dask(list(args), chunks)
    dans = lazy_primal(fn, key, dargs, call.kwargs)
    eager = rule(*tangents, numpy_primal(key, fn(*args, **call.kwargs), dans), *args, **call.kwargs)
    lazy = lazily_or_refused(key, lambda: rule(*to_dask(tangents, chunks), dans, *dargs, **call.kwargs))
    if lazy is not None:
        assert_same(lazy, eager, "tangent")
