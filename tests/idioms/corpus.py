"""Everyday Python idioms, one small function each, in the style of the test functions of
source-transformation tools: comprehensions and generator expressions, copies, writes into
arguments, nested functions. `CASES` gives each function's arguments and what to
differentiate; test_idioms.py checks every one against finite differences."""
import numpy as np

X = np.array([0.5, -1.2, 0.8])
Y = np.array([0.3, 0.7, -0.4])
M = np.array([[0.5, -0.2, 0.1], [0.3, 0.9, -0.6], [-0.7, 0.2, 0.4]])

SOURCE = '''
import math
import numpy as np

G = np.array([1.5, -0.5, 2.0, 0.25])  # a module-level array the functions read


def listcomp_sum(x):
    return sum([v * v for v in x])


def genexp_sum(x):
    return sum(v * v for v in x)


def genexp_sum_start(x):
    return sum((math.sin(v) for v in x), x[0])


def listcomp_filtered(x):
    return sum([v * 3.0 for v in x if v > 0.0])


def listcomp_two_clauses(x):
    return sum([a * b for a in x for b in x if a < b])


def listcomp_shadows_variable(x):
    v = x[0] * 3.0
    ys = [v * 2.0 for v in x]
    return v * ys[1] + ys[2]


def genexp_nested(x):
    return sum(sum(a * b for b in x) for a in x)


def listcomp_to_array(x):
    return np.sum(np.array([np.sin(v) * v for v in x]) ** 2)


def genexp_any_condition(x):
    if any(v > 0.6 for v in x):
        return np.sum(x * x)
    return np.sum(x)


def genexp_all_condition(x):
    if all(abs(v) < 2.0 for v in x):
        return np.sum(np.exp(x))
    return np.sum(x)


def listcomp_in_loop(x):
    s = 0.0
    for k in range(2):
        s = s + sum([x[i] * (k + 1.0) for i in range(3)])
    return s


def listcomp_zip(x, y):
    return sum([a * b for a, b in zip(x, y)])


def listcomp_enumerate(x):
    return sum([i * v * v for i, v in enumerate(x)])


def listcomp_in_conditional_expression(x):
    return sum([v * v for v in x]) if x[0] > 0 else sum([v for v in x])


def listcomp_of_rows(m):
    rows = [np.tanh(r) for r in m]
    return sum([np.sum(r * r) for r in rows])


def listcomp_indexed(x, y):
    n = len(x)
    return sum([x[i] * y[n - 1 - i] for i in range(n)])


def listcomp_of_pairs(x):
    pairs = [(v, v * v) for v in x]
    return sum([p[0] * p[1] for p in pairs])


def listcomp_range_scalar(a):
    return sum([a ** k / (k + 1.0) for k in range(4)])


def genexp_max_of_list(x):
    terms = [math.exp(v) for v in x]
    return terms[0] * sum(t for t in terms)


def listcomp_matrix_columns(m, x):
    cols = [m[:, j] * x[j] for j in range(3)]
    return np.sum(np.stack(cols) ** 2)


def listcomp_in_helper_call(x):
    return poly([v * 0.5 for v in x])


def poly(values):
    s = 0.0
    for k in range(len(values)):
        s = s + values[k] ** 2
    return s


def listcomp_in_while_test(x):
    s = x[0]
    k = 0
    while sum([abs(v) for v in x]) * k < 3.0:
        s = s * x[1]
        k = k + 1
    return s


def writes_into_argument(x):
    x[0] = x[0] * 2.0
    return np.sum(x * x)


def writes_into_argument_in_branch(x):
    if np.sum(x) > 0.0:
        x[1] += 1.0
    return np.sum(np.sin(x))


def writes_into_argument_in_loop(x, y):
    for i in range(1, 3):
        x[i] = x[i - 1] * y[i] + x[i]
    return np.sum(np.sin(x))


def writes_into_argument_augmented(x):
    x[1] += x[0] ** 2
    return x[1] * x[2]


def writes_into_matrix_argument(m):
    m[0, 1] = m[1, 0] * 3.0
    m[2] = m[2] * m[0]
    return np.sum(m * m)


def writes_into_list_argument(xs):
    xs[0] = xs[0] * xs[1]
    return xs[0] + xs[1]


def writes_into_argument_in_place(x, y):
    x *= y
    x -= 0.5
    return np.sum(np.sin(x))


def updates_float_argument_in_place(a, x):
    a += x[0]
    a *= a
    return a * x[1]


def copies_then_writes(x):
    y = x.copy()
    y[0] = y[0] * 2.0
    return np.sum(y * x)


def nested_closure(x):
    c = x[0] * 2.0
    def scale(y):
        return y * c
    return np.sum(scale(x))


def nested_sees_value_at_call(x):
    c = x[0] * 2.0
    def g(y, k=2.0):
        """scaled sine"""
        z = np.sin(y) * c
        return z * k
    c = c + x[1]
    return np.sum(g(x)) + np.sum(g(x * x, k=0.5))


def nested_in_loop(x):
    s = 0.0
    def term(v, w):
        return v * w + s
    for i in range(3):
        s = term(x[i], x[(i + 1) % 3])
    return s


def nested_locals_shadow(x):
    def sq(v):
        y = v * v
        return y
    y = sq(x[0]) + sq(x[1])
    return y * x[2]


def nested_calls_nested(x):
    def inner(v):
        return np.tanh(v)
    def outer(v):
        return inner(v) * inner(v * 2.0)
    return np.sum(outer(x))


def nested_with_branch(x):
    def soft(v):
        if v > 0.0:
            r = v * v
        else:
            r = -v
        return r
    return soft(x[0]) + soft(x[1]) * soft(x[2])


def comprehension_in_nested(x):
    def energy(v):
        return sum([a * a for a in v])
    return energy(x) * energy(x * 0.5)


def nested_in_comprehension(x):
    def sq(v):
        return v * v
    return sum(sq(v) for v in x)


def comprehension_writes_argument(x):
    x[0] = sum([v for v in x])
    return np.sum(x * x)


def comprehension_of_comprehension(m):
    rows = [sum(v * v for v in r) for r in m]
    return sum([r * 0.5 for r in rows])


def comprehension_reads_loop_variable(x):
    s = 0.0
    for k in range(3):
        s = s + sum([x[k] * v for v in x])
    return s


def comprehension_with_helper(x):
    return sum([poly([v, v * 2.0]) for v in x])


def comprehension_over_list(x):
    items = []
    for v in x:
        items.append(np.sin(v))
    return sum([a * b for a, b in zip(items, items[1:])])


def comprehension_stack(x):
    return np.sum(np.stack([x * k for k in range(1, 4)]) ** 2)


def comprehension_dot(x, y):
    return sum(a * b for a, b in zip(x, y)) ** 2


def comprehension_same_name_twice(x):
    a = sum([v * 2.0 for v in x])
    b = sum([v * v for v in x])
    v = a * b
    return v


def two_comprehensions_one_variable(x):
    return max(v * v for v in x) + min([v for v in x])


def nested_reads_argument(x, y):
    def inner(k):
        return x[k] * y[k]
    return inner(0) + inner(1) * inner(2)


def nested_updates_in_loop(x):
    def step(h, v):
        return np.tanh(h * 0.5 + v)
    h = 0.0
    for v in x:
        h = step(h, v)
    return h


def nested_returns_tuple(x):
    def pair(v):
        return v * 2.0, v * v
    a, b = pair(x[0])
    return a * b + x[1]


def nested_keyword_call(x):
    def scaled(v, scale=1.0, shift=0.0):
        return v * scale + shift
    return np.sum(scaled(x, shift=0.5) * scaled(x, scale=2.0))


def writes_argument_then_comprehension(x):
    x[2] = x[0] * x[1]
    return sum([v * v for v in x])


def writes_argument_rows(m):
    for i in range(3):
        m[i] = m[i] * (i + 1.0)
    return np.sum(np.sin(m))


def accumulator_times_items(y, c):
    s = 0.5
    for e in y:
        s *= e * c
    return s


def accumulator_over_rows(m):
    s = 0.0
    for r in m:
        s += np.sum(r * r)
    return s

def dictcomp_over_items(x):
    p = {"a": x[0], "b": x[1], "c": x[2]}
    d = {k: v * v for k, v in p.items()}
    return d["a"] * d["b"] + d["c"]


def dictcomp_over_constant_names(x):
    d = {name: x[0] * len(name) for name in ("a", "bb", "ccc")}
    return d["a"] * d["ccc"] + d["bb"]


def dictcomp_over_pairs(x):
    d = {name: math.sin(x[1] * w) for name, w in (("a", 1.0), ("b", 2.0))}
    return d["a"] * d["b"]


def dictcomp_nested(x):
    p = {"a": x[0], "b": x[1]}
    d = {k: {j: v * w for j, w in (("u", 1.0), ("w", 3.0))} for k, v in p.items()}
    return d["a"]["w"] * d["b"]["u"] + d["b"]["w"]


def dictcomp_in_loop(x):
    d = {"a": x[0], "b": x[1]}
    for i in range(3):
        d = {k: v * x[2] + 0.1 for k, v in d.items()}
    return d["a"] * d["b"]


def dictcomp_values_summed(x):
    d = {k: np.exp(v) for k, v in zip(("a", "b", "c"), (x[0], x[1], x[2]))}
    return sum(d.values())


def dictcomp_shadows_variable(x):
    k = x[0] * 2.0
    d = {k: v * v for k, v in zip(("a", "b"), (x[1], x[2]))}
    return d["a"] * k + d["b"]


def dictcomp_then_written(x):
    d = {k: x[0] * w for k, w in (("a", 2.0), ("b", 3.0))}
    d["a"] = d["a"] * d["b"]
    return d["a"] + d["b"] * x[1]


def dictcomp_of_lists(x):
    d = {k: [v, v * v] for k, v in zip(("a", "b"), (x[0], x[1]))}
    return d["a"][1] * d["b"][0] + d["b"][1]


def dict_built_by_writes(x):
    d = {}
    d["a"] = x[0] * 2.0
    d["b"] = x[1] * x[2]
    return d["a"] * d["b"]


def dict_merged(x):
    d = {"a": x[0], "b": x[1]}
    e = d | {"b": x[2] * 2.0, "c": x[0] * x[1]}
    return e["a"] * e["b"] + e["c"]


def dicts_of_list_joined(x):
    rows = [{"w": x[0]}] + [{"w": x[1]}, {"w": x[2]}]
    return rows[0]["w"] * rows[2]["w"] + rows[1]["w"]


def loop_over_literal_pairs(x):
    s = 0.0
    for v, w in ((x[0], 2.0), (x[1], 3.0)):
        s = s + v * w
    return s * x[2]

def max_of_generator_or_default(x):
    return max((v * v for v in x if v > 10.0), default=x[0] * x[1]) * x[2]


def min_of_five_values(x):
    return min(x[0], x[1] * 2.0, x[2], x[0] * x[1], 0.5) * x[2]


def zip_strict_pairs(x, y):
    return sum([a * b for a, b in zip(x, y, strict=True)])


def two_maxima_with_defaults(x):
    a = max((v * v for v in x), default=0.0)
    b = min((v + 1.0 for v in x), default=0.0)
    return a * b + max([v for v in x if v > 10.0], default=x[1])


def copy_of_global_slice(x):
    v = G[1:].copy()
    v[0] = x[0] * x[1]
    return np.sum(v * v) + G[0] * x[2]


def accumulator_over_global(x):
    s = 0.0
    for w in G:
        s += w * x[0] + x[1]
    return s * x[2]


def local_alias_of_builtin_many_values(x, y):
    largest = min
    return largest(x[0], y, 2.0 * x[1], x[0] * y, 3.0, y + 1.0) * x[2]
'''

