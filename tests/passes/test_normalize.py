"""normalize.three_address: one operation a statement, operands atoms, straight-line names in SSA.

Each test states a function before and after normalisation as Python. Names follow naming.py:
temporaries `t1, t2, ...` in creation order, skipping the user's own; a returned expression that
is not an atom is assigned to `y` (or `y_2`, ... when the user has a `y`); a redefinition of `x`
becomes `x_2`, `x_3`, ...
"""
import math

import gast
import numpy as np
import pytest

import srcad

from helpers import load_function
from passes.stages import normal_form, normalized, normalized_function, render, text_of
from srcad.errors import Unsupported

# ---------------------------------------------------------------- nested expressions


def test_nested_call_is_split_into_temporaries():
    def before(x):
        return math.sin(x * x)

    def after(x):
        t1 = x * x
        y = math.sin(t1)
        return y
    assert normalized(before) == text_of(after)


def test_operands_are_evaluated_left_to_right():
    def before(x, z):
        return x * z + math.sin(x) / (z - 1.0)

    def after(x, z):
        t1 = x * z
        t2 = math.sin(x)
        t3 = z - 1.0
        t4 = t2 / t3
        y = t1 + t4
        return y
    assert normalized(before) == text_of(after)


def test_returned_expression_is_named_y_2_when_the_user_has_a_y():
    def before(x, y):
        return x * y + math.sin(x)

    def after(x, y):
        t1 = x * y
        t2 = math.sin(x)
        y_2 = t1 + t2
        return y_2
    assert normalized(before) == text_of(after)


def test_temporaries_skip_the_users_own_t_names():
    def before(x, t1):
        z = x * t1 + x
        return z * x

    def after(x, t1):
        t2 = x * t1
        z = t2 + x
        y = z * x
        return y
    assert normalized(before) == text_of(after)


def test_atoms_constants_and_global_references_are_returned_as_they_are():
    def returns_a_name(x):
        return x

    def returns_a_global(x):
        return np.pi
    assert normalized(returns_a_name) == text_of(returns_a_name)
    assert normalized(returns_a_global) == text_of(returns_a_global)


def test_subscripts_and_slices_get_atoms_for_indices():
    def before(x, i):
        return x[1:3] + x[i + 1, 0]

    def after(x, i):
        t1 = x[1:3]
        t2 = i + 1
        t3 = x[t2, 0]
        y = t1 + t3
        return y
    assert normalized(before) == text_of(after)


def test_docstring_and_pass_disappear():
    def before(x):
        """A docstring."""
        pass
        return x

    def after(x):
        return x
    assert normalized(before) == text_of(after)


def test_chained_assignment_computes_the_value_once():
    def before(x):
        a = b = x * 2.0
        return a - b

    def after(x):
        t1 = x * 2.0
        a = t1
        b = t1
        y = a - b
        return y
    assert normalized(before) == text_of(after)


def test_chained_comparison_is_kept_whole():
    # it short-circuits like and/or (see the test of that below), and carries no derivative
    def before(x, z):
        return 0.0 < x < z

    def after(x, z):
        y = 0.0 < x < z
        return y
    assert normalized(before) == text_of(after)


# ---------------------------------------------------------------- augmented assignment


def test_augmented_assignment_becomes_a_new_version():
    def before(x, z):
        x += z
        x *= 2.0
        return x

    def after(x, z):
        x_2 = x + z
        x_3 = x_2 * 2.0
        return x_3
    assert normalized(before) == text_of(after)


def test_augmented_assignment_to_an_element_reads_then_stores_it():
    def before(a, x):
        a[0] += x
        return a

    def after(a, x):
        t1 = a[0]
        t2 = t1 + x
        a[0] = t2
        return a
    assert normalized(before) == text_of(after)


# ---------------------------------------------------------------- tuple unpacking


def test_tuple_unpacking_assigns_element_by_element():
    def before(x, z):
        a, b = x, z * 2.0
        return a * b

    def after(x, z):
        t1 = z * 2.0
        a = x
        b = t1
        y = a * b
        return y
    assert normalized(before) == text_of(after)


def test_swap_reads_the_old_versions():
    def before(x, z):
        a, b = x, z
        a, b = b, a
        return a - b

    def after(x, z):
        a = x
        b = z
        a_2 = b
        b_2 = a
        y = a_2 - b_2
        return y
    assert normalized(before) == text_of(after)


