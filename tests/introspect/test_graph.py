"""srcad.introspect.graph: the computation graph of a function's Wengert list, as DOT."""
import shutil

import pytest

from srcad.introspect import graph

import samples

TEXTBOOK_EDGES = {("x1", "t1"), ("x1", "t2"), ("x2", "t2"), ("x2", "t4"), ("t1", "t3"),
                  ("t2", "t3"), ("t3", "y"), ("t4", "y"), ("y", "return y")}


def test_textbook_graph_has_figure_2s_nodes_and_edges():
    g = graph(samples.textbook)
    kinds = {n.name: n.kind for n in g.nodes.values()}
    assert kinds == {"x1": "input", "x2": "input", "t1": "operation", "t2": "operation",
                     "t3": "operation", "t4": "operation", "y": "operation",
                     "return y": "output"}
    assert g.edges_by_name() == TEXTBOOK_EDGES


def test_textbook_dot_text():
    dot = graph(samples.textbook).dot
    assert dot.startswith('digraph "textbook" {') and dot.rstrip().endswith("}")
    assert 'label="x1  (v_-1)"' in dot and 'label="t1  (v_1)\\nmath.log"' in dot
    assert 'label="y  (v_5)\\n-"' in dot
    assert dot.count(" -> ") == len(TEXTBOOK_EDGES)


def test_values_and_adjoints_overlaid():
    g = graph(samples.textbook, args=(2.0, 5.0), wrt=(0, 1))
    labels = {n.name: n.label for n in g.nodes.values()}
    assert labels["x1"] == "x1  (v_-1)\\nvalue 2.0\\nadjoint 5.5".replace("\\n", "\n")
    assert "adjoint 1.716" in labels["x2"]
    assert "value 11.65" in labels["y"] and "adjoint 1.0" in labels["y"]
    assert "value 0.6931" in labels["t1"]


def test_loop_is_a_cluster_with_a_dashed_carried_edge():
    g = graph(samples.sum_of_sines)
    assert 'label="for i in t1\\nsamples.py:' in g.dot
    carried = [(g.nodes[a].name, g.nodes[b].name) for a, b, attrs in g.edges if "dashed" in attrs]
    assert carried == [("s", "t4")]  # s = t4 ends a turn; t4 = s + t3 reads it in the next
    assert ("s", "return s") in g.edges_by_name()  # also zero turns: s = 0.0 reaches the return


def test_branches_are_clusters_and_the_side_not_taken_did_not_run():
    g = graph(samples.clipped, args=(1.0, 2.0), wrt=(0, 1))
    assert 'label="then"' in g.dot and 'label="else"' in g.dot
    zs = sorted(n.label for n in g.nodes.values() if n.name == "z")
    assert zs == ["z  (v_2)\n*\n(did not run)", "z  (v_2)\n+\nvalue 3.0\nadjoint 1.0"]
    assert {("z", "return z")} <= g.edges_by_name()


def test_while_loop_test_reads_the_carried_value():
    g = graph(samples.halving)
    assert "while" in g.dot
    assert any("dashed" in attrs for _, _, attrs in g.edges)


def test_render_dot_text(tmp_path):
    path = graph(samples.textbook).render(str(tmp_path / "f.dot"))
    assert open(path, encoding="utf-8").read().startswith("digraph")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg_with_graphviz(tmp_path):
    g = graph(samples.textbook)
    path = g.render(str(tmp_path / "f.svg"))
    svg = open(path, encoding="utf-8").read()
    assert "<svg" in svg and "math.log" in svg
    assert g._repr_svg_().lstrip().startswith("<?xml")
