"""Shared test helpers: real modules from source text, finite differences, kind-aware comparison.

`conftest.py` puts this folder on `sys.path`, so every test file can `import helpers`.
Nothing here imports srcad: these are the oracle's own tools.
"""
import atexit
import dataclasses
import functools
import importlib.util
import inspect
import itertools
import linecache
import os
import shutil
import sys
import tempfile
import textwrap

import numpy as np
import pytest

_MODULE_NUMBERS = itertools.count()


@functools.lru_cache(maxsize=None)
def _sample_directory():
    # One folder per test process; the files must outlive each test, since inspect and
    # linecache may read them at any later time (srcad reads f's source lazily).
    directory = tempfile.mkdtemp(prefix="srcad_samples_")
    atexit.register(shutil.rmtree, directory, True)
    return directory


def load_function(src, name):
    """Write `src` to a real .py file, import it, and return its attribute `name`.

    Each call makes a new module with a unique name, so `inspect.getsource` works and two
    calls never share a code object (a redefinition is a new function).
    """
    module_name = f"srcad_sample_{os.getpid()}_{next(_MODULE_NUMBERS)}"
    path = os.path.join(_sample_directory(), module_name + ".py")
    with open(path, "w", encoding="utf-8") as file:
        file.write(textwrap.dedent(src))
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return getattr(module, name)


def line_of(fn, text):
    """The 1-based line number of the one line of fn's file that contains `text`."""
    with open(fn.__code__.co_filename, encoding="utf-8") as file:
        numbers = [n for n, line in enumerate(file, start=1) if text in line]
    assert len(numbers) == 1, f"{text!r} should occur on exactly one line, found on {numbers}"
    return numbers[0]


def wrt_positions(f, wrt):
    """(positions, as_tuple): `wrt` (a position, a parameter name, or a tuple) as positions."""
    params = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    positions = tuple(params.index(w) if isinstance(w, str) else w for w in items)
    return positions, isinstance(wrt, tuple)


def _with(args, position, value):
    moved = list(args)
    moved[position] = value
    return moved


def _as_float(value):
    assert np.ndim(value) == 0, f"expected a scalar output, got shape {np.shape(value)}"
    return float(np.asarray(value))


def _step(scale):
    return 1e-3 * max(1.0, scale)


def five_point(phi, x, h=None):
    """Central 5-point derivative of the scalar function phi at x (error O(h**4))."""
    h = _step(abs(x)) if h is None else h
    return (phi(x - 2 * h) - 8 * phi(x - h) + 8 * phi(x + h) - phi(x + 2 * h)) / (12 * h)


def _fd_partial(f, args, position, scale):
    x = args[position]
    if not isinstance(x, np.ndarray):
        x = float(x)
        return five_point(lambda t: _as_float(f(*_with(args, position, t))), x, scale * _step(abs(x)))
    base = np.array(x, dtype=np.float64)
    partial = np.empty(base.shape)
    for index in np.ndindex(base.shape):
        def along(t, index=index):
            moved = base.copy()
            moved[index] = t
            return _as_float(f(*_with(args, position, moved)))
        partial[index] = five_point(along, base[index], scale * _step(abs(base[index])))
    return partial


def fd_grad(f, args, wrt=0, scale=1.0):
    """Gradient of f's scalar output by 5-point central differences in float64.

    The step is h = 1e-3 * max(1, |x|) per value (times `scale`). The result has the
    structure of `wrt` and the kind of each argument: a float for a float or int argument,
    a float64 ndarray of the argument's shape for an array argument.
    """
    positions, as_tuple = wrt_positions(f, wrt)
    grads = tuple(_fd_partial(f, args, p, scale) for p in positions)
    return grads if as_tuple else grads[0]


def _combine(samples, weights, denominator):
    if isinstance(samples[0], tuple):
        return tuple(_combine(parts, weights, denominator) for parts in zip(*samples))
    total = sum(w * np.asarray(s, dtype=np.float64) for w, s in zip(weights, samples))
    result = total / denominator
    return float(result) if np.ndim(result) == 0 else result


