"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -2.65

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.0,
    "novelty": 0.0,
    "recent_novelty": 3.95,
    "volume": 2.3,
    "elicitation": 2.15,
    "reasoning": 0.0,
    "extraction": 6.0,
    "single_turn": 1.05,
    "conversation": -2.65,
    "payload": -6.0,
    "templated": -4.8,
    "rotation": 6.0,
    "campaign": 2.65,
    "cadence": 6.0,
    "no_rest": 0.6,
    "short_answers": -5.0,
    "timer": 3.15,
    "round_the_clock": 2.15,
}
