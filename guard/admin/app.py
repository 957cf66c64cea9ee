"""``AdminApp``: guard's admin API and dashboard under ``/_guard/``, as a pure ASGI app.

Endpoints (``GET``; ``HEAD`` too)::

    /_guard/health         no token   store reachability, policy hash, version (200 or 503)
    /_guard/               no token   the dashboard page (it asks for the token itself)
    /_guard/static/<file>  no token   the page's script and stylesheet
    /_guard/metrics        token      Prometheus text
    /_guard/keys           token      tracked keys, keyed by key id (?limit=, at most 1000)
    /_guard/keys/{id}      token      one key: windows, signals, recent decisions
    /_guard/campaigns      token      linked keys (?limit=, at most 1000)
    /_guard/api/summary    token      what the dashboard draws

The token is sent as ``Authorization: Bearer <token>``. With no token configured the admin
API is disabled: every path but ``health`` answers 404, so an unconfigured server exposes
nothing but its health.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from starlette.datastructures import QueryParams
from starlette.types import Receive, Scope, Send

from guard.admin import views
from guard.admin.activity import Activity
from guard.admin.auth import Auth, BearerAuth
from guard.admin.dashboard import PAGE_HEADERS, assets
from guard.admin.metrics import CONTENT_TYPE, Metrics
from guard.errors import StoreError

if TYPE_CHECKING:
    from guard.pipeline import Pipeline

__all__ = ["PREFIX", "AdminApp"]

PREFIX = "/_guard"
_JSON = "application/json"
_NO_STORE = ("cache-control", "no-store")


class AdminApp:
    """Serves the admin endpoints for ``pipeline``.

    ``metrics`` and ``activity`` must be among ``pipeline.listeners`` to see any traffic
    (:func:`guard.server.build_app` wires them). ``token=None`` disables all but health.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        token: str | None,
        metrics: Metrics,
        activity: Activity,
        store_timeout: float = 1.0,
    ) -> None:
        self.pipeline = pipeline
        self.auth = BearerAuth(token) if token else None
        self.metrics = metrics
        self.activity = activity
        self.store_timeout = store_timeout
        self.assets = assets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            return
        responder = _Responder(send, head=scope["method"] == "HEAD")
        if scope["method"] not in ("GET", "HEAD"):
            await responder.error(
                405, "Only GET and HEAD are allowed here.", [("allow", "GET, HEAD")]
            )
            return
        path: str = scope["path"].removeprefix(PREFIX)
        if path == "/health":
            ok, body = await views.health(self.pipeline, self.store_timeout)
            await responder.json(200 if ok else 503, body)
            return
        if self.auth is None:
            await responder.error(
                404, "The admin API is disabled: set GUARD_ADMIN_TOKEN to enable it."
            )
            return
        if path == "":
            query = scope.get("query_string", b"").decode("latin-1")
            location = PREFIX + "/" + (f"?{query}" if query else "")
            await responder.send(308, b"", "text/plain", [("location", location)])
            return
        if path == "/":
            await self._asset(responder, "dashboard.html", scope, page=True)
            return
        if path.startswith("/static/"):
            await self._asset(responder, path.removeprefix("/static/"), scope)
            return
        result = self.auth.check(scope["headers"])
        if result is not Auth.OK:
            message = (
                "The admin token is wrong."
                if result is Auth.INVALID
                else "Send the admin token as 'Authorization: Bearer <token>'."
            )
            headers = [("www-authenticate", BearerAuth.challenge(result))]
            await responder.error(401, message, headers)
            return
        try:
            await self._private(responder, path, QueryParams(scope.get("query_string", b"")))
        except StoreError as exc:
            await responder.error(503, f"The state store is unavailable: {exc}")

    async def _private(self, responder: _Responder, path: str, query: QueryParams) -> None:
        pipeline, activity = self.pipeline, self.activity
        if path == "/metrics":
            self.metrics.set_policy(pipeline.policy)
            await responder.send(200, self.metrics.render(), CONTENT_TYPE, [_NO_STORE])
        elif path == "/keys":
            limit = _limit(query, default=100)
            if limit is None:
                await responder.error(400, "limit must be a whole number from 1 to 1000.")
                return
            await responder.json(200, await views.keys(pipeline, activity, limit))
        elif path.startswith("/keys/") and path.count("/") == 2:
            key_id = path.removeprefix("/keys/")
            detail = await views.key_detail(pipeline, activity, key_id)
            if detail is None:
                await responder.error(404, f"No key {key_id!r} is tracked.")
                return
            await responder.json(200, detail)
        elif path == "/campaigns":
            limit = _limit(query, default=100)
            if limit is None:
                await responder.error(400, "limit must be a whole number from 1 to 1000.")
                return
            await responder.json(200, await views.campaigns(pipeline, activity, limit))
        elif path == "/api/summary":
            body = await views.summary(pipeline, activity, timeout=self.store_timeout)
            await responder.json(200, body)
        else:
            await responder.error(404, f"No admin endpoint at {PREFIX}{path}.")

    async def _asset(
        self, responder: _Responder, name: str, scope: Scope, *, page: bool = False
    ) -> None:
        asset = self.assets.get(name)
        if asset is None or (name == "dashboard.html") != page:
            await responder.error(404, f"No admin file {name!r}.")
            return
        headers = [("etag", asset.etag), ("cache-control", "no-cache"), *PAGE_HEADERS]
        for header, value in scope["headers"]:
            if header == b"if-none-match" and asset.etag in value.decode("latin-1"):
                await responder.send(304, b"", asset.content_type, headers)
                return
        await responder.send(200, asset.body, asset.content_type, headers)


class _Responder:
    """Sends one response; for ``HEAD`` the same headers without the body."""

    def __init__(self, send: Send, *, head: bool) -> None:
        self._send = send
        self._head = head

    async def send(
        self, status: int, body: bytes, content_type: str, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        raw = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            *((k.encode(), v.encode("latin-1")) for k, v in headers),
        ]
        await self._send({"type": "http.response.start", "status": status, "headers": raw})
        await self._send({"type": "http.response.body", "body": b"" if self._head else body})

    async def json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        await self.send(status, body, _JSON, [_NO_STORE])

    async def error(
        self, status: int, message: str, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        body = json.dumps({"error": {"status": status, "message": message}}).encode()
        await self.send(status, body, _JSON, [_NO_STORE, *headers])


def _limit(query: QueryParams, *, default: int, maximum: int = 1000) -> int | None:
    raw = query.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 1 <= value <= maximum else None
