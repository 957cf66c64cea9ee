"""The mock upstream, driven by the real openai and anthropic SDKs.

Every body is also validated strictly with the SDKs' pydantic models (the SDKs themselves
parse leniently), so a missing or mistyped field fails here.
"""

from __future__ import annotations

import json
import typing
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2
import openai
import pydantic
import pytest
from anthropic.types import Message, RawMessageStreamEvent
from openai.types import Completion
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent

from guard.mock import MockUpstream, count_tokens

NOW = 1_700_000_000
QUESTION = "Explain how photosynthesis works in desert plants."


@pytest.fixture
def app() -> MockUpstream:
    return MockUpstream(seed=7, clock=lambda: NOW)


@pytest.fixture
async def raw(app: MockUpstream) -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.fixture
async def oai(app: MockUpstream) -> AsyncIterator[openai.AsyncOpenAI]:
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
    async with openai.AsyncOpenAI(
        base_url="http://test/v1", api_key="sk-test", http_client=http, max_retries=0
    ) as client:
        yield client


@pytest.fixture
async def ant(app: MockUpstream) -> AsyncIterator[anthropic.AsyncAnthropic]:
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))
    async with anthropic.AsyncAnthropic(
        base_url="http://test", api_key="sk-ant-test", http_client=http, max_retries=0
    ) as client:
        yield client


OPENAI_AUTH = {"authorization": "Bearer sk-test"}
ANTHROPIC_AUTH = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}


def chat_body(**extra: Any) -> dict[str, Any]:
    return {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": QUESTION},
        ],
        **extra,
    }