def fd_directional(f, args, positions, directions):
    """d/dt f(args + t * directions) at t = 0: J v by 5-point differences.

    `directions` has one entry per position (a float or an array of that argument's shape);
    the result has the structure of f's output (a float, an array, or a tuple of them).
    """
    scale = max([1.0] + [float(np.max(np.abs(args[p]))) for p in positions])
    h = _step(scale)

    def at(t):
        moved = list(args)
        for p, d in zip(positions, directions):
            moved[p] = np.asarray(args[p], dtype=np.float64) + t * d if isinstance(
                args[p], np.ndarray) else float(args[p]) + t * d
        return f(*moved)

    samples = [at(k * h) for k in (-2, -1, 1, 2)]
    return _combine(samples, (1.0, -8.0, 8.0, -1.0), 12 * h)


def inner(a, b):
    """The Euclidean inner product of two values of the same structure (floats, arrays, tuples)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        assert isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b), (a, b)
        return sum(inner(x, y) for x, y in zip(a, b))
    assert np.shape(a) == np.shape(b), f"shapes differ: {np.shape(a)} and {np.shape(b)}"
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def assert_close(actual, expected, rtol=1e-6, atol=1e-8):
    """Compare a gradient with the expected one, checking its kind as the API promises.

    `expected` fixes the kind: a tuple needs a tuple of the same length; a float needs a
    Python float (not an ndarray); an ndarray needs a float64 ndarray of the same shape.
    """
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple), f"expected a tuple of gradients, got {type(actual).__name__}"
        assert len(actual) == len(expected), f"expected {len(expected)} gradients, got {len(actual)}"
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol, atol)
        return
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray), f"expected an ndarray, got {type(actual).__name__}"
        assert actual.shape == expected.shape, f"expected shape {expected.shape}, got {actual.shape}"
        assert actual.dtype == np.float64, f"expected float64, got {actual.dtype}"
    else:
        assert isinstance(actual, float) and not isinstance(actual, np.ndarray), (
            f"expected a float, got {type(actual).__name__}")
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def assert_same_values(actual, expected):
    """Primal outputs: same structure and shapes, equal up to rounding."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected), (actual, expected)
        for a, e in zip(actual, expected):
            assert_same_values(a, e)
        return
    assert np.shape(actual) == np.shape(expected)
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


def assert_identical(actual, expected):
    """Bit-for-bit equal results of the same kinds."""
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_identical(a, e)
        return
    assert type(actual) is type(expected)
    np.testing.assert_array_equal(actual, expected)


def random_like(value, rng):
    """A random float for a scalar value, a random array of the same shape for an array."""
    if isinstance(value, tuple):
        return tuple(random_like(v, rng) for v in value)
    if np.ndim(value) == 0:
        return float(rng.standard_normal())
    return rng.standard_normal(np.shape(value))


def copied(args):
    return tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)


def names_the_file(reported, written):
    """True if `reported` is the written file: a path to it, or a trailing part of its path."""
    if not reported:
        return False
    if os.path.exists(reported) and os.path.samefile(reported, written):
        return True
    reported_parts = os.path.normpath(reported).split(os.sep)
    for candidate in {os.path.abspath(written), os.path.realpath(written)}:
        if candidate.split(os.sep)[-len(reported_parts):] == reported_parts:
            return True
    return False


def assert_cites(error, f, text):
    """The error points at the one line of f's file containing `text`, in attributes and message."""
    expected_line = line_of(f, text)
    assert error.lineno == expected_line, str(error)
    assert names_the_file(error.filename, f.__code__.co_filename), (error.filename, str(error))
    assert str(error).startswith(f"{error.filename}:{error.lineno}:"), str(error)


def names(cases):
    return [case.name for case in cases]


def params(cases, *known_bugs):
    """The cases as pytest params, a strict xfail on those named in one of `known_bugs`."""
    out = []
    for case in cases:
        reasons = [bugs[case.name] for bugs in known_bugs if case.name in bugs]
        marks = [pytest.mark.xfail(strict=True, reason=reasons[0])] if reasons else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def check_vjp_dot_product(case, rng):
    """<pullback(u), v> equals <u, J v>, J v by finite differences, for random u and v."""
    import srcad
    positions, as_tuple = wrt_positions(case.function, case.wrt)
    _, pullback = srcad.vjp(case.function, wrt=case.wrt)(*case.args)
    u = random_like(case.function(*case.args), rng)
    v = tuple(random_like(case.args[p], rng) for p in positions)
    cotangents = pullback(u) if as_tuple else (pullback(u),)
    j_v = fd_directional(case.function, case.args, positions, v)
    assert inner(cotangents, v) == pytest.approx(inner(u, j_v), rel=1e-6, abs=1e-8)


