"""Every runtime helper is one generated code can call (the `_rt` facade names it), and every
helper that appears in code srcad differentiates again has its forward rule, so `hessian`,
`jvp(grad(f))` and `grad(grad(f))` run through it.
"""
import inspect

from srcad import runtime
from srcad.rules import registry

# helpers that appear only in code srcad never transforms again, each with the reason
NEVER_TRANSFORMED_AGAIN = {
    # forward-mode code (jvp, jacobian, hessian are not differentiated again)
    "broadcast_like", "writable_tangent", "sum_tangent", "tangent_out", "custom_jvp",
    "expit_tangent", "cumprod_tangent", "prod_others_tangent", "uncumprod_tangent",
    "norm_weights_tangent", "ravel_tangent", "solve_tangent", "solve_left_tangent",
    "solve_right_tangent", "cholesky_tangent", "cholesky_grad_tangent", "einsum_tangent",
    "einsum_grad_tangent", "extremum_tangent", "sorted_tangent", "linspace_tangent", "eigh_tangent",
    "svd_tangent", "pinv_tangent", "eigh_grad_tangent", "svd_grad_tangent", "pinv_grad_tangent",
    "take_tangent", "full_tangent",
    # the array passes' helpers: only in a gradient that runs as it is
    "add_to", "spread", "stand_in", "unbroadcast_uniform", "rows", "into",
    # a checkpointed loop's sums (shape-specialised gradients; checkpointed ones are never
    # differentiated again)
    "add_product",
    # a user's defvjp rule: forward mode through it needs a defjvp rule, which is asked for
    "custom_vjp",
    # called by the other helpers, never by generated code
    "real_float",
    # a rule's stand-in for a derivative srcad has none of: the transforms refuse it first
    "no_rule_for",
}
# the runtime modules' own shared helpers, which the facade leaves out
INTERNAL = {"float_dtype", "is_zero", "tangent_or_zeros", "refuse_complex", "repeats",
            # the checkpointing schedule's arithmetic (generated code makes a Revolve)
            "repetitions", "recomputed_turns", "sqrt_snapshots",
            # what keeps another library's arrays (dask) as they are: tests, spellings numpy's
            # functions dispatch to, and the refusal where values are needed
            "is_foreign", "array_of", "zeros_of", "like_kind", "size_of", "permutation",
            "summed_by_source", "needs_values", "spread_over", "divide_where"}


def helpers():
    return {name_: obj for name_, obj in vars(runtime).items()
            if not name_.startswith("_") and inspect.isfunction(obj)}


def test_every_helper_has_its_forward_rule():
    reg = registry()
    missing = sorted(name_ for name_, fn in helpers().items() if name_ not in NEVER_TRANSFORMED_AGAIN
                     and reg.forward_rule(fn) is None and not reg.has_no_derivative(fn))
    assert missing == [], "add a JVP rule (srcad/rules/runtime_rules.py) for these"


def test_the_exemptions_are_helpers_without_a_rule():
    reg = registry()
    known = helpers()
    assert NEVER_TRANSFORMED_AGAIN <= set(known)
    assert [n for n in NEVER_TRANSFORMED_AGAIN if reg.forward_rule(known[n]) is not None] == []


def test_the_facade_names_every_helper_of_the_runtime_modules():
    exported = set(helpers().values())
    for module in (m for m in vars(runtime).values() if inspect.ismodule(m)
                   and m.__name__.startswith("srcad.runtime.")):
        defined = [name_ for name_, obj in vars(module).items() if inspect.isfunction(obj)
                   and obj.__module__ == module.__name__ and not name_.startswith("_")]
        assert [n for n in defined if n not in INTERNAL and getattr(module, n) not in exported] == [], \
            module.__name__
