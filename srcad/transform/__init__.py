"""Transforms: three-address tree + facts -> the derivative's tree."""
from .reverse import reverse

__all__ = ["reverse"]
