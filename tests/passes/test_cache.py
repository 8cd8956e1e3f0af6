"""cache.Cache: one build a key, also when threads ask at the same time; a redefined function
gets a fresh derivative through the public API."""
import math
import sys
import threading
import time

import pytest

import srcad
from helpers import fd_grad, load_function
from srcad import cache


class Counter:
    """A build function that counts its calls, optionally slow, optionally failing once."""

    def __init__(self, value="built", delay=0.0, fail_first=False):
        self.calls = 0
        self.value = value
        self.delay = delay
        self.fail_first = fail_first
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
            calls = self.calls
        time.sleep(self.delay)
        if self.fail_first and calls == 1:
            raise RuntimeError("first build fails")
        return (self.value, calls)


def test_same_key_builds_once():
    store = cache.Cache()
    build = Counter()
    first = store.get("key", build)
    assert store.get("key", build) is first
    assert build.calls == 1
    assert len(store) == 1


def test_different_keys_build_separately():
    store = cache.Cache()
    build = Counter()
    assert store.get(("f", 0), build) != store.get(("f", 1), build)
    assert build.calls == 2 and len(store) == 2


def test_threads_asking_at_once_share_one_build():
    store = cache.Cache()
    build = Counter(delay=0.05)
    start = threading.Barrier(8)
    results = []

    def ask():
        start.wait()
        results.append(store.get("key", build))
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert build.calls == 1
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_a_failed_build_is_not_cached():
    store = cache.Cache()
    build = Counter(fail_first=True)
    with pytest.raises(RuntimeError):
        store.get("key", build)
    assert len(store) == 0
    assert store.get("key", build) == ("built", 2)


def test_clear_empties_the_cache():
    store = cache.Cache()
    build = Counter()
    store.get("key", build)
    store.clear()
    assert len(store) == 0
    store.get("key", build)
    assert build.calls == 2


# ---------------------------------------------------------------- through the public API


def test_asking_twice_for_a_derivative_compiles_it_once():
    f = load_function('''
        import math


        def f(x):
            return math.sin(x) * x
    ''', "f")
    before = len(cache.CACHE)
    assert srcad.grad(f)(0.5) == srcad.grad(f)(0.5)
    assert srcad.source(f) == srcad.source(f)
    assert len(cache.CACHE) - before == 2   # grad's and source's (vjp) variants


def test_threads_calling_grad_at_once_get_the_same_gradient():
    f = load_function('''
        import math


        def f(x):
            return math.exp(math.sin(x)) * x
    ''', "f")
    before = len(cache.CACHE)
    start = threading.Barrier(8)
    results = []

    def ask():
        start.wait()
        results.append(srcad.grad(f)(0.3))
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1
    assert results[0] == pytest.approx(fd_grad(f, (0.3,)), rel=1e-8)
    assert len(cache.CACHE) - before == 1


def test_a_redefined_function_gets_a_fresh_derivative():
    square = '''
        import math


        def f(x):
            return x * x
    '''
    f = load_function(square, "f")
    assert srcad.grad(f)(3.0) == 6.0
    before = len(cache.CACHE)
    f = load_function(square.replace("x * x", "x * x * x"), "f")   # edited and run again
    assert srcad.grad(f)(3.0) == 27.0
    assert len(cache.CACHE) - before == 1


def test_a_redefined_function_in_the_same_module_gets_a_fresh_derivative():
    module_name = load_function('''
        import math


        def f(x):
            return math.sin(x)


        first = f


        def f(x):
            return math.cos(x)
    ''', "__name__")
    namespace = vars(sys.modules[module_name])
    assert srcad.grad(namespace["first"])(0.5) == pytest.approx(math.cos(0.5))
    assert srcad.grad(namespace["f"])(0.5) == pytest.approx(-math.sin(0.5))


ACTIVATION = '''
import math

activation = math.{name}


def f(x):
    return activation(x)
'''


def test_equal_code_in_two_modules_with_different_globals_gets_two_derivatives():
    with_sin = load_function(ACTIVATION.format(name="sin"), "f")
    with_cos = load_function(ACTIVATION.format(name="cos"), "f")
    assert with_sin.__code__ == with_cos.__code__   # the premise: equal code objects
    assert srcad.grad(with_sin)(0.5) == pytest.approx(math.cos(0.5))
    assert srcad.grad(with_cos)(0.5) == pytest.approx(-math.sin(0.5))


# ---------------------------------------------------------------- registering rules

CALLS_A_GRADIENT = '''
import math

import srcad


def h(x):
    return math.sin(x) * x


def cube(x):
    return x ** 3


def f(x):
    return dcube(x) * x   # 3 x ** 3


dcube = srcad.grad(cube)


def stranger(x):
    return x
'''


@pytest.fixture
def compiles(monkeypatch):
    """The names of the functions whose derivatives are compiled from now on."""
    from srcad import pipeline
    names, derive = [], pipeline.derive

    def counted(fn, *args, **kwargs):
        names.append(fn.__name__)
        return derive(fn, *args, **kwargs)
    monkeypatch.setattr(pipeline, "derive", counted)
    return names


def test_rules_for_a_gradient_srcad_made_leave_the_derivatives_made_before(compiles):
    module = load_function(CALLS_A_GRADIENT, "h").__globals__
    assert module["dcube"](1.0) == 3.0  # its dispatcher, which f's derivative reads, is written
    dh = srcad.grad(module["h"])
    assert dh(0.5) == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))
    generation = srcad.rules.registry().generation
    assert srcad.rules.registry().reverse_rule(module["dcube"]) is None
    assert srcad.grad(module["f"])(1.5) == pytest.approx(9.0 * 1.5 ** 2)  # dcube gets its rules
    assert srcad.rules.registry().reverse_rule(module["dcube"]) is not None
    assert srcad.rules.registry().generation is generation
    compiled = list(compiles)
    assert dh(0.5) == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))
    assert srcad.grad(module["h"])(0.7) == pytest.approx(math.cos(0.7) * 0.7 + math.sin(0.7))
    assert srcad.grad(module["f"])(2.0) == pytest.approx(9.0 * 2.0 ** 2)
    assert compiles == compiled  # nothing compiled again: not h's, not f's
    assert compiled.count("f") == 1


def test_a_users_rule_makes_derivatives_compile_again(compiles):
    module = load_function(CALLS_A_GRADIENT, "h").__globals__
    dh = srcad.grad(module["h"])
    dh(0.5)
    generation = srcad.rules.registry().generation
    compiled = len(compiles)
    srcad.defvjp(module["stranger"], lambda g, ans, x: g)  # any rule may change any derivative
    assert srcad.rules.registry().generation is not generation
    assert dh(0.5) == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5))
    assert compiles[compiled:] == ["h"]


def test_a_users_rule_for_a_gradient_srcad_made_is_kept():
    module = load_function(CALLS_A_GRADIENT, "h").__globals__
    seen = []

    def forward(dargs, ans, x):
        seen.append(x)
        return dargs[0] * 6.0 * x
    srcad.defjvp(module["dcube"], forward)
    assert srcad.grad(module["f"])(1.5) == pytest.approx(9.0 * 1.5 ** 2)  # its reverse rule: srcad's
    assert srcad.jvp(module["f"])(1.5, 1.0)[1] == pytest.approx(9.0 * 1.5 ** 2)
    assert seen == [1.5]
    assert srcad.rules.registry().forward_rule(module["dcube"]).fn is forward
