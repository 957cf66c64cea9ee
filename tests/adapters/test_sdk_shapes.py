"""The adapters against request bodies produced by the official SDKs themselves.

A small Starlette app stands in for the upstream: it records each request's JSON and answers
with the canned bodies and streams of ``adapter_streams``. Driving it with ``openai`` and
``anthropic`` proves both that the adapters read what the SDKs really send and that the
canned responses are shaped well enough for the SDKs to parse (usage included).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from adapter_streams import (
    anthropic_message,
    anthropic_stream,
    chat_completion,
    chat_stream,
    completions_stream,
    responses_object,
    responses_stream,
    stream_usage,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from guard.adapters import (
    AnthropicMessagesAdapter,
    OpenAIChatAdapter,
    OpenAICompletionsAdapter,
    OpenAIResponsesAdapter,
)
from guard.adapters.tokens import estimate_tokens
from guard.models import Api, Turn, Usage

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
    "RU5ErkJggg=="
)
TOOL_JSON = ['{"city": ', '"Paris"}']
REASONING = ["Thinking", " about it."]


class Upstream:
    """Records request bodies; answers like the real APIs would."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/completions", self.completions, methods=["POST"]),
                Route("/v1/responses", self.responses, methods=["POST"]),
                Route("/v1/messages", self.messages, methods=["POST"]),
            ]
        )

    async def _record(self, request: Request) -> dict[str, Any]:
        body = await request.json()
        assert isinstance(body, dict)
        self.bodies.append(body)
        return body

    @property
    def last(self) -> dict[str, Any]:
        return self.bodies[-1]

    async def chat(self, request: Request) -> Response:
        body = await self._record(request)
        if body.get("stream"):
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            return sse(chat_stream(include_usage=include))
        return JSONResponse(chat_completion())

    async def completions(self, request: Request) -> Response:
        body = await self._record(request)
        if body.get("stream"):
            include = bool((body.get("stream_options") or {}).get("include_usage"))
            return sse(completions_stream(include_usage=include))
        completion = {
            "id": "cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe",
            "object": "text_completion",
            "created": 1690759702,
            "model": "gpt-3.5-turbo-instruct",
            "choices": [{"text": "Hi", "index": 0, "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
        }
        return JSONResponse(completion)

    async def responses(self, request: Request) -> Response:
        body = await self._record(request)
        if body.get("stream"):
            return sse(responses_stream(reasoning=REASONING))
        return JSONResponse(responses_object())

    async def messages(self, request: Request) -> Response:
        body = await self._record(request)
        if body.get("stream"):
            return sse(anthropic_stream(cache_read=100, tool_json=TOOL_JSON))
        return JSONResponse(anthropic_message(cache_read=40))


def sse(body: bytes) -> Response:
    return Response(body, media_type="text/event-stream")


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
async def openai_client(upstream: Upstream) -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx2.ASGITransport(app=upstream.app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            base_url="http://upstream.test/v1", api_key="sk-test", http_client=http
        )


@pytest.fixture
async def anthropic_client(upstream: Upstream) -> AsyncIterator[anthropic.AsyncAnthropic]:
    transport = httpx2.ASGITransport(app=upstream.app)
    async with httpx2.AsyncClient(transport=transport) as http:
        yield anthropic.AsyncAnthropic(
            base_url="http://upstream.test", api_key="sk-ant-test", http_client=http
        )


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


async def test_chat_multi_turn_with_every_parameter(
    upstream: Upstream, openai_client: openai.AsyncOpenAI
) -> None:
    completion = await openai_client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "developer", "content": "You are terse."},
            {"role": "system", "content": [{"type": "text", "text": "Answer in English."}]},
            {"role": "user", "content": "What's the weather in Paris?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "18C, sunny"},
            {"role": "assistant", "content": "It is 18C and sunny."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "And what is in this picture?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    {"type": "text", "text": "Be brief."},
                ],
            },
        ],
        tools=[WEATHER_TOOL],  # type: ignore[list-item]
        n=2,
        logprobs=True,
        top_logprobs=5,
        logit_bias={"50256": -100},
        max_completion_tokens=300,
        temperature=0.2,
    )
    request = OpenAIChatAdapter().parse(upstream.last)
    assert request.api is Api.OPENAI
    assert request.route == "openai.chat"
    assert request.prompt == "And what is in this picture?\nBe brief."
    assert request.system == "You are terse.\nAnswer in English."
    assert request.conversation == (
        Turn("user", "What's the weather in Paris?"),
        Turn("assistant", ""),
        Turn("tool", "18C, sunny"),
        Turn("assistant", "It is 18C and sunny."),
        Turn("user", "And what is in this picture?\nBe brief."),
    )
    assert request.turns == 2
    assert (request.model, request.max_tokens, request.temperature) == ("gpt-4o", 300, 0.2)
    assert (request.n, request.logprobs, request.top_logprobs) == (2, True, 5)
    assert request.logit_bias is True
    assert request.tools == 1
    assert request.stream is False

    assert completion.usage is not None
    reported = Usage(completion.usage.prompt_tokens, completion.usage.completion_tokens)
    assert OpenAIChatAdapter().usage(chat_completion()) == reported


