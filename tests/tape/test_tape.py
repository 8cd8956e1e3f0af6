"""srcad.tape, the operator-overloading baseline: against differences, srcad.grad and the tables.

The functions below use numpy spellings only (the tape cannot see `math` calls). Each gradient
is compared with 5-point central differences and, on straight-line code, with srcad.grad
(same rules, so equal up to the order of accumulation); loops and branches are compared with
differences only here, and with srcad.grad by tests/oracle/test_control.py. Every row of the
rule tables that a tape can see (operators, ufuncs, numpy's dispatched functions) is replayed
through the tape and compared with the rule called directly, so a new row is tested here
without any change.
"""
import inspect
import math

import gast
import numpy as np
import pytest

import srcad
import srcad.rules
import srcad.tape
from helpers import assert_close, fd_grad, load_function
from rules.domains import DOMAINS, primal, sample
from srcad.rules import registry
from srcad.runtime import unbroadcast
from srcad.tape.node import Node, Tape

_RNG = np.random.default_rng(7)
X3 = _RNG.uniform(0.5, 1.5, 3)
V4 = _RNG.uniform(-1.0, 1.0, 4)
M34 = _RNG.uniform(-1.0, 1.0, (3, 4))
B42 = _RNG.uniform(-1.0, 1.0, (4, 2))
A33 = _RNG.uniform(-1.0, 1.0, (3, 3))
T234 = _RNG.uniform(-1.0, 1.0, (2, 3, 4))
AWAY = np.array([-1.5, -0.4, 0.3, 1.2])  # off the kinks of abs and maximum(x, 0)


# ---------------------------------------------------------------- straight-line functions

def textbook(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2)


def scalar_chain(x, y):
    return np.exp(np.sin(x)) * np.sqrt(y) / (1.0 + x * x) - y ** 3 + 2.0 ** x


def negative_base_powers(x):
    return x ** 2 + x ** 3 - 1.0 / x


def elementwise(x):
    return np.sum(np.tanh(x) * np.exp(-x) + np.abs(x) + np.square(x))


def broadcast_column_row(u, v):
    return np.sum(np.sin(u * v) + u / (1.0 + v * v))


def broadcast_scalar_array(a, x):
    return np.sum(a * x ** 2 - x / a)


def broadcast_vector_matrix(b, m):
    return np.sum(np.tanh(m - b) * m)


def sum_axes(x):
    return np.sum(np.sum(x, axis=0) ** 2) + np.sum(np.sum(x, axis=1, keepdims=True) * x)


def mean_axes(x):
    centred = x - np.mean(x, axis=-1, keepdims=True)
    return np.mean(centred ** 2) + np.sum(np.mean(x, axis=0) ** 3)


def reduce_tuple_axes(t):
    kept = np.mean(t, axis=(0, -1), keepdims=True)
    return np.sum(np.sum(t * t, axis=(0, 2)) ** 2) + kept[0, 1, 0]


def dot_and_matmul(a, b, x):
    return np.sum(np.dot(a, b) ** 2) + np.sum(np.tanh(a @ x)) + np.dot(x, x)


def quadratic_form(x, a):
    return x @ a @ x


def relu_and_clip(x, w):
    return np.sum(np.maximum(x, 0.0) * w + np.minimum(x, 0.5) * x)


def indexing(x):
    return np.sum(x[1:] * x[:-1]) + x[0] * x[-1] + np.sum(x[np.array([0, 0, 2])]) + x[x > 0.0][0]


def repeated_list_index(x):
    return np.sum(x[[0, 0, 2]])


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def method_spellings(x):
    return x.sum() + x.mean(axis=0).dot(np.ones(4)) + np.sum(x * x).mean()


def builtins_on_nodes(x, y):
    return abs(x - 2.0) * y + max(x, y) + sum([x, y, x * y])


def softmax_cross_entropy(w, x, y):
    z = np.dot(x, w)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.sum(y * logp, axis=1))


