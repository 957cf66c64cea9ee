from __future__ import annotations

from pathlib import Path

import pytest

from guard.errors import PolicyError
from guard.policy import load_policy
from guard.signals.weights import DEFAULT_BIAS

BASE = """
mode: shadow
windows: {hour: 1h, day: 24h}
rate_limits: {requests: 100/min, tokens: 10/s}
budgets:
  coverage: {hour: 100, day: 800}
  campaign: {coverage: {day: 5000}}
scoring: {bias: -5, weights: {coverage: 3}}
tiers:
  - {name: partners, match: {has_key: true, headers: {x-org: p}}}
  - {name: anonymous, match: {has_key: false}}
rules:
  - {name: rate-limit, when: rate.requests, then: throttle}
  - {name: harvester, when: score >= 0.9, then: block}
  - {name: watch, when: score >= 0.6, then: log}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_importing_file_is_written_over_its_imports(tmp_path: Path) -> None:
    write(tmp_path, "shared/base.yaml", BASE)
    main = write(
        tmp_path,
        "main.yaml",
        "import: [shared/base.yaml]\n"
        "mode: enforce\n"
        "windows: {week: 7d}\n"
        "rate_limits: {requests: 50/min}\n"
        "budgets: {coverage: {day: 400}, requests: {day: 1000}}\n"
        "scoring: {weights: {novelty: 2}}\n"
        "tiers:\n"
        "  - {name: anonymous, match: {ips: [10.0.0.0/8]}}\n"
        "  - {name: free, match: {headers: {x-plan: free}}}\n"
        "rules:\n"
        "  - {name: first, when: score > 0.99, then: block}\n"
        "  - {name: harvester, when: score >= 0.8, then: tarpit}\n",
    )
    policy = load_policy(main)
    assert policy.mode == "enforce"
    assert list(policy.windows) == ["hour", "day", "week"]
    assert {n: c.rate for n, c in policy.rate_limits.items()} == {
        "requests": "50/min",
        "tokens": "10/s",
    }
    assert policy.budgets.items() == [
        ("coverage", "hour", 100),
        ("coverage", "day", 400),
        ("requests", "day", 1000),
    ]
    assert policy.budgets.campaign_items() == [("coverage", "day", 5000)]
    # Sections other than windows, rate limits, budgets, tiers and rules: replaced whole.
    assert policy.scoring.weights == {"novelty": 2} and policy.scoring.bias == DEFAULT_BIAS
    # Tiers and rules: imported order; same name replaced in place; new names after.
    assert [t.name for t in policy.tiers] == ["partners", "anonymous", "free"]
    assert policy.tiers[1].matches[0].ips == ["10.0.0.0/8"]
    assert [r.name for r in policy.rules] == ["rate-limit", "harvester", "watch", "first"]
    assert policy.rules[1].then.action.value == "tarpit"
    assert policy.rules[1].file == str(main)
    assert policy.rules[0].file == str(tmp_path / "shared/base.yaml")
    assert policy.files == (str(main), str(tmp_path / "shared/base.yaml"))


def test_imports_chain_and_later_imports_win(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        "import: [sub/b.yaml]\nfail: closed\nrules: [{name: a, when: n > 1, then: log}]\n",
    )
    write(tmp_path, "sub/b.yaml", "mode: shadow\nrules: [{name: b, when: n > 2, then: log}]\n")
    write(tmp_path, "c.yaml", "fail: open\nrules: [{name: c, when: n > 3, then: log}]\n")
    main = write(tmp_path, "main.yaml", "import: [a.yaml, c.yaml]\n")
    policy = load_policy(main)
    assert (policy.mode, policy.fail) == ("shadow", "open")
    assert [r.name for r in policy.rules] == ["b", "a", "c"]


def test_problems_in_imported_files_are_located_there(tmp_path: Path) -> None:
    write(tmp_path, "shared.yaml", "rules:\n  - name: x\n    when: scroe > 1\n    then: log\n")
    main = write(tmp_path, "main.yaml", "import: [shared.yaml]\nmodee: shadow\n")
    with pytest.raises(PolicyError) as info:
        load_policy(main)
    assert [str(p) for p in info.value.problems] == [
        f"{main}:2:1: unknown key 'modee' (did you mean 'mode'?)",
        f"{tmp_path / 'shared.yaml'}:3:11: [rule 'x'] rules[0].when: unknown name 'scroe' "
        "(did you mean 'score'?)",
    ]


def test_invalid_yaml_in_an_import(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "rules: [\n")
    main = write(tmp_path, "main.yaml", "import: [bad.yaml]\n")
    with pytest.raises(PolicyError) as info:
        load_policy(main)
    (problem,) = info.value.problems
    assert problem.file == str(tmp_path / "bad.yaml") and "invalid YAML" in problem.message


def test_self_import_is_a_cycle(tmp_path: Path) -> None:
    main = write(tmp_path, "main.yaml", "import: [main.yaml]\n")
    with pytest.raises(PolicyError, match=r"import cycle: .*main\.yaml -> .*main\.yaml"):
        load_policy(main)


def test_import_from_a_mapping_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "base.yaml", BASE)
    monkeypatch.chdir(tmp_path)
    policy = load_policy({"import": ["base.yaml"], "mode": "enforce"})
    assert policy.mode == "enforce" and len(policy.rules) == 3
