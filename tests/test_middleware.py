"""GuardMiddleware end to end, driven by the real openai and anthropic SDKs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import openai
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from guard import GuardMiddleware
from guard.errors import StoreError
from guard.mock import MockUpstream
from guard.models import KeyState, RateResult
from guard.store.base import Observation, RateLimit, SketchSpec
from guard.store.memory import MemoryStore

# The SDKs ship their own HTTP client package (httpx or httpx2, by version): use theirs.
http = sys.modules[openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]]

SECRET = "test-secret"
THROTTLE_ALL: dict[str, Any] = {"rules": [{"name": "all", "then": "throttle"}]}


def openai_client(app: Any, key: str = "sk-test", **kwargs: Any) -> openai.AsyncOpenAI:
    transport = http.ASGITransport(app=app)
    return openai.AsyncOpenAI(
        base_url="http://testserver/v1",
        api_key=key,
        http_client=http.AsyncClient(transport=transport, base_url="http://testserver"),
        max_retries=0,
        **kwargs,
    )


def anthropic_client(app: Any, key: str = "sk-ant-test") -> anthropic.AsyncAnthropic:
    transport = http.ASGITransport(app=app)
    return anthropic.AsyncAnthropic(
        base_url="http://testserver",
        api_key=key,
        http_client=http.AsyncClient(transport=transport, base_url="http://testserver"),
        max_retries=0,
    )


def guarded(app: Any = None, policy: Any = None, **kwargs: Any) -> GuardMiddleware:
    return GuardMiddleware(app or MockUpstream(), policy=policy or {}, secret=SECRET, **kwargs)


async def key_state(mw: GuardMiddleware, key: str) -> KeyState:
    pipeline = mw.pipeline
    key_id = pipeline.identify([(b"authorization", f"Bearer {key}".encode())], "").key_id
    state = await pipeline.store.state(key_id, pipeline.clock(), pipeline.policy.sketch_spec())
    assert state is not None
    return state


# Real SDKs through the middleware --------------------------------------------------------


async def test_openai_chat_json_and_usage_accounted() -> None:
    mw = guarded()
    async with openai_client(mw) as client:
        completion = await client.chat.completions.create(
            model="mock-gpt",
            messages=[
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "What is the boiling point of water at sea level?"},
            ],
        )
    assert completion.choices[0].message.content
    assert completion.usage is not None
    day = (await key_state(mw, "sk-test")).window("day")
    assert day.requests == 1 and day.distinct_cells == 1
    assert day.output_tokens == completion.usage.completion_tokens


async def test_openai_chat_stream_passes_and_usage_accounted() -> None:
    mw = guarded()
    async with openai_client(mw) as client:
        stream = await client.chat.completions.create(
            model="mock-gpt",
            messages=[{"role": "user", "content": "Tell me about tides."}],
            stream=True,
            stream_options={"include_usage": True},
        )
        text, usage = [], None
        async for chunk in stream:
            if chunk.choices:
                text.append(chunk.choices[0].delta.content or "")
            if chunk.usage:
                usage = chunk.usage
    assert "".join(text)
    assert usage is not None
    day = (await key_state(mw, "sk-test")).window("day")
    assert day.output_tokens == usage.completion_tokens


async def test_openai_completions_and_responses() -> None:
    mw = guarded()
    async with openai_client(mw) as client:
        legacy = await client.completions.create(model="mock-gpt", prompt="Once upon a time")
        response = await client.responses.create(model="mock-gpt", input="Name three rivers.")
        streamed = await client.responses.create(
            model="mock-gpt", input="Name three lakes.", stream=True
        )
        events = [event.type async for event in streamed]
    assert legacy.choices[0].text and response.output_text
    assert events[0] == "response.created" and events[-1] == "response.completed"
    state = await key_state(mw, "sk-test")
    assert state.window("day").requests == 3


async def test_anthropic_messages_json_and_stream() -> None:
    mw = guarded()
    async with anthropic_client(mw) as client:
        message = await client.messages.create(
            model="mock-claude",
            max_tokens=64,
            system=[{"type": "text", "text": "Be brief."}],
            messages=[
                {"role": "user", "content": [{"type": "text", "text": "Why is the sky blue?"}]}
            ],
        )
        async with client.messages.stream(
            model="mock-claude",
            max_tokens=64,
            messages=[{"role": "user", "content": "Why is the sea salty?"}],
        ) as stream:
            streamed = await stream.get_final_message()
    assert message.content[0].type == "text"
    day = (await key_state(mw, "sk-ant-test")).window("day")
    assert day.requests == 2
    assert day.output_tokens == message.usage.output_tokens + streamed.usage.output_tokens


async def test_throttle_is_a_rate_limit_error_in_each_api_shape() -> None:
    mw = guarded(policy=THROTTLE_ALL)
    async with openai_client(mw) as client:
        with pytest.raises(openai.RateLimitError) as oai:
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
    assert oai.value.status_code == 429
    assert int(oai.value.response.headers["retry-after"]) >= 1
    assert oai.value.body["code"] == "rate_limit_exceeded"  # type: ignore[index]
    async with anthropic_client(mw) as aclient:
        with pytest.raises(anthropic.RateLimitError) as ant:
            await aclient.messages.create(
                model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
            )
    assert ant.value.body["error"]["type"] == "rate_limit_error"  # type: ignore[index]


async def test_block_is_permission_denied() -> None:
    mw = guarded(policy={"rules": [{"name": "deny", "when": "has_key", "then": "block"}]})
    async with openai_client(mw) as client:
        with pytest.raises(openai.PermissionDeniedError):
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "hi"}]
            )
    async with anthropic_client(mw) as aclient:
        with pytest.raises(anthropic.PermissionDeniedError):
            await aclient.messages.create(
                model="m", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
            )


async def test_rate_limit_rule_throttles_after_burst() -> None:
    policy = {
        "rate_limits": {"requests": {"rate": "2/hour", "burst": 2}},
        "rules": [{"name": "rate", "when": "rate.requests", "then": "throttle"}],
    }
    mw = guarded(policy=policy)
    async with openai_client(mw) as client:
        for _ in range(2):
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "a"}]
            )
        with pytest.raises(openai.RateLimitError) as info:
            await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "a"}]
            )
    # The GCRA's own wait (about half an hour at 2/hour) is what Retry-After says.
    assert 1500 <= int(info.value.response.headers["retry-after"]) <= 1801


async def test_shadow_mode_changes_nothing_for_the_client() -> None:
    mw = guarded(policy={**THROTTLE_ALL, "mode": "shadow"})
    async with openai_client(mw) as client:
        completion = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}]
        )
    assert completion.choices[0].message.content
    meta = await mw.pipeline.store.meta(
        mw.pipeline.identify([(b"authorization", b"Bearer sk-test")], "").key_id
    )
    assert meta is not None and meta["action"] == "throttle" and meta["enforced"] == "allow"


# Byte identity and streaming ---------------------------------------------------------------


class Recorder:
    """An ASGI app that records the body it receives and answers with fixed bytes."""

    def __init__(
        self, response: bytes = b'{"ok": true}', content_type: bytes = b"application/json"
    ) -> None:
        self.bodies: list[bytes] = []
        self.scopes: list[str] = []
        self.response = response
        self.content_type = content_type

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.scopes.append(scope["type"])
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.bodies.append(body)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", self.content_type)],
            }
        )
        await send({"type": "http.response.body", "body": self.response})


async def call_asgi(
    app: Any, path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, dict[bytes, bytes], bytes]:
    """Drive an ASGI app directly, sending the body in the given chunks."""
    pending = list(chunks)
    messages: list[Message] = []

    async def receive() -> Message:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers if headers is not None else [(b"content-type", b"application/json")],
        "client": ("203.0.113.9", 5000),
        "server": ("testserver", 80),
        "scheme": "http",
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }
    await app(scope, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), body


async def test_request_body_reaches_app_byte_identical() -> None:
    recorder = Recorder()
    mw = guarded(recorder)
    body = json.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "héllo \u2028 \\u00e9 😀"}]},
        ensure_ascii=False,
    ).encode()
    chunks = [body[:7], body[7:8], body[8:]]
    status, _, response = await call_asgi(mw, "/v1/chat/completions", chunks)
    assert status == 200 and response == b'{"ok": true}'
    assert recorder.bodies == [body]


async def test_responses_are_byte_identical_to_the_bare_app() -> None:
    def clock() -> float:
        return 1_700_000_000.0

    upstream = MockUpstream(seed=3, clock=clock)
    mw = guarded(MockUpstream(seed=3, clock=clock))
    requests = [
        ("/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "x y"}]}),
        (
            "/v1/chat/completions",
            {"model": "m", "stream": True, "messages": [{"role": "user", "content": "x y"}]},
        ),
        (
            "/v1/messages",
            {
                "model": "m",
                "max_tokens": 50,
                "stream": True,
                "messages": [{"role": "user", "content": "q"}],
            },
        ),
    ]
    headers = [(b"content-type", b"application/json"), (b"authorization", b"Bearer sk-1")]
    for path, payload in requests:
        body = json.dumps(payload).encode()
        direct = await call_asgi(upstream, path, [body], headers)
        through = await call_asgi(mw, path, [body], headers)
        assert through[0] == direct[0] == 200
        assert through[2] == direct[2]  # ids derive from the body, the clock is pinned
        assert through[1].keys() == direct[1].keys()


async def test_stream_chunks_are_forwarded_unbuffered() -> None:
    release = asyncio.Event()

    async def streaming_app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        await send({"type": "http.response.body", "body": b"data: first\n\n", "more_body": True})
        await release.wait()  # only the client having seen "first" releases the rest
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})

    mw = guarded(streaming_app)
    seen: list[bytes] = []

    async def receive() -> Message:
        return {
            "type": "http.request",
            "body": b'{"model":"m","messages":[{"role":"user","content":"a"}],"stream":true}',
        }

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            seen.append(message["body"])
            if message["body"] == b"data: first\n\n":
                release.set()

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "headers": [(b"content-type", b"application/json")],
        "client": ("1.2.3.4", 1),
    }
    await asyncio.wait_for(mw(scope, receive, send), timeout=5)
    assert seen == [b"data: first\n\n", b"data: [DONE]\n\n"]


async def test_lifespan_and_websocket_pass_through() -> None:
    async def ws_endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    started: list[bool] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started.append(True)
        yield

    app = Starlette(routes=[WebSocketRoute("/ws", ws_endpoint)], lifespan=lifespan)
    with TestClient(guarded(app)) as client, client.websocket_connect("/ws") as ws:
        ws.send_text("ping")
        assert ws.receive_text() == "ping"
    assert started == [True]


async def test_non_llm_paths_and_get_requests_pass_through_untouched() -> None:
    recorder = Recorder()
    mw = guarded(recorder)
    status, _, _ = await call_asgi(
        mw, "/healthz", [b"not json at all"], [(b"content-type", b"text/plain")]
    )
    assert status == 200 and recorder.bodies == [b"not json at all"]


async def test_unknown_paths_can_be_blocked() -> None:
    recorder = Recorder()
    mw = guarded(recorder, policy={"routes": {"unknown": "block", "ignore": ["/health*"]}})
    assert (await call_asgi(mw, "/admin/export", [b"{}"]))[0] == 404
    assert (await call_asgi(mw, "/healthz", [b"{}"]))[0] == 200
    assert len(recorder.bodies) == 1


# Starlette's add_middleware and FastAPI ----------------------------------------------------


async def echo(request: Request) -> Response:
    payload = await request.json()
    return JSONResponse({"echo": payload["messages"][-1]["content"]})


async def test_starlette_add_middleware_and_middleware_list() -> None:
    app = Starlette(routes=[Route("/v1/chat/completions", echo, methods=["POST"])])
    app.add_middleware(GuardMiddleware, policy=THROTTLE_ALL, secret=SECRET)
    listed = Starlette(
        routes=[Route("/v1/chat/completions", echo, methods=["POST"])],
        middleware=[Middleware(GuardMiddleware, policy={}, secret=SECRET)],
    )
    payload = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    async with http.AsyncClient(transport=http.ASGITransport(app=app), base_url="http://t") as c:
        assert (await c.post("/v1/chat/completions", json=payload)).status_code == 429
    async with http.AsyncClient(transport=http.ASGITransport(app=listed), base_url="http://t") as c:
        response = await c.post("/v1/chat/completions", json=payload)
        assert response.json() == {"echo": "hi"}


async def test_fastapi_with_the_bundled_policy_file() -> None:
    app = FastAPI()

    @app.post("/v1/messages")
    async def messages(payload: dict[str, Any]) -> dict[str, Any]:
        return {"echo": payload["messages"][0]["content"]}

    app.add_middleware(GuardMiddleware, policy="policies/default.yaml", secret=SECRET)
    async with http.AsyncClient(transport=http.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.post(
            "/v1/messages",
            json={"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "yo"}]},
            headers={"x-api-key": "k"},
        )
    assert response.json() == {"echo": "yo"}


# Bad input: a clear error in the API's shape, the app never called ------------------------


BAD_INPUTS = [
    (
        "malformed json",
        [b'{"model": "m", "messages": [}'],
        b"application/json",
        400,
        "could not parse the JSON body",
    ),
    (
        "wrong content type",
        [b'{"model":"m","messages":[]}'],
        b"text/plain",
        415,
        "Content-Type: application/json",
    ),
    (
        "invalid utf-8",
        [b'{"model": "m\xff\xfe", "messages": []}'],
        b"application/json",
        400,
        "not valid UTF-8",
    ),
    ("not an object", [b"[1, 2]"], b"application/json", 400, ""),
    ("binary", [bytes(range(256))], b"application/json", 400, ""),
]


@pytest.mark.parametrize(
    ("name", "chunks", "ctype", "status", "text"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/messages"])
async def test_bad_input(
    name: str, chunks: list[bytes], ctype: bytes, status: int, text: str, path: str
) -> None:
    recorder = Recorder()
    mw = guarded(recorder)
    got, headers, body = await call_asgi(mw, path, chunks, [(b"content-type", ctype)])
    assert got == status
    assert headers[b"content-type"] == b"application/json"
    payload = json.loads(body)
    if path == "/v1/messages":
        assert payload["type"] == "error" and payload["error"]["type"] == "invalid_request_error"
        message = payload["error"]["message"]
    else:
        assert set(payload["error"]) == {"message", "type", "param", "code"}
        message = payload["error"]["message"]
    assert text.lower() in message.lower()
    assert recorder.bodies == []


async def test_body_over_limit_is_413_with_or_without_content_length() -> None:
    recorder = Recorder()
    mw = guarded(recorder, policy={"limits": {"max_body": "1KB"}})
    big = b'{"model": "m", "messages": [{"role": "user", "content": "' + b"a" * 2000 + b'"}]}'
    declared = [(b"content-type", b"application/json"), (b"content-length", str(len(big)).encode())]
    status, _, body = await call_asgi(mw, "/v1/chat/completions", [big], declared)
    assert status == 413 and b"limit is 1000 bytes" in body
    chunked = [big[i : i + 300] for i in range(0, len(big), 300)]
    status, _, body = await call_asgi(mw, "/v1/messages", chunked)
    assert status == 413 and json.loads(body)["error"]["type"] == "request_too_large"
    assert recorder.bodies == []


async def test_missing_key_when_required() -> None:
    recorder = Recorder()
    mw = guarded(recorder, policy={"identity": {"require_key": True}})
    body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    status, _, payload = await call_asgi(mw, "/v1/chat/completions", [body])
    assert status == 401 and json.loads(payload)["error"]["code"] == "invalid_api_key"
    status, _, payload = await call_asgi(mw, "/v1/messages", [body])
    assert status == 401 and json.loads(payload)["error"]["type"] == "authentication_error"
    assert recorder.bodies == []


async def test_invalid_request_shape_names_the_field() -> None:
    recorder = Recorder()
    mw = guarded(recorder)
    body = b'{"model": "m", "messages": "hello"}'
    status, _, payload = await call_asgi(mw, "/v1/chat/completions", [body])
    assert status == 400 and "messages" in json.loads(payload)["error"]["message"]
    assert recorder.bodies == []


async def test_client_disconnect_while_sending_body() -> None:
    recorder = Recorder()
    mw = guarded(recorder)
    messages = [
        {"type": "http.request", "body": b'{"model": ', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "headers": [],
        "client": None,
    }
    await mw(scope, receive, send)
    assert sent == [] and recorder.bodies == []


# Store failures follow the policy -----------------------------------------------------------


class BrokenStore(MemoryStore):
    """A store whose backend is down: every call fails as a real outage would."""

    async def observe(self, key: str, obs: Observation, spec: SketchSpec) -> KeyState:
        raise StoreError("connection refused")

    async def rate(self, key: str, limit: RateLimit, now: float) -> RateResult:
        raise StoreError("connection refused")


@pytest.mark.parametrize(("fail", "status"), [("open", 200), ("closed", 503)])
async def test_store_failure_fails_open_or_closed(fail: str, status: int) -> None:
    recorder = Recorder()
    mw = guarded(recorder, policy={"fail": fail}, store=BrokenStore())
    body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    got, _, _ = await call_asgi(mw, "/v1/chat/completions", [body])
    assert got == status
    assert len(recorder.bodies) == (1 if fail == "open" else 0)
