"""The usage a replayed request would have cost, since a replay has no upstream to ask.

Output-token budgets and volume signals read what ``Pipeline.account`` records, so replay
must record *something*, and the same thing every time. The estimate is deliberately plain:

- a request the policy refused (enforced ``throttle`` or ``block``) records nothing, exactly
  as the middleware accounts ``Usage()`` for a refusal;
- otherwise input tokens are the featurizer's count of the request
  (``features.input_tokens``), and output tokens per sample are ``REASONING_OUTPUT`` when the
  prompt or system prompt asks for full reasoning, ``PLAIN_OUTPUT`` otherwise, capped at the
  request's ``max_tokens``; times ``n`` samples.
"""

from __future__ import annotations

from guard.models import Action, Usage
from guard.pipeline import Inspection
from guard.signals.elicitation import asks_for_reasoning

__all__ = ["ESTIMATE", "PLAIN_OUTPUT", "REASONING_OUTPUT", "estimate_usage"]

PLAIN_OUTPUT = 400
"""Output tokens of an ordinary answer (a few paragraphs)."""

REASONING_OUTPUT = 1500
"""Output tokens of an answer that spells out its full reasoning."""

ESTIMATE = (
    f"refused (throttle, block): 0 tokens; else input = features.input_tokens, output = "
    f"n * min(max_tokens, {REASONING_OUTPUT} if full reasoning is asked for else {PLAIN_OUTPUT})"
)
"""One line describing the estimate, written into every report."""

_REFUSED = (Action.THROTTLE, Action.BLOCK)


def estimate_usage(inspection: Inspection) -> Usage:
    """A deterministic stand-in for the usage the upstream would have reported."""
    if inspection.decision.enforced in _REFUSED:
        return Usage()
    request = inspection.request
    if asks_for_reasoning(request.prompt) or asks_for_reasoning(request.system):
        output = REASONING_OUTPUT
    else:
        output = PLAIN_OUTPUT
    if request.max_tokens is not None and 0 <= request.max_tokens < output:
        output = request.max_tokens
    return Usage(inspection.features.input_tokens, output * max(1, request.n))
