"""The ``downgrade`` decoy: the request answered by a cheaper model or upstream.

The answer is genuine model output, just from a weaker model: a student trained on it learns
the weaker model. Only its *text* is kept: the engine dresses it as the genuine route's own
answer (wire shape, header set and order, ids, usage, the model name the client asked for,
cadence; see :meth:`guard.decoys.DecoyEngine.render`), so nothing of the decoy upstream's
own headers or fields reaches the client.

:class:`Downgrader` asks the decoy upstream: over HTTP on one aiohttp session (opened at
start-up and closed at shutdown by the lifespan of the app that owns it, else on first use),
or, when the policy names no upstream, the wrapped app itself with the cheaper ``model``.
The decoy upstream is sent the client's request headers except its credentials: a client's
key is for the upstream it subscribed to, and another upstream (perhaps another provider's)
must never see it; the policy names the environment variable that holds the decoy upstream's
own key. Any failure (connection, timeout, error status, a body without text) gives ``None``,
and the caller serves another decoy: an error from the decoy upstream must never reach the
client.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from starlette.types import ASGIApp, Message, Receive, Scope

from guard.asgi import replaying

__all__ = ["DowngradeResponse", "Downgrader", "downgrade"]

logger = logging.getLogger("guard.decoys")

_HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"content-length",
        b"host",
        b"expect",
    }
)
# Not forwarded either: the answer is parsed here, so it must come uncompressed and whole.
_NOT_FORWARDED = _HOP_BY_HOP | {b"accept-encoding", b"accept"}
# Never sent to another upstream: the client's key is for the upstream it subscribed to.
_CREDENTIALS = frozenset({b"authorization", b"x-api-key", b"api-key", b"cookie"})


def _credentials(path: str, api_key: str | None) -> list[tuple[bytes, bytes]]:
    """The header that carries ``api_key`` on the API ``path`` belongs to (none without a key)."""
    if not api_key:
        return []
    if path.rstrip("/").endswith("/messages"):  # Anthropic's Messages API
        return [(b"x-api-key", api_key.encode("latin-1"))]
    return [(b"authorization", b"Bearer " + api_key.encode("latin-1"))]


@dataclass(frozen=True, slots=True)
class DowngradeResponse:
    """The decoy upstream's complete answer (``body`` is the whole JSON or SSE body)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


async def downgrade(
    session: aiohttp.ClientSession,
    upstream: str,
    path: str,
    request: Mapping[str, Any],
    headers: Sequence[tuple[bytes, bytes]] = (),
    *,
    model: str | None = None,
    api_key: str | None = None,
    timeout: float = 120.0,
) -> DowngradeResponse:
    """Send ``request`` (a decoded JSON body) to ``upstream`` + ``path``, with ``model``
    replacing the requested model, and return the whole answer.

    ``headers`` are the client's: sent on without its credentials, with ``api_key`` (the
    decoy upstream's own key) instead.

    The answer keeps the *requested* model name where the upstream echoes it, so the client
    sees the model it asked for. Errors of the connection propagate (aiohttp's); the caller
    falls back to another decoy.
    """
    body = dict(request)
    asked = body.get("model")
    if model:
        body["model"] = model
    send = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in [
            *(h for h in headers if h[0].lower() not in _CREDENTIALS),
            *_credentials(path, api_key),
        ]
        if name.lower() not in _NOT_FORWARDED
    }
    send["content-type"] = "application/json"
    url = upstream.rstrip("/") + path
    limit = aiohttp.ClientTimeout(total=timeout)
    async with session.post(url, data=json.dumps(body), headers=send, timeout=limit) as response:
        content = await response.read()
        out_headers = [
            (name.lower(), value)
            for name, value in response.raw_headers
            if name.lower() not in _HOP_BY_HOP
        ]
        status = response.status
    if model and isinstance(asked, str) and asked != model:
        content = content.replace(json.dumps(model).encode(), json.dumps(asked).encode())
    return DowngradeResponse(status, out_headers, content)


class Downgrader:
    """Asks the cheaper model for downgrade decoys, for one middleware (``app``: the app it
    wraps, asked when the policy names no decoy upstream)."""

    def __init__(self, app: ASGIApp, *, timeout: float = 120.0, connect_timeout: float = 10.0):
        self.app = app
        self.timeout = timeout
        self._client_timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The shared session, created on first use inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._client_timeout,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
            )
        return self._session

    async def aclose(self) -> None:
        """Close the session and its pooled connections; safe to call twice."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def ask(
        self,
        scope: Scope,
        receive: Receive,
        request: Mapping[str, Any],
        *,
        upstream: str | None,
        model: str | None,
        api_key: str | None = None,
    ) -> DowngradeResponse | None:
        """The cheaper model's whole answer to ``request`` (always asked without
        streaming), or ``None`` if there is no cheaper model to ask or it failed.

        ``api_key`` is the key of ``upstream``; the wrapped app (no ``upstream``) is asked
        with the client's own headers, as for the genuine answer.
        """
        if upstream is None and model is None:
            return None  # the same model of the same upstream is no downgrade
        body = {k: v for k, v in request.items() if k not in ("stream", "stream_options")}
        try:
            if upstream is not None:
                return await downgrade(
                    self.session(),
                    upstream,
                    scope["path"],
                    body,
                    scope["headers"],
                    model=model,
                    api_key=api_key,
                    timeout=self.timeout,
                )
            return await asyncio.wait_for(
                self._ask_app(scope, receive, {**body, "model": model}),
                self.timeout,
            )
        except Exception as exc:  # whatever failed, the client must not see it
            logger.warning("the downgrade decoy upstream failed for %s: %r", scope["path"], exc)
            return None

    async def _ask_app(
        self, scope: Scope, receive: Receive, body: Mapping[str, Any]
    ) -> DowngradeResponse:
        """The wrapped app's answer, asked in-process."""
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _NOT_FORWARDED]
        headers.append((b"content-length", str(len(data)).encode()))
        status = 0
        out_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, out_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = list(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        # after the body, the client's own disconnect if it leaves
        await self.app({**scope, "headers": headers}, replaying(data, receive), capture)
        return DowngradeResponse(status, out_headers, b"".join(chunks))
