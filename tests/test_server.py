"""guard as a standalone server: routing, upstreams, lifespan, SIGHUP, workers, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import Receive, Scope, Send

from guard.commands.serve import _uvicorn_options
from guard.config import ServeConfig
from guard.logs import JsonFormatter
from guard.mock import MockUpstream
from guard.server import app_from_env, build_app
from guard.store.memory import MemoryStore

GUARD = (sys.executable, "-m", "guard")
TOKEN = "server-test-token"
SECRET = "server-test-secret"
RAW_KEY = "sk-server-test-raw-key-42"


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def named(scope: Scope, receive: Receive, send: Send, name: bytes) -> None:
    if scope["type"] == "lifespan":
        while True:
            kind = (await receive())["type"]
            await send({"type": kind + ".complete"})
            if kind == "lifespan.shutdown":
                return
    body = name + b" " + scope["path"].encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def upstream_a(scope: Scope, receive: Receive, send: Send) -> None:
    await named(scope, receive, send, b"A")


async def upstream_b(scope: Scope, receive: Receive, send: Send) -> None:
    await named(scope, receive, send, b"B")


# Routing -------------------------------------------------------------------------------------


async def test_admin_paths_go_to_the_admin_app_the_rest_upstream(serve_app: Any) -> None:
    async with serve_app(upstream_a) as upstream:
        app = build_app(upstream, policy={}, secret=SECRET, admin_token=TOKEN)
        async with serve_app(app) as base, httpx2.AsyncClient(base_url=base) as client:
            health = await client.get("/_guard/health")
            keys = await client.get("/_guard/keys", headers=auth())
            lookalike = await client.get("/_guardian/keys")
            other = await client.get("/v1/models")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert keys.status_code == 200
    assert lookalike.text == "A /_guardian/keys"
    assert other.text == "A /v1/models"


async def test_routes_send_path_prefixes_to_their_upstreams(serve_app: Any) -> None:
    async with serve_app(upstream_a) as a, serve_app(upstream_b) as b:
        app = build_app(a, routes={"/v1/messages": b}, policy={}, secret=SECRET)
        async with serve_app(app) as base, httpx2.AsyncClient(base_url=base) as client:
            seen = {
                path: (await client.get(path)).text
                for path in ("/v1/messages", "/v1/messages/batches", "/v1/messagesx", "/v1/models")
            }
    assert seen == {
        "/v1/messages": "B /v1/messages",
        "/v1/messages/batches": "B /v1/messages/batches",
        "/v1/messagesx": "A /v1/messagesx",
        "/v1/models": "A /v1/models",
    }


async def test_sdks_through_guard_serve_and_the_admin_api_sees_them(serve_app: Any) -> None:
    async with serve_app(MockUpstream(seed=3)) as upstream:
        app = build_app(upstream, policy={}, secret=SECRET, admin_token=TOKEN)
        async with serve_app(app) as base:
            async with openai.AsyncOpenAI(
                base_url=f"{base}/v1",
                api_key=RAW_KEY,
                http_client=httpx2.AsyncClient(),
                max_retries=0,
            ) as oai:
                completion = await oai.chat.completions.create(
                    model="mock-gpt", messages=[{"role": "user", "content": "What is a tide?"}]
                )
                stream = await oai.chat.completions.create(
                    model="mock-gpt",
                    messages=[{"role": "user", "content": "Stream a haiku."}],
                    stream=True,
                )
                pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
            async with anthropic.AsyncAnthropic(
                base_url=base, api_key=RAW_KEY, http_client=httpx2.AsyncClient(), max_retries=0
            ) as ant:
                message = await ant.messages.create(
                    model="mock-claude",
                    max_tokens=50,
                    messages=[{"role": "user", "content": "Hi!"}],
                )
            async with httpx2.AsyncClient(base_url=base, headers=auth()) as client:
                keys = (await client.get("/_guard/keys")).json()["keys"]
                metrics = (await client.get("/_guard/metrics")).text
    assert completion.choices[0].message.content and "".join(pieces) and message.content
    kid = app.pipeline.identify([(b"authorization", f"Bearer {RAW_KEY}".encode())], "").key_id
    assert keys[kid]["requests"] == 3
    assert keys[kid]["actions"] == {"allow": 3}
    routes = {
        s.labels["route"]: s.value
        for f in text_string_to_metric_families(metrics)
        for s in f.samples
        if s.name == "guard_requests_total"
    }
    assert routes == {"openai.chat": 2.0, "anthropic.messages": 1.0}


# Lifespan ------------------------------------------------------------------------------------


class ClosingStore(MemoryStore):
    closed = False

    async def close(self) -> None:
        self.closed = True
        await super().close()


async def test_lifespan_opens_and_closes_sessions_and_the_store(serve_app: Any) -> None:
    store = ClosingStore()
    async with serve_app(upstream_a) as upstream:
        app = build_app(upstream, policy={}, store=store, secret=SECRET)
        proxy: Any = app.upstream.default
        async with serve_app(app, lifespan="on"):
            assert proxy._session is not None and not proxy._session.closed
            assert not store.closed
    assert store.closed
    assert proxy._session is None


def policy_file(tmp_path: Path, threshold: int) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(
        f"rules:\n  - {{name: many, when: 'requests.day > {threshold}', then: block}}\n"
    )
    return path


async def test_sighup_reloads_the_policy_and_keeps_a_good_one(
    serve_app: Any, tmp_path: Path
) -> None:
    path = policy_file(tmp_path, 100)
    before = signal.getsignal(signal.SIGHUP)
    app = build_app("mock", policy=str(path), secret=SECRET, policy_poll=0)
    first = app.pipeline.policy.hash
    async with serve_app(app, lifespan="on"):
        assert app._hup_installed  # else SIGHUP would end the test run
        policy_file(tmp_path, 5)
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(200):
            if app.pipeline.policy.hash != first:
                break
            await asyncio.sleep(0.01)
        second = app.pipeline.policy.hash
        assert second != first
        path.write_text("rules:\n  - {name: broken, then: blok}\n")
        os.kill(os.getpid(), signal.SIGHUP)
        await asyncio.sleep(0.1)
        assert app.pipeline.policy.hash == second  # an invalid file is refused
    assert signal.getsignal(signal.SIGHUP) == before


async def test_reload_without_a_policy_file_is_refused_politely() -> None:
    app = build_app("mock", policy={}, secret=SECRET)
    assert app.reload_policy() is False


def test_uvicorn_options_from_config() -> None:
    options = _uvicorn_options(
        ServeConfig(host="0.0.0.0", port=9, graceful_timeout=2.5, log_level="debug")
    )
    assert options["timeout_graceful_shutdown"] == 3
    assert options["access_log"] is True and options["log_config"] is None
    assert options["proxy_headers"] is False
    assert options["server_header"] is True  # the mock upstream sends none of its own
    upstream = _uvicorn_options(ServeConfig(upstream="http://u:1"))
    assert upstream["server_header"] is False and upstream["access_log"] is False


def test_app_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    root = logging.getLogger()
    handlers = root.handlers[:]
    monkeypatch.setenv("GUARD_ADMIN_TOKEN", TOKEN)
    monkeypatch.setenv("GUARD_SECRET", SECRET)
    monkeypatch.setenv("GUARD_ROUTES", "/v1/messages=http://127.0.0.1:9")
    monkeypatch.setenv("GUARD_LOG_LEVEL", "warning")
    try:
        app = app_from_env()
        assert app.admin.auth is not None
        assert isinstance(app.upstream.default, MockUpstream)
        assert [p for p, _ in app.upstream.routes] == ["/v1/messages"]
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = handlers


# The command ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_guard(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GUARD, "serve", "--port", str(free_port()), *args],
        env={**os.environ, "GUARD_SECRET": SECRET, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_workers_with_a_memory_store_refused_in_one_line() -> None:
    result = run_guard("--workers", "2")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--workers 2 needs a shared store" in result.stderr


def test_bad_config_file_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "guard.yaml"
    config.write_text("prot: 80\n")
    result = run_guard("--config", str(config))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"guard serve: {config}: unknown setting 'prot' (did you mean 'port'?)."
    )


@asynccontextmanager
async def guard_process(args: Sequence[str], env: dict[str, str]) -> AsyncIterator[tuple[str, Any]]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *GUARD,
        "serve",
        "--port",
        str(port),
        *args,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx2.AsyncClient(base_url=base) as client:
            for _ in range(600):
                try:
                    if (await client.get("/_guard/health")).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if process.returncode is not None:
                    output = await process.stderr.read() if process.stderr else b""
                    raise AssertionError(output.decode())
                await asyncio.sleep(0.05)
        yield base, process
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def test_serve_logs_json_with_key_ids_never_the_raw_key() -> None:
    env = {"GUARD_SECRET": SECRET, "GUARD_ADMIN_TOKEN": TOKEN, "GUARD_LOG_LEVEL": "debug"}
    async with guard_process(["--upstream", "mock"], env) as (base, process):
        async with openai.AsyncOpenAI(
            base_url=f"{base}/v1", api_key=RAW_KEY, http_client=httpx2.AsyncClient(), max_retries=0
        ) as client:
            await client.chat.completions.create(
                model="mock-gpt", messages=[{"role": "user", "content": "Hello there"}]
            )
        process.terminate()
        _, stderr = await process.communicate()
    lines = [json.loads(line) for line in stderr.decode().splitlines()]  # every line is JSON
    assert RAW_KEY not in stderr.decode()
    requests = [line for line in lines if line.get("route") == "openai.chat"]
    assert requests and requests[0]["key_id"].startswith("k_") and requests[0]["level"] == "debug"
    assert any(line["logger"].startswith("uvicorn") for line in lines)


@pytest.mark.slow
async def test_workers_share_redis_and_metrics_add_up(redis_store_url: str) -> None:
    env = {"GUARD_SECRET": SECRET, "GUARD_ADMIN_TOKEN": TOKEN, "GUARD_LOG_LEVEL": "warning"}
    args = ["--upstream", "mock", "--workers", "2", "--store", redis_store_url]
    sent = 12
    async with guard_process(args, env) as (base, _):
        async with openai.AsyncOpenAI(
            base_url=f"{base}/v1", api_key=RAW_KEY, http_client=httpx2.AsyncClient(), max_retries=0
        ) as client:
            for i in range(sent):
                await client.chat.completions.create(
                    model="mock-gpt", messages=[{"role": "user", "content": f"Question {i}?"}]
                )
        totals: set[float] = set()
        requests: set[int] = set()
        pids: set[str] = set()
        async with httpx2.AsyncClient(base_url=base, headers=auth()) as admin:
            for _ in range(6):  # new connections: the scrapes land on either worker
                response = await admin.get("/_guard/metrics", headers={"connection": "close"})
                found = [
                    s for f in text_string_to_metric_families(response.text) for s in f.samples
                ]
                totals.add(sum(s.value for s in found if s.name == "guard_requests_total"))
                pids.update(s.labels["pid"] for s in found if s.name == "guard_policy_info")
                keys = (await admin.get("/_guard/keys", headers={"connection": "close"})).json()
                requests.add(sum(k["requests"] for k in keys["keys"].values()))
    assert len(pids) == 2  # both workers report into the one exposition
    assert totals == {float(sent)}  # every worker's counts, whichever worker answered
    assert requests == {sent}  # one key, counted across both workers in Redis


async def test_sigterm_lets_in_flight_requests_finish() -> None:
    env = {"GUARD_SECRET": SECRET, "GUARD_LOG_LEVEL": "warning"}
    args = ["--upstream", "mock", "--graceful-timeout", "10"]
    async with guard_process(args, env) as (base, process):
        async with httpx2.AsyncClient(base_url=base, timeout=20) as client:
            pending = asyncio.ensure_future(
                client.post(
                    "/v1/chat/completions",
                    headers={"authorization": f"Bearer {RAW_KEY}", "x-mock-latency": "1.0"},
                    json={"model": "m", "messages": [{"role": "user", "content": "Slow one?"}]},
                )
            )
            await asyncio.sleep(0.4)  # the request is in flight, its answer not yet started
            process.terminate()
            response = await pending
        # uvicorn re-raises the signal once it has shut down gracefully.
        assert await process.wait() == -signal.SIGTERM
    assert response.status_code == 200 and response.json()["choices"][0]["message"]["content"]
