"""Reading traffic (the DESIGN.md traffic contract) and turning a line into request inputs.

A traffic file can hold millions of lines, so it is streamed: each line is read, parsed once
with :func:`json.loads` and handed over as a dict; nothing is kept. Files ending in ``.gz`` are
decompressed on the fly. A line that is not a JSON object is reported as ``None`` rather than
raised, because one truncated line (an interrupted ``guard simulate``) must not lose a
million-line replay.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from pathlib import Path
from typing import Any

from guard.models import Api

__all__ = ["KeyHeaders", "TrafficReader", "TrafficSource", "request_headers"]

TrafficSource = str | os.PathLike[str] | Iterable[Mapping[str, Any]]
"""A traffic file's path, or the lines themselves as already decoded mappings."""

Headers = list[tuple[bytes, bytes]]


class TrafficReader:
    """Iterates over a traffic source, one decoded line (or ``None`` if invalid) at a time.

    ``position`` and ``total`` measure progress in the source's own unit (bytes of a file,
    items of a sized iterable); ``total`` is ``None`` when it cannot be known in advance.
    """

    def __init__(self, source: TrafficSource) -> None:
        self.position = 0
        self.total: int | None = None
        self._path: Path | None = None
        self._items: Iterable[Mapping[str, Any]] | None = None
        if isinstance(source, (str, os.PathLike)):
            self._path = Path(source)
            self.total = self._path.stat().st_size
        else:
            self._items = source
            if isinstance(source, Sized):
                self.total = len(source)

    @property
    def name(self) -> str:
        return str(self._path) if self._path is not None else "<iterable>"

    def __iter__(self) -> Iterator[Mapping[str, Any] | None]:
        if self._path is not None:
            return self._read_file(self._path)
        assert self._items is not None
        return self._read_items(self._items)

    def _read_items(self, items: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any] | None]:
        for position, item in enumerate(items, 1):
            self.position = position
            yield item if isinstance(item, Mapping) else None

    def _read_file(self, path: Path) -> Iterator[Mapping[str, Any] | None]:
        loads = json.loads
        with contextlib.ExitStack() as stack:
            raw = stack.enter_context(path.open("rb"))
            lines: Iterable[bytes] = raw
            compressed = path.suffix == ".gz"
            if compressed:
                lines = stack.enter_context(gzip.GzipFile(fileobj=raw))
            position = 0
            for line in lines:
                # Progress is measured in bytes of the file as stored (compressed or not).
                position = raw.tell() if compressed else position + len(line)
                self.position = position
                if line.isspace():
                    continue
                try:
                    value = loads(line)
                except (ValueError, RecursionError):
                    yield None
                    continue
                yield value if isinstance(value, dict) else None


class KeyHeaders:
    """Builds the request headers of a traffic line: its own headers plus the API key.

    The key is sent the way the API's own SDKs send it (``x-api-key`` on Anthropic routes,
    ``Authorization: Bearer`` elsewhere), restricted to the headers the policy reads keys
    from; key headers written in the line itself are dropped, so the line's ``key`` field is
    the only key a request carries.
    """

    def __init__(self, key_headers: Sequence[str]) -> None:
        names = [name.lower() for name in key_headers]
        self.names = frozenset(names)
        default = "authorization" if "authorization" in names else (names[0] if names else "")
        self._default = default.encode("latin-1")
        self._anthropic = b"x-api-key" if "x-api-key" in names else self._default

    def header(self, key: str, api: Api) -> tuple[bytes, bytes] | None:
        name = self._anthropic if api is Api.ANTHROPIC else self._default
        if not name or not key:
            return None
        value = key.encode("utf-8", "replace")
        if name == b"authorization":
            value = b"Bearer " + value
        return (name, value)


def request_headers(
    headers: Any, key_header: tuple[bytes, bytes] | None, key_names: frozenset[str]
) -> Headers:
    """ASGI-style headers (lower-cased names, bytes) for a line's ``headers`` mapping."""
    result: Headers = []
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if not isinstance(name, str):
                continue
            lower = name.lower()
            if lower in key_names:
                continue
            text = value if isinstance(value, str) else str(value)
            result.append((lower.encode("utf-8", "replace"), text.encode("utf-8", "replace")))
    if key_header is not None:
        result.append(key_header)
    return result
