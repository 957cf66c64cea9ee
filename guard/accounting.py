"""Reading token usage off a response as it streams past, without touching it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from guard.adapters import Adapter, StreamUsage
from guard.models import Usage
from guard.sse import SSEParser

__all__ = ["UsageTap"]

_MAX_JSON = 4 * 1024 * 1024  # larger JSON bodies are passed on but not parsed for usage


class UsageTap:
    """Observes one response's bytes and reports its usage at the end.

    SSE is parsed incrementally (never buffered beyond one line); a JSON body is kept up to
    ``_MAX_JSON`` bytes to read ``usage`` from once complete.
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
        if self._parser is not None and self._stream is not None:
            for event in self._parser.feed(chunk):
                self._stream.feed(event)
        elif self._kind == "json":
            self._size += len(chunk)
            if self._size <= _MAX_JSON:
                self._chunks.append(chunk)

    def result(self) -> Usage:
        if self._stream is not None:
            return self._stream.result()
        if self._kind == "json" and self._size <= _MAX_JSON and self._chunks:
            try:
                body = json.loads(b"".join(self._chunks))
            except ValueError:
                return Usage()
            return self._adapter.usage(body) or Usage()
        return Usage()
