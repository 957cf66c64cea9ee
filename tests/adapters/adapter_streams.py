"""Realistic response bodies and SSE streams of each API, for the adapter tests.

The shapes follow what the APIs emit on the wire (field names, event order, compact JSON,
``[DONE]`` terminator for OpenAI's chat/completions streams, ``event:`` lines for the typed
streams); ``test_sdk_shapes.py`` checks that the official SDKs accept them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from typing import Any

from guard.adapters.base import Adapter
from guard.models import Usage
from guard.sse import SSEParser

__all__ = [
    "CHAT_TEXT",
    "anthropic_message",
    "anthropic_stream",
    "assert_chunking_invariant",
    "chat_completion",
    "chat_stream",
    "completions_stream",
    "every_split",
    "random_chunks",
    "responses_object",
    "responses_stream",
    "stream_usage",
]

CHAT_TEXT = ["Hello", "!", " How", " can", " I", " help", " you", " today", "?"]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _data_only(objects: Sequence[Any], done: bool = True) -> bytes:
    body = "".join(f"data: {_dumps(o)}\n\n" for o in objects)
    if done:
        body += "data: [DONE]\n\n"
    return body.encode()


def _typed(events: Sequence[dict[str, Any]]) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {_dumps(e)}\n\n" for e in events).encode()


# -- OpenAI chat completions ------------------------------------------------------------------


def chat_completion(prompt_tokens: int = 19, completion_tokens: int = 10) -> dict[str, Any]:
    return {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1741570283,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Hello! How can I help you today?",
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "service_tier": "default",
        "system_fingerprint": "fp_fc9f1d7035",
    }


def chat_stream(
    texts: Sequence[str] = CHAT_TEXT,
    *,
    include_usage: bool = False,
    usage: tuple[int, int] = (19, 10),
    tool_arguments: Sequence[str] = (),
) -> bytes:
    """A ``chat.completion.chunk`` stream; with ``include_usage`` every chunk carries
    ``"usage": null`` and a last chunk with no choices carries the totals."""
    base = {
        "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        "object": "chat.completion.chunk",
        "created": 1741569952,
        "model": "gpt-4o-2024-08-06",
        "service_tier": "default",
        "system_fingerprint": "fp_fc9f1d7035",
    }
    chunks: list[dict[str, Any]] = []

    def add(choices: list[Any], totals: dict[str, Any] | None = None) -> None:
        chunk = {**base, "choices": choices}
        if include_usage:
            chunk["usage"] = totals
        chunks.append(chunk)

    def choice(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}

    add([choice({"role": "assistant", "content": "", "refusal": None})])
    for text in texts:
        add([choice({"content": text})])
    if tool_arguments:
        add(
            [
                choice(
                    {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_DdmO9pD3xa9XTPNJ32zg2hcA",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": ""},
                            }
                        ]
                    }
                )
            ]
        )
        for part in tool_arguments:
            add([choice({"tool_calls": [{"index": 0, "function": {"arguments": part}}]})])
    add([choice({}, "tool_calls" if tool_arguments else "stop")])
    if include_usage:
        prompt, completion = usage
        add(
            [],
            {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": 0,
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
        )
    return _data_only(chunks)


# -- OpenAI legacy completions ----------------------------------------------------------------


def completions_stream(
    texts: Sequence[str] = CHAT_TEXT,
    *,
    include_usage: bool = False,
    usage: tuple[int, int] = (5, 9),
) -> bytes:
    base = {
        "id": "cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe",
        "object": "text_completion",
        "created": 1690759702,
        "model": "gpt-3.5-turbo-instruct",
    }
    chunks: list[dict[str, Any]] = []
    for i, text in enumerate(texts):
        finish = "length" if i == len(texts) - 1 else None
        chunk: dict[str, Any] = {
            **base,
            "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            chunk["usage"] = None
        chunks.append(chunk)
    if include_usage:
        prompt, completion = usage
        chunks.append(
            {
                **base,
                "choices": [],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
        )
    return _data_only(chunks)


# -- OpenAI responses -------------------------------------------------------------------------


def responses_object(
    text: str = "Hello! How can I help you today?",
    *,
    status: str = "completed",
    usage: tuple[int, int] | None = (36, 87),
) -> dict[str, Any]:
    output = []
    if status != "in_progress":
        output.append(
            {
                "id": "msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        )
    return {
        "id": "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
        "object": "response",
        "created_at": 1741476777,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": "gpt-4o-2024-08-06",
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": None
        if usage is None
        else {
            "input_tokens": usage[0],
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": usage[1],
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": usage[0] + usage[1],
        },
        "user": None,
        "metadata": {},
    }


def responses_stream(
    texts: Sequence[str] = CHAT_TEXT,
    *,
    usage: tuple[int, int] = (36, 87),
    reasoning: Sequence[str] = (),
    complete: bool = True,
) -> bytes:
    """The typed event stream of ``POST /v1/responses`` with ``stream: true``."""
    events: list[dict[str, Any]] = []

    def add(kind: str, **fields: Any) -> None:
        events.append({"type": kind, "sequence_number": len(events), **fields})

    item_id = "msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41"
    add("response.created", response=responses_object(status="in_progress", usage=None))
    add("response.in_progress", response=responses_object(status="in_progress", usage=None))
    output_index = 0
    if reasoning:
        rs_id = "rs_6876cf02e0bc8192b74af0fb64b715ff06fa2fcced15a5ac"
        reasoning_item = {"id": rs_id, "type": "reasoning", "summary": []}
        add("response.output_item.added", output_index=0, item=reasoning_item)
        part = {"type": "summary_text", "text": ""}
        add(
            "response.reasoning_summary_part.added",
            item_id=rs_id,
            output_index=0,
            summary_index=0,
            part=part,
        )
        for text in reasoning:
            add(
                "response.reasoning_summary_text.delta",
                item_id=rs_id,
                output_index=0,
                summary_index=0,
                delta=text,
                obfuscation="x1",
            )
        add(
            "response.reasoning_summary_text.done",
            item_id=rs_id,
            output_index=0,
            summary_index=0,
            text="".join(reasoning),
        )
        add("response.output_item.done", output_index=0, item=reasoning_item)
        output_index = 1
    message = {
        "id": item_id,
        "type": "message",
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    add("response.output_item.added", output_index=output_index, item=message)
    empty_part = {"type": "output_text", "text": "", "annotations": []}
    add(
        "response.content_part.added",
        item_id=item_id,
        output_index=output_index,
        content_index=0,
        part=empty_part,
    )
    for text in texts:
        add(
            "response.output_text.delta",
            item_id=item_id,
            output_index=output_index,
            content_index=0,
            delta=text,
            logprobs=[],
        )
    full = "".join(texts)
    if complete:
        add(
            "response.output_text.done",
            item_id=item_id,
            output_index=output_index,
            content_index=0,
            text=full,
            logprobs=[],
        )
        done_part = {"type": "output_text", "text": full, "annotations": []}
        add(
            "response.content_part.done",
            item_id=item_id,
            output_index=output_index,
            content_index=0,
            part=done_part,
        )
        done_message = {**message, "status": "completed", "content": [done_part]}
        add("response.output_item.done", output_index=output_index, item=done_message)
        add("response.completed", response=responses_object(full, usage=usage))
    return _typed(events)


# -- Anthropic messages -----------------------------------------------------------------------


def anthropic_message(
    input_tokens: int = 2095,
    output_tokens: int = 503,
    cache_creation: int = 0,
    cache_read: int = 0,
) -> dict[str, Any]:
    return {
        "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "Hi! My name is Claude."}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "cache_creation_input_tokens": cache_creation,
            "cache_read_input_tokens": cache_read,
            "output_tokens": output_tokens,
            "service_tier": "standard",
        },
    }


def anthropic_stream(
    texts: Sequence[str] = CHAT_TEXT,
    *,
    input_tokens: int = 472,
    output_tokens: int = 89,
    cache_read: int = 0,
    thinking: Sequence[str] = (),
    tool_json: Sequence[str] = (),
    complete: bool = True,
) -> bytes:
    """The event stream of ``POST /v1/messages`` with ``stream: true``."""
    events: list[dict[str, Any]] = []
    start_usage = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": cache_read,
        "output_tokens": 1,
        "service_tier": "standard",
    }
    events.append(
        {
            "type": "message_start",
            "message": {
                "id": "msg_01ABcdJ4SfY5Ug1Sx1Dw6r2u",
                "type": "message",
                "role": "assistant",
                "model": "claude-sonnet-4-5-20250929",
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": start_usage,
            },
        }
    )
    index = 0
    if thinking:
        block = {"type": "thinking", "thinking": "", "signature": ""}
        events.append({"type": "content_block_start", "index": index, "content_block": block})
        for text in thinking:
            delta = {"type": "thinking_delta", "thinking": text}
            events.append({"type": "content_block_delta", "index": index, "delta": delta})
        signature = {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3h" * 8}
        events.append({"type": "content_block_delta", "index": index, "delta": signature})
        events.append({"type": "content_block_stop", "index": index})
        index += 1
    events.append(
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        }
    )
    events.append({"type": "ping"})
    for text in texts:
        delta = {"type": "text_delta", "text": text}
        events.append({"type": "content_block_delta", "index": index, "delta": delta})
    events.append({"type": "content_block_stop", "index": index})
    if tool_json:
        index += 1
        tool_block: dict[str, Any] = {
            "type": "tool_use",
            "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
            "name": "get_weather",
            "input": {},
        }
        events.append({"type": "content_block_start", "index": index, "content_block": tool_block})
        for part in tool_json:
            delta = {"type": "input_json_delta", "partial_json": part}
            events.append({"type": "content_block_delta", "index": index, "delta": delta})
        events.append({"type": "content_block_stop", "index": index})
    if complete:
        events.append(
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": "tool_use" if tool_json else "end_turn",
                    "stop_sequence": None,
                },
                "usage": {"output_tokens": output_tokens},
            }
        )
        events.append({"type": "message_stop"})
    return _typed(events)


# -- chunkings --------------------------------------------------------------------------------


def every_split(data: bytes, step: int = 1) -> Iterator[list[bytes]]:
    """``data`` cut in two at every position (every ``step``-th one)."""
    for i in range(0, len(data) + 1, step):
        yield [data[:i], data[i:]]


def random_chunks(data: bytes, rng: random.Random, max_size: int = 64) -> list[bytes]:
    """``data`` cut at random points, down to single bytes."""
    chunks = []
    pos = 0
    while pos < len(data):
        size = rng.randint(1, max_size)
        chunks.append(data[pos : pos + size])
        pos += size
    return chunks


def stream_usage(adapter: Adapter, chunks: list[bytes]) -> Usage:
    parser = SSEParser()
    usage = adapter.stream_usage()
    for chunk in chunks:
        for event in parser.feed(chunk):
            usage.feed(event)
    return usage.result()


def assert_chunking_invariant(adapter: Adapter, stream: bytes, expected: Usage) -> None:
    """Same usage however the stream is cut: in two at every point of a short stream (at
    every n-th point of a longer one), and at random points."""
    assert stream_usage(adapter, [stream]) == expected
    rng = random.Random(len(stream))
    step = 1 if len(stream) <= 4096 else len(stream) // 100
    for chunks in every_split(stream, step):
        assert stream_usage(adapter, chunks) == expected
    for max_size in (1, 7, 64, 1500):
        for _ in range(5 if step == 1 else 1):
            assert stream_usage(adapter, random_chunks(stream, rng, max_size)) == expected