def check_pullback_against_differences(case, rng):
    """pullback(u) equals the finite-difference gradient of <u, f>."""
    import srcad
    positions, as_tuple = wrt_positions(case.function, case.wrt)
    _, pullback = srcad.vjp(case.function, wrt=case.wrt)(*case.args)
    u = random_like(case.function(*case.args), rng)

    def weighted(*args):
        return inner(u, case.function(*args))

    expected = fd_grad(weighted, case.args, positions if as_tuple else positions[0])
    assert_close(pullback(u), expected, rtol=1e-6)


def check_pullback_twice(case, rng):
    """A pullback called twice gives identical results (its saved values are not consumed)."""
    import srcad
    _, pullback = srcad.vjp(case.function, wrt=case.wrt)(*case.args)
    u = random_like(case.function(*case.args), rng)
    first = pullback(u)
    assert_identical(pullback(u), first)


_NOTEBOOKS = itertools.count()


class Notebook:
    """Cells run one after another in one namespace, each cell's text registered in linecache
    under its own file name (as IPython does), so a `def` in a later cell re-binds a name of
    the namespace exactly as it does in a notebook."""

    def __init__(self):
        self.name = f"notebook_{os.getpid()}_{next(_NOTEBOOKS)}"
        self.namespace = {"__name__": self.name}
        self.cells = 0

    def run(self, src):
        self.cells += 1
        filename = f"<{self.name} cell {self.cells}>"
        text = textwrap.dedent(src)
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
        exec(compile(text, filename, "exec"), self.namespace)

    def __getitem__(self, name):
        return self.namespace[name]


# ---------------------------------------------------------------- containers (pytrees), flattened here

def _flatten(tree):
    """(leaves, rebuild) for dicts, lists, tuples, namedtuples, dataclasses and leaves."""
    if isinstance(tree, dict):
        parts = [_flatten(v) for v in tree.values()]
        keys = list(tree)
        return _joined(parts, lambda items: dict(zip(keys, items)))
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):
        parts = [_flatten(v) for v in tree]
        return _joined(parts, lambda items: type(tree)(*items))
    if isinstance(tree, (list, tuple)):
        parts = [_flatten(v) for v in tree]
        return _joined(parts, lambda items: type(tree)(items))
    if dataclasses.is_dataclass(tree):
        names = [f.name for f in dataclasses.fields(tree)]
        parts = [_flatten(getattr(tree, n)) for n in names]
        return _joined(parts, lambda items: type(tree)(*items))
    return [tree], lambda leaves: leaves[0]


def _joined(parts, build):
    sizes = [len(leaves) for leaves, _ in parts]
    leaves = [leaf for part, _ in parts for leaf in part]

    def rebuild(new):
        items, at = [], 0
        for (_, inner), size in zip(parts, sizes):
            items.append(inner(new[at:at + size]))
            at += size
        return build(items)
    return leaves, rebuild


def tree_fd(f, args, position=0):
    """The gradient of f with respect to the container args[position], by differences (None
    for a leaf that is no number: a string, a flag, None)."""
    leaves, rebuild = _flatten(args[position])
    grads = []
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, (bool, np.bool_)) or not isinstance(leaf, (int, float, np.ndarray, np.generic)):
            grads.append(None)
            continue
        def phi(v, i=i):
            new = list(leaves)
            new[i] = v
            changed = list(args)
            changed[position] = rebuild(new)
            return f(*changed)
        grads.append(fd_grad(phi, (leaf,)))
    return rebuild(grads)


def assert_tree_close(actual, expected, rtol=1e-6):
    assert type(actual) is type(expected), (type(actual), type(expected))
    a_leaves, _ = _flatten(actual)
    e_leaves, _ = _flatten(expected)
    if isinstance(expected, dict):
        assert list(actual) == list(expected)
    assert len(a_leaves) == len(e_leaves)
    for a, e in zip(a_leaves, e_leaves):
        if e is None:
            assert a is None, a
        else:
            assert_close(a, e, rtol=rtol)
