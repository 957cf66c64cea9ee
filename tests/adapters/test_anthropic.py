from __future__ import annotations

import random
from typing import Any

import pytest
from adapter_streams import (
    CHAT_TEXT,
    anthropic_message,
    anthropic_stream,
    assert_chunking_invariant,
    stream_usage,
)

from guard.adapters import AnthropicMessagesAdapter
from guard.adapters.tokens import estimate_tokens
from guard.errors import BadRequest
from guard.models import Api, PromptRequest, Turn, Usage

messages = AnthropicMessagesAdapter()


def test_minimal_request() -> None:
    body = {
        "model": "claude-sonnet-5",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "Hello, Claude"}],
    }
    assert messages.parse(body) == PromptRequest(
        api=Api.ANTHROPIC,
        route="anthropic.messages",
        prompt="Hello, Claude",
        conversation=(Turn("user", "Hello, Claude"),),
        model="claude-sonnet-5",
        max_tokens=1024,
    )


def test_full_request() -> None:
    body = {
        "model": "claude-opus-5",
        "max_tokens": 32000,
        "system": "You are a patient tutor.",
        "temperature": 0.5,
        "stream": True,
        "stop_sequences": ["END"],
        "thinking": {"type": "enabled", "budget_tokens": 16000},
        "tools": [
            {"name": "calc", "input_schema": {"type": "object"}},
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 5},
        ],
        "metadata": {"user_id": "u-1"},
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is 2+2?"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "Simple.", "signature": "sig"},
                    {"type": "redacted_thinking", "data": "xyz"},
                    {"type": "text", "text": "Let me compute."},
                    {"type": "tool_use", "id": "t1", "name": "calc", "input": {"e": "2+2"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "content": "4"},
                    {
                        "type": "tool_result",
                        "tool_use_id": "t2",
                        "is_error": True,
                        "content": [
                            {"type": "text", "text": "timeout"},
                            {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                        ],
                    },
                ],
            },
            {"role": "assistant", "content": "It is 4."},
            {
                "role": "user",
                "content": [
                    {"type": "document", "source": {"type": "text", "data": "doc"}},
                    {
                        "type": "text",
                        "text": "Now explain why.",
                        "cache_control": {"type": "ephemeral"},
                    },
                ],
            },
        ],
    }
    request = messages.parse(body)
    assert request.prompt == "Now explain why."
    assert request.system == "You are a patient tutor."
    assert request.conversation == (
        Turn("user", "What is 2+2?"),
        Turn("assistant", "Let me compute."),
        Turn("tool", "4\ntimeout"),
        Turn("assistant", "It is 4."),
        Turn("user", "Now explain why."),
    )
    assert request.turns == 2
    assert (request.max_tokens, request.temperature, request.stream) == (32000, 0.5, True)
    assert (request.tools, request.n, request.logprobs, request.top_logprobs) == (2, 1, False, None)


def test_system_as_text_blocks() -> None:
    body = {
        "messages": [{"role": "user", "content": "q"}],
        "system": [
            {"type": "text", "text": "Part one."},
            {"type": "text", "text": "Part two.", "cache_control": {"type": "ephemeral"}},
        ],
    }
    assert messages.parse(body).system == "Part one.\nPart two."


def test_tool_result_only_turn_keeps_the_earlier_question_as_prompt() -> None:
    body = {
        "messages": [
            {"role": "user", "content": "Weather in Oslo?"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "w"}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a"}]},
        ]
    }
    request = messages.parse(body)
    assert request.prompt == "Weather in Oslo?"
    assert request.conversation[1:] == (Turn("assistant", ""), Turn("tool", ""))


def test_image_only_user_turn_has_empty_text() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": ""}}
    request = messages.parse({"messages": [{"role": "user", "content": [image]}]})
    assert request.prompt == ""
    assert request.conversation == (Turn("user", ""),)