def test_unpacking_a_call_indexes_its_result():
    def before(x):
        whole, rest = divmod(x, 1.0)
        return rest

    def after(x):
        t1 = divmod(x, 1.0)
        whole = t1[0]
        rest = t1[1]
        return rest
    assert normalized(before) == text_of(after)


def test_nested_unpacking():
    def before(x, z):
        (a, b), c = (x, z), x * z
        return a + b + c

    def after(x, z):
        t1 = x, z
        t2 = x * z
        a = t1[0]
        b = t1[1]
        c = t2
        t3 = a + b
        y = t3 + c
        return y
    assert normalized(before) == text_of(after)


def fibonacci(a, b, n):
    for _ in range(n):
        a, b = b, a + b
    return a


def test_swap_in_a_loop_keeps_the_old_values():
    # In a loop the names cannot be versioned: the pass copies what the targets overwrite.
    assert normalized_function(fibonacci)(1.0, 1.0, 6) == fibonacci(1.0, 1.0, 6) == 13.0


# ---------------------------------------------------------------- method spellings


def test_method_sum_becomes_np_sum():
    def before(x):
        return x.sum()

    def after(x):
        y = np.sum(x)
        return y
    assert normalized(before) == text_of(after)


def test_chained_methods_with_arguments():
    def before(x, w):
        return x.sum(axis=0).mean() + x.dot(w)

    def after(x, w):
        t1 = np.sum(x, axis=0)
        t2 = np.mean(t1)
        t3 = np.dot(x, w)
        y = t2 + t3
        return y
    assert normalized(before) == text_of(after)


def test_other_methods_stay_methods():
    def before(x):
        return x.searchsorted(0.5)

    def after(x):
        y = x.searchsorted(0.5)
        return y
    assert normalized(before) == text_of(after)


def test_method_spelling_uses_the_modules_own_name_for_numpy():
    f = load_function("""
        import numpy


        def f(x):
            return x.mean()
    """, "f")

    def after(x):
        y = numpy.mean(x)
        return y
    assert normalized(f) == text_of(after)


def test_method_spelling_without_numpy_imported_uses_a_helper():
    f = load_function("""
        def f(x):
            return x.sum()
    """, "f")
    src, _, tree = normal_form(f)

    def after(x):
        y = np.sum(x)
        return y
    assert render(tree) == text_of(after)
    assert src.namespace.helpers == {"np": np}


# ---------------------------------------------------------------- SSA versions


def test_each_redefinition_gets_a_new_version():
    def before(x):
        z = x * 2.0
        z = z + 1.0
        z = math.sin(z)
        return z

    def after(x):
        z = x * 2.0
        z_2 = z + 1.0
        z_3 = math.sin(z_2)
        return z_3
    assert normalized(before) == text_of(after)


def test_versions_skip_the_users_own_suffixed_names():
    def before(x):
        x = x * 2.0
        x_2 = 1.0
        x = x + x_2
        return x

    def after(x):
        x_3 = x * 2.0
        x_2 = 1.0
        x_4 = x_3 + x_2
        return x_4
    assert normalized(before) == text_of(after)


def test_statements_keep_the_line_of_the_user_statement():
    def before(x):
        z = math.sin(x * x)
        return z * math.cos(z)
    first = before.__code__.co_firstlineno
    _, _, tree = normal_form(before)
    assert [stmt.lineno for stmt in tree.body] == [first + 1] * 2 + [first + 2] * 3


# ---------------------------------------------------------------- the normal form's contract

def nested(x):
    return math.sin(x * x)


def augmented(x, z):
    x += z
    x *= math.exp(z)
    x -= 1.0
    return x / z


def swapped(x, z):
    a, b = x, z * x
    a, b = b, a
    return a - 2.0 * b


def methods(x, w):
    return x.sum(axis=0).mean() * x.dot(w).sum()


def redefined(x):
    x = x * 2.0
    x_2 = 1.0
    x = x + x_2
    return -x ** 2


def user_temporaries(x, t1, y):
    t2 = x * t1 + y
    return t2 * y + math.tanh(t1 * x)


def conditional_expression(x):
    return math.log(x) if x > 0.0 else -x


def short_circuit(x):
    return x > 0.0 and math.log(x) > 1.0


SAMPLES = [nested, augmented, swapped, methods, redefined, user_temporaries,
           conditional_expression, short_circuit]
