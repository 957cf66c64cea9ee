"""Policies: the YAML model, its loader, tiers, and the decision engine."""

from __future__ import annotations

from guard.models import CampaignState
from guard.policy.actions import (
    Allow,
    Block,
    Cap,
    Decoy,
    Log,
    Perturb,
    Tarpit,
    Then,
    Throttle,
    Watermark,
    adaptive_limit,
)
from guard.policy.context import build_context, context_names
from guard.policy.decide import Decider, Verdict
from guard.policy.loader import bundled_policy, load_policy, parse_policy
from guard.policy.model import AuditConfig, Policy, Rule, TierConfig
from guard.policy.tiers import Tier, TierMatcher

__all__ = [
    "Allow",
    "AuditConfig",
    "Block",
    "CampaignState",
    "Cap",
    "Decider",
    "Decoy",
    "Log",
    "Perturb",
    "Policy",
    "Rule",
    "Tarpit",
    "Then",
    "Throttle",
    "Tier",
    "TierConfig",
    "TierMatcher",
    "Verdict",
    "Watermark",
    "adaptive_limit",
    "build_context",
    "bundled_policy",
    "context_names",
    "load_policy",
    "parse_policy",
]