STRAIGHT = [
    ("textbook", textbook, (2.0, 5.0), (0, 1)),
    ("scalar_chain", scalar_chain, (0.7, 1.3), (0, 1)),
    ("negative_base_powers", negative_base_powers, (-1.5,), 0),
    ("elementwise", elementwise, (AWAY,), 0),
    ("broadcast_column_row", broadcast_column_row, (M34[:, :1], M34[:1, :]), (0, 1)),
    ("broadcast_scalar_array", broadcast_scalar_array, (1.3, V4), (0, 1)),
    ("broadcast_vector_matrix", broadcast_vector_matrix, (V4, M34), (0, 1)),
    ("sum_axes", sum_axes, (M34,), 0),
    ("mean_axes", mean_axes, (M34,), 0),
    ("reduce_tuple_axes", reduce_tuple_axes, (T234,), 0),
    ("dot_and_matmul", dot_and_matmul, (M34, B42, V4), (0, 1, 2)),
    ("quadratic_form", quadratic_form, (X3, A33), (0, 1)),
    ("relu_and_clip", relu_and_clip, (AWAY, V4), (0, 1)),
    ("indexing", indexing, (V4,), 0),
    ("rosenbrock", rosenbrock, (V4,), 0),
    ("method_spellings", method_spellings, (M34,), 0),
    ("softmax_cross_entropy", softmax_cross_entropy,
     (B42, M34[:, :4], np.eye(2)[[0, 1, 1]]), 0),
]


STRAIGHT.append(pytest.param("repeated_list_index", repeated_list_index, (V4,), 0))


@pytest.mark.parametrize("name, f, args, wrt", STRAIGHT, ids=[c[0] for c in STRAIGHT[:-1]] +
                         ["repeated_list_index"])
