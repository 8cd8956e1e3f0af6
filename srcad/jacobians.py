"""Jacobians assembled from derivatives: one jvp per element of an argument (forward mode) or
one pullback per element of the output (reverse mode), and the gradient of a derivative srcad
made, by forward mode over its generated code."""
import numpy as np

from . import pytree, runtime, structured


def gradient_by_forward_mode(target, transform, args, kwargs, values):
    """grad (or value_and_grad) of a derivative srcad made, by forward mode over its code."""
    def run(*args, **kwargs):
        value, columns = forward_jacobian(target, args, kwargs)
        if type(value) is not float:
            try:
                runtime.scalar_seed(value)
            except (runtime.NotScalar, runtime.NotReal) as refusal:
                raise target.refused(refusal) from None
        gradient = columns[0] if target.single else tuple(columns)
        return (value, gradient) if values else gradient
    return run


def forward_jacobian(target, args, kwargs):
    """(value, [Jacobian for each wrt argument]) by one jvp per element of each argument."""
    kinds = target.kinds(args, kwargs)  # once: binding the arguments costs as much as a small jvp
    if structured.on_leaves(target, args, kwargs, kinds):
        return _structured_forward_jacobian(target, args, kwargs)
    # kept under the argument types, as jvp keeps its own (the caller refreshed the target)
    key = ("forward jacobian",) + tuple(map(type, args)) + tuple((k, type(v)) for k, v in sorted(kwargs.items()))
    impl, compiled = target.kept(key, lambda: target.forward_impl(args, kwargs, kinds))
    bound = target.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    values = dict(bound.arguments)
    zeros = {p: _zero_like(values[p]) for p in target.wrt}
    columns, value = [], None
    for p in target.wrt:
        x = values[p]
        cells = []
        for index in (np.ndindex(np.shape(x)) if np.ndim(x) else [()]):
            tangents = dict(zeros)
            tangents[p] = _basis(x, index)
            value, tangent = impl(**values, **dict(zip(compiled.tangent_params, (tangents[q] for q in target.wrt))))
            cells.append(structured.output(compiled.layout, tangent))
        value = structured.output(compiled.layout, value)
        columns.append(_arranged(value, None, [x], [cells]))  # per leaf of a container output
    return value, columns


def _structured_forward_jacobian(target, args, kwargs):
    """`forward_jacobian` where an argument in `wrt` or the output is a container: as JAX's
    jacfwd, the Jacobian has the output's structure, each of its leaves the structure of the
    argument, with blocks of shape out_leaf.shape + arg_leaf.shape (None where either leaf
    holds no number: a whole row of the argument's structure for an output leaf). For an output that is no container it is the argument's structure of
    blocks out.shape + leaf.shape, as `reverse_jacobian` gives."""
    run = structured.forward(target, args, kwargs)
    bound = target.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    inputs = [structured.argument_of(bound.arguments, p) for p in target.wrt]
    zeros = [_zero_tree(x) for x in inputs]
    value, columns = None, []
    for j, x in enumerate(inputs):
        node = structured.structure(x)
        leaves = pytree.flatten(x, objects=True)[1] if node is not None else [x]
        numeric = node.leaf_kinds() if node is not None else [pytree.NUMERIC[0]]
        cells = []  # per leaf of x: the output's tangents, one per element of the leaf
        for k, leaf in enumerate(leaves):
            if numeric[k] not in pytree.NUMERIC:
                cells.append(None)
                continue
            cells.append([])
            for index in (np.ndindex(np.shape(leaf)) if np.ndim(leaf) else [()]):
                tangents = list(zeros)
                tangents[j] = _one_hot_tree(x, node, k, index)
                value, tangent = run(args, kwargs, tangents)
                cells[-1].append(tangent)
        columns.append(_arranged(value, node, leaves, cells))
    return value, columns


def _arranged(value, node, leaves, cells):
    """The Jacobian of the output `value` with respect to an argument of structure `node` (None
    for an array or a float) and these leaves, from the output tangents per leaf element."""
    out_node = structured.structure(value)
    out_leaves = pytree.flatten(value, objects=True)[1] if out_node is not None else [value]

    def block(m, k):
        if cells[k] is None:
            return None
        parts = [pytree.flatten(c, objects=True)[1][m] if out_node is not None else c for c in cells[k]]
        return None if parts[0] is None else _assemble(parts, out_leaves[m], leaves[k], last=True)

    def of_argument(m):
        if out_leaves[m] is None:  # a gradient's leaf holding no number: no Jacobian either
            return None
        blocks = [block(m, k) for k in range(len(leaves))]
        return pytree.unflatten(node, blocks) if node is not None else blocks[0]
    if out_node is None:
        return of_argument(0)
    return pytree.unflatten(out_node, [of_argument(m) for m in range(len(out_leaves))])


