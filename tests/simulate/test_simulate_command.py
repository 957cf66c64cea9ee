"""``guard simulate`` as a command: flags, summary on stderr, one-line errors."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from guard.commands import simulate
from guard.errors import GuardError


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="guard")
    simulate.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["simulate", *argv])


def test_simulate_writes_the_file_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "traffic.jsonl"
    args = _parse(
        "--out", str(out), "--seed", "2", "--keys", "15", "--days", "0.1",
        "--campaign-keys", "5", "--scale", "0.5", "--no-sharegpt",
    )  # fmt: skip
    assert args.run(args) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["method"] == "POST" for line in lines)
    err = capsys.readouterr().err
    assert "sybil" in err and "focused-user" in err
    assert f"{len(lines)} requests" in err


def test_defaults_match_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    args = _parse("--out", "x.jsonl")
    assert (args.seed, args.keys, args.days, args.scale, args.campaign_keys) == (0, 400, 2, 1, 300)
    assert args.no_sharegpt is False and args.hurried is False
    monkeypatch.setenv("GUARD_KEYS", "55")
    assert _parse("--out", "x.jsonl").keys == 55
    assert _parse("--out", "x.jsonl", "--hurried").hurried is True


def test_bad_settings_are_one_clear_error(tmp_path: Path) -> None:
    args = _parse("--out", str(tmp_path / "x.jsonl"), "--keys", "0")
    with pytest.raises(GuardError, match="--keys"):
        args.run(args)
    args = _parse("--out", str(tmp_path / "missing" / "x.jsonl"), "--no-sharegpt")
    with pytest.raises(GuardError, match=r"Cannot write .*x\.jsonl: No such file"):
        args.run(args)
    args = _parse("--out", str(tmp_path / "x.jsonl"), "--sharegpt-file", str(tmp_path / "no"))
    with pytest.raises(GuardError, match=r"ShareGPT file .* does not exist"):
        args.run(args)
