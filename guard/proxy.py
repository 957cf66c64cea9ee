"""``ProxyApp``: a minimal streaming reverse proxy to one upstream, as a pure ASGI app.

It is the transport under ``guard serve``: guard's pipeline runs as middleware around it.
The design follows what long-lived proxies converge on (home-assistant's supervisor ingress,
asgiproxy): one shared aiohttp session owned by the lifespan, no decompression, cookies or
redirects, hop-by-hop headers stripped both ways, bodies streamed chunk by chunk in both
directions, and an idle-read timeout instead of a total one so long SSE answers survive.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
from multidict import CIMultiDict
from starlette.types import Message, Receive, Scope, Send
from yarl import URL

__all__ = ["ProxyApp"]

logger = logging.getLogger("guard.proxy")

# RFC 9110 section 7.6.1; "expect" too, because our own server already answered it.
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "expect",
    }
)
# Without these, aiohttp would add its own defaults (gzip we then would not decode, a
# user agent the client never sent): the upstream must see the client's headers only.
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


class _ClientGone(Exception):
    """The client disconnected while its request body was still being read."""


class ProxyApp:
    """Forward every HTTP request to ``upstream`` and stream the answer back unchanged.

    ``upstream`` is a base URL (``http://127.0.0.1:9000`` or ``https://host/prefix``); each
    request's path is joined onto it, and nothing is ever sent anywhere else. Connection
    failures answer 502 and timeouts 504, in the OpenAI error shape (Anthropic's for paths
    ending in ``/messages``).
    """

    def __init__(
        self,
        upstream: str,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 300,
        max_connections: int = 100,
        retries: int = 0,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, not {retries}.")
        self.retries = retries
        base = URL(upstream)
        if base.scheme not in ("http", "https") or not base.host:
            raise ValueError(
                f"upstream must be an http(s) URL such as http://127.0.0.1:9000, not {upstream!r}."
            )
        if base.query_string or base.fragment:
            raise ValueError(f"upstream must not carry a query or fragment: {upstream!r}.")
        self.upstream = upstream
        self._origin = base.origin()
        self._prefix = base.raw_path.rstrip("/")
        self._host = self._origin.raw_authority
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=connect_timeout, sock_read=read_timeout
        )
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await _Exchange(self, scope, receive, send).run()
        else:
            await send({"type": "websocket.close", "code": 1003})

    async def aclose(self) -> None:
        """Close the shared session and its pooled connections; safe to call twice."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def session(self) -> aiohttp.ClientSession:
        """The shared session, created on first use inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0),
                timeout=self._timeout,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_NO_AUTO_HEADERS,
                trust_env=False,
            )
        return self._session

    def target(self, scope: Scope) -> URL | None:
        """The upstream URL for this request, or None if its target is not a plain path."""
        raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode("ascii")
        raw_path = raw_path.split(b"?", 1)[0]
        # Origin-form only: absolute-form targets ("GET http://elsewhere/") and "*" would
        # otherwise turn the proxy into an open relay.
        if not raw_path.startswith(b"/") or raw_path.startswith(b"//"):
            return None
        query: bytes = scope.get("query_string", b"")
        # Built, not joined: joining would resolve "..", and the upstream must see the path
        # exactly as the client sent it (and as guard inspected it).
        url = URL.build(
            scheme=self._origin.scheme,
            authority=self._origin.raw_authority,
            path=self._prefix + raw_path.decode("latin-1"),
            query_string=query.decode("latin-1"),
            encoded=True,
        )
        return url if url.origin() == self._origin else None

    def upstream_headers(self, scope: Scope) -> CIMultiDict[str]:
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        drop = _HOP_BY_HOP | _connection_tokens(headers) | {"host"}
        out: CIMultiDict[str] = CIMultiDict()
        for name, value in headers:
            lowered = name.decode("latin-1").lower()
            if lowered not in drop:
                # aiohttp writes header values as UTF-8, so decode them as UTF-8 too.
                out.add(lowered, value.decode("utf-8", "replace"))
        out["host"] = self._host
        return out

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.session()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


class _Exchange:
    """One proxied request: forwards it while watching for the client going away."""

    def __init__(self, proxy: ProxyApp, scope: Scope, receive: Receive, send: Send) -> None:
        self.proxy = proxy
        self.scope = scope
        self.receive = receive
        self.send = send
        self.body_done = asyncio.Event()
        self.client_gone = asyncio.Event()
        self.response_started = False
        self.response_done = False

    async def run(self) -> None:
        forward = asyncio.ensure_future(self.forward())
        watch = asyncio.ensure_future(self.watch())
        gone = asyncio.ensure_future(self.client_gone.wait())
        try:
            await asyncio.wait({forward, gone}, return_when=asyncio.FIRST_COMPLETED)
            if not forward.done():
                # Closing the upstream response in forward()'s cleanup tells the upstream
                # to stop generating and frees the pooled connection.
                forward.cancel()
        finally:
            for task in (forward, watch, gone):
                task.cancel()
            results = await asyncio.gather(forward, watch, gone, return_exceptions=True)
        error = results[0]
        if isinstance(error, BaseException) and not isinstance(error, asyncio.CancelledError):
            raise error

    async def watch(self) -> None:
        """After the request body is read, the only message left is ``http.disconnect``."""
        await self.body_done.wait()
        while (await self.receive())["type"] != "http.disconnect":
            pass
        if not self.response_done:
            self.client_gone.set()

    async def forward(self) -> None:
        url = self.proxy.target(self.scope)
        if url is None:
            await self.error(400, "invalid_request_target", "The request target must be a path.")
            return
        first = await self.receive()
        if first["type"] == "http.disconnect":
            return
        data: bytes | AsyncIterator[bytes] | None
        if first.get("more_body", False):
            data = self.body(first.get("body", b""))
        else:
            self.body_done.set()
            data = first.get("body", b"") or None
        # A failed connection sent nothing, so it can be retried; once a streamed body has
        # started flowing it cannot be replayed, so only whole bodies are retried.
        attempts = 1 + (self.proxy.retries if not isinstance(data, AsyncIterator) else 0)
        try:
            for attempt in range(attempts):
                try:
                    async with self.proxy.session().request(
                        self.scope["method"],
                        url,
                        headers=self.proxy.upstream_headers(self.scope),
                        data=data,
                        allow_redirects=False,
                    ) as upstream:
                        await self.relay(upstream)
                    break
                except aiohttp.ClientConnectorError:
                    if attempt + 1 >= attempts:
                        raise
                    await asyncio.sleep(0.05 * 2**attempt)
        # Details go to the log, not to the client: they name internal addresses.
        except asyncio.TimeoutError as exc:
            logger.warning("Upstream timed out for %s %s: %r", self.scope["method"], url, exc)
            await self.error(504, "upstream_timeout", "The upstream API did not answer in time.")
        except _ClientGone:
            return
        except aiohttp.ClientError as exc:
            logger.warning("Upstream failed for %s %s: %r", self.scope["method"], url, exc)
            await self.error(502, "upstream_unreachable", "The upstream API could not be reached.")

    async def body(self, first: bytes) -> AsyncIterator[bytes]:
        if first:
            yield first
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.client_gone.set()
                raise _ClientGone
            if message.get("body"):
                yield message["body"]
            if not message.get("more_body", False):
                self.body_done.set()
                return

    async def relay(self, upstream: aiohttp.ClientResponse) -> None:
        headers = upstream.raw_headers
        drop = _HOP_BY_HOP | _connection_tokens(headers)
        self.response_started = True
        await self.send(
            {
                "type": "http.response.start",
                "status": upstream.status,
                "headers": [(k.lower(), v) for k, v in headers if k.lower().decode() not in drop],
            }
        )
        try:
            async for chunk in upstream.content.iter_any():
                await self.send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            # The status line is gone: leaving the response unfinished makes the server drop
            # the connection, so the client sees a truncated body rather than a clean end.
            logger.warning("Upstream failed mid-response for %s: %r", upstream.url.path, exc)
            upstream.close()
            return
        except OSError:
            # ASGI 2.4 servers raise on send once the client has gone.
            self.client_gone.set()
            upstream.close()
            return
        except asyncio.CancelledError:
            upstream.close()
            raise
        self.response_done = True
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})

    async def error(self, status: int, code: str, message: str) -> None:
        """Answer in the error shape the client's SDK parses (Anthropic's for /messages)."""
        if self.response_started or self.client_gone.is_set():
            return
        path: str = self.scope.get("path", "")
        payload: dict[str, Any]
        if path.rstrip("/").endswith("/messages"):
            kind = {400: "invalid_request_error", 504: "timeout_error"}.get(status, "api_error")
            payload = {"type": "error", "error": {"type": kind, "message": message}}
        else:
            kind = "invalid_request_error" if status < 500 else "server_error"
            payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        body = json.dumps(payload).encode()
        self.response_started = self.response_done = True
        start: Message = {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        await self.send(start)
        await self.send({"type": "http.response.body", "body": body, "more_body": False})


def _connection_tokens(headers: Any) -> frozenset[str]:
    """Header names listed in ``Connection``: hop-by-hop for this hop only (RFC 9110 7.6.1)."""
    tokens: set[str] = set()
    for name, value in headers:
        if name.lower() == b"connection":
            tokens.update(t.strip().lower() for t in value.decode("latin-1").split(","))
    tokens.discard("")
    return frozenset(tokens)