def _zero_tree(x):
    """A zero tangent of `x`'s structure (None for its leaves that hold no number)."""
    node = structured.structure(x)
    if node is None:
        return _zero_like(x)
    leaves = pytree.flatten(x, objects=True)[1]
    return pytree.unflatten(node, [_zero_like(leaf) if kind in pytree.NUMERIC else None
                                   for leaf, kind in zip(leaves, node.leaf_kinds())])


def _one_hot_tree(x, node, k, index):
    """A tangent of `x`'s structure: 1 at `index` of its leaf `k`, 0 elsewhere."""
    if node is None:
        return _basis(x, index)
    leaves = pytree.flatten(x, objects=True)[1]
    zeros = pytree.flatten(_zero_tree(x), objects=True)[1]
    zeros[k] = _basis(leaves[k], index)
    return pytree.unflatten(node, zeros)


def reverse_jacobian(pullbacks, target, args, kwargs):
    """[Jacobian for each wrt argument] by one pullback per element of the output. For an
    output that is a container, as JAX's jacrev: the output's structure outside, blocks of
    shape out_leaf.shape + arg.shape (or the argument's structure of them) inside."""
    value, pullback = pullbacks(*args, **kwargs)
    bound = target.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = [structured.argument_of(bound.arguments, p) for p in target.wrt]
    out_node = structured.structure(value)
    if out_node is None:
        return _reverse_columns(pullback, target, arguments, value, lambda cotangent: cotangent)
    out_leaves = pytree.flatten(value, objects=True)[1]
    numeric = out_node.leaf_kinds()
    zeros = [_zero_like(leaf) if kind in pytree.NUMERIC else None for leaf, kind in zip(out_leaves, numeric)]
    per_leaf = []  # per output leaf: its Jacobian for each wrt argument (None for no number)
    for m, leaf in enumerate(out_leaves):
        if numeric[m] not in pytree.NUMERIC:
            per_leaf.append([None] * len(arguments))
            continue

        def seeded(cotangent, m=m):  # the cotangent of the leaf m, zeros elsewhere
            return pytree.unflatten(out_node, zeros[:m] + [cotangent] + zeros[m + 1:])
        per_leaf.append(_reverse_columns(pullback, target, arguments, leaf, seeded))
    return [pytree.unflatten(out_node, [jac[j] for jac in per_leaf]) for j in range(len(arguments))]


def _reverse_columns(pullback, target, arguments, out, seeded):
    """[Jacobian of the output (leaf) `out` for each wrt argument], from pullbacks of the
    cotangents `seeded(e)` for each basis element e of `out`."""
    rows = []
    for index in (np.ndindex(np.shape(out)) if np.ndim(out) else [()]):
        grads = pullback(seeded(_basis(out, index)))
        rows.append(grads if not target.single else (grads,))
    columns = []
    for j, argument in enumerate(arguments):
        if structured.structure(argument) is None:
            columns.append(_assemble([r[j] for r in rows], argument, out, last=False))
            continue
        # a container: a Jacobian of shape out.shape + leaf.shape per leaf, in its structure
        node, leaves = pytree.flatten(argument, objects=True)
        cells = [pytree.flatten(r[j], objects=True)[1] for r in rows]
        blocks = [None if cells[0][k] is None else _assemble([c[k] for c in cells], leaf, out, last=False)
                  for k, leaf in enumerate(leaves)]
        columns.append(pytree.unflatten(node, blocks))
    return columns


def _basis(x, index):
    if type(x) is np.ndarray and x.dtype == np.float64:  # the common case, told at once
        e = np.zeros(x.shape)
        e[index] = 1.0
        return e
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return 1.0
    e = np.zeros(np.shape(x), dtype=np.result_type(x, float))
    e[index] = 1.0
    return e


def _zero_like(x):
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return 0.0
    return np.zeros(np.shape(x), dtype=np.result_type(x, float))


def _assemble(cells, first, second, last):
    """Cells (one per element of `second`'s... ) stacked into shape first.shape + second.shape
    (forward: cells are outputs per input element, `last`: input axes go last)."""
    if last:  # cells[k] has the output's shape; k runs over the input (second)
        out_shape, in_shape = np.shape(first), np.shape(second)
        if not out_shape and not in_shape:
            return float(cells[0])
        stacked = np.array([np.asarray(c, dtype=float) for c in cells])   # (in..., out...)
        stacked = stacked.reshape(in_shape + out_shape)
        return np.moveaxis(stacked, tuple(range(len(in_shape))),
                           tuple(range(len(out_shape), len(out_shape) + len(in_shape))))
    out_shape, in_shape = np.shape(second), np.shape(first)   # reverse: cells per output element
    if not out_shape and not in_shape:
        return float(cells[0])
    return np.array([np.asarray(c, dtype=float) for c in cells]).reshape(out_shape + in_shape)
