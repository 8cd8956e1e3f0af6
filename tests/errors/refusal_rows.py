"""The table of refusals: for each, code (or a call of srcad) that srcad refuses, words of the hint
its message gives, and the code (or call) rewritten as that hint says. test_suggestions.py checks
that each refusal gives its hint and that each rewrite is differentiated right;
test_refusal_sites.py checks that every place in srcad that refuses is in this table.
"""
import functools
import linecache
import math
import operator
import zlib

import numpy as np

import srcad
import srcad.tape

try:
    import scipy.special
    import scipy.stats
except ModuleNotFoundError:  # scipy is optional: the rows that call it are skipped without it
    scipy = None

try:
    import numba
except ModuleNotFoundError:  # numba is optional too: the rows of backend="numba" need it
    numba = None

X = np.array([0.5, -1.2, 0.8])
P = {"a": 1.5, "b": 0.5}
M = np.array([[0.5, -0.2, 0.1], [0.3, 0.9, -0.6]])

# name: (refused source, words of the hint, the source rewritten as the hint says, arguments[,
# how]): `how` is the transformation that refuses it, "grad" (the default), "jvp" or "tape"
ROWS = {
    "try": ("""
def f(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y * y
""", "Move the try/except outside", """
def f(x):
    y = x * 2.0
    return y * y
""", (1.5,)),
    "with": ("""
import numpy as np
def f(x):
    with np.errstate(all="ignore"):
        y = np.log(x)
    return y * y
""", "Move the with block outside", """
import numpy as np
def f(x):
    y = np.log(x)
    return y * y
""", (1.5,)),
    "class": ("""
def f(x):
    class Box:
        scale = 2.0
    return x * Box.scale
""", "Define the class at module level", """
class Box:
    scale = 2.0
def f(x):
    return x * Box.scale
""", (1.5,)),
    "global": ("""
TOTAL = 0.0
def f(x):
    global TOTAL
    TOTAL = TOTAL + x
    return TOTAL * x
""", "Pass the value as an argument and return the result", """
def f(x, total=0.0):
    total = total + x
    return total * x
""", (1.5,)),
    "del": ("""
def f(x):
    y = x * 2.0
    z = y * y
    del y
    return z
""", "Remove the del", """
def f(x):
    y = x * 2.0
    z = y * y
    return z
""", (1.5,)),
    "import": ("""
def f(x):
    import math
    return math.sin(x) * x
""", "Import at module level", """
import math
def f(x):
    return math.sin(x) * x
""", (1.5,)),
    "generator": ("""
def terms(x):
    for k in range(3):
        yield x * k
def f(x):
    return sum(terms(x))
""", "Return a list or an array instead", """
def terms(x):
    out = []
    for k in range(3):
        out.append(x * k)
    return out
def f(x):
    return sum(terms(x))
""", (1.5,)),
    "set_comprehension": ("""
def f(x):
    return sum({v * v for v in x})
""", "Build a list", """
def f(x):
    return sum([v * v for v in x])
""", (X,)),
    "dict_comprehension_in_a_while_test": ("""
def f(x):
    n = 0
    while n < len({k: x for k in ("a", "b")}):
        n = n + 1
    return x * n
""", "Assign the dict comprehension to a variable in a statement of its own", """
def f(x):
    n = 0
    size = len({k: x for k in ("a", "b")})
    while n < size:
        n = n + 1
    return x * n
""", (1.5,)),
    "dict_comprehension_over_computed_keys": ("""
def f(x):
    d = {k: x[k] * 2.0 for k in range(3)}
    return d[0] * d[2]
""", "Use constant keys", """
def f(x):
    d = {k: x[i] * 2.0 for k, i in (("first", 0), ("last", 2))}
    return d["first"] * d["last"]
""", (X,)),
    "assignment_expression": ("""
def f(x):
    if (y := x * 2.0) > 1.0:
        return y * y
    return y
""", "Assign in a statement of its own", """
def f(x):
    y = x * 2.0
    if y > 1.0:
        return y * y
    return y
""", (1.5,)),
    "nested_function_as_a_value": ("""
def f(x):
    def twice(v):
        return v * 2.0
    g = twice
    return g(x) * x
""", "Define the function at module level", """
def twice(v):
    return v * 2.0
def f(x):
    g = twice
    return g(x) * x
""", (1.5,)),
    "nested_function_called_before_its_def": ("""
def g(v):
    return v * 10.0
def f(x):
    y = x * 3.0
    if x > 100.0:
        y = g(x)
    def g(v):
        return v * 2.0
    return y + g(x)
""", "Define the nested function before calling it", """
def f(x):
    def g(v):
        return v * 2.0
    y = x * 3.0
    if x > 100.0:
        y = g(x)
    return y + g(x)
""", (1.5,)),
    "nested_function_defined_twice": ("""
def f(x, c=1.0):
    if c > 0:
        def g(v):
            return v * 2.0
    else:
        def g(v):
            return v * 3.0
    return g(x)
""", "Give each nested function a name of its own", """
def f(x, c=1.0):
    def double(v):
        return v * 2.0
    def triple(v):
        return v * 3.0
    if c > 0:
        y = double(x)
    else:
        y = triple(x)
    return y
""", (1.5,)),
    "nested_function_returning_early": ("""
def f(x):
    def soft(v):
        if v > 0.0:
            return v * v
        return -v
    return soft(x) + x
""", "Compute the result in a variable and return it at the end", """
def f(x):
    def soft(v):
        if v > 0.0:
            r = v * v
        else:
            r = -v
        return r
    return soft(x) + x
""", (1.5,)),
    "recursion": ("""
def f(x, n=3):
    if n == 0:
        return x
    return f(x * 1.5, n - 1) * x
""", "Rewrite the recursion as a loop", """
def f(x, n=3):
    factors = []
    for k in range(n):
        factors.append(x * 1.5 ** k)
    out = x * 1.5 ** n
    for v in factors:
        out = out * v
    return out
""", (1.5,)),
    "write_through_a_view": ("""
import numpy as np
def f(x):
    y = x * 1.0
    v = y[1:]
    v[0] = 10.0
    return np.sum(y * y)
""", ".copy()", """
import numpy as np
def f(x):
    y = x * 1.0
    v = y[1:].copy()
    v[0] = 10.0
    return np.sum(y * y)
""", (X,)),
    "starred_unpacking": ("""
def f(x):
    a, *rest = x
    return a * rest[0] + rest[1]
""", "Index the sequence instead", """
def f(x):
    a = x[0]
    rest = x[1:]
    return a * rest[0] + rest[1]
""", (X,)),
    "helper_writing_into_its_argument": ("""
import numpy as np
def put(a):
    a[0] = 2.0 * a[1]
    return a[1] * 1.0
def f(x):
    y = x * 1.0
    v = put(y)
    return np.sum(y * y) + v
""", "Return a new array from the function", """
import numpy as np
def put(a):
    a = a.copy()
    a[0] = 2.0 * a[1]
    return a
def f(x):
    y = x * 1.0
    y = put(y)
    v = y[1] * 1.0
    return np.sum(y * y) + v
""", (X,)),
    "helper_taking_star_args": ("""
def h(*vals):
    return vals[0] * vals[1]
def f(x):
    return h(x, x * 2.0)
""", "Give it one named parameter per argument", """
def h(a, b):
    return a * b
def f(x):
    return h(x, x * 2.0)
""", (1.5,)),
    "np_r_": ("""
import numpy as np
def f(x):
    return np.sum(np.r_[x, x * 2.0] ** 2)
""", "Build the array with np.concatenate or np.stack", """
import numpy as np
def f(x):
    return np.sum(np.concatenate([x, x * 2.0]) ** 2)
""", (X,)),
    "write_into_a_slice_of_a_list": ("""
def f(x):
    y = [x[0], x[1], x[2]]
    y[0:2] = [x[1] * 2.0, x[0]]
    return y[0] * y[1]
""", "Write its elements one by one", """
def f(x):
    y = [x[0], x[1], x[2]]
    y[0] = x[1] * 2.0
    y[1] = x[0]
    return y[0] * y[1]
""", (X,)),
    "in_place_update_of_a_view": ("""
import numpy as np
def f(x):
    y = x * 1.0
    v = y[1:]
    v += 1.0
    return np.sum(y * y)
""", "Write v = v + ... to make a new array", """
import numpy as np
def f(x):
    y = x * 1.0
    v = y[1:]
    v = v + 1.0
    return np.sum(y * y)
""", (X,)),
    "out_keyword": ("""
import numpy as np
def f(x):
    y = np.zeros(3)
    np.multiply(x, 2.0, out=y)
    return np.sum(y * y)
""", "Assign the result instead", """
import numpy as np
def f(x):
    y = np.multiply(x, 2.0)
    return np.sum(y * y)
""", (X,)),
    # ---- statements and expressions refused before anything else (normalize.py)
    "nonlocal": ("""
def outer():
    total = 0.0
    def f(x):
        nonlocal total
        total = total + x
        return total * x
    return f
f = outer()
""", "Pass the value as an argument and return the result", """
def f(x, total=0.0):
    total = total + x
    return total * x
""", (1.5,)),
    "async_def_inside": ("""
def f(x):
    async def later(v):
        return v * 2.0
    return x * x
""", "Use a plain synchronous function", """
def f(x):
    def later(v):
        return v * 2.0
    return x * x
""", (1.5,)),
    "yield_from": ("""
def terms(x):
    yield from [x, x * 2.0]
def f(x):
    return sum(terms(x))
""", "Return a list or an array instead", """
def terms(x):
    return [x, x * 2.0]
def f(x):
    return sum(terms(x))
""", (1.5,)),
    "lambda_inside": ("""
def f(x):
    square = lambda v: v * v
    return square(x) * x
""", "Define a function at module level", """
def square(v):
    return v * v
def f(x):
    return square(x) * x
""", (1.5,)),
    "match": ("""
def f(x, k=1):
    match k:
        case 1:
            y = x * 2.0
        case _:
            y = x
    return y * y
""", "Rewrite it with assignments, if, for and while", """
def f(x, k=1):
    if k == 1:
        y = x * 2.0
    else:
        y = x
    return y * y
""", (1.5,)),
    "assignment_to_an_attribute": ("""
class Box:
    pass
BOX = Box()
def f(x):
    BOX.v = x * 2.0
    return BOX.v * x
""", "Assign to a plain variable", """
def f(x):
    v = x * 2.0
    return v * x
""", (1.5,)),
    "nested_function_name_also_assigned": ("""
def f(x):
    def g(a):
        return a * 2.0
    y = g(x)
    g = 3.0
    return y * g
""", "Define the function at module level", """
def twice(a):
    return a * 2.0
def f(x):
    y = twice(x)
    g = 3.0
    return y * g
""", (1.5,)),
    "loop_else_with_break": ("""
def f(x):
    s = x
    for i in range(3):
        s = s * x
        if s > 100.0:
            break
    else:
        s = s + x * x
    return s
""", "Move the else block after the loop, guarded by a flag", """
def f(x):
    s = x
    finished = True
    for i in range(3):
        s = s * x
        if s > 100.0:
            finished = False
            break
    if finished:
        s = s + x * x
    return s
""", (1.5,)),
    # ---- nested functions (nested.py, expressions.py)
    "nested_function_decorated": ("""
import functools
def f(x):
    @functools.lru_cache
    def g(v):
        return v * 2.0
    return g(x) * x
""", "Define the function at module level", """
def g(v):
    return v * 2.0
def f(x):
    return g(x) * x
""", (1.5,)),
    "nested_function_with_star_args": ("""
def f(x):
    def g(*vs):
        return vs[0] * vs[1]
    return g(x, 2.0)
""", "Define the function at module level", """
def g(a, b):
    return a * b
def f(x):
    return g(x, 2.0)
""", (1.5,)),
    "nested_function_computed_default": ("""
def f(x):
    def g(v, c=x * 2.0):
        return v * c
    return g(x)
""", "Define the function at module level and pass it what it reads as arguments", """
def g(v, c):
    return v * c
def f(x):
    return g(x, x * 2.0)
""", (1.5,)),
    "nested_function_using_nonlocal": ("""
def f(x):
    s = x * 1.0
    def g(v):
        nonlocal s
        s = s + v
        return v * 2.0
    y = g(x)
    return y + s
""", "Define the function at module level and pass it what it reads as arguments", """
def g(v, s):
    s = s + v
    return v * 2.0, s
def f(x):
    s = x * 1.0
    y, s = g(x, s)
    return y + s
""", (1.5,)),
    "nested_function_called_with_star_args": ("""
def f(x):
    def g(a, b):
        return a * b
    pair = (x, 2.0)
    return g(*pair)
""", "Pass the arguments one by one", """
def f(x):
    def g(a, b):
        return a * b
    pair = (x, 2.0)
    return g(pair[0], pair[1])
""", (1.5,)),
    "nested_function_called_wrongly": ("""
def f(x):
    def g(a, b):
        return a * b
    if x > 100.0:
        return g(x)
    return g(x, 2.0)
""", "Call it as g(a, b)", """
def f(x):
    def g(a, b):
        return a * b
    if x > 100.0:
        return g(x, 1.0)
    return g(x, 2.0)
""", (1.5,)),
    "nested_function_calling_itself": ("""
def f(x):
    def power(v, n):
        if n == 0:
            r = 1.0
        else:
            r = v * power(v, n - 1)
        return r
    return power(x, 3)
""", "Rewrite the recursion as a loop", """
def f(x):
    def power(v, n):
        r = 1.0
        for _ in range(n):
            r = r * v
        return r
    return power(x, 3)
""", (1.5,)),
    # ---- calls of the user's helpers (ir.py)
    "helper_called_with_star_args": ("""
def h(a, b):
    return a * b
def f(x):
    pair = (x, 2.0)
    return h(*pair)
""", "Pass the arguments one by one", """
def h(a, b):
    return a * b
def f(x):
    pair = (x, 2.0)
    return h(pair[0], pair[1])
""", (1.5,)),
    "helper_called_wrongly": ("""
def h(a, b):
    return a * b
def f(x):
    if x > 100.0:
        return h(x, 2.0, 3.0)
    return h(x, 2.0)
""", "Call it as h(a, b)", """
def h(a, b):
    return a * b
def f(x):
    if x > 100.0:
        return h(x, 6.0)
    return h(x, 2.0)
""", (1.5,)),
    # ---- operators and calls without a derivative (transform/adjoints.py, forward.py)
    "call_with_star_args": ("""
def f(x):
    return max(*x) * x[0]
""", "Pass arguments one by one", """
def f(x):
    return max(x[0], x[1], x[2]) * x[0]
""", (X,)),
    "method_call_on_a_differentiated_value": ("""
def f(x):
    return x.conjugate() * x
""", "use numpy functions on arrays", """
import numpy as np
def f(x):
    return np.real(x) * x
""", (1.5,)),
    "and_or_on_a_value": ("""
def f(x):
    y = x > 1.0 and 2.0 * x
    return y * x
""", "Use an if statement", """
def f(x):
    if x > 1.0:
        y = 2.0 * x
    else:
        y = False
    return y * x
""", (1.5,)),
    "and_or_on_a_value_forward": ("""
def f(x):
    y = x > 1.0 and 2.0 * x
    return y * x
""", "Use an if statement", """
def f(x):
    if x > 1.0:
        y = 2.0 * x
    else:
        y = False
    return y * x
""", (1.5,), "jvp"),
    "rule_without_that_argument": ("""
import numpy as np
def f(x):
    points, step = np.linspace(0.0, x, 5, retstep=True)
    return points[1] * step
""", "Call it without that argument", """
import numpy as np
def f(x):
    points = np.linspace(0.0, x, 5)
    step = points[1] - points[0]
    return points[1] * step
""", (1.5,)),
    "rule_without_that_argument_forward": ("""
import numpy as np
def f(x):
    points, step = np.linspace(0.0, x, 5, retstep=True)
    return points[1] * step
""", "Call it without that argument", """
import numpy as np
def f(x):
    points = np.linspace(0.0, x, 5)
    step = points[1] - points[0]
    return points[1] * step
""", (1.5,), "jvp"),
    "keywords_to_a_defvjp_rule": ("""
import srcad
def scaled(a, b=1.0):
    return a * b
srcad.defvjp(scaled, lambda g, ans, a, b=1.0: (g * b, g * a))
def f(x):
    return scaled(x, b=2.0) * x
""", "Pass its arguments by position", """
import srcad
def scaled(a, b=1.0):
    return a * b
srcad.defvjp(scaled, lambda g, ans, a, b=1.0: (g * b, g * a))
def f(x):
    return scaled(x, 2.0) * x
""", (1.5,)),
    "keywords_to_a_defjvp_rule": ("""
import srcad
def scaled(a, b=1.0):
    return a * b
srcad.defjvp(scaled, lambda d, ans, a, b=1.0: d[0] * b + (d[1] * a if d[1] is not None else 0.0))
def f(x):
    return scaled(x, b=2.0) * x
""", "Pass its arguments by position", """
import srcad
def scaled(a, b=1.0):
    return a * b
srcad.defjvp(scaled, lambda d, ans, a, b=1.0: d[0] * b + (d[1] * a if d[1] is not None else 0.0))
def f(x):
    return scaled(x, 2.0) * x
""", (1.5,), "jvp"),
    "no_derivative_rule": ("""
import numpy as np
shift = np.frompyfunc(lambda v: v + 1.0, 1, 1)  # a ufunc of this module alone
def f(x):
    return shift(x * 4.0) ** 2
""", "Register one with srcad.defvjp(shift, rule)", """
import numpy as np
import srcad
shift = np.frompyfunc(lambda v: v + 1.0, 1, 1)
srcad.defvjp(shift, lambda g, ans, x: g)
def f(x):
    return shift(x * 4.0) ** 2
""", (1.5,)),
    "no_forward_derivative_rule": ("""
import numpy as np
shift = np.frompyfunc(lambda v: v + 1.0, 1, 1)  # a ufunc of this module alone
def f(x):
    return shift(x * 4.0) ** 2
""", "Register one with srcad.defjvp(shift, rule)", """
import numpy as np
import srcad
shift = np.frompyfunc(lambda v: v + 1.0, 1, 1)
srcad.defjvp(shift, lambda d, ans, x: d[0])
def f(x):
    return shift(x * 4.0) ** 2
""", (1.5,), "jvp"),
    "method_call_changing_a_value": ("""
def f(x):
    ys = [x, x * 2.0]
    ys.insert(0, x * 3.0)
    return ys[0] * ys[1]
""", "Build the list with append only, or assign a new value", """
def f(x):
    ys = [x, x * 2.0]
    ys = [x * 3.0, ys[0], ys[1]]
    return ys[0] * ys[1]
""", (1.5,)),
    "method_call_changing_a_value_forward": ("""
def f(x):
    ys = [x, x * 2.0]
    ys.insert(0, x * 3.0)
    return ys[0] * ys[1]
""", "Build the list with append only, or assign a new value", """
def f(x):
    ys = [x, x * 2.0]
    ys = [x * 3.0] + ys
    return ys[0] * ys[1]
""", (1.5,), "jvp"),
    # ---- calls for their effect, derivatives srcad made (transform/calls.py, reverse_tape.py)
    "library_call_for_its_effect": ("""
import colorsys
def f(x):
    colorsys.hsv_to_rgb(0.3, 0.5, x)
    return x * x
""", "Assign the result of a function that returns a new value instead", """
import colorsys
def f(x):
    rgb = colorsys.hsv_to_rgb(0.3, 0.5, 0.5)
    return x * x
""", (1.5,)),
    "derivative_srcad_made_with_two_wrt": ("""
import srcad
def g(x, y):
    return x * y * y
dg = srcad.grad(g, wrt=(0, 1))
def f(x):
    return dg(x, 2.0)[0] * x
""", "Call srcad.grad(g) (one wrt)", """
import srcad
def g(x, y):
    return x * y * y
dg = srcad.grad(g, wrt=0)
def f(x):
    return dg(x, 2.0) * x
""", (1.5,)),
    "helper_changing_a_list_it_is_given": ("""
def grow(xs):
    xs.append(xs[0] * 2.0)
    return 1.0
def f(x):
    ys = [x]
    grow(ys)
    return ys[0] * ys[1]
""", "Return the new values from the function instead", """
def grow(xs):
    return [xs[0], xs[0] * 2.0]
def f(x):
    ys = [x]
    ys = grow(ys)
    return ys[0] * ys[1]
""", (1.5,)),
    "helper_changing_a_list_through_another_name": ("""
def grow(xs):
    q = xs
    q.append(xs[0] * 2.0)
    return 1.0
def f(x):
    ys = [x]
    grow(ys)
    return ys[0] * ys[1]
""", "Change it in grow itself (xs.append(v))", """
def grow(xs):
    xs.append(xs[0] * 2.0)
    return 1.0
def f(x):
    ys = [x]
    grow(ys)
    return ys[0] * ys[1]
""", (1.5,), "jvp"),
    # ---- writes into memory (writes.py, runtime/containers.py)
    "writer_function": ("""
import numpy as np
def f(x):
    y = x * 1.0
    np.put(y, [0], x[1] * 5.0)
    return np.sum(y * y)
""", "Assign a new array instead", """
import numpy as np
def f(x):
    y = x * 1.0
    y = np.concatenate([[x[1] * 5.0], y[1:]])
    return np.sum(y * y)
""", (X,)),
    "ufunc_at": ("""
import numpy as np
def f(x):
    y = np.zeros(3)
    i = [0, 1, 0]
    np.add.at(y, i, x)
    return np.sum(y * y)
""", "Add in a loop instead", """
import numpy as np
def f(x):
    y = np.zeros(3)
    i = [0, 1, 0]
    for k in range(len(i)):
        y[i[k]] += x[k]
    return np.sum(y * y)
""", (X,)),
    "library_call_changing_an_array": ("""
import numpy as np
def f(x):
    y = x * 1.0
    np.random.shuffle(y)
    return np.sum(y * x)
""", "Assign a new array instead", """
import numpy as np
def f(x):
    y = x * 1.0
    order = [2, 0, 1]  # a permutation chosen outside (np.random.permutation(3))
    y = y[order]
    return np.sum(y * x)
""", (X,)),
    "write_into_a_global": ("""
import numpy as np
G = np.zeros(3)
def f(x):
    G[0] = x[0] * 2.0
    return np.sum(G * x)
""", "under a new name", """
import numpy as np
G = np.zeros(3)
def f(x):
    mine = G.copy()
    mine[0] = x[0] * 2.0
    return np.sum(mine * x)
""", (X,)),
    "write_through_a_view_of_a_global": ("""
import numpy as np
G = np.zeros(3)
def f(x):
    v = G[1:]
    v[0] = x[0] * 2.0
    return np.sum(v * x[1:])
""", "take it with np.array(...) where v is read from G", """
import numpy as np
G = np.zeros(3)
def f(x):
    v = np.array(G[1:])
    v[0] = x[0] * 2.0
    return np.sum(v * x[1:])
""", (X,)),
    "write_through_a_view_of_an_argument": ("""
import numpy as np
def f(x):
    v = x[1:]
    v[0] = x[0] * 2.0
    return np.sum(v * v)
""", "take it with .copy() where v is read from x", """
import numpy as np
def f(x):
    v = x[1:].copy()
    v[0] = x[0] * 2.0
    return np.sum(v * v)
""", (X,)),
    "in_place_update_of_a_view_of_an_argument": ("""
import numpy as np
def f(x):
    v = x[1:]
    v += x[0]
    return np.sum(v * v)
""", "Write v = v + ... to make a new array", """
import numpy as np
def f(x):
    v = x[1:]
    v = v + x[0]
    return np.sum(v * v)
""", (X,)),
    "write_into_what_a_row_read_before_views": ("""
import numpy as np
def f(x, i=0, j=0):
    y = np.outer(x, x)
    r = y[i]
    y[j, 1] = x[0] * 5.0
    return np.sum(r * x)
""", "Take a copy when reading: r = y[...].copy()", """
import numpy as np
def f(x, i=0, j=0):
    y = np.outer(x, x)
    r = y[i].copy()
    y[j, 1] = x[0] * 5.0
    return np.sum(r * x)
""", (X,)),
    # ---- containers inside f (containers.py, pipeline.py)
    "method_of_a_dict": ("""
def f(p):
    return p.get("a") * p["b"]
""", "read its items by key", """
def f(p):
    return p["a"] * p["b"]
""", (P,)),
    "dict_literal_with_computed_keys": ("""
def f(x):
    k = "a"
    d = {k: x * 2.0}
    return d["a"] * x
""", "Use constant keys", """
def f(x):
    d = {"a": x * 2.0}
    return d["a"] * x
""", (1.5,)),
    "loop_changing_a_containers_structure": ("""
def f(x):
    d = {"a": x}
    for i in range(2):
        d = {"a": d["a"] * x, "b": x}
    return d["a"] * d["b"]
""", "build a new container under another name", """
def f(x):
    d = {"a": x}
    a = d["a"]
    for i in range(2):
        a = a * x
    e = {"a": a, "b": x}
    return e["a"] * e["b"]
""", (1.5,)),
    "container_of_a_path": ("""
def f(x):
    if x > 0.0:
        d = {"a": x * 2.0}
    else:
        d = {"b": x}
    if x > 0.0:
        return d["a"]
    return d["b"]
""", "Give it the same keys and items on every path", """
def f(x):
    if x > 0.0:
        d = {"a": x * 2.0, "b": 0.0}
    else:
        d = {"a": 0.0, "b": x}
    if x > 0.0:
        return d["a"]
    return d["b"]
""", (1.5,)),
    "write_into_a_dict_at_a_computed_key": ("""
def f(p, k="a"):
    d = {"a": p["a"], "b": p["b"]}
    d[k] = p["b"] * 2.0
    return d["a"] * d["b"]
""", "Use constant keys, or an array", """
def f(p, k="a"):
    d = {"a": p["a"], "b": p["b"]}
    if k == "a":
        d["a"] = p["b"] * 2.0
    else:
        d["b"] = p["b"] * 2.0
    return d["a"] * d["b"]
""", (P,)),
    "write_into_a_dict_another_name_holds": ("""
def f(p):
    d = {"a": p["a"], "b": p["b"]}
    e = d
    d["a"] = p["b"] * 3.0
    return e["a"] * d["b"]
""", "Build a new container instead", """
def f(p):
    d = {"a": p["a"], "b": p["b"]}
    e = d
    d = {"a": p["b"] * 3.0, "b": d["b"]}
    e = d
    return e["a"] * d["b"]
""", (P,)),
    "adding_a_key_in_a_branch": ("""
def f(p):
    d = {"a": p["a"]}
    if p["a"] > 0.0:
        d["b"] = p["b"]
        return d["a"] * d["b"]
    return d["a"]
""", "Give a container all its keys where it is made", """
def f(p):
    d = {"a": p["a"], "b": 0.0}
    if p["a"] > 0.0:
        d["b"] = p["b"]
        return d["a"] * d["b"]
    return d["a"]
""", (P,)),
    "break_in_a_loop_over_a_container": ("""
def f(p):
    s = 0.0
    for k, v in p.items():
        if v < 1.0:
            break
        s = s + v * v
    return s
""", "move the test into an if", """
def f(p):
    s = 0.0
    going = True
    for k, v in p.items():
        if v < 1.0:
            going = False
        if going:
            s = s + v * v
    return s
""", (P,)),
    "item_changing_structure_in_a_branch": ("""
def f(p):
    d = {"a": p["a"], "b": p["b"]}
    if p["a"] > 0.0:
        d["a"] = {"c": p["b"]}
        return d["a"]["c"] * d["b"]
    return d["b"]
""", "Give the item the same structure on every path", """
def f(p):
    d = {"a": p["a"], "b": p["b"]}
    if p["a"] > 0.0:
        e = {"a": {"c": p["b"]}, "b": d["b"]}
        return e["a"]["c"] * e["b"]
    return d["b"]
""", (P,)),
    "container_to_a_helper_inside_an_expression": ("""
def h(p):
    return p["a"] * p["b"]
def f(p):
    return h(p) * 2.0 if p["a"] > 0.0 else 0.0
""", "Call it in a statement of its own", """
def h(p):
    return p["a"] * p["b"]
def f(p):
    r = h(p)
    return r * 2.0 if p["a"] > 0.0 else 0.0
""", (P,)),
    "container_to_a_helper_with_two_returns": ("""
def h(p):
    if p["a"] > 100.0:
        return p["a"]
    return p["a"] * 2.0
def f(p):
    r = h(p)
    return r * p["b"]
""", "Pass its items one by one", """
def h(a):
    if a > 100.0:
        return a
    return a * 2.0
def f(p):
    r = h(p["a"])
    return r * p["b"]
""", (P,)),
    "container_to_a_recursive_helper": ("""
def h(p, n):
    if n == 0:
        r = p["a"]
    else:
        r = h({"a": p["a"] * 2.0}, n - 1)
    return r
def f(p):
    r = h(p, 2)
    return r * p["b"]
""", "Rewrite the recursion as a loop", """
def h(p, n):
    r = p["a"]
    for _ in range(n):
        r = r * 2.0
    return r
def f(p):
    r = h(p, 2)
    return r * p["b"]
""", (P,)),
    "reading_a_dict_at_a_computed_key": ("""
def f(p, k="a"):
    return p[k] * p["b"]
""", "Read it at constant keys", """
def f(p, k="a"):
    if k == "a":
        v = p["a"]
    else:
        v = p["b"]
    return v * p["b"]
""", (P,)),
    "returns_of_different_structures": ("""
def f(x):
    if x > 100.0:
        return {"a": x}
    return {"a": x * x, "b": x}
""", "Return containers of one structure from every return", """
def f(x):
    if x > 100.0:
        return {"a": x, "b": 0.0}
    return {"a": x * x, "b": x}
""", (1.5,), "jvp"),
    "in_place_operator_on_a_dict": ("""
def f(p):
    d = {"a": p["a"]}
    d |= {"b": p["b"]}
    return d["a"] * d["b"]
""", "Build a new container", """
def f(p):
    d = {"a": p["a"]}
    d = d | {"b": p["b"]}
    return d["a"] * d["b"]
""", (P,)),
    "unpacking_too_many_names": ("""
def f(p):
    if p["t"][0] > 100.0:
        a, b, c = p["t"]
        return c
    a, b = p["t"]
    return a * b
""", "Unpack as many names as it has items", """
def f(p):
    if p["t"][0] > 100.0:
        a, b = p["t"]
        return b
    a, b = p["t"]
    return a * b
""", ({"t": (1.5, 2.0)},)),
    "reading_a_key_an_argument_does_not_have": ("""
def f(p):
    if p["a"] > 100.0:
        return p["c"]
    return p["a"] * p["b"]
""", "Read only what the argument holds", """
def f(p):
    if p["a"] > 100.0:
        return p["a"]
    return p["a"] * p["b"]
""", (P,)),
    "helper_with_a_container_called_wrongly": ("""
def h(p, q):
    return p["a"] * q
def f(p):
    if p["a"] > 100.0:
        return h({"a": p["a"]}, 2.0, 3.0)
    return h({"a": p["a"]}, p["b"])
""", "Call it as h(p, q)", """
def h(p, q):
    return p["a"] * q
def f(p):
    if p["a"] > 100.0:
        return h({"a": p["a"]}, 6.0)
    return h({"a": p["a"]}, p["b"])
""", (P,)),
    "helper_returning_a_dict_inside_an_expression": ("""
def h(x):
    return {"a": x * 2.0}
def f(x):
    return h(x)["a"] * x if x > 0.0 else x
""", "Call it in a statement of its own", """
def h(x):
    return {"a": x * 2.0}
def f(x):
    r = h(x)
    return r["a"] * x if x > 0.0 else x
""", (1.5,)),
    "async_comprehension": ("""
def f(x):
    pending = (v * v async for v in x)
    return x[0] * x[1]
""", "Write a plain comprehension (for, not async for)", """
def f(x):
    pending = (v * v for v in x)
    return x[0] * x[1]
""", (X,)),
    "dict_as_a_whole": ("""
def f(p):
    names = sorted(p)
    return p[names[0]] * p["b"]
""", "Read its items (p['w'], p.w), loop over it", """
def f(p):
    total = 0.0
    for k, v in p.items():
        if k == "a":
            total = total + v
    return total * p["b"]
""", (P,)),
    "operator_on_a_dict": ("""
def f(p):
    d = {"a": p["a"]}
    e = d + {"b": p["b"]}
    return e["a"] * e["b"]
""", "Build the new container as a literal of the items", """
def f(p):
    d = {"a": p["a"]}
    e = {"a": d["a"], "b": p["b"]}
    return e["a"] * e["b"]
""", (P,)),
    "list_concatenation": ("""
def f(x):
    ys = [x, x * 2.0]
    zs = ys + [x * 3.0]
    return zs[0] * zs[2]
""", "use numpy arrays", """
import numpy as np
def f(x):
    ys = np.array([x, x * 2.0])
    zs = np.concatenate([ys, [x * 3.0]])
    return zs[0] * zs[2]
""", (1.5,)),
    # ---- the tape (srcad.tape): each refusal's suggestion, recorded by the tape
    "tape_math_function": ("""
import math
def f(x):
    return math.sin(x) * x
""", "Use the numpy spelling", """
import numpy as np
def f(x):
    return np.sin(x) * x
""", (1.5,), "tape"),
    "tape_np_array_of_traced_values": ("""
import numpy as np
def f(x):
    return np.sum(np.array([x[0], x[1]]) ** 2)
""", "Pass it to numpy functions as it is", """
import numpy as np
def f(x):
    return np.sum(np.stack([x[0], x[1]]) ** 2)
""", (X,), "tape"),
    "tape_assignment_into_an_array": ("""
import numpy as np
def f(x):
    y = x * 2.0
    y[0] = x[1]
    return np.sum(y * x)
""", "Build a new array instead", """
import numpy as np
def f(x):
    y = x * 2.0
    y = np.concatenate([x[1:2], y[1:]])
    return np.sum(y * x)
""", (X,), "tape"),
    "tape_store_into_a_plain_array": ("""
import numpy as np
G = np.array([1.5, -0.5, 2.0, 0.25])
def f(x):
    v = G[1:].copy()
    v[0] = x[0] * x[1]
    return np.sum(v * v) + G[0] * x[2]
""", "Build the array from traced values with np.concatenate", """
import numpy as np
G = np.array([1.5, -0.5, 2.0, 0.25])
def f(x):
    v = np.concatenate([np.stack([x[0] * x[1]]), G[2:]])
    return np.sum(v * v) + G[0] * x[2]
""", (X,), "tape"),
    "tape_ufunc_method": ("""
import numpy as np
def f(x):
    return np.add.reduce(x * x)
""", "a reduction such as np.sum", """
import numpy as np
def f(x):
    return np.sum(x * x)
""", (X,), "tape"),
    "tape_pow_with_a_modulus": ("""
def f(x):
    return pow(x, 2, 7)
""", "Use x ** y % m", """
def f(x):
    return x ** 2 % 7
""", (3,), "tape"),
    "tape_no_derivative_rule": ("""
import numpy as np
shift = np.frompyfunc(lambda v: v + 1.0, 1, 1)  # a ufunc of this module alone
def f(x):
    return np.sum(np.sin(shift(x).astype(float)))
""", "Register one with srcad.defvjp(np.", """
import numpy as np
import srcad
shift = np.frompyfunc(lambda v: v + 1.0, 1, 1)
srcad.defvjp(shift, lambda g, ans, x: g)
def f(x):
    return np.sum(np.sin(shift(x).astype(float)))
""", (X,), "tape"),
    "tape_keyword_the_rule_does_not_take": ("""
import numpy as np
def f(x):
    return np.sum(np.linspace(0.0, x[0], 3, retstep=False))
""", "Drop it", """
import numpy as np
def f(x):
    return np.sum(np.linspace(0.0, x[0], 3))
""", (X,), "tape"),
    "tape_traced_keyword_the_rule_does_not_name": ("""
import numpy as np
import srcad
srcad.defvjp(np.real_if_close, lambda g, ans, a, **options: g)
def f(x):
    return np.sum(np.real_if_close(x * x, tol=x[0] * 0.0 + 100.0))
""", "Pass a constant as tol=", """
import numpy as np
import srcad
srcad.defvjp(np.real_if_close, lambda g, ans, a, **options: g)
def f(x):
    return np.sum(np.real_if_close(x * x, tol=100.0))
""", (X,), "tape"),
    "tape_in_place_operation": ("""
import numpy as np
def f(x):
    y = np.zeros(3)
    np.multiply(x, 2.0, out=y)
    return np.sum(y * y)
""", "use the returned value", """
import numpy as np
def f(x):
    y = np.multiply(x, 2.0)
    return np.sum(y * y)
""", (X,), "tape"),
    # checkpoints= (transform/checkpointed.py): a snapshot of a loop's state keeps references,
    # so a checkpointed loop may not change values in place
    "checkpointed_loop_writing_into_an_array": ("""
import numpy as np
def f(x):
    a = np.zeros(3)
    s = 0.0
    for i in range(3):
        a[i] = x * i
        s = s + a[i] * x
    return s
""", "Build a new value each turn", """
def f(x):
    s = 0.0
    for i in range(3):
        a_i = x * i
        s = s + a_i * x
    return s
""", (1.5,), "checkpoints"),
    "checkpointed_loop_changing_an_array_in_place": ("""
import numpy as np
def f(x):
    a = np.ones(3)
    for i in range(3):
        a += x * a
    return np.sum(a)
""", "Build a new value each turn", """
import numpy as np
def f(x):
    a = np.ones(3)
    for i in range(3):
        a = a + x * a
    return np.sum(a)
""", (0.5,), "checkpoints"),
    "checkpointed_loop_appending": ("""
def f(x):
    xs = [x]
    for i in range(3):
        xs.append(xs[-1] * x)
    return xs[-1]
""", "Build a new value each turn", """
def f(x):
    last = x
    for i in range(3):
        last = last * x
    return last
""", (1.5,), "checkpoints"),
    "checkpointed_loop_calling_a_writer": ("""
def note(xs, v):
    xs.append(v)
    return v * 2.0
def f(x):
    xs = []
    s = 0.0
    for i in range(3):
        t = note(xs, i)
        s = s + t * x * len(xs)
    return s
""", "Build a new value each turn", """
def f(x):
    count = 0
    s = 0.0
    for i in range(3):
        t = i * 2.0
        count = count + 1
        s = s + t * x * count
    return s
""", (1.5,), "checkpoints"),
    "bitwise_operator_on_an_int": ("""
def f(x):
    return (~x) * 1.5 + x * x
""", "Write ~x as -x - 1", """
def f(x):
    return (-x - 1) * 1.5 + x * x
""", (3,)),
    "shift_on_an_int": ("""
def f(x):
    return (x << 2) * 0.5 + x
""", "Write x << k as x * 2 ** k", """
def f(x):
    return (x * 2 ** 2) * 0.5 + x
""", (3,)),
    "bitwise_and_on_an_int_forward": ("""
def f(x):
    return (x & 6) * 0.5 + x * x
""", "leave the int out of wrt", """
def f(x, mask=6):
    return mask * 0.5 + x * x
""", (6,), "jvp"),
    "frozen_distribution_passed_in": ("""
import scipy.stats
def f(x, dist=scipy.stats.norm(0.5, 2.0)):
    return dist.logpdf(x) * x
""", "pass its parameters and call scipy.stats.norm.logpdf(x, loc, scale)", """
import scipy.stats
def f(x, loc=0.5, scale=2.0):
    return scipy.stats.norm.logpdf(x, loc, scale) * x
""", (1.5,)),
    "change_of_an_item_of_a_list_of_lists": ("""
def f(x):
    rows = [[0.0] * 3 for _ in range(3)]
    for i in range(3):
        for j in range(3):
            rows[i][j] = x[i] * x[j]
    return rows[1][2] + sum(rows[0])
""", "Fill each row before it goes into the list", """
def f(x):
    rows = []
    for i in range(3):
        row = [0.0] * 3
        for j in range(3):
            row[j] = x[i] * x[j]
        rows.append(row)
    return rows[1][2] + sum(rows[0])
""", (X,)),
    "write_into_what_a_loop_goes_over": ("""
import numpy as np
def f(x):
    a = x * 2.0
    for v in a:
        a[-1] = a[-1] + v * v
    return np.sum(a)
""", "Go over a by index instead", """
import numpy as np
def f(x):
    a = x * 2.0
    for k in range(len(a)):
        v = a[k]
        a[-1] = a[-1] + v * v
    return np.sum(a)
""", (X,)),
}


