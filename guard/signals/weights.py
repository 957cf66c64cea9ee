"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -3.2

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.35,
    "novelty": 1.15,
    "recent_novelty": 2.9,
    "volume": 1.6,
    "elicitation": 2.35,
    "reasoning": 0.0,
    "extraction": 2.8,
    "single_turn": 1.5,
    "conversation": -1.15,
    "payload": -4.6,
    "templated": -2.8,
    "rotation": 4.0,
    "campaign": 1.4,
}
