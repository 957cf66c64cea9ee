"""Server-sent event streams rewritten on the fly, or replayed with another text.

:class:`StreamRewriter` reads a genuine ``text/event-stream`` body chunk by chunk, as the
upstream sends it, and writes the same events back with the text deltas rewritten:

* every event that carries no answer text (role chunks, pings, ``message_start``,
  ``response.created`` ...) passes unchanged, byte for byte;
* text deltas go through a :class:`Channel` per choice or content block. A rewriting channel
  holds text back until a sentence or line ends (at most ~200 characters, see
  :func:`guard.decoys.text.safe_cut`), rewrites it, and sends it as the next delta; a delta
  whose text is held back is not sent at all, and what is left is sent just before the
  channel's end event, so the client sees ordinary deltas and nothing else;
* the events that repeat the whole text (``response.output_text.done``, ``.content_part.
  done``, ``.output_item.done``, ``response.completed``) get the new text, and the usage
  events (OpenAI's last chunk, Anthropic's ``message_delta``, ``response.completed``) the
  recounted output tokens; Responses API sequence numbers stay consecutive.

With ``replace`` set (decoys), channels ignore the genuine text and hand out pieces of the
decoy text instead, one per genuine delta, and ids, timestamps, the model and echoed
request fields are refreshed: a recorded genuine stream becomes the template of a decoy
stream with the same event sequence and shapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from guard.decoys.formats import (
    dump_like,
    input_tokens,
    recount,
    refresh,
    set_output_usage,
)
from guard.decoys.text import HOLDBACK, safe_cut

__all__ = [
    "Channel",
    "ReplaceChannel",
    "RewriteChannel",
    "StreamRewriter",
]

JSON = dict[str, Any]
_EVENT_END = re.compile(rb"\r?\n\r?\n")
_MAX_EVENT = 1 << 20
_TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})


class Channel(Protocol):
    """The text of one choice or content block, old and new."""

    old: list[str]
    new: list[str]

    def delta(self, text: str) -> list[str]:
        """Take a genuine delta; return the deltas to send in its place (maybe none)."""

    def end(self) -> list[str]:
        """The channel ends: the deltas still to send."""


class RewriteChannel:
    """Rewrites the genuine text through ``rewrite`` with bounded holdback."""

    __slots__ = ("_buffer", "_limit", "_rewrite", "new", "old")

    def __init__(self, rewrite: Callable[[str], str], limit: int = HOLDBACK) -> None:
        self._rewrite = rewrite
        self._limit = limit
        self._buffer = ""
        self.old: list[str] = []
        self.new: list[str] = []

    def delta(self, text: str) -> list[str]:
        self.old.append(text)
        self._buffer += text
        cut = safe_cut(self._buffer, self._limit)
        if not cut:
            return []
        out = self._rewrite(self._buffer[:cut])
        self._buffer = self._buffer[cut:]
        self.new.append(out)
        return [out] if out else []

    def end(self) -> list[str]:
        if not self._buffer:
            return []
        out = self._rewrite(self._buffer)
        self._buffer = ""
        self.new.append(out)
        return [out] if out else []


class ReplaceChannel:
    """Sends ``pieces`` of a decoy text, one per genuine delta, the rest at the end."""

    __slots__ = ("_pieces", "new", "old")

    def __init__(self, pieces: list[str]) -> None:
        self._pieces = pieces[::-1]
        self.old: list[str] = []
        self.new: list[str] = []

    def delta(self, text: str) -> list[str]:
        self.old.append(text)
        if not self._pieces:
            return []
        piece = self._pieces.pop()
        self.new.append(piece)
        return [piece]

    def end(self) -> list[str]:
        rest = self._pieces[::-1]
        self._pieces = []
        self.new.extend(rest)
        return rest


class StreamRewriter:
    """Rewrites one SSE response of ``route``; ``channel(name)`` makes each text channel.

    ``replace`` (decoys) also refreshes ids, timestamps, the model and request echoes for
    ``request``, and counts input tokens at ``input_ratio`` upstream tokens per mock token.
    """

    def __init__(
        self,
        route: str,
        channel: Callable[[str], Channel],
        *,
        replace: bool = False,
        request: Mapping[str, Any] | None = None,
        now: int = 0,
        input_ratio: float = 1.0,
        ids: dict[str, str] | None = None,
    ) -> None:
        self.route = route
        self._make = channel
        self._channels: dict[str, Channel] = {}
        self._last: dict[str, JSON] = {}  # the last delta event of each channel
        self._buffer = b""
        self._seq = 0
        self._replace = replace
        self._request: Mapping[str, Any] = request or {}
        self._now = now
        self._ids = {} if ids is None else ids
        model = self._request.get("model")
        self._model = model if isinstance(model, str) else None
        self._input = input_tokens(route, self._request, input_ratio) if replace else None

    # Bytes in, bytes out -------------------------------------------------------------------

    def feed(self, chunk: bytes) -> bytes:
        """Take the next chunk of the genuine body; return the bytes to send now."""
        return b"".join(self.feed_events(chunk))

    def feed_events(self, chunk: bytes) -> list[bytes]:
        """Like :meth:`feed`, one item per event to send."""
        self._buffer += chunk
        out: list[bytes] = []
        while True:
            match = _EVENT_END.search(self._buffer)
            if match is None:
                break
            block = self._buffer[: match.end()]
            self._buffer = self._buffer[match.end() :]
            out.extend(self._event(block))
        if len(self._buffer) > _MAX_EVENT:
            out.append(self._buffer)  # not an event stream we can read: pass it on
            self._buffer = b""
        return out

    def close(self) -> bytes:
        """The genuine body ended: whatever is left, unchanged (a torn last event)."""
        rest, self._buffer = self._buffer, b""
        return rest

    def text(self, name: str) -> str:
        """The new text of a channel so far."""
        channel = self._channels.get(name)
        return "".join(channel.new) if channel else ""

    # Events --------------------------------------------------------------------------------

    def _event(self, block: bytes) -> list[bytes]:
        newline = b"\r\n" if block.endswith(b"\r\n\r\n") else b"\n"
        lines = block.split(newline)[:-2]
        data = [line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")]
        if not data:
            return [block]
        raw = b"\n".join(data)
        if not raw.startswith(b"{"):
            return [block]
        try:
            obj = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return [block]
        if not isinstance(obj, dict):
            return [block]
        if self.route == "anthropic.messages":
            objs = self._anthropic(obj)
        elif self.route == "openai.responses":
            objs = self._responses(obj)
        else:
            objs = self._chat(obj)
        if objs is None:
            if self._replace or obj.get("sequence_number", self._seq) != self._seq:
                objs = [obj]
            else:
                if "sequence_number" in obj:
                    self._seq += 1
                return [block]
        return [self._frame(lines, newline, raw, o) for o in objs]

    def _frame(self, lines: list[bytes], newline: bytes, raw: bytes, obj: JSON) -> bytes:
        if self._replace:
            refresh(obj, self._ids, now=self._now, model=self._model, request=self._request)
        if "sequence_number" in obj:
            obj["sequence_number"] = self._seq
            self._seq += 1
        out: list[bytes] = []
        written = False
        for line in lines:
            if line.startswith(b"data:"):
                if not written:
                    out.append(b"data: " + dump_like(obj, raw))
                    written = True
            else:
                out.append(line)
        return newline.join(out) + newline + newline

    def _channel(self, name: str) -> Channel:
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = self._make(name)
        return channel

    def _clones(self, name: str, pieces: list[str], put: Callable[[JSON, str], JSON]) -> list[JSON]:
        """Copies of the channel's last delta event carrying ``pieces`` (``put`` copies only
        the objects on the path to the text, never the whole event)."""
        last = self._last.get(name)
        if last is None:
            return []
        return [put(last, piece) for piece in pieces]

    def _usage(self, usage: Any, *, input_: bool = True) -> None:
        if not isinstance(usage, dict):
            return
        key = "completion_tokens" if "completion_tokens" in usage else "output_tokens"
        reported = usage.get(key)
        if not isinstance(reported, int):
            return
        old = ["".join(c.old) for c in self._channels.values()]
        new = ["".join(c.new) for c in self._channels.values()]
        set_output_usage(
            self.route, usage, recount(reported, old, new), self._input if input_ else None
        )

    # OpenAI chat and completions ----------------------------------------------------------

    def _chat(self, obj: JSON) -> list[JSON] | None:
        choices = obj.get("choices")
        if isinstance(obj.get("usage"), dict) and not choices:
            self._usage(obj["usage"])
            return [obj]
        if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], dict):
            return [obj] if self._replace else None
        choice = choices[0]
        name = str(choice.get("index", 0))
        chat = self.route == "openai.chat"
        delta = choice.get("delta") if chat else choice
        if not isinstance(delta, dict):
            return None
        key = "content" if chat else "text"

        def put(event: JSON, piece: str) -> JSON:
            choice = event["choices"][0]
            if chat:
                return {**event, "choices": [{**choice, "delta": {**choice["delta"], key: piece}}]}
            return {**event, "choices": [{**choice, key: piece}]}

        out: list[JSON] = []
        text = delta.get(key)
        finish = choice.get("finish_reason")
        if isinstance(text, str) and text:
            self._last[name] = (
                obj if finish is None else {**obj, "choices": [{**choice, "finish_reason": None}]}
            )
            pieces = self._channel(name).delta(text)
            if finish is None:
                return self._clones(name, pieces, put)
            out.extend(self._clones(name, pieces, put))
            delta[key] = ""
        if finish is not None and name in self._channels:
            out.extend(self._clones(name, self._channel(name).end(), put))
        elif not out:
            return None
        out.append(obj)
        return out

    # OpenAI responses ---------------------------------------------------------------------

    def _responses(self, obj: JSON) -> list[JSON] | None:
        kind = obj.get("type")
        name = f"{obj.get('item_id')}:{obj.get('content_index', 0)}"

        def put(event: JSON, piece: str) -> JSON:
            return {**event, "delta": piece}

        if kind == "response.output_text.delta" and isinstance(obj.get("delta"), str):
            self._last[name] = obj
            return self._clones(name, self._channel(name).delta(obj["delta"]), put)
        if kind == "response.output_text.done" and name in self._channels:
            out = self._clones(name, self._channel(name).end(), put)
            obj["text"] = self.text(name)
            return [*out, obj]
        if not self._channels:
            return None
        if kind == "response.content_part.done":
            part = obj.get("part")
            if isinstance(part, dict) and part.get("type") == "output_text":
                if name in self._channels:
                    part["text"] = self.text(name)
        elif kind == "response.output_item.done":
            self._item_texts(obj.get("item"))
        elif kind in _TERMINAL:
            response = obj.get("response")
            if isinstance(response, dict):
                for item in response.get("output") or []:
                    self._item_texts(item)
                self._usage(response.get("usage"))
        else:
            return None
        return [obj]

    def _item_texts(self, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("content"), list):
            return
        for j, part in enumerate(item["content"]):
            name = f"{item.get('id')}:{j}"
            if not isinstance(part, dict) or part.get("type") != "output_text":
                continue
            if name in self._channels:
                part["text"] = self.text(name)

    # Anthropic messages -------------------------------------------------------------------

    def _anthropic(self, obj: JSON) -> list[JSON] | None:
        kind = obj.get("type")
        name = str(obj.get("index", 0))

        def put(event: JSON, piece: str) -> JSON:
            return {**event, "delta": {**event["delta"], "text": piece}}

        if kind == "content_block_delta":
            delta = obj.get("delta")
            if isinstance(delta, dict) and delta.get("type") == "text_delta":
                text = delta.get("text")
                if isinstance(text, str):
                    self._last[name] = obj
                    return self._clones(name, self._channel(name).delta(text), put)
            return None
        if kind == "content_block_stop" and name in self._channels:
            return [*self._clones(name, self._channel(name).end(), put), obj]
        if kind == "message_delta" and self._channels:
            self._usage(obj.get("usage"))
            return [obj]
        if kind == "message_start" and self._replace:
            message = obj.get("message")
            usage = message.get("usage") if isinstance(message, dict) else None
            if isinstance(usage, dict) and self._input is not None and "input_tokens" in usage:
                usage["input_tokens"] = self._input
            return [obj]
        return None