CASES = [
    ("listcomp_sum", (X,), 0),
    ("genexp_sum", (X,), 0),
    ("genexp_sum_start", (X,), 0),
    ("listcomp_filtered", (X,), 0),
    ("listcomp_two_clauses", (X,), 0),
    ("listcomp_shadows_variable", (X,), 0),
    ("genexp_nested", (X,), 0),
    ("listcomp_to_array", (X,), 0),
    ("genexp_any_condition", (X,), 0),
    ("genexp_all_condition", (X,), 0),
    ("listcomp_in_loop", (X,), 0),
    ("listcomp_zip", (X, Y), (0, 1)),
    ("listcomp_enumerate", (X,), 0),
    ("listcomp_in_conditional_expression", (X,), 0),
    ("listcomp_of_rows", (M,), 0),
    ("listcomp_indexed", (X, Y), (0, 1)),
    ("listcomp_of_pairs", (X,), 0),
    ("listcomp_range_scalar", (0.7,), 0),
    ("genexp_max_of_list", (X,), 0),
    ("listcomp_matrix_columns", (M, X), (0, 1)),
    ("listcomp_in_helper_call", (X,), 0),
    ("listcomp_in_while_test", (X,), 0),
    ("writes_into_argument", (X,), 0),
    ("writes_into_argument_in_branch", (X,), 0),
    ("writes_into_argument_in_loop", (X, Y), (0, 1)),
    ("writes_into_argument_augmented", (X,), 0),
    ("writes_into_matrix_argument", (M,), 0),
    ("writes_into_argument_in_place", (X, Y), (0, 1)),
    ("updates_float_argument_in_place", (0.7, X), (0, 1)),
    ("copies_then_writes", (X,), 0),
    ("nested_closure", (X,), 0),
    ("nested_sees_value_at_call", (X,), 0),
    ("nested_in_loop", (X,), 0),
    ("nested_locals_shadow", (X,), 0),
    ("nested_calls_nested", (X,), 0),
    ("nested_with_branch", (X,), 0),
    ("comprehension_in_nested", (X,), 0),
    ("nested_in_comprehension", (X,), 0),
    ("comprehension_writes_argument", (X,), 0),
    ("comprehension_of_comprehension", (M,), 0),
    ("comprehension_reads_loop_variable", (X,), 0),
    ("comprehension_with_helper", (X,), 0),
    ("comprehension_over_list", (X,), 0),
    ("comprehension_stack", (X,), 0),
    ("comprehension_dot", (X, Y), (0, 1)),
    ("comprehension_same_name_twice", (X,), 0),
    ("two_comprehensions_one_variable", (X,), 0),
    ("nested_reads_argument", (X, Y), (0, 1)),
    ("nested_updates_in_loop", (X,), 0),
    ("nested_returns_tuple", (X,), 0),
    ("nested_keyword_call", (X,), 0),
    ("writes_argument_then_comprehension", (X,), 0),
    ("writes_argument_rows", (M,), 0),
    ("accumulator_times_items", (X, 0.7), (0, 1)),
    ("accumulator_over_rows", (M,), 0),
    ("dictcomp_over_items", (X,), 0),
    ("dictcomp_over_constant_names", (X,), 0),
    ("dictcomp_over_pairs", (X,), 0),
    ("dictcomp_nested", (X,), 0),
    ("dictcomp_in_loop", (X,), 0),
    ("dictcomp_values_summed", (X,), 0),
    ("dictcomp_shadows_variable", (X,), 0),
    ("dictcomp_then_written", (X,), 0),
    ("dictcomp_of_lists", (X,), 0),
    ("dict_built_by_writes", (X,), 0),
    ("dict_merged", (X,), 0),
    ("dicts_of_list_joined", (X,), 0),
    ("loop_over_literal_pairs", (X,), 0),
    ("max_of_generator_or_default", (X,), 0),
    ("min_of_five_values", (X,), 0),
    ("zip_strict_pairs", (X, Y), (0, 1)),
    ("two_maxima_with_defaults", (X,), 0),
    ("copy_of_global_slice", (X,), 0),
    ("accumulator_over_global", (X,), 0),
    ("local_alias_of_builtin_many_values", (X, 0.4), (0, 1)),
]

# Functions that write into their arguments: the derivative leaves the caller's values as they
# were (it writes into a copy of its own)
WRITERS = [c for c in CASES if "writes_into" in c[0]] + [("writes_into_list_argument", ([0.5, 1.5],), 0)]
