"""Loading policies: from a file, a mapping, or an existing :class:`Policy`.

Every problem is collected and reported at once, each with file:line:column (and the rule's
name), so an operator fixes a broken policy in one pass rather than one error per deploy.
Loading happens in three steps: imports are merged on the YAML nodes
(:mod:`guard.policy.imports`), the nodes are read into the model (:mod:`guard.policy.typed`),
and the checks below look across fields: references to windows and signals, names in
conditions, duplicate and unreachable rules, key lists.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from guard.errors import PolicyError, PolicyProblem
from guard.policy.conditions import Condition
from guard.policy.context import context_names
from guard.policy.expr import Expr, ExprError, compile_expr
from guard.policy.imports import resolve_imports
from guard.policy.model import (
    Budgets,
    Policy,
    Rule,
    ScoringConfig,
    ScoringOverride,
    default_windows,
)
from guard.policy.names import PER_WINDOW
from guard.policy.tiers import DEFAULT_TIER, TierMatcher, key_list_problems
from guard.policy.typed import Loader, Where, compose, suggest
from guard.signals import SIGNAL_NAMES

__all__ = ["PolicySource", "bundled_policy", "load_policy", "parse_policy"]

PolicySource = str | os.PathLike[str] | Mapping[str, Any] | Policy | None

_FAMILIES = frozenset({"budget", "rate", "signal", "campaign", *PER_WINDOW})
_UNKNOWN = re.compile(r"^unknown name '([^']*)'")
_TIER_ITEM = re.compile(r"^tiers\[\d+\]$")
_TIER_NAMES = re.compile(r"^tiers\[\d+\]\.(name|budgets|rate_limits)\b")
BUILTIN_ROUTES = ("openai.chat", "openai.completions", "openai.responses", "anthropic.messages")
APIS = ("openai", "anthropic", "generic")


def bundled_policy(name: str = "default") -> Path:
    """Path of a policy shipped with guard (``policies/<name>.yaml``)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (
        here / "_policies" / f"{name}.yaml",
        here.parent / "policies" / f"{name}.yaml",
    ):
        if candidate.is_file():
            return candidate
    raise PolicyError([PolicyProblem(f"no bundled policy named {name!r}")])


def load_policy(source: PolicySource = None) -> Policy:
    """A validated :class:`Policy` from a path, a mapping, or a Policy (returned as is).

    ``None`` loads the bundled default policy. Paths in a mapping (imports, key lists) are
    relative to the working directory. Raises :class:`PolicyError` listing every problem.
    """
    if isinstance(source, Policy):
        return source
    if source is None:
        source = bundled_policy("default")
    if isinstance(source, Mapping):
        text = yaml.safe_dump(dict(source), sort_keys=False)
        return parse_policy(text, "<mapping>", base=Path.cwd())
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            [PolicyProblem(f"cannot read policy: {exc.strerror}", str(path))]
        ) from exc
    except UnicodeDecodeError as exc:
        raise PolicyError([PolicyProblem(f"policy is not UTF-8 text: {exc}", str(path))]) from exc
    return parse_policy(text, str(path))


