"""One request as the mock's route handlers see it, and the paced SSE body they answer with."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.responses import StreamingResponse

__all__ = ["Call", "MockAbort", "event_stream"]


class MockAbort(Exception):
    """Raised mid-stream on purpose (``x-mock-abort-after``) so the server drops the connection."""


@dataclass(frozen=True, slots=True)
class Call:
    """A parsed request: ``key`` (seed and raw body) makes every identifier reproducible."""

    body: dict[str, Any]
    key: bytes
    seed: int
    created: int
    chunk_delay: float
    abort_after: int | None = None


def event_stream(call: Call, events: Iterable[bytes]) -> StreamingResponse:
    """Send each event as its own body chunk, ``chunk_delay`` apart, so streaming is observable.

    ``events`` is consumed lazily: an abort after N events never builds the rest.
    """

    async def body() -> AsyncIterator[bytes]:
        for sent, event in enumerate(events):
            if call.abort_after is not None and sent >= call.abort_after:
                raise MockAbort(f"aborted after {sent} events as requested")
            if sent and call.chunk_delay > 0:
                await asyncio.sleep(call.chunk_delay)
            yield event

    return StreamingResponse(body(), media_type="text/event-stream; charset=utf-8")
