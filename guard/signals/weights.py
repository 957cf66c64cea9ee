"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -2.25

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.0,
    "novelty": 0.0,
    "recent_novelty": 4.65,
    "volume": 2.7,
    "elicitation": 1.8,
    "reasoning": 0.0,
    "extraction": 6.0,
    "single_turn": 0.7,
    "conversation": -1.8,
    "payload": -6.0,
    "templated": -5.05,
    "rotation": 6.0,
    "campaign": 2.5,
    "cadence": 6.0,
    "no_rest": 0.95,
    "short_answers": -5.1,
    "timer": 3.15,
    "round_the_clock": 1.8,
    "casual": -2.5,
}
