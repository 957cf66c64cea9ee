"""Suspicion: a logistic model over the signals, with its weights in the policy.

A logistic model is deliberately simple: every weight is a number an operator can read, change
and reason about, and the reasons reported with a score are exactly the signals that pushed it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from guard.models import Score, SignalValue
from guard.signals import Signal, SignalContext

__all__ = ["Scorer"]


class Scorer:
    def __init__(
        self, signals: Sequence[Signal], weights: Mapping[str, float], bias: float
    ) -> None:
        self.signals = list(signals)  # all evaluated: rules may read a signal of weight 0
        self.weights = {s.name: float(weights.get(s.name, 0.0)) for s in signals}
        self.bias = bias

    def score(self, ctx: SignalContext) -> Score:
        values = [signal.evaluate(ctx) for signal in self.signals]
        logit = self.bias + sum(self.weights[v.name] * v.value for v in values)
        value = 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0
        ranked = sorted(values, key=self._contribution, reverse=True)
        return Score(value, tuple(ranked))

    def _contribution(self, value: SignalValue) -> float:
        return self.weights[value.name] * value.value