def test_straight_line_agrees_with_differences_and_srcad(name, f, args, wrt):
    from_tape = srcad.tape.grad(f, wrt=wrt)(*args)
    assert_close(from_tape, fd_grad(f, args, wrt), rtol=1e-6)
    assert_close(from_tape, srcad.grad(f, wrt=wrt)(*args), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- loops and branches

def loop_recurrence(x, y, n):
    for i in range(n):
        x = x + 0.1 * np.sin(x * y)
        y = y * np.cos(0.1 * x)
    return x + y


def branch_per_turn(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 0:
            s = s + np.sin(x) * i
        else:
            s = s - x * x
    return s


def branch_on_data(x):
    if np.sum(x) > 0.0:
        return np.sum(np.exp(x))
    return np.sum(x * x)


def while_on_data(x):
    y = x
    while y < 10.0:
        y = y * 1.5 + x
    return y


def early_return(x):
    for i in range(10):
        x = x * 1.2
        if x > 3.0:
            return x * x
    return x


def rows_and_states(a, x):
    s = 0.0
    states = []
    for row in a:
        s = s + np.dot(row, x)
        states.append(np.tanh(s))
    return sum(states)


def tanh_rnn(w, u, xs, h):
    for t in range(len(xs)):
        h = np.tanh(np.dot(h, w) + np.dot(xs[t], u))
    return np.sum(h * h)


LOOPS = [
    ("loop_recurrence", loop_recurrence, (0.3, 0.7, 20), (0, 1)),
    ("branch_per_turn", branch_per_turn, (0.4, 5), 0),
    ("branch_on_data_then", branch_on_data, (X3,), 0),
    ("branch_on_data_else", branch_on_data, (-X3,), 0),
    ("while_on_data", while_on_data, (1.1,), 0),
    ("early_return", early_return, (1.3,), 0),
    ("rows_and_states", rows_and_states, (M34, V4), (0, 1)),
    ("tanh_rnn", tanh_rnn, (A33 * 0.5, M34[:, :3] * 0.5, M34.T, V4[:3]), (0, 1, 3)),
    ("builtins_on_nodes", builtins_on_nodes, (0.7, -1.2), (0, 1)),  # max(x, y) is a branch
]


@pytest.mark.parametrize("name, f, args, wrt", LOOPS, ids=[c[0] for c in LOOPS])
def test_loops_and_branches_agree_with_differences(name, f, args, wrt):
    assert_close(srcad.tape.grad(f, wrt=wrt)(*args), fd_grad(f, args, wrt), rtol=1e-6)


def test_value_and_grad_gives_the_value_of_f():
    value, gradient = srcad.tape.value_and_grad(loop_recurrence, wrt=(0, 1))(0.3, 0.7, 20)
    assert value == loop_recurrence(0.3, 0.7, 20)
    assert_close(gradient, srcad.tape.grad(loop_recurrence, wrt=(0, 1))(0.3, 0.7, 20))


def test_second_order_by_nesting_the_tape():
    d2 = srcad.tape.grad(srcad.tape.grad(scalar_chain))
    assert_close(d2(0.7, 1.3), fd_grad(srcad.tape.grad(scalar_chain), (0.7, 1.3)), rtol=1e-6)


def test_inner_gradient_closing_over_an_outer_value():
    # d/dx [x * d/dy (x * y)] = d/dx x**2: the inner tape sees x as a constant.
    outer = srcad.tape.grad(lambda x: srcad.tape.grad(lambda y: x * y)(1.0) * x)
    assert outer(1.5) == 3.0


# ---------------------------------------------------------------- kinds and wrt

@pytest.mark.parametrize("arg, kind, dtype", [
    (1.5, float, None),
    (2, float, None),
    (np.arange(3), np.ndarray, np.float64),
    (np.arange(3, dtype=np.float32) + 0.5, np.ndarray, np.float32),
    (np.linspace(0.1, 0.9, 6).reshape(2, 3), np.ndarray, np.float64),
], ids=["float", "int", "int-array", "float32-array", "matrix"])
def test_gradient_has_the_kind_of_its_argument(arg, kind, dtype):
    gradient = srcad.tape.grad(lambda x: np.sum(np.sin(x) * x))(arg)
    assert type(gradient) is kind
    if dtype is not None:
        assert gradient.dtype == dtype and gradient.shape == np.shape(arg)
    assert_close(np.asarray(gradient, np.float64) if dtype else gradient,
                 np.asarray(np.sin(arg) + arg * np.cos(arg), np.float64) if dtype
                 else float(np.sin(arg) + arg * np.cos(arg)), rtol=1e-5)


def test_array_gradient_is_a_fresh_writable_array_of_its_own():
    gx, gy = srcad.tape.grad(lambda x, y: np.sum(np.sin(x + y)), wrt=(0, 1))(X3, X3)
    assert gx.flags.writeable and gy.flags.writeable
    assert not np.shares_memory(gx, gy)


def test_output_independent_of_an_argument_gives_zeros_of_its_kind():
    gx, gy = srcad.tape.grad(lambda x, y: y * 2.0, wrt=(0, 1))(X3, 1.0)
    assert_close(gx, np.zeros(3))
    assert_close(gy, 2.0)


def test_arguments_are_left_unchanged():
    x = M34.copy()
    srcad.tape.grad(mean_axes)(x)
    np.testing.assert_array_equal(x, M34)


@pytest.mark.parametrize("wrt, order", [
    (0, 0), (1, 1), ("x2", 1), (-1, 1), ((0, 1), (0, 1)), ((1, 0), (1, 0)),
    (("x2", 0), (1, 0)), (("x1",), (0,)),
], ids=["first", "second", "name", "negative", "tuple", "reversed", "mixed", "one-tuple"])
def test_wrt_forms(wrt, order):
    expected = (5.5, 1.0 * 2.0 - math.cos(5.0))
    picked = tuple(expected[i] for i in order) if isinstance(order, tuple) else expected[order]
    assert_close(srcad.tape.grad(textbook, wrt=wrt)(2.0, 5.0), picked, rtol=1e-12)


def test_wrt_argument_passed_by_keyword_keyword_only_or_defaulted():
    def f(x, y=3.0, *, s=2.0):
        return x * y * s
    assert srcad.tape.grad(f, wrt="y")(2.0, y=4.0) == 4.0
    assert srcad.tape.grad(f, wrt="y")(2.0) == 4.0
    assert srcad.tape.grad(f, wrt=("s", "x"))(2.0, s=5.0) == (6.0, 15.0)


DECORATED = '''
import numpy as np
import srcad.tape


{decorator}
def f(x, y):
    """Multiply x by the sine of y."""
    return x * np.sin(y)
'''


@pytest.mark.parametrize("decorator, expected", [
    ("@srcad.tape.grad", "dx"),
    ("@srcad.tape.grad(wrt=(0, 1))", ("dx", "dy")),
    ("@srcad.tape.grad(wrt='y')", "dy"),
    ("@srcad.tape.grad(1)", "dy"),
    ("@srcad.tape.value_and_grad(wrt=(1, 0))", ("value", ("dy", "dx"))),
], ids=["bare", "positions", "name", "position", "value_and_grad"])
def test_decorator_forms_keep_name_and_docstring(decorator, expected):
    f = load_function(DECORATED.format(decorator=decorator), "f")
    x, y = 1.3, 0.4
    values = {"dx": math.sin(y), "dy": x * math.cos(y), "value": x * math.sin(y)}

    def resolve(e):
        return tuple(resolve(i) for i in e) if isinstance(e, tuple) else values[e]
    assert_close(f(x, y), resolve(expected), rtol=1e-12)
    assert (f.__name__, f.__doc__) == ("f", "Multiply x by the sine of y.")


# ---------------------------------------------------------------- refusals

def array_output(x):
    y = np.sin(x)
    return y * 2.0


def tuple_output(x):
    return x, x * x


def math_call(x):
    y = x * 2.0
    return math.sin(y)


def augmented_plain_array(x):
    a = np.zeros(3)
    a += x
    return np.sum(a)


def assignment_into_node(x):
    y = x * 2.0
    y[0] = 1.0
    return np.sum(y)


def asarray_of_node(x):
    return np.sum(np.asarray(x))


def reduce_method(x):
    return np.add.reduce(x)


@pytest.mark.parametrize("f, arg, words, line", [
    (array_output, X3, ["scalar output", "shape (3,)", "srcad.vjp", "srcad.jacobian"],
     "return y * 2.0"),
    (tuple_output, 1.0, ["scalar output", "a tuple", "srcad.vjp"], "return x, x * x"),
    (math_call, 1.0, ["math function", "np.sin"], "return math.sin(y)"),
    (augmented_plain_array, X3, ["in-place", "a = a + x"], "a += x"),
    (assignment_into_node, X3, ["assignment into a traced array"], "y[0] = 1.0"),
    (asarray_of_node, X3, ["plain numpy array"], "np.asarray(x)"),
    (reduce_method, X3, ["np.add.reduce"], "np.add.reduce(x)"),
], ids=["array-output", "tuple-output", "math", "augmented", "setitem", "asarray", "reduce"])
def test_refusals_name_the_construct_and_cite_the_line(f, arg, words, line):
    with pytest.raises(srcad.SrcadError) as caught:
        srcad.tape.grad(f)(arg)
    message = str(caught.value)
    for word in words:
        assert word in message
    source, first = inspect.getsourcelines(f)
    expected_line = first + next(i for i, text in enumerate(source) if line in text)
    assert caught.value.lineno == expected_line
    assert message.startswith(f"{f.__code__.co_filename}:{expected_line}:")


def test_storing_a_traced_value_into_a_plain_array_is_refused():
    def store(x):
        a = np.zeros(3)
        a[0] = x
        return np.sum(a)
    # numpy turns the refusal of float(x) into a ValueError: the tape raises its own refusal
    with pytest.raises(srcad.SrcadError, match="stored into a plain numpy array") as caught:
        srcad.tape.grad(store)(1.0)
    assert "a[0] = x" in str(caught.value) and caught.value.__cause__ is None


def test_storing_a_traced_value_into_a_slice_of_a_plain_array_is_refused():
    def store(x):
        a = np.zeros(3)
        a[1:] = x * 2.0
        return np.sum(a)
    with pytest.raises(srcad.SrcadError, match="stored into a plain numpy array") as caught:
        srcad.tape.grad(store)(np.ones(2))
    assert "a[1:] = x * 2.0" in str(caught.value)


def test_function_without_rule_is_refused_with_defvjp_hint():
    unknown = np.frompyfunc(lambda v: v, 1, 1)  # a ufunc no table knows
    with pytest.raises(srcad.SrcadError, match=r"no derivative rule for np\..*srcad\.defvjp"):
        srcad.tape.grad(lambda x: np.sum(unknown(x)))(X3)


def test_traced_argument_the_rule_does_not_cover_is_refused():
    # An int in wrt used as an axis: np.sum's rule has a cotangent for `a` only.
    with pytest.raises(srcad.SrcadError, match="no cotangent for its argument 'axis'"):
        srcad.tape.grad(lambda x, k: np.sum(np.sum(x, axis=k)), wrt=(0, 1))(M34, 0)


SIN = np.frompyfunc(math.sin, 1, 1)      # ufuncs no table knows: defvjp here touches
HYPOT = np.frompyfunc(math.hypot, 2, 1)  # no rule other tests use
srcad.defvjp(SIN, lambda g, ans, x: g * math.cos(x))
srcad.defvjp(HYPOT, lambda g, ans, x, y: (g * x / ans, None))


def test_rules_registered_with_defvjp_are_used():
    assert_close(srcad.tape.grad(lambda x: SIN(x) * 2.0)(0.5), 2.0 * math.cos(0.5), rtol=1e-15)
    # a tuple, one cotangent per positional argument; None: no derivative for that one
    assert srcad.tape.grad(lambda a, b: HYPOT(a, b) * 1.0, wrt=(0, 1))(3.0, 4.0) == (0.6, 0.0)


@srcad.primitive
def _opaque_cube(x):
    return x ** 3


_opaque_cube.defvjp(lambda g, ans, x: g * 3.0 * x * x + 1.0)  # deliberately not the body's


def test_primitive_is_opaque_and_uses_its_rule():
    def f(x):
        return _opaque_cube(x)
    assert srcad.tape.grad(f)(2.0) == srcad.grad(f)(2.0) == 13.0


def test_scipy_ufuncs_use_their_table_rows():
    special = pytest.importorskip("scipy.special")

    def f(x):
        return np.sum(special.erf(x) * special.gammaln(x + 2.0))
    assert_close(srcad.tape.grad(f)(X3), srcad.grad(f)(X3), rtol=1e-12)


def test_function_without_derivative_gives_a_constant():
    gradient = srcad.tape.grad(lambda x: np.sum(np.floor(x) * x + np.sign(x)))(X3 + 1.0)
    assert_close(gradient, np.floor(X3 + 1.0))


@pytest.mark.parametrize("wrt, words", [
    (2, ["no positional parameter at position 2"]),
    ("z", ["no parameter named 'z'", "x1, x2"]),
    (1.0, ["wrt must be a position, a parameter name or a tuple"]),
], ids=["position", "name", "kind"])
def test_bad_wrt_is_refused_when_the_transformation_is_made(wrt, words):
    with pytest.raises(srcad.SrcadError) as caught:
        srcad.tape.grad(textbook, wrt=wrt)
    for word in words:
        assert word in str(caught.value)
    assert caught.value.lineno == textbook.__code__.co_firstlineno


def test_argument_of_an_unsupported_kind_is_refused():
    with pytest.raises(srcad.SrcadError, match="it is a list"):
        srcad.tape.grad(lambda x: x[0])([1.0, 2.0])


# ---------------------------------------------------------------- the same rules as srcad

def test_a_node_calls_the_tables_own_lambda():
    tape = Tape(level=0)
    x, y = (Node(v, tape, None, (), None, None, False) for v in (0.5, 2.0))
    np.sin(x)
    x * y
    assert tape[0].vjp is registry().reverse_rule(np.sin).fn
    assert tape[1].vjp is registry().reverse_rule(gast.Mult).fn


class _Probe:
    """Stands in a list argument to see whether numpy hands a call over to it."""
    seen = False

    def __array_function__(self, func, types, args, kwargs):
        _Probe.seen = True
        return 0.0


def _tape_sees(fn, call):
    """Whether numpy's dispatch looks inside `call`'s list arguments (np.stack's does, np.copy's
    does not: there the tape never sees its traced values)."""
    lists = [i for i, shape in enumerate(call.shapes) if isinstance(shape, list)]
    if not lists or isinstance(fn, np.ufunc):
        return not lists
    _Probe.seen = False
    args = [[_Probe()] * len(s) if isinstance(s, list) else np.ones(s) for s in call.shapes]
    try:
        fn(*args, **call.kwargs)
    except Exception:  # numpy converting the probe fails: nothing was handed over
        pass
    return _Probe.seen


# operands numpy's dispatch does not look at: a traced one reaches the function's body (np.full_like
# copies its fill_value with np.copyto, which the tape refuses)
UNDISPATCHED = {np.full_like: (1,)}


def _replays():
    """(key, call, wrt positions) for each table row the tape can see: operators, ufuncs and
    numpy's dispatched functions, in every table (new rows and tables included)."""
    for module in srcad.rules.DOMAINS:
        for key in module.VJP:
            fn = primal(key, DOMAINS[key])
            if not (isinstance(fn, np.ufunc) or hasattr(fn, "_implementation")
                    or isinstance(key, type) and issubclass(key, gast.AST)):
                continue  # math.sin, np.array, ...: a tape has no way to see these calls
            domain = DOMAINS[key]
            for call in domain.calls:
                if call.xfail.get("VJP") or not _tape_sees(fn, call):
                    continue  # a known wrong rule (tests/rules reports it), or unseen
                wrt = tuple(i for i in domain.wrt if i < len(call.shapes) and i not in UNDISPATCHED.get(fn, ()))
                if not wrt:
                    continue
                yield pytest.param(key, call, wrt, id=f"{getattr(fn, '__name__', key)}-{call.id}")


def _random_like(value, rng):
    if isinstance(value, tuple):
        return tuple(_random_like(v, rng) for v in value)
    return float(rng.standard_normal()) if np.ndim(value) == 0 else \
        rng.standard_normal(np.shape(value))


def _inner(out, w):
    if isinstance(w, tuple):  # np.linalg.slogdet: (sign, logdet)
        return sum(_inner(o, v) for o, v in zip(out, w))
    return np.sum(out * w)


@pytest.mark.parametrize("key, call, wrt", list(_replays()))
def test_tape_replays_each_table_row(key, call, wrt):
    # The tape's gradient of <w, fn(*args)> is the rule's own cotangent for g = w, for all
    # operands active (the table lambda) and for each alone (its compiled part).
    for subset in [wrt] + ([(w,) for w in wrt] if len(wrt) > 1 else []):
        _replay(key, call, subset)


def _replay(key, call, wrt):
    domain = DOMAINS[key]
    fn = primal(key, domain)
    rng = np.random.default_rng(3)
    args = sample(domain, call, rng)
    ans = fn(*args, **call.kwargs)
    w = _random_like(ans, rng)
    rule = registry().reverse_rule(key)
    cotangents = rule.fn(w, ans, *args, **call.kwargs)
    cotangents = cotangents if isinstance(rule.template.body, gast.Tuple) else (cotangents,)

    slots = [(i, j) for i in wrt for j in (range(len(args[i])) if isinstance(args[i], list)
                                          else (None,))]

    def weighted(*flat):
        moved = [list(a) if isinstance(a, list) else a for a in args]
        for (i, j), value in zip(slots, flat):
            if j is None:
                moved[i] = value
            else:
                moved[i][j] = value
        out = fn(*moved, **call.kwargs)
        return _inner(tuple(out) if isinstance(w, tuple) else out, w)

    flat = [args[i] if j is None else args[i][j] for i, j in slots]
    got = srcad.tape.grad(weighted, wrt=tuple(range(len(slots))))(*flat)
    for (i, j), gradient, value in zip(slots, got, flat):
        expected = cotangents[i] if j is None else cotangents[i][j]
        if rule.broadcasts:
            expected = unbroadcast(expected, value)
        np.testing.assert_allclose(gradient, expected, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- autograd, where installed

def test_agrees_with_autograd_on_the_benchmark_workloads():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    source = inspect.getsource(loop_recurrence) + inspect.getsource(tanh_rnn) + \
        inspect.getsource(rosenbrock) + inspect.getsource(softmax_cross_entropy) + \
        inspect.getsource(textbook)
    namespace = {"np": anp}
    exec(compile(source, "<autograd copies>", "exec"), namespace)
    for name, f, args, wrt in [
        ("textbook", textbook, (2.0, 5.0), (0, 1)),
        ("loop_recurrence", loop_recurrence, (0.3, 0.7, 50), (0, 1)),
        ("rosenbrock", rosenbrock, (V4,), 0),
        ("softmax_cross_entropy", softmax_cross_entropy,
         (B42, M34[:, :4], np.eye(2)[[0, 1, 1]]), 0),
        ("tanh_rnn", tanh_rnn, (A33 * 0.5, M34[:, :3] * 0.5, M34.T, V4[:3]), (0, 1, 3)),
    ]:
        ours = srcad.tape.grad(f, wrt=wrt)(*args)
        theirs = autograd.grad(namespace[name], wrt)(*args)
        for a, b in zip(*((ours, theirs) if isinstance(wrt, tuple) else ((ours,), (theirs,)))):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=name)
