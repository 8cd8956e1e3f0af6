"""srcad.export: the exported module runs without srcad (`python -I`, srcad's import blocked)
and gives srcad.grad's gradient, which is checked against closed forms and differences.

Every exported module of this file runs in one subprocess (its start-up dominates)."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import srcad
from helpers import assert_close, fd_grad, load_function

SOURCE = '''
import math
import numpy as np
from math import exp

RATE = 0.1
WEIGHTS = np.array([0.5, -1.0, 2.0])


def textbook(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def recurrence(x, n=50):
    s = x
    for i in range(n):
        s = math.sin(s) * 0.9 + x * RATE
    return s


def bump(v):
    return v * v + exp(v)


def with_helper(x, y):
    return bump(x) * y + bump(y)


def array_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += np.sin(x[i]) * x[i]
    return s


def weighted(x):
    return np.sum(np.tanh(x * WEIGHTS) ** 2) + x @ x


def branches(x, y):
    if x > y:
        z = x * y
    else:
        z = x / y
    while z < 10.0:
        z = z * 1.5 + y
    return z
'''

# name: (args, wrt, export with args=? (array arguments), closed form or None)
CASES = {
    "textbook": ((2.0, 5.0), (0, 1), False, (5.5, 2.0 - math.cos(5.0))),
    "recurrence": ((0.3,), 0, False, None),
    "with_helper": ((0.3, 0.7), (0, 1), False, None),
    "array_loop": ((np.linspace(-1.0, 1.0, 7),), 0, True, None),
    "weighted": ((np.linspace(-1.0, 1.0, 3),), 0, True, None),
    "branches": ((1.3, 0.7), (0, 1), False, None),
}

RUNNER = '''
import importlib.util, json, sys
sys.modules["srcad"] = None  # `import srcad` fails here
import numpy as np
results = {}
for name, path, args in json.loads(sys.stdin.read()):
    spec = importlib.util.spec_from_file_location(name + "_exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = [np.array(a) if isinstance(a, list) else a for a in args]
    out = getattr(module, name + "_grad")(*args)
    out = out if isinstance(out, tuple) else (out,)
    results[name] = [np.asarray(o).tolist() for o in out]
print(json.dumps(results))
'''


@pytest.fixture(scope="module")
def module():
    return sys.modules[load_function(SOURCE, "textbook").__module__]


@pytest.fixture(scope="module")
def exported(module, tmp_path_factory):
    """{case: the gradient the exported module computes}, from one `python -I` subprocess."""
    folder = tmp_path_factory.mktemp("exported")
    jobs = []
    for name, (args, wrt, specialised, _) in CASES.items():
        path = str(folder / f"{name}_grad.py")
        srcad.export(getattr(module, name), wrt, path, args=args if specialised else None)
        jobs.append((name, path, [np.asarray(a).tolist() for a in args]))
    run = subprocess.run([sys.executable, "-I", "-c", RUNNER], input=json.dumps(jobs),
                         capture_output=True, text=True, cwd=str(folder), timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_exported_gradient_is_srcad_grad(name, module, exported):
    args, wrt, _, closed = CASES[name]
    fn = getattr(module, name)
    expected = srcad.grad(fn, wrt)(*args)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for got, want in zip(exported[name], expected):
        assert np.array_equal(np.asarray(got), np.asarray(want))  # the same code: the same bits
    positions = wrt if isinstance(wrt, tuple) else (wrt,)
    for got, position in zip(exported[name], positions):
        assert_close(np.asarray(got) if np.ndim(got) else got, fd_grad(fn, args, position), rtol=1e-6)
    if closed is not None:
        assert exported[name] == pytest.approx(list(closed))


def test_the_module_reads_like_source_and_imports_only_numpy_and_the_stdlib(module):
    text = srcad.export(module.with_helper, 0)  # bump(y) is called as it is
    assert srcad.source(module.with_helper, 0, of="grad") in text  # byte for byte
    assert "def bump(v):" in text and "def bump_fwd(" in text and "def bump_bwd(" in text
    assert "from math import exp" in text and "import srcad" not in text and "from srcad" not in text
    imported = {line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imported <= {"inspect", "math", "numpy", "types"}, imported


CALLS = '''
import importlib.util, json, sys
sys.modules["srcad"] = None
import numpy as np
out = []
for name, path, calls in json.loads(sys.stdin.read()):
    spec = importlib.util.spec_from_file_location(name + "_exported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for args in calls:
        args = [np.array(a) if isinstance(a, list) else a for a in args]
        try:
            getattr(module, name + "_grad")(*args)
            out.append("ran")
        except TypeError as e:
            out.append("TypeError: " + str(e))
print(json.dumps(out))
'''


def test_arguments_of_other_kinds_than_exported_for_are_refused(module, tmp_path):
    """A float's adjoint code does not sum an array's cotangent, and code specialised on a shape
    assumes it: the exported gradient refuses what it was not made for, never runs it wrongly."""
    srcad.export(module.textbook, (0, 1), str(tmp_path / "textbook_grad.py"))
    srcad.export(module.weighted, 0, str(tmp_path / "weighted_grad.py"), args=(np.ones(3),))
    jobs = [("textbook", str(tmp_path / "textbook_grad.py"), [[2.0, 5.0], [2, 5], [[1.0, 2.0], 5.0]]),
            ("weighted", str(tmp_path / "weighted_grad.py"), [[[1.0, 2.0, 3.0]], [[1.0, 2.0]], [2.0]])]
    run = subprocess.run([sys.executable, "-I", "-c", CALLS], input=json.dumps(jobs),
                         capture_output=True, text=True, cwd=str(tmp_path), timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out[:2] == ["ran", "ran"] and out[3] == "ran"
    assert out[2].startswith("TypeError: this gradient was exported for x1 of kind 'float'")
    assert "x of kind ('array', ((3,), '<f8'))" in out[4] and "got ndarray (2,)" in out[4]
    assert "got float" in out[5]


def test_globals_are_written_as_constants(module):
    text = srcad.export(module.weighted, args=(np.ones(3),))
    assert "WEIGHTS = np.array([0.5, -1.0, 2.0], dtype=np.float64)" in text
    assert "_rt = types.SimpleNamespace(" in text


def test_an_object_that_is_no_source_is_refused(module):
    fn = load_function("import threading\nLOCK = threading.Lock()\n\n\ndef f(x):\n"
                       "    return x * 2.0 if LOCK else x\n", "f")
    with pytest.raises(srcad.SrcadError, match="cannot export f: it uses LOCK"):
        srcad.export(fn)


def test_the_command_line_writes_the_module(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("import math\n\n\ndef f(x1, x2):\n    return math.log(x1) + x1 * x2 - math.sin(x2)\n")
    out = tmp_path / "f_grad.py"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    run = subprocess.run([sys.executable, "-m", "srcad", "export", f"{model}:f", "--wrt", "x1,x2",
                          "-o", str(out)], capture_output=True, text=True, cwd=root, timeout=120)
    assert run.returncode == 0, run.stderr
    check = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.modules['srcad'] = None; "
                            f"sys.path.insert(0, {str(tmp_path)!r}); import f_grad; "
                            f"print(f_grad.f_grad(2.0, 5.0))"], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    assert eval(check.stdout) == pytest.approx((5.5, 2.0 - math.cos(5.0)))
