"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -2.95

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.0,
    "novelty": 0.0,
    "recent_novelty": 5.35,
    "volume": 1.15,
    "elicitation": 2.35,
    "reasoning": 0.0,
    "extraction": 4.05,
    "single_turn": 0.0,
    "conversation": -2.5,
    "payload": -6.0,
    "templated": -4.6,
    "rotation": 6.0,
    "campaign": 2.15,
    "cadence": 6.0,
    "no_rest": 1.15,
    "short_answers": -4.6,
    "timer": 3.55,
}
