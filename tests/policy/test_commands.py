"""``guard check``, ``guard schema`` and ``guard explain``, run through their own parsers."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from guard.commands import check, explain, schema
from guard.errors import BadRequest, PolicyError
from guard.identity import Identifier
from guard.policy import load_policy
from guard.policy.reference import SCHEMA_PATH
from guard.signals import SIGNAL_NAMES

ROOT = Path(__file__).parent.parent.parent
POLICIES = ROOT / "policies"
INVALID = Path(__file__).parent / "invalid"
BODY = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Explain step by step how a transistor works."}],
}


def guard(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="guard")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in (check, schema, explain):
        command.register(subparsers)
    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


def write_json(path: Path, data: object) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_check_valid_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(str(p) for p in POLICIES.glob("*.yaml"))
    assert guard("check", *files) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(files)
    for file, line in zip(files, lines, strict=True):
        policy = load_policy(file)
        assert line == (
            f"{file}: ok ({policy.rule_count} rule{'s' * (policy.rule_count != 1)}, "
            f"{len(policy.tiers)} tier{'s' * (len(policy.tiers) != 1)}, hash {policy.hash})"
        )
        assert re.fullmatch(r"[0-9a-f]{12}", policy.hash)


def test_check_reports_every_problem(capsys: pytest.CaptureFixture[str]) -> None:
    good = str(POLICIES / "default.yaml")
    bad = str(INVALID / "unknown_key.yaml")
    assert guard("check", bad, good) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{bad}: 2 problems"
    assert out[1] == f"  {bad}:2:1: unknown key 'ratelimits' (did you mean 'rate_limits'?)"
    assert out[2].startswith(f"  {bad}:5:3: identity: unknown key 'key_header'")
    assert out[3].startswith(f"{good}: ok (5 rules, 0 tiers, hash ")
    assert guard("check", str(INVALID / "missing.yaml")) == 1
    assert "cannot read policy" in capsys.readouterr().out


def test_schema_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert guard("schema") == 0
    assert capsys.readouterr().out == SCHEMA_PATH.read_text(encoding="utf-8")
    out = tmp_path / "schema.json"
    assert guard("schema", "--output", str(out)) == 0
    assert out.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


def test_explain_default_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_json(tmp_path / "request.json", BODY)
    state = write_json(
        tmp_path / "state.json",
        {"windows": {"day": {"coverage": 900, "requests": 1200}}, "score": 0.95},
    )
    assert guard("explain", "--request", request, "--key-state", state) == 0
    out = capsys.readouterr().out
    assert "tier      default" in out
    assert "score     0.9500" in out
    assert "  1. rate-limit: no\n       rate.requests" in out
    assert "  2. coverage-budget: DECIDES -> throttle" in out
    assert "       budget.coverage.day > 1" in out and "true" in out
    assert "       where budget.coverage.day = 1.125" in out
    assert "  3. campaign: not reached" in out
    assert "  4. harvester: not reached (would match)" in out
    assert "decision  throttle by rule 'coverage-budget' {\"retry_after\": 900.0}" in out


def test_explain_reads_suspect_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_json(tmp_path / "request.json", BODY)
    state = write_json(
        tmp_path / "state.json", {"windows": {"day": {"requests": 40, "suspect": 12}}}
    )
    assert guard("explain", "--request", request, "--key-state", state) == 0
    out = capsys.readouterr().out
    # Suspect on 12 requests today: the score is held at scoring.suspect_at, and the
    # harvester rule (score >= 0.9) decides.
    assert "score     0.9200" in out
    assert (
        "  persistent   holds the score: 12 of the key's requests in the last day scored 0.92"
        in out
    )
    assert "  4. harvester: DECIDES -> perturb" in out
    # Signal values set by the file are scored the same way.
    state = write_json(
        tmp_path / "state.json",
        {"windows": {"day": {"requests": 40, "suspect": 12}}, "signals": {"payload": 1.0}},
    )
    assert guard("explain", "--request", request, "--key-state", state) == 0
    assert "score     0.9200" in capsys.readouterr().out


def test_explain_tiers_and_adaptive_throttle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = write_json(tmp_path / "request.json", BODY)
    state = write_json(tmp_path / "state.json", {"score": 0.8})
    policy = str(POLICIES / "tiers.yaml")
    argv = ["explain", "--policy", policy, "--request", request, "--key-state", state]
    assert guard(*argv, "--key", "sk-free", "--header", "x-plan: free", "--secret", "s") == 0
    out = capsys.readouterr().out
    key_id = Identifier(b"s").key_id("sk-free")
    assert f"caller    key {key_id}, ip 127.0.0.1" in out
    assert "tier      free (free plan (header set by the gateway))" in out
    assert "  partners      no   key id" in out
    assert (
        "  free          yes  has_key is true, wanted true: yes; header x-plan matches: yes" in out
    )
    assert "  1. free-budget [free]: no" in out
    assert "  2. free-suspect [free]: DECIDES -> throttle" in out
    assert "rate at score 0.80: 3.16/min (burst 1)" in out
    assert "note" not in out

    assert guard(*argv, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tier"] == "anonymous" and data["key_id"] == "ip:127.0.0.1"
    assert data["decision"] == {
        "action": "block",
        "rule": "anonymous-suspect",
        "shadow": False,
        "parameters": {"status": 403, "message": None},
    }
    assert [r["rule"] for r in data["rules"]][:1] == ["anonymous-rate"]
    assert "key ids are computed with an empty one" in data["notes"][0]


def test_explain_a_traffic_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = {
        "key": "sk-eval",
        "ip": "10.20.1.2",
        "path": "/openai/v1/chat/completions",
        "headers": {"x-org": "evals"},
        "body": BODY,
    }
    request = write_json(tmp_path / "record.json", record)
    policy = str(POLICIES / "tiers.yaml")
    assert guard("explain", "--policy", policy, "--request", request, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tier"] == "eval-runners"
    assert data["request"] == {
        "path": "/openai/v1/chat/completions",
        "route": "openai.chat",
        "model": "gpt-4o-mini",
    }
    assert data["decision"]["action"] == "allow" and data["decision"]["rule"] is None


def test_explain_errors(tmp_path: Path) -> None:
    request = write_json(tmp_path / "request.json", BODY)
    with pytest.raises(BadRequest, match="not inspected"):
        guard("explain", "--request", request, "--path", "/v1/models")
    with pytest.raises(BadRequest, match="NAME:VALUE"):
        guard("explain", "--request", request, "--header", "nocolon")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(BadRequest, match=r"broken\.json:1:2: invalid JSON"):
        guard("explain", "--request", str(broken))
    state = tmp_path / "state.json"
    state.write_text('{"windows": {"day": {"coverag": 1}},\n "signals": {"novelti": 1}}')
    with pytest.raises(PolicyError) as info:
        guard("explain", "--request", request, "--key-state", str(state))
    assert [str(p) for p in info.value.problems] == [
        f"{state}:1:22: windows.day: unknown key 'coverag' (did you mean 'coverage'?)",
        f"{state}:2:14: signals.novelti: unknown signal 'novelti' (did you mean 'novelty'?); "
        "signals: " + ", ".join(SIGNAL_NAMES),
    ]
