"""Binomial checkpointing of a loop (Griewank's revolve), the schedule generated code follows.

A loop of `n` turns is reversed turn by turn, last turn first. Storing what every turn's
reverse reads takes memory growing with `n`; instead, the loop's state (the variables it
carries from turn to turn) is snapshotted at a few turns, at most `snaps` at a time, and the
turns in between are run again from the nearest snapshot when their reverse comes. Griewank's
binomial schedule places the snapshots so that the number of turns run again is the least
possible: with r the smallest number with beta(snaps, r) = C(snaps + r, snaps) >= n, it is
`r * n - C(snaps + r, snaps + 1)` turns (`recomputed_turns`), the first forward pass included.

`Revolve(n, snaps)` yields the actions, one at a time (a million-turn loop never holds its
schedule in memory), each a triple (start, middle, stop) of turn numbers: from the state kept
before turn `start` (`load()`), run turns start .. middle - 1 as the function does, keeping
nothing; then
- middle == stop: keep the state reached (`save(state)`), before turn `middle`;
- middle < stop: run turns middle .. stop - 1 saving what their reverse reads, and reverse them.

The states are kept in slots, a stack (the state of an earlier turn lower); `load` and `save`
use the slots of the action just yielded. An action loads its state even when the loop holds
it already (just kept): the generated code has one case less, and the cost is a tuple.

The schedule splits the loop binomially down to stretches of at most `snaps` turns; each
stretch is run once saving what its reverse reads, as a loop with no checkpointing is, and
reversed: besides the snapshots, the values of at most `snaps` turns are kept, and a stretch
is one action, where the textbook schedule spends an action, and often turns run again, on
every turn of it (the turns of a cheap loop cost less than the Python running the schedule).
`Revolve(n, snaps, stretches=False)` is the textbook schedule (the tests count its turns).

`forward()` yields the actions up to the last stretch, which the forward sweep runs saving what
its reverse reads from turn `last` on (the reverse sweep reverses it first), with the advance
to it; `reverse()` yields the rest.
"""
from math import comb, isqrt

BLOCK = 1 << 16  # elements of the temporary `add_product` makes at a time


def add_product(b, p, q):
    """`b += p @ q` for matrices, a block of rows at a time: the temporary is a block, not an
    array of b's size (the sums of a checkpointed loop's stretches, optimize/loop_sums.py)."""
    step = max(1, BLOCK // max(1, b.shape[1]))
    for start in range(0, b.shape[0], step):
        b[start:start + step] += p[start:start + step] @ q


def repetitions(turns, snaps):
    """The smallest r with C(snaps + r, snaps) >= turns: each turn runs at most r times
    before its reverse."""
    r = 0
    while comb(snaps + r, snaps) < turns:
        r += 1
    return r


def recomputed_turns(turns, snaps):
    """The least number of turns a reversal of `turns` turns with `snaps` snapshots runs
    without saving (Griewank and Walther, Evaluating Derivatives, 2nd ed., Prop. 12.6)."""
    if turns <= 1:
        return 0
    r = repetitions(turns, snaps)
    return r * turns - comb(snaps + r, snaps + 1)


def sqrt_snapshots(turns):
    """`checkpoints="sqrt"`: ceil(sqrt(turns)) snapshots (at least one)."""
    root = isqrt(turns)
    return max(1, root if root * root == turns else root + 1)


def _split(turns, snaps):
    """Where an optimal schedule of `turns` turns with `snaps` (>= 2) snapshots takes its
    second snapshot: the turns from the first snapshot to it are then reversed with all
    `snaps`, the others with one fewer."""
    r = repetitions(turns, snaps)
    earliest = comb(snaps + r - 2, snaps) if r >= 2 else 0
    return max(1, earliest, turns - comb(snaps - 1 + r, snaps - 1))


class Revolve:
    """The actions reversing a loop of `turns` turns with at most `snaps` snapshots (an int,
    or "sqrt" for ceil(sqrt(turns)))."""

    def __init__(self, turns, snaps, stretches=True):
        self.turns = turns
        snaps = sqrt_snapshots(turns) if snaps == "sqrt" else snaps
        self.snaps = max(1, min(snaps, turns))  # more snapshots than turns are never used
        self.stretches = stretches
        self.states = [None] * self.snaps
        self.kept = self.states  # the forward sweep's states (a pullback may run again)
        self.slot = -1           # the slot of the state the last action starts from
        self.last = 0            # the first turn the forward sweep runs saving

    def load(self):
        return self.states[self.slot]

    def save(self, state):
        self.states[self.slot + 1] = state

    def forward(self):
        """The actions before the last stretch, and the advance to it."""
        for start, middle, stop in self._schedule():
            if middle < stop:  # the last stretch: the forward sweep runs it saving
                self.last = middle
                yield start, middle, stop
                return
            yield start, middle, stop

    def reverse(self):
        """The actions after the last stretch (reversed first by the reverse sweep), on a copy
        of the states the forward sweep kept."""
        self.states = list(self.kept)
        actions = self._schedule()
        for _, middle, stop in actions:
            if middle < stop:
                break
        return actions

    def _schedule(self):
        if self.turns == 0:
            return
        self.slot = -1
        yield 0, 0, 0
        # segments to reverse: (first turn, end, snapshots left); the state before the first
        # turn is kept in the slot `self.snaps - snapshots left`
        work = [(0, self.turns, self.snaps)]
        while work:
            start, stop, snaps = work.pop()
            self.slot = self.snaps - snaps
            if self.stretches and stop - start <= self.snaps:
                yield start, start, stop
            elif snaps == 1 or stop - start == 1:
                # one snapshot: each turn, from the last, is reached from it again
                for turn in range(stop - 1, start - 1, -1):
                    yield start, turn, turn + 1
            else:
                middle = start + _split(stop - start, snaps)
                yield start, middle, middle
                work.append((start, middle, snaps))
                work.append((middle, stop, snaps - 1))
