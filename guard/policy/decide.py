"""Deciding: the first rule whose condition holds picks the action."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from guard.models import Action, Decision
from guard.policy.expr import Expr, compile_expr
from guard.policy.model import Policy, Rule

__all__ = ["Decider", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision, plus the shadow rules that matched on the way (logged, not applied)."""

    decision: Decision
    shadow_matches: tuple[str, ...] = ()


_ALLOW = Decision(Action.ALLOW)


class Decider:
    def __init__(self, policy: Policy) -> None:
        self._shadow_mode = policy.mode == "shadow"
        self._rules: list[tuple[Rule, Expr | None]] = [
            (rule, compile_expr(rule.when) if rule.when is not None else None)
            for rule in policy.rules
        ]
        self.names: frozenset[str] = frozenset().union(
            *(expr.names for _, expr in self._rules if expr is not None)
        )

    def decide(self, ctx: Mapping[str, Any]) -> Verdict:
        shadow: list[str] = []
        for rule, expr in self._rules:
            if expr is not None and not expr.truth(ctx):
                continue
            if rule.shadow:
                shadow.append(rule.name)
                continue
            then = rule.then
            decision = Decision(
                then.action,
                rule.name,
                then.message or "",
                then.retry_after or 0.0,
                shadow=self._shadow_mode,
            )
            return Verdict(decision, tuple(shadow))
        return Verdict(_ALLOW, tuple(shadow))
