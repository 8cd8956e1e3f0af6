"""Looking inside a derivative: `trace` (the evaluation trace of one call) and `graph` (the
computation graph of a function's Wengert list)."""
from .trace import Row, Trace, trace

__all__ = ["trace", "Trace", "Row"]