# Refusals of how srcad is called rather than of the code it reads: a call of srcad that is
# refused, words of its hint, the call made as the hint says, and what that call must give
# (by an independent oracle). The functions are those of USAGE_SOURCE.
USAGE_SOURCE = '''
import functools
import numpy as np
import math


def cube(x):
    return x * x * x


def cumulative_products(x):
    return np.sum(np.cumprod(x))


def cholesky_sum(a):
    return np.sum(np.linalg.cholesky(a))


def cube_of_a_dict(p):
    return p["x"] * p["x"] * p["x"]


def square(x):
    return x * x


def product(x, y):
    return x * y * y


def first_doubled(*xs):
    return xs[0] * 2.0


def keywords_only(**values):
    return values["a"] * 2.0


def summed_along(x, k):
    return np.sum(np.sum(x * x, axis=k))


def using_the_trace_name(x):
    _srcad_trace_ = x * x
    return _srcad_trace_


def renamed(x):
    recorded = x * x
    return recorded


def doubled(x):
    return x * 2.0


def first_item(x):
    return x[0]


class Magnitude:
    __call__ = math.fabs  # a builtin: no Python function to read


magnitude = Magnitude()


def with_a(a):
    return a * 2.0


def doubled_item(p):
    return p["a"] * 2.0


def scaled_by_c(c, p):
    return c["s"] * p["a"] ** 2 * p["b"]


def doubled_items(p):
    return {"a": p["a"] * 2.0}


def squared_real_part(re, im):
    return re * re - im * im


def shown(x):
    return f"{x}"


def as_number(x):
    return x * 1.0


def times_i(x):
    return x * 1j


def normal_sf(x):
    return 0.5 * math.erfc(x / math.sqrt(2.0))


def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


wrapped_cube = logged(cube)


class Scaler:
    factor = 3.0


def scaled(x):
    return x * Scaler.factor


scaler = Scaler()


def scaled_by_an_object(x):
    return x * scaler.factor


def peak(x):
    return np.max(x) * 2.0


def running_total(x):
    return np.sum(np.cumsum(x))


def first_doubled_of_pair(p):
    return p[0] * 2.0


def outer_sum(c, r):
    return np.sum(c * r)


def power(x, p):
    return x ** p


async def later(x):
    return x * x
'''


