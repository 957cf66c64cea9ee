"""Every kind of policy error, one fixture each, with the exact messages an operator sees.

The fixtures are under tests/policy/invalid/; each message is ``file:line:column: [rule]
path: problem and fix``. Valid fixtures and the shipped policies must load.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guard.errors import PolicyError
from guard.policy import bundled_policy, load_policy
from guard.signals import SIGNAL_NAMES

HERE = Path(__file__).parent
INVALID = HERE / "invalid"
VALID = HERE / "valid"
POLICIES = HERE.parent.parent / "policies"

EXPECTED: list[tuple[str, list[str]]] = [
    (
        "action_parameter.yaml",
        [
            (
                "action_parameter.yaml:5:30: [rule 'slow'] rules[0].then: 'delay' is not a "
                "parameter of throttle (parameters: retry_after, message, rate, min_rate, "
                "burst, from_score)"
            ),
            (
                "action_parameter.yaml:8:28: [rule 'slower'] rules[1].then: 'dealy' is not a "
                "parameter of tarpit (did you mean 'delay'? parameters: delay, jitter, "
                "stream_delay)"
            ),
            (
                "action_parameter.yaml:11:27: [rule 'fine'] rules[2].then: 'message' is not a "
                "parameter of allow (allow takes no parameters)"
            ),
        ],
    ),
    (
        "action_values.yaml",
        [
            (
                "action_values.yaml:5:36: [rule 'a'] rules[0].then.jitter: expected a number "
                "between 0 and 1, got 1.5"
            ),
            (
                "action_values.yaml:8:27: [rule 'b'] rules[1].then.status: status must be an "
                "HTTP error (400-599), got 200"
            ),
            (
                "action_values.yaml:11:48: [rule 'c'] rules[2].then.upstream: upstream is "
                "only used by strategy 'downgrade', not 'synthetic'"
            ),
            (
                "action_values.yaml:14:43: [rule 'd'] rules[3].then.strip[1]: expected one of "
                "'logprobs', 'logit_bias', 'n'"
            ),
            (
                "action_values.yaml:17:29: [rule 'e'] rules[4].then.numbers: perturb alters "
                "nothing: enable numbers, steps, final, code or claims"
            ),
        ],
    ),
    (
        "adaptive_throttle.yaml",
        [
            (
                "adaptive_throttle.yaml:5:43: [rule 'a'] rules[0].then.min_rate: min_rate "
                "60/min is faster than rate 2/min (1/s > 2/min): the rate falls from `rate` "
                "to `min_rate` as suspicion rises; swap them"
            ),
            (
                "adaptive_throttle.yaml:8:30: [rule 'b'] rules[1].then.min_rate: min_rate "
                "needs a rate: add 'rate: <count>/<period>'"
            ),
            (
                "adaptive_throttle.yaml:11:44: [rule 'c'] rules[2].then.retry_after: "
                "retry_after cannot be combined with rate: a rate-limited refusal's "
                "Retry-After is the wait the rate gives; remove one of them"
            ),
            (
                "adaptive_throttle.yaml:14:36: [rule 'd'] rules[3].then.rate: unknown "
                "duration unit 'minute': use ms, s, m, h, d or w"
            ),
        ],
    ),
    (
        "bad_key_list.yaml",
        [
            (
                "keys/bad.keys:3:3: 'sk-live-oops' is not a key id: tiers name keys by their "
                "id ('k_' and 32 hex digits), never by the raw key; 'guard explain --key "
                "<key>' prints a key's id"
            ),
        ],
    ),
    (
        "bad_networks.yaml",
        [
            (
                "bad_networks.yaml:3:21: identity.trusted_proxies[0]: '10.0.0.0/33' is not a "
                "network such as '10.0.0.0/8' (or an address, or '*')"
            ),
            (
                "bad_networks.yaml:7:13: tiers[0].match.ips[0]: '10.1.2.3/8' has host bits "
                "set (did you mean '10.0.0.0/8'?)"
            ),
            (
                "bad_networks.yaml:7:41: tiers[0].match.ips[2]: 'nonsense' is not an IP "
                "address or network such as '10.0.0.0/8' or '2001:db8::/32' ('nonsense' does "
                "not appear to be an IPv4 or IPv6 network)"
            ),
        ],
    ),
    (
        "buckets_too_small.yaml",
        [
            (
                "buckets_too_small.yaml:3:25: windows.minute.buckets: 64 buckets of a 60s "
                "window would each be shorter than 1s: use at most 60"
            ),
            (
                "buckets_too_small.yaml:4:23: windows.hour.buckets: buckets must be between 1 "
                "and 64, got 100"
            ),
        ],
    ),
    (
        "budget_zero.yaml",
        [
            (
                "budget_zero.yaml:3:19: budgets.coverage.day: a budget must be at least 1, "
                "got 0 (to have no budget, leave the window out; in a tier, null removes an "
                "inherited one)"
            ),
        ],
    ),
    (
        "duplicate_key.yaml",
        [
            "duplicate_key.yaml:3:1: duplicate key 'mode'",
        ],
    ),
    (
        "duplicate_rule.yaml",
        [
            (
                "duplicate_rule.yaml:6:15: [rule 'harvester'] tiers[0].rules[0].name: "
                "duplicate rule name 'harvester' (first in the policy's rules, "
                "duplicate_rule.yaml:10); rule names must be unique"
            ),
            (
                "duplicate_rule.yaml:13:11: [rule 'harvester'] rules[1].name: duplicate rule "
                "name 'harvester' (first in duplicate_rule.yaml:10); rule names must be "
                "unique"
            ),
        ],
    ),
    (
        "duplicate_tier.yaml",
        [
            (
                "duplicate_tier.yaml:5:11: tiers[1].name: duplicate tier name 'free' (first "
                "at duplicate_tier.yaml:3); tier names must be unique"
            ),
            (
                "duplicate_tier.yaml:7:11: tiers[2].name: the name 'default' is reserved for "
                "requests no tier matches; pick another"
            ),
        ],
    ),
    (
        "empty_match.yaml",
        [
            (
                "empty_match.yaml:4:12: tiers[0].match: an empty match would take every "
                "request: give at least one of key_ids, key_id_prefix, key_list, ips, "
                "headers, has_key"
            ),
        ],
    ),
    (
        "expr_syntax.yaml",
        [
            (
                "expr_syntax.yaml:4:24: [rule 'harvester'] rules[0].when: unexpected '&&' "
                "(use 'and')"
            ),
        ],
    ),
    (
        "import_cycle.yaml",
        [
            (
                "shared/cycle_b.yaml:2:10: import: import cycle: import_cycle.yaml -> "
                "shared/cycle_b.yaml -> import_cycle.yaml; remove one of these imports"
            ),
        ],
    ),
    (
        "import_missing.yaml",
        [
            (
                "import_missing.yaml:2:10: import: cannot import 'shared/nowhere.yaml': No "
                "such file or directory (looked for shared/nowhere.yaml; import paths are "
                "relative to the importing file)"
            ),
        ],
    ),
    (
        "import_problem.yaml",
        [
            (
                "shared/broken.yaml:4:11: [rule 'broken'] rules[0].when: unknown name 'scroe' "
                "(did you mean 'score'?)"
            ),
        ],
    ),
    (
        "invalid_yaml.yaml",
        [
            # {yaml}: the parser's own words (libyaml's and PyYAML's differ)
            "invalid_yaml.yaml:4:4: invalid YAML: {yaml} (check the indentation of this line)",
        ],
    ),
    (
        "missing_key_list.yaml",
        [
            (
                "missing_key_list.yaml:5:17: tiers[0].match.key_list: cannot read key list "
                "'keys/missing.keys': No such file or directory (looked for "
                "keys/missing.keys); create it (one key id per line) or fix the path, which "
                "is relative to the policy file"
            ),
        ],
    ),
    (
        "missing_name.yaml",
        [
            "missing_name.yaml:3:5: rules[0]: missing required key 'name'",
        ],
    ),
    (
        "raw_key.yaml",
        [
            (
                "raw_key.yaml:5:17: tiers[0].match.key_ids[0]: 'sk-live-1234567890abcdef' is "
                "not a key id: tiers name keys by their id ('k_' and 32 hex digits), never by "
                "the raw key; 'guard explain --key <key>' prints a key's id"
            ),
        ],
    ),
    (
        "structured_condition.yaml",
        [
            (
                "structured_condition.yaml:5:14: [rule 'a'] rules[0].when.score: expected a "
                "comparison such as '>= 0.9', a list of values or a value (to combine "
                "conditions, use all/any/not)"
            ),
            (
                "structured_condition.yaml:9:12: [rule 'b'] rules[1].when.any: expected a "
                "list of conditions, got an empty list"
            ),
            (
                "structured_condition.yaml:12:11: [rule 'c'] rules[2].when: expected an "
                "expression or a mapping of conditions, got a list (to require all of them, "
                "write 'all: [...]'; one of them: 'any: [...]')"
            ),
            (
                "structured_condition.yaml:16:14: [rule 'd'] rules[3].when.model: '= gpt-4': "
                "use '==' to compare for equality"
            ),
        ],
    ),
    (
        "unknown_action.yaml",
        [
            (
                "unknown_action.yaml:5:11: [rule 'a'] rules[0].then: unknown action 'blok' "
                "(did you mean 'block'?): use one of allow, log, throttle, tarpit, block, "
                "cap, decoy, perturb, watermark"
            ),
            (
                "unknown_action.yaml:8:20: [rule 'b'] rules[1].then.action: unknown action "
                "'tarpitt' (did you mean 'tarpit'?): use one of allow, log, throttle, tarpit, "
                "block, cap, decoy, perturb, watermark"
            ),
        ],
    ),
    (
        "unknown_key.yaml",
        [
            "unknown_key.yaml:2:1: unknown key 'ratelimits' (did you mean 'rate_limits'?)",
            (
                "unknown_key.yaml:5:3: identity: unknown key 'key_header' (did you mean "
                "'key_headers'?)"
            ),
        ],
    ),
    (
        "unknown_name.yaml",
        [
            (
                "unknown_name.yaml:4:11: [rule 'harvester'] rules[0].when: unknown name "
                "'scroe' (did you mean 'score'?)"
            ),
            (
                "unknown_name.yaml:4:28: [rule 'harvester'] rules[0].when: unknown name "
                "'budget.coverage.dya': there is no coverage budget over 'dya'; define one "
                "under budgets.coverage"
            ),
        ],
    ),
    (
        "unknown_name_structured.yaml",
        [
            (
                "unknown_name_structured.yaml:5:7: [rule 'harvester'] rules[0].when: unknown "
                "name 'scroe' (did you mean 'score'?)"
            ),
            (
                "unknown_name_structured.yaml:7:11: [rule 'harvester'] rules[0].when: unknown "
                "name 'signal.novelti' (did you mean 'signal.novelty'?)"
            ),
            (
                "unknown_name_structured.yaml:8:11: [rule 'harvester'] rules[0].when: unknown "
                "name 'rate.request': there is no rate limit named 'request'; define it under "
                "rate_limits"
            ),
        ],
    ),
    (
        "unknown_signal.yaml",
        [
            (
                "unknown_signal.yaml:5:5: scoring.weights.novelti: unknown signal 'novelti' "
                "(did you mean 'novelty'?); signals: {signals}"
            ),
            (
                "unknown_signal.yaml:10:17: tiers[0].scoring.weights.elicitaton: unknown "
                "signal 'elicitaton' (did you mean 'elicitation'?); signals: {signals}"
            ),
        ],
    ),
    (
        "unknown_value.yaml",
        [
            (
                "unknown_value.yaml:8:13: [rule 'free-only'] rules[0].when: unknown tier "
                "'partnrs' (did you mean 'partners'?); tiers: partners, default"
            ),
            (
                "unknown_value.yaml:9:14: [rule 'free-only'] rules[0].when: unknown route "
                "'anthropic.mesages' (did you mean 'anthropic.messages'?); routes: "
                "openai.chat, openai.completions, openai.responses, anthropic.messages"
            ),
            (
                "unknown_value.yaml:10:12: [rule 'free-only'] rules[0].when: unknown api "
                "'openia' (did you mean 'openai'?); apis: openai, anthropic, generic"
            ),
        ],
    ),
    (
        "unknown_window.yaml",
        [
            (
                "unknown_window.yaml:6:25: budgets.coverage.dya: unknown window 'dya'; define "
                "it under 'windows' (known: hour, minute)"
            ),
            (
                "unknown_window.yaml:8:16: budgets.campaign.coverage.week: unknown window "
                "'week'; define it under 'windows' (known: hour, minute; a 'windows' section "
                "replaces the defaults hour, day, week)"
            ),
            (
                "unknown_window.yaml:10:11: scoring.window: unknown window 'day'; define it "
                "under 'windows' (known: hour, minute; a 'windows' section replaces the "
                "defaults hour, day, week)"
            ),
        ],
    ),
    (
        "unreachable_constant.yaml",
        [
            (
                "unreachable_constant.yaml:6:5: [rule 'harvester'] rules[1]: unreachable: "
                "rule 'always' (unreachable_constant.yaml:3) always matches before it; give "
                "that rule a condition, or move this one above it"
            ),
        ],
    ),
    (
        "unreachable_in_tier.yaml",
        [
            (
                "unreachable_in_tier.yaml:8:9: [rule 'partner-watch'] tiers[0].rules[1]: "
                "unreachable: rule 'partner' (unreachable_in_tier.yaml:6) always matches "
                "before it; give that rule a condition, or move this one above it"
            ),
        ],
    ),
    (
        "unreachable_rule.yaml",
        [
            (
                "unreachable_rule.yaml:5:5: [rule 'harvester'] rules[1]: unreachable: rule "
                "'everything' (unreachable_rule.yaml:3) always matches before it; give that "
                "rule a condition, or move this one above it"
            ),
        ],
    ),
    (
        "window_too_short.yaml",
        [
            (
                "window_too_short.yaml:3:10: windows.blink: a window must be at least 1s "
                "long, got 0.5s"
            ),
        ],
    ),
    (
        "wrong_type.yaml",
        [
            (
                "wrong_type.yaml:3:16: identity.require_key: expected true or false, got 'yes "
                "please'"
            ),
            "wrong_type.yaml:5:12: scoring.weights: expected a mapping, got a list",
            "wrong_type.yaml:6:17: scoring.min_requests: expected an integer, got 'many'",
        ],
    ),
]


def test_every_invalid_fixture_is_in_the_table() -> None:
    assert sorted(name for name, _ in EXPECTED) == sorted(p.name for p in INVALID.glob("*.yaml"))


@pytest.mark.parametrize(("fixture", "expected"), EXPECTED, ids=[n for n, _ in EXPECTED])
def test_invalid_fixture(fixture: str, expected: list[str]) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(INVALID / fixture)
    found = [str(p).replace(f"{INVALID}/", "") for p in info.value.problems]
    found = [re.sub(r"invalid YAML: .* \(check", "invalid YAML: {yaml} (check", f) for f in found]
    signals = ", ".join(SIGNAL_NAMES)
    assert found == [message.replace("{signals}", signals) for message in expected]


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_fixture_loads(path: Path) -> None:
    policy = load_policy(path)
    assert policy.source == str(path)
    assert len(policy.hash) == 12


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_policy_loads_and_names_the_schema(path: Path) -> None:
    policy = load_policy(path)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../guard/policy/schema.json"
    assert (path.parent / "../guard/policy/schema.json").resolve().is_file()
    assert policy.rule_count > 0
    assert bundled_policy(path.stem) == path.resolve()


def test_default_policy_keeps_its_behaviour() -> None:
    policy = load_policy(POLICIES / "default.yaml")
    assert (policy.mode, policy.fail, policy.tiers) == ("enforce", "open", [])
    assert [(r.name, str(r.when), r.then.action.value) for r in policy.rules] == [
        ("rate-limit", "rate.requests", "throttle"),
        (
            "coverage-budget",
            "(budget.coverage.hour > 1 or budget.coverage.day > 1 or budget.coverage.week > 1)"
            " and signal.short_answers < 0.5 and score >= 0.6",
            "throttle",
        ),
        (
            "campaign",
            "signal.campaign >= 0.4 and signal.payload < 0.5 and signal.short_answers < 0.5",
            "perturb",
        ),
        ("harvester", "score >= 0.9", "perturb"),
        ("watch", "score >= 0.6", "watermark"),
    ]
    assert (policy.scoring.suspect_at, policy.scoring.suspect_after) == (0.92, 6)
    assert policy.budgets.items() == [
        ("coverage", "hour", 150),
        ("coverage", "day", 800),
        ("coverage", "week", 3000),
    ]
    assert [(r.name, r.limit, r.period, r.burst) for r in policy.rate_limit_list()] == [
        ("requests", 600.0, 60.0, 100)
    ]
    # The weights are fitted (benchmarks/fit.py): check their shape, not their values.
    from guard.signals import SIGNAL_NAMES

    assert set(policy.scoring.weights) == set(SIGNAL_NAMES)
    assert policy.scoring.bias < 0
    assert policy.scoring.weights["payload"] < 0 < policy.scoring.weights["recent_novelty"]
    assert list(policy.windows) == ["hour", "day", "week"]
    assert policy.audit.path is None
