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