def parse_sse(raw: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) of each server-sent event, checking the framing on the way."""
    assert raw.endswith(b"\n\n")
    events = []
    for block in raw.decode().split("\n\n")[:-1]:
        name = None
        lines = block.split("\n")
        if lines[0].startswith("event: "):
            name = lines.pop(0).removeprefix("event: ")
        [line] = lines
        assert line.startswith("data: ")
        events.append((name, line.removeprefix("data: ")))
    return events


def strict(model: Any, payload: Any) -> Any:
    """Validate ``payload`` against an SDK model, or the member of a union its "type" names."""
    members = typing.get_args(typing.get_args(model)[0]) if typing.get_origin(model) else ()
    for member in members:
        if payload.get("type") in typing.get_args(member.model_fields["type"].annotation):
            return member.model_validate(payload)
    return pydantic.TypeAdapter(model).validate_python(payload)


# --- chat completions -----------------------------------------------------------------------


async def test_chat_json_parses_and_usage_adds_up(oai: openai.AsyncOpenAI) -> None:
    raw = await oai.chat.completions.with_raw_response.create(**chat_body())
    completion = raw.parse()
    strict(ChatCompletion, json.loads(raw.http_response.content))
    assert completion.id.startswith("chatcmpl-") and len(completion.id) == len("chatcmpl-") + 29
    assert completion.object == "chat.completion"
    assert completion.created == NOW
    assert completion.model == "gpt-4o-mini"
    [choice] = completion.choices
    assert choice.index == 0 and choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    text = choice.message.content
    assert text and len(text.split()) > 30
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == count_tokens("You are terse.") + count_tokens(QUESTION)
    assert usage.completion_tokens == count_tokens(text)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert raw.request_id == raw.headers["x-request-id"]
    assert raw.headers["content-type"] == "application/json"
    assert int(raw.headers["openai-processing-ms"]) >= 1


async def test_chat_answer_is_on_topic(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(**chat_body())
    text = completion.choices[0].message.content or ""
    assert "photosynthesis" in text or "desert plants" in text


async def test_chat_stream_matches_json_answer(oai: openai.AsyncOpenAI) -> None:
    whole = await oai.chat.completions.create(**chat_body())
    stream = await oai.chat.completions.create(
        **chat_body(), stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    assert len({chunk.id for chunk in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-")
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    content = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert len([piece for piece in content if piece]) > 5
    assert "".join(content) == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage == whole.usage
    assert all(chunk.usage is None for chunk in chunks[:-1])


async def test_chat_stream_wire_format(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(
        "/v1/chat/completions",
        json=chat_body(stream=True, stream_options={"include_usage": True}),
        headers=OPENAI_AUTH,
    )
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = parse_sse(response.content)
    assert events[-1] == (None, "[DONE]")
    assert all(name is None for name, _ in events)
    for _, data in events[:-1]:
        strict(ChatCompletionChunk, json.loads(data))


async def test_chat_stream_without_usage_option_has_no_usage(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(
        "/v1/chat/completions", json=chat_body(stream=True), headers=OPENAI_AUTH
    )
    chunks = [json.loads(data) for _, data in parse_sse(response.content)[:-1]]
    assert all("usage" not in chunk and chunk["choices"] for chunk in chunks)


async def test_chat_stream_helper_accumulates(oai: openai.AsyncOpenAI) -> None:
    whole = await oai.chat.completions.create(**chat_body())
    async with oai.chat.completions.stream(
        **chat_body(), stream_options={"include_usage": True}
    ) as stream:
        final = await stream.get_final_completion()
    assert final.choices[0].message.content == whole.choices[0].message.content
    assert final.usage is not None and final.usage.total_tokens == whole.usage.total_tokens


async def test_chat_n_choices(oai: openai.AsyncOpenAI) -> None:
    completion = await oai.chat.completions.create(**chat_body(), n=3)
    texts = [choice.message.content or "" for choice in completion.choices]
    assert [choice.index for choice in completion.choices] == [0, 1, 2]
    assert len(set(texts)) == 3
    assert completion.usage is not None
    assert completion.usage.completion_tokens == sum(count_tokens(t) for t in texts)
    single = await oai.chat.completions.create(**chat_body())
    assert single.choices[0].message.content == texts[0]

    stream = await oai.chat.completions.create(**chat_body(), n=3, stream=True)
    streamed = ["", "", ""]
    async for chunk in stream:
        for choice in chunk.choices:
            streamed[choice.index] += choice.delta.content or ""
    assert streamed == texts


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
async def test_chat_max_tokens_truncates(oai: openai.AsyncOpenAI, field: str) -> None:
    completion = await oai.chat.completions.create(**chat_body(**{field: 12}))
    choice = completion.choices[0]
    assert choice.finish_reason == "length"
    assert completion.usage is not None and completion.usage.completion_tokens == 12
    assert count_tokens(choice.message.content or "") == 12
    full = await oai.chat.completions.create(**chat_body())
    assert (full.choices[0].message.content or "").startswith(choice.message.content or "-")

    stream = await oai.chat.completions.create(
        **chat_body(**{field: 12}), stream=True, stream_options={"include_usage": True}
    )
    chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == choice.message.content
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 12


async def test_chat_stop_sequence(oai: openai.AsyncOpenAI) -> None:
    full = (await oai.chat.completions.create(**chat_body())).choices[0].message.content or ""
    word = full.split()[5]
    completion = await oai.chat.completions.create(**chat_body(), stop=[word])
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.content == full[: full.index(word)]


# --- legacy completions ---------------------------------------------------------------------


async def test_completions_default_to_16_tokens(oai: openai.AsyncOpenAI) -> None:
    raw = await oai.completions.with_raw_response.create(
        model="gpt-3.5-turbo-instruct", prompt=QUESTION
    )
    completion = raw.parse()
    strict(Completion, json.loads(raw.http_response.content))
    assert completion.id.startswith("cmpl-") and completion.object == "text_completion"
    [choice] = completion.choices
    assert choice.finish_reason == "length" and count_tokens(choice.text) == 16
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == count_tokens(QUESTION)
    assert completion.usage.completion_tokens == 16
    assert completion.usage.total_tokens == count_tokens(QUESTION) + 16


async def test_completions_prompt_list_n_and_stream(oai: openai.AsyncOpenAI) -> None:
    prompts = ["Describe volcanoes.", "Describe glaciers."]
    completion = await oai.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=prompts, n=2, max_tokens=400
    )
    assert [c.index for c in completion.choices] == [0, 1, 2, 3]
    assert all(c.finish_reason == "stop" for c in completion.choices)
    assert "volcanoes" in completion.choices[0].text
    assert "glaciers" in completion.choices[2].text
    assert completion.usage is not None
    assert completion.usage.completion_tokens == sum(
        count_tokens(c.text) for c in completion.choices
    )

    stream = await oai.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt=prompts,
        n=2,
        max_tokens=400,
        stream=True,
        stream_options={"include_usage": True},
    )
    texts = ["", "", "", ""]
    usage = None
    async for chunk in stream:
        # No strict check: streamed chunks carry finish_reason null, which the SDK's
        # Completion model (shared with JSON answers) does not allow.
        for choice in chunk.choices:
            texts[choice.index] += choice.text
        usage = chunk.usage or usage
    assert texts == [c.text for c in completion.choices]
    assert usage == completion.usage


# --- responses ------------------------------------------------------------------------------


async def test_responses_json(oai: openai.AsyncOpenAI) -> None:
    raw = await oai.responses.with_raw_response.create(
        model="gpt-4.1", instructions="Be brief.", input=QUESTION
    )
    response = raw.parse()
    strict(Response, json.loads(raw.http_response.content))
    assert response.id.startswith("resp_") and response.object == "response"
    assert response.status == "completed" and response.incomplete_details is None
    assert response.created_at == NOW
    [item] = response.output
    assert item.type == "message" and item.id.startswith("msg_")
    text = response.output_text
    assert "photosynthesis" in text or "desert plants" in text
    usage = response.usage
    assert usage is not None
    assert usage.input_tokens == count_tokens("Be brief.") + count_tokens(QUESTION)
    assert usage.output_tokens == count_tokens(text)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens


async def test_responses_input_items(oai: openai.AsyncOpenAI) -> None:
    response = await oai.responses.create(
        model="gpt-4.1",
        input=[
            {"role": "user", "content": "Tell me about volcanoes."},
            {"role": "assistant", "content": "They erupt."},
            {"role": "user", "content": [{"type": "input_text", "text": QUESTION}]},
        ],
    )
    assert response.usage is not None
    assert response.usage.input_tokens == sum(
        count_tokens(t) for t in ("Tell me about volcanoes.", "They erupt.", QUESTION)
    )


async def test_responses_stream_event_sequence(oai: openai.AsyncOpenAI) -> None:
    whole = await oai.responses.create(model="gpt-4.1", input=QUESTION)
    stream = await oai.responses.create(model="gpt-4.1", input=QUESTION, stream=True)
    events = [event async for event in stream]
    for event in events:
        strict(ResponseStreamEvent, event.to_dict())
    kinds = [event.type for event in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 5 and "".join(deltas) == whole.output_text
    assert [event.sequence_number for event in events] == list(range(len(events)))
    final = events[-1]
    assert final.type == "response.completed"
    assert final.response.usage == whole.usage


async def test_responses_stream_helper(oai: openai.AsyncOpenAI) -> None:
    whole = await oai.responses.create(model="gpt-4.1", input=QUESTION)
    async with oai.responses.stream(model="gpt-4.1", input=QUESTION) as stream:
        final = await stream.get_final_response()
    assert final.output_text == whole.output_text
    assert final.usage == whole.usage


async def test_responses_truncation(oai: openai.AsyncOpenAI) -> None:
    response = await oai.responses.create(model="gpt-4.1", input=QUESTION, max_output_tokens=16)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage is not None and response.usage.output_tokens == 16
    assert count_tokens(response.output_text) == 16

    stream = await oai.responses.create(
        model="gpt-4.1", input=QUESTION, max_output_tokens=16, stream=True
    )
    events = [event async for event in stream]
    final = events[-1]
    assert final.type == "response.incomplete"
    assert final.response.output_text == response.output_text
    assert final.response.usage == response.usage


async def test_responses_wire_events_are_named(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(
        "/v1/responses", json={"model": "m", "input": "hi", "stream": True}, headers=OPENAI_AUTH
    )
    for name, data in parse_sse(response.content):
        assert name == json.loads(data)["type"]


# --- models ---------------------------------------------------------------------------------


async def test_models_in_each_api_shape(
    oai: openai.AsyncOpenAI, ant: anthropic.AsyncAnthropic
) -> None:
    ids = [model.id async for model in oai.models.list()]
    assert "gpt-4o-mini" in ids
    claude = [model async for model in ant.models.list()]
    assert claude and all(model.id.startswith("claude-") for model in claude)
    assert claude[0].display_name


# --- anthropic messages ---------------------------------------------------------------------


def message_body(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-6",
        "max_tokens": 1024,
        "system": "You are terse.",
        "messages": [{"role": "user", "content": QUESTION}],
        **extra,
    }


async def test_messages_json(ant: anthropic.AsyncAnthropic) -> None:
    raw = await ant.messages.with_raw_response.create(**message_body())
    message = await raw.parse()
    strict(Message, json.loads(raw.http_response.content))
    assert message.id.startswith("msg_01") and len(message.id) == 28
    assert message.type == "message" and message.role == "assistant"
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    [block] = message.content
    assert block.type == "text"
    assert message.usage.input_tokens == count_tokens("You are terse.") + count_tokens(QUESTION)
    assert message.usage.output_tokens == count_tokens(block.text)
    assert raw.request_id == raw.headers["request-id"]
    assert raw.headers["request-id"].startswith("req_011C")


async def test_messages_stream_event_sequence(ant: anthropic.AsyncAnthropic) -> None:
    whole = await ant.messages.create(**message_body())
    stream = await ant.messages.create(**message_body(), stream=True)
    events = [event async for event in stream]
    for event in events:
        strict(RawMessageStreamEvent, event.to_dict())
    kinds = [event.type for event in events]
    assert kinds[:2] == ["message_start", "content_block_start"]
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[2:-3]) == {"content_block_delta"}
    text = "".join(
        e.delta.text
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "text_delta"
    )
    assert text == whole.content[0].text
    delta = events[-2]
    assert delta.type == "message_delta"
    assert delta.usage.output_tokens == whole.usage.output_tokens
    assert delta.delta.stop_reason == "end_turn"


async def test_messages_wire_has_event_lines_and_ping(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(
        "/v1/messages", json=message_body(stream=True), headers=ANTHROPIC_AUTH
    )
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    events = parse_sse(response.content)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "content_block_start", "ping"]
    assert all(name == json.loads(data)["type"] for name, data in events)


async def test_messages_stream_helper_truncates(ant: anthropic.AsyncAnthropic) -> None:
    async with ant.messages.stream(**message_body(max_tokens=9)) as stream:
        final = await stream.get_final_message()
    assert final.stop_reason == "max_tokens"
    assert final.usage.output_tokens == 9
    assert count_tokens(final.content[0].text) == 9  # type: ignore[union-attr]
    assert final.usage.input_tokens == count_tokens("You are terse.") + count_tokens(QUESTION)


async def test_messages_stop_sequence(ant: anthropic.AsyncAnthropic) -> None:
    full = (await ant.messages.create(**message_body())).content[0].text
    word = full.split()[4]
    message = await ant.messages.create(**message_body(), stop_sequences=[word])
    assert message.stop_reason == "stop_sequence" and message.stop_sequence == word
    assert message.content[0].text == full[: full.index(word)]


# --- errors ---------------------------------------------------------------------------------


async def test_openai_malformed_json_is_400(raw: httpx2.AsyncClient) -> None:
    response = await raw.post("/v1/chat/completions", content=b"{not json", headers={**OPENAI_AUTH})
    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert "could not parse the JSON body" in error["message"]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "model", "missing_required_parameter"),
        ({"model": "m"}, "messages", "missing_required_parameter"),
        ({"model": "m", "messages": []}, "messages", "empty_array"),
        ({"model": "m", "messages": "hi"}, "messages", "invalid_type"),
        ({"model": "m", "messages": [{"content": "hi"}]}, "messages[0].role", None),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": "9"},
            "max_tokens",
            "invalid_type",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 0},
            "n",
            "integer_below_min_value",
        ),
    ],
)
async def test_openai_invalid_fields_are_400(
    oai: openai.AsyncOpenAI, body: dict[str, Any], param: str, code: str | None
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await oai.post("/chat/completions", body=body, cast_to=ChatCompletion)
    error = caught.value.body
    assert isinstance(error, dict)
    assert error["param"] == param
    assert code is None or error["code"] == code


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}]},
            "max_tokens: Field required",
        ),
        ({"model": "m", "max_tokens": 5}, "messages: Field required"),
        ({"messages": [], "max_tokens": 5}, "model: Field required"),
        ({"model": "m", "max_tokens": 5, "messages": []}, "at least one message"),
    ],
)
async def test_anthropic_invalid_fields_are_400(
    ant: anthropic.AsyncAnthropic, body: dict[str, Any], message: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        await ant.post("/v1/messages", body=body, cast_to=Message)
    assert caught.value.status_code == 400
    assert caught.value.type == "invalid_request_error"
    assert message in caught.value.message


async def test_anthropic_malformed_json_is_400(raw: httpx2.AsyncClient) -> None:
    response = await raw.post("/v1/messages", content=b"[1,", headers=ANTHROPIC_AUTH)
    assert response.status_code == 400
    payload = response.json()
    assert payload["type"] == "error" and payload["error"]["type"] == "invalid_request_error"
    assert payload["request_id"] == response.headers["request-id"]


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/responses", "/v1/models"])
async def test_openai_without_key_is_401(raw: httpx2.AsyncClient, path: str) -> None:
    method = "GET" if path == "/v1/models" else "POST"
    response = await raw.request(method, path, json={})
    assert response.status_code == 401
    assert "didn't provide an API key" in response.json()["error"]["message"]


async def test_anthropic_without_key_is_401(raw: httpx2.AsyncClient) -> None:
    response = await raw.post(
        "/v1/messages", json=message_body(), headers={"anthropic-version": "2023-06-01"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == {
        "type": "authentication_error",
        "message": "x-api-key header is required",
    }


async def test_unknown_paths_are_404_in_each_shape(raw: httpx2.AsyncClient) -> None:
    response = await raw.post("/v1/nothing", json={}, headers=OPENAI_AUTH)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Invalid URL (POST /v1/nothing)"
    response = await raw.get("/v1/chat/completions", headers=OPENAI_AUTH)
    assert response.status_code == 404
    response = await raw.post("/v1/messages/batches/x", json={}, headers=ANTHROPIC_AUTH)
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"


async def test_forced_status_reaches_the_sdks(
    oai: openai.AsyncOpenAI, ant: anthropic.AsyncAnthropic
) -> None:
    with pytest.raises(openai.InternalServerError) as oai_error:
        await oai.chat.completions.create(**chat_body(), extra_headers={"x-mock-status": "500"})
    assert oai_error.value.status_code == 500
    with pytest.raises(openai.RateLimitError):
        await oai.chat.completions.create(**chat_body(), extra_headers={"x-mock-status": "429"})
    with pytest.raises(anthropic.InternalServerError) as ant_error:
        await ant.messages.create(**message_body(), extra_headers={"x-mock-status": "529"})
    assert ant_error.value.status_code == 529
    assert ant_error.value.type == "overloaded_error"


# --- determinism ----------------------------------------------------------------------------


async def test_same_request_same_bytes(raw: httpx2.AsyncClient) -> None:
    for path, body, headers in [
        ("/v1/chat/completions", chat_body(), OPENAI_AUTH),
        ("/v1/chat/completions", chat_body(stream=True), OPENAI_AUTH),
        ("/v1/responses", {"model": "m", "input": QUESTION, "stream": True}, OPENAI_AUTH),
        ("/v1/messages", message_body(stream=True), ANTHROPIC_AUTH),
    ]:
        first = await raw.post(path, json=body, headers=headers)
        second = await raw.post(path, json=body, headers=headers)
        assert first.status_code == 200
        assert first.content == second.content
        request_id = "request-id" if path == "/v1/messages" else "x-request-id"
        assert first.headers[request_id] != second.headers[request_id]


async def test_answers_depend_on_seed_and_prompt() -> None:
    async def answer(seed: int, prompt: str) -> str:
        transport = httpx2.ASGITransport(app=MockUpstream(seed=seed))
        async with httpx2.AsyncClient(transport=transport, base_url="http://t") as client:
            body = {"model": "m", "messages": [{"role": "user", "content": prompt}]}
            response = await client.post("/v1/chat/completions", json=body, headers=OPENAI_AUTH)
        content: str = response.json()["choices"][0]["message"]["content"]
        return content

    assert await answer(1, QUESTION) == await answer(1, QUESTION)
    assert await answer(1, QUESTION) != await answer(2, QUESTION)
    assert await answer(1, QUESTION) != await answer(1, QUESTION + " Briefly.")
    prompts = [f"Explain {topic}." for topic in ("tides", "volcanoes", "inflation", "DNS")]
    answers = [await answer(0, prompt) for prompt in prompts]
    assert len(set(answers)) == len(prompts)


def test_count_tokens_counts_words_and_punctuation() -> None:
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("It's 3.5 km.") == 8
    assert count_tokens("") == 0


# --- streaming is paced ---------------------------------------------------------------------


async def test_stream_arrives_in_pieces(serve_app: Any) -> None:
    app = MockUpstream(chunk_delay=0.02)
    async with serve_app(app) as base_url, httpx2.AsyncClient(base_url=base_url) as client:
        async with client.stream(
            "POST",
            "/v1/chat/completions",
            json=chat_body(stream=True, max_tokens=20),
            headers=OPENAI_AUTH,
        ) as response:
            pieces = [piece async for piece in response.aiter_raw()]
    assert len(pieces) > 5
    assert b"[DONE]" not in pieces[0]
    assert b"".join(pieces).endswith(b"data: [DONE]\n\n")
