"""The names a rule's condition can use, and their values for one request.

One function lists the names (so the loader can reject a misspelt one before deploy) and one
builds the values (so rules see exactly what the loader promised). What each name means is in
:mod:`guard.policy.names`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from guard.models import CampaignState, Features, Identity, KeyState, PromptRequest, Score
from guard.policy.model import Budgets, Policy
from guard.policy.names import PER_WINDOW, REQUEST_NAMES, STATIC_NAMES
from guard.signals import SIGNAL_NAMES

if TYPE_CHECKING:
    from guard.policy.tiers import Tier

__all__ = ["REQUEST_NAMES", "CampaignState", "build_context", "context_names"]


def _all_budgets(policy: Policy) -> list[Budgets]:
    return [policy.budgets, *(tier.budgets for tier in policy.tiers)]


def context_names(policy: Policy) -> frozenset[str]:
    """Every name a condition of ``policy`` may read (whichever tier its rule is in)."""
    names = set(STATIC_NAMES)
    names.update(f"signal.{name}" for name in SIGNAL_NAMES)
    for window in policy.windows:
        names.update(f"{counter}.{window}" for counter in PER_WINDOW)
        names.update((f"campaign.coverage.{window}", f"campaign.requests.{window}"))
        names.add(f"suspect.{window}")
    for budgets in _all_budgets(policy):
        # A tier's null still names its budget: rules may test it (it reads as null there).
        for kind in PER_WINDOW:
            names.update(f"budget.{kind}.{window}" for window in getattr(budgets, kind))
        for kind in ("coverage", "requests"):
            windows = getattr(budgets.campaign, kind)
            names.update(f"budget.campaign.{kind}.{window}" for window in windows)
    names.update(f"rate.{name}" for name in policy.rate_limits)
    for tier in policy.tiers:
        names.update(f"rate.{name}" for name in tier.rate_limits)
    return frozenset(names)


def build_context(
    policy: Policy,
    identity: Identity,
    request: PromptRequest,
    features: Features,
    state: KeyState,
    score: Score,
    *,
    tier: Tier | str = "default",
    campaign: CampaignState | None = None,
) -> dict[str, Any]:
    """The values of the names for one request, as the rules of ``tier`` see them.

    Budgets and rate limits are the tier's; a budget the tier does not have reads as null.
    ``campaign`` is the key's campaign (default: ``state.campaign``); without one, every
    campaign name reads as null.
    """
    if isinstance(tier, str):
        tier = policy.tier(tier)
    if campaign is None:
        campaign = state.campaign
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
        "tier": tier.name,
    }
    for signal in score.signals:
        ctx[f"signal.{signal.name}"] = signal.value
    for window, counts in state.windows.items():
        ctx[f"coverage.{window}"] = counts.distinct_cells
        ctx[f"requests.{window}"] = counts.requests
        ctx[f"input_tokens.{window}"] = counts.input_tokens
        ctx[f"output_tokens.{window}"] = counts.output_tokens
        ctx[f"suspect.{window}"] = counts.suspect
    budgets = tier.budgets
    over = False
    for kind, window, limit in budgets.items():
        used = ctx.get(f"{kind}.{window}", 0) / limit
        ctx[f"budget.{kind}.{window}"] = used
        over = over or used > 1.0
    ctx["over_budget"] = over
    limited = False
    for name in tier.rate_limits:
        result = state.rates.get(name)
        refused = result is not None and not result.allowed
        ctx[f"rate.{name}"] = refused
        limited = limited or refused
    ctx["rate_limited"] = limited
    if campaign is None:
        ctx["campaign"] = None
        ctx["campaign.over_budget"] = False
        return ctx
    ctx["campaign"] = campaign.id
    ctx["campaign.keys"] = campaign.keys
    for window, counts in campaign.windows.items():
        ctx[f"campaign.coverage.{window}"] = counts.distinct_cells
        ctx[f"campaign.requests.{window}"] = counts.requests
    over = False
    for kind, window, limit in budgets.campaign_items():
        value = ctx.get(f"campaign.{kind}.{window}")
        if value is None:
            continue
        used = value / limit
        ctx[f"budget.campaign.{kind}.{window}"] = used
        over = over or used > 1.0
    ctx["campaign.over_budget"] = over
    return ctx
