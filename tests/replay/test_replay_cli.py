"""`guard replay` as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from replay_traffic import mixed_traffic, write_jsonl

REPLAY = [sys.executable, "-m", "guard", "replay"]
ENV = {key: value for key, value in os.environ.items() if key != "GUARD_SECRET"}

POLICY = {"rules": [{"name": "too-many", "when": "requests.hour > 5", "then": "throttle"}]}


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*REPLAY, *map(str, args)], cwd=cwd, env=ENV, capture_output=True, timeout=60
    )
    # Decoded by hand: text mode would turn the progress bar's carriage returns into newlines.
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def test_replay_writes_json_and_html(tmp_path: Path) -> None:
    traffic = write_jsonl(tmp_path / "traffic.jsonl", mixed_traffic())
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(POLICY))
    result = run(
        traffic, "--policy", policy, "--json", "report.json", "--html", "report.html",
        "--progress", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # the progress bar and the summary go to stderr
    assert "\rreplay" in result.stderr and "100%" in result.stderr
    assert "20 requests from 3 keys" in result.stderr
    assert "flagged 1 of 3 keys" in result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["keys"]["sk-sweep"]["first_flagged"] == 6
    assert report["policy"]["path"] == str(policy)
    assert (tmp_path / "report.html").read_text().count("<svg") >= 3


def test_replay_prints_json_without_an_output_file(tmp_path: Path) -> None:
    traffic = write_jsonl(tmp_path / "traffic.jsonl", mixed_traffic())
    result = run(traffic, "--limit", "3", "--no-progress", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["requests"] == 3
    assert "\r" not in result.stderr


def test_replay_errors_are_one_line(tmp_path: Path) -> None:
    missing = run(tmp_path / "nope.jsonl", cwd=tmp_path)
    assert missing.returncode == 1
    assert (
        missing.stderr.strip()
        == f"guard replay: traffic file {str(tmp_path / 'nope.jsonl')!r} not found."
    )
    traffic = write_jsonl(tmp_path / "traffic.jsonl", mixed_traffic())
    bad_policy = tmp_path / "bad.yaml"
    bad_policy.write_text("rules: [{name: x, then: explode}]\n")
    broken = run(traffic, "--policy", bad_policy, cwd=tmp_path)
    assert broken.returncode == 1
    assert broken.stderr.startswith("guard replay: ") and "Traceback" not in broken.stderr
