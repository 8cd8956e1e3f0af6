"""Reverse mode: the derivative function, a forward sweep and then a reverse sweep.

The forward sweep is the primal code, plus what the reverse sweep needs and cannot see again:
values about to be overwritten (pushed on `_tape` before the overwrite, only for variables the
reverse sweep reads: the to-be-recorded analysis), branch conditions and loop ranges that change
later, iteration counts of loops that may stop early. The reverse sweep walks the statements
backwards: for each active statement, one adjoint statement per active operand, inlined from
the rule tables (`bx = bt * math.cos(x)`), then the overwritten value popped back. So when the
reverse sweep reaches a statement, every variable it reads holds the value it had right after
that statement ran forwards.

Straight-line code is in SSA form (nothing is overwritten, nothing stored); a branch becomes the
same branch run backwards; a loop becomes a loop over the same items in reverse order.
"""
from dataclasses import dataclass, field

import math

import gast

from .. import gastutil as g
from .. import runtime
from ..analyze import ARRAY, FLOAT
from ..errors import Unsupported
from ..ir import COMPOUND, FORWARD_SWEEP, REVERSE_SWEEP, comment, parameters
from ..parse import UNRESOLVED
from ..rules import registry
from ..rules.callees import is_user_function
from . import calls
from .adjoints import AddAt, Prelude, Terms
from .checkpointed import Checkpointing
from .layout import Layout
from .looseness import Looseness
from .reverse_control import ControlFlow
from .reverse_tape import Tape

VARIANTS = ("vjp", "value_and_grad", "grad")


@dataclass
class Derivative:
    tree: gast.FunctionDef
    seed: str                  # the name of the output's cotangent parameter
    return_lineno: int
    seed_defaults: tuple = field(default=(1.0,))
    adjoints: frozenset = frozenset()  # the adjoint names (folded and pruned by the optimiser)
    floats: frozenset = frozenset()    # primal names known to hold Python floats
    harmless: frozenset = frozenset()  # primal names whose computation cannot raise
    adjoint_of: dict = field(default_factory=dict)  # primal name -> its adjoint's name


def reverse(tree, src, facts, names, variant, derive_call, checkpoints=None):
    """The reverse-mode derivative of the three-address `tree`, as one of three variants:

    - "vjp": `f_vjp(..., by=1.0)` returns `(value, gradient)` for the cotangent `by`;
    - "value_and_grad": `f_vjp(...)` returns `(value, gradient)` with the seed 1.0;
    - "grad": `f_grad(...)` returns the gradient alone, with the seed 1.0.

    With the seed 1.0 the optimiser folds it away; where the output is not known to be a float,
    `_rt.scalar_seed(y)` makes it, refusing a non-scalar `y` before the reverse sweep runs.

    `derive_call(fn, wrt, kinds, stmt)` compiles the split derivative of a user function that
    the code calls (see calls.py): the pipeline passes its own, which goes through its cache.

    `checkpoints` (K, "sqrt" or None): the outermost loops over `range` at the top of the
    function or in its branches are reversed by binomial checkpointing (checkpointed.py)."""
    body = tree.body
    params = parameters(tree)
    layout = Layout(params, body)
    needed = None
    writes = any(isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Subscript) for s in body)
    if writes or any(isinstance(s, COMPOUND) for s in body):
        probe = _Reverse(tree, body, src, facts, names.copy(), layout, variant, None, derive_call, checkpoints)
        probe.function()
        needed = probe.reads  # the to-be-recorded variables: those the reverse sweep reads
    return _Reverse(tree, body, src, facts, names, layout, variant, needed or set(),
                    derive_call, checkpoints).function()


