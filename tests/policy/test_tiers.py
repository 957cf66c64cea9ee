from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyError
from guard.models import Action, Identity
from guard.policy import Policy, load_policy, parse_policy
from guard.policy.tiers import DEFAULT_TIER, TierMatcher

PARTNER = "k_" + "1" * 32
OTHER = "k_" + "9" * 32

TIERS = f"""
windows: {{hour: 1h, day: 24h}}
budgets: {{coverage: {{hour: 100, day: 800}}, requests: {{day: 5000}}}}
rate_limits: {{requests: 600/min, tokens: 100/s}}
scoring: {{bias: -7, weights: {{coverage: 4, novelty: 5}}}}
tiers:
  - name: partners
    match: [{{key_ids: [{PARTNER}]}}, {{key_id_prefix: [k_aaaa, k_bbbb]}}]
    rules: [{{name: partner, then: allow}}]
  - name: office
    match: {{ips: [10.0.0.0/8, "2001:db8::/32", 192.0.2.7]}}
    budgets: {{coverage: {{day: 20000, hour: null}}}}
    rate_limits: {{requests: 3000/min, tokens: null}}
    scoring: {{bias: -9, weights: {{novelty: 0}}}}
  - name: evals
    match: {{has_key: true, headers: {{x-org: [evals, bench], x-run: "*"}}}}
    inherit_rules: false
    rules: [{{name: eval-log, when: score > 0.5, then: log}}]
  - name: anonymous
    match: {{has_key: false}}
rules:
  - {{name: harvester, when: score >= 0.9, then: block}}
"""


def who(key_id: str = OTHER, ip: str = "203.0.113.9", has_key: bool = True) -> Identity:
    return Identity(key_id if has_key else f"ip:{ip}", has_key, ip, "client")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return parse_policy(TIERS, "tiers.yaml")


@pytest.mark.parametrize(
    ("identity", "headers", "tier"),
    [
        (who(PARTNER), [], "partners"),
        (who("k_aaaa" + "0" * 28), [], "partners"),
        (who("k_bbbb" + "0" * 28, ip="10.1.1.1"), [], "partners"),  # first match wins
        (who(ip="10.200.3.4"), [], "office"),
        (who(ip="2001:db8:1::5"), [], "office"),
        (who(ip="192.0.2.7"), [], "office"),
        (who(ip="192.0.2.8"), [], DEFAULT_TIER),
        (who(ip="not-an-ip"), [], DEFAULT_TIER),
        (who(), [(b"x-org", b"evals"), (b"x-run", b"r-17")], "evals"),
        (who(), [(b"x-run", b"anything"), (b"x-org", b" bench ")], "evals"),
        (who(), [(b"x-org", b"evals")], DEFAULT_TIER),  # x-run missing
        (who(), [(b"x-org", b"marketing"), (b"x-run", b"1")], DEFAULT_TIER),
        (who(has_key=False), [(b"x-org", b"evals"), (b"x-run", b"1")], "anonymous"),
        (who(), [], DEFAULT_TIER),
    ],
)
def test_a_request_belongs_to_the_first_matching_tier(
    policy: Policy, identity: Identity, headers: list[tuple[bytes, bytes]], tier: str
) -> None:
    assert policy.tier_for(identity, headers).name == tier


def test_tier_overrides_budgets_rate_limits_scoring_and_rules(policy: Policy) -> None:
    office = policy.tier("office")
    assert office.budgets.items() == [("coverage", "day", 20000), ("requests", "day", 5000)]
    assert [(r.name, r.limit, r.period) for r in office.rate_limit_list()] == [
        ("requests", 3000.0, 60.0)
    ]
    assert office.scoring.bias == -9
    assert office.scoring.weights == {"coverage": 4, "novelty": 0}
    assert office.sketch_spec() == policy.sketch_spec()
    assert [r.name for r in office.rules] == ["harvester"] and office.own_rules == 0

    partners = policy.tier("partners")
    assert [r.name for r in partners.rules] == ["partner", "harvester"]
    assert partners.own_rules == 1
    assert partners.rate_limit_list() == policy.rate_limit_list()

    evals = policy.tier("evals")
    assert [r.name for r in evals.rules] == ["eval-log"]

    default = policy.tier(DEFAULT_TIER)
    assert default.budgets == policy.budgets and default.scoring == policy.scoring


def test_each_tier_decides_with_its_own_rules(policy: Policy) -> None:
    ctx = {"score": 0.95}
    partners = policy.tier("partners").decider.decide(ctx)
    assert partners.decision.action is Action.ALLOW and partners.decision.rule == "partner"
    assert partners.tier == "partners"
    evals = policy.tier("evals").decider.decide(ctx)
    assert evals.decision.action is Action.LOG and evals.decision.rule == "eval-log"
    default = policy.tier(DEFAULT_TIER).decider.decide(ctx)
    assert default.decision.action is Action.BLOCK and default.tier == DEFAULT_TIER
    assert default.rule is not None and default.then is default.rule.then


def test_explain_lists_the_tiers_tried(policy: Policy) -> None:
    checks = policy.matcher.explain(who(ip="10.0.0.1"), [])
    assert [(c.tier, c.matched) for c in checks] == [("partners", False), ("office", True)]
    assert checks[1].reasons == ("ip 10.0.0.1 in ips: yes",)
    last = policy.matcher.explain(who(), [(b"x-org", b"evals")])[-1]
    assert (last.tier, last.matched) == (DEFAULT_TIER, True)


def test_key_list_file(tmp_path: Path) -> None:
    keys = tmp_path / "lists" / "partners.keys"
    keys.parent.mkdir()
    keys.write_text(f"# partners\n{PARTNER}   # acme\n\n  k_{'3' * 32}\n")
    path = tmp_path / "policy.yaml"
    path.write_text("tiers:\n  - name: partners\n    match: {key_list: lists/partners.keys}\n")
    policy = load_policy(path)
    assert policy.tier_for(who(PARTNER), []).name == "partners"
    assert policy.tier_for(who("k_" + "3" * 32), []).name == "partners"
    assert policy.tier_for(who(), []).name == DEFAULT_TIER
    assert str(keys) in policy.files
    # The key list is part of the policy's content, hence of its hash.
    before = policy.hash
    keys.write_text(f"{PARTNER}\n")
    assert load_policy(path).hash != before


def test_a_key_list_that_disappears_fails_the_next_build(tmp_path: Path) -> None:
    keys = tmp_path / "p.keys"
    keys.write_text(PARTNER + "\n")
    (tmp_path / "policy.yaml").write_text("tiers: [{name: p, match: {key_list: p.keys}}]")
    policy = load_policy(tmp_path / "policy.yaml")
    keys.unlink()
    with pytest.raises(PolicyError, match=r"cannot read key list 'p\.keys'"):
        TierMatcher(policy)
    assert policy.tier_for(who(PARTNER), []).name == "p"  # the loaded policy keeps its ids


def test_no_tiers_means_default() -> None:
    policy = parse_policy("rules: [{name: a, when: score > 0.5, then: log}]")
    tier = policy.tier_for(who(), [])
    assert tier.name == DEFAULT_TIER and [r.name for r in tier.rules] == ["a"]
    assert list(policy.matcher) == [tier]
