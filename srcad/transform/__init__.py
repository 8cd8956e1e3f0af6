"""Transforms: three-address tree + facts -> the derivative's tree."""
from .control import single_exit
from .forward import forward
from .reverse import reverse
from .split import split

__all__ = ["forward", "reverse", "single_exit", "split"]