class _Reverse(ControlFlow, Tape, Checkpointing):
    def __init__(self, tree, body, src, facts, names, layout, variant, needed, derive_call, checkpoints):
        self.derive_call, self.checkpoints = derive_call, checkpoints
        self.tree, self.body, self.src, self.facts = tree, body, src, facts
        self.names, self.layout, self.variant = names, layout, variant
        self.needed = needed      # None: save every overwritten value (the probing pass)
        self.ns = src.namespace
        self.terms = Terms(facts, src.namespace)
        self.adjoints = {}        # primal name -> adjoint name
        self.assigned = set()     # local adjoints that hold a value already
        self.reads = set()        # primal names the adjoint statements read
        self.saved = set()        # variables pushed on the tape
        self.tape = None
        self.depth = 0            # how many loops enclose the statement being transformed
        self.snapshot = None      # in a straight-line loop body: the variables its turn saves
        self.branching = any(isinstance(s, COMPOUND) for s in tree.body)  # nested only in these
        self.float_modules = {n for n, obj in {**src.globals, **src.namespace.helpers}.items()
                              if obj is math}
        self.looseness = Looseness(body, facts, self.float_modules, src.lookup)  # numpy scalars?

    # --- the function ----------------------------------------------------------------------

    def function(self):
        primal, ret = self.body[:-1], self.body[-1]
        out = ret.value
        seed = self.seed = self.names.adjoint(out.id if isinstance(out, gast.Name) else "out")
        if isinstance(out, gast.Name) and self.facts.is_active(out.id):
            self.adjoints[out.id] = seed
            self.assigned.add(seed)
        forward, backward = self.block(primal)
        if isinstance(out, gast.Name) and self.layout.redefined(out.id) and self.variant != "grad":
            value = self.names.fresh("value")  # the reverse sweep restores `out`'s old values
            forward.append(g.assign(value, g.name(out.id), ret))
            out = g.name(value)
        gradients = [self.gradient(p) for p in self.facts.wrt]
        finish = [s for s, _ in gradients if s is not None]
        grads = [e for _, e in gradients]
        arrays = [e for p, e in zip(self.facts.wrt, grads) if self.facts.kinds.get(p) != FLOAT
                  and isinstance(e, gast.Name)]
        for i, later in enumerate(arrays[1:], 1):  # one array handed to two operands: two gradients
            others = g.tuple_(g.name(e.id) for e in arrays[:i])
            finish.append(g.assign(later.id, g.call(self.rt("unshared"), [g.name(later.id), others]), ret))
        result = grads[0] if self.facts.single else g.tuple_(grads)
        args = g.clone(self.tree.args)
        returned = result if self.variant == "grad" else g.tuple_([g.clone(out), result])
        if self.variant == "vjp":
            args.args.append(gast.Name(id=seed, ctx=gast.Param(), annotation=None, type_comment=None))
            args.defaults.append(g.const(1.0))
            seeding = []
        elif self.facts.kind(out) == FLOAT and not self.facts.complex_powers \
                and isinstance(out, gast.Name) and self.facts.is_active(out.id):
            # (an output that does not vary, `return True` say, is checked like any other)
            seeding = [g.assign(seed, g.const(1.0), ret)]
        else:
            seeding = [g.assign(seed, g.call(self.rt("scalar_seed"), [g.clone(out)]), ret)]
        zeros = [g.assign(self.adjoints[v], self.zero(v), ret) for v in sorted(self.adjoints)
                 if self.adjoints[v] != seed and not self.layout.local(v)]
        start = self.forward_start(ret)
        new_body = [comment(FORWARD_SWEEP)] + start + forward + [comment(REVERSE_SWEEP)] + seeding \
            + zeros + backward + finish + [g.located(gast.Return(value=returned), ret)]
        suffix = "_grad" if self.variant == "grad" else "_vjp"
        fdef = gast.FunctionDef(name=self.names.fresh(self.tree.name + suffix), args=args,
                                body=new_body, decorator_list=[], returns=None,
                                type_comment=None, type_params=[])
        floats = {p for p in self.layout.params if self.facts.kinds.get(p) == FLOAT
                  and p not in self.facts.int_params and p not in self.facts.varied - set(self.facts.wrt)}
        return Derivative(gast.copy_location(fdef, self.tree), seed, ret.lineno,
                          (1.0,) if self.variant == "vjp" else (),
                          frozenset(self.adjoints.values()) | {seed}, frozenset(floats),
                          frozenset(self.harmless(primal)), dict(self.adjoints))

    def harmless(self, stmts):
        """Primal variables computed by float arithmetic that cannot raise (+, -, *): the
        optimiser may drop them when unused. Calls and divisions stay: they may raise, and
        the derivative must raise where the function does."""
        out = set()
        for stmt in stmts:
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                value = stmt.value
                operands = [value.left, value.right] if isinstance(value, gast.BinOp) else \
                    [value.operand] if isinstance(value, gast.UnaryOp) else None
                op_ok = isinstance(getattr(value, "op", None), (gast.Add, gast.Sub, gast.Mult, gast.USub, gast.UAdd))
                if operands and op_ok and all(self.facts.kind(o) == FLOAT for o in operands):
                    out.add(stmt.targets[0].id)
        return out

    def zero(self, primal):
        """The starting value of a non-local adjoint: 0.0, or for a list built with append,
        a list of zeros as long as the finished list (each append undone drops one)."""
        if primal in self.layout.appended:
            return g.call(self.rt("zeros_like"), [g.name(primal)])
        return g.const(0.0)

    def forward_start(self, like):
        """`_tape = []`, and `v = None` for each saved variable that may not exist yet when it
        is first saved (defined first inside a branch or loop), and for each list built with
        append whose adjoint starts as a list of zeros: on a path that never builds the list
        (an early return) that adjoint starts from None, and nothing reads it."""
        lists = {v for v in self.layout.appended if v in self.adjoints and not self.layout.local(v)}
        unset = [v for v in sorted(self.saved | lists) if v not in self.layout.params]
        tape = [] if self.tape is None else [g.assign(self.tape, gast.List(elts=[], ctx=gast.Load()), like)]
        return tape + [g.assign(v, g.const(None), like) for v in unset]

    # --- blocks and statements ---------------------------------------------------------------

    def block(self, stmts):
        """(forward statements, reverse statements) of a statement list."""
        forward, backward = [], []
        for stmt in reversed(stmts):  # backwards: an adjoint's first contribution comes first
            visit = getattr(self, "visit_" + type(stmt).__name__, self.visit_other)
            fwd, bwd = visit(stmt)
            forward = fwd + forward
            backward += bwd
        return forward, backward

    def visit_other(self, stmt):
        calls.refuse_unknown(stmt)
        return [stmt], []

    def visit_Assign(self, stmt):
        target = stmt.targets[0]
        if not isinstance(target, gast.Name):
            return self.visit_store(stmt)
        name_ = target.id
        if isinstance(stmt.value, gast.Name) and stmt.value.id == name_:
            return [stmt], []  # `x = x` changes nothing (its adjoint must not flow into itself)
        forward, backward = [stmt], []
        fn = self.facts.calls.get(id(stmt.value)) if isinstance(stmt.value, gast.Call) else None
        if fn is not None and is_user_function(fn) and (
                self.facts.is_active(name_) or calls.passes_active_container(stmt.value, self.facts)):
            forward, backward = self.user_call(stmt, fn)
        elif self.facts.is_active(name_) and self.has_adjoint(name_):
            bt, reset = g.name(self.adjoints[name_]), self.overwritten(name_, stmt)
            if reset and name_ in g.names_in(stmt.value):
                # `x = x * c` in a branch or loop: the old x's adjoint starts from zero and
                # then receives its terms, read from the new x's adjoint kept aside
                bt = g.name(self.names.temp())
                backward = [g.assign(bt.id, g.name(self.adjoints[name_]), stmt)] + reset
                reset = []
            if any(self.facts.is_active(n) for n in g.names_in(stmt.value)):
                backward += self.adjoint_terms(stmt, name_, bt)
            backward += reset
        save, restore = self.save(name_, stmt)
        return save + forward, backward + restore

    def adjoint_terms(self, stmt, name_, bt):
        """The contributions of `name_ = <value>` to the adjoints of its active operands, for
        `name_`'s adjoint `bt`."""
        held, backward = None, []
        if self.may_be_zero_array(name_, stmt.value):
            shaped = self.names.temp()
            backward.append(g.assign(shaped, g.call(self.rt("zeros_as"), [bt, g.name(name_)]), stmt))
            self.reads.add(name_)
            bt = g.name(shaped)
        for pair in self.terms(stmt.value, bt, g.name(name_), stmt):
            if isinstance(pair, Prelude):  # a value the terms index: computed once
                held = self.names.temp()
                backward.append(g.assign(held, pair.value, stmt))
                continue
            operand, term = pair
            if isinstance(term, gast.Subscript) and term.value is None:
                term.value = g.name(held)
            if term is not None and isinstance(operand, gast.Name) and self.facts.is_active(operand.id):
                backward.append(self.accumulate(operand.id, term, stmt))
        return backward

    def may_be_zero_array(self, name_, value):
        """Whether `name_`'s adjoint may still be the reverse sweep's 0.0 (it is set in several
        places: started or reset at 0.0; or, in a function with branches or loops, it copied
        such an adjoint: `y = t` in a loop, whose `by` a later turn reset) where it holds an
        array, and reaches a rule that reshapes, splits or multiplies by matrices (np.dot, @,
        np.concatenate, np.tile): such a rule needs the zeros in the output's shape
        (`_rt.zeros_as`). Elementwise rules take 0.0 as it is."""
        if self.layout.local(name_) and not self.branching or self.facts.kinds.get(name_) == FLOAT:
            return False
        if isinstance(value, gast.BinOp):
            rule = registry().reverse_rule(type(value.op))
        elif isinstance(value, gast.Call):
            fn = self.facts.calls.get(id(value), UNRESOLVED)
            rule = registry().reverse_rule(fn) if fn is not UNRESOLVED else None
        else:
            return False
        return rule is not None and not rule.broadcasts

    def overwritten(self, name_, stmt):
        """`bv = 0.0` once the reverse sweep has passed `v = ...`: the value `v` held before
        reached nothing after this statement, whatever this one assigns (a constant, an
        inactive value: `if y > top: y = top` cuts y's old value off). Needless where the
        adjoint lives in one block (first assigned here) or nothing can precede the first
        definition."""
        if name_ not in self.adjoints or self.layout.local(name_) or self.layout.first_at_top(name_, stmt):
            return []
        return [g.assign(self.adjoints[name_], g.const(0.0), stmt)]

    def visit_Expr(self, stmt):
        call = stmt.value
        if not (isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute)
                and isinstance(call.func.value, gast.Name) and self.facts.is_active(call.func.value.id)):
            calls.check_effect_call(stmt, self.facts)
            return [stmt], []
        receiver = call.func.value.id
        if call.func.attr != "append" or len(call.args) != 1 or call.keywords:
            raise Unsupported(stmt, f"cannot differentiate the method call .{call.func.attr}() "
                                    "that changes a differentiated value",
                              "Build the list with append only, or assign a new value")
        # xs.append(t) backwards: t's cotangent is the last of xs's, which then drops it
        blist = self.adjoint_name(receiver)
        backward = []
        item = call.args[0]
        if isinstance(item, gast.Name) and self.facts.is_active(item.id):
            backward.append(self.accumulate(item.id, g.call(self.rt("item"), [g.name(blist), g.const(-1)]), stmt))
        backward.append(g.assign(blist, g.call(self.rt("drop_last"), [g.name(blist)]), stmt))
        return [stmt], backward


    # --- adjoints ------------------------------------------------------------------------------

    def rt(self, helper):
        return g.attr(self.ns.refer(runtime, "_rt"), helper)

    def builtin(self, fn):
        """A builtin under a name no user variable shadows (see Namespace.refer)."""
        return self.ns.refer(fn, fn.__name__)

    def has_adjoint(self, primal):
        """Whether `primal`'s adjoint may be non-zero here. A local variable's adjoint exists
        once a later statement (processed earlier) used it; any other may receive its
        contributions from statements the reverse sweep reaches later (a loop's next turn
        backwards), so it always exists (from zero)."""
        if primal in self.adjoints:
            return True
        if self.layout.local(primal):
            return False
        self.adjoint_name(primal)
        return True

    def adjoint_name(self, primal):
        if primal not in self.adjoints:
            self.adjoints[primal] = self.names.adjoint(primal)
        return self.adjoints[primal]

    def accumulate(self, primal, term, like, python_float=False):
        """Add `term` to `primal`'s adjoint (assign it, where it is the first contribution).
        `python_float`: the term is known to be a Python float (a helper's gradient of a float)."""
        name_ = self.adjoint_name(primal)
        first = self.layout.local(primal) and name_ not in self.assigned
        if first:
            self.assigned.add(name_)
        if isinstance(term, AddAt):
            self.reads.add(primal)
            current = g.const(0.0) if first else g.name(name_)
            value = g.call(self.rt("add_at"), [current, g.name(primal), term.index, term.g])
            self.reads.update(g.names_in(value))
            return g.assign(name_, value, like)
        self.reads.update(g.names_in(term))
        if not python_float:
            self.looseness.record(primal, term, self.ns.known.get(id(runtime)))
        if first:
            return g.assign(name_, term, like)
        kind = self.facts.kinds.get(primal)
        if kind == FLOAT:
            return g.aug_add(name_, term, like)
        if kind == ARRAY:
            return g.assign(name_, gast.BinOp(left=g.name(name_), op=gast.Add(), right=term), like)
        # lists and tuples add elementwise, not by concatenation
        return g.assign(name_, g.call(self.rt("add"), [g.name(name_), term]), like)

    def gradient(self, param):
        """(a finishing statement or None, the expression returned as `param`'s gradient)."""
        name_ = self.adjoints.get(param)
        number = param in self.facts.number_params
        if name_ is None or (self.layout.local(param) and name_ not in self.assigned):
            if self.facts.kinds.get(param) == FLOAT or number:
                return None, g.const(0.0)
            return None, g.call(self.rt("zeros_like"), [g.name(param)])
        if number and self.facts.kinds.get(param) != FLOAT:
            # a number re-bound to an array's element inside f: the variable holds a numpy
            # scalar now, not the argument; the gradient of a Python number is a float
            return None, g.call(self.rt("gradient"), [g.name(name_), g.const(0.0)])
        if self.facts.kinds.get(param) == FLOAT:
            if param in self.looseness.loose(self.adjoints, self.seed) or self.facts.complex_powers:
                # maybe a numpy scalar or a complex number: `gradient` makes a float, refusing
                # a complex number (float() would keep its real part)
                return None, g.call(self.rt("gradient"), [g.name(name_), g.name(param)])
            if self.facts.int_params:
                # ints in play: after folding, an adjoint may be a bare int; a gradient is a float
                return None, g.call(self.ns.refer(float, "float"), [g.name(name_)])
            return None, g.name(name_)
        finish = g.assign(name_, g.call(self.rt("gradient"), [g.name(name_), g.name(param)]))
        return finish, g.name(name_)

