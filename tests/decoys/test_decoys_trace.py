"""``guard trace``: the right key stands out, others do not."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from decoys_samples import PROSE

from guard.commands import trace as command
from guard.decoys import Canaries, Watermarker, trace
from guard.decoys.trace import read_texts

SECRET = "trace-secret"
KEY = "k_" + "e" * 32
OTHERS = [f"k_{i:032x}" for i in range(30)]


def answers(n: int) -> list[str]:
    words = "river model team budget garden market signal network city water".split()
    return [
        f"{PROSE[i % 3]} The {words[i % 10]} {words[(i * 7) % 10]} matters. "
        f"{PROSE[(i + 1) % 3].replace('the process', f'the {words[(i * 3) % 10]}')}"
        for i in range(n)
    ]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    args = parser.parse_args(["trace", *argv])
    result: int = args.run(args)
    return result


def test_trace_ranks_the_watermarking_key_first() -> None:
    wm = Watermarker(SECRET)
    texts = [wm.apply(text, KEY, 1.0) for text in answers(120)]
    results = trace(SECRET, texts, [*OTHERS, KEY])
    assert results[0].key_id == KEY and results[0].adjusted_p < 1e-3
    assert all(r.watermark.p_value > 1e-3 for r in results[1:])


def test_trace_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wm = Watermarker(SECRET)
    texts = [wm.apply(text, KEY, 1.0) for text in answers(120)]
    texts[3] = Canaries(SECRET).weave(texts[3], KEY)
    suspect = tmp_path / "suspect.jsonl"
    suspect.write_text("\n".join(json.dumps({"text": t}) for t in texts))
    seen = tmp_path / "audit.jsonl"
    seen.write_text("\n".join(json.dumps({"key_id": k, "action": "decoy"}) for k in [*OTHERS, KEY]))
    assert run(str(suspect), "--secret", SECRET, "--all-seen", str(seen), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["texts"] == 120 and report["candidates"] == 31
    first = report["results"][0]
    assert first["key_id"] == KEY and first["canaries"] and first["p_value"] < 1e-4
    assert run(str(suspect), "--secret", SECRET, "--key-id", OTHERS[0]) == 0
    assert OTHERS[0] in capsys.readouterr().out


def test_trace_command_needs_a_secret_and_candidates(tmp_path: Path) -> None:
    from guard.errors import GuardError

    suspect = tmp_path / "s.txt"
    suspect.write_text("text")
    with pytest.raises(GuardError, match="secret"):
        run(str(suspect), "--secret", "", "--key-id", KEY)
    with pytest.raises(GuardError, match="candidate"):
        run(str(suspect), "--secret", SECRET)


def test_read_texts_understands_api_responses_and_plain_text() -> None:
    chat = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"}}]}
    claude = {"type": "message", "content": [{"type": "text", "text": "bonjour"}]}
    content = json.dumps(chat) + "\n" + json.dumps(claude) + "\n" + json.dumps("hola")
    assert read_texts("x.jsonl", content) == ["hello", "bonjour", "hola"]
    assert read_texts("x.txt", "plain text\nover lines") == ["plain text\nover lines"]
