"""GuardMiddleware: the pipeline as a pure ASGI middleware.

It reads the body of requests it inspects (bounded by the policy's ``limits.max_body``), hands
the app the same bytes, and passes the response through message by message: nothing is
buffered or rewritten on the way out unless the policy acted, so SSE streams keep their timing.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from guard.accounting import UsageTap
from guard.act import cap_payload, tarpit_delay
from guard.asgi import replaying, run_lifespan
from guard.errors import PayloadTooLarge, RequestError
from guard.models import Action, Api, Usage
from guard.pipeline import Inspection, Pipeline
from guard.policy.actions import Cap, Decoy, Tarpit
from guard.policy.loader import PolicySource
from guard.reload import PolicyWatcher
from guard.respond import Rewriter, make_decoy, send_decoy
from guard.responses import error_response
from guard.store import Store

if TYPE_CHECKING:
    from guard.decoys import Downgrader

__all__ = ["GuardMiddleware"]

# The routes decoys can imitate; generic routes pass through whatever the policy says.
_DECOY_ROUTES = frozenset(
    ("openai.chat", "openai.completions", "openai.responses", "anthropic.messages")
)
_THROTTLE_MESSAGE = "Rate limit reached for requests. Please try again in {seconds}s."
_BLOCK_MESSAGE = (
    "Your access to this API has been restricted. Contact support if you believe this is an error."
)
_UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please try again later."


class GuardMiddleware:
    """Inspect LLM API requests and enforce a guard policy in front of ``app``.

    ``policy`` is a path to a YAML file, a mapping, or a :class:`guard.Policy` (``None``: the
    bundled default). ``store`` is a URL (``memory://``, ``redis://host:6379/0``) or a
    :class:`guard.store.Store`. Pass ``pipeline`` instead to share one between apps. A policy
    given as a path is watched and reloaded when it changes (``reload=False`` to turn off).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: PolicySource = None,
        store: str | Store = "memory://",
        secret: str | None = None,
        clock: Callable[[], float] = time.time,
        pipeline: Pipeline | None = None,
        reload: bool = True,
        record_every: int = 16,
    ) -> None:
        self.app = app
        self.pipeline = pipeline or Pipeline(policy, store=store, secret=secret, clock=clock)
        self.record_every = record_every
        self._seen = 0
        self._downgrader: Downgrader | None = None
        self.watcher: PolicyWatcher | None = None
        if reload and isinstance(policy, (str, os.PathLike)):
            self.watcher = PolicyWatcher(self.pipeline, policy)

    @property
    def downgrader(self) -> Downgrader:
        """Asks cheaper models for downgrade decoys (its HTTP session opens at start-up when
        the policy has downgrade decoys, else on first use)."""
        if self._downgrader is None:
            from guard.decoys import Downgrader

            self._downgrader = Downgrader(self.app)
        return self._downgrader

    async def startup(self) -> None:
        if self.pipeline.policy.downgrades:  # opened inside the running loop, shared by all
            self.downgrader.session()  # (a policy reloaded with one opens it on first use)

    async def aclose(self) -> None:
        """Close what the middleware opened (the downgrade decoys' session)."""
        if self._downgrader is not None:
            await self._downgrader.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await run_lifespan(
                self.app, scope, receive, send, startup=self.startup, shutdown=self.aclose
            )
            return
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        pipeline = self.pipeline
        if self.watcher is not None:
            self.watcher.start()  # idempotent; needs the running loop, hence here
        path: str = scope["path"]
        adapter = pipeline.route(path)
        if adapter is None:
            if pipeline.policy.routes.unknown == "block" and not pipeline.ignored(path):
                await error_response(Api.OPENAI, 404, f"Unknown request URL: POST {path}.")(send)
                return
            await self.app(scope, receive, send)
            return

        try:
            body = await _read_body(scope, receive, pipeline.policy.limits.max_body)
        except PayloadTooLarge as exc:
            await error_response(adapter.api, exc.status_code, exc.message)(send)
            return
        if body is None:  # the client went away before sending its whole body
            return

        headers = scope["headers"]
        client = scope.get("client")
        identity = pipeline.identify(headers, client[0] if client else "")
        try:
            inspection = await pipeline.inspect(adapter, identity, headers, body)
        except RequestError as exc:
            await error_response(adapter.api, exc.status_code, exc.message)(send)
            return

        action = inspection.decision.enforced
        if action is Action.THROTTLE or action is Action.BLOCK:
            await _refuse(inspection, send)
            await pipeline.account(inspection, Usage())
            return
        stream_delay = 0.0
        then = inspection.then
        if action is Action.DECOY and isinstance(then, Decoy):
            answer = await make_decoy(
                pipeline.decoys, self.downgrader, inspection, then, scope, receive
            )
            if answer is not None:
                await send_decoy(answer, send)
                await pipeline.account(inspection, Usage(0, len(answer.text) // 4))
                return
        if action is Action.TARPIT and isinstance(then, Tarpit):
            await asyncio.sleep(tarpit_delay(then))
            stream_delay = then.stream_delay or 0.0
        elif action is Action.CAP and isinstance(then, Cap):
            capped = cap_payload(inspection.request.route, inspection.payload, then)
            if capped is not None:
                body = capped
                scope = _with_content_length(scope, len(body))
        await self._forward(scope, receive, send, body, inspection, stream_delay)

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        body: bytes,
        inspection: Inspection,
        stream_delay: float = 0.0,
    ) -> None:
        tap = UsageTap(inspection.adapter)
        action = inspection.decision.enforced
        if action is Action.PERTURB or action is Action.WATERMARK:
            send = Rewriter(self.pipeline.decoys, inspection, send)
        recorder = self._recorder(inspection) if action is not Action.DECOY else None

        async def tapping_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.body":
                if stream_delay and message.get("more_body", False):
                    await asyncio.sleep(stream_delay)
                tap.feed(message.get("body", b""))
                if recorder is not None:
                    recorder.feed(message.get("body", b""))
            elif kind == "http.response.start":
                tap.start(message["status"], message.get("headers", ()))
                if recorder is not None:
                    recorder.start(message["status"], message.get("headers", ()))
            await send(message)

        try:
            await self.app(scope, replaying(body, receive), tapping_send)
        finally:
            if recorder is not None:
                recorder.close()
            await self.pipeline.account(inspection, tap.result())

    def _recorder(self, inspection: Inspection) -> Any:
        """A tap that teaches the decoy engine from every ``record_every``-th genuine answer
        on a route it can imitate (decoys copy their shape, cadence and wording), and from
        more while decoys there run short of answers to recombine."""
        route = inspection.request.route
        if self.record_every <= 0 or route not in _DECOY_ROUTES:
            return None
        self._seen += 1
        decoys = self.pipeline.decoys
        if self._seen % self.record_every and not decoys.wants(route):
            return None
        return decoys.recorder(route, inspection.payload, cell=inspection.features.cell)


async def _refuse(inspection: Inspection, send: Send) -> None:
    decision = inspection.decision
    api = inspection.api
    if decision.status == 503:
        await error_response(api, 503, _UNAVAILABLE_MESSAGE)(send)
    elif decision.action is Action.THROTTLE:
        seconds = max(1, round(decision.retry_after))
        message = decision.reason or _THROTTLE_MESSAGE.format(seconds=seconds)
        await error_response(api, decision.status or 429, message, retry_after=seconds)(send)
    else:
        await error_response(api, decision.status or 403, decision.reason or _BLOCK_MESSAGE)(send)


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or ``None`` if the client disconnected first."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                break
            if declared > limit:
                raise PayloadTooLarge(_too_large(limit))
            break
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(_too_large(limit))
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def _too_large(limit: int) -> str:
    return f"Request body too large: the limit is {limit} bytes."


def _with_content_length(scope: Scope, length: int) -> Scope:
    """A copy of ``scope`` whose Content-Length matches a rewritten body."""
    headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return {**scope, "headers": headers}
