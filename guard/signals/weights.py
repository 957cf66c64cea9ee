"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -2.7

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.0,
    "novelty": 0.0,
    "recent_novelty": 4.3,
    "volume": 2.2,
    "elicitation": 2.25,
    "reasoning": 0.0,
    "extraction": 5.85,
    "single_turn": 0.9,
    "conversation": -2.8,
    "payload": -6.0,
    "templated": -6.0,
    "rotation": 6.0,
    "campaign": 3.05,
    "cadence": 4.6,
    "no_rest": 0.7,
    "short_answers": -5.35,
    "timer": 2.85,
    "round_the_clock": 1.6,
}
