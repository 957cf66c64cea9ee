"""Semantic coverage: how much of the subject space a key sweeps.

A person works on a few subjects and keeps coming back to them; a harvester's every prompt is
about something new. Two signals read the key's distinct-cell count: ``coverage`` (how many
cells, saturating) and ``novelty`` (distinct cells per request: near 1 for a sweep).
"""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext, saturate

__all__ = ["CoverageSignal", "NoveltySignal"]


class CoverageSignal(Signal):
    """Distinct cells in the scoring window, 0.5 at ``half`` cells."""

    name = "coverage"

    def __init__(self, half: float = 150.0) -> None:
        self.half = half

    def measure(self, ctx: SignalContext) -> float:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests:
            return 0.0
        return saturate(counts.distinct_cells, self.half)

    def explain(self, ctx: SignalContext, value: float) -> str:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests:
            return f"{counts.requests} requests: too few to judge"
        return f"{counts.distinct_cells} distinct subjects in the last {ctx.window}"


class NoveltySignal(Signal):
    """Share of a key's requests that opened a new cell; rescaled so a focused key scores 0,
    and weighed by the evidence ``n / (n + prior)``: anyone's first eight questions are about
    eight things, while two hundred requests on two hundred subjects are a sweep."""

    name = "novelty"

    def __init__(self, floor: float = 0.35, prior: float = 8.0) -> None:
        self.floor = floor  # typical share for real users, mapped to 0
        self.prior = prior

    def measure(self, ctx: SignalContext) -> float:
        counts = ctx.state.window(ctx.window)
        n = counts.requests
        if n < ctx.min_requests:
            return 0.0
        share = min(1.0, counts.distinct_cells / n)
        return max(0.0, (share - self.floor) / (1.0 - self.floor)) * n / (n + self.prior)

    def explain(self, ctx: SignalContext, value: float) -> str:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests:
            return f"{counts.requests} requests: too few to judge"
        share = min(1.0, counts.distinct_cells / counts.requests)
        return (
            f"{share:.0%} of {counts.requests} requests in the last {ctx.window} "
            "were about a subject not seen before"
        )
