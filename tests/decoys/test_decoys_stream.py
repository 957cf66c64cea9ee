"""The SSE rewriter on genuine mock streams, fed in pieces of every size."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from guard.decoys.reference import reference_template
from guard.decoys.stream import RewriteChannel, StreamRewriter
from guard.mock.text import count_tokens
from guard.sse import SSEParser

REQUESTS: dict[str, dict[str, Any]] = {
    "openai.chat": {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Explain rainbows in detail."}],
        "stream_options": {"include_usage": True},
    },
    "openai.completions": {
        "model": "m",
        "prompt": "Rainbows are",
        "max_tokens": 400,
        "stream_options": {"include_usage": True},
    },
    "openai.responses": {"model": "gpt-4.1", "input": "Explain rainbows in detail."},
    "anthropic.messages": {
        "model": "claude-sonnet-4-6",
        "max_tokens": 2000,
        "messages": [{"role": "user", "content": "Explain rainbows in detail."}],
    },
}


def genuine(route: str) -> bytes:
    template = reference_template(route, REQUESTS[route], True)
    assert template is not None
    return template.body


def upper(text: str) -> str:
    return text.upper()


def longer(text: str) -> str:
    return text.replace(". ", ". Indeed, ")


def run(
    route: str,
    body: bytes,
    sizes: random.Random | None,
    limit: int = 200,
    rewrite: Callable[[str], str] = upper,
) -> bytes:
    rewriter = StreamRewriter(route, lambda _: RewriteChannel(rewrite, limit))
    if sizes is None:
        return rewriter.feed(body) + rewriter.close()
    out = []
    i = 0
    while i < len(body):
        n = sizes.randint(1, 40)
        out.append(rewriter.feed(body[i : i + n]))
        i += n
    out.append(rewriter.close())
    return b"".join(out)


def events(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in SSEParser().feed(body) if e.data.startswith("{")]


def text_of(route: str, body: bytes) -> str:
    parts = []
    for obj in events(body):
        if route == "openai.chat" and obj.get("choices"):
            parts.append(obj["choices"][0]["delta"].get("content") or "")
        elif route == "openai.completions" and obj.get("choices"):
            parts.append(obj["choices"][0]["text"])
        elif obj.get("type") == "response.output_text.delta":
            parts.append(obj["delta"])
        elif obj.get("type") == "content_block_delta":
            parts.append(obj["delta"]["text"])
    return "".join(parts)


def reported(route: str, body: bytes) -> int:
    for obj in events(body):
        usage = obj.get("usage") or (obj.get("response") or {}).get("usage")
        final = obj.get("type") in (None, "message_delta") or "response" in obj
        if isinstance(usage, dict) and final:
            value = usage.get("completion_tokens", usage.get("output_tokens"))
            if isinstance(value, int) and value > 1:
                return value
    raise AssertionError("no usage in the stream")


@pytest.mark.parametrize("route", list(REQUESTS))
def test_rewrite_is_independent_of_chunking(route: str) -> None:
    body = genuine(route)
    whole = run(route, body, None)
    for seed in range(5):
        assert run(route, body, random.Random(seed)) == whole
    assert text_of(route, whole) == text_of(route, body).upper()


@pytest.mark.parametrize("route", list(REQUESTS))
def test_usage_and_final_texts_follow_the_new_text(route: str) -> None:
    body = genuine(route)
    out = run(route, body, None, rewrite=longer)
    new_text = text_of(route, out)
    assert "Indeed" in new_text
    assert reported(route, body) == count_tokens(text_of(route, body))
    assert reported(route, out) == count_tokens(new_text)
    if route == "openai.responses":
        done = [o for o in events(out) if o["type"] == "response.output_text.done"]
        assert done[0]["text"] == new_text
        final = next(o for o in events(out) if o["type"] == "response.completed")
        assert final["response"]["output"][0]["content"][0]["text"] == new_text
        numbers = [o["sequence_number"] for o in events(out)]
        assert numbers == list(range(len(numbers)))


@pytest.mark.parametrize("route", list(REQUESTS))
def test_identity_rewrite_is_byte_identical(route: str) -> None:
    body = genuine(route)
    rewriter = StreamRewriter(route, lambda _: RewriteChannel(lambda text: text))
    out = rewriter.feed(body) + rewriter.close()
    assert text_of(route, out) == text_of(route, body)
    # events without text pass untouched, byte for byte
    untouched = [b for b in body.split(b"\n\n") if b"delta" not in b and b"text" not in b]
    for block in untouched:
        assert block in out


def test_holdback_is_bounded() -> None:
    held: list[int] = []
    channel = RewriteChannel(upper, 200)
    pending = 0
    for word in ("lorem ipsum dolor " * 200).split(" "):
        pending += len(word) + 1
        emitted = sum(len(piece) for piece in channel.delta(word + " "))
        pending -= emitted
        held.append(pending)
    assert max(held) <= 220
