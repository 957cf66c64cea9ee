"""Shared fixtures for the test suite."""

from __future__ import annotations

# --- serve_app: run any ASGI app under real uvicorn on loopback -------------------------------
import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp

ServeApp = Callable[..., AbstractAsyncContextManager[str]]


@contextlib.asynccontextmanager
async def _serve_app(app: ASGIApp, **config: Any) -> AsyncIterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port for the block; yields its base URL.

    Runs in the test's own event loop (uvicorn.Server as a background task), so the app and
    the test share fixtures and the loop. ``config`` overrides uvicorn.Config settings.
    """
    # proto must say TCP: asyncio only sets TCP_NODELAY on sockets whose proto is
    # IPPROTO_TCP, and accepted sockets inherit it; with proto 0, Nagle plus delayed ACKs
    # add ~40 ms to every response on loopback.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {
        "loop": "asyncio",
        "lifespan": "auto",
        "log_level": "warning",
        "access_log": False,
        "timeout_graceful_shutdown": 5,
        **config,
    }
    server = uvicorn.Server(uvicorn.Config(app, **options))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started serving")
            await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
def serve_app() -> ServeApp:
    """``async with serve_app(app, **uvicorn_config) as base_url: ...``"""
    return _serve_app


# --- end serve_app ----------------------------------------------------------------------------


# --- redis: a Redis server for the store tests ------------------------------------------------
# `redis_url` is 127.0.0.1:6379 when it answers PING, else a redis-server started for the
# session; `spawn_redis` starts private servers (tests that stop, kill or count commands on
# one); `redis_store_url` is `redis_url` with a key prefix of its own, deleted afterwards.
import shutil  # noqa: E402 - this block's own imports
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

# No persistence, no snapshots: a test server's data dies with it.
_REDIS_OPTIONS = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no")


class RedisProcess:
    """A ``redis-server`` on loopback with no persistence, owned by the test session."""

    def __init__(self, binary: str, port: int | None = None) -> None:
        self.binary = binary
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        process = self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), *_REDIS_OPTIONS],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _redis_answers(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop the server at once (SIGKILL: what a crash looks like to clients)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open and nothing answers."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(
            "redis-server is not installed (apt-get install redis-server): "
            "skipping the tests that need a Redis server."
        )
    return binary


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis server's URL: 127.0.0.1:6379 if it answers, else one started for the session."""
    if _redis_answers(6379):
        yield "redis://127.0.0.1:6379/0"
        return
    server = RedisProcess(_redis_binary()).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def spawn_redis() -> Iterator[Callable[..., RedisProcess]]:
    """``spawn_redis(port=None)`` starts a private redis-server, stopped after the test."""
    binary = _redis_binary()
    started: list[RedisProcess] = []

    def spawn(port: int | None = None) -> RedisProcess:
        server = RedisProcess(binary, port).start()
        started.append(server)
        return server

    yield spawn
    for server in started:
        server.resume()  # a paused server would not die of SIGKILL until resumed
        server.stop()


@pytest.fixture
def redis_store_url(redis_url: str) -> Iterator[str]:
    """``redis_url`` with a key prefix unique to the test; its keys are deleted afterwards."""
    import redis  # the 'redis' extra: only the tests that need it import it

    prefix = f"guardtest-{uuid.uuid4().hex[:12]}"
    yield f"{redis_url}?prefix={prefix}"
    client = redis.Redis.from_url(redis_url)
    try:
        for pattern in (f"{prefix}:*", f"{{{prefix}:*"):
            names = list(client.scan_iter(match=pattern, count=1000))
            for i in range(0, len(names), 500):
                client.delete(*names[i : i + 500])
    finally:
        client.close()


# --- end redis --------------------------------------------------------------------------------
