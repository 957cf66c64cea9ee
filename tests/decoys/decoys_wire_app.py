"""A tiny ASGI app putting a DecoyEngine in front of the mock upstream, for the SDK tests.

It does what the middleware will: forward to the upstream and rewrite the answer (perturb,
watermark), or answer with a decoy, recording genuine answers as templates on the way.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from guard.asgi import replaying
from guard.decoys import DecoyEngine
from guard.mock import MockUpstream

ROUTES = {
    "/v1/chat/completions": "openai.chat",
    "/v1/completions": "openai.completions",
    "/v1/responses": "openai.responses",
    "/v1/messages": "anthropic.messages",
}
KEY_ID = "k_" + "5" * 32


class WireApp:
    """``mode``: genuine | perturb | watermark | mismatch | synthetic."""

    def __init__(self, engine: DecoyEngine, mode: str = "genuine", params: Any = None) -> None:
        self.engine = engine
        self.mode = mode
        self.params = params
        self.upstream = MockUpstream(seed=3)
        self.sent: list[Message] = []  # the last response's messages, as sent

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.upstream(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        route = ROUTES[scope["path"]]
        request = json.loads(body)
        self.sent = []

        async def out(message: Message) -> None:
            self.sent.append(message)
            await send(message)

        if self.mode in ("mismatch", "synthetic"):
            answer = self.engine.decoy(self.mode, route, request, key_id=KEY_ID, cell=1)
            assert answer is not None
            await out(
                {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
            )
            if answer.body is not None:
                await out({"type": "http.response.body", "body": answer.body})
                return
            assert answer.events is not None
            for _, event in answer.events:
                await out({"type": "http.response.body", "body": event, "more_body": True})
            await out({"type": "http.response.body", "body": b""})
            return
        await self._forward(scope, body, route, request, out)

    async def _forward(
        self, scope: Scope, body: bytes, route: str, request: Any, send: Send
    ) -> None:
        messages: list[Message] = []

        async def disconnect() -> Message:
            return {"type": "http.disconnect"}

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.upstream(scope, replaying(body, disconnect), capture)
        start = messages[0]
        headers = list(start["headers"])
        chunks = [m.get("body", b"") for m in messages[1:]]
        tap = self.engine.recorder(route, request, cell=1)
        tap.start(start["status"], headers)
        for chunk in chunks:
            tap.feed(chunk)
        tap.close()
        stream = any(v.startswith(b"text/event-stream") for k, v in headers if k == b"content-type")
        if self.mode == "genuine" or start["status"] != 200:
            await send(start)
            for message in messages[1:]:
                await send(message)
            return
        if stream:
            rewriter = self.engine.stream_transformer(self.mode, route, KEY_ID, self.params)  # type: ignore[arg-type]
            await send(start)
            for chunk in chunks:
                await send(
                    {"type": "http.response.body", "body": rewriter.feed(chunk), "more_body": True}
                )
            await send({"type": "http.response.body", "body": rewriter.close()})
            return
        full = b"".join(chunks)
        new = self.engine.rewrite_json(self.mode, route, full, KEY_ID, self.params)  # type: ignore[arg-type]
        new = full if new is None else new
        headers = [(k, str(len(new)).encode() if k == b"content-length" else v) for k, v in headers]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": new})
