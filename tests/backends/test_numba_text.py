"""The rewrite of generated code into the subset numba compiles (no numba needed)."""
from srcad.numba_backend import numba_text

GENERATED = """\
def f_grad(x, n):
    _tape = []
    t1 = range(n)
    bx = 0.0
    for i in reversed(t1):
        s = _tape.pop()
        bx = _rt.add_to(bx, x, i, s)
        del s
    return bx
"""


def test_reversed_ranges_count_down_and_del_goes():
    text = numba_text(GENERATED)
    assert "for i in range(t1.start + (len(t1) - 1) * t1.step, t1.start - t1.step, -t1.step):" in text
    assert "del" not in text and "        pass\n" in text
    for r in (range(5), range(2, 11, 3), range(10, 0, -2), range(3, 3)):
        namespace = {"t1": r}
        counted = eval("list(range(t1.start + (len(t1) - 1) * t1.step, t1.start - t1.step, -t1.step))", namespace)
        assert counted == list(reversed(r))


def test_a_loop_left_by_break_counts_down_over_the_turns_it_ran():
    text = numba_text("def f(n):\n    for i in reversed(t1[:n_]):\n        pass\n")
    assert "for i in range(t1.start + (n_ - 1) * t1.step, t1.start - t1.step, -t1.step):" in text
    for r, n_ in ((range(5), 3), (range(2, 11, 3), 2), (range(4), 0)):
        counted = eval("list(range(t1.start + (n_ - 1) * t1.step, t1.start - t1.step, -t1.step))",
                       {"t1": r, "n_": n_})
        assert counted == list(reversed(r[:n_]))


def test_an_array_adjoint_added_into_by_index_starts_as_zeros():
    assert "    bx = _srcad_numpy.zeros(x.shape)\n" in numba_text(GENERATED, array_params=("x",))
    assert "    bx = 0.0\n" in numba_text(GENERATED, array_params=())
