"""Policies: the YAML model, its loader, and the decision engine."""

from __future__ import annotations

from guard.policy.loader import bundled_policy, load_policy, parse_policy
from guard.policy.model import Policy, Rule, Then

__all__ = ["Policy", "Rule", "Then", "bundled_policy", "load_policy", "parse_policy"]
