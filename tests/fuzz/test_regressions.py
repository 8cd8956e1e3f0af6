"""Bugs the fuzzer found, each minimised to a few lines and checked against finite differences."""
import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

Y = np.array([0.5, -1.2, 0.8])
Z = np.array([0.3, 0.7, -0.4])

# Each: (source, arguments, wrt). Found as seeds 50, 156, 19 of the fixed set.
CASES = {
    # `x = x` in a branch: the copy's adjoint flowed into itself and was then reset (gave 0)
    "self_assignment_in_branch": ("""
        def f(x, c):
            if c > 0.0:
                x = x
            return x * x
        """, (0.5, 1.0), 0),
    "self_assignment_of_array_in_loop": ("""
        import numpy as np
        def f(y):
            for k in range(2):
                y = y
                y = y * y
            return np.sum(y)
        """, (Y,), 0),
    # `for e in y:` goes on over the array y held when the loop began, even when the body
    # re-binds y; the reverse sweep read (and added into) the new one
    "loop_over_rebound_array": ("""
        import numpy as np
        def f(y):
            for e in y:
                y = y * e
            return np.sum(y)
        """, (Y,), 0),
    "enumerate_over_rebound_array": ("""
        import numpy as np
        def f(y):
            for k, e in enumerate(y):
                y = y * e + k
            return np.sum(y)
        """, (Y,), 0),
    "zip_over_rebound_arrays": ("""
        import numpy as np
        def f(y, z):
            for a, b in zip(y, z):
                y = y * b + a
                z = z * a
            return np.sum(y) + np.sum(z)
        """, (Y, Z), (0, 1)),
    "reversed_over_rebound_array": ("""
        import numpy as np
        def f(y):
            for e in reversed(y):
                y = np.sin(y) * e
            return np.sum(y)
        """, (Y,), 0),
    # jvp: a write of a varied value into an array nothing reads later kept its tangent's
    # update but lost the tangent's definition (UnboundLocalError; seed 20138)
    "write_into_unread_array_in_loop": ("""
        import numpy as np
        def f(x):
            m = np.tanh(np.ones(3) * x)
            for k in range(1):
                m[k] = x
            return x * x
        """, (0.5,), 0),
    # an index copied from the loop counter (`k` of enumerate) and used by a write: the
    # reverse sweep zeroed and restored v[k] with k's last value (fuzz seed 201640)
    "write_at_enumerate_index": ("""
        import numpy as np
        def f(y):
            v = np.log(y * y + 1.0)
            for k, e in enumerate(y):
                y = v * 2.0
                v[k] = 0.8
            return np.sum(v[1:3])
        """, (np.array([-1.335, -1.388, 0.147, 0.671, -0.698]),), 0),
    # a float argument re-bound to an array's element: its gradient is still a float
    "float_argument_rebound_to_element": ("""
        import numpy as np
        def f(x, y):
            s = x * 3.0
            for e in y:
                x = e
            return x * 2.0 + s
        """, (0.3, Y), (0, 1)),
}

# An array read only in a branch not taken keeps the adjoint 0.0 (all zero); the rules that are
# not elementwise crashed on it (found as seeds 25, 78 and 131: a reshape error, an IndexError).
UNREAD_IN_BRANCH = """
    import numpy as np
    def h(u):
        return np.cumsum(u)
    def pair(u):
        return np.cumsum(u), np.reshape(u, (2, 2))
    def f(y, c):
        v = {value}
        if c > 0:
            s = 1.0
        else:
            s = np.sum(v * v)
        return s + np.sum(y) * 0.5
    """
Y4 = np.array([0.3, 0.5, -0.7, 0.9])
for _name, _value in [("cumsum", "np.cumsum(y)"), ("reshape", "np.reshape(y, (2, 2))"),
                      ("transpose", "y.reshape(2, 2).T"), ("diff", "np.diff(y)"),
                      ("concatenate", "np.concatenate((y[1:], y[:1]))"),
                      ("stack_of_floats", "np.array([y[0], y[1]])"),
                      ("matmul", "np.reshape(y, (2, 2)) @ np.reshape(y, (2, 2))"),
                      ("helper", "h(y)"), ("helper_tuple", "pair(y)[1][0]"),
                      ("copy", "y * 1.0")]:
    CASES["unread_in_branch_" + _name] = (UNREAD_IN_BRANCH.format(value=_value), (Y4, 1.0), 0)
# In a loop: `y = concatenate(...)` copies `by`, which the next turn back had reset to 0.0
# (y's new value does not read its old one). Seed 3089 of the generator with matrices.
CASES["adjoint_reset_by_a_later_turn"] = ("""
    import numpy as np
    def f(x, y):
        for k in range(3):
            y = np.concatenate((np.linspace(-0.56, -0.15, 3)[1:], (np.ones(3) * x)[:1]))
        return np.sum(y[1:3])
    """, (0.5, Y), (0, 1))
