"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -3.45

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.85,
    "novelty": 1.95,
    "recent_novelty": 2.55,
    "volume": 0.55,
    "elicitation": 1.95,
    "reasoning": 0.0,
    "extraction": 2.5,
    "single_turn": 0.6,
    "conversation": -1.05,
    "payload": -4.2,
    "templated": -2.05,
    "rotation": 4.2,
    "campaign": 1.45,
    "cadence": 5.25,
    "no_rest": 1.3,
    "short_answers": -1.9,
}
