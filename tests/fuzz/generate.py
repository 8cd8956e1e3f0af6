"""Random programs for the fuzzer: one module per seed, with helpers and a function `f`.

`program(seed)` returns a `Program`: the module's source text, the arguments to call `f` with,
and which of them are differentiated. The same seed always gives the same program.

The programs are well typed by construction. Every name has a kind: a float, a vector (a 1-d
float array of the program's length `N`), an N x N matrix (in about a third of the programs),
an int (loop counters, the argument `n`), a list of floats or a pair (a tuple of two floats).
Module-level constants (`C0`, `W0`) are read and never assigned. Expressions are built for a wanted kind from the
names of that kind in scope, so every program runs; what it computes stays bounded because
the unbounded functions only ever see bounded arguments (`exp(tanh(a))`, `log(a * a + 1.0)`,
division by `1.0 + b * b`). Names defined inside a block are forgotten when the block ends
(they may not exist on every path).

Arrays are written in place (`v[1:3] = ...`, `v *= ...`) only when the function created them
from an expression that always makes a new array; a stored view or alias (`w = v`,
`w = v[::-1]`) is written only in the `aliases` variant, which tests writes through aliases.
`numpy_only` programs call numpy where others may call `math`, so that srcad.tape (which cannot
see `math` calls) can check them too.
"""
import random
from dataclasses import dataclass, field

import numpy as np

FLOAT, VECTOR, MATRIX, INT, LIST, PAIR = "float", "vector", "matrix", "int", "list", "pair"

# Elementwise functions safe for any bounded argument, as (math spelling, numpy spelling).
SMOOTH = [("math.sin", "np.sin"), ("math.cos", "np.cos"), ("math.tanh", "np.tanh"),
          ("math.atan", "np.arctan")]


@dataclass
class Program:
    seed: int
    source: str
    args: tuple
    wrt: tuple          # positions of the differentiated arguments
    numpy_only: bool    # no `math` calls: srcad.tape can check it
    features: set = field(default_factory=set)


@dataclass
class Helper:
    name: str
    params: list        # kinds of its parameters
    returns: str        # a kind: FLOAT, VECTOR or PAIR


class Scope:
    """The names visible at one point of the program, by kind."""

    def __init__(self):
        self.kinds = {}         # name -> kind
        self.owned = set()      # vectors that are fresh arrays nobody else sees (writable)
        self.bounds = {}        # int name -> exclusive upper bound
        self.frozen = set()     # lists being iterated over (no append)
        self.readonly = set()   # module globals: read, never assigned (that would make them local)

    def copy(self):
        other = Scope()
        other.kinds = dict(self.kinds)
        other.owned = set(self.owned)
        other.bounds = dict(self.bounds)
        other.frozen = set(self.frozen)
        other.readonly = self.readonly
        return other

    def of(self, kind):
        return [name for name, k in self.kinds.items() if k == kind]

    def writable(self, kind):
        return [name for name in self.of(kind) if name not in self.readonly]

    def add(self, name, kind, owned=False, bound=None):
        self.kinds[name] = kind
        self.owned.discard(name)
        if owned:
            self.owned.add(name)
        if bound is not None:
            self.bounds[name] = bound


