"""Small ASGI helpers: a body replayed to an app, hooks around a wrapped app's lifespan.

:func:`replaying` hands an app a request body that was already read (to inspect it), then
the client's own messages (its disconnect).

A middleware may own resources that must open inside the server's event loop and close
before it stops (the downgrade decoys' HTTP session). :func:`run_lifespan` hooks the wrapped
app's lifespan: the hooks run when the server says ``lifespan.startup`` and
``lifespan.shutdown``, just before the app hears it. An app that does not speak the lifespan
protocol (it raises or returns before reading a message, which is how servers detect such
apps) is spoken for, so the hooks still run and the server sees the lifespan supported; an
app that fails once it has heard ``lifespan.startup`` fails as it would have.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["replaying", "run_lifespan"]

logger = logging.getLogger("guard")

Hook = Callable[[], Awaitable[None]]


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` whole first, then what ``receive`` gives."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def run_lifespan(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, *, startup: Hook, shutdown: Hook
) -> None:
    heard = False

    async def hooked() -> Message:
        nonlocal heard
        message = await receive()
        heard = True
        if message["type"] == "lifespan.startup":
            await startup()
        elif message["type"] == "lifespan.shutdown":
            await shutdown()
        return message

    try:
        await app(scope, hooked, send)
    except Exception as exc:
        if heard:
            raise
        logger.debug("the wrapped app does not support the lifespan protocol: %r", exc)
    if heard:
        return
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return
