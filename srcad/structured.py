"""Calls with containers in `wrt`: the arguments flattened into the leaves the specialised
derivative takes (containers.py), its gradients put back into the containers' structure.

A container argument in `wrt` (a dict, list, tuple, namedtuple, dataclass instance, or an object
with fields, nested to any depth) has a `pytree.Tree` as its kind: derivatives are compiled
per structure, and `Call` finds the one for each call's structures. The gradient of a leaf
that holds no number (a string, None, a flag) is None.
"""
import numpy as np

from . import pytree
from .analyze import kind_of_type
from .runtime.core import is_foreign

VARIANTS = {"grad": "grad", "value_and_grad": "value_and_grad", "vjp": "split"}


def structure(value):
    """The Tree of `value` where it is a container to differentiate through, else None (a
    number or array, or a value arguments.py judges)."""
    if type(value) in _PLAIN:  # the common case, told at once (a jvp asks on every call)
        return None
    if pytree.is_container(value) or _has_fields(value):
        return pytree.flatten(value, objects=True)[0]
    return None


_PLAIN = frozenset({float, int, bool, np.ndarray, np.float64, np.float32})


def _has_fields(value):
    return hasattr(value, "__dict__") and not callable(value) and kind_of_type(type(value)) == "other" \
        and not isinstance(value, type) and not type(value).__module__.startswith(("numpy", "builtins")) \
        and not is_foreign(value)  # a dask array is an array, not an object of fields


def refusal(node, value):
    """What is wrong with the container `value` of structure `node` as a `wrt` argument, or None."""
    leaves = pytree.flatten(value, objects=True)[1]
    if not any(kind in pytree.NUMERIC for kind in node.leaf_kinds()):
        return "no number or numeric array among its leaves"
    if any(np.iscomplexobj(leaf) for leaf, kind in zip(leaves, node.leaf_kinds()) if kind in pytree.NUMERIC):
        return "complex numbers"
    return None


def element_name(varargs, index):
    """How `wrt` names the element `index` of the *args parameter `varargs`: `xs[1]`."""
    return f"{varargs}[{index}]"


def is_element_name(name_):
    return name_.endswith("]")


def split_element_name(name_):
    varargs, _, index = name_[:-1].partition("[")
    return varargs, int(index)


def node_of(kinds, name_):
    """The kind (a Tree for a container) of the `wrt` argument `name_` (an *args element too)."""
    if is_element_name(name_):
        varargs, index = split_element_name(name_)
        return kinds[varargs].children[index]
    return kinds[name_]


def argument_of(arguments, name_):
    """The value of the `wrt` argument `name_` among bound arguments (an *args element too)."""
    if is_element_name(name_):
        varargs, index = split_element_name(name_)
        return arguments[varargs][index]
    return arguments[name_]


def has_containers(kinds):
    return any(isinstance(kind, pytree.Tree) for kind in kinds.values())


def flat_arguments(target, args, kwargs, kinds):
    """The positional arguments of the specialised derivative: each container's leaves in its
    place."""
    bound = target.signature.bind(*args, **kwargs)
    bound.apply_defaults()
    flat = []
    for name_, value in bound.arguments.items():
        if isinstance(kinds.get(name_), pytree.Tree):
            flat += pytree.flatten(value, objects=True)[1]
        else:
            flat.append(value)
    return flat


def flat_tangents(target, kinds, tangents):
    """The tangents of the specialised jvp: one per numeric leaf of each `wrt` container."""
    flat = []
    for name_, tangent in zip(target.wrt, tangents):
        node = node_of(kinds, name_)
        if not isinstance(node, pytree.Tree) or node.shape == pytree.LEAF:
            flat.append(tangent)
            continue
        given, leaves = pytree.flatten(tangent, objects=True)
        if [n.shape for n in pytree.leaf_nodes(given)] != [n.shape for n in pytree.leaf_nodes(node)] \
                or len(leaves) != len(node.leaf_kinds()):
            raise TypeError(f"jvp: the tangent of {name_} must have the structure of {name_}")
        flat += [leaf for leaf, kind in zip(leaves, node.leaf_kinds()) if kind in pytree.NUMERIC]
    return flat


def gradients(target, kinds, flat):
    """The gradient(s) of `target.wrt` from the specialised derivative's tuple of leaf gradients."""
    flat = iter(flat)
    out = []
    for name_ in target.wrt:
        node = node_of(kinds, name_)
        if isinstance(node, pytree.Tree) and node.shape != pytree.LEAF:
            leaves = [next(flat) if kind in pytree.NUMERIC else None for kind in node.leaf_kinds()]
            out.append(pytree.unflatten(node, leaves))
        else:
            out.append(next(flat))
    return out[0] if target.single else tuple(out)


