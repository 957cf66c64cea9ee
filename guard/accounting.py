"""Reading token usage off a response as it streams past, without touching it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from guard.adapters import Adapter, StreamUsage
from guard.models import Usage
from guard.sse import SSEParser

__all__ = ["UsageTap"]

_MAX_JSON = 4 * 1024 * 1024  # larger JSON bodies are passed on but not parsed for usage
_SSE_BATCH = 256 * 1024  # stream bytes held before they are parsed: bounds memory per stream


class UsageTap:
    """Observes one response's bytes and reports its usage at the end.

    Nothing is parsed while the response is on its way, so reading usage never delays a
    byte: a JSON body is kept up to ``_MAX_JSON`` bytes and read once complete; an SSE stream
    is kept up to ``_SSE_BATCH`` bytes at a time and parsed (incrementally, never buffering
    more than a line) whenever that much has piled up, and at the end.
    """

    __slots__ = ("_adapter", "_chunks", "_kind", "_parser", "_size", "_stream", "status")

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter
        self._kind = ""
        self._chunks: list[bytes] = []
        self._size = 0
        self._parser: SSEParser | None = None
        self._stream: StreamUsage | None = None
        self.status = 0

    def start(self, status: int, headers: Sequence[tuple[bytes, bytes]]) -> None:
        self.status = status
        if status >= 400:
            return
        for name, value in headers:
            if name.lower() == b"content-type":
                media = value.split(b";", 1)[0].strip().lower()
                if media == b"text/event-stream":
                    self._kind = "sse"
                    self._parser = SSEParser()
                    self._stream = self._adapter.stream_usage()
                elif media == b"application/json" or media.endswith(b"+json"):
                    self._kind = "json"
                break

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self._parser is not None:
            self._chunks.append(chunk)
            self._size += len(chunk)
            if self._size >= _SSE_BATCH:
                self._drain()
        elif self._kind == "json":
            self._size += len(chunk)
            if self._size <= _MAX_JSON:
                self._chunks.append(chunk)

    def _drain(self) -> None:
        """Parse the stream bytes held so far."""
        assert self._parser is not None and self._stream is not None
        feed = self._stream.feed
        for chunk in self._chunks:
            for event in self._parser.feed(chunk):
                feed(event)
        self._chunks.clear()
        self._size = 0

    def result(self) -> Usage:
        if self._stream is not None:
            self._drain()
            return self._stream.result()
        if self._kind == "json" and self._size <= _MAX_JSON and self._chunks:
            body = b"".join(self._chunks)
            if self._adapter.route in _USAGE_AT_TOP:
                usage = _top_level_usage(body)
                if usage is not None:
                    return self._adapter.usage({"usage": usage}) or Usage()
            try:
                return self._adapter.usage(json.loads(body)) or Usage()
            except ValueError:
                return Usage()
        return Usage()


# Routes whose JSON responses keep token usage in a top-level "usage" object.
_USAGE_AT_TOP = frozenset(
    ("openai.chat", "openai.completions", "openai.responses", "anthropic.messages")
)
_DECODER = json.JSONDecoder()
_USAGE_KEY = b'"usage"'


def _top_level_usage(body: bytes) -> dict[str, object] | None:
    """The response's ``usage`` object without parsing the whole body.

    These APIs write ``usage`` after the content, so it is searched from the end; an
    occurrence inside a string (escaped quotes) or anything that does not decode to an object
    makes the caller parse the whole body instead.
    """
    end = len(body)
    for _ in range(3):
        at = body.rfind(_USAGE_KEY, 0, end)
        if at <= 0:
            return None
        end = at
        if body[at - 1 : at] == b"\\":
            continue
        colon = body.find(b":", at + len(_USAGE_KEY))
        if colon < 0:
            return None
        try:
            value, _ = _DECODER.raw_decode(body[colon + 1 :].decode("utf-8").lstrip())
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None