@pytest.mark.parametrize("include_usage", [True, False])
async def test_chat_stream_usage_matches_what_the_sdk_reads(
    upstream: Upstream, openai_client: openai.AsyncOpenAI, include_usage: bool
) -> None:
    stream = await openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Say hello."}],
        max_tokens=50,
        stream=True,
        stream_options={"include_usage": include_usage},
    )
    text = ""
    sdk_usage = None
    async for chunk in stream:
        for choice in chunk.choices:
            text += choice.delta.content or ""
        if chunk.usage is not None:
            sdk_usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)

    adapter = OpenAIChatAdapter()
    request = adapter.parse(upstream.last)
    assert (request.stream, request.max_tokens, request.prompt) == (True, 50, "Say hello.")
    ours = stream_usage(adapter, [chat_stream(include_usage=include_usage)])
    if include_usage:
        assert sdk_usage == ours == Usage(19, 10)
    else:
        assert sdk_usage is None
        assert ours == Usage(0, estimate_tokens(len(text)))


async def test_completions_prompt_shapes(
    upstream: Upstream, openai_client: openai.AsyncOpenAI
) -> None:
    adapter = OpenAICompletionsAdapter()
    await openai_client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="Write a tagline for an ice cream shop.",
        max_tokens=16,
        logprobs=3,
        n=3,
        logit_bias={"198": -100},
        temperature=0,
    )
    request = adapter.parse(upstream.last)
    assert request.prompt == "Write a tagline for an ice cream shop."
    assert request.conversation == (Turn("user", request.prompt),)
    assert (request.max_tokens, request.n, request.temperature) == (16, 3, 0.0)
    assert (request.logprobs, request.top_logprobs, request.logit_bias) == (True, 3, True)

    await openai_client.completions.create(model="m", prompt=["first", "second"])
    assert adapter.parse(upstream.last).prompt == "first\nsecond"
    await openai_client.completions.create(model="m", prompt=[1212, 318, 257])
    assert adapter.parse(upstream.last).prompt == "1212 318 257"
    await openai_client.completions.create(model="m", prompt=[[1212, 318], [257]])
    assert adapter.parse(upstream.last).prompt == "1212 318\n257"

    stream = await openai_client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="Say hello.",
        stream=True,
        stream_options={"include_usage": True},
    )
    sdk_usage = None
    async for chunk in stream:
        if chunk.usage is not None:
            sdk_usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
    assert adapter.parse(upstream.last).stream is True
    assert sdk_usage == stream_usage(adapter, [completions_stream(include_usage=True)])


async def test_responses_input_items(upstream: Upstream, openai_client: openai.AsyncOpenAI) -> None:
    adapter = OpenAIResponsesAdapter()
    response = await openai_client.responses.create(
        model="gpt-4.1",
        instructions="Talk like a pirate.",
        input=[
            {"role": "developer", "content": "Keep it short."},
            {"role": "user", "content": "Are semicolons optional in JavaScript?"},
            {
                "type": "message",
                "role": "assistant",
                "id": "msg_1",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Arr, mostly.", "annotations": []}],
            },
            {
                "type": "function_call",
                "call_id": "call_9",
                "name": "lookup",
                "arguments": "{}",
            },
            {"type": "function_call_output", "call_id": "call_9", "output": "ASI rules apply."},
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Explain ASI."},
                    {
                        "type": "input_image",
                        "detail": "auto",
                        "image_url": f"data:image/png;base64,{PNG}",
                    },
                ],
            },
        ],
        max_output_tokens=500,
        temperature=0.7,
        top_logprobs=2,
        include=["message.output_text.logprobs"],
        tools=[{"type": "web_search_preview"}],
    )
    request = adapter.parse(upstream.last)
    assert request.route == "openai.responses"
    assert request.system == "Talk like a pirate.\nKeep it short."
    assert request.prompt == "Explain ASI."
    assert request.conversation == (
        Turn("user", "Are semicolons optional in JavaScript?"),
        Turn("assistant", "Arr, mostly."),
        Turn("tool", "ASI rules apply."),
        Turn("user", "Explain ASI."),
    )
    assert (request.max_tokens, request.temperature, request.tools) == (500, 0.7, 1)
    assert (request.logprobs, request.top_logprobs, request.n) == (True, 2, 1)
    assert response.usage is not None
    expected = Usage(response.usage.input_tokens, response.usage.output_tokens)
    assert adapter.usage(responses_object()) == expected

    await openai_client.responses.create(model="gpt-4.1", input="Tell me a joke.")
    request = adapter.parse(upstream.last)
    assert (request.prompt, request.system, request.logprobs) == ("Tell me a joke.", "", False)
    assert request.conversation == (Turn("user", "Tell me a joke."),)


