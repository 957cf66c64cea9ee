"""ProxyApp in front of real upstreams on loopback, driven by httpx2 and the SDKs."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import socket
import warnings
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from starlette.types import Message, Receive, Scope, Send

from guard.mock import MockUpstream, count_tokens
from guard.proxy import ProxyApp

NOW = 1_700_000_000
QUESTION = "How do vaccines train the immune system?"
OPENAI_AUTH = {"authorization": "Bearer sk-test"}
ANTHROPIC_AUTH = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
# Set by each server on its own, or different per request by design.
VOLATILE = {"date", "server", "openai-processing-ms", "x-request-id", "request-id"}

CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/v1/models", {}),
    (
        "POST",
        "/v1/chat/completions",
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": QUESTION}]},
    ),
    ("POST", "/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": QUESTION}),
    ("POST", "/v1/responses", {"model": "gpt-4.1", "input": QUESTION}),
    (
        "POST",
        "/v1/messages",
        {
            "model": "claude-sonnet-4-6",
            "max_tokens": 300,
            "messages": [{"role": "user", "content": QUESTION}],
        },
    ),
]


@contextlib.asynccontextmanager
async def proxied(
    serve_app: Any, upstream: Any, **options: Any
) -> AsyncIterator[tuple[str, str, ProxyApp]]:
    """(upstream URL, proxy URL, proxy), each under its own uvicorn on loopback."""
    async with serve_app(upstream, lifespan="off") as upstream_url:
        proxy = ProxyApp(upstream_url, **options)
        async with serve_app(proxy) as proxy_url:
            yield upstream_url, proxy_url, proxy


def headers_for(path: str) -> dict[str, str]:
    return ANTHROPIC_AUTH if path == "/v1/messages" else OPENAI_AUTH


def stable_headers(response: httpx2.Response) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.headers.multi_items() if k not in VOLATILE]


async def raw_request(base_url: str, request_line: bytes) -> tuple[int, bytes]:
    """Send one bare request (only Host and Connection headers); return (status, body)."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request_line + b"\r\nhost: example\r\nconnection: close\r\n\r\n")
    await writer.drain()
    raw = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    if b"transfer-encoding: chunked" not in head.lower():
        return status, rest
    body = b""
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return status, body
        body, rest = body + rest[:size], rest[size + 2 :]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def read_body(receive: Receive) -> tuple[bytes, int]:
    body, messages = b"", 0
    while True:
        message = await receive()
        body += message.get("body", b"")
        messages += 1
        if not message.get("more_body", False):
            return body, messages


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers with what it received, plus response headers a proxy must strip."""
    body, _ = await read_body(receive)
    payload = {
        "method": scope["method"],
        "raw_path": scope["raw_path"].decode(),
        "query": scope["query_string"].decode(),
        "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"connection", b"x-hop"),
                (b"x-hop", b"1"),
                (b"keep-alive", b"timeout=5"),
                (b"x-end-to-end", b"kept"),
                (b"set-cookie", b"a=1"),
                (b"set-cookie", b"b=2"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


# --- transparency ---------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
async def test_bytes_identical_to_a_direct_call(serve_app: Any, stream: bool) -> None:
    upstream = MockUpstream(seed=3, clock=lambda: NOW)
    async with proxied(serve_app, upstream) as (upstream_url, proxy_url, _):
        async with httpx2.AsyncClient() as client:
            for method, path, body in CALLS:
                if stream and method == "GET":
                    continue
                content = json.dumps({**body, "stream": True} if stream else body)
                kwargs: dict[str, Any] = {"headers": headers_for(path)}
                if method == "POST":
                    kwargs["content"] = content
                direct = await client.request(method, upstream_url + path, **kwargs)
                via = await client.request(method, proxy_url + path, **kwargs)
                assert direct.status_code == via.status_code == 200, path
                assert via.content == direct.content, path
                assert stable_headers(via) == stable_headers(direct), path
                if stream:
                    assert via.headers["content-type"].startswith("text/event-stream")


async def test_sdks_work_through_the_proxy(serve_app: Any) -> None:
    upstream = MockUpstream(clock=lambda: NOW)
    async with proxied(serve_app, upstream) as (_, proxy_url, _proxy):
        async with openai.AsyncOpenAI(
            base_url=proxy_url + "/v1",
            api_key="sk-test",
            max_retries=0,
            http_client=httpx2.AsyncClient(),
        ) as oai:
            completion = await oai.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": QUESTION}]
            )
            stream = await oai.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": QUESTION}],
                stream=True,
                stream_options={"include_usage": True},
            )
            chunks = [chunk async for chunk in stream]
            text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert text == completion.choices[0].message.content
            assert chunks[-1].usage == completion.usage
            async with oai.responses.stream(model="gpt-4.1", input=QUESTION) as events:
                response = await events.get_final_response()
            assert response.usage is not None
            assert response.usage.output_tokens == count_tokens(response.output_text)
        async with anthropic.AsyncAnthropic(
            base_url=proxy_url,
            api_key="sk-ant-test",
            max_retries=0,
            http_client=httpx2.AsyncClient(),
        ) as ant:
            async with ant.messages.stream(
                model="claude-sonnet-4-6",
                max_tokens=50,
                messages=[{"role": "user", "content": QUESTION}],
            ) as message_stream:
                message = await message_stream.get_final_message()
            assert message.stop_reason == "max_tokens" and message.usage.output_tokens == 50


async def test_upstream_errors_pass_through_unchanged(serve_app: Any) -> None:
    upstream = MockUpstream(clock=lambda: NOW)
    async with proxied(serve_app, upstream) as (upstream_url, proxy_url, _):
        async with httpx2.AsyncClient() as client:
            for path, status in [("/v1/chat/completions", "500"), ("/v1/messages", "529")]:
                headers = {**headers_for(path), "x-mock-status": status}
                direct = await client.post(upstream_url + path, json={}, headers=headers)
                via = await client.post(proxy_url + path, json={}, headers=headers)
                assert via.status_code == direct.status_code == int(status)
                if path == "/v1/messages":  # Anthropic error bodies carry the request id
                    assert via.json().pop("request_id") == via.headers["request-id"]
                    assert via.json() | {"request_id": 0} == direct.json() | {"request_id": 0}
                else:
                    assert via.content == direct.content
            direct = await client.post(upstream_url + "/v1/nowhere", json={}, headers=OPENAI_AUTH)
            via = await client.post(proxy_url + "/v1/nowhere", json={}, headers=OPENAI_AUTH)
            assert via.status_code == 404 and via.content == direct.content


# --- headers, paths and bodies --------------------------------------------------------------


async def test_hop_by_hop_headers_stripped_and_host_rewritten(serve_app: Any) -> None:
    async with proxied(serve_app, echo) as (upstream_url, proxy_url, _):
        async with httpx2.AsyncClient() as client:
            response = await client.post(
                proxy_url + "/v1/chat/completions",
                content=b"{}",
                headers={
                    "connection": "keep-alive, x-private",
                    "x-private": "secret",
                    "te": "trailers",
                    "proxy-authorization": "Basic abc",
                    "upgrade": "websocket",
                    "x-end-to-end": "yes",
                    "authorization": "Bearer sk-test",
                    "accept-encoding": "identity",
                },
            )
    seen = dict(response.json()["headers"])
    assert seen["host"] == upstream_url.removeprefix("http://")
    for name in ("x-private", "te", "proxy-authorization", "upgrade"):
        assert name not in seen
    assert "x-private" not in seen.get("connection", "")
    assert seen["x-end-to-end"] == "yes"
    assert seen["authorization"] == "Bearer sk-test"
    assert seen["accept-encoding"] == "identity"
    assert seen["user-agent"].startswith("python-httpx")
    assert "x-hop" not in response.headers and "keep-alive" not in response.headers
    assert response.headers["x-end-to-end"] == "kept"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


async def test_no_headers_are_invented(serve_app: Any) -> None:
    async with proxied(serve_app, echo) as (_, proxy_url, _proxy):
        status, body = await raw_request(proxy_url, b"GET /v1/models HTTP/1.1")
    assert status == 200
    assert [name for name, _ in json.loads(body)["headers"]] == ["host"]


async def test_path_query_and_prefix_kept_verbatim(serve_app: Any) -> None:
    async with serve_app(echo, lifespan="off") as upstream_url:
        proxy = ProxyApp(upstream_url + "/base/")
        async with serve_app(proxy) as proxy_url:
            # A raw request line: HTTP clients would resolve the dot segment themselves.
            status, body = await raw_request(proxy_url, b"GET /v1/a%2Fb/../c?x=1&y=%20z HTTP/1.1")
    assert status == 200
    seen = json.loads(body)
    assert seen["raw_path"] == "/base/v1/a%2Fb/../c"
    assert seen["query"] == "x=1&y=%20z"


async def test_request_body_streams_through(serve_app: Any) -> None:
    parts = [bytes([n]) * 50_000 for n in range(8)]

    async def body() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    async with proxied(serve_app, echo) as (_, proxy_url, _proxy):
        async with httpx2.AsyncClient() as client:
            response = await client.post(proxy_url + "/v1/upload", content=body())
    seen = response.json()
    assert seen["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()
    assert ("transfer-encoding", "chunked") in [tuple(h) for h in seen["headers"]]


async def test_absolute_form_targets_are_refused(serve_app: Any) -> None:
    hits: list[str] = []

    async def recorder(scope: Scope, receive: Receive, send: Send) -> None:
        hits.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with proxied(serve_app, recorder) as (_, proxy_url, proxy):
        status, _ = await raw_request(proxy_url, b"GET http://example.com/v1/models HTTP/1.1")
    assert status == 400
    assert hits == []
    scope: dict[str, Any] = {"path": "//example.com/x", "raw_path": b"//example.com/x"}
    assert proxy.target(scope) is None


# --- streaming ------------------------------------------------------------------------------


async def test_chunks_are_relayed_as_they_arrive(serve_app: Any) -> None:
    first_seen = asyncio.Event()

    async def gated(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        start: Message = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/event-stream")],
        }
        await send(start)
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        # Held until the client has the first event: a buffering proxy deadlocks here.
        await first_seen.wait()
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n"})

    async with proxied(serve_app, gated) as (_, proxy_url, _proxy):
        async with httpx2.AsyncClient() as client:
            async with client.stream("POST", proxy_url + "/v1/chat/completions") as response:
                pieces = response.aiter_raw()
                first = await asyncio.wait_for(pieces.__anext__(), timeout=10)
                first_seen.set()
                rest = b"".join([piece async for piece in pieces])
    assert first == b"data: 1\n\n"
    assert rest == b"data: [DONE]\n\n"


async def test_paced_mock_stream_arrives_incrementally(serve_app: Any) -> None:
    upstream = MockUpstream(chunk_delay=0.02)
    body = {"model": "m", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    async with proxied(serve_app, upstream) as (_, proxy_url, _proxy):
        async with httpx2.AsyncClient() as client:
            async with client.stream(
                "POST",
                proxy_url + "/v1/chat/completions",
                json={**body, "max_tokens": 20},
                headers=OPENAI_AUTH,
            ) as response:
                pieces = [piece async for piece in response.aiter_raw()]
    assert len(pieces) > 5
    assert b"[DONE]" not in pieces[0]
    assert b"".join(pieces).endswith(b"data: [DONE]\n\n")


async def test_client_disconnect_cancels_upstream_and_frees_connection(serve_app: Any) -> None:
    upstream_saw_disconnect = asyncio.Event()

    async def endless(scope: Scope, receive: Receive, send: Send) -> None:
        await read_body(receive)
        if scope["path"] == "/ok":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        if (await receive())["type"] == "http.disconnect":
            upstream_saw_disconnect.set()

    # One pooled connection: if the aborted exchange kept it, the next request would wait
    # for it until the connect timeout and answer 504.
    options = {"max_connections": 1, "connect_timeout": 5}
    async with proxied(serve_app, endless, **options) as (_, proxy_url, _proxy):
        async with httpx2.AsyncClient() as client:
            async with client.stream("GET", proxy_url + "/stream") as response:
                async for _piece in response.aiter_raw():
                    break
            await asyncio.wait_for(upstream_saw_disconnect.wait(), timeout=10)
            after = await client.get(proxy_url + "/ok")
    assert after.status_code == 200 and after.content == b"ok"


async def test_upstream_dying_mid_stream_truncates_the_response(serve_app: Any) -> None:
    upstream = MockUpstream()
    body = {"model": "m", "messages": [{"role": "user", "content": QUESTION}], "stream": True}
    headers = {**OPENAI_AUTH, "x-mock-abort-after": "3"}
    async with proxied(serve_app, upstream) as (_, proxy_url, _proxy):
        async with httpx2.AsyncClient() as client:
            received = b""
            with pytest.raises(httpx2.RemoteProtocolError):
                async with client.stream(
                    "POST", proxy_url + "/v1/chat/completions", json=body, headers=headers
                ) as response:
                    async for piece in response.aiter_raw():
                        received += piece
            assert received.count(b"data: ") == 3
            ok = await client.get(proxy_url + "/v1/models", headers=OPENAI_AUTH)
            assert ok.status_code == 200


# --- failures -------------------------------------------------------------------------------


async def test_refused_upstream_is_502_in_each_api_shape(serve_app: Any) -> None:
    proxy = ProxyApp(f"http://127.0.0.1:{closed_port()}")
    async with serve_app(proxy) as proxy_url:
        async with openai.AsyncOpenAI(
            base_url=proxy_url + "/v1",
            api_key="sk-test",
            max_retries=0,
            http_client=httpx2.AsyncClient(),
        ) as oai:
            with pytest.raises(openai.InternalServerError) as oai_error:
                await oai.models.list()
        async with anthropic.AsyncAnthropic(
            base_url=proxy_url,
            api_key="sk-ant-test",
            max_retries=0,
            http_client=httpx2.AsyncClient(),
        ) as ant:
            with pytest.raises(anthropic.InternalServerError) as ant_error:
                await ant.messages.create(
                    model="claude-sonnet-4-6",
                    max_tokens=5,
                    messages=[{"role": "user", "content": "hi"}],
                )
    assert oai_error.value.status_code == 502
    assert isinstance(oai_error.value.body, dict)
    assert set(oai_error.value.body) == {"message", "type", "param", "code"}
    assert ant_error.value.status_code == 502
    assert ant_error.value.body == {
        "type": "error",
        "error": {"type": "api_error", "message": ant_error.value.body["error"]["message"]},  # type: ignore[index]
    }


async def test_slow_upstream_is_504(serve_app: Any) -> None:
    upstream = MockUpstream()
    body = {"model": "m", "messages": [{"role": "user", "content": QUESTION}]}
    async with proxied(serve_app, upstream, read_timeout=0.2) as (_, proxy_url, _proxy):
        async with httpx2.AsyncClient() as client:
            slow = {**OPENAI_AUTH, "x-mock-latency": "5"}
            response = await client.post(
                proxy_url + "/v1/chat/completions", json=body, headers=slow
            )
            assert response.status_code == 504
            error = response.json()["error"]
            assert error["type"] == "server_error" and error["param"] is None
            message = {"model": "m", "max_tokens": 5, "messages": body["messages"]}
            slow = {**ANTHROPIC_AUTH, "x-mock-latency": "5"}
            response = await client.post(proxy_url + "/v1/messages", json=message, headers=slow)
            assert response.status_code == 504
            assert response.json()["error"]["type"] == "timeout_error"
            fast = await client.post(
                proxy_url + "/v1/chat/completions", json=body, headers=OPENAI_AUTH
            )
            assert fast.status_code == 200


# --- lifecycle ------------------------------------------------------------------------------


async def test_lazy_session_over_asgi_transport_closes_cleanly(serve_app: Any) -> None:
    async with serve_app(MockUpstream()) as upstream_url:
        proxy = ProxyApp(upstream_url)
        transport = httpx2.ASGITransport(app=proxy)
        async with httpx2.AsyncClient(transport=transport, base_url="http://proxy") as client:
            response = await client.get("/v1/models", headers=OPENAI_AUTH)
            assert response.status_code == 200
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await proxy.aclose()
            await proxy.aclose()
            gc.collect()
    assert [str(w.message) for w in caught] == []


def test_upstream_must_be_an_http_base_url() -> None:
    for bad in ("127.0.0.1:9000", "ftp://host", "http://host/?q=1", "http://"):
        with pytest.raises(ValueError):
            ProxyApp(bad)


def test_targets_join_onto_the_base() -> None:
    proxy = ProxyApp("http://127.0.0.1:9/api")
    scope = {"path": "/v1/x y", "query_string": b"a=1"}
    assert str(proxy.target(scope)) == "http://127.0.0.1:9/api/v1/x%20y?a=1"
    for raw_path in (b"http://evil/x", b"*", b"//evil/x"):
        assert proxy.target({"path": raw_path.decode(), "raw_path": raw_path}) is None


async def test_connect_failures_are_retried_then_answered_502(serve_app: Any) -> None:
    port = closed_port()
    proxy = ProxyApp(f"http://127.0.0.1:{port}", retries=3)
    async with serve_app(proxy) as proxy_url:
        async with httpx2.AsyncClient() as client:
            started = asyncio.get_running_loop().time()
            response = await client.post(proxy_url + "/v1/chat/completions", json={"model": "m"})
            elapsed = asyncio.get_running_loop().time() - started
    assert response.status_code == 502
    assert elapsed >= 0.05 + 0.1 + 0.2  # three backoffs before giving up
    with pytest.raises(ValueError, match="retries"):
        ProxyApp("http://127.0.0.1:1", retries=-1)
