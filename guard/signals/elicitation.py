"""Reasoning elicitation: requests built to extract as much of the model as possible.

Distillers ask for full step-by-step reasoning and hidden thinking, several samples per prompt
(n > 1), and log-probabilities together with logit_bias (which lets a client read out the
model's logits token by token).

A large ``max_tokens`` is not counted: it is a client's setting, made once, and products set
it high so that no answer is cut off (Anthropic's API requires one; 8192 and more is routine).
Counted here, it took general Q&A products on the messages API over the perturb threshold:
it was 0.0036 of the 0.0048 benign collateral on seeds 1-3 (docs/detection.md).
"""

from __future__ import annotations

from guard.patterns import asks_for_reasoning
from guard.profile import Flag
from guard.signals.base import Signal, SignalContext

__all__ = ["ElicitationSignal", "asks_for_reasoning"]


class ElicitationSignal(Signal):
    """Per request: reasoning demands, n > 1, logprobs with logit_bias."""

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
        return found
