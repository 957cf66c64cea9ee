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

REASON_AT = 0.5
"""A signal whose weighted value adds at least this much to the log-odds is a reason
(Score.reasons): evidence of a real user, and signals the policy gives no weight, never are."""


class Scorer:
    def __init__(
        self, signals: Sequence[Signal], weights: Mapping[str, float], bias: float
    ) -> None:
        self.signals = list(signals)  # all evaluated: rules may read a signal of weight 0
        self.weights = {s.name: float(weights.get(s.name, 0.0)) for s in signals}
        self.bias = bias

    def score(self, ctx: SignalContext, *, explain: bool = False) -> Score:
        """The suspicion for ``ctx``; every signal's value, strongest contribution first.

        Sentences are built only for the signals that stand out (a value of 0.5 or more, or
        a reason: adding at least ``REASON_AT`` to the log-odds), or for all of them with
        ``explain``: formatting them all would cost more than scoring.
        """
        weights = self.weights
        measured = [(signal, signal.measure(ctx), weights[signal.name]) for signal in self.signals]
        logit = self.bias + sum(w * v for _, v, w in measured)
        value = 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0
        measured.sort(key=lambda item: item[2] * item[1], reverse=True)
        drivers = tuple(signal.name for signal, v, w in measured if w * v >= REASON_AT)
        values = tuple(
            SignalValue(
                signal.name,
                v,
                signal.explain(ctx, v) if explain or v >= 0.5 or w * v >= REASON_AT else "",
            )
            for signal, v, w in measured
        )
        return Score(value, values, drivers)
