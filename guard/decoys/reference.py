"""Reference templates: a route's wire shape before any genuine answer was seen.

Decoys are shaped after recent genuine responses. Until one has passed on a route (just
after a restart, say), the shape comes from :mod:`guard.mock`, whose routes follow the real
APIs field for field (the SDK tests hold it to that): its handler answers the request, and
the answer's text, ids and usage are then replaced like a genuine template's. Only its
body is borrowed: the headers are the content type (and length) alone, since the real
upstream's own headers cannot be known before it has answered once.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Mapping
from typing import Any

from starlette.responses import Response, StreamingResponse

from guard.decoys.formats import Template
from guard.mock import anthropic as mock_anthropic
from guard.mock import openai as mock_openai
from guard.mock.call import Call
from guard.mock.wire import InvalidRequest

__all__ = ["reference_template"]

_HANDLERS: Mapping[str, Callable[[Call], Response]] = {
    "openai.chat": mock_openai.chat_completions,
    "openai.completions": mock_openai.completions,
    "openai.responses": mock_openai.responses,
    "anthropic.messages": mock_anthropic.messages,
}


def reference_template(route: str, request: Mapping[str, Any], stream: bool) -> Template | None:
    """The mock's answer to ``request`` as a template (``None``: the mock refuses it)."""
    handler = _HANDLERS.get(route)
    if handler is None:
        return None
    body = dict(request)
    body["stream"] = stream
    call = Call(body=body, key=b"guard-decoys-reference", seed=0, created=0, chunk_delay=0.0)
    try:
        response = handler(call)
    except InvalidRequest:
        return None
    headers: tuple[tuple[bytes, bytes], ...]
    if isinstance(response, StreamingResponse):
        content = _drain(response.body_iterator)
        headers = ((b"content-type", (response.media_type or "text/event-stream").encode()),)
    else:
        content = bytes(response.body)
        headers = ((b"content-type", b"application/json"), (b"content-length", b"0"))
    return Template(route, stream, 200, headers, content)


def _drain(iterator: AsyncIterable[Any]) -> bytes:
    """The chunks of an async iterator that never awaits anything (the mock's stream with
    no chunk delay), collected without an event loop."""
    chunks: list[bytes] = []
    agen = iterator.__aiter__()
    while True:
        step = agen.__anext__()
        try:
            step.send(None)  # type: ignore[attr-defined]
        except StopIteration as done:
            value = done.value
            chunks.append(value.encode() if isinstance(value, str) else bytes(value))
            continue
        except StopAsyncIteration:
            break
        raise RuntimeError("the reference stream awaited something; it must not")
    return b"".join(chunks)
