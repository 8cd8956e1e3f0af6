"""One program through every check, and what came of it (an `Outcome`).

The checks, in order: the plain function runs and gives a finite float (else the program is
SKIPPED); `srcad.grad` agrees with central differences, `srcad.jvp` with directional
differences, `value_and_grad`'s value with the plain value, `srcad.tape.grad` with
`srcad.grad` (numpy-only programs); no call changes its arguments. The differences are
trusted only where two step sizes agree (a branch that switches or a kink inside the stencil
makes them disagree); otherwise the comparisons with them are skipped.

The outcome is the worst of the checks: CRASH (an exception other than SrcadError from
srcad or the code it generated, while the plain function ran), WRONG (a disagreement with a
trusted oracle, a mutated argument, a wrong value), REFUSED (a SrcadError), NAN (a derivative
that is nan where the differences give a number, every other entry right: the value JAX gives
at a point where the function has no derivative, the norm of a zero vector say; never a
finite wrong number), SKIPPED (no trusted oracle, or the plain function overflows or divides
by zero on the way: its derivative there is inf times 0; nothing else went wrong), OK.
"""
import contextlib
import importlib.util
import itertools
import os
import re
import signal
import sys
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

import srcad
import srcad.tape

OK, REFUSED, WRONG, CRASH, SKIPPED, NAN = "ok", "refused", "wrong", "crash", "skipped", "nan"
SEVERITY = [OK, SKIPPED, NAN, REFUSED, WRONG, CRASH]
LARGEST_VALUE = 1e6      # larger values make differences meaningless
AGREE = 1e-6             # two step sizes of the differences agree this well (relative)
CLOSE = 1e-5             # srcad agrees with trusted differences this well (relative)
SECONDS = 30             # one program's limit of CPU time

_MODULES = itertools.count()


@dataclass
class Outcome:
    kind: str = OK
    findings: list = field(default_factory=list)   # (kind, stage, message)

    def add(self, kind, stage, message):
        self.findings.append((kind, stage, message))
        if SEVERITY.index(kind) > SEVERITY.index(self.kind):
            self.kind = kind

    def first(self, kind):
        return next((f for f in self.findings if f[0] == kind), None)


class TimeLimit(BaseException):
    """A program ran too long (a BaseException, so that no `except Exception` swallows it)."""


@contextlib.contextmanager
def time_limit(seconds):
    """At most `seconds` of this process's CPU time (not wall time: a busy machine is no hang)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise TimeLimit(f"over {seconds} s of CPU time")

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def load(source, directory):
    """Write the program into a real module file (srcad reads source with inspect); import it."""
    name = f"srcad_fuzz_{os.getpid()}_{next(_MODULES)}"
    path = os.path.join(directory, name + ".py")
    with open(path, "w", encoding="utf-8") as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def unload(module):
    sys.modules.pop(module.__name__, None)


def copied(args):
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)


def same_args(args, originals):
    return all(type(a) is type(b) and np.array_equal(a, b) for a, b in zip(args, originals))


def scalar_value(value):
    """The float f returned, or None if it is not a finite bounded scalar."""
    if isinstance(value, (bool, str)) or np.ndim(value) != 0 or np.iscomplexobj(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and abs(number) < LARGEST_VALUE else None


# ---- finite differences (5-point central), with their own sanity check
def _with(args, position, value):
    moved = list(args)
    moved[position] = value
    return tuple(moved)


def _stencil(phi, h):
    return (phi(-2 * h) - 8 * phi(-h) + 8 * phi(h) - phi(2 * h)) / (12 * h)


def differences(phi, scale):
    """(derivative, trusted) of the scalar function phi(t) at t = 0: two step sizes agree."""
    h = 1e-3 * max(1.0, scale)
    coarse, fine = _stencil(phi, h), _stencil(phi, h / 4)
    size = 1.0 + max(abs(coarse), abs(fine))
    trusted = bool(np.isfinite(coarse) and np.isfinite(fine) and abs(coarse - fine) <= AGREE * size)
    return fine, trusted


def plain_float(f, args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        value = scalar_value(f(*copied(args)))
    return np.nan if value is None else value


def fd_gradient(f, args, wrt):
    """One float or array per position in wrt, and whether every entry is trusted."""
    grads, trusted = [], True
    for position in wrt:
        x = args[position]
        if not isinstance(x, np.ndarray):
            d, ok = differences(lambda t: plain_float(f, _with(args, position, x + t)), abs(x))
            grads.append(d)
            trusted &= ok
            continue
        grad = np.empty(x.shape)
        for index in np.ndindex(x.shape):
            def along(t, index=index):
                moved = np.array(x, dtype=np.float64)
                moved[index] += t
                return plain_float(f, _with(args, position, moved))
            grad[index], ok = differences(along, abs(x[index]))
            trusted &= ok
        grads.append(grad)
    return grads, trusted


def fd_directional(f, args, wrt, directions):
    def along(t):
        moved = list(args)
        for position, d in zip(wrt, directions):
            moved[position] = args[position] + t * d
        return plain_float(f, moved)
    scale = max([1.0] + [float(np.max(np.abs(args[p]))) for p in wrt])
    return differences(along, scale)


def close(actual, expected, tolerance=CLOSE):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return False
    size = 1.0 + float(np.max(np.abs(expected[~np.isnan(expected)]), initial=0.0))
    both_nan = np.isnan(actual) & np.isnan(expected)
    return bool(np.all((np.abs(actual - expected) <= tolerance * size) | both_nan))


def nan_only(actual, expected, tolerance=CLOSE):
    """Whether `actual` disagrees with `expected` only by nan entries."""
    actual = np.array(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape or not np.isnan(actual).any():
        return False
    actual[np.isnan(actual)] = expected[np.isnan(actual)]
    return close(actual, expected, tolerance)


def describe(values):
    return "[" + ", ".join(np.array2string(np.asarray(v), precision=8) for v in values) + "]"


# ---- the checks
def refusal_text(error):
    """A SrcadError's message without its FILE:LINE prefix and quoted line (for counting)."""
    first = str(error).split("\n")[0]
    return re.sub(r"^.*?:\d+: ", "", first)