class Writer:
    """Generates one module; `self.r` is the only source of randomness."""

    def __init__(self, seed, numpy_only=None, aliases=None):
        self.r = random.Random(seed)
        self.seed = seed
        self.numpy_only = self.r.random() < 0.5 if numpy_only is None else numpy_only
        self.aliases = self.r.random() < 0.15 if aliases is None else aliases
        self.matrices = self.r.random() < 0.3                # programs with N x N matrices
        self.n = self.r.randint(3, 5)               # length of every vector
        self.lines = []
        self.counters = {}
        self.helpers = []
        self.globals = []                            # (name, kind) of module-level constants
        self.features = set()
        self.loop_depth = 0
        self.in_while = False
        self.returns = None                          # the kind the current function returns
        self.budget = 0                              # statements left in this function

    # ---- small pieces
    def fresh(self, prefix):
        self.counters[prefix] = self.counters.get(prefix, -1) + 1
        return f"{prefix}{self.counters[prefix]}"

    def const(self, low=-1.5, high=1.5):
        value = round(self.r.uniform(low, high), 2)
        return f"({value})" if value < 0 else repr(value)

    def emit(self, depth, text):
        self.lines.append("    " * depth + text)

    def pick(self, options):
        """A choice among (weight, thunk) pairs whose weight is positive; calls it."""
        options = [(w, thunk) for w, thunk in options if w > 0]
        total = sum(w for w, _ in options)
        x = self.r.uniform(0, total)
        for w, thunk in options:
            x -= w
            if x <= 0:
                return thunk()
        return options[-1][1]()

    def fn(self, pair):
        """The math spelling of a (math, numpy) pair, or numpy's in numpy-only programs."""
        math_name, numpy_name = pair
        if self.numpy_only or self.r.random() < 0.5:
            return numpy_name
        self.features.add("math")
        return math_name

    def index(self, scope):
        """An index that is valid for a vector: a constant, or an int in scope reduced mod N."""
        ints = scope.of(INT)
        if ints and self.r.random() < 0.5:
            name = self.r.choice(ints)
            bound = scope.bounds.get(name)
            return name if bound is not None and bound <= self.n else f"{name} % {self.n}"
        return str(self.r.randint(-self.n, self.n - 1))

    def span(self):
        """(start, stop) of a non-empty slice."""
        start = self.r.randint(0, self.n - 1)
        stop = self.r.randint(start + 1, self.n)
        return start, stop

    # ---- expressions
    def scalar(self, scope, depth):
        floats, vectors = scope.of(FLOAT), scope.of(VECTOR)
        lists, pairs = scope.of(LIST), scope.of(PAIR)
        if depth <= 0:
            return self.pick([
                (6 if floats else 0, lambda: self.r.choice(floats)),
                (2 if not floats and not vectors else 0.7, self.const),
                (2 if vectors else 0, lambda: f"{self.r.choice(vectors)}[{self.index(scope)}]"),
                (1 if lists else 0, lambda: f"{self.r.choice(lists)}[{self.r.choice(['0', '-1'])}]"),
                (1 if pairs else 0, lambda: f"{self.r.choice(pairs)}[{self.r.randint(0, 1)}]"),
            ])
        a = lambda: self.scalar(scope, depth - 1)  # noqa: E731
        v = lambda: self.vector(scope, depth - 1)  # noqa: E731
        return self.pick([
            (3, lambda: self.scalar(scope, 0)),
            (3, lambda: f"{a()} {self.r.choice(['+', '-', '*'])} {a()}"),
            (1, lambda: f"{a()} / (1.0 + {self.square(a())})"),
            (1, lambda: f"{a()} / {self.r.choice(['2.0', '(-4.0)', '0.75'])}"),
            (1, lambda: f"({a()}) ** {self.r.choice(['2', '3', '2.0'])}"),
            (1, lambda: f"({self.square(a())} + 0.5) ** {self.r.choice(['0.5', '1.5', '(-0.5)'])}"),
            (1, lambda: f"-{self.paren(a())}"),
            (2, lambda: f"{self.fn(self.r.choice(SMOOTH))}({a()})"),
            (1, lambda: f"{self.fn(('math.exp', 'np.exp'))}({self.fn(('math.tanh', 'np.tanh'))}({a()}))"),
            (1, lambda: f"{self.fn(('math.log', 'np.log'))}({self.square(a())} + 1.0)"),
            (1, lambda: f"{self.fn(('math.sqrt', 'np.sqrt'))}({self.square(a())} + 0.25)"),
            (2 if scope.of(VECTOR) else 0.3, lambda: f"{self.r.choice(['np.sum', 'np.mean'])}({v()})"),
            (1 if scope.of(VECTOR) else 0, lambda: f"np.dot({v()}, {v()})"),
            (0.5 if scope.of(VECTOR) else 0, lambda: f"{self.r.choice(['np.max', 'np.min'])}({v()})"),
            (1 if scope.of(VECTOR) else 0, lambda: self.slice_sum(scope)),
            (0.5, lambda: f"({a()} if {self.condition(scope)} else {a()})"),
            (1, lambda: self.call(scope, FLOAT, depth)),
            (0.5, lambda: f"({self.square(a())} + 0.5) ** {self.fn(('math.tanh', 'np.tanh'))}({a()})"),
            (0.15, lambda: f"{self.r.choice(['max', 'min'])}({a()}, {a()})"),
            (0.3, lambda: f"abs({a()})"),
            (0.5 if scope.of(VECTOR) else 0, lambda: f"{self.paren(v())}.{self.r.choice(['sum', 'mean', 'max'])}()"),
            (0.5 if scope.of(VECTOR) else 0, lambda: f"np.linalg.norm({v()})"),
            (0.5 if scope.of(LIST) else 0, lambda: f"sum({self.r.choice(scope.of(LIST))})"),
            (0.3 if scope.of(LIST) else 0, lambda: f"{a()} * len({self.r.choice(scope.of(LIST))})"),
            (1.5 if scope.of(MATRIX) else 0, lambda: self.matrix_scalar(scope, depth)),
        ])

    def matrix_scalar(self, scope, depth):
        m = lambda: self.matrix(scope, depth - 1)  # noqa: E731
        return self.pick([
            (2, lambda: f"np.sum({m()})"),
            (1, lambda: f"np.trace({m()})"),
            (2, lambda: f"{self.r.choice(scope.of(MATRIX))}[{self.index(scope)}, {self.index(scope)}]"),
            (1, lambda: f"np.linalg.norm({m()})"),
            (1 if scope.of(VECTOR) else 0, lambda: f"{self.vector(scope, 0)} @ {self.paren(m())} @ {self.vector(scope, 0)}"),
            (1, lambda: f"np.mean({self.paren(m())}[{self.index(scope)}])"),
        ])

    def matrix(self, scope, depth):
        """A square N x N matrix expression."""
        matrices = scope.of(MATRIX)
        v = lambda: self.vector(scope, 0)  # noqa: E731
        if depth <= 0 or not matrices and self.r.random() < 0.5:
            return self.pick([
                (6 if matrices else 0, lambda: self.r.choice(matrices)),
                (1, lambda: f"np.outer({v()}, {v()})"),
                (1, lambda: f"np.eye({self.n}) * {self.scalar(scope, 0)}"),
                (0.5, lambda: f"np.diag({v()})"),
            ])
        m = lambda: self.matrix(scope, depth - 1)  # noqa: E731
        a = lambda: self.scalar(scope, 0)  # noqa: E731
        return self.pick([
            (3, lambda: self.matrix(scope, 0)),
            (3, lambda: f"{m()} {self.r.choice(['+', '-', '*'])} {m()}"),
            (2, lambda: f"{m()} * {a()}"),
            (1, lambda: f"{self.paren(m())}.T"),
            (1, lambda: f"({m()} @ {m()}) / {float(self.n)}"),
            (1, lambda: f"{m()} * {v()}"),
            (1, lambda: f"{self.paren(v())}[:, None] * {self.paren(m())}"),
            (1, lambda: f"np.tanh({m()})"),
            (0.5, lambda: f"np.cumsum({m()}, axis={self.r.randint(0, 1)})"),
            (0.5, lambda: f"np.reshape({self.paren(m())}.ravel()[::-1], ({self.n}, {self.n}))"),
            (0.5, lambda: f"np.where({m()} > {self.const()}, {m()}, {a()})"),
            (0.5, lambda: self.call(scope, MATRIX, depth)),
        ])

    def fresh_matrix(self, scope, depth):
        """A matrix expression that always makes a new array."""
        text = self.matrix(scope, depth)
        if text.replace("_", "").isalnum() or text.endswith((".T", "]")) or text.startswith("(") \
                or text.startswith("np.reshape("):
            return f"{self.paren(text)} * 1.0"
        return text

    def slice_sum(self, scope):
        start, stop = self.span()
        return f"np.sum({self.r.choice(scope.of(VECTOR))}[{start}:{stop}])"

    def square(self, text):
        text = self.paren(text)
        return f"{text} * {text}"

    @staticmethod
    def paren(text):
        simple = text.replace("_", "").replace(".", "").isalnum() or text.startswith("(")
        return text if simple and " " not in text else f"({text})"

    def vector(self, scope, depth):
        """(text) of a vector expression; see `fresh_vector` for one that is a new array."""
        vectors = scope.of(VECTOR)
        if depth <= 0 or not vectors and self.r.random() < 0.5:
            return self.pick([
                (6 if vectors else 0, lambda: self.r.choice(vectors)),
                (1, lambda: f"np.ones({self.n}) * {self.scalar(scope, 0)}"),
                (1, lambda: f"np.linspace({self.const()}, {self.const()}, {self.n})"),
                (0.5, lambda: f"np.array([{', '.join(self.scalar(scope, 0) for _ in range(self.n))}])"),
            ])
        a = lambda: self.scalar(scope, depth - 1)  # noqa: E731
        v = lambda: self.vector(scope, depth - 1)  # noqa: E731
        return self.pick([
            (3, lambda: self.vector(scope, 0)),
            (3, lambda: f"{v()} {self.r.choice(['+', '-', '*'])} {v()}"),
            (2, lambda: f"{v()} {self.r.choice(['+', '-', '*'])} {a()}"),
            (1, lambda: f"{a()} * {v()}"),
            (1, lambda: f"{v()} / (1.0 + {self.square(v())})"),
            (1, lambda: f"({v()}) ** 2"),
            (2, lambda: f"{self.r.choice(['np.sin', 'np.cos', 'np.tanh', 'np.arctan'])}({v()})"),
            (1, lambda: f"np.exp(np.tanh({v()}))"),
            (1, lambda: f"np.log({self.square(v())} + 1.0)"),
            (1, lambda: f"np.sqrt({self.square(v())} + 0.25)"),
            (0.5, lambda: f"np.cumsum({v()})"),
            (0.5, lambda: f"np.roll({v()}, {self.r.randint(-2, 2)})"),
            (0.5, lambda: f"{self.paren(v())}[::-1]"),
            (0.5, lambda: f"np.concatenate(({self.paren(v())}[1:], {self.paren(v())}[:1]))"),
            (0.5, lambda: f"np.where({v()} > {self.const()}, {v()}, {v()})"),
            (0.5, lambda: f"np.maximum({v()}, {self.const()})"),
            (1, lambda: self.call(scope, VECTOR, depth)),
            (1.5 if scope.of(MATRIX) else 0, lambda: self.matrix_vector(scope, depth)),
        ])

    def matrix_vector(self, scope, depth):
        m = lambda: self.matrix(scope, depth - 1)  # noqa: E731
        return self.pick([
            (2, lambda: f"{self.paren(m())} @ {self.paren(self.vector(scope, depth - 1))}"),
            (1, lambda: f"np.{self.r.choice(['sum', 'mean', 'max'])}({m()}, axis={self.r.randint(0, 1)})"),
            (1, lambda: f"{self.r.choice(scope.of(MATRIX))}[{self.index(scope)}]"),
            (1, lambda: f"{self.r.choice(scope.of(MATRIX))}[:, {self.index(scope)}]"),
            (0.5, lambda: f"np.diagonal({m()})"),
        ])

    def fresh_vector(self, scope, depth):
        """A vector expression that always makes a new array (never a view of another)."""
        text = self.vector(scope, depth)
        fresh_forms = ("np.ones(", "np.linspace(", "np.array(", "np.cumsum(", "np.roll(",
                       "np.concatenate(", "np.where(", "np.maximum(", "np.exp(", "np.log(",
                       "np.sqrt(", "np.sin(", "np.cos(", "np.tanh(", "np.arctan(")
        if any(text.startswith(form) for form in fresh_forms) and text.endswith(")") \
                and self.balanced_call(text):
            return text
        if " " in text and not text.endswith("]") and not text.startswith("("):
            return text  # an operator's result is a new array (a view never has a top-level op)
        return f"{self.paren(text)} * 1.0"

    @staticmethod
    def balanced_call(text):
        """True if the whole text is one call: its first `(` closes at the very end."""
        depth = 0
        for position, char in enumerate(text):
            depth += char == "("
            depth -= char == ")"
            if depth == 0 and char == ")":
                return position == len(text) - 1
        return False

    def pair(self, scope, depth):
        pairs = scope.of(PAIR)
        return self.pick([
            (2, lambda: f"({self.scalar(scope, depth)}, {self.scalar(scope, depth)})"),
            (1 if pairs else 0, lambda: self.r.choice(pairs)),
            (1, lambda: self.call(scope, PAIR, depth)),
        ])

    def expression(self, scope, kind, depth):
        if kind == FLOAT:
            return self.scalar(scope, depth)
        if kind == VECTOR:
            return self.fresh_vector(scope, depth)
        if kind == MATRIX:
            return self.fresh_matrix(scope, depth)
        return self.pair(scope, depth)

    def call(self, scope, kind, depth):
        helpers = [h for h in self.helpers if h.returns == kind]
        if not helpers:
            return self.expression(scope, kind, 0) if kind != PAIR else \
                f"({self.scalar(scope, 0)}, {self.scalar(scope, 0)})"
        helper = self.r.choice(helpers)
        self.features.add("helper")
        args = ", ".join(self.argument(scope, k, depth - 1) for k in helper.params)
        return f"{helper.name}({args})"

    def argument(self, scope, kind, depth):
        if kind == MATRIX:
            return self.matrix(scope, max(depth, 0))
        if kind == VECTOR:
            vectors = scope.of(VECTOR)
            if vectors and self.r.random() < 0.6:
                return self.r.choice(vectors)
            return self.vector(scope, max(depth, 0))
        if kind == INT:
            ints = scope.of(INT)
            return self.r.choice(ints) if ints and self.r.random() < 0.5 else str(self.r.randint(1, 3))
        return self.scalar(scope, max(depth, 0))

    def condition(self, scope):
        ints = scope.of(INT)
        return self.pick([
            (3, lambda: f"{self.scalar(scope, self.r.randint(0, 1))} {self.r.choice(['<', '>', '<=', '>='])} "
                        f"{self.const()}"),
            (2 if ints else 0, lambda: self.int_condition(scope)),
            (1, lambda: f"{self.scalar(scope, 0)} > {self.const()} and {self.scalar(scope, 0)} < {self.const()}"),
            (0.5, lambda: f"{self.scalar(scope, 0)} < {self.const()} or {self.scalar(scope, 0)} > {self.const()}"),
            (0.5, lambda: f"not {self.scalar(scope, 0)} > {self.const()}"),
        ])

    def int_condition(self, scope):
        name = self.r.choice(scope.of(INT))
        return self.r.choice([f"{name} % 2 == 0", f"{name} > 1", f"{name} == 0", f"{name} < 2"])

    # ---- statements
    def block(self, scope, depth, count):
        """`count` statements at indentation `depth`; returns whether anything was emitted."""
        start = len(self.lines)
        for _ in range(count):
            if self.budget <= 0:
                break
            self.budget -= 1
            self.statement(scope, depth)
        if len(self.lines) == start:
            self.simple(scope, depth)
        return True

    def statement(self, scope, depth):
        nested = depth < 4
        self.pick([
            (8, lambda: self.simple(scope, depth)),
            (2 if nested else 0, lambda: self.if_statement(scope, depth)),
            (2 if nested else 0, lambda: self.for_statement(scope, depth)),
            (1 if nested else 0, lambda: self.while_statement(scope, depth)),
            (1 if self.loop_depth else 0, lambda: self.jump(scope, depth)),
            (0.7, lambda: self.early_return(scope, depth)),
        ])

    def simple(self, scope, depth):
        floats, vectors = scope.writable(FLOAT), scope.writable(VECTOR)
        owned = sorted(scope.owned & set(vectors))
        lists = [name for name in scope.of(LIST) if name not in scope.frozen]
        self.pick([
            (3, lambda: self.new_float(scope, depth)),
            (2, lambda: self.new_vector(scope, depth)),
            (3 if floats else 0, lambda: self.overwrite_float(scope, depth)),
            (1 if floats else 0, lambda: self.emit(depth, f"{self.r.choice(floats)} = {self.const()}")),
            (2 if floats else 0, lambda: self.emit(
                depth, f"{self.r.choice(floats)} {self.r.choice(['+=', '-=', '*='])} {self.scalar(scope, 1)}")),
            (1 if vectors else 0, lambda: self.overwrite_vector(scope, depth)),
            (2 if owned else 0, lambda: self.write_into(scope, depth, owned)),
            (1 if owned else 0, lambda: self.emit(
                depth, f"{self.r.choice(owned)} {self.r.choice(['+=', '-=', '*='])} "
                       f"{self.r.choice([self.scalar(scope, 1), self.vector(scope, 1)])}")),
            (1 if len(floats) >= 2 else 0, lambda: self.swap(scope, depth)),
            (1, lambda: self.new_pair(scope, depth)),
            (1, lambda: self.new_list(scope, depth)),
            (2 if lists else 0, lambda: self.emit(
                depth, f"{self.r.choice(lists)}.append({self.scalar(scope, 1)})")),
            (1 if self.aliases and vectors else 0, lambda: self.alias(scope, depth)),
            (1 if self.matrices else 0, lambda: self.new_matrix(scope, depth)),
            (0.5 if scope.writable(MATRIX) else 0, lambda: self.overwrite_matrix(scope, depth)),
            (2 if scope.owned & set(scope.writable(MATRIX)) else 0, lambda: self.write_into_matrix(scope, depth)),
        ])

    def new_matrix(self, scope, depth):
        name = self.fresh("m")
        self.emit(depth, f"{name} = {self.fresh_matrix(scope, 2)}")
        scope.add(name, MATRIX, owned=True)

    def overwrite_matrix(self, scope, depth):
        name = self.r.choice(scope.writable(MATRIX))
        self.emit(depth, f"{name} = {self.fresh_matrix(scope, 2)}")
        if self.aliases or not name.startswith("z"):
            scope.owned.add(name)

    def write_into_matrix(self, scope, depth):
        name = self.r.choice(sorted(scope.owned & set(scope.writable(MATRIX))))
        self.features.add("write")
        i, j = self.index(scope), self.index(scope)
        v = self.vector(scope, 1)
        self.pick([
            (2, lambda: self.emit(depth, f"{name}[{i}, {j}] = {self.scalar(scope, 1)}")),
            (1, lambda: self.emit(depth, f"{name}[{i}, {j}] += {self.scalar(scope, 1)}")),
            (1, lambda: self.emit(depth, f"{name}[{i}] = {self.paren(v)} * {self.scalar(scope, 0)}")),
            (1, lambda: self.emit(depth, f"{name}[:, {j}] += {v}")),
            (1, lambda: self.emit(depth, f"{name} *= {self.scalar(scope, 0)}")),
        ])

    def new_float(self, scope, depth):
        name = self.fresh("s")
        self.emit(depth, f"{name} = {self.scalar(scope, 2)}")
        scope.add(name, FLOAT)

    def new_vector(self, scope, depth):
        name = self.fresh("v")
        self.emit(depth, f"{name} = {self.fresh_vector(scope, 2)}")
        scope.add(name, VECTOR, owned=True)

    def overwrite_float(self, scope, depth):
        self.emit(depth, f"{self.r.choice(scope.writable(FLOAT))} = {self.scalar(scope, 2)}")

    def overwrite_vector(self, scope, depth):
        name = self.r.choice(scope.writable(VECTOR))
        self.emit(depth, f"{name} = {self.fresh_vector(scope, 2)}")
        if self.aliases or not name.startswith("y"):
            scope.owned.add(name)  # an argument re-bound to a new array is written in place rarely

    def write_into(self, scope, depth, owned):
        name = self.r.choice(owned)
        self.features.add("write")
        start, stop = self.span()
        others = scope.of(VECTOR)
        self.pick([
            (2, lambda: self.emit(depth, f"{name}[{self.index(scope)}] = {self.scalar(scope, 1)}")),
            (1, lambda: self.emit(depth, f"{name}[{self.index(scope)}] += {self.scalar(scope, 1)}")),
            (1, lambda: self.emit(depth, f"{name}[{start}:{stop}] = {self.scalar(scope, 1)}")),
            (1, lambda: self.emit(depth, f"{name}[{start}:{stop}] = "
                                         f"{self.r.choice(others)}[{self.n - stop}:{self.n - start}] * {self.scalar(scope, 0)}")),
            (1, lambda: self.emit(depth, f"{name}[{start}:{stop}] *= {self.scalar(scope, 0)}")),
        ])

    def alias(self, scope, depth):
        """A second name for an array or a view of it; both are then writable (alias variant)."""
        source = self.r.choice(scope.of(VECTOR))
        if source not in scope.owned:
            copy = self.fresh("v")
            self.emit(depth, f"{copy} = {source} * 1.0")
            scope.add(copy, VECTOR, owned=True)
            source = copy
        name = self.fresh("w")
        self.features.add("alias")
        view = self.r.choice([source, f"{source}[::-1]", f"{source}.reshape({self.n})",
                              f"{source}[:]"])
        self.emit(depth, f"{name} = {view}")
        scope.add(name, VECTOR, owned=True)

    def swap(self, scope, depth):
        a, b = self.r.sample(scope.writable(FLOAT), 2)
        self.features.add("tuple")
        self.emit(depth, f"{a}, {b} = {b}, {a}")

    def new_pair(self, scope, depth):
        self.features.add("tuple")
        if self.r.random() < 0.5:
            name = self.fresh("pair")
            self.emit(depth, f"{name} = {self.pair(scope, 1)}")
            scope.add(name, PAIR)
        else:
            a, b = self.fresh("s"), self.fresh("s")
            self.emit(depth, f"{a}, {b} = {self.pair(scope, 1)}")
            scope.add(a, FLOAT)
            scope.add(b, FLOAT)

    def new_list(self, scope, depth):
        name = self.fresh("acc")
        self.features.add("list")
        items = ", ".join(self.scalar(scope, 1) for _ in range(self.r.randint(1, 2)))
        self.emit(depth, f"{name} = [{items}]")
        scope.add(name, LIST)

    def if_statement(self, scope, depth):
        self.features.add("if")
        self.emit(depth, f"if {self.condition(scope)}:")
        self.block(scope.copy(), depth + 1, self.r.randint(1, 3))
        for _ in range(self.r.choice([0, 0, 1, 2])):
            self.emit(depth, f"elif {self.condition(scope)}:")
            self.block(scope.copy(), depth + 1, self.r.randint(1, 2))
        if self.r.random() < 0.6:
            self.emit(depth, "else:")
            self.block(scope.copy(), depth + 1, self.r.randint(1, 2))

    def for_statement(self, scope, depth):
        self.features.add("for")
        inner = scope.copy()
        vectors, lists = scope.of(VECTOR), scope.of(LIST)
        counter = self.fresh("k")

        def over_range():
            bound = self.r.choice([str(self.r.randint(1, 3)), str(self.n), "n"]
                                  if "n" in scope.kinds else [str(self.r.randint(1, 3)), str(self.n)])
            start = self.r.choice(["", "", "1, "]) if bound != "1" else ""
            self.emit(depth, f"for {counter} in range({start}{bound}):")
            inner.add(counter, INT, bound=int(bound) if bound.isdigit() else 4)

        def over_vector():
            element = self.fresh("e")
            self.emit(depth, f"for {element} in {self.r.choice(vectors)}:")
            inner.add(element, FLOAT)

        def over_list():
            element, items = self.fresh("e"), self.r.choice(lists)
            self.emit(depth, f"for {element} in {items}:")
            inner.add(element, FLOAT)
            inner.frozen.add(items)

        def enumerated():
            element = self.fresh("e")
            self.emit(depth, f"for {counter}, {element} in enumerate({self.r.choice(vectors)}):")
            inner.add(counter, INT, bound=self.n)
            inner.add(element, FLOAT)

        self.pick([(4, over_range), (1 if vectors else 0, over_vector),
                   (1 if lists else 0, over_list), (0.5 if vectors else 0, enumerated)])
        self.loop_depth += 1
        was_while, self.in_while = self.in_while, False
        self.block(inner, depth + 1, self.r.randint(1, 4))
        self.loop_depth -= 1
        self.in_while = was_while

    def while_statement(self, scope, depth):
        self.features.add("while")
        counter = self.fresh("k")
        trips = self.r.randint(1, 4)
        self.emit(depth, f"{counter} = 0")
        scope.add(counter, INT, bound=trips + 1)
        extra = f" and {self.scalar(scope, 0)} < {self.const(0.5, 3.0)}" if self.r.random() < 0.3 else ""
        self.emit(depth, f"while {counter} < {trips}{extra}:")
        self.emit(depth + 1, f"{counter} += 1")  # first, so that `continue` cannot skip it
        self.loop_depth += 1
        was_while, self.in_while = self.in_while, True
        self.block(scope.copy(), depth + 1, self.r.randint(1, 3))
        self.loop_depth -= 1
        self.in_while = was_while

    def jump(self, scope, depth):
        self.features.add("jump")
        self.emit(depth, f"if {self.condition(scope)}:")
        self.emit(depth + 1, self.r.choice(["break", "continue"]))

    def early_return(self, scope, depth):
        self.features.add("return")
        self.emit(depth, f"if {self.condition(scope)}:")
        self.emit(depth + 1, f"return {self.expression(scope, self.returns, 2)}")

    # ---- functions
    def module_globals(self):
        """Module-level constants the functions read: a float, a vector (or neither)."""
        for kind in self.r.sample([FLOAT, VECTOR], self.r.choice([0, 0, 1, 2])):
            name = self.fresh({FLOAT: "C", VECTOR: "W"}[kind])
            value = self.const() if kind == FLOAT else \
                f"np.array([{', '.join(self.const() for _ in range(self.n))}])"
            self.emit(0, f"{name} = {value}")
            self.globals.append((name, kind))
        if self.globals:
            self.features.add("globals")
            self.emit(0, "")
            self.emit(0, "")

    def module_scope(self):
        scope = Scope()
        for name, kind in self.globals:
            scope.add(name, kind)
        scope.readonly = {name for name, _ in self.globals}
        return scope

    def helper(self):
        name = self.fresh("h")
        kinds = [FLOAT, FLOAT, VECTOR, INT] + ([MATRIX] if self.matrices else [])
        params = [self.r.choice(kinds) for _ in range(self.r.randint(1, 3))]
        if INT not in params[1:] and self.r.random() < 0.3:
            params.append(INT)
        returns = self.r.choice([FLOAT, FLOAT, VECTOR, PAIR] + ([MATRIX] if self.matrices else []))
        scope = self.module_scope()
        names = []
        for kind in params:
            param = self.fresh({FLOAT: "a", VECTOR: "u", INT: "i", MATRIX: "q"}[kind])
            scope.add(param, kind, bound=4 if kind == INT else None)
            names.append(param)
        self.emit(0, f"def {name}({', '.join(names)}):")
        self.function_body(scope, returns, self.r.randint(1, 5))
        self.emit(0, "")
        self.emit(0, "")
        self.helpers.append(Helper(name, params, returns))

    def function_body(self, scope, returns, statements):
        self.returns, self.budget = returns, statements
        self.block(scope, 1, statements)
        self.emit(1, f"return {self.expression(scope, returns, 2)}")

    def main(self):
        choices = [FLOAT, VECTOR] + ([MATRIX] if self.matrices else [])
        kinds = [self.r.choice(choices) for _ in range(self.r.randint(1, 3))]
        values, names, scope = [], [], self.module_scope()
        for kind in kinds:
            name = self.fresh({FLOAT: "x", VECTOR: "y", MATRIX: "z"}[kind])
            names.append(name)
            scope.add(name, kind)
            shape = () if kind == FLOAT else (self.n,) if kind == VECTOR else (self.n, self.n)
            values.append(self.r.choice([-1, 1]) * round(self.r.uniform(0.1, 1.5), 3)
                          if kind == FLOAT else
                          np.round(np.array([self.r.uniform(-1.5, 1.5)
                                             for _ in range(int(np.prod(shape)))]).reshape(shape), 3))
        wrt = tuple(range(len(names)))
        if self.r.random() < 0.3:
            names.append("n")
            scope.add("n", INT, bound=4)
            values.append(self.r.randint(1, 3))
        self.emit(0, f"def f({', '.join(names)}):")
        self.function_body(scope, FLOAT, self.r.randint(2, 10))
        return tuple(values), wrt


def program(seed, numpy_only=None, aliases=None):
    """The program of this seed (its kind of program may be forced with the flags)."""
    writer = Writer(seed, numpy_only, aliases)
    writer.emit(0, f'"""fuzz program, seed {seed}."""')
    writer.emit(0, "import math")
    writer.emit(0, "")
    writer.emit(0, "import numpy as np")
    writer.emit(0, "")
    writer.emit(0, "")
    writer.module_globals()
    for _ in range(writer.r.choice([0, 0, 1, 1, 2, 3])):
        writer.helper()
    args, wrt = writer.main()
    return Program(seed, "\n".join(writer.lines) + "\n", args, wrt, writer.numpy_only,
                   writer.features)
