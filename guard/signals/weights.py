"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -3.0

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.0,
    "novelty": 0.0,
    "recent_novelty": 5.35,
    "volume": 1.3,
    "elicitation": 2.45,
    "reasoning": 0.0,
    "extraction": 4.05,
    "single_turn": 0.0,
    "conversation": -2.35,
    "payload": -6.0,
    "templated": -4.85,
    "rotation": 6.0,
    "campaign": 4.0,
    "cadence": 6.0,
    "no_rest": 1.1,
    "short_answers": -4.6,
    "timer": 2.7,
}
