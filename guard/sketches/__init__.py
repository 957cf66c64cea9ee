"""Sketches and rate algorithms, free of any storage: HyperLogLog, windowed per-key sketches,
and GCRA. Stores run them; the Redis backend mirrors them in Lua."""

from guard.sketches.gcra import gcra, peek
from guard.sketches.hll import HyperLogLog, mix64, standard_error
from guard.sketches.windows import KeySketch, layout

__all__ = ["HyperLogLog", "KeySketch", "gcra", "layout", "mix64", "peek", "standard_error"]
