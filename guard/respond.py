"""Responding for the decoy, perturb and watermark actions, in the upstream's own format.

A decoy answers without the app (in the shape, headers and cadence of recent genuine answers
on the route); perturb and watermark rewrite the app's genuine answer on its way out, JSON in
one piece (with Content-Length corrected in place, header order kept) and SSE event by event
with bounded hold-back. Errors from the app pass through untouched: nothing here may make a
response look different from what the upstream would have sent.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING, Any, Literal

from starlette.types import Message, Receive, Scope, Send

from guard.policy.actions import Decoy, Perturb, Watermark

if TYPE_CHECKING:
    from guard.decoys import DecoyAnswer, DecoyEngine, Downgrader
    from guard.pipeline import Inspection

__all__ = ["Rewriter", "make_decoy", "send_decoy"]

Headers = list[tuple[bytes, bytes]]


async def make_decoy(
    engine: DecoyEngine,
    downgrader: Downgrader,
    inspection: Inspection,
    then: Decoy,
    scope: Scope,
    receive: Receive,
) -> DecoyAnswer | None:
    """The decoy ``then`` asks for (``None``: none can be made, forward the request). A
    downgrade whose cheaper model fails, or that has none to ask, is a synthetic decoy."""
    route = inspection.request.route
    key_id = inspection.identity.key_id
    strategy = then.strategy
    if strategy == "downgrade":
        from guard.decoys.engine import answer_texts

        began = time.perf_counter()
        response = await downgrader.ask(
            scope,
            receive,
            inspection.payload,
            upstream=then.upstream,
            model=then.model,
            api_key=os.environ.get(then.api_key_env) if then.api_key_env else None,
        )
        if response is not None:
            texts = answer_texts(route, response.status, response.headers, response.body)
            answer = engine.render(
                route,
                inspection.payload,
                texts,
                key_id=key_id,
                canary=then.canary,
                elapsed=time.perf_counter() - began,
            )
            if answer is not None:
                return answer
        strategy = "synthetic"
    return engine.decoy(
        strategy,
        route,
        inspection.payload,
        key_id=key_id,
        cell=inspection.features.cell,
        canary=then.canary,
    )


async def send_decoy(answer: DecoyAnswer, send: Send) -> None:
    """Send a decoy with the timing of a genuine answer."""
    if answer.events is None:
        await asyncio.sleep(answer.delay)
        await send(
            {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        )
        await send({"type": "http.response.body", "body": answer.body or b""})
        return
    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
    for delay, event in answer.events:
        if delay > 0:
            await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": event, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


class Rewriter:
    """Wraps ``send`` to perturb or watermark one genuine response."""

    def __init__(self, engine: DecoyEngine, inspection: Inspection, send: Send) -> None:
        then = inspection.then
        self.kind: Literal["perturb", "watermark"] = (
            "perturb" if isinstance(then, Perturb) else "watermark"
        )
        self.params: Any = then if isinstance(then, (Perturb, Watermark)) else None
        self.engine = engine
        self.route = inspection.request.route
        self.key_id = inspection.identity.key_id
        self.send = send
        self._start: Message | None = None
        self._mode = "pass"  # pass | json | sse
        self._chunks: list[bytes] = []
        self._stream: Any = None

    async def __call__(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            await self._begin(message)
        elif kind == "http.response.body":
            await self._body(message)
        else:
            await self.send(message)

    async def _begin(self, message: Message) -> None:
        status = message["status"]
        media = b""
        for name, value in message.get("headers", ()):
            if name.lower() == b"content-type":
                media = value.split(b";", 1)[0].strip().lower()
                break
        if status >= 400:
            self._mode = "pass"
        elif media == b"text/event-stream":
            self._mode = "sse"
            self._stream = self.engine.stream_transformer(
                self.kind, self.route, self.key_id, self.params
            )
        elif media == b"application/json":
            self._mode = "json"
            self._start = message  # held until the body is complete: its length may change
            return
        await self.send(message)

    async def _body(self, message: Message) -> None:
        chunk = message.get("body", b"")
        more = message.get("more_body", False)
        if self._mode == "pass":
            await self.send(message)
        elif self._mode == "sse":
            out = self._stream.feed(chunk) if chunk else b""
            if not more:
                out += self._stream.close()
            if out or not more:
                await self.send({"type": "http.response.body", "body": out, "more_body": more})
        else:
            self._chunks.append(chunk)
            if not more:
                await self._finish_json()

    async def _finish_json(self) -> None:
        body = b"".join(self._chunks)
        rewrite = self.engine.perturb_json if self.kind == "perturb" else self.engine.watermark_json
        try:
            new = rewrite(self.route, body, self.key_id, self.params)
        except Exception:  # a rewrite must never cost the client its answer
            new = None
        if new is not None:
            body = new
        start = self._start or {"type": "http.response.start", "status": 200, "headers": []}
        headers: Headers = [
            (name, str(len(body)).encode() if name.lower() == b"content-length" else value)
            for name, value in start.get("headers", ())
        ]
        await self.send({**start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})
