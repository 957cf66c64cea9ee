"""Acting on a decision: the request-side effects of tarpit and cap.

Refusals (throttle, block) are answered by the middleware with :mod:`guard.responses`;
decoys, perturbation and watermarks rewrite responses (:mod:`guard.decoys`). What is here
changes how, or how much, a request is served, without the client being able to tell that
guard stepped in: a cap looks like a shorter answer, a tarpit like a busy model.
"""

from __future__ import annotations

import json
import random
from typing import Any

from guard.policy.actions import Cap, Tarpit

__all__ = ["cap_payload", "tarpit_delay"]

# The output-limit fields of each route, in the order the API documents them.
_LIMIT_FIELDS = {
    "openai.chat": ("max_completion_tokens", "max_tokens"),
    "openai.completions": ("max_tokens",),
    "openai.responses": ("max_output_tokens",),
    "anthropic.messages": ("max_tokens",),
}
_STRIP = {
    "logprobs": ("logprobs", "top_logprobs"),
    "logit_bias": ("logit_bias",),
}


def cap_payload(route: str, payload: Any, cap: Cap) -> bytes | None:
    """The request body reduced as ``cap`` says, or ``None`` when nothing needs changing."""
    if not isinstance(payload, dict):
        return None
    body = dict(payload)
    changed = False
    fields = _LIMIT_FIELDS.get(route, ())
    if cap.max_tokens is not None and fields:
        present = [f for f in fields if isinstance(body.get(f), int)]
        if present:
            for name in present:
                if body[name] > cap.max_tokens:
                    body[name] = cap.max_tokens
                    changed = True
        else:
            body[fields[0]] = cap.max_tokens
            changed = True
    for item in cap.strip:
        if item == "n":
            for name in ("n", "best_of"):
                if isinstance(body.get(name), int) and body[name] > 1:
                    body[name] = 1
                    changed = True
            continue
        for name in _STRIP[item]:
            if name in body:
                if route == "openai.completions" and name == "logprobs":
                    del body[name]
                elif route == "openai.chat" and name == "logprobs":
                    body[name] = False
                else:
                    del body[name]
                changed = True
    if not changed:
        return None
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def tarpit_delay(tarpit: Tarpit, rng: random.Random | None = None) -> float:
    """The delay before answering: ``delay`` spread by ``jitter`` either way."""
    spread = tarpit.jitter * (2.0 * (rng or random).random() - 1.0)
    return max(0.0, tarpit.delay * (1.0 + spread))