def output(layout, value):
    """f's value as f returns it: a container rebuilt from the leaves the derivative returned."""
    if layout is None or layout.output is None:
        return value
    return pytree.unflatten(layout.output, value)


def cotangent_leaves(layout, cotangent):
    """A cotangent of f's container output, as the tuple of leaves the derivative takes."""
    if layout is None or layout.output is None:
        return cotangent
    given, leaves = pytree.flatten(cotangent, objects=True)
    if len(leaves) != len(pytree.leaf_nodes(layout.output)):
        raise TypeError("vjp: the cotangent must have the structure of the function's value")
    return tuple(leaves)


def on_leaves(target, args, kwargs, kinds=None):
    """Whether the derivative of `target` for these arguments (of these `kinds`, where known)
    takes containers as their leaves: a container in `wrt`, or `target` a gradient srcad made
    with respect to one."""
    if has_containers(kinds if kinds is not None else target.kinds(args, kwargs)):
        return True
    return target.inner is not None and has_containers(target.inner.kinds(args, kwargs))


def forward(target, args, kwargs):
    """`run(args, kwargs, tangents) -> (value, tangent)`: the jvp of `target` (with containers
    among its arguments' kinds) for arguments of the structures `args` have; `tangents` one per
    `wrt` argument, of its structure; value and tangent in the structure of f's output (for a
    gradient srcad made, that of its gradient)."""
    kinds = target.kinds(args, kwargs)
    if target.inner is None or not has_containers(target.inner.kinds(args, kwargs)):  # a container in wrt
        impl, compiled = target.forward_impl(args, kwargs)

        def run(args, kwargs, tangents):
            flat = flat_arguments(target, args, kwargs, kinds)
            value, tangent = impl(*flat, **dict(zip(compiled.tangent_params, flat_tangents(target, kinds, tangents))))
            return output(compiled.layout, value), output(compiled.layout, tangent)
        return run
    return _forward_of_made(target, args, kwargs, kinds)


def _forward_of_made(target, args, kwargs, kinds):
    """`forward` for a gradient srcad made (`jvp(grad(f))`, `hessian(f)`) with containers in
    `wrt`: forward mode over its generated code, whose parameters are the containers' leaves,
    differentiated with respect to the leaves of the containers in `wrt`."""
    from .pipeline import leaves_of
    inner = target.inner
    inner_kinds = inner.kinds(args, kwargs)
    generated = target.function_for(args, kwargs)
    layout = inner.compiled(inner_kinds, variant=target.inner_variant, final=False).layout
    for name_ in target.wrt:
        if isinstance(node_of(kinds, name_), pytree.Tree) and name_ not in layout.params:
            raise target.error(f"cannot differentiate the gradient of {target.fn.__name__} with respect "
                               f"to the container {name_} as well as the container its gradient is "
                               "taken with respect to", f"Take the gradient with respect to {name_} too")
    leaf_kinds, leaf_wrt = leaves_of(inner_kinds, target.wrt, layout)
    compiled = target.compiled(leaf_kinds, "forward", "jvp", generated, wrt=leaf_wrt)
    impl = compiled.bind(generated)

    def rebuilt(result):
        if target.inner_variant == "value_and_grad":
            return result[0], gradients(inner, inner_kinds, result[1])
        return gradients(inner, inner_kinds, result)

    def run(args, kwargs, tangents):
        flat = flat_arguments(inner, args, kwargs, inner_kinds)
        value, tangent = impl(*flat, **dict(zip(compiled.tangent_params, flat_tangents(target, kinds, tangents))))
        return rebuilt(value), rebuilt(tangent)
    return run


class Call:
    """The stand-in's specialisation for containers in `wrt`: per call, the derivative for its
    structures (made once each by `make(kinds, args, kwargs)`), called on the leaves."""

    def __init__(self, target, make):
        self.target, self.make, self.impls = target, make, {}

    def __call__(self, *args, **kwargs):
        target = self.target
        kinds = target.kinds(args, kwargs)
        key = tuple(sorted(kinds.items(), key=lambda item: item[0]))
        found = self.impls.get(key)
        if found is None:
            compiled = target.compiled(kinds, variant=VARIANTS[target.transform])
            found = self.impls[key] = (self.make(kinds, args, kwargs), compiled.layout)
        impl, layout = found
        result = impl(*flat_arguments(target, args, kwargs, kinds))
        if target.transform == "grad":
            return gradients(target, kinds, result)
        if target.transform == "value_and_grad":
            return output(layout, result[0]), gradients(target, kinds, result[1])
        value, pullback = result  # vjp: its value and cotangent have f's structure already

        def structured_pullback(cotangent):
            return gradients(target, kinds, pullback(cotangent))
        return value, structured_pullback
