"""Test set-up: `helpers` importable from every test folder, and seeded randomness.

The helpers (load_function, fd_grad, assert_close, ...) live in tests/helpers.py so that
test files can import them by name; this folder is put on sys.path here because the
project's configuration is not ours to change.
"""
import os
import random
import sys

import numpy as np
import pytest

# numba's LLVM optimisation takes most of its compile time (minutes over the suite) and buys
# speed the tests do not measure; without fastmath it does not change a result, so the tests
# compile at level 0. Set before numba is first imported (it reads this then); an explicit
# NUMBA_OPT in the environment wins.
os.environ.setdefault("NUMBA_OPT", "0")

_TESTS = os.path.dirname(os.path.abspath(__file__))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


@pytest.fixture(autouse=True)
def _seeded_global_random():
    # Code that reaches for the global generators gets the same numbers in every test.
    random.seed(0)
    np.random.seed(0)


@pytest.fixture
def rng():
    """A fresh numpy Generator, seeded the same way for every test."""
    return np.random.default_rng(0)
