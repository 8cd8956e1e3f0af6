"""Looking inside a derivative: `trace` (the evaluation trace of one call, read off the running
derivative) and `graph` (the computation graph of a function's Wengert list)."""
from .graph import Graph, graph
from .trace import Row, Trace, trace

__all__ = ["trace", "Trace", "Row", "graph", "Graph"]
