"""The only helpers generated code calls, imported there as `_rt`, and the rules' longer math.

Each is small and branch-light: plain floats take the first, cheapest path. Cotangent helpers
return their operand's exact shape (a float for a Python number) and keep its float dtype:
float32 in, float32 out. Each module holds one topic, a helper's tangent (its forward rule's
math, for forward mode over generated gradients, srcad/rules/runtime_rules.py) beside it; a
tangent may be the plain 0.0 forward mode passes for a constant operand. This facade names
every helper generated code may call, module by module.
"""
from .core import (NotReal, broadcast_like, custom_jvp, custom_vjp, no_rule_for, real_float, reduced_size,
                   shaped_like, unbroadcast, unreduce)
from .scalars import (TWO_OVER_SQRT_PI, abs_slope, expit, expit_tangent, inverse_or_zero, log, over,
                      power_log, power_slope, sign)
from .outputs import NotScalar, gradient, scalar_seed, tangent_out, zeros_like
from .containers import (add, add_at, copied, disjoint_write, drop_last, item, saved, sum_grad,
                         sum_tangent, unshared, unstack, writable_tangent, zero_at, zeros_as)
from .reductions import (cumprod_tangent, extremum_weights, logsumexp_weights, prod_others,
                         prod_others_tangent, uncumprod, uncumprod_tangent, uncumsum, variance_grad)
from .linalg import (cholesky_grad, cholesky_grad_tangent, cholesky_tangent, matmul_left, matmul_right,
                     norm_weights, norm_weights_tangent, solve_left, solve_left_tangent, solve_right,
                     solve_right_tangent, solve_tangent)
from .contractions import (dot_left, dot_right, einsum_grad, einsum_grad_tangent, einsum_tangent,
                           inner_left, inner_right, tensordot_left, tensordot_right)
from .shapes import (cast_back, clip_at_max, clip_at_min, clip_passes, full_tangent, inverse_permutation,
                     linspace_tangent, method_axes, ravel_tangent, take_tangent, unconcatenate, undiag, undiagonal,
                     undiff, unhstack, unlinspace, unravel, unrepeat, unsort, untake, untile, unvstack)
from .decompositions import (eigh_grad, eigh_grad_tangent, eigh_tangent, pinv_grad, pinv_grad_tangent,
                             pinv_tangent, svd_grad, svd_grad_tangent, svd_tangent)
from .sequences import extremum_tangent, share_extremum, sorted_tangent, unlist, unsort_items
from .passes import add_to, into, rows, spread, stand_in, unbroadcast_uniform
from .checkpoints import Revolve, add_product
