"""Reasoning elicitation: requests built to extract as much of the model as possible.

Distillers ask for full step-by-step reasoning and hidden thinking, the longest outputs, several
samples per prompt (n > 1), and log-probabilities together with logit_bias (which lets a
client read out the model's logits token by token).
"""

from __future__ import annotations

from guard.models import SignalValue
from guard.patterns import asks_for_reasoning
from guard.profile import Flag
from guard.signals.base import Signal, SignalContext

__all__ = ["ElicitationSignal", "asks_for_reasoning"]

_LONG_OUTPUT = 8192


class ElicitationSignal(Signal):
    """Per request: reasoning demands, n > 1, logprobs with logit_bias, maximal outputs."""

    name = "elicitation"

    def evaluate(self, ctx: SignalContext) -> SignalValue:
        req = ctx.request
        found: list[str] = []
        value = 0.0
        if req.logprobs and req.logit_bias:
            found.append("logprobs with logit_bias")
            value = 1.0
        record = ctx.record
        if (
            record.flags & Flag.REASONING
            if record is not None
            else asks_for_reasoning(req.prompt) or asks_for_reasoning(req.system)
        ):
            found.append("asks for full reasoning")
            value = max(value, 0.6)
        if req.n > 1:
            found.append(f"n={req.n} samples")
            value = max(value, 0.5)
        if req.max_tokens is not None and req.max_tokens >= _LONG_OUTPUT:
            found.append(f"max_tokens={req.max_tokens}")
            value = max(value, 0.4)
        reason = ", ".join(found) if found else "no extraction patterns"
        return SignalValue(self.name, value, reason)
