"""Volume: requests and output tokens per window, against what one person plausibly sends."""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext, saturate

__all__ = ["VolumeSignal"]


class VolumeSignal(Signal):
    """Requests in the scoring window, 0.5 at ``half`` requests."""

    name = "volume"

    def __init__(self, half: float = 400.0) -> None:
        self.half = half

    def measure(self, ctx: SignalContext) -> float:
        return saturate(ctx.state.window(ctx.window).requests, self.half)

    def explain(self, ctx: SignalContext, value: float) -> str:
        counts = ctx.state.window(ctx.window)
        return (
            f"{counts.requests} requests and {counts.output_tokens} output tokens "
            f"in the last {ctx.window}"
        )
