"""Library code is never transformed from its source: a differentiated call into the standard
library or an installed package (site-packages) with no rule is refused at the call's line,
naming the function and suggesting `srcad.defvjp` (`defjvp` in forward mode); the suggestion
works. scipy functions with rules (scipy.special.logsumexp) use them.
"""
import os
import sys

import numpy as np
import pytest

import srcad
from helpers import assert_cites, assert_close, fd_grad, load_function

try:
    import scipy.signal
    import scipy.special
except ModuleNotFoundError:
    scipy = None

NEEDS_SCIPY = pytest.mark.skipif(scipy is None, reason="scipy is optional")

STDLIB = '''
import colorsys
import statistics


def hue(x):
    r, g, b = colorsys.hsv_to_rgb(0.3, 0.5, x)
    return r + g * b


def mean_of_two(x, y):
    return statistics.fmean([x, y]) * x
'''


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_standard_library_function_is_refused_at_its_call(mode):
    f = load_function(STDLIB, "hue")
    with pytest.raises(srcad.SrcadError) as info:
        if mode == "reverse":
            srcad.grad(f)(0.5)
        else:
            srcad.jvp(f)(0.5, 1.0)
    assert_cites(info.value, f, "colorsys.hsv_to_rgb(0.3, 0.5, x)")
    expected = "srcad.defvjp(colorsys.hsv_to_rgb" if mode == "reverse" else "srcad.defjvp(colorsys.hsv_to_rgb"
    assert "no " in str(info.value) and expected in str(info.value)


def test_a_function_of_an_installed_package_is_refused(tmp_path):
    site = tmp_path / "lib" / "site-packages"
    site.mkdir(parents=True)
    (site / "srcad_sample_installed.py").write_text("def scale(x):\n    return 2.0 * x\n")
    sys.path.insert(0, str(site))
    try:
        f = load_function('''
import srcad_sample_installed


def f(x):
    return srcad_sample_installed.scale(x) * x
''', "f")
        with pytest.raises(srcad.SrcadError) as info:
            srcad.grad(f)(1.5)
        assert_cites(info.value, f, "srcad_sample_installed.scale(x) * x")
        assert "srcad.defvjp(srcad_sample_installed.scale" in str(info.value)
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("srcad_sample_installed", None)


def test_the_users_own_module_is_still_differentiated():
    f = load_function('''
def scale(x):
    return 2.0 * x


def f(x):
    return scale(x) * x
''', "f")
    assert srcad.grad(f)(1.5) == 6.0
    assert os.path.exists(f.__code__.co_filename)


def test_the_suggested_rule_is_accepted():
    import statistics
    srcad.defvjp(statistics.fmean, lambda g, ans, data: [g / len(data)] * len(data))
    f = load_function(STDLIB, "mean_of_two")
    assert_close(srcad.grad(f, wrt=(0, 1))(0.7, -1.2), fd_grad(f, (0.7, -1.2), (0, 1)))


# ---------------------------------------------------------------- scipy

@NEEDS_SCIPY
def test_scipy_functions_written_in_python_are_refused_not_transformed():
    f = load_function('''
import numpy as np
import scipy.signal


def f(x):
    return np.sum(scipy.signal.fftconvolve(x, x) ** 2)
''', "f")
    with pytest.raises(srcad.SrcadError) as info:
        srcad.grad(f)(np.array([1.0, 2.0, 0.5]))
    assert_cites(info.value, f, "scipy.signal.fftconvolve(x, x)")
    assert "srcad.defvjp(scipy.signal.fftconvolve" in str(info.value)


@NEEDS_SCIPY
@pytest.mark.parametrize("call", [
    "scipy.special.logsumexp(x)", "scipy.special.logsumexp(x, axis=1)",
    "scipy.special.logsumexp(x, axis=0, keepdims=True)", "scipy.special.logsumexp(x, b=w)",
    "scipy.special.logsumexp(x, axis=-1, b=w, keepdims=True)",
])
def test_logsumexp_uses_its_rule(call, rng):
    f = load_function(f'''
import numpy as np
import scipy.special


def f(x, w):
    return np.sum(np.sin({call}))
''', "f")
    x, w = rng.standard_normal((3, 4)), rng.uniform(0.5, 1.5, (3, 4))
    assert_close(srcad.grad(f, wrt=(0, 1))(x, w), fd_grad(f, (x, w), (0, 1)), rtol=1e-6)
    direction = rng.standard_normal((3, 4))
    _, tangent = srcad.jvp(f)(x, w, direction)
    assert tangent == pytest.approx(float(np.sum(fd_grad(f, (x, w), 0) * direction)), rel=1e-6)
