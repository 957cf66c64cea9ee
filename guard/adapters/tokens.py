"""Token accounting for streamed responses: reported figures when present, else estimates.

Streams often carry no usage at all (OpenAI only sends it when the client asked with
``stream_options.include_usage``; a client that hangs up early never sees the last event), so
every adapter falls back to one cheap estimate from the text it has seen. No tokenizer is run:
this sits on the path of every streamed chunk, and budgets only need the right magnitude.
"""

from __future__ import annotations

import json
from typing import Any

from guard.adapters.base import StreamUsage
from guard.models import Usage
from guard.sse import SSEEvent

__all__ = ["CHARS_PER_TOKEN", "EstimatingStreamUsage", "estimate_tokens", "event_json"]

#: Characters per token of English text under the common BPE tokenizers. A rule of thumb:
#: it undercounts CJK text, but budgets need the magnitude, not the exact figure.
CHARS_PER_TOKEN = 4


def estimate_tokens(chars: int) -> int:
    """Tokens in ``chars`` characters of generated text, rounded up."""
    return -(-chars // CHARS_PER_TOKEN) if chars > 0 else 0


def event_json(event: SSEEvent) -> dict[str, Any] | None:
    """The event's data as a JSON object, or ``None`` (``[DONE]``, keep-alives, junk)."""
    data = event.data
    if not data.startswith("{"):
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class EstimatingStreamUsage(StreamUsage):
    """Base for the adapters' accumulators.

    Subclasses call :meth:`add_text` with generated text and set ``reported_input`` /
    ``reported_output`` when the stream states them; :meth:`result` prefers the latter.
    """

    __slots__ = ("chars", "reported_input", "reported_output")

    def __init__(self) -> None:
        self.chars = 0
        self.reported_input: int | None = None
        self.reported_output: int | None = None

    def add_text(self, text: Any) -> None:
        if isinstance(text, str):
            self.chars += len(text)

    def estimated_output(self) -> int:
        return estimate_tokens(self.chars)

    def result(self) -> Usage:
        output = self.reported_output
        if output is None:
            output = self.estimated_output()
        return Usage(self.reported_input or 0, output)
