"""Decoys, perturbations and watermarks through the real openai and anthropic SDKs."""

from __future__ import annotations

import sys
from typing import Any

import anthropic
import openai
import pytest
from decoys_wire_app import WireApp

from guard.decoys import DecoyEngine, PerturbParams
from guard.mock.text import count_tokens

http = sys.modules[openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]]

MODES = ["genuine", "perturb", "watermark", "mismatch", "synthetic"]
PARAMS: dict[str, Any] = {
    "perturb": PerturbParams(strength=0.8, final=True, code=True),
    "watermark": 1.0,
}
PROMPTS = [
    "Explain how tides work, step by step, with the numbers involved.",
    "Describe the water cycle for a ten year old.",
    "What are the main causes of inflation in 2022?",
]


def openai_client(app: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url="http://testserver/v1",
        api_key="sk-test",
        http_client=http.AsyncClient(transport=http.ASGITransport(app=app)),
        max_retries=0,
    )


def anthropic_client(app: Any) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(
        base_url="http://testserver",
        api_key="sk-ant-test",
        http_client=http.AsyncClient(transport=http.ASGITransport(app=app)),
        max_retries=0,
    )


def header_names(app: WireApp) -> list[bytes]:
    return [name for name, _ in app.sent[0]["headers"]]


async def warm(app: WireApp, call: Any, prompt: str) -> tuple[list[bytes], str]:
    """Genuine answers seen first (templates, corpus): the genuine header names and the
    genuine answer to ``prompt``."""
    mode, app.mode = app.mode, "genuine"
    for other in PROMPTS:
        await call(other)
    genuine, _ = await call(prompt)
    names = header_names(app)
    app.mode = mode
    return names, genuine


def check_text(mode: str, text: str, genuine: str) -> None:
    assert text.strip()
    if mode == "genuine":
        assert text == genuine
    else:
        assert text != genuine


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_openai_chat(mode: str, stream: bool) -> None:
    app = WireApp(DecoyEngine("sdk-secret"), mode, PARAMS.get(mode))
    async with openai_client(app) as client:

        async def call(prompt: str) -> tuple[str, Any]:
            messages = [{"role": "user", "content": prompt}]
            if not stream:
                completion = await client.chat.completions.create(
                    model="gpt-4o-mini",
                    messages=messages,  # type: ignore[arg-type]
                )
                assert completion.choices[0].finish_reason == "stop"
                return completion.choices[0].message.content or "", completion.usage
            chunks = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=messages,  # type: ignore[arg-type]
                stream=True,
                stream_options={"include_usage": True},
            )
            text, usage, ids = [], None, set()
            async for chunk in chunks:
                ids.add(chunk.id)
                if chunk.choices:
                    text.append(chunk.choices[0].delta.content or "")
                if chunk.usage:
                    usage = chunk.usage
            assert len(ids) == 1
            return "".join(text), usage

        prompt = "How do lighthouses work?"
        genuine_names, genuine = await warm(app, call, prompt)
        text, usage = await call(prompt)
    check_text(mode, text, genuine)
    assert usage is not None
    assert usage.completion_tokens == count_tokens(text)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert header_names(app) == genuine_names


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_openai_completions(mode: str, stream: bool) -> None:
    app = WireApp(DecoyEngine("sdk-secret"), mode, PARAMS.get(mode))
    async with openai_client(app) as client:

        async def call(prompt: str) -> tuple[str, Any]:
            if not stream:
                completion = await client.completions.create(
                    model="gpt-3.5-turbo-instruct", prompt=prompt, max_tokens=300
                )
                return completion.choices[0].text, completion.usage
            chunks = await client.completions.create(
                model="gpt-3.5-turbo-instruct",
                prompt=prompt,
                max_tokens=300,
                stream=True,
                stream_options={"include_usage": True},
            )
            text, usage = [], None
            async for chunk in chunks:
                if chunk.choices:
                    text.append(chunk.choices[0].text)
                if chunk.usage:
                    usage = chunk.usage
            return "".join(text), usage

        prompt = "Once upon a time, in a valley of rivers"
        genuine_names, genuine = await warm(app, call, prompt)
        text, usage = await call(prompt)
    check_text(mode, text, genuine)
    assert usage is not None and usage.completion_tokens == count_tokens(text)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert header_names(app) == genuine_names


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_openai_responses(mode: str, stream: bool) -> None:
    app = WireApp(DecoyEngine("sdk-secret"), mode, PARAMS.get(mode))
    async with openai_client(app) as client:

        async def call(prompt: str) -> tuple[str, Any]:
            if not stream:
                response = await client.responses.create(model="gpt-4.1", input=prompt)
                assert response.status == "completed"
                return response.output_text, response.usage
            events = await client.responses.create(model="gpt-4.1", input=prompt, stream=True)
            deltas, final, numbers = [], None, []
            async for event in events:
                numbers.append(event.sequence_number)
                if event.type == "response.output_text.delta":
                    deltas.append(event.delta)
                elif event.type == "response.output_text.done":
                    assert event.text == "".join(deltas)
                elif event.type == "response.completed":
                    final = event.response
            assert numbers == list(range(len(numbers)))
            assert final is not None and final.output_text == "".join(deltas)
            return final.output_text, final.usage

        prompt = "Name three rivers and what makes each special."
        genuine_names, genuine = await warm(app, call, prompt)
        text, usage = await call(prompt)
    check_text(mode, text, genuine)
    assert usage is not None and usage.output_tokens == count_tokens(text)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert header_names(app) == genuine_names


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True])
async def test_anthropic_messages(mode: str, stream: bool) -> None:
    app = WireApp(DecoyEngine("sdk-secret"), mode, PARAMS.get(mode))
    async with anthropic_client(app) as client:

        async def call(prompt: str) -> tuple[str, Any]:
            messages = [{"role": "user", "content": prompt}]
            if not stream:
                message = await client.messages.create(
                    model="claude-sonnet-4-6",
                    max_tokens=1024,
                    messages=messages,  # type: ignore[arg-type]
                )
                assert message.stop_reason == "end_turn"
                block = message.content[0]
                assert block.type == "text"
                return block.text, message.usage
            async with client.messages.stream(
                model="claude-sonnet-4-6",
                max_tokens=1024,
                messages=messages,  # type: ignore[arg-type]
            ) as events:
                deltas = [text async for text in events.text_stream]
                final = await events.get_final_message()
            block = final.content[0]
            assert block.type == "text" and block.text == "".join(deltas)
            return block.text, final.usage

        prompt = "Why is the sky blue? Give the physics."
        genuine_names, genuine = await warm(app, call, prompt)
        text, usage = await call(prompt)
    check_text(mode, text, genuine)
    assert usage.output_tokens == count_tokens(text)
    assert header_names(app) == genuine_names
