"""The shipped suspicion model: weights fitted offline on simulated traffic.

Fitted by ``benchmarks/fit.py`` (docs/detection.md), rounded, and used whenever a policy's
``scoring:`` does not say otherwise, so even a minimal policy scores keys sensibly.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BIAS", "DEFAULT_WEIGHTS"]

DEFAULT_BIAS = -2.1

DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 0.0,
    "novelty": 0.0,
    "recent_novelty": 3.7,
    "fresh_questions": 2.5,
    "volume": 2.6,
    "elicitation": 1.95,
    "reasoning": 0.0,
    "extraction": 6.0,
    "single_turn": 0.0,
    "conversation": -0.95,
    "payload": -6.0,
    "templated": -5.15,
    "rotation": 6.0,
    "campaign": 2.4,
    "cadence": 6.0,
    "no_rest": 1.3,
    "short_answers": -5.2,
    "timer": 3.3,
    "round_the_clock": 1.55,
    "casual": -2.5,
    "orphan": 6.0,
    "fabricated_history": 3.0,
}