CASES["unread_in_conditional_expression"] = ("""
    import numpy as np
    def f(y):
        v = y * 1.0
        return (y[2] if 0.69 > 0.5 else v[2]) * np.max(y)
    """, (Y,), 0)

# A list built with append after an early return: its adjoint (a list of zeros as long as the
# finished list) was set up from the list itself, unbound on the path that returned early
# (UnboundLocalError; seeds 200254, 200436, 401050). Both paths are checked.
for _name, _c in [("taken", 1.0), ("not_taken", -1.0)]:
    CASES["list_after_early_return_" + _name] = ("""
        import numpy as np
        def f(y, c):
            if c > 0.0:
                return np.sum(np.exp(y))
            acc = [0.5, 2.0]
            acc.append(y[1] * y[1])
            return acc[-1] * acc[0]
        """, (Y, _c), 0)

# A loop over a list that grows later: the reversed loop went over the grown list and popped
# more turns than were pushed (IndexError: pop from empty list; seed 201309)
CASES["loop_over_list_appended_after"] = ("""
    import numpy as np
    def f(y):
        acc = [0.5]
        for e in acc:
            y = y * 2.0 + np.sin(y)
        acc.append(np.mean(y))
        return np.sum(y * y) * acc[-1]
    """, (Y,), 0)
CASES["loop_over_list_appended_inside"] = ("""
    def f(x, c):
        acc = [x, c]
        for e in acc:
            acc.append(e * 1.5)
            if len(acc) > 4:
                break
        return acc[-1] * acc[1] + acc[2]
    """, (0.7, 0.3), (0, 1))

# A helper whose result only decides something (a branch, np.where's condition) ran as its
# forward sweep, pushing values that no reverse sweep popped: the turns after read the wrong
# values back (ValueError, or a wrong gradient; seed 401688)
CASES["helper_result_only_in_condition"] = ("""
    import numpy as np
    def h(a, b):
        return a * np.linspace(0.8, -1.02, 3) * np.array([b, a, -1.24])
    def f(y, z):
        for k in range(3):
            p = y[0] ** 2.0
            q = np.mean(np.ones(3) * y[k])
            y = np.where(h(p, q) > 0.05, z - y, z * y)
            if h(q, p)[1] < 0.0:
                y = y * 2.0
        return np.dot(z * z[-1], y[-2] * y)
    """, (Y, Z), (0, 1))

# A loop's variable re-bound in its body: the reverse sweep set it back to the item at the
# start of each reversed turn, where the statements after the re-binding needed its new value,
# and the values it took in an inner loop were never saved (seeds 400096, 401080)
LOOP_VARIABLE_REBOUND = {
    "in_branch": """
        if e > 0.0:
            e = np.sin(e) * e
        s = s + e * e""",
    "twice": """
        a = e * 2.0
        e = np.sin(a) * e
        s = s + e * e
        e = e * s
        s = s + e""",
    "in_while": """
        while abs(e) < 1.0:
            e = e * 1.5 + 0.1
        s = s + e * e""",
    "in_inner_loop": """
        for k in range(2):
            e = np.cos(e) * e
        s = s + e * s""",
}
for _name, _body in LOOP_VARIABLE_REBOUND.items():
    CASES["loop_variable_rebound_" + _name] = ("""
        import numpy as np
        def f(y):
            s = 0.5
            for e in y:""" + _body.replace("\n        ", "\n                ") + """
            return s
        """, (Y,), 0)

# A straight-line loop body saves its values once, at the end of each turn; a variable the
# body sets afresh that also held a value before the loop got that value back only from the
# end of the first turn, not from before it (seed 400651)
CASES["loop_sets_variable_read_before_it"] = ("""
    def f(y, x):
        v = y[0] * x
        for k in range(1, 3):
            x = 1.37 * k
            w = x * y[1]
        return v * w
    """, (Y, -0.135), (0, 1))

CASES["loop_sets_argument_read_before_it"] = ("""
    def f(y, x):
        v = y[0] * x
        for k in range(1, 3):
            x = 1.37
        return v + x
    """, (Y, -0.135), (0, 1))
# ... and in a straight-line body: the copy of the item into the variable had no line, which
# the save at the end of the turn asks for (AttributeError; seed 602293)
CASES["loop_variable_rebound_straight_line"] = ("""
    def f(y, c):
        s = 0.5
        for e in y:
            s *= e * c
            e = 0.06
        return s + e
    """, (Y, 0.7), (0, 1))

# the adjoint of z is still the reverse sweep's 0.0 when `y[:, None] * z * v` is reversed, and
# 0.0 * v has v's shape (3,), not the (3, 3) of y[:, None] * z it is summed back to (seed 704540)
CASES["zero_adjoint_times_smaller_operand"] = ("""
    import numpy as np
    def f(z, y):
        for k in range(2):
            v = np.diagonal(z) ** 2
            z = y[:, None] * z * v
            out = v[1] * y[0]
        return out
    """, (np.outer(Z, Y) + np.eye(3), Y), (0, 1))