def _lambda_of_a_cell_that_no_longer_parses():
    """A lambda of a notebook cell whose text linecache holds was edited into one that does not
    parse: srcad reads the lambda's line alone, which does not parse either."""
    filename = "<srcad-test-cell-edited>"
    namespace = {}
    exec(compile("f = (lambda x: x * 2.0)\n", filename, "exec"), namespace)
    lines = ["f = (lambda x: x * 2.0) +\n"]
    linecache.cache[filename] = (len(lines[0]), None, lines, filename)
    return namespace["f"]


def _dask_array(x, chunks=2):
    import dask.array  # optional: the row that calls this is skipped without dask
    return dask.array.from_array(x, chunks=chunks)


DIAGONAL = np.diag([4.0, 9.0, 1.0])  # L = diag(2, 3, 1): dL = dA_ij / L_jj below, dA_ii / (2 L_ii) on it


C = {"s": 1.5}


def _blocks(jacobian):
    """The blocks of a Jacobian (with respect to C) of the gradients with respect to (C, P)."""
    grad_c, grad_p = jacobian
    return np.array([grad_c["s"]["s"], grad_p["a"]["s"], grad_p["b"]["s"]])


# name: (the refused call, words of the hint, the call as the hint says, what it must give)
USAGE = {
    "hessian_of_two_arguments": (
        lambda m: srcad.hessian(m.product, wrt=(0, 1))(1.5, 2.0), "Differentiate with respect to one argument",
        lambda m: srcad.hessian(m.product, wrt=1)(1.5, 2.0), lambda m: 2.0 * 1.5),
    "jacobian_mode": (
        lambda m: srcad.jacobian(m.square, mode="backward")(X), "mode is 'reverse' or 'forward'",
        lambda m: srcad.jacobian(m.square, mode="forward")(X), lambda m: np.diag(2.0 * X)),
    "jvp_without_a_tangent": (
        lambda m: srcad.jvp(m.product, wrt=(0, 1))(1.5), "one tangent per wrt argument",
        lambda m: srcad.jvp(m.product, wrt=(0, 1))(1.5, 2.0, 1.0, 0.0)[1], lambda m: 2.0 * 2.0),
    "source_mode": (
        lambda m: srcad.source(m.square, mode="tangent"), "mode is 'reverse' or 'forward'",
        lambda m: "dx" in srcad.source(m.square, mode="forward"), lambda m: True),
    "source_of": (
        lambda m: srcad.source(m.square, of="pullback"), "of is 'vjp', 'value_and_grad' or 'grad'",
        lambda m: "def " in srcad.source(m.square, of="vjp"), lambda m: True),
    "checkpoints_value": (
        lambda m: srcad.grad(m.cube, checkpoints=0)(1.5), "checkpoints='sqrt'",
        lambda m: srcad.grad(m.cube, checkpoints="sqrt")(1.5), lambda m: 3.0 * 1.5 ** 2),
    "checkpoint_of_a_library_function": (
        lambda m: srcad.grad(srcad.checkpoint(np.tanh))(0.5), "Wrap the call in a function of your own",
        lambda m: srcad.grad(srcad.checkpoint(lambda x: np.tanh(x)))(0.5), lambda m: 1.0 - np.tanh(0.5) ** 2),
    "gradient_with_checkpoints_differentiated_again": (
        lambda m: srcad.grad(srcad.grad(m.cube, checkpoints=2))(1.5), "inner gradient with checkpoints=None",
        lambda m: srcad.grad(srcad.grad(m.cube))(1.5), lambda m: 6.0 * 1.5),
    "export_of_a_gradient": (
        lambda m: srcad.export(srcad.grad(m.cube)), "Export the function it differentiates",
        lambda m: "def cube_grad(x):" in srcad.export(m.cube), lambda m: True),
    "export_of_a_container_argument": (
        lambda m: srcad.export(m.cube_of_a_dict, args=({"x": 1.5},)), "Pass the container's numbers as separate",
        lambda m: "def cube_grad(x):" in srcad.export(m.cube), lambda m: True),
    "export_of_an_object": (
        lambda m: srcad.export(m.scaled_by_an_object), "Pass scaler as an argument",
        lambda m: "class Scaler:" in srcad.export(m.scaled), lambda m: True),
    "backend_unknown": (
        lambda m: srcad.grad(m.square, backend="cuda"), "Pass backend='python' or backend='numba'",
        lambda m: srcad.grad(m.square, backend="python")(1.5), lambda m: 3.0),
    "numba_backend_star_args": (
        lambda m: srcad.grad(m.first_doubled, backend="numba"), "Use backend='python' for it",
        lambda m: srcad.grad(m.first_doubled, backend="python")(1.5), lambda m: 2.0),
    "numba_backend_containers": (
        lambda m: srcad.grad(m.first_doubled_of_pair, backend="numba")((1.5, 0.5)), "Use backend='python' for containers",
        lambda m: srcad.grad(m.first_doubled_of_pair, backend="python")((1.5, 0.5)), lambda m: (2.0, 0.0)),
    "numba_backend_untyped_argument": (
        lambda m: srcad.grad(m.doubled_item, backend="numba")({"a": 1.5}), "use backend='python' for containers and objects",
        lambda m: srcad.grad(m.doubled_item, backend="python")({"a": 1.5}), lambda m: {"a": 2.0}),
    "numba_backend_of_a_derivative": (
        lambda m: srcad.grad(srcad.grad(m.square), backend="numba"), "Pass backend='python' to the outer",
        lambda m: srcad.grad(srcad.grad(m.square), backend="python")(1.5), lambda m: 2.0),
    "numba_backend_broadcast_cotangent": (
        lambda m: srcad.grad(m.outer_sum, backend="numba")(np.ones((3, 1)), np.ones((1, 4))),
        "use backend='python' for this function",
        lambda m: srcad.grad(m.outer_sum, backend="python")(np.ones((3, 1)), np.ones((1, 4))),
        lambda m: np.full((3, 1), 4.0)),
    "numba_backend_complex_power": (
        lambda m: srcad.grad(m.power, backend="numba")(-8.0, 0.5), "differentiate it where the base is positive",
        lambda m: srcad.grad(m.power, backend="numba")(8.0, 0.5), lambda m: 0.5 / math.sqrt(8.0)),
    "numba_backend_helper_without_a_twin": (
        lambda m: srcad.grad(m.running_total, backend="numba")(X), "Use backend='python' for this function",
        lambda m: srcad.grad(m.running_total, backend="python")(X), lambda m: np.array([3.0, 2.0, 1.0])),
    "numba_backend_python_object": (
        lambda m: srcad.grad(m.scaled_by_an_object, backend="numba")(1.5), "Use backend='python' for this function",
        lambda m: srcad.grad(m.scaled_by_an_object, backend="python")(1.5), lambda m: 3.0),
    "vjp_of_a_gradient": (
        lambda m: srcad.vjp(srcad.grad(m.cube))(1.5), "srcad.jacobian(..., mode='forward')",
        lambda m: srcad.jacobian(srcad.grad(m.cube), mode="forward")(1.5), lambda m: 6.0 * 1.5),
    "position_beyond_a_partial": (
        lambda m: srcad.grad(functools.partial(m.product, 2.0), wrt=1)(1.5), "Use a position below 1",
        lambda m: srcad.grad(functools.partial(m.product, 2.0), wrt=0)(1.5), lambda m: 4.0 * 1.5),
    "star_args_position_not_passed": (
        lambda m: srcad.grad(m.first_doubled, wrt=(0, 1))(1.5), "Pass as many arguments as wrt counts",
        lambda m: srcad.grad(m.first_doubled, wrt=(0, 1))(1.5, 0.5), lambda m: (2.0, 0.0)),
    "star_args_element_not_a_number": (
        lambda m: srcad.grad(m.first_doubled, wrt=(0, 1))(1.5, "label"), "Leave it out of wrt",
        lambda m: srcad.grad(m.first_doubled, wrt=0)(1.5, "label"), lambda m: 2.0),
    "container_without_numbers": (
        lambda m: srcad.grad(m.doubled_item)({"a": "label"}), "pass floats or float arrays in it",
        lambda m: srcad.grad(m.doubled_item)({"a": 1.5}), lambda m: {"a": 2.0}),
    "argument_not_a_number": (
        lambda m: srcad.grad(m.as_number)("1.5"), "Pass a float, an array",
        lambda m: srcad.grad(m.as_number)(1.5), lambda m: 1.0),
    "flag_argument": (
        lambda m: srcad.grad(m.as_number)(True), "pass a float (1.0 for True)",
        lambda m: srcad.grad(m.as_number)(1.0), lambda m: 1.0),
    "gradient_of_a_jvp": (
        lambda m: srcad.grad(srcad.jvp(m.cube))(1.5, 1.0), "differentiate srcad.grad(f)",
        lambda m: srcad.grad(srcad.grad(m.cube))(1.5), lambda m: 6.0 * 1.5),
    "third_derivative": (
        lambda m: srcad.grad(srcad.grad(srcad.grad(m.cube)))(1.5), "hessian of srcad.grad(f) work",
        lambda m: srcad.hessian(m.cube)(1.5), lambda m: 6.0 * 1.5),
    "decorator_wrapper_taking_star_args": (
        lambda m: srcad.grad(m.wrapped_cube)(1.5), "differentiate the undecorated function",
        lambda m: srcad.grad(m.cube)(1.5), lambda m: 3.0 * 1.5 ** 2),
    "wrt_of_another_type": (
        lambda m: srcad.grad(m.product, wrt=[0])(1.5, 2.0), "Use one of x, y",
        lambda m: srcad.grad(m.product, wrt="x")(1.5, 2.0), lambda m: 4.0),
    "wrt_name_not_a_parameter": (
        lambda m: srcad.grad(m.product, wrt="z")(1.5, 2.0), "Use one of x, y",
        lambda m: srcad.grad(m.product, wrt="y")(1.5, 2.0), lambda m: 2.0 * 1.5 * 2.0),
    "wrt_position_out_of_range": (
        lambda m: srcad.grad(m.product, wrt=2)(1.5, 2.0), "Use a position below 2",
        lambda m: srcad.grad(m.product, wrt=1)(1.5, 2.0), lambda m: 2.0 * 1.5 * 2.0),
    "keyword_arguments_only": (
        lambda m: srcad.grad(m.keywords_only, wrt=0)(a=1.5), "Give it a parameter for each value",
        lambda m: srcad.grad(m.with_a, wrt=0)(a=1.5), lambda m: 2.0),
    "complex_argument": (
        lambda m: srcad.grad(m.square)(1.5 + 0.5j), "work with the real and imaginary parts",
        lambda m: srcad.grad(m.squared_real_part, wrt=(0, 1))(1.5, 0.5), lambda m: (3.0, -1.0)),
    "complex_output": (
        lambda m: srcad.grad(m.times_i)(1.5), "work with the real and imaginary parts",
        lambda m: srcad.grad(m.as_number)(1.5), lambda m: 1.0),
    "array_output": (
        lambda m: srcad.grad(m.square)(X), "srcad.jacobian for the whole Jacobian",
        lambda m: srcad.jacobian(m.square)(X), lambda m: np.diag(2.0 * X)),
    "text_output": (
        lambda m: srcad.grad(m.shown)(1.5), "Return a float or a 0-d array",
        lambda m: srcad.grad(m.as_number)(1.5), lambda m: 1.0),
    "scipy_stats_method_without_a_formula": (
        lambda m: srcad.grad(scipy.stats.norm.sf)(0.3), "Write the density in a def",
        lambda m: srcad.grad(m.normal_sf)(0.3), lambda m: -math.exp(-0.3 ** 2 / 2.0) / math.sqrt(2.0 * math.pi)),
    "library_callable_without_a_signature": (
        lambda m: srcad.grad(operator.itemgetter(0))(X), "Pass a def computing the same with operators",
        lambda m: srcad.grad(m.first_item)(X), lambda m: np.array([1.0, 0.0, 0.0])),
    "library_callable_without_required_parameters": (
        lambda m: srcad.grad(np.einsum)(X), "Pass a lambda calling it with the arguments it takes",
        lambda m: srcad.grad(lambda x: np.einsum("i,i->", x, x))(X), lambda m: 2.0 * X),
    "a_class": (
        lambda m: srcad.grad(m.Scaler)(1.5), "Write a def that uses the class",
        lambda m: srcad.grad(m.scaled)(1.5), lambda m: 3.0),
    "an_object_calling_no_python_function": (
        lambda m: srcad.grad(m.magnitude)(1.5), "Differentiate a lambda or def that calls it",
        lambda m: srcad.grad(lambda x: math.fabs(x))(1.5), lambda m: 1.0),
    "an_async_function": (
        lambda m: srcad.grad(m.later)(1.5), "Differentiate a plain def that computes the value",
        lambda m: srcad.grad(m.square)(1.5), lambda m: 3.0),
    "a_c_function": (
        lambda m: srcad.grad(zlib.adler32)(1.5), "Wrap it in a def",
        lambda m: srcad.grad(m.square)(1.5), lambda m: 3.0),
    "a_function_made_by_eval": (
        lambda m: srcad.grad(eval("lambda x: x * x"))(1.5), "Define it with def",
        lambda m: srcad.grad(m.square)(1.5), lambda m: 3.0),
    "tape_wrt_of_another_type": (
        lambda m: srcad.tape.grad(m.product, wrt=[0])(1.5, 2.0), "Use one of x, y",
        lambda m: srcad.tape.grad(m.product, wrt="x")(1.5, 2.0), lambda m: 4.0),
    "tape_wrt_name_not_a_parameter": (
        lambda m: srcad.tape.grad(m.product, wrt="z")(1.5, 2.0), "Use one of x, y",
        lambda m: srcad.tape.grad(m.product, wrt="y")(1.5, 2.0), lambda m: 6.0),
    "tape_wrt_position_out_of_range": (
        lambda m: srcad.tape.grad(m.product, wrt=2)(1.5, 2.0), "Use a position below 2",
        lambda m: srcad.tape.grad(m.product, wrt=1)(1.5, 2.0), lambda m: 6.0),
    "tape_argument_not_a_number": (
        lambda m: srcad.tape.grad(m.as_number)("1.5"), "The tape differentiates floats, ints and numeric numpy arrays",
        lambda m: srcad.tape.grad(m.as_number)(1.5), lambda m: 1.0),
    "tape_traced_argument_the_rule_does_not_cover": (
        lambda m: srcad.tape.grad(m.summed_along, wrt=(0, 1))(M, 0), "Leave it out of wrt if it only selects",
        lambda m: srcad.tape.grad(m.summed_along, wrt=0)(M, 0), lambda m: 2.0 * M),
    "trace_of_a_function_using_the_recorders_name": (
        lambda m: srcad.trace(m.using_the_trace_name, 1.5), "Rename _srcad_trace_",
        lambda m: srcad.trace(m.renamed, 1.5).gradient, lambda m: 3.0),
    "lambda_in_a_file_that_does_not_parse": (
        lambda m: srcad.grad(_lambda_of_a_cell_that_no_longer_parses())(1.5), "Define it with def",
        lambda m: srcad.grad(m.doubled)(1.5), lambda m: 2.0),
    "dask_array_where_values_are_needed": (
        lambda m: srcad.grad(m.cumulative_products)(_dask_array(X)), "Pass a numpy array there",
        lambda m: srcad.grad(m.cumulative_products)(_dask_array(X).compute()),
        lambda m: np.array([1.0 + X[1] + X[1] * X[2], X[0] + X[0] * X[2], X[0] * X[1]])),
    "dask_cholesky_factor": (
        lambda m: srcad.grad(m.cholesky_sum)(_dask_array(DIAGONAL, chunks=3)), "Compute the matrix first",
        lambda m: srcad.grad(m.cholesky_sum)(_dask_array(DIAGONAL, chunks=3).compute()),
        lambda m: np.array([[1 / 4, 0.0, 0.0], [1 / 2, 1 / 6, 0.0], [1 / 2, 1 / 3, 1 / 2]])),
    "gradient_of_a_gradient_with_respect_to_another_container": (
        lambda m: srcad.jacobian(srcad.grad(m.scaled_by_c, wrt=1), wrt=0, mode="forward")(C, P),
        "Take the gradient with respect to c too",
        lambda m: _blocks(srcad.jacobian(srcad.grad(m.scaled_by_c, wrt=(0, 1)), wrt=0, mode="forward")(C, P)),
        lambda m: np.array([0.0, 2.0 * P["a"] * P["b"], P["a"] ** 2])),  # d/ds of (a^2 b, 2 s a b, s a^2)
    "no_closed_form_derivative_in_an_argument": (
        lambda m: srcad.grad(lambda a, x: scipy.special.gammainc(a, x))(2.0, 0.5),
        "Leave the argument a out of what is differentiated",
        lambda m: srcad.grad(lambda a, x: scipy.special.gammainc(a, x), wrt=1)(2.0, 0.5),
        lambda m: 0.5 * math.exp(-0.5)),  # d/dx P(2, x) = x e^-x / Gamma(2)
    "tape_no_closed_form_derivative_in_an_argument": (
        lambda m: srcad.tape.grad(lambda a: scipy.special.gammainc(a, 0.5))(2.0),
        "Leave it out of what is differentiated",
        lambda m: srcad.tape.grad(lambda x: scipy.special.gammainc(2.0, x))(0.5),
        lambda m: 0.5 * math.exp(-0.5)),
    "tape_gradient_of_a_gradient_through_broadcasting": (
        lambda m: srcad.tape.grad(lambda x: srcad.tape.grad(lambda v: np.sum(v * v[0]))(x)[1])(X),
        "Use srcad.grad twice, or srcad.hessian",
        lambda m: srcad.hessian(lambda v: np.sum(v * v[0]))(X)[1], lambda m: np.array([1.0, 0.0, 0.0])),
}

NEEDS_SCIPY = {"scipy_stats_method_without_a_formula", "frozen_distribution_passed_in",
               "no_closed_form_derivative_in_an_argument", "tape_no_closed_form_derivative_in_an_argument"}
NEEDS_NUMBA = {"numba_backend_star_args", "numba_backend_containers", "numba_backend_helper_without_a_twin",
               "numba_backend_python_object", "numba_backend_untyped_argument", "numba_backend_of_a_derivative",
               "numba_backend_broadcast_cotangent", "numba_backend_complex_power"}
NEEDS_DASK = {"dask_array_where_values_are_needed", "dask_cholesky_factor"}