def parse_policy(text: str, file: str = "<policy>", *, base: Path | None = None) -> Policy:
    """Parse and validate policy YAML text; ``file`` is used in error locations.

    ``base`` is the directory imports and key lists are relative to (default: ``file``'s).
    """
    try:
        node = compose(text, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        indentation = any(w in str(exc.problem) for w in ("block end", "indicator"))
        hint = " (check the indentation of this line)" if indentation else ""
        problem = PolicyProblem(
            f"invalid YAML: {exc.problem}{hint}",
            file,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
        raise PolicyError([problem]) from exc
    except yaml.YAMLError as exc:
        raise PolicyError([PolicyProblem(f"invalid YAML: {exc}", file)]) from exc
    loader = Loader(file)
    loader.sources[file] = text
    if node is None:
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
    node, imported = resolve_imports(node, file, loader, base)
    policy: Policy = loader.load(node, Policy)
    if not loader.loaded(policy):
        raise PolicyError(_ordered(loader.problems, file))
    object.__setattr__(policy, "source", file)
    object.__setattr__(policy, "_base", base if base is not None else _directory(file))
    checker = _Checker(policy, loader)
    problems = [*loader.problems, *checker.run()]
    if problems:
        raise PolicyError(_ordered(problems, file))
    files = [file, *imported, *(checker.matcher.files if checker.matcher else ())]
    object.__setattr__(policy, "files", tuple(f for f in files if not _synthetic(f)))
    return policy


def _synthetic(file: str) -> bool:
    return file.startswith("<") and file.endswith(">")


def _directory(file: str) -> Path:
    return Path.cwd() if _synthetic(file) else Path(file).parent


def _ordered(problems: list[PolicyProblem], file: str) -> list[PolicyProblem]:
    """Problems in reading order: the main file first, then by position."""
    return sorted(problems, key=lambda p: (p.file != file, p.file, p.line or 0, p.column or 0))


class _Checker:
    """Checks across fields, run on the policy as loaded (even if parts of it failed)."""

    def __init__(self, policy: Policy, loader: Loader) -> None:
        self.policy = policy
        self.loader = loader
        self.problems: list[PolicyProblem] = []
        self.matcher: TierMatcher | None = None
        self.windows = set(policy.windows)
        self.tier_names = [tier.name for tier in policy.tiers]
        self._names_list: list[str] | None = None

    def broken(self, *prefixes: str) -> bool:
        """Whether a section failed to load (its references would be false alarms)."""
        return any(path.startswith(prefixes) for path in self.loader.failed)

    def problem(
        self,
        message: str,
        path: str | None = None,
        *,
        at: Where | None = None,
        key: bool = False,
        rule: str | None = None,
    ) -> None:
        where = at or (self.loader.locate(path, key=key) if path else None)
        prefix = f"{path}: " if path else ""
        if where is None:
            self.problems.append(PolicyProblem(prefix + message, self.loader.file, rule=rule))
        else:
            self.problems.append(
                PolicyProblem(prefix + message, where.file, where.line, where.column, rule)
            )

    def run(self) -> list[PolicyProblem]:
        policy = self.policy
        self.check_proxies()
        windows_ok = not self.broken("windows")
        budgets = [("budgets", policy.budgets)]
        budgets += [(f"tiers[{i}].budgets", t.budgets) for i, t in enumerate(policy.tiers)]
        if windows_ok:
            for path, budget in budgets:
                self.check_budget_windows(path, budget)
        self.check_scoring("scoring", policy.scoring, windows_ok)
        for i, tier in enumerate(policy.tiers):
            self.check_scoring(f"tiers[{i}].scoring", tier.scoring, windows_ok)
        self.check_tiers()
        conditions_ok = self.check_rules()
        if conditions_ok and not self.problems and not self.loader.problems:
            try:
                self.matcher = TierMatcher(policy, locate=self.loader.locate)
            except PolicyError as exc:
                self.problems.extend(exc.problems)
            else:
                object.__setattr__(policy, "_matcher", self.matcher)
        else:
            self.problems.extend(key_list_problems(policy, self.loader.locate))
        return self.problems

    # Sections ------------------------------------------------------------------------------

    def check_proxies(self) -> None:
        for i, entry in enumerate(self.policy.identity.trusted_proxies):
            if "/" not in entry:
                continue
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                self.problem(
                    f"{entry!r} is not a network such as '10.0.0.0/8' (or an address, or '*')",
                    f"identity.trusted_proxies[{i}]",
                )

    def unknown_window(self, window: str, path: str, *, key: bool) -> None:
        known = ", ".join(sorted(self.windows)) or "none"
        defaults = default_windows()
        if window in defaults and self.policy.windows != defaults:
            known += f"; a 'windows' section replaces the defaults {', '.join(defaults)}"
        self.problem(
            f"unknown window {window!r}{suggest(window, self.windows)}; define it under "
            f"'windows' (known: {known})",
            path,
            key=key,
        )

    def check_budget_windows(self, path: str, budgets: Budgets) -> None:
        for kind in PER_WINDOW:
            for window in getattr(budgets, kind):
                if window not in self.windows:
                    self.unknown_window(window, f"{path}.{kind}.{window}", key=True)
        for kind in ("coverage", "requests"):
            for window in getattr(budgets.campaign, kind):
                if window not in self.windows:
                    self.unknown_window(window, f"{path}.campaign.{kind}.{window}", key=True)

    def check_scoring(
        self, path: str, scoring: ScoringConfig | ScoringOverride, windows_ok: bool
    ) -> None:
        if windows_ok and scoring.window is not None and scoring.window not in self.windows:
            self.unknown_window(scoring.window, f"{path}.window", key=False)
        for name in scoring.weights:
            if name not in SIGNAL_NAMES:
                self.problem(
                    f"unknown signal {name!r}{suggest(name, SIGNAL_NAMES)}; signals: "
                    + ", ".join(SIGNAL_NAMES),
                    f"{path}.weights.{name}",
                    key=True,
                )

    def check_tiers(self) -> None:
        seen: dict[str, int] = {}
        for i, tier in enumerate(self.policy.tiers):
            path = f"tiers[{i}].name"
            if tier.name == DEFAULT_TIER:
                self.problem(
                    "the name 'default' is reserved for requests no tier matches; pick another",
                    path,
                )
            elif tier.name in seen:
                first = self.policy.tiers[seen[tier.name]]
                self.problem(
                    f"duplicate tier name {tier.name!r} (first at {_at(first.file, first.line)}); "
                    "tier names must be unique",
                    path,
                )
            else:
                seen[tier.name] = i

    # Rules ---------------------------------------------------------------------------------

    def names_ok(self) -> bool:
        """Whether every section that defines names loaded (else 'unknown name' may be wrong)."""
        if self.broken("windows", "budgets", "rate_limits", "tiers:", "tiers "):
            return False
        written = sum(1 for path in self.loader.where if _TIER_ITEM.match(path))
        if written != len(self.policy.tiers):
            return False  # a tier was left out: its name, budgets and limits are unknown
        return not any(_TIER_NAMES.match(path) for path in self.loader.failed)

    def check_rules(self) -> bool:
        """Conditions, duplicates and reachability; whether every condition compiled."""
        policy = self.policy
        names = context_names(policy) if self.names_ok() else None
        ok = self.check_rule_list("rules", policy.rules, (), names)
        for i, tier in enumerate(policy.tiers):
            inherited = policy.rules if tier.inherit_rules else []
            ok = self.check_rule_list(f"tiers[{i}].rules", tier.rules, inherited, names) and ok
        return ok

    def check_rule_list(
        self,
        path: str,
        rules: Sequence[Rule],
        inherited: Sequence[Rule],
        names: frozenset[str] | None,
    ) -> bool:
        ok = True
        seen: dict[str, Rule] = {rule.name: rule for rule in reversed(inherited)}
        always: Rule | None = None
        for index, rule in enumerate(rules):
            rule_path = f"{path}[{index}]"
            first = seen.get(rule.name)
            if first is not None:
                own = any(first is r for r in rules)
                origin = "" if own else "the policy's rules, "
                self.problem(
                    f"duplicate rule name {rule.name!r} (first in {origin}"
                    f"{_at(first.file, first.line)}); rule names must be unique",
                    f"{rule_path}.name",
                    rule=rule.name,
                )
            else:
                seen[rule.name] = rule
            if always is not None:
                self.problem(
                    f"unreachable: rule {always.name!r} ({_at(always.file, always.line)}) always "
                    "matches before it; give that rule a condition, or move this one above it",
                    rule_path,
                    rule=rule.name,
                )
            expr = self.check_condition(rule, rule_path, names)
            ok = ok and (rule.when is None or expr is not None)
            holds = rule.when is None or (expr is not None and expr.always())
            if holds and not rule.shadow and always is None:
                always = rule
        return ok

    def check_condition(self, rule: Rule, path: str, names: frozenset[str] | None) -> Expr | None:
        when = rule.when
        if when is None:
            return None
        # Unknown names are reported one by one: each is then allowed, so that the next
        # compilation finds the next one, and every misspelt name is listed in one pass.
        unknown: set[str] = set()
        known = None if names is None else lambda name: name in names or name in unknown
        while True:
            try:
                expr = compile_expr(str(when), names=known)
                break
            except ExprError as exc:
                self.expr_problem(exc, rule, path)
                name = _UNKNOWN.match(exc.message)
                if name is None or names is None or len(unknown) > 20:
                    return None
                unknown.add(name.group(1))
        if isinstance(when, Condition) and names is not None:
            self.check_values(when, path, rule)
        return None if unknown else expr

    def expr_problem(self, exc: ExprError, rule: Rule, path: str) -> None:
        when = rule.when
        message = exc.message
        if found := _UNKNOWN.match(message):
            message = self.unknown_name(found.group(1))
        where: Where | None = None
        exact = False
        if isinstance(when, Condition):
            where, exact = when.locate(exc.offset)
        structured = isinstance(when, Condition) and when.structured
        suffix = "" if exact or structured else f" (at column {exc.column} of the condition)"
        self.problem(f"{message}{suffix}", f"{path}.when", at=where, rule=rule.name)

    def unknown_name(self, name: str) -> str:
        message = f"unknown name {name!r}"
        parts = name.split(".")
        family = [n for n in self.names_list() if n.split(".")[0] == parts[0]]
        if not family and parts[0] not in _FAMILIES:
            family = self.names_list()
        close = difflib.get_close_matches(name, family, n=1)
        if close:
            return f"{message} (did you mean {close[0]!r}?)"
        if parts[0] == "budget" and len(parts) == 3:
            return (
                f"{message}: there is no {parts[1]} budget over {parts[2]!r}; define one "
                f"under budgets.{parts[1]}"
            )
        if parts[0] == "budget" and len(parts) == 4 and parts[1] == "campaign":
            return (
                f"{message}: there is no campaign {parts[2]} budget over {parts[3]!r}; "
                f"define one under budgets.campaign.{parts[2]}"
            )
        if parts[0] == "rate" and len(parts) == 2:
            return (
                f"{message}: there is no rate limit named {parts[1]!r}; define it under rate_limits"
            )
        if parts[0] == "signal":
            return f"{message}: signals are " + ", ".join(SIGNAL_NAMES)
        return f"{message}; see the names in docs/policy.md"

    def names_list(self) -> list[str]:
        if self._names_list is None:
            self._names_list = sorted(context_names(self.policy))
        return self._names_list

    def check_values(self, when: Condition, path: str, rule: Rule) -> None:
        known: dict[str, Iterable[str]] = {
            "tier": [*self.tier_names, DEFAULT_TIER],
            "route": [*BUILTIN_ROUTES, *(f"generic.{r.name}" for r in self.policy.routes.custom)],
            "api": APIS,
        }
        for ref in when.values:
            options = list(known.get(ref.name, ()))
            if options and ref.value not in options:
                self.problem(
                    f"unknown {ref.name} {ref.value!r}{suggest(ref.value, options)}; "
                    f"{ref.name}s: {', '.join(options)}",
                    f"{path}.when",
                    at=ref.where,
                    rule=rule.name,
                )


def _at(file: str | None, line: int | None) -> str:
    return f"{file}:{line}" if file and line else "an earlier entry"
