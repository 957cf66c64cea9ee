"""An incremental, read-only parser for ``text/event-stream`` bodies.

The proxy and the middleware pass every streamed chunk through unchanged; they only need to
*see* the events in it (to count tokens, or to know where one event ends before rewriting the
next). :class:`SSEParser` therefore takes bytes exactly as they arrive, split anywhere (inside
a line, inside a CRLF pair, inside a UTF-8 character), and returns the events completed so
far, following the WHATWG "event stream interpretation" rules:
https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

Memory is bounded: a line, or an event's accumulated data, longer than ``max_size`` bytes is
dropped rather than buffered, so a peer that never sends a newline cannot grow it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_MAX_SIZE", "SSEEvent", "SSEParser"]

DEFAULT_MAX_SIZE = 1 << 20

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event.

    ``id`` is the stream's last event ID when this event was dispatched (it persists across
    events, as the spec says), or ``None`` if the stream never set one.
    """

    data: str
    event: str = "message"
    id: str | None = None


class SSEParser:
    """Turns a byte stream into :class:`SSEEvent` objects, one ``feed`` call per chunk.

    One parser serves one response; it is not thread-safe and holds only the current partial
    line and the current event's fields.
    """

    __slots__ = (
        "_data",
        "_data_size",
        "_discard_event",
        "_discard_line",
        "_event",
        "_last_id",
        "_max_size",
        "_pending",
        "_pending_size",
        "_skip_lf",
        "_started",
        "retry",
    )

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE) -> None:
        if max_size < 1:
            raise ValueError("max_size must be a positive number of bytes.")
        self._max_size = max_size
        # Pieces of the current, unterminated line. Joined only once its end arrives, so a
        # line dribbled in many small chunks costs linear, not quadratic, copying.
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF belongs to it
        self._discard_line = False  # the current line overflowed: drop it up to its end
        self._started = False  # a leading byte-order mark has been dealt with
        self._data: list[str] = []
        self._data_size = 0
        self._discard_event = False  # part of the current event was dropped: drop all of it
        self._event = ""
        self._last_id: str | None = None
        #: The last valid ``retry:`` value (milliseconds), for callers that care.
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Take the next chunk of the body; return the events it completed, in order."""
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
        if self._discard_line and chunk:
            chunk = self._skip_to_line_end(chunk)
        if not chunk:
            return []
        if b"\n" not in chunk and b"\r" not in chunk:
            self._hold(chunk)
            return []

        if self._pending:
            self._pending.append(chunk)
            buffer = b"".join(self._pending)
            self._pending = []
            self._pending_size = 0
        else:
            buffer = chunk
        if not self._started:
            self._started = True
            if buffer.startswith(_BOM):
                buffer = buffer[len(_BOM) :]

        last = buffer[-1]
        lines = buffer.splitlines()
        if last == 0x0D:
            self._skip_lf = True
        elif last != 0x0A:
            self._hold(lines.pop())

        events: list[SSEEvent] = []
        max_size = self._max_size
        for line in lines:
            if not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            elif len(line) > max_size:
                self._discard_event = True
            elif line[0] != 0x3A:  # a colon starts a comment
                self._field(line)
        return events

    def _hold(self, piece: bytes) -> None:
        """Keep part of an unterminated line, or start dropping it once it is too long."""
        self._pending_size += len(piece)
        if self._pending_size > self._max_size:
            self._pending = []
            self._pending_size = 0
            self._discard_line = True
            self._discard_event = True
            self._started = True
        else:
            self._pending.append(piece)

    def _skip_to_line_end(self, chunk: bytes) -> bytes:
        """Drop the rest of an over-long line; return what follows its terminator."""
        lf = chunk.find(b"\n")
        cr = chunk.find(b"\r")
        if lf == -1 and cr == -1:
            return b""
        self._discard_line = False
        if cr == -1 or (lf != -1 and lf < cr):
            return chunk[lf + 1 :]
        if cr + 1 == len(chunk):
            self._skip_lf = True
            return b""
        return chunk[cr + 2 :] if chunk[cr + 1] == 0x0A else chunk[cr + 1 :]

    def _field(self, line: bytes) -> None:
        colon = line.find(b":")
        if colon == -1:
            name, value = line, b""
        else:
            name = line[:colon]
            value = line[colon + 2 :] if line[colon + 1 : colon + 2] == b" " else line[colon + 1 :]
        if name == b"data":
            if self._discard_event:
                return
            self._data_size += len(value) + 1
            if self._data_size > self._max_size:
                self._data = []
                self._discard_event = True
                return
            self._data.append(value.decode("utf-8", "replace"))
        elif name == b"event":
            self._event = value.decode("utf-8", "replace")
        elif name == b"id":
            if b"\0" not in value:
                self._last_id = value.decode("utf-8", "replace")
        elif name == b"retry":
            if value.isdigit():
                self.retry = int(value)

    def _dispatch(self) -> SSEEvent | None:
        data, event = self._data, self._event
        self._event = ""
        if not data and not self._discard_event:
            return None
        self._data = []
        self._data_size = 0
        if self._discard_event:
            self._discard_event = False
            return None
        text = data[0] if len(data) == 1 else "\n".join(data)
        return SSEEvent(text, event or "message", self._last_id)