async def test_responses_stream_usage_matches_the_sdk(
    upstream: Upstream, openai_client: openai.AsyncOpenAI
) -> None:
    stream = await openai_client.responses.create(model="o4-mini", input="Hi", stream=True)
    sdk_usage = None
    async for event in stream:
        if event.type == "response.completed":
            assert event.response.usage is not None
            u = event.response.usage
            sdk_usage = Usage(u.input_tokens, u.output_tokens)
    adapter = OpenAIResponsesAdapter()
    assert adapter.parse(upstream.last).stream is True
    ours = stream_usage(adapter, [responses_stream(reasoning=REASONING)])
    assert ours == sdk_usage == Usage(36, 87)


async def test_anthropic_messages_with_blocks_tools_and_thinking(
    upstream: Upstream, anthropic_client: anthropic.AsyncAnthropic
) -> None:
    message = await anthropic_client.messages.create(
        model="claude-sonnet-5",
        max_tokens=4096,
        system=[
            {"type": "text", "text": "You are a weather bot."},
            {"type": "text", "text": "Be kind.", "cache_control": {"type": "ephemeral"}},
        ],
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me check."},
                    {
                        "type": "tool_use",
                        "id": "toolu_1",
                        "name": "get_weather",
                        "input": {"city": "Paris"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [{"type": "text", "text": "18C, sunny"}],
                    },
                    {"type": "text", "text": "Also, what is this?"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                    },
                ],
            },
        ],
        tools=[
            {
                "name": "get_weather",
                "description": "Get the weather.",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            }
        ],
        thinking={"type": "enabled", "budget_tokens": 2048},
        stop_sequences=["\n\nHuman:"],
    )
    adapter = AnthropicMessagesAdapter()
    request = adapter.parse(upstream.last)
    assert request.api is Api.ANTHROPIC
    assert request.route == "anthropic.messages"
    assert request.system == "You are a weather bot.\nBe kind."
    assert request.prompt == "Also, what is this?"
    assert request.conversation == (
        Turn("user", "Weather in Paris?"),
        Turn("assistant", "Let me check."),
        Turn("tool", "18C, sunny"),
        Turn("user", "Also, what is this?"),
    )
    assert (request.max_tokens, request.temperature, request.tools) == (4096, None, 1)
    assert (request.n, request.logprobs, request.logit_bias) == (1, False, False)
    u = message.usage
    sdk_input = u.input_tokens + (u.cache_creation_input_tokens or 0)
    sdk_input += u.cache_read_input_tokens or 0
    assert adapter.usage(anthropic_message(cache_read=40)) == Usage(sdk_input, u.output_tokens)


async def test_anthropic_stream_usage_matches_the_sdk(
    upstream: Upstream, anthropic_client: anthropic.AsyncAnthropic
) -> None:
    async with anthropic_client.messages.stream(
        model="claude-sonnet-5",
        max_tokens=1024,
        system="Be brief.",
        messages=[{"role": "user", "content": "Hello"}],
    ) as stream:
        final = await stream.get_final_message()
    adapter = AnthropicMessagesAdapter()
    request = adapter.parse(upstream.last)
    assert (request.stream, request.system, request.prompt) == (True, "Be brief.", "Hello")
    u = final.usage
    sdk = Usage(
        u.input_tokens + (u.cache_creation_input_tokens or 0) + (u.cache_read_input_tokens or 0),
        u.output_tokens,
    )
    ours = stream_usage(adapter, [anthropic_stream(cache_read=100, tool_json=TOOL_JSON)])
    assert ours == sdk == Usage(572, 89)
