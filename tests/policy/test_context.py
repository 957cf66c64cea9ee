from __future__ import annotations

import pytest

from guard.errors import PolicyError
from guard.models import (
    Action,
    Api,
    Features,
    Identity,
    KeyState,
    PromptRequest,
    RateResult,
    Score,
    SignalValue,
    WindowCounts,
)
from guard.policy import CampaignState, Decider, build_context, context_names, parse_policy
from guard.policy.expr import compile_expr

POLICY = parse_policy(
    """
windows: {hour: 1h, day: 24h}
budgets:
  coverage: {hour: 100, day: 1000}
  campaign: {coverage: {day: 5000}, requests: {day: 10000}}
rate_limits: {requests: 60/min}
tiers:
  - name: free
    match: {headers: {x-plan: free}}
    budgets: {coverage: {day: 100, hour: null}, output_tokens: {day: 5000}}
    rate_limits: {requests: 10/min, tokens: 1000/min}
rules:
  - {name: campaign, when: campaign.over_budget, then: block}
"""
)
IDENTITY = Identity("k_" + "0" * 32, True, "203.0.113.1", "c")
REQUEST = PromptRequest(Api.OPENAI, "openai.chat", "hi", model="m", max_tokens=50, stream=True)
FEATURES = Features(simhash=1, cell=2, input_tokens=12)
STATE = KeyState(
    windows={
        "hour": WindowCounts(50, 60, 600, 700),
        "day": WindowCounts(150, 300, 3000, 6000, suspect=12),
    },
    rates={"requests": RateResult(False, 2.5)},
)
SCORE = Score(0.7, (SignalValue("coverage", 0.4, "r"),))


def test_names_cover_every_tier() -> None:
    names = context_names(POLICY)
    for name in (
        "budget.coverage.hour",
        "budget.coverage.day",
        "budget.output_tokens.day",  # the free tier's only
        "budget.campaign.coverage.day",
        "budget.campaign.requests.day",
        "campaign",
        "campaign.keys",
        "campaign.coverage.hour",
        "campaign.requests.day",
        "campaign.over_budget",
        "rate.requests",
        "rate.tokens",
        "tier",
        "signal.coverage",
        "output_tokens.hour",
        "suspect.day",
    ):
        assert name in names, name
    assert "budget.requests.day" not in names
    assert "budget.suspect.day" not in names  # a count to test, not a budget


def test_default_tier_context() -> None:
    ctx = build_context(POLICY, IDENTITY, REQUEST, FEATURES, STATE, SCORE)
    assert ctx["tier"] == "default"
    assert ctx["budget.coverage.hour"] == 0.5 and ctx["budget.coverage.day"] == 0.15
    assert "budget.output_tokens.day" not in ctx
    assert ctx["over_budget"] is False
    assert ctx["rate.requests"] is True and ctx["rate_limited"] is True
    assert (ctx["score"], ctx["signal.coverage"], ctx["prompt_tokens"]) == (0.7, 0.4, 12)
    assert (ctx["suspect.day"], ctx["suspect.hour"]) == (12, 0)
    assert (ctx["model"], ctx["max_tokens"], ctx["stream"], ctx["turns"]) == ("m", 50, True, 1)
    # No campaign: every campaign name reads as null, and comparisons with null are false.
    assert ctx["campaign"] is None and ctx["campaign.over_budget"] is False
    assert compile_expr("campaign.keys > 1").truth(ctx) is False
    assert compile_expr("budget.campaign.coverage.day > 0.5").truth(ctx) is False
    assert compile_expr("campaign == null").truth(ctx) is True


def test_tier_context_uses_the_tiers_budgets_and_limits() -> None:
    tier = POLICY.tier("free")
    ctx = build_context(POLICY, IDENTITY, REQUEST, FEATURES, STATE, SCORE, tier=tier)
    assert ctx["tier"] == "free"
    assert ctx["budget.coverage.day"] == 1.5 and ctx["budget.output_tokens.day"] == 1.2
    assert compile_expr("budget.coverage.hour > 0").truth(ctx) is False  # removed: null
    assert ctx["over_budget"] is True
    assert ctx["rate.tokens"] is False  # checked for the tier, not refused
    assert build_context(POLICY, IDENTITY, REQUEST, FEATURES, STATE, SCORE, tier="free") == ctx


def test_campaign_values_and_budgets() -> None:
    campaign = CampaignState("c-7", 812, {"day": WindowCounts(distinct_cells=6000, requests=5000)})
    ctx = build_context(POLICY, IDENTITY, REQUEST, FEATURES, STATE, SCORE, campaign=campaign)
    assert (ctx["campaign"], ctx["campaign.keys"]) == ("c-7", 812)
    assert ctx["campaign.coverage.day"] == 6000 and ctx["campaign.requests.day"] == 5000
    assert ctx["budget.campaign.coverage.day"] == 1.2
    assert ctx["budget.campaign.requests.day"] == 0.5
    assert ctx["campaign.over_budget"] is True
    verdict = Decider(POLICY).decide(ctx)
    assert verdict.decision.action is Action.BLOCK and verdict.decision.rule == "campaign"
    # What the store reports with the key's state is used by default.
    linked = KeyState(STATE.windows, STATE.rates, campaign=campaign)
    assert build_context(POLICY, IDENTITY, REQUEST, FEATURES, linked, SCORE) == ctx


def test_decider_verdicts() -> None:
    policy = parse_policy(
        """
mode: shadow
rules:
  - {name: trial, when: score > 0.5, then: block, shadow: true}
  - {name: slow, when: score > 0.8, then: {action: tarpit, delay: 3s}}
"""
    )
    decider = Decider(policy)
    calm = decider.decide({"score": 0.6})
    assert calm.decision.action is Action.ALLOW and calm.shadow_matches == ("trial",)
    assert calm.rule is None and calm.then is None
    hot = decider.decide({"score": 0.9})
    assert hot.decision.action is Action.TARPIT and hot.decision.shadow  # mode: shadow
    assert hot.decision.enforced is Action.ALLOW
    assert hot.then is not None and hot.then.parameters()["delay"] == 3.0
    assert hot.shadow_matches == ("trial",) and hot.tier == "default"
    traces = decider.trace({"score": 0.9})
    assert [(t.rule.name, t.matched, t.decided, t.reached) for t in traces] == [
        ("trial", True, False, True),
        ("slow", True, True, True),
    ]
    assert traces[1].conditions == (("score > 0.8", True),)
    assert traces[1].values == (("score", 0.9),)


def test_suspect_at_must_be_a_score() -> None:
    assert parse_policy("scoring: {suspect_at: 0.8}").scoring.suspect_at == 0.8
    tiered = parse_policy(
        "tiers: [{name: t, match: {ips: [10.0.0.0/8]}, scoring: {suspect_at: 0.5}}]"
    )
    assert tiered.tier("t").scoring.suspect_at == 0.5
    with pytest.raises(PolicyError, match=r"1:11: scoring.suspect_at: suspect_at must be in"):
        parse_policy("scoring: {suspect_at: 1.5}")