def crash_text(error):
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else "?"
    return f"{type(error).__name__}: {error} (at {where})"


def attempt(outcome, stage, call, args):
    """call(); a SrcadError is a refusal and anything else a crash (both recorded: None)."""
    originals = copied(args)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = call()
    except srcad.SrcadError as error:
        outcome.add(REFUSED, stage, refusal_text(error))
        return None
    except TimeLimit:
        raise
    except Exception as error:  # noqa: BLE001  (anything else is the fuzzer's finding)
        outcome.add(CRASH, stage, crash_text(error) + "\n" + traceback.format_exc())
        return None
    if not same_args(args, originals):
        outcome.add(WRONG, stage, f"{stage} changed its arguments: {describe(originals)} "
                                  f"became {describe(args)}")
    return result


def _second_call(df, args):
    """`df(*args)` as its second call gives it: the first makes the derivative and calls it, the
    second runs the derivative's statements in the stand-in's own frame (its fast path), which
    is what is checked; value_and_grad checks a first call."""
    df(*args)
    return df(*args)


def as_tuple(gradient, single):
    return (gradient,) if single else tuple(gradient)


def kinds_match(grads, args, wrt):
    for g, position in zip(grads, wrt):
        if isinstance(args[position], np.ndarray):
            if not (isinstance(g, np.ndarray) and g.shape == args[position].shape):
                return False
        elif not isinstance(g, float):
            return False
    return True


def check_program(program, directory, thorough=True):
    """Run the checks on `program` (a generate.Program); returns an Outcome.

    Not `thorough`: the gradient of `value_and_grad` stands for `grad`'s (one compilation less).
    """
    outcome = Outcome()
    module = load(program.source, directory)
    try:
        with time_limit(SECONDS):
            _check(module.f, program, outcome, np.random.default_rng(program.seed), thorough)
    except TimeLimit as error:
        outcome.add(CRASH, "time", f"the checks took {error}")
    finally:
        unload(module)
    return outcome


