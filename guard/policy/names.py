"""The names a rule's condition may read, with what each means.

Kept apart from :mod:`guard.policy.context` (which computes the values) so that the model,
the JSON Schema and the reference can describe them without importing the pipeline's types.
"""

from __future__ import annotations

from typing import Final

__all__ = ["NAME_PATTERN", "PER_WINDOW", "REQUEST_NAMES", "STATIC_NAMES", "TEMPLATES"]

NAME_PATTERN: Final = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
"""What a name looks like: identifiers joined by dots (the expression language's names)."""

REQUEST_NAMES: Final[dict[str, str]] = {
    "route": "the route the request was read by: openai.chat, openai.completions, "
    "openai.responses, anthropic.messages or generic.<name>",
    "api": "the API family: openai, anthropic or generic",
    "model": "the model the request asks for ('' when it names none)",
    "max_tokens": "the output token limit asked for (null when none)",
    "stream": "whether the response is streamed",
    "temperature": "the sampling temperature asked for (null when none)",
    "n": "how many completions are asked for",
    "logprobs": "whether log-probabilities are asked for",
    "top_logprobs": "how many alternatives per token are asked for (null when none)",
    "logit_bias": "whether the request biases token probabilities",
    "tools": "how many tool definitions the request offers",
    "turns": "user turns in the conversation (1 for a single-turn request)",
    "has_key": "whether the caller sent an API key (false: tracked by client IP)",
    "has_system": "whether the request has a system prompt",
    "prompt_tokens": "estimated input tokens of the request",
    "tier": "the tier the request belongs to ('default' when no tier matches)",
}

STATIC_NAMES: Final[dict[str, str]] = {
    "score": "suspicion of the key, in [0, 1]",
    "over_budget": "whether any of the key's budgets is used up (some budget.* > 1)",
    "rate_limited": "whether any rate limit refused the request (some rate.* is true)",
    "campaign": "id of the campaign the key is linked to, null when none",
    "campaign.keys": "keys in the key's campaign (null when none)",
    "campaign.over_budget": "whether any campaign budget is used up (budget.campaign.* > 1)",
    **REQUEST_NAMES,
}

PER_WINDOW: Final = ("coverage", "requests", "input_tokens", "output_tokens")
"""The key's counters, readable as ``<counter>.<window>`` for every window."""

TEMPLATES: Final[dict[str, str]] = {
    "signal.<signal>": "the value in [0, 1] of a signal (coverage, novelty, volume, ...)",
    "coverage.<window>": "distinct semantic cells the key covered in the window",
    "requests.<window>": "requests the key made in the window",
    "input_tokens.<window>": "input tokens the key sent in the window",
    "output_tokens.<window>": "output tokens the key received in the window",
    "suspect.<window>": "the key's earlier requests in the window whose score reached "
    "scoring.suspect_at (counted as each response is recorded)",
    "budget.<kind>.<window>": "share of a budget used: 1.0 is exactly used up (only for "
    "budgets the request's tier has; null otherwise)",
    "campaign.coverage.<window>": "distinct cells the key's campaign covered together "
    "(null when the key is in no campaign)",
    "campaign.requests.<window>": "requests the key's campaign made (null when none)",
    "budget.campaign.<kind>.<window>": "share of a campaign budget used (null when the key "
    "is in no campaign)",
    "rate.<limit>": "whether the named rate limit refused the request",
}
