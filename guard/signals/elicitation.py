"""Reasoning elicitation: requests built to extract as much of the model as possible.

Distillers ask for full step-by-step reasoning and hidden thinking, the longest outputs, several
samples per prompt (n > 1), and log-probabilities together with logit_bias (which lets a
client read out the model's logits token by token).
"""

from __future__ import annotations

import re

from guard.models import SignalValue
from guard.signals.base import Signal, SignalContext

__all__ = ["ElicitationSignal", "asks_for_reasoning"]

_REASONING = re.compile(
    r"step[- ]by[- ]step|chain[- ]of[- ]thought|show (?:all )?(?:your|the) (?:work|reasoning|"
    r"thinking)|(?:explain|walk (?:me )?through) (?:your|the|each) (?:reasoning|thought|steps?)|"
    r"think (?:carefully |out loud |aloud )?(?:before|step)|reason(?:ing)? (?:process|trace)|"
    r"internal (?:reasoning|monologue|thoughts?)|hidden (?:reasoning|thoughts?|thinking)|"
    r"intermediate steps?|(?:full |complete )?derivation|<think>",
    re.IGNORECASE,
)
# Every alternative of _REASONING starts with one of these words. `str.find` locates them at C
# speed; the full pattern is then tried only where one starts, instead of at every position.
_ANCHORS = (
    "step", "chain", "show", "explain", "walk", "think", "reason", "internal", "hidden",
    "intermediate", "full", "complete", "derivation", "<think>",
)  # fmt: skip
_LONG_OUTPUT = 8192
_SCAN = 4000  # characters of prompt and system prompt examined


def asks_for_reasoning(text: str) -> bool:
    """Whether ``text`` asks for full step-by-step reasoning or hidden thinking."""
    head = text[:_SCAN].lower()
    match = _REASONING.match
    for anchor in _ANCHORS:
        start = head.find(anchor)
        while start >= 0:
            if match(head, start):
                return True
            start = head.find(anchor, start + 1)
    return False


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
        if asks_for_reasoning(req.prompt) or asks_for_reasoning(req.system):
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
