"""Small traffic files in the DESIGN.md traffic contract, written by the replay tests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

T0 = 1_764_201_600.0  # 2025-11-27 00:00 UTC
UA = {"user-agent": "python-httpx/0.27"}

SUBJECTS = [
    "the causes of the French Revolution", "how photosynthesis stores energy",
    "the proof that there are infinitely many primes", "how TCP congestion control works",
    "the chemistry of baking soda", "why the sky is blue", "how vaccines train immunity",
    "the rules of contract law", "how black holes evaporate", "the grammar of Finnish cases",
    "how compilers allocate registers", "the economics of inflation",
    "the history of the Silk Road", "how earthquakes are measured",
    "the structure of DNA", "how neural networks learn",
]  # fmt: skip


def chat(text: str, *, history: int = 0, max_tokens: int | None = None) -> dict[str, Any]:
    """An OpenAI chat body; ``history`` earlier exchanges make it a follow-up."""
    messages: list[dict[str, Any]] = []
    for i in range(history):
        messages.append({"role": "user", "content": f"earlier question {i} about my project"})
        messages.append({"role": "assistant", "content": f"earlier answer {i}"})
    messages.append({"role": "user", "content": text})
    body: dict[str, Any] = {"model": "gpt-test", "messages": messages}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    return body


def messages(text: str, *, max_tokens: int = 1024) -> dict[str, Any]:
    """An Anthropic messages body."""
    return {
        "model": "claude-test",
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": text}],
    }


def line(
    ts: float,
    key: str | None,
    body: Any,
    *,
    path: str = "/v1/chat/completions",
    label: str | None = None,
    actor: str | None = None,
    ip: str = "203.0.113.7",
    **extra: Any,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "ts": ts,
        "key": key,
        "ip": ip,
        "method": "POST",
        "path": path,
        "headers": UA,
        "body": body,
    }
    if label is not None:
        record["label"] = label
    if actor is not None:
        record["actor"] = actor
    record.update(extra)
    return record


def mixed_traffic() -> list[dict[str, Any]]:
    """Two benign keys and one harvester, OpenAI and Anthropic routes, in time order.

    - ``sk-focused``: 5 follow-up questions about one subject (benign);
    - ``sk-app``: 4 requests, one of them a bad body (messages is not a list) (benign);
    - ``sk-sweep``: 12 single-turn step-by-step questions over many subjects, every third on
      the Anthropic route (harvester).
    """
    lines: list[dict[str, Any]] = []
    t = T0
    for i in range(12):
        t += 30.0
        subject = SUBJECTS[i % len(SUBJECTS)]
        text = f"Explain {subject} step by step, showing your full reasoning."
        if i % 3 == 2:
            record = line(t, "sk-sweep", messages(text, max_tokens=8192), path="/v1/messages")
        else:
            record = line(t, "sk-sweep", chat(text, max_tokens=8192))
        record.update(label="harvester", actor="sweeper-1", ip="198.51.100.9")
        lines.append(record)
        if i < 5:
            body = chat(f"And how does that affect my sourdough starter, part {i}?", history=i)
            lines.append(
                line(
                    t + 1,
                    "sk-focused",
                    body,
                    label="benign",
                    actor="focused-1",
                    **{"class": "focused"},
                )
            )
        if i < 4:
            body = chat(f"Summarise ticket {i} for the support queue.")
            if i == 2:
                body = {"model": "gpt-test", "messages": "not a list"}
            lines.append(line(t + 2, "sk-app", body, label="benign", actor="app-2"))
    return lines


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any] | str]) -> Path:
    """Write records (or raw text lines, for broken input) one per line."""
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path
