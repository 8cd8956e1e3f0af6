"""The runtime helpers' fast paths (a slice of a float array in `add_at`, same-shape arrays in
`broadcast_like`) give what their general paths give: the same write made with an integer
index takes the general path of `add_at` (np.add.at), and is the oracle here."""
import numpy as np
import pytest

from srcad import runtime as _rt

SLICES = [slice(1, None), slice(None, -1), slice(None, None, 2), slice(3, 1), slice(-2, None)]


@pytest.mark.parametrize("index", SLICES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("start", ["zero", "array", "view"])
def test_add_at_slice_matches_integer_index(index, dtype, start):
    rng = np.random.default_rng(0)
    a = rng.normal(size=6).astype(dtype)
    b = {"zero": 0.0, "array": rng.normal(size=6).astype(dtype),
         "view": np.broadcast_to(np.asarray(0.5, dtype), (6,))}[start]
    before = np.array(b, copy=True)
    g = rng.normal(size=len(range(*index.indices(6))))
    fast = _rt.add_at(b, a, index, g)
    general = _rt.add_at(b, a, np.arange(6)[index], g)
    assert type(fast) is np.ndarray and fast.dtype == general.dtype == a.dtype
    np.testing.assert_array_equal(fast, general)
    assert fast.flags.writeable and fast is not b
    np.testing.assert_array_equal(b, before)  # b itself is never changed


def test_add_at_slice_broadcasts_g():
    a = np.zeros(5)
    out = _rt.add_at(np.ones(5), a, slice(1, 4), np.array([2.0]))
    np.testing.assert_array_equal(out, [1.0, 3.0, 3.0, 3.0, 1.0])


def test_add_at_slice_of_int_array_is_float():
    out = _rt.add_at(0.0, np.arange(4), slice(2, None), np.array([0.5, 0.25]))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.5, 0.25])


def test_broadcast_like_same_shape_is_the_tangent_itself():
    d, like = np.ones(3), np.zeros(3)
    assert _rt.broadcast_like(d, like) is d
    spread = _rt.broadcast_like(np.ones(1), like)
    assert spread.shape == (3,)
    assert _rt.broadcast_like(2.0, 1.0) == 2.0
