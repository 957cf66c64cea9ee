from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyError
from guard.models import Action
from guard.policy import bundled_policy, load_policy, parse_policy


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    return [str(p) for p in info.value.problems]


def test_bundled_default_policy_loads() -> None:
    policy = load_policy(None)
    assert policy.source == str(bundled_policy("default"))
    assert policy.mode == "enforce"
    assert {"hour", "day", "week"} <= set(policy.windows)
    assert [r.name for r in policy.rules][:2] == ["rate-limit", "coverage-budget"]
    assert policy.rules[1].then.action is Action.THROTTLE
    assert policy.rules[1].then.retry_after == 900.0


def test_empty_policy_gets_defaults() -> None:
    policy = parse_policy("")
    assert policy.limits.max_body == 10_000_000
    assert policy.rules == []


def test_policy_from_mapping_and_object() -> None:
    policy = load_policy({"mode": "shadow", "limits": {"max_body": "1MiB"}})
    assert policy.mode == "shadow"
    assert policy.limits.max_body == 1024 * 1024
    assert load_policy(policy) is policy


def test_units() -> None:
    policy = parse_policy(
        "windows:\n  day: 24h\n  quarter: 15m\n  fortnight: {seconds: 14d, buckets: 7}\n"
        "rate_limits:\n  requests: 120/min\n  daily: {rate: 5000/day, burst: 50}\n"
    )
    assert policy.windows["quarter"].seconds == 900
    assert policy.windows["fortnight"].seconds == 14 * 86400
    limits = {limit.name: limit for limit in policy.rate_limit_list()}
    assert limits["requests"].limit == 120 and limits["requests"].period == 60
    assert limits["daily"].burst == 50


def test_unknown_key_with_suggestion_and_location() -> None:
    found = problems("version: 1\nratelimits: {}\nidentity:\n  key_header: [x]\n")
    assert found == [
        "p.yaml:2:1: unknown key 'ratelimits' (did you mean 'rate_limits'?)",
        "p.yaml:4:3: identity: unknown key 'key_header' (did you mean 'key_headers'?)",
    ]


def test_all_errors_reported_together() -> None:
    found = problems(
        "mode: enforced\n"
        "fail: sometimes\n"
        "limits: {max_body: 10 parsecs}\n"
        "rules:\n"
        "  - name: a\n"
        "    then: blok\n"
        "  - then: block\n"
    )
    assert len(found) == 5
    assert found[0].startswith("p.yaml:1:7: mode: expected one of 'enforce', 'shadow'")
    assert "(did you mean 'enforce'?)" in found[0]
    assert found[1].startswith("p.yaml:2:7: fail: expected one of 'open', 'closed'")
    assert found[2] == (
        "p.yaml:3:20: limits.max_body: unknown size unit 'parsecs': "
        "use B, KB, MB, GB, KiB, MiB or GiB"
    )
    # Problems inside a rule name the rule.
    assert found[3].startswith(
        "p.yaml:6:11: [rule 'a'] rules[0].then: unknown action 'blok' (did you mean 'block'?)"
    )
    assert found[4] == "p.yaml:7:5: rules[1]: missing required key 'name'"


def test_wrong_types() -> None:
    found = problems("identity:\n  require_key: yes please\nscoring:\n  weights: [1, 2]\n")
    assert found == [
        "p.yaml:2:16: identity.require_key: expected true or false, got 'yes please'",
        "p.yaml:4:12: scoring.weights: expected a mapping, got a list",
    ]


def test_invalid_yaml_has_location() -> None:
    found = problems("rules:\n  - name: a\n   then: block\n")
    assert len(found) == 1 and found[0].startswith("p.yaml:3:")
    assert "invalid YAML" in found[0]


def test_cross_checks() -> None:
    found = problems(
        "budgets:\n  coverage: {fortnight: 10}\n"
        "rules:\n"
        "  - {name: everything, then: log}\n"
        "  - {name: x, when: 'scroe > 0.5', then: block}\n"
        "  - {name: x, when: 'score > 0.5', then: block}\n"
    )
    # Sorted by position; cross-field problems are located too.
    assert found[0].startswith(
        "p.yaml:2:14: budgets.coverage.fortnight: unknown window 'fortnight'"
    )
    assert found[1].startswith(
        "p.yaml:5:5: [rule 'x'] rules[1]: unreachable: rule 'everything' (p.yaml:4) always "
        "matches before it"
    )
    assert found[2] == (
        "p.yaml:5:22: [rule 'x'] rules[1].when: unknown name 'scroe' (did you mean 'score'?)"
    )
    assert found[3].startswith("p.yaml:6:5: [rule 'x'] rules[2]: unreachable")
    assert "duplicate rule name 'x' (first in p.yaml:5)" in found[4]


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00rules")
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_policy(binary)


def test_hash_is_of_the_content_not_the_text() -> None:
    a = parse_policy("mode: shadow\nrules: [{name: a, when: score > 0.5, then: log}]\n")
    b = parse_policy(
        "# a comment\nrules:\n  - then: log\n    name: a\n    when: 'score > 0.5'\nmode: shadow\n"
    )
    c = parse_policy("mode: shadow\nrules: [{name: a, when: score > 0.6, then: log}]\n")
    assert a.hash == b.hash != c.hash
    assert len(a.digest) == 64 and a.digest.startswith(a.hash)


def test_every_section_of_the_language() -> None:
    policy = load_policy(Path(__file__).parent / "valid" / "everything.yaml")
    assert (policy.mode, policy.fail, policy.imports) == ("shadow", "closed", ["shared/base.yaml"])
    assert policy.audit.path == "audit.jsonl"
    assert policy.audit.all_requests and policy.audit.include_prompt
    assert [t.name for t in policy.tiers] == ["partners", "evals", "anonymous"]
    assert policy.tiers[1].matches[0].headers == {"x-org": ["evals", "bench"], "x-run": "*"}
    assert policy.tiers[1].rate_limits["spike"] is None
    assert policy.budgets.campaign_items() == [
        ("coverage", "day", 5000),
        ("requests", "day", 100000),
    ]
    actions = [r.then.action.value for r in policy.rules]
    assert actions == [
        "throttle",
        "decoy",
        "log",
        "decoy",
        "throttle",
        "cap",
        "perturb",
        "watermark",
        "tarpit",
        "throttle",
        "block",
    ]
    assert policy.rules[-1].shadow
    assert policy.tier("evals").budgets.campaign_items() == [("requests", "day", 100000)]
    assert policy.tier("evals").scoring.window == "week"
