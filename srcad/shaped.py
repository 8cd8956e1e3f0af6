"""Gradients specialised on the shapes and dtypes of their array arguments.

For a signature of plain parameters called with exact numpy arrays, the specialisation the
dispatcher keeps under the arguments' types (dispatch.py) is `by_shapes`'s chooser: it keys on
the arrays' shapes and dtypes and runs a derivative compiled for them (optimize/shapes.py
writes out what they settle: no `unbroadcast` where shapes agree, products of vectors and
matrices spelled out, accumulation in place). The first `LIMIT` shape keys get a derivative of
their own; every other key runs the general derivative, compiled for the types alone, which
is also what runs wherever the arrays are not exactly `np.ndarray`.
"""
import numpy as np

from . import structured
from .analyze import ARRAY

LIMIT = 4     # derivatives specialised on shapes, per argument types
_KEYS = 64    # shape keys remembered (those beyond LIMIT run the general derivative)


def shapes_of(target, kinds, args):
    """Array parameter -> (shape, dtype string) for a call with positional `args` that a
    specialisation on shapes serves; None where the general derivative runs."""
    params = target.params
    positions = [i for i, p in enumerate(params) if kinds.get(p.name) == ARRAY]
    if not positions or len(args) != len(params) or structured.has_containers(kinds) \
            or any(p.kind != p.POSITIONAL_OR_KEYWORD for p in params) \
            or any(type(args[i]) is not np.ndarray or args[i].dtype.kind not in "biuf" for i in positions):
        return None
    return {params[i].name: (args[i].shape, args[i].dtype.str) for i in positions}


def by_shapes(target, kinds, args, variant, checked):
    """The derivative for arguments of these `kinds` and the `args`' shapes: the general one
    (compiled for the kinds alone), or a chooser among derivatives specialised on the shapes
    and dtypes of the array arguments. `checked(compiled)` binds a compiled derivative."""
    general = []  # compiled when first needed

    def general_impl():
        if not general:
            general.append(checked(target.compiled(kinds, variant=variant)))
        return general[0]
    if shapes_of(target, kinds, args) is None:
        return general_impl()
    params = target.params
    positions = [i for i, p in enumerate(params) if kinds.get(p.name) == ARRAY]
    table, specialised = {}, []

    def miss(key, args):
        shapes = shapes_of(target, kinds, args)
        if shapes is None or len(specialised) >= LIMIT:
            impl = general_impl()
        else:
            impl = checked(target.compiled(kinds, variant=variant, shapes=shapes))
            specialised.append(key)
        if len(table) < _KEYS:
            table[key] = impl
        return impl

    names = [f"a{i}" for i in range(len(params))]
    listed = ", ".join(names)
    key = "".join(f"a{i}.shape, a{i}.dtype, " for i in positions)
    text = (f"def by_shape({listed}):\n"
            f"    impl = table.get(({key}))\n"
            f"    if impl is None:\n"
            f"        impl = miss(({key}), ({listed},))\n"
            f"    return impl({listed})\n")
    namespace = {"table": table, "miss": miss}
    exec(compile(text, f"<srcad shapes {target.fn.__name__}>", "exec"), namespace)
    return namespace["by_shape"]
