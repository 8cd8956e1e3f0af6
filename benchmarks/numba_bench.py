"""srcad's numba backend against the numba function itself, side by side in one process.

Run: python -m benchmarks.numba_bench [--quick]   (also the "numba" section of python -m benchmarks)

- the 1000-turn scalar recurrence of the suite (workloads/recurrence.py): the plain Python
  function, srcad's Python gradient, the numba function, srcad's numba gradient
  (`srcad.grad(numba.njit(f))`), and where jax is installed `jax.jit(jax.grad(...))` of a
  `lax.fori_loop` version;
- a loop over a numpy array inside numba, `s += np.sin(x[i]) * x[i]`, n = 10,000;
- the first call of each numba gradient: srcad's derivation plus numba's compilation.
Targets (issue 17): the numba gradient at most 3x the numba function on both, and faster than
jax's on the recurrence.
"""
import statistics
import sys
import time
import timeit

import numpy as np

import srcad

from . import timing
from .workloads.recurrence import recurrence

N_TURNS = 1000
N_ARRAY = 10_000


def array_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += np.sin(x[i]) * x[i]
    return s


def jax_recurrence():
    """`jax.jit(jax.grad(...))` of the recurrence as a lax.fori_loop, or None without jax."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def f(x, y, n):
        def turn(i, state):
            x, y = state
            x = x + 0.01 * jnp.sin(x * y)
            return x, y * jnp.cos(0.01 * x)
        x, y = jax.lax.fori_loop(0, n, turn, (x, y))
        return x + y
    return jax.jit(jax.grad(f, argnums=(0, 1)), static_argnums=2)


def first_call(make, args):
    """(the callable, CPU seconds of its first call)."""
    start = time.process_time()
    fn = make()
    fn(*args)
    return fn, time.process_time() - start


def rows(settings, n_turns=N_TURNS, n_array=N_ARRAY):
    """[(workload, entry, seconds a call, first call seconds or None)], with every gradient
    checked against srcad's Python one first."""
    import numba
    out = []
    args = (0.3, 0.7, n_turns)
    jitted, compile_f = first_call(lambda: numba.njit(recurrence), args)
    grad_nb, compile_g = first_call(lambda: srcad.grad(numba.njit(recurrence), wrt=(0, 1)), args)
    grad_py = srcad.grad(recurrence, wrt=(0, 1))
    _check(grad_nb(*args), grad_py(*args))
    entries = {"python function": (recurrence, args), "srcad grad, python": (grad_py, args),
               "numba function": (jitted, args), "srcad grad, numba": (grad_nb, args)}
    firsts = {"numba function": compile_f, "srcad grad, numba": compile_g}
    jax_grad = jax_recurrence()
    if jax_grad is not None:
        jax_grad, firsts["jax.jit(jax.grad), fori_loop"] = first_call(lambda: jax_grad, args)
        _check(tuple(float(v) for v in jax_grad(*args)), grad_py(*args))
        entries["jax.jit(jax.grad), fori_loop"] = (jax_grad, args)
    for name, seconds in cpu_interleaved(entries, settings).items():
        out.append((f"recurrence, {n_turns} turns", name, seconds, firsts.get(name)))
    x = (np.linspace(-1.0, 1.0, n_array),)
    jitted, compile_f = first_call(lambda: numba.njit(array_loop), x)
    grad_nb, compile_g = first_call(lambda: srcad.grad(numba.njit(array_loop)), x)
    _check(grad_nb(*x), srcad.grad(array_loop)(*x))
    entries = {"numba function": (jitted, x), "srcad grad, numba": (grad_nb, x)}
    firsts = {"numba function": compile_f, "srcad grad, numba": compile_g}
    for name, seconds in cpu_interleaved(entries, settings).items():
        out.append((f"array loop, n = {n_array:,}", name, seconds, firsts.get(name)))
    return out


def cpu_interleaved(entries, settings):
    """name -> median CPU seconds a call of `fn(*args)`, sampled round-robin (timing.py's
    method, on this process's CPU time: on a shared machine, waiting for a core does not count;
    each entry is single-threaded)."""
    timers = {name: timeit.Timer(lambda fn=fn, args=args: fn(*args), timer=time.process_time)
              for name, (fn, args) in entries.items()}
    numbers = {}
    for name, t in timers.items():
        number = 1
        while t.timeit(number) < settings.sample_seconds:
            number *= 2
        numbers[name] = number
    samples = {name: [] for name in timers}
    for _ in range(settings.rounds):
        for name, t in timers.items():
            samples[name].append(t.timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(s) for name, s in samples.items()}


def _check(got, expected):
    if not np.allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=1e-10):
        raise AssertionError(f"gradients differ: {got} and {expected}")


def table(measured, markdown=False):
    """The rows as a table: time a call, ratio to the numba function, first call."""
    base = {w: s for w, name, s, _ in measured if name == "numba function"}
    lines = ["| workload | entry | per call | / numba function | first call |",
             "| --- | --- | ---: | ---: | ---: |"]
    for workload, name, seconds, first in measured:
        ratio = seconds / base[workload]
        lines.append(f"| {workload} | {name} | {_time(seconds)} | {ratio:.1f}x | "
                     f"{f'{first:.2f} s' if first is not None else ''} |")
    text = "\n".join(lines)
    return text if markdown else text.replace("| ", "").replace(" |", "  ").replace("---: ", "").replace("--- ", "")


def _time(seconds):
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.1f} ms"


def section(settings, markdown=False):
    try:
        import numba  # noqa: F401
    except ImportError:
        print("numba: not installed (pip install srcad[numba]); section skipped")
        return
    print(table(rows(settings), markdown))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    settings = timing.Settings.quick() if "--quick" in argv else timing.Settings()
    section(settings, markdown="--markdown" in argv)


if __name__ == "__main__":
    main()
