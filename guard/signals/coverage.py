"""Semantic coverage: how much of the subject space a key sweeps.

A person works on a few subjects and keeps coming back to them; a harvester's every prompt is
about something new. Two signals read the key's distinct-cell count: ``coverage`` (how many
cells, saturating) and ``novelty`` (distinct cells per request: near 1 for a sweep).
"""

from __future__ import annotations

from guard.models import SignalValue
from guard.signals.base import Signal, SignalContext, saturate

__all__ = ["CoverageSignal", "NoveltySignal"]


class CoverageSignal(Signal):
    """Distinct cells in the scoring window, 0.5 at ``half`` cells."""

    name = "coverage"

    def __init__(self, half: float = 150.0) -> None:
        self.half = half

    def evaluate(self, ctx: SignalContext) -> SignalValue:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests:
            return SignalValue(self.name, 0.0, f"{counts.requests} requests: too few to judge")
        value = saturate(counts.distinct_cells, self.half)
        return SignalValue(
            self.name,
            value,
            f"{counts.distinct_cells} distinct subjects in the last {ctx.window}",
        )


class NoveltySignal(Signal):
    """Share of a key's requests that opened a new cell; rescaled so a focused key scores 0."""

    name = "novelty"

    def __init__(self, floor: float = 0.35) -> None:
        self.floor = floor  # typical share for real users, mapped to 0

    def evaluate(self, ctx: SignalContext) -> SignalValue:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests:
            return SignalValue(self.name, 0.0, f"{counts.requests} requests: too few to judge")
        share = min(1.0, counts.distinct_cells / counts.requests)
        value = max(0.0, (share - self.floor) / (1.0 - self.floor))
        return SignalValue(
            self.name,
            value,
            f"{share:.0%} of {counts.requests} requests in the last {ctx.window} "
            "were about a subject not seen before",
        )
