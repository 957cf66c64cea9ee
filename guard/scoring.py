"""Suspicion: a logistic model over the signals, with its weights in the policy.

A logistic model is deliberately simple: every weight is a number an operator can read, change
and reason about, and the reasons reported with a score are exactly the signals that pushed it.

The signals read a key's recent requests, so a score dips as their mix shifts: a sweep that
mixes in a few ordinary questions, or pauses, looks milder for a while. A key that has been
suspect (a score of ``Persistence.at`` or more) on ``Persistence.after`` requests of a window
keeps at least that score until the window forgets them, with ``persistent`` as its reason. A
held score (``Score.held``) is not counted as suspect itself: a key misjudged for a while
recovers a window after its own scores come down, however busy it stays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from guard.models import Score, SignalValue
from guard.signals import Signal, SignalContext

__all__ = ["PERSISTENT", "REASON_AT", "Persistence", "Scorer", "logistic"]

PERSISTENT = "persistent"
"""The reason of a score held up by the key's suspect requests (see :class:`Persistence`)."""

REASON_AT = 0.5
"""A signal whose weighted value adds at least this much to the log-odds is a reason
(Score.reasons): evidence of a real user, and signals the policy gives no weight, never are."""


def logistic(logit: float) -> float:
    """The suspicion of a log-odds (0 far below, where ``math.exp`` would overflow)."""
    return 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0


@dataclass(frozen=True, slots=True)
class Persistence:
    """A key suspect on ``after`` requests of ``window`` (``WindowCounts.suspect``: scores of
    ``at`` or more) scores at least ``at``; ``after`` 0 turns this off."""

    at: float
    after: int
    window: str

    def hold(self, ctx: SignalContext, value: float) -> SignalValue | None:
        """The ``persistent`` reason when it holds ``value`` up to ``at``, else None."""
        if not self.after or value >= self.at:
            return None
        suspect = ctx.state.window(self.window).suspect
        if suspect < self.after:
            return None
        return SignalValue(
            PERSISTENT,
            1.0,
            f"{suspect} of the key's requests in the last {self.window} scored {self.at:g} or "
            f"more: its suspicion stays at {self.at:g} until the window forgets them",
        )


class Scorer:
    def __init__(
        self,
        signals: Sequence[Signal],
        weights: Mapping[str, float],
        bias: float,
        persistence: Persistence | None = None,
    ) -> None:
        self.signals = list(signals)  # all evaluated: rules may read a signal of weight 0
        self.weights = {s.name: float(weights.get(s.name, 0.0)) for s in signals}
        self.bias = bias
        self.persistence = persistence

    def score(self, ctx: SignalContext, *, explain: bool = False) -> Score:
        """The suspicion for ``ctx``; every signal's value, strongest contribution first.

        Sentences are built only for the signals that stand out (a value of 0.5 or more, or
        a reason: adding at least ``REASON_AT`` to the log-odds), or for all of them with
        ``explain``: formatting them all would cost more than scoring.
        """
        weights = self.weights
        measured = [(signal, signal.measure(ctx), weights[signal.name]) for signal in self.signals]
        logit = self.bias + sum(w * v for _, v, w in measured)
        value = logistic(logit)
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
        return self.hold(ctx, Score(value, values, drivers))

    def hold(self, ctx: SignalContext, score: Score) -> Score:
        """``score``, held up to the persistence floor when the key's suspect requests say so
        (``persistent`` first among its signals and reasons)."""
        persistence = self.persistence
        held = persistence.hold(ctx, score.value) if persistence is not None else None
        if persistence is None or held is None:
            return score
        drivers = (PERSISTENT, *score.drivers) if score.drivers is not None else None
        return Score(persistence.at, (held, *score.signals), drivers, True)