X34 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
ARGUMENTS = {
    "nested": [(0.3,)], "augmented": [(0.5, 1.5)], "swapped": [(0.5, -2.0)],
    "methods": [(X34, np.linspace(0.5, 2.0, 4))], "redefined": [(0.7,)],
    "user_temporaries": [(0.4, -1.1, 2.0)], "conditional_expression": [(2.0,), (-1.0,)],
    "short_circuit": [(5.0,), (-1.0,)],
}


@pytest.mark.parametrize("fn", SAMPLES, ids=lambda fn: fn.__name__)
def test_normalising_preserves_values(fn):
    normal = normalized_function(fn)
    for args in ARGUMENTS[fn.__name__]:
        assert normal(*args) == pytest.approx(fn(*args), rel=1e-15)


@pytest.mark.parametrize("fn", SAMPLES, ids=lambda fn: fn.__name__)
def test_normalising_the_normal_form_again_changes_nothing(fn):
    # The normal form, written to a module of its own, is parsed and normalised again.
    text = normalized(fn)
    again = load_function("import math\nimport numpy as np\n\n\n" + text, "f")
    assert normalized(again) == text


def test_every_statement_has_an_allowed_shape():
    # the shapes normalize.py's docstring promises, checked on every sample
    atoms = (gast.Name, gast.Constant, gast.Attribute)

    def is_atom(node):
        return isinstance(node, atoms)

    def operation_on_atoms(value):
        children = [c for c in gast.iter_child_nodes(value)
                    if isinstance(c, gast.expr) and not isinstance(c, gast.expr_context)]
        if isinstance(value, gast.Call):
            children = list(value.args) + [k.value for k in value.keywords]
        if isinstance(value, gast.Subscript):
            index = value.slice
            children = [value.value] + (list(index.elts) if isinstance(index, gast.Tuple) else [index])
        if isinstance(value, gast.BoolOp):  # kept whole: it short-circuits
            return True
        return all(is_atom(c) or isinstance(c, gast.Slice) for c in children)

    for fn in SAMPLES:
        tree = normal_form(fn)[2]
        for node in gast.walk(tree):
            if isinstance(node, gast.Assign):
                assert operation_on_atoms(node.value), (fn.__name__, render(tree))
            elif isinstance(node, gast.Return):
                assert is_atom(node.value), (fn.__name__, render(tree))
            elif isinstance(node, gast.If):
                assert is_atom(node.test), (fn.__name__, render(tree))


# ---------------------------------------------------------------- known bugs


def aliased_update(x):
    x = x * 1.0   # a copy of its own: the caller's array is not touched
    z = x
    x += 1.0      # on an array, updates the one object that x and z both name
    return np.sum(z * x)


def test_an_in_place_update_of_an_aliased_array_is_refused():
    # normalize writes `x += 1.0` as `x_2 = x + 1.0`, which on an array that z also names
    # would change the value; the analysis refuses it, citing the update's line
    x = np.array([0.5, 1.0, 2.0])
    with pytest.raises(srcad.SrcadError) as info:
        srcad.value_and_grad(aliased_update)(x)
    assert info.value.lineno == aliased_update.__code__.co_firstlineno + 3
    assert "in-place" in str(info.value)


def chained_guard(x):
    return 0.0 < x < math.log(x)


def test_chained_comparison_short_circuits_like_python():
    assert chained_guard(-1.0) is False
    assert normalized_function(chained_guard)(-1.0) is False


# ---------------------------------------------------------------- refusals


def with_lambda(x):
    square = lambda v: v * v  # noqa: E731
    return square(x)


def with_set_comprehension(x):
    return sum({x * k for k in range(3)})


def with_starred_unpacking(x):
    a, *rest = x
    return a


def with_try(x):
    try:
        return math.log(x)
    except ValueError:
        return 0.0


@pytest.mark.parametrize("fn, what", [
    (with_lambda, "lambda"), (with_set_comprehension, "set comprehension"),
    (with_starred_unpacking, "starred unpacking"), (with_try, "try statement"),
], ids=["lambda", "comprehension", "starred", "try"])
def test_refused_constructs_raise_unsupported_at_their_node(fn, what):
    with pytest.raises(Unsupported) as info:
        normal_form(fn)
    assert what in info.value.what
    assert info.value.hint
    assert fn.__code__.co_firstlineno < info.value.node.lineno
