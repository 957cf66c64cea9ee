from __future__ import annotations

import json

from guard.accounting import UsageTap, _top_level_usage
from guard.adapters import AnthropicMessagesAdapter, OpenAIChatAdapter
from guard.models import Usage

JSON = [(b"content-type", b"application/json")]


def test_usage_is_found_from_the_end_without_parsing_everything() -> None:
    body = json.dumps(
        {
            "choices": [{"message": {"content": 'say "usage": {"prompt_tokens": 999}'}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7},
        }
    ).encode()
    assert _top_level_usage(body) == {"prompt_tokens": 5, "completion_tokens": 7}
    # A lookalike in the content after the real one is escaped, so it is skipped.
    tricky = b'{"usage": {"input_tokens": 1, "output_tokens": 2}, "content": "\\"usage\\": 3"}'
    assert _top_level_usage(tricky) == {"input_tokens": 1, "output_tokens": 2}
    assert _top_level_usage(b'{"choices": []}') is None
    assert _top_level_usage(b'{"usage": null}') is None


def test_tap_reads_usage_and_falls_back_to_a_full_parse() -> None:
    tap = UsageTap(OpenAIChatAdapter())
    tap.start(200, JSON)
    body = json.dumps({"usage": {"prompt_tokens": 3, "completion_tokens": 4}, "id": "x"}).encode()
    for i in range(0, len(body), 5):
        tap.feed(body[i : i + 5])
    assert tap.result() == Usage(3, 4)
    tap = UsageTap(AnthropicMessagesAdapter())
    tap.start(200, JSON)
    tap.feed(b'{"content": [], "usage": {"input_tokens": 10, "output_tokens": 20}}')
    assert tap.result() == Usage(10, 20)
    errored = UsageTap(OpenAIChatAdapter())
    errored.start(500, JSON)
    errored.feed(b'{"usage": {"prompt_tokens": 1, "completion_tokens": 1}}')
    assert errored.result() == Usage()


def test_long_streams_are_parsed_in_bounded_batches() -> None:
    """A stream far longer than the tap's batch: usage from its last event, memory bounded."""
    tap = UsageTap(OpenAIChatAdapter())
    tap.start(200, [(b"content-type", b"text/event-stream; charset=utf-8")])
    delta = {"choices": [{"index": 0, "delta": {"content": "word " * 40}}]}
    event = b"data: " + json.dumps(delta).encode() + b"\n\n"
    last = {"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 5000}}
    stream = event * 3000 + b"data: " + json.dumps(last).encode() + b"\n\ndata: [DONE]\n\n"
    held = 0
    for i in range(0, len(stream), 1000):  # chunks that split events anywhere
        tap.feed(stream[i : i + 1000])
        held = max(held, tap._size)
    assert len(stream) > 700_000 and held <= 300_000
    assert tap.result() == Usage(11, 5000)


def test_stream_without_reported_usage_is_estimated_from_its_text() -> None:
    tap = UsageTap(AnthropicMessagesAdapter())
    tap.start(200, [(b"content-type", b"text/event-stream")])
    text = {"type": "content_block_delta", "delta": {"type": "text_delta", "text": "abcd " * 80}}
    tap.feed(b"event: content_block_delta\ndata: " + json.dumps(text).encode() + b"\n\n")
    usage = tap.result()
    assert usage.input_tokens == 0 and 50 <= usage.output_tokens <= 150
