"""Suspicion: a logistic model over the signals, with its weights in the policy.

A logistic model is deliberately simple: every weight is a number an operator can read, change
and reason about, and the reasons reported with a score are exactly the signals that pushed it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from guard.models import Score, SignalValue
from guard.signals import Signal, SignalContext

__all__ = ["REASON_AT", "Scorer"]

REASON_AT = 0.5  # a signal at or above this value is reported as a reason (Score.reasons)


class Scorer:
    def __init__(
        self, signals: Sequence[Signal], weights: Mapping[str, float], bias: float
    ) -> None:
        self.signals = list(signals)  # all evaluated: rules may read a signal of weight 0
        self.weights = {s.name: float(weights.get(s.name, 0.0)) for s in signals}
        self.bias = bias

    def score(self, ctx: SignalContext, *, explain: bool = False) -> Score:
        """The suspicion for ``ctx``; every signal's value, strongest contribution first.

        Sentences are built only for the signals that count as reasons (value >= 0.5), or
        for all of them with ``explain``: formatting them all would cost more than scoring.
        """
        weights = self.weights
        measured = [(signal, signal.measure(ctx)) for signal in self.signals]
        logit = self.bias + sum(weights[signal.name] * v for signal, v in measured)
        value = 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0
        measured.sort(key=lambda item: weights[item[0].name] * item[1], reverse=True)
        values = tuple(
            SignalValue(signal.name, v, signal.explain(ctx, v) if explain or v >= REASON_AT else "")
            for signal, v in measured
        )
        return Score(value, values)
