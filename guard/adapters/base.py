"""The format-adapter interface: read a prompt from a request, usage from a response."""

from __future__ import annotations

import abc
from typing import Any

from guard.models import Api, PromptRequest, Usage
from guard.sse import SSEEvent

__all__ = ["Adapter", "StreamUsage"]


class StreamUsage(abc.ABC):
    """Accumulates token usage from one streamed (SSE) response, event by event."""

    @abc.abstractmethod
    def feed(self, event: SSEEvent) -> None:
        """Take one server-sent event; never raises on odd or partial data."""

    @abc.abstractmethod
    def result(self) -> Usage:
        """Usage seen so far: reported figures when the stream carried them, else estimates."""


class Adapter(abc.ABC):
    """Knows one API format. Instances are immutable and shared by all requests."""

    api: Api
    route: str

    @abc.abstractmethod
    def parse(self, body: Any) -> PromptRequest:
        """Extract the prompt and parameters from a decoded JSON body.

        Raises :class:`guard.errors.BadRequest` (with a message naming the offending field)
        when the body is not a request of this format.
        """

    @abc.abstractmethod
    def usage(self, body: Any) -> Usage | None:
        """Token usage from a decoded JSON response body, or ``None`` if it has none."""

    @abc.abstractmethod
    def stream_usage(self) -> StreamUsage:
        """A fresh accumulator for one streamed response."""
