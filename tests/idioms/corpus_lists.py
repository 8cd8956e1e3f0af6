"""Lists of lists (nested list comprehensions, rows filled before they go into the list) and
methods called through their class, one small function each; test_idioms.py checks every one
against finite differences, forward mode and the tape, as corpus.py's."""
from .corpus import M, X, Y

SOURCE = '''
import math
import numpy as np

G = np.array([1.5, -0.5, 2.0, 0.25])


def outer_product_indexed(w, x):
    rows = [[w[i] * x[j] for j in range(len(x))] for i in range(len(w))]
    return rows[1][0] * rows[2][1] + rows[0][1]


def outer_product_summed(w, x):
    rows = [[w[i] * x[j] for j in range(len(x))] for i in range(len(w))]
    return sum(sum(row) for row in rows)


def outer_product_to_array(w, x):
    rows = [[w[i] * x[j] for j in range(len(x))] for i in range(len(w))]
    return np.sum(np.array(rows) ** 2)


def triangle_of_products(x):
    rows = [[x[i] * x[j] for j in range(i + 1)] for i in range(len(x))]
    return sum(sum(row) for row in rows) + rows[2][1]


def filtered_inner_rows(x):
    rows = [[v * w for w in x if w > 0.0] for v in x]
    return sum(sum(r) for r in rows)


def rows_read_in_loops(x):
    rows = [[math.sin(a) * b for b in x] for a in x]
    s = 0.0
    for i in range(len(rows)):
        for j in range(len(rows[i])):
            s += rows[i][j] * rows[j][i]
    return s


def rows_gone_over(x):
    rows = [[a - b for b in x] for a in x]
    s = 0.0
    for row in rows:
        for v in row:
            s += v * v
    return s


def three_levels(x):
    cube = [[[x[i] * x[j] * x[k] for k in range(2)] for j in range(2)] for i in range(2)]
    return cube[1][0][1] + sum(sum(sum(r) for r in plane) for plane in cube)


def rows_of_arrays(m, x):
    blocks = [[m[i] * x[j] for j in range(2)] for i in range(2)]
    return np.sum(blocks[0][1] * blocks[1][0]) + np.sum(np.array(blocks))


def rows_matrix_product(w, x):
    a = np.array([[w[i] * w[j] for j in range(3)] for i in range(3)])
    return x @ a @ x


def rows_with_enumerate(x):
    rows = [[k * v * u for u in x] for k, v in enumerate(x)]
    return rows[2][0] + sum(rows[1])


def rows_over_zip(x, y):
    rows = [[a * b, a + b, a - b] for a, b in zip(x, y)]
    return sum(r[0] * r[1] + r[2] for r in rows)


def rows_built_by_hand(x):
    rows = []
    for i in range(len(x)):
        row = []
        for j in range(len(x)):
            row.append(x[i] / (1.0 + x[j] * x[j]))
        rows.append(row)
    return rows[0][2] * rows[2][0] + sum(rows[1])


def rows_filled_before_appended(x):
    rows = []
    for i in range(3):
        row = [0.0] * 3
        for j in range(3):
            row[j] = x[i] * x[j] + j
        rows.append(row)
    return rows[1][2] * rows[0][0] + sum(rows[2])


def rows_of_a_global(x):
    rows = [[g * v for g in G] for v in x]
    return sum(max(row) for row in rows)


def transposed_rows(x):
    rows = [[x[i] * (j + 1.0) for j in range(3)] for i in range(3)]
    cols = [[rows[i][j] for i in range(3)] for j in range(3)]
    return cols[0][2] * cols[2][1] + sum(cols[1])


def rows_in_a_helper_call(x):
    return trace_of([[x[i] * x[j] for j in range(3)] for i in range(3)])


def trace_of(rows):
    return sum(rows[k][k] for k in range(len(rows)))


def row_copied_then_written(x):
    rows = [[a * b for b in x] for a in x]
    r = rows[0].copy()
    r[1] = x[0] * 5.0
    return sum(r) + sum(rows[0])


def maxima_of_a_list_copy(x):
    xs = list(x)
    a = max((v * v for v in xs), default=0.0)
    b = min((v + 1.0 for v in xs), default=0.0)
    return a * b


class Model:
    def __init__(self, scale):
        self.scale = scale

    def apply(self, x):
        return np.sum(np.sin(x) * self.scale)

    @staticmethod
    def squash(v):
        return np.tanh(v) * v


class Scaled(Model):
    pass


MODEL = Model(2.0)


def method_through_its_class(x):
    m = Model(2.0)
    return Model.apply(m, x) * x[0]


def method_through_its_class_on_a_global(x):
    return Model.apply(MODEL, x) * x[0]


def method_through_a_subclass(x):
    m = Scaled(1.5)
    return Scaled.apply(m, x) + Model.apply(m, x * 2.0)


def static_method_through_its_class(x):
    return np.sum(Model.squash(x)) * x[1]
'''

CASES = [
    ("outer_product_indexed", (X, Y), (0, 1)),
    ("outer_product_summed", (X, Y), (0, 1)),
    ("outer_product_to_array", (X, Y), (0, 1)),
    ("triangle_of_products", (X,), 0),
    ("filtered_inner_rows", (X,), 0),
    ("rows_read_in_loops", (X,), 0),
    ("rows_gone_over", (X,), 0),
    ("three_levels", (X,), 0),
    ("rows_of_arrays", (M, X), (0, 1)),
    ("rows_matrix_product", (X, Y), (0, 1)),
    ("rows_with_enumerate", (X,), 0),
    ("rows_over_zip", (X, Y), (0, 1)),
    ("rows_built_by_hand", (X,), 0),
    ("rows_filled_before_appended", (X,), 0),
    ("rows_of_a_global", (X,), 0),
    ("transposed_rows", (X,), 0),
    ("rows_in_a_helper_call", (X,), 0),
    ("row_copied_then_written", (X,), 0),
    ("maxima_of_a_list_copy", (X,), 0),
    ("method_through_its_class", (X,), 0),
    ("method_through_its_class_on_a_global", (X,), 0),
    ("method_through_a_subclass", (X,), 0),
    ("static_method_through_its_class", (X,), 0),
]
