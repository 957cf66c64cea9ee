"""Adapter for Anthropic's messages API (``POST /v1/messages``).

Request shapes follow the Anthropic API reference as the official SDKs send it. Content blocks
guard has no use for (images, documents, tool calls, thinking) are skipped, never refused.
"""

from __future__ import annotations

from typing import Any

from guard.adapters.base import Adapter, StreamUsage
from guard.adapters.fields import (
    count_list,
    get_bool,
    get_float,
    get_int,
    get_str,
    messages_of,
    require_object,
    usage_int,
)
from guard.adapters.tokens import EstimatingStreamUsage, event_json
from guard.errors import BadRequest
from guard.models import Api, PromptRequest, Turn, Usage
from guard.sse import SSEEvent

__all__ = ["AnthropicMessagesAdapter", "AnthropicStreamUsage"]

# content_block_delta types and the key holding their generated text. Signatures and
# citations are metadata, not output.
_DELTA_TEXT = {
    "text_delta": "text",
    "input_json_delta": "partial_json",
    "thinking_delta": "thinking",
}

_INPUT_KEYS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def _input_tokens(usage: dict[str, Any]) -> int:
    """Anthropic counts cached prompt tokens apart from ``input_tokens``; all of them are
    input the caller sent."""
    return sum(usage_int(usage, key) for key in _INPUT_KEYS)


def _blocks_text(content: Any, where: str) -> str:
    """Text of a tool result's ``content``: a string or a list of blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise BadRequest(f"{where} must be a string or a list of content blocks.")
    texts = []
    for j, block in enumerate(content):
        if not isinstance(block, dict):
            raise BadRequest(f"{where}[{j}] must be a content block object.")
        if block.get("type") == "text":
            text = block.get("text")
            if not isinstance(text, str):
                raise BadRequest(f"{where}[{j}].text must be a string.")
            texts.append(text)
    return "\n".join(texts)


def _message_turns(role: str, content: Any, where: str) -> list[Turn]:
    """One message as turns. Tool results travel in user messages but are not what the user
    asked, so they become a ``tool`` turn, as in OpenAI's format."""
    if content is None:
        return [Turn(role, "")]
    if isinstance(content, str):
        return [Turn(role, content)]
    if not isinstance(content, list):
        raise BadRequest(f"{where} must be a string or a list of content blocks.")
    texts: list[str] = []
    results: list[str] = []
    for j, block in enumerate(content):
        if not isinstance(block, dict):
            raise BadRequest(f"{where}[{j}] must be a content block object with a 'type'.")
        kind = block.get("type")
        if kind == "text":
            text = block.get("text")
            if not isinstance(text, str):
                raise BadRequest(f"{where}[{j}].text must be a string.")
            texts.append(text)
        elif kind == "tool_result":
            results.append(_blocks_text(block.get("content"), f"{where}[{j}].content"))
        elif kind is None:
            raise BadRequest(f"{where}[{j}].type is required.")
        elif not isinstance(kind, str):
            raise BadRequest(f"{where}[{j}].type must be a string.")
    turns = [Turn("tool", "\n".join(results))] if results else []
    if texts or not results:
        turns.append(Turn(role, "\n".join(texts)))
    return turns


def _system(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        raise BadRequest("system must be a string or a list of text blocks.")
    texts = []
    for j, block in enumerate(value):
        text = block.get("text") if isinstance(block, dict) else None
        if not isinstance(text, str) or block.get("type", "text") != "text":
            raise BadRequest(f"system[{j}] must be a text block with a string 'text'.")
        texts.append(text)
    return "\n".join(texts)


class AnthropicStreamUsage(EstimatingStreamUsage):
    """Messages streams: input tokens in ``message_start``, the cumulative output count in
    ``message_delta`` (which newer API versions also use to restate input counts)."""

    __slots__ = ("_input", "_start_output")

    def __init__(self) -> None:
        super().__init__()
        self._input = dict.fromkeys(_INPUT_KEYS, 0)
        self._start_output = 0

    def feed(self, event: SSEEvent) -> None:
        obj = event_json(event)
        if obj is None:
            return
        kind = obj.get("type", event.event)
        if kind == "content_block_delta":
            delta = obj.get("delta")
            if isinstance(delta, dict):
                kind = delta.get("type")
                key = _DELTA_TEXT.get(kind) if isinstance(kind, str) else None
                if key is not None:
                    self.add_text(delta.get(key))
        elif kind == "message_start":
            message = obj.get("message")
            usage = message.get("usage") if isinstance(message, dict) else None
            if isinstance(usage, dict):
                self._update_input(usage)
                self._start_output = usage_int(usage, "output_tokens")
        elif kind == "message_delta":
            usage = obj.get("usage")
            if isinstance(usage, dict):
                self._update_input(usage)
                if usage.get("output_tokens") is not None:
                    self.reported_output = usage_int(usage, "output_tokens")

    def _update_input(self, usage: dict[str, Any]) -> None:
        for key in _INPUT_KEYS:
            if usage.get(key) is not None:
                self._input[key] = usage_int(usage, key)
        self.reported_input = sum(self._input.values())

    def estimated_output(self) -> int:
        # message_start already counts the first token(s); never report fewer.
        return max(self._start_output, super().estimated_output())


class AnthropicMessagesAdapter(Adapter):
    """``POST /v1/messages``."""

    api = Api.ANTHROPIC
    route = "anthropic.messages"

    def parse(self, body: Any) -> PromptRequest:
        obj = require_object(body)
        turns: list[Turn] = []
        for role, message, where in messages_of(obj):
            turns.extend(_message_turns(role, message.get("content"), where))
        thinking = obj.get("thinking")
        if thinking is not None and not isinstance(thinking, dict):
            raise BadRequest(
                'thinking must be an object, e.g. {"type": "enabled", "budget_tokens": 2048}.'
            )
        prompt = next((t.text for t in reversed(turns) if t.role == "user"), "")
        return PromptRequest(
            api=self.api,
            route=self.route,
            prompt=prompt,
            conversation=tuple(turns),
            system=_system(obj.get("system")),
            model=get_str(obj, "model"),
            max_tokens=get_int(obj, "max_tokens"),
            stream=get_bool(obj, "stream"),
            temperature=get_float(obj, "temperature"),
            tools=count_list(obj, "tools", "tool definitions"),
        )

    def usage(self, body: Any) -> Usage | None:
        usage = body.get("usage") if isinstance(body, dict) else None
        if not isinstance(usage, dict):
            return None
        return Usage(_input_tokens(usage), usage_int(usage, "output_tokens"))

    def stream_usage(self) -> StreamUsage:
        return AnthropicStreamUsage()