BAD: list[tuple[Any, str]] = [
    ("[]", "The request body must be a JSON object."),
    ({"model": "m"}, "messages is required"),
    ({"messages": {"role": "user"}}, "messages must be a list of message objects."),
    ({"messages": [None]}, "messages[0] must be an object with a role and content."),
    ({"messages": [{"content": "x"}]}, "messages[0].role is required."),
    ({"messages": [{"role": None, "content": "x"}]}, "messages[0].role is required."),
    ({"messages": [{"role": 2, "content": "x"}]}, "messages[0].role must be a string."),
    (
        {"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": 12}]},
        "messages[1].content must be a string or a list of content blocks.",
    ),
    ({"messages": [{"role": "user", "content": [3]}]}, "messages[0].content[0] must be a content"),
    (
        {"messages": [{"role": "user", "content": [{"text": "x"}]}]},
        "messages[0].content[0].type is required.",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": ["text"]}]}]},
        "messages[0].content[0].type must be a string.",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "text", "text": None}]}]},
        "messages[0].content[0].text must be a string.",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": 1}]}]},
        "messages[0].content[0].content must be a string or a list of content blocks.",
    ),
    (
        {"messages": [{"role": "user", "content": [{"type": "tool_result", "content": ["x"]}]}]},
        "messages[0].content[0].content[0] must be a content block object.",
    ),
    (
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "content": [{"type": "text"}]}],
                }
            ]
        },
        "messages[0].content[0].content[0].text must be a string.",
    ),
    ({"messages": [], "system": 5}, "system must be a string or a list of text blocks."),
    ({"messages": [], "system": ["x"]}, "system[0] must be a text block"),
    ({"messages": [], "system": [{"type": "image"}]}, "system[0] must be a text block"),
    ({"messages": [], "max_tokens": "1024"}, "max_tokens must be an integer."),
    ({"messages": [], "temperature": [1]}, "temperature must be a number."),
    ({"messages": [], "stream": 1}, "stream must be true or false."),
    ({"messages": [], "tools": "calc"}, "tools must be a list of tool definitions."),
    ({"messages": [], "thinking": "on"}, "thinking must be an object"),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_requests(body: Any, message: str) -> None:
    with pytest.raises(BadRequest) as info:
        messages.parse(body)
    assert info.value.message.startswith(message)


def test_usage_counts_cache_tokens_as_input() -> None:
    assert messages.usage(anthropic_message(100, 20)) == Usage(100, 20)
    assert messages.usage(anthropic_message(100, 20, cache_creation=30, cache_read=500)) == Usage(
        630, 20
    )
    assert messages.usage({"usage": {"input_tokens": 5, "cache_read_input_tokens": None}}) == Usage(
        5, 0
    )


@pytest.mark.parametrize(
    "body",
    [None, {}, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}],
)
def test_usage_absent(body: Any) -> None:
    assert messages.usage(body) is None


def test_stream_usage_from_message_start_and_message_delta() -> None:
    assert_chunking_invariant(messages, anthropic_stream(), Usage(472, 89))


def test_stream_usage_with_cache_thinking_and_tools() -> None:
    stream = anthropic_stream(
        cache_read=1000, thinking=["Let me", " think"], tool_json=['{"a":', " 1}"]
    )
    assert_chunking_invariant(messages, stream, Usage(1472, 89))


def test_stream_cut_short_estimates_output_from_every_kind_of_delta() -> None:
    thinking = ["Let me", " think"]
    tool_json = ['{"a":', " 1}"]
    stream = anthropic_stream(thinking=thinking, tool_json=tool_json, complete=False)
    chars = sum(len(t) for t in [*CHAT_TEXT, *thinking, *tool_json])
    assert_chunking_invariant(messages, stream, Usage(472, estimate_tokens(chars)))


def test_stream_long_random_chunkings() -> None:
    rng = random.Random(3)
    texts = [rng.choice(["word", " another", " 日本語", "\n\n", " ✓"]) for _ in range(400)]
    assert_chunking_invariant(messages, anthropic_stream(texts, output_tokens=812), Usage(472, 812))


def test_stream_message_delta_may_restate_input() -> None:
    stream = anthropic_stream(complete=False) + (
        b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},'
        b'"usage":{"input_tokens":480,"cache_read_input_tokens":20,"output_tokens":77}}\n\n'
    )
    assert stream_usage(messages, [stream]) == Usage(500, 77)


def test_stream_without_any_usage_never_reports_less_than_message_start() -> None:
    start = (
        b'event: message_start\ndata: {"type":"message_start","message":{"usage":'
        b'{"input_tokens":9,"output_tokens":3}}}\n\n'
    )
    assert stream_usage(messages, [start]) == Usage(9, 3)


def test_stream_usage_never_raises_on_junk() -> None:
    junk = (
        b"event: ping\ndata: {}\n\ndata: nope\n\n"
        b'data: {"type":"message_start","message":[]}\n\n'
        b'data: {"type":"message_start","message":{"usage":{"input_tokens":"x"}}}\n\n'
        b'data: {"type":"content_block_delta","delta":{"type":7}}\n\n'
        b'data: {"type":"content_block_delta","delta":[]}\n\n'
        b'data: {"type":"message_delta","usage":5}\n\n'
        b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error"}}\n\n'
    )
    assert stream_usage(messages, [junk]) == Usage(0, 0)
