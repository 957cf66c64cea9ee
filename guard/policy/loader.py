"""Loading policies: from a file, a mapping, or an existing :class:`Policy`.

Every problem is collected and reported at once, each with file:line:column, so an operator
fixes a broken policy in one pass rather than one error per deploy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from guard.errors import PolicyError, PolicyProblem
from guard.policy.context import context_names
from guard.policy.expr import ExprError, compile_expr
from guard.policy.model import Policy
from guard.policy.typed import Loader

__all__ = ["PolicySource", "bundled_policy", "load_policy", "parse_policy"]

PolicySource = str | os.PathLike[str] | Mapping[str, Any] | Policy | None


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

    ``None`` loads the bundled default policy. Raises :class:`PolicyError` listing every
    problem found.
    """
    if isinstance(source, Policy):
        return source
    if source is None:
        source = bundled_policy("default")
    if isinstance(source, Mapping):
        text = yaml.safe_dump(dict(source), sort_keys=False)
        return parse_policy(text, "<mapping>")
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


def parse_policy(text: str, file: str = "<policy>") -> Policy:
    """Parse and validate policy YAML text; ``file`` is used in error locations."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problem = PolicyProblem(
            f"invalid YAML: {exc.problem}",
            file,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
        )
        raise PolicyError([problem]) from exc
    except yaml.YAMLError as exc:
        raise PolicyError([PolicyProblem(f"invalid YAML: {exc}", file)]) from exc
    if node is None:  # an empty file: every default
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
    loader = Loader(file)
    policy = loader.load(node, Policy)
    if loader.problems or not isinstance(policy, Policy):
        raise PolicyError(loader.problems)
    object.__setattr__(policy, "source", file)
    problems = _check(policy, file)
    if problems:
        raise PolicyError(problems)
    return policy


def _check(policy: Policy, file: str) -> list[PolicyProblem]:
    """Checks across fields: references to windows, rule names, conditions, reachability."""
    problems: list[PolicyProblem] = []

    def problem(message: str, line: int | None = None, rule: str | None = None) -> None:
        problems.append(PolicyProblem(message, file, line, None, rule))

    windows = set(policy.windows)
    for kind, window, limit in policy.budgets.items():
        if window not in windows:
            problem(
                f"budgets.{kind}: unknown window {window!r}; define it under 'windows' "
                f"(known: {', '.join(sorted(windows)) or 'none'})"
            )
        if limit < 0:
            problem(f"budgets.{kind}.{window}: a budget cannot be negative")
    if policy.scoring.window not in windows:
        problem(f"scoring.window: unknown window {policy.scoring.window!r}")
    names = context_names(policy)
    seen: dict[str, int | None] = {}
    always: str | None = None
    for rule in policy.rules:
        if rule.name in seen:
            problem(
                f"duplicate rule name {rule.name!r} (first at line {seen[rule.name]})",
                rule.line,
                rule.name,
            )
        seen[rule.name] = rule.line
        if always is not None:
            problem(
                f"unreachable: rule {always!r} before it always matches",
                rule.line,
                rule.name,
            )
        if rule.when is None:
            if not rule.shadow:
                always = always or rule.name
            continue
        try:
            compile_expr(rule.when, names=names)
        except ExprError as exc:
            problem(
                f"when: {exc.message} (at column {exc.column} of the condition)",
                rule.line,
                rule.name,
            )
    return problems
