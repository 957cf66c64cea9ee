"""Decoys, perturbed and watermarked answers on the wire: guard under real uvicorn on loopback,
real openai and anthropic SDK clients, and, for downgrade decoys, a second real upstream.

Which action a request gets is chosen by the model it asks for (a policy rule per model), so
one app serves genuine and acted-on answers side by side and their headers can be compared.
"""

from __future__ import annotations

import inspect
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import anthropic
import openai
import pytest
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from guard import GuardMiddleware
from guard.asgi import replaying
from guard.mock import MockUpstream
from guard.mock.text import count_tokens

SECRET = "wire-secret"
QUESTION = "A train travels 120 km in 2 hours. What is its speed? Explain the steps."
SMALL = "small-model"
DECOY_KEY_ENV = "GUARD_TEST_DECOY_KEY"  # the decoy upstream's own key, set by the tests
ACTIONS: dict[str, dict[str, Any]] = {
    "synthetic": {"action": "decoy", "strategy": "synthetic", "canary": False},
    "mismatch": {"action": "decoy", "strategy": "mismatch", "canary": False},
    "perturb": {"action": "perturb", "strength": 1.0, "final": True},
    "watermark": {"action": "watermark", "strength": 1.0},
}


class Recording:
    """An upstream that remembers the bodies it was asked, optionally with its own extra
    header (a different server) or failing every request."""

    def __init__(self, app: Any, *, header: bytes | None = None, fail: bool = False) -> None:
        self.app = app
        self.header = header
        self.fail = fail
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.headers: list[dict[bytes, bytes]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await Request(scope, receive).body()
        if scope["method"] == "POST":
            self.bodies.append(json.loads(body))
            self.raw.append(body)
            self.headers.append({name.lower(): value for name, value in scope["headers"]})
        if self.fail:
            scope = {**scope, "headers": [*scope["headers"], (b"x-mock-status", b"500")]}

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start" and self.header:
                message = {**message, "headers": [*message["headers"], (self.header, b"1")]}
            await send(message)

        await self.app(scope, replaying(body, receive), marked)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def policy(decoy_base: str) -> dict[str, Any]:
    rules = [
        {"name": name, "when": f"model == '{name}'", "then": then} for name, then in ACTIONS.items()
    ]
    downgrades = {
        "downgrade": {"upstream": decoy_base, "model": SMALL, "api_key_env": DECOY_KEY_ENV},
        "downgrade-same": {"model": SMALL},
        "downgrade-unreachable": {"upstream": f"http://127.0.0.1:{closed_port()}", "model": SMALL},
        "downgrade-failing": {"upstream": decoy_base + "/failing", "model": SMALL},
    }
    for name, options in downgrades.items():
        then = {"action": "decoy", "strategy": "downgrade", "canary": False, **options}
        rules.append({"name": name, "when": f"model == '{name}'", "then": then})
    return {"rules": rules}


class DecoyUpstream:
    """The cheaper model: a mock of another seed, marked by a header of its own; its
    ``/failing`` prefix answers every request with a 500."""

    def __init__(self) -> None:
        self.good = Recording(MockUpstream(seed=9), header=b"x-small-server")
        self.bad = Recording(MockUpstream(seed=9), fail=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if path.startswith("/failing/"):
            inner = path[len("/failing") :]
            scope = {**scope, "path": inner, "raw_path": inner.encode()}
            await self.bad(scope, receive, send)
        else:
            await self.good(scope, receive, send)


@dataclass
class Wire:
    guarded: GuardMiddleware
    genuine: Recording  # the genuine upstream
    small: DecoyUpstream
    oai: openai.AsyncOpenAI
    ant: anthropic.AsyncAnthropic


@asynccontextmanager
async def wire(serve_app: Any) -> AsyncIterator[Wire]:
    """guard in front of the genuine upstream, a decoy upstream, and SDK clients to guard."""
    small = DecoyUpstream()
    async with serve_app(small) as decoy_base:
        genuine = Recording(MockUpstream(seed=5))
        guarded = GuardMiddleware(genuine, policy=policy(decoy_base), secret=SECRET, record_every=1)
        async with (
            serve_app(guarded) as base,
            openai_client(base) as oai,
            anthropic_client(base) as ant,
        ):
            yield Wire(guarded, genuine, small, oai, ant)


def openai_client(base: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{base}/v1", api_key="sk-wire", max_retries=0)


def anthropic_client(base: str) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=base, api_key="sk-wire", max_retries=0)


async def parsed_of(raw: Any) -> Any:
    """The parsed body of an SDK raw response (a coroutine in some SDK versions)."""
    parsed = raw.parse()
    return await parsed if inspect.isawaitable(parsed) else parsed


def names(raw: Any) -> list[bytes]:
    return [name.lower() for name, _ in raw.headers.raw]


async def chat(
    client: openai.AsyncOpenAI, model: str, stream: bool, question: str = QUESTION
) -> tuple[Any, str, Any]:
    """(raw response, text, usage) of one chat completion."""
    messages = [{"role": "user", "content": question}]
    if not stream:
        raw = await client.chat.completions.with_raw_response.create(
            model=model,
            messages=messages,
            max_tokens=300,  # type: ignore[arg-type]
        )
        completion = await parsed_of(raw)
        assert completion.model == model
        return raw, completion.choices[0].message.content or "", completion.usage
    raw = await client.chat.completions.with_raw_response.create(
        model=model,
        messages=messages,  # type: ignore[arg-type]
        max_tokens=300,
        stream=True,
        stream_options={"include_usage": True},
    )
    text, usage, ids = [], None, set()
    async for chunk in await parsed_of(raw):
        ids.add(chunk.id)
        assert chunk.model == model
        if chunk.choices:
            text.append(chunk.choices[0].delta.content or "")
        if chunk.usage:
            usage = chunk.usage
    assert len(ids) == 1
    return raw, "".join(text), usage


async def message(
    client: anthropic.AsyncAnthropic, model: str, stream: bool, question: str = QUESTION
) -> tuple[Any, str, Any]:
    """(raw response, text, usage) of one Anthropic message."""
    messages = [{"role": "user", "content": question}]
    if not stream:
        raw = await client.messages.with_raw_response.create(
            model=model,
            max_tokens=300,
            messages=messages,  # type: ignore[arg-type]
        )
        parsed = await parsed_of(raw)
        assert parsed.model == model
        block = parsed.content[0]
        assert block.type == "text"
        return raw, block.text, parsed.usage
    raw = await client.messages.with_raw_response.create(
        model=model,
        max_tokens=300,
        messages=messages,  # type: ignore[arg-type]
        stream=True,
    )
    text, usage = [], None
    async for event in await parsed_of(raw):
        if event.type == "message_start":
            assert event.message.model == model
        elif event.type == "content_block_delta" and event.delta.type == "text_delta":
            text.append(event.delta.text)
        elif event.type == "message_delta":
            usage = event.usage
    return raw, "".join(text), usage


async def direct_text(base: str, path: str, body: bytes) -> str:
    """What the decoy upstream itself answers to ``body`` (a JSON request, as sent)."""
    headers = {"authorization": "Bearer sk-wire", "content-type": "application/json"}
    async with aiohttp.ClientSession() as session:
        async with session.post(base + path, data=body, headers=headers) as response:
            obj = await response.json()
    if "choices" in obj:
        return str(obj["choices"][0]["message"]["content"])
    return str(obj["content"][0]["text"])


@pytest.mark.parametrize("stream", [False, True])
async def test_downgrade_answers_with_the_cheaper_model_in_the_genuine_format(
    serve_app: Any, stream: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DECOY_KEY_ENV, "sk-decoy-own")
    async with wire(serve_app) as w:
        oai, ant, genuine, small = w.oai, w.ant, w.genuine, w.small
        g_raw, g_text, _ = await chat(oai, "genuine", stream)
        d_raw, d_text, d_usage = await chat(oai, "downgrade", stream)
        ga_raw, _, _ = await message(ant, "genuine", stream)
        da_raw, da_text, da_usage = await message(ant, "downgrade", stream)
    # the decoy upstream was asked for the cheaper model's whole answer, not a stream...
    asked = small.good.bodies
    assert [body["model"] for body in asked] == [SMALL, SMALL]
    assert not any(body.get("stream") for body in asked)
    assert [body["model"] for body in genuine.bodies] == ["genuine", "genuine"]
    # the client's key went to the genuine upstream only; the decoy upstream got its own
    assert genuine.headers[0][b"authorization"] == b"Bearer sk-wire"
    sent = small.good.headers
    assert sent[0].get(b"authorization") == b"Bearer sk-decoy-own"
    assert sent[1].get(b"x-api-key") == b"sk-decoy-own" and b"authorization" not in sent[1]
    assert not any(b"sk-wire" in value for headers in sent for value in headers.values())
    # ...and the client got that answer's text
    async with serve_app(MockUpstream(seed=9)) as small_base:
        assert d_text == await direct_text(small_base, "/v1/chat/completions", small.good.raw[0])
        assert da_text == await direct_text(small_base, "/v1/messages", small.good.raw[1])
    assert d_text != g_text
    assert d_usage is not None and d_usage.completion_tokens == count_tokens(d_text)
    assert d_usage.total_tokens == d_usage.prompt_tokens + d_usage.completion_tokens
    assert da_usage is not None and da_usage.output_tokens == count_tokens(da_text)
    # the genuine route's headers, in its order; nothing of the decoy server's own
    assert names(d_raw) == names(g_raw) and d_raw.status_code == g_raw.status_code == 200
    assert names(da_raw) == names(ga_raw) and da_raw.status_code == 200
    assert b"x-small-server" not in names(d_raw) + names(da_raw)


async def test_downgrade_without_an_upstream_asks_the_wrapped_app_for_the_cheaper_model(
    serve_app: Any,
) -> None:
    async with wire(serve_app) as w:
        oai, genuine, small = w.oai, w.genuine, w.small
        g_raw, _, _ = await chat(oai, "genuine", False)
        d_raw, d_text, _ = await chat(oai, "downgrade-same", False)
    assert [body["model"] for body in genuine.bodies] == ["genuine", SMALL]
    assert small.good.bodies == []
    assert d_text and names(d_raw) == names(g_raw)


@pytest.mark.parametrize("model", ["downgrade-unreachable", "downgrade-failing"])
@pytest.mark.parametrize("stream", [False, True])
async def test_a_failing_decoy_upstream_falls_back_to_a_synthetic_decoy(
    serve_app: Any, model: str, stream: bool
) -> None:
    async with wire(serve_app) as w:
        oai, ant, genuine, small = w.oai, w.ant, w.genuine, w.small
        for i in range(3):  # genuine answers to recombine and shape the decoy after
            g_raw, g_text, _ = await chat(oai, "genuine", stream, f"{QUESTION} ({i})")
            ga_raw, _, _ = await message(ant, "genuine", stream, f"{QUESTION} [{i}]")
        d_raw, d_text, d_usage = await chat(oai, model, stream)
        da_raw, da_text, _ = await message(ant, model, stream)
    if model == "downgrade-failing":
        assert [body["model"] for body in small.bad.bodies] == [SMALL, SMALL]
    assert d_text and da_text and d_text != g_text
    assert "error" not in d_text.lower() and "500" not in d_text
    assert d_usage is not None and d_usage.completion_tokens == count_tokens(d_text)
    assert names(d_raw) == names(g_raw) and d_raw.status_code == 200
    assert names(da_raw) == names(ga_raw) and da_raw.status_code == 200
    assert len(genuine.bodies) == 6  # the genuine model answered only the genuine requests


@pytest.mark.parametrize("stream", [False, True])
async def test_acted_answers_carry_the_genuine_headers_in_order(
    serve_app: Any, stream: bool
) -> None:
    async with wire(serve_app) as w:
        oai, ant = w.oai, w.ant
        for i in range(2):  # genuine answers teach the decoys their shape
            g_raw, g_text, _ = await chat(oai, "genuine", stream, f"{QUESTION} ({i})")
            ga_raw, _, _ = await message(ant, "genuine", stream, f"{QUESTION} [{i}]")
        for model in [*ACTIONS, "downgrade"]:
            raw, text, usage = await chat(oai, model, stream)
            assert text and text != g_text, model
            assert usage is not None and usage.completion_tokens == count_tokens(text), model
            assert names(raw) == names(g_raw), model
            assert raw.status_code == g_raw.status_code == 200
            raw, text, usage = await message(ant, model, stream)
            assert text and usage is not None and usage.output_tokens > 0
            assert names(raw) == names(ga_raw), model
            assert raw.status_code == ga_raw.status_code == 200


async def test_the_decoy_session_opens_at_start_up_and_closes_at_shutdown(
    serve_app: Any,
) -> None:
    async with wire(serve_app) as w:
        session = opened(w.guarded)
    assert session.closed


async def test_an_app_without_lifespan_still_gets_its_decoy_session_closed(
    serve_app: Any,
) -> None:
    upstream = MockUpstream()

    async def no_lifespan(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http", "this app does not do lifespan"
        await upstream(scope, receive, send)

    guarded = GuardMiddleware(no_lifespan, policy=DOWNGRADE_NEVER, secret=SECRET)
    async with serve_app(guarded, lifespan="on") as base:  # "on": a failed start-up stops it
        session = opened(guarded)
        async with openai_client(base) as oai:
            completion = await oai.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
        assert completion.choices[0].message.content
    assert session.closed


async def test_no_decoy_session_without_downgrade_decoys(serve_app: Any) -> None:
    guarded = GuardMiddleware(MockUpstream(), policy={}, secret=SECRET)
    async with serve_app(guarded, lifespan="on") as base:
        assert guarded._downgrader is None  # the default policy has no downgrade decoys
        async with openai_client(base) as oai:
            completion = await oai.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
        assert completion.choices[0].message.content
        assert guarded._downgrader is None


# A policy with a downgrade decoy that never fires: the session still opens at start-up.
DOWNGRADE_NEVER = {
    "rules": [
        {
            "name": "never",
            "when": "score > 1",
            "then": {"action": "decoy", "strategy": "downgrade", "model": "cheap"},
        }
    ]
}


def opened(guarded: GuardMiddleware) -> aiohttp.ClientSession:
    """The session the middleware opened at start-up (before any request asked for one)."""
    downgrader = guarded._downgrader
    assert downgrader is not None
    session = downgrader._session
    assert session is not None and not session.closed
    return session
