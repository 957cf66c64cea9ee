"""Reasoning elicitation: requests built to extract as much of the model as possible.

Distillers ask for full step-by-step reasoning and hidden thinking, the longest outputs, several
samples per prompt (n > 1), and log-probabilities together with logit_bias (which lets a
client read out the model's logits token by token).
"""

from __future__ import annotations

from guard.patterns import asks_for_reasoning
from guard.profile import Flag
from guard.signals.base import Signal, SignalContext

__all__ = ["ElicitationSignal", "asks_for_reasoning"]

_LONG_OUTPUT = 8192


class ElicitationSignal(Signal):
    """Per request: reasoning demands, n > 1, logprobs with logit_bias, maximal outputs."""

    name = "elicitation"

    def measure(self, ctx: SignalContext) -> float:
        return max((value for value, _ in self._found(ctx)), default=0.0)

    def explain(self, ctx: SignalContext, value: float) -> str:
        found = [reason for _, reason in self._found(ctx)]
        return ", ".join(found) if found else "no extraction patterns"

    def _found(self, ctx: SignalContext) -> list[tuple[float, str]]:
        req = ctx.request
        found: list[tuple[float, str]] = []
        if req.logprobs and req.logit_bias:
            found.append((1.0, "logprobs with logit_bias"))
        record = ctx.record
        if (
            record.flags & Flag.REASONING
            if record is not None
            else asks_for_reasoning(req.prompt) or asks_for_reasoning(req.system)
        ):
            found.append((0.6, "asks for full reasoning"))
        if req.n > 1:
            found.append((0.5, f"n={req.n} samples"))
        if req.max_tokens is not None and req.max_tokens >= _LONG_OUTPUT:
            found.append((0.4, f"max_tokens={req.max_tokens}"))
        return found
