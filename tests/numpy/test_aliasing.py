"""Writes into memory that other names may see: each one differentiated right or refused.

Each row is a function `f(x)` whose body writes into an array (`a[i] = v`, `a[i] += v`,
`a *= c`, `out=`, `np.add.at`, a helper writing into its argument) while another name may view
the same memory (a slice, `reshape`, `.T`, `ravel`, `np.asarray`, `z = y`, a list or dict
holding it, a helper's argument or result). The row says what must happen:

- `None`: the gradient matches central differences, `value_and_grad`'s value is the plain
  function's value, `jvp` matches differences along a direction, and the input is unchanged;
- a line of the source: `grad`, `value_and_grad` and `jvp` each raise `SrcadError` citing it
  (before running, or, for a row read by a plain index, when the write would touch it).
"""
from collections import namedtuple

import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_directional, fd_grad, load_function

Case = namedtuple("Case", "name source refused_at args")
X = np.array([0.5, 1.0, 2.0])
SQUARE = np.array([[0.5, 1.0], [2.0, 1.5]])


def case(name, body, refused_at=None, args=(X,), helpers=""):
    source = "import numpy as np\n\n\n" + helpers + "\n\ndef f(x):\n" + body
    return Case(name, source, refused_at, args)


CASES = [
    # --- the two examples
    case("slice_then_write", "    y = x * 1.0\n    v = y[1:]\n    v[0] = 10.0\n    return np.sum(y * y)\n",
         "v[0] = 10.0"),
    case("slice_then_multiply_in_place", "    y = x * 1.0\n    v = y[1:]\n    v *= 3.0\n    return np.sum(y * y)\n",
         "v *= 3.0"),
    # --- views of every kind, written while the base is read later
    case("reshape", "    y = x * 1.0\n    r = y.reshape((2, 2))\n    r[0, 1] = 10.0\n    return np.sum(y * y)\n",
         "r[0, 1] = 10.0", (np.array([0.5, 1.0, 2.0, 1.5]),)),
    case("transpose", "    y = x * 1.0\n    t = y.T\n    t[0, 1] = 10.0\n    return np.sum(y * y)\n",
         "t[0, 1] = 10.0", (SQUARE,)),
    case("strided", "    y = x * 1.0\n    v = y[::2]\n    v[1] = 10.0\n    return np.sum(y * y)\n", "v[1] = 10.0"),
    case("flipped", "    y = x * 1.0\n    v = y[::-1]\n    v[0] = 10.0\n    return np.sum(y * y)\n", "v[0] = 10.0"),
    case("ravel", "    y = x * 1.0\n    r = np.ravel(y)\n    r[0] = 10.0\n    return np.sum(y * y)\n", "r[0] = 10.0"),
    case("asarray", "    y = x * 1.0\n    z = np.asarray(y)\n    z[0] = 10.0\n    return np.sum(y * y)\n",
         "z[0] = 10.0"),
    case("chained_slice", "    y = x * 1.0\n    y[1:][0] = 10.0\n    return np.sum(y * y)\n", "y[1:][0] = 10.0"),
    case("plain_assignment", "    y = x * 1.0\n    z = y\n    z[0] = 10.0\n    return np.sum(y * y)\n",
         "z[0] = 10.0"),
    case("alias_in_a_branch", "    y = x * 1.0\n    z = x * 2.0\n    if x[0] > 0.0:\n        z = y\n"
         "    z[0] = 10.0\n    return np.sum(y * y) + np.sum(z * z)\n", "z[0] = 10.0"),
    case("base_written_view_read", "    y = x * 1.0\n    v = y[1:]\n    y[1] = 10.0\n    return np.sum(v * v)\n",
         "y[1] = 10.0"),
    case("view_written_by_augmented_index", "    y = x * 1.0\n    v = y[1:]\n    v[0] += x[0]\n"
         "    return np.sum(y * y)\n", "v[0] += x[0]"),
    # --- in-place operators on shared arrays
    case("shared_multiply_in_place", "    y = x * 1.0\n    z = y\n    z *= 3.0\n    return np.sum(y * y)\n",
         "z *= 3.0"),
    case("add_in_place_while_a_view_lives", "    y = x * 1.0\n    v = y[1:]\n    y += 1.0\n"
         "    return np.sum(v * v)\n", "y += 1.0"),
    case("out_keyword", "    y = x * 1.0\n    np.multiply(y, 3.0, out=y)\n    return np.sum(y * y)\n",
         "np.multiply(y, 3.0, out=y)"),
    case("ufunc_at", "    y = x * 1.0\n    np.add.at(y, [0, 0], x[1])\n    return np.sum(y * y)\n",
         "np.add.at(y, [0, 0], x[1])"),
    # --- containers and helpers
    case("array_in_a_list_written_later", "    y = x * 1.0\n    items = [y, 2.0]\n    y[0] = 10.0\n"
         "    return np.sum(items[0] * items[0])\n", "y[0] = 10.0"),
    case("written_through_a_list", "    y = x * 1.0\n    items = [y, 2.0]\n    items[0][0] = 10.0\n"
         "    return np.sum(y * y)\n", "items[0][0] = 10.0"),
    case("array_in_a_dict_written_later", "    y = x * 1.0\n    d = {'a': y}\n    y[0] = 10.0\n"
         "    return np.sum(d['a'] * d['a'])\n", "y[0] = 10.0"),
    case("helper_writes_its_argument", "    y = x * 1.0\n    clobber(y)\n    return np.sum(y * y)\n",
         "clobber(y)", helpers="def clobber(a):\n    a[0] = 10.0\n"),
    case("helper_writes_through_an_alias", "    y = x * 1.0\n    t = clobber(y)\n    return np.sum(y * y) + t\n",
         "t = clobber(y)", helpers="def clobber(a):\n    b = a\n    b *= 2.0\n    return 1.0\n"),
    case("helper_returns_a_view", "    y = x * 1.0\n    v = tail(y)\n    v[0] = 10.0\n    return np.sum(y * y)\n",
         "v[0] = 10.0", helpers="def tail(a):\n    return a[1:]\n"),
    case("fill_through_a_view", "    y = x * 1.0\n    v = y[1:]\n    v.fill(0.0)\n    return np.sum(y * y)\n",
         "v.fill(0.0)"),
    case("sort_through_a_view", "    y = x * 1.0\n    v = y[1:]\n    v.sort()\n    return np.sum(y * np.arange(3.0))\n",
         "v.sort()"),
    case("copyto", "    y = x * 1.0\n    np.copyto(y, x * 3.0)\n    return np.sum(y * y)\n",
         "np.copyto(y, x * 3.0)"),
    case("list_appended_through_another_name", "    items = []\n    same = items\n    items.append(x * 2.0)\n"
         "    return np.sum(same[0])\n", "items.append(x * 2.0)"),
    # --- the caller's array, a global's
    case("write_into_a_global", "    y = G\n    y[0] = x[0]\n    return np.sum(y * x)\n", "y[0] = x[0]",
         helpers="G = np.array([1.0, 2.0, 3.0])\n"),
    case("write_into_an_argument_held_in_a_list", "    xs = [x, 1.0]\n    a = xs[0]\n    a[0] = 5.0\n"
         "    return np.sum(a)\n", "a[0] = 5.0"),
    case("in_place_in_a_loop_on_the_argument", "    acc = x\n    for i in range(3):\n        acc += x * i\n"
         "    return np.sum(acc * acc)\n", "acc += x * i"),
    # f's own argument: written into a copy the derivative makes (tests/idioms)
    case("write_into_the_argument", "    x[0] = 1.0\n    return np.sum(x * x)\n"),
    case("write_into_an_alias_of_the_argument", "    z = x\n    z[0] = 1.0\n    return np.sum(z * z)\n",
         "z[0] = 1.0"),
    case("in_place_on_the_argument_through_a_view", "    v = x[1:]\n    v += 1.0\n    return np.sum(v * v)\n",
         "v += 1.0"),
    # --- a row read by a plain index and read again after a write: checked at run time
    case("row_kept_then_overwritten", "    H = np.zeros((2, 3))\n    H[0] = x\n    h = H[0]\n"
         "    H[0] = x * 2.0\n    return np.sum(h * h)\n", "H[0] = x * 2.0"),
    case("rows_of_a_recurrence", "    H = np.zeros((3, 3))\n    H[0] = x\n    s = 0.0\n    for t in range(2):\n"
         "        h = H[t]\n        H[t + 1] = np.tanh(h * 2.0)\n        s = s + np.sum(h * h)\n"
         "    return np.sum(H * H) + s\n"),
    case("row_read_first_in_the_next_turn", "    H = np.zeros((3, 3))\n    H[0] = x\n    s = 0.0\n"
         "    for t in range(2):\n        if t > 0:\n            s = s + np.sum(h * h)\n"
         "        H[t + 1] = np.sin(H[t])\n        h = H[t + 1]\n    return np.sum(H * H) + s\n"),
    case("element_of_a_kept_row_overwritten", "    A = np.outer(x, x)\n    r = A[0]\n    A[0, 1] = 7.0\n"
         "    return np.sum(r * r)\n", "A[0, 1] = 7.0"),
    case("number_kept_across_a_fancy_write", "    y = x * 1.0\n    h = y[0]\n    y[[0, 1]] = 3.0\n"
         "    return h * np.sum(y)\n"),
    case("number_kept_across_writes", "    y = x * 1.0\n    s = y[0]\n    y[0] = s * 2.0\n"
         "    y[1] = s + y[1]\n    return np.sum(y * y) + s\n"),
    # --- what the refusals suggest, and other writes that no other name sees
    case("copy_of_the_argument", "    x = x.copy()\n    x[0] = 1.0\n    return np.sum(x * x)\n"),
    case("copy_method_then_write", "    y = x * 1.0\n    z = y.copy()\n    z[0] = 10.0\n"
         "    return np.sum(y * y) + np.sum(z * z)\n"),
    case("flatten_copies", "    y = x * 1.0\n    z = y.flatten()\n    z[0] = 10.0\n"
         "    return np.sum(y * y) + np.sum(z * z)\n"),
    case("view_made_after_the_write", "    y = x * 1.0\n    y[0] = x[1] * 3.0\n    v = y[0:2]\n"
         "    return np.sum(v * v)\n"),
    case("dead_view", "    y = x * 1.0\n    v = y[1:]\n    w = v * 2.0\n    y[1] = 10.0\n"
         "    return np.sum(y * y) + np.sum(w)\n"),
    case("in_place_on_a_new_array", "    h = x * 2.0\n    h += x\n    h *= 2.0\n    return np.sum(np.tanh(h))\n"),
    case("in_place_in_a_loop_on_a_new_array", "    acc = x * 0.0\n    for i in range(3):\n        acc += x * i\n"
         "    return np.sum(acc * acc)\n"),
    case("add_at_as_a_loop", "    y = x * 1.0\n    i = [0, 0, 2]\n    for k in range(3):\n"
         "        y[i[k]] += x[1] * k\n    return np.sum(y * y)\n"),
    case("helper_copies_before_writing", "    y = x * 1.0\n    z = clobbered(y)\n"
         "    return np.sum(y * y) + np.sum(z * z)\n",
         helpers="def clobbered(a):\n    a = a.copy()\n    a[0] = 10.0\n    return a\n"),
]


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def row(request):
    c = request.param
    return c, load_function(c.source, "f")