def _check(f, program, outcome, rng, thorough):
    args, wrt = program.args, program.wrt
    single = len(wrt) == 1
    wrt_spec = wrt[0] if single else wrt
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = scalar_value(f(*copied(args)))
    except Exception as error:  # noqa: BLE001
        outcome.add(SKIPPED, "plain", f"the plain function raised {type(error).__name__}: {error}")
        return
    if value is None:
        outcome.add(SKIPPED, "plain", "the plain function's value is not a bounded finite float")
        return
    try:
        with warnings.catch_warnings(), np.errstate(over="raise", divide="raise"):
            warnings.simplefilter("ignore")
            f(*copied(args))
    except (FloatingPointError, OverflowError, ZeroDivisionError) as error:
        outcome.add(SKIPPED, "plain", f"the plain function overflows or divides by zero on the way: {error}")
        return

    expected, trusted = fd_gradient(f, args, wrt)
    if not trusted:
        outcome.add(SKIPPED, "differences", "the finite differences are not trustworthy here")

    if thorough:
        grads = attempt(outcome, "grad", lambda: _second_call(srcad.grad(f, wrt=wrt_spec), args), args)
        grads = _compare_gradient(outcome, "grad", grads, single, args, wrt, expected, trusted)
    else:
        grads = None
    both = attempt(outcome, "value_and_grad", lambda: srcad.value_and_grad(f, wrt=wrt_spec)(*args), args)
    if both is not None:
        v, g = both
        if scalar_value(v) is None or not close(v, value, 1e-10):
            outcome.add(WRONG, "value_and_grad", f"value {v!r}, the plain function gives {value!r}")
        if grads is None:
            grads = _compare_gradient(outcome, "value_and_grad", g, single, args, wrt, expected, trusted)
        elif not all(close(a, b, 1e-10) for a, b in zip(as_tuple(g, single), grads)):
            outcome.add(WRONG, "value_and_grad", f"gradient {describe(as_tuple(g, single))}, "
                                                 f"grad gives {describe(grads)}")

    directions = [rng.standard_normal() if not isinstance(args[p], np.ndarray)
                  else rng.standard_normal(args[p].shape) for p in wrt]
    forward = attempt(outcome, "jvp", lambda: srcad.jvp(f, wrt=wrt_spec)(*args, *directions), args)
    if forward is not None:
        v, tangent = forward
        if scalar_value(v) is None or not close(v, value, 1e-10):
            outcome.add(WRONG, "jvp", f"jvp's value {v!r}, the plain function gives {value!r}")
        slope, slope_trusted = fd_directional(f, args, wrt, directions)
        if slope_trusted and not close(tangent, slope):
            kind = NAN if nan_only(tangent, slope) else WRONG
            outcome.add(kind, "jvp", f"jvp {tangent!r}, differences {slope!r}")

    if program.numpy_only and grads is not None:
        taped = _tape_grad(f, wrt_spec, args, outcome)
        if taped is not None and not all(close(a, b, 1e-8) for a, b in zip(as_tuple(taped, single), grads)):
            outcome.add(WRONG, "tape", f"grad {describe(grads)}, "
                                       f"srcad.tape.grad {describe(as_tuple(taped, single))}")


def _compare_gradient(outcome, stage, grads, single, args, wrt, expected, trusted):
    """The gradient as a tuple (None if there is none), after comparing it with the differences."""
    if grads is None:
        return None
    grads = as_tuple(grads, single)
    if not kinds_match(grads, args, wrt):
        outcome.add(WRONG, stage, f"the gradients' kinds {[type(g).__name__ for g in grads]} "
                                  f"are not the arguments' ({describe(grads)})")
    elif trusted and not all(close(g, e) for g, e in zip(grads, expected)):
        kind = NAN if all(close(g, e) or nan_only(g, e) for g, e in zip(grads, expected)) else WRONG
        outcome.add(kind, stage, f"gradient {describe(grads)}, differences {describe(expected)}")
    return grads


def _tape_grad(f, wrt_spec, args, outcome):
    """srcad.tape.grad, where the tape can record f (its refusals are no finding)."""
    originals = copied(args)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = srcad.tape.grad(f, wrt=wrt_spec)(*args)
    except srcad.SrcadError:
        return None
    except ValueError as error:
        if isinstance(error.__cause__, srcad.SrcadError):  # a traced value stored in an array
            return None
        outcome.add(CRASH, "tape", crash_text(error) + "\n" + traceback.format_exc())
        return None
    except TimeLimit:
        raise
    except Exception as error:  # noqa: BLE001
        outcome.add(CRASH, "tape", crash_text(error) + "\n" + traceback.format_exc())
        return None
    if not same_args(args, originals):
        outcome.add(WRONG, "tape", "srcad.tape.grad changed its arguments")
    return result
