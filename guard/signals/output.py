"""Answer size: how much a key takes away per request.

Distillation needs answers to train on: a sweep that reads one token per prompt (an evaluation
scoring multiple choice, a classifier labelling documents) takes next to nothing a student
could learn from, however many subjects it covers. Logit extraction is the exception, and the
``extraction`` signal covers it. Output tokens are what the upstream reported (``account``),
so the current request's own answer is not counted yet; a key with no output tokens at all
has had no usage read (a refused key, an upstream that reports none) and is not judged.
"""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext, saturate

__all__ = ["ShortAnswersSignal"]


class ShortAnswersSignal(Signal):
    """Few output tokens per request in the scoring window (benign evidence): 0.5 at ``half``
    tokens per request, approaching 1 as answers shrink to a token."""

    name = "short_answers"
    direction = -1

    def __init__(self, half: float = 40.0) -> None:
        self.half = half

    def measure(self, ctx: SignalContext) -> float:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests or not counts.output_tokens:
            return 0.0  # too early, or no usage reported at all: unknown, not short
        return 1.0 - saturate(counts.output_tokens / counts.requests, self.half)

    def explain(self, ctx: SignalContext, value: float) -> str:
        counts = ctx.state.window(ctx.window)
        if counts.requests < ctx.min_requests:
            return f"{counts.requests} requests: too few to judge"
        per = counts.output_tokens / counts.requests
        return f"{per:.0f} output tokens per request in the last {ctx.window}"
