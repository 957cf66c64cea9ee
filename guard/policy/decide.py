"""Deciding: the first rule whose condition holds picks the action."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guard.models import Action, Decision
from guard.policy.actions import Then
from guard.policy.expr import Expr, compile_expr
from guard.policy.model import Policy, Rule

__all__ = ["Decider", "RuleTrace", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision, the rule that made it, and the shadow rules that matched on the way.

    Shadow rules are logged, not applied. ``then`` carries the action's parameters (a
    tarpit's delay, a throttle's rate, ...), which :class:`Decision` does not.
    """

    decision: Decision
    shadow_matches: tuple[str, ...] = ()
    rule: Rule | None = None
    tier: str = "default"

    @property
    def then(self) -> Then | None:
        return self.rule.then if self.rule is not None else None


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """One rule's evaluation, for ``guard explain``: every condition's value and the outcome."""

    rule: Rule
    matched: bool
    conditions: tuple[tuple[str, Any], ...]
    values: tuple[tuple[str, Any], ...]  # every name the condition reads, and its value
    decided: bool  # this rule made the decision
    reached: bool  # no earlier rule had decided
    own: bool  # a rule of the tier itself (not inherited from the policy)


_ALLOW = Decision(Action.ALLOW)


@functools.lru_cache(maxsize=4096)
def _compiled(source: str) -> Expr:
    # Rules inherited by several tiers share one compiled condition.
    return compile_expr(source)


class Decider:
    """Tries ``rules`` (the policy's by default) in order; the first that holds decides.

    ``tier`` names the tier the rules belong to, recorded in each :class:`Verdict`.
    """

    def __init__(
        self, policy: Policy, rules: Sequence[Rule] | None = None, *, tier: str = "default"
    ) -> None:
        self._shadow_mode = policy.mode == "shadow"
        self.tier = tier
        chosen = policy.rules if rules is None else rules
        self._rules: list[tuple[Rule, Expr | None]] = [
            (rule, _compiled(str(rule.when)) if rule.when is not None else None) for rule in chosen
        ]
        self._allow = Verdict(_ALLOW, tier=tier)
        self.names: frozenset[str] = frozenset().union(
            *(expr.names for _, expr in self._rules if expr is not None)
        )

    @property
    def rules(self) -> list[Rule]:
        return [rule for rule, _ in self._rules]

    def decide(self, ctx: Mapping[str, Any]) -> Verdict:
        shadow: list[str] = []
        for rule, expr in self._rules:
            if expr is not None and not expr.truth(ctx):
                continue
            if rule.shadow:
                shadow.append(rule.name)
                continue
            decision = rule.then.decision(rule.name, shadow=self._shadow_mode)
            return Verdict(decision, tuple(shadow), rule, self.tier)
        if shadow:
            return Verdict(_ALLOW, tuple(shadow), None, self.tier)
        return self._allow

    def trace(self, ctx: Mapping[str, Any], *, own: int = 0) -> list[RuleTrace]:
        """Every rule evaluated in ``ctx`` with each condition's value (slow; for explain).

        ``own``: how many leading rules are the tier's own (marked in the trace).
        """
        traces: list[RuleTrace] = []
        decided = False
        for index, (rule, expr) in enumerate(self._rules):
            matched = expr is None or expr.truth(ctx)
            conditions = tuple(expr.explain(ctx)) if expr is not None else ()
            values = tuple(expr.bindings(ctx).items()) if expr is not None else ()
            decides = matched and not rule.shadow and not decided
            traces.append(
                RuleTrace(rule, matched, conditions, values, decides, not decided, index < own)
            )
            decided = decided or decides
        return traces
