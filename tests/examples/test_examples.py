"""Every example runs to its end, where it checks its gradient against finite differences."""
import importlib.util
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None
HAS_SCIPY = importlib.util.find_spec("scipy") is not None
HAS_DASK = importlib.util.find_spec("distributed") is not None


def run_example(name_, *args):
    done = subprocess.run([sys.executable, os.path.join(EXAMPLES, name_), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


@pytest.mark.parametrize("name_", ["textbook.py", pytest.param("fit_scipy.py", marks=pytest.mark.skipif(
    not HAS_SCIPY, reason="scipy is not installed (the example's own dependency)")), "physics.py", "mlp_dict.py"])
def test_example_runs_and_checks_its_gradient(name_):
    out = run_example(name_)
    assert "def " in out  # it prints srcad.source(...)
    assert "gradient check passed" in out


def test_textbook_example_prints_table_1_numbers():
    out = run_example("textbook.py")
    assert "y = 11.652, df/dx1 = 5.500, df/dx2 = 1.716" in out
    assert "Reverse adjoint trace" in out


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn is not installed")
def test_mlp_on_sklearn_digits():
    out = run_example("mlp_digits.py", "--require-sklearn")
    assert "scikit-learn's digits" in out and "gradient check passed" in out


@pytest.mark.skipif(HAS_SKLEARN, reason="scikit-learn is installed: the real digits are used")
def test_mlp_on_synthetic_digits_without_sklearn():
    out = run_example("mlp_digits.py")
    assert "synthetic digits" in out and "gradient check passed" in out


@pytest.mark.skipif(not HAS_DASK, reason="dask.distributed is not installed (srcad[dask])")
def test_dask_example_trains_on_a_cluster():
    out = run_example("dask_logistic.py", "--threads")  # worker threads: processes start slowly
    assert "dask dashboard: http" in out and "step 4: loss" in out
    assert "def loss_grad" in out and "gradient check passed" in out


def test_every_example_is_tested():
    names = {n for n in os.listdir(EXAMPLES) if n.endswith(".py")}
    assert names == {"textbook.py", "fit_scipy.py", "physics.py", "mlp_digits.py", "mlp_dict.py",
                     "dask_logistic.py"}
