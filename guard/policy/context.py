"""The names a rule's condition can use, and their values for one request.

One function lists the names (so the loader can reject a misspelt one before deploy) and one
builds the values (so rules see exactly what the loader promised).
"""

from __future__ import annotations

from typing import Any

from guard.models import Features, Identity, KeyState, PromptRequest, Score
from guard.policy.model import Policy
from guard.signals import SIGNAL_NAMES

__all__ = ["REQUEST_NAMES", "build_context", "context_names"]

REQUEST_NAMES: tuple[str, ...] = (
    "route",
    "api",
    "model",
    "max_tokens",
    "stream",
    "temperature",
    "n",
    "logprobs",
    "top_logprobs",
    "logit_bias",
    "tools",
    "turns",
    "has_key",
    "has_system",
    "prompt_tokens",
    "tier",
)
_COUNTERS = ("coverage", "requests", "input_tokens", "output_tokens")


def context_names(policy: Policy) -> frozenset[str]:
    names = {"score", "over_budget", "rate_limited", *REQUEST_NAMES}
    names.update(f"signal.{name}" for name in SIGNAL_NAMES)
    for window in policy.windows:
        names.update(f"{counter}.{window}" for counter in _COUNTERS)
    names.update(f"budget.{kind}.{window}" for kind, window, _ in policy.budgets.items())
    names.update(f"rate.{name}" for name in policy.rate_limits)
    return frozenset(names)


def build_context(
    policy: Policy,
    identity: Identity,
    request: PromptRequest,
    features: Features,
    state: KeyState,
    score: Score,
    *,
    tier: str = "default",
) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "score": score.value,
        "route": request.route,
        "api": request.api.value,
        "model": request.model,
        "max_tokens": request.max_tokens,
        "stream": request.stream,
        "temperature": request.temperature,
        "n": request.n,
        "logprobs": request.logprobs,
        "top_logprobs": request.top_logprobs,
        "logit_bias": request.logit_bias,
        "tools": request.tools,
        "turns": request.turns,
        "has_key": identity.has_key,
        "has_system": bool(request.system),
        "prompt_tokens": features.input_tokens,
        "tier": tier,
    }
    for signal in score.signals:
        ctx[f"signal.{signal.name}"] = signal.value
    for window, counts in state.windows.items():
        ctx[f"coverage.{window}"] = counts.distinct_cells
        ctx[f"requests.{window}"] = counts.requests
        ctx[f"input_tokens.{window}"] = counts.input_tokens
        ctx[f"output_tokens.{window}"] = counts.output_tokens
    over = False
    for kind, window, limit in policy.budgets.items():
        used = ctx.get(f"{kind}.{window}", 0) / limit if limit > 0 else 0.0
        ctx[f"budget.{kind}.{window}"] = used
        over = over or used > 1.0
    ctx["over_budget"] = over
    limited = False
    for name in policy.rate_limits:
        result = state.rates.get(name)
        refused = result is not None and not result.allowed
        ctx[f"rate.{name}"] = refused
        limited = limited or refused
    ctx["rate_limited"] = limited
    return ctx
