"""Interleaved timing: every entry is sampled once per round, round-robin, so that drift in the
machine's load (two cores, other processes) hits all entries alike; the median is reported.

A sample times `number` back-to-back calls of `fn(a0, a1, ...)` with timeit (the statement
calls the function directly, no lambda in between), `number` chosen so that one sample takes
about `sample_seconds`. Entries slower than `slow_seconds` a call get at most `slow_samples`
samples, taken in the first rounds.
"""
import dataclasses
import statistics
import time
import timeit


@dataclasses.dataclass
class Settings:
    rounds: int = 15
    sample_seconds: float = 0.05
    slow_seconds: float = 0.5
    slow_samples: int = 3

    @classmethod
    def quick(cls):
        return cls(rounds=5, sample_seconds=0.01, slow_seconds=0.2, slow_samples=1)


@dataclasses.dataclass
class Timing:
    median: float        # seconds per call
    samples: list        # seconds per call, one per round taken
    number: int          # calls per sample


def timer(fn, args):
    names = [f"a{i}" for i in range(len(args))]
    namespace = dict(zip(names, args), fn=fn)
    return timeit.Timer(f"fn({', '.join(names)})", globals=namespace)


def interleaved(entries, settings):
    """`entries`: name -> (fn, args), each already called once (warm). Returns name -> Timing."""
    timers = {name: timer(fn, args) for name, (fn, args) in entries.items()}
    numbers, limits = {}, {}
    for name, t in timers.items():
        one = _one_call(t)
        numbers[name] = max(1, int(settings.sample_seconds / max(one, 1e-9)))
        limits[name] = settings.slow_samples if one > settings.slow_seconds else settings.rounds
    samples = {name: [] for name in timers}
    order = list(timers)
    for r in range(settings.rounds):
        rotated = order[r % len(order):] + order[:r % len(order)]
        for name in rotated:
            if len(samples[name]) < limits[name]:
                samples[name].append(timers[name].timeit(numbers[name]) / numbers[name])
    return {name: Timing(statistics.median(s), s, numbers[name]) for name, s in samples.items()}


def _one_call(t):
    start = time.perf_counter()
    t.timeit(1)
    return time.perf_counter() - start


def median_of(fn, repeats):
    """Median seconds of `fn()` over `repeats` calls (for costs that cannot be repeated in a
    loop, such as a first call after clearing a cache)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