# `for e in v: ... v[3:4] *= e`: each turn reads an item the turns before changed, and the
# reversed loop read the items as the last turn left them (grad 0.0196, true 0.0275; seed
# 722465). The loop is refused; the two rewrites its message suggests are differentiated right.
CASES["loop_by_index_over_array_it_writes"] = ("""
    import numpy as np
    def f(y, x):
        v = np.cos(np.array([x, y[0], y[2], x]))
        for k in range(len(v)):
            e = v[k]
            v[2:3] *= e
        return np.sum(v * v)
    """, (Y, -0.334), (0, 1))
CASES["loop_over_copy_of_array_it_writes"] = ("""
    import numpy as np
    def f(y, x):
        v = np.cos(np.array([x, y[0], y[2], x]))
        for e in v.copy():
            v[2:3] *= e
        return np.sum(v * v)
    """, (Y, -0.334), (0, 1))
# shape inference: a swap makes s a float on one turn and a numpy scalar on the other, and
# 0.0 + a numpy scalar was one alternative where a set of them was expected (TypeError in
# shapes.py; seed 726356)
CASES["swap_of_float_and_numpy_scalar_in_loop"] = ("""
    import numpy as np
    def f(y, x):
        s = np.sum(y[1:3])
        for k in range(2):
            x, s = s, x
        return np.arctan(s + s)
    """, (Y, 0.3), (0, 1))

REFUSED = {
    "write_into_array_looped_over": ("""
        import numpy as np
        def f(y, x):
            v = np.cos(np.array([x, y[0], y[2], x]))
            for e in v:
                v[2:3] *= e
            return np.sum(v * v)
        """, (Y, -0.334), (0, 1)),
    # the items need not vary: a constant array changed as it is gone over gave 30.0, true 6.0
    "constant_array_written_while_looped_over": ("""
        import numpy as np
        def f(x):
            c = np.array([1.0, 2.0, 3.0])
            s = x
            for e in c:
                c[0] = 5.0
                s = s * e
            return s
        """, (0.7,), 0),
    "row_of_matrix_looped_over": ("""
        import numpy as np
        def f(x):
            m = np.array([[1.0, 2.0], [3.0, 4.0]]) * x
            s = 0.0
            for row in m:
                m[1] = m[1] * 2.0
                s = s + np.sum(row * row)
            return s
        """, (0.7,), 0),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_refused_at_the_write(name, transform):
    source, args, wrt = REFUSED[name]
    f = load_function(source, "f")
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    with pytest.raises(srcad.SrcadError, match=r"inside a loop over (v|c|m).*Go over .* by index"):
        if transform == "grad":
            srcad.grad(f, wrt=wrt)(*args)
        else:
            srcad.jvp(f, wrt=wrt)(*args, *[np.ones_like(args[p]) for p in positions])


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("transform", ["grad", "value_and_grad"])
def test_gradient(name, transform):
    source, args, wrt = CASES[name]
    f = load_function(source, "f")
    expected = fd_grad(f, args, wrt)
    if transform == "grad":
        actual = srcad.grad(f, wrt=wrt)(*args)
    else:
        value, actual = srcad.value_and_grad(f, wrt=wrt)(*args)
        assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(actual, expected, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp(name, rng):
    source, args, wrt = CASES[name]
    f = load_function(source, "f")
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    directions = [rng.standard_normal(np.shape(args[p])) if isinstance(args[p], np.ndarray)
                  else float(rng.standard_normal()) for p in positions]
    gradients = fd_grad(f, args, positions)
    expected = sum(float(np.sum(g * d)) for g, d in zip(gradients, directions))
    value, tangent = srcad.jvp(f, wrt=wrt)(*args, *directions)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("source", ["def f(x):\n    return ~x * 1.0\n",
                                    "def f(x):\n    return (x << 1) * 1.0\n",
                                    "def f(x):\n    return (x & 3) * 1.0 + x\n"])
def test_a_bitwise_operator_on_a_differentiated_int_is_refused(source):
    # ints are differentiated as numbers (grad of x * x at 3 is 6.0): ~x is -x - 1 and x << 1 is
    # 2x, whose slopes are not the 0.0 a constant would give; the operators have no rule
    f = load_function(source, "f")
    assert srcad.grad(load_function("def f(x):\n    return x * x\n", "f"))(3) == 6.0
    with pytest.raises(srcad.SrcadError, match="no derivative rule for the operator"):
        srcad.grad(f)(3)


def test_a_bitwise_operator_on_constants_stays_allowed():
    f = load_function("""
        def f(x, n):
            s = x
            for i in range(n):
                if i & 1:
                    s = s * x
                s = s + (i << 1)
            return s
        """, "f")
    assert srcad.grad(f)(0.7, 4) == pytest.approx(fd_grad(f, (0.7, 4), 0), rel=1e-7)