def direction(x):
    return 0.3 + 0.1 * np.arange(x.size).reshape(x.shape)


def test_written_memory_is_differentiated_right_or_refused_at_the_write(row):
    c, f = row
    x = c.args[0]
    if c.refused_at is not None:
        for run in (lambda: srcad.grad(f)(x.copy()), lambda: srcad.value_and_grad(f)(x.copy()),
                    lambda: srcad.jvp(f)(x.copy(), direction(x))):
            with pytest.raises(srcad.SrcadError) as info:
                run()
            assert_cites(info.value, f, c.refused_at)
        return
    given = x.copy()
    assert_close(srcad.grad(f)(given), fd_grad(f, (x.copy(),)), rtol=1e-6, atol=1e-7)
    value, _ = srcad.value_and_grad(f)(given)
    assert value == f(x.copy())
    primal, tangent = srcad.jvp(f)(given, direction(x))
    assert primal == f(x.copy())
    np.testing.assert_allclose(tangent, fd_directional(f, (x.copy(),), (0,), (direction(x),)), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(given, x)  # the input is not changed


def test_the_table_covers_both_outcomes():
    refused = [c for c in CASES if c.refused_at is not None]
    assert len(refused) >= 15 and len(CASES) - len(refused) >= 10


def test_a_run_time_check_passes_where_rows_do_not_overlap():
    text = srcad.source(load_function(CASES[[c.name for c in CASES].index("rows_of_a_recurrence")].source, "f"),
                        args=(X,))
    assert "_rt.disjoint_write(H, " in text
