"""The mock's Anthropic routes: ``POST /v1/messages`` and the Anthropic shape of models.

Streams use named events (``event: message_start`` ...) with a ``ping`` after the first
content block starts, exactly the sequence the ``anthropic`` SDK's accumulator expects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from starlette.responses import Response

from guard.mock.call import Call, event_stream
from guard.mock.text import count_tokens, generate, rng_for, split_pieces
from guard.mock.wire import InvalidRequest, json_response, make_id, sse

__all__ = ["MODELS", "list_models", "messages"]

MODELS: tuple[tuple[str, str, str], ...] = (
    ("claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z"),
    ("claude-opus-4-7", "Claude Opus 4.7", "2026-04-16T00:00:00Z"),
    ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"),
)
_STOP_REASON = {"end": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence"}


def list_models(call: Call) -> Response:
    data = [
        {
            "type": "model",
            "id": name,
            "display_name": display,
            "created_at": created,
            "lifecycle": "active",
        }
        for name, display, created in MODELS
    ]
    page = {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]}
    return json_response(page)


def messages(call: Call) -> Response:
    body = call.body
    model: str = _field(body, "model", str)
    turns: list[Any] = _field(body, "messages", list)
    max_tokens: int = _field(body, "max_tokens", int)
    if max_tokens < 1:
        raise InvalidRequest("max_tokens: Input should be greater than or equal to 1")
    if not turns:
        raise InvalidRequest("messages: at least one message is required")
    texts = [_turn(turn, i) for i, turn in enumerate(turns)]
    system = _text(body.get("system"), "system")
    stop = body.get("stop_sequences") or []
    if not isinstance(stop, list) or not all(isinstance(item, str) for item in stop):
        raise InvalidRequest("stop_sequences: Input should be a valid list of strings")
    prompt = next((text for role, text in reversed(texts) if role == "user"), "")
    context = "\n".join([system, *(text for _, text in texts)])
    generation = generate(call.seed, prompt, context=context, max_tokens=max_tokens, stop=stop)
    input_tokens = count_tokens(system) + sum(count_tokens(text) for _, text in texts)
    message_id = "msg_01" + make_id(call.key, "msg", length=22)
    stop_reason = _STOP_REASON[generation.finish]
    head = {"id": message_id, "type": "message", "role": "assistant", "model": model}
    usage = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": generation.tokens,
        "service_tier": "standard",
    }
    if body.get("stream") is not True:
        return json_response(
            {
                **head,
                "content": [{"type": "text", "text": generation.text}],
                "stop_reason": stop_reason,
                "stop_sequence": generation.stop_sequence,
                "usage": usage,
            }
        )

    def events() -> Iterator[bytes]:
        started: dict[str, Any] = {
            **head,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {**usage, "output_tokens": 1},
        }
        yield _event({"type": "message_start", "message": started})
        block: dict[str, Any] = {"type": "text", "text": ""}
        yield _event({"type": "content_block_start", "index": 0, "content_block": block})
        yield _event({"type": "ping"})
        for piece in split_pieces(generation.text, rng_for(call.seed, "pieces", generation.text)):
            delta = {"type": "text_delta", "text": piece}
            yield _event({"type": "content_block_delta", "index": 0, "delta": delta})
        yield _event({"type": "content_block_stop", "index": 0})
        yield _event(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": generation.stop_sequence},
                "usage": {
                    "input_tokens": input_tokens,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "output_tokens": generation.tokens,
                },
            }
        )
        yield _event({"type": "message_stop"})

    return event_stream(call, events())


def _event(payload: dict[str, Any]) -> bytes:
    return sse(payload, event=payload["type"])


def _field(body: Mapping[str, Any], name: str, kind: type) -> Any:
    if body.get(name) is None:
        raise InvalidRequest(f"{name}: Field required")
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, kind):
        wanted = {str: "a valid string", int: "a valid integer", list: "a valid list"}[kind]
        raise InvalidRequest(f"{name}: Input should be {wanted}")
    return value


def _turn(turn: object, i: int) -> tuple[str, str]:
    if not isinstance(turn, dict):
        raise InvalidRequest(f"messages.{i}: Input should be a valid dictionary")
    role = turn.get("role")
    if role not in ("user", "assistant"):
        raise InvalidRequest(f"messages.{i}.role: Input should be 'user' or 'assistant'")
    if "content" not in turn:
        raise InvalidRequest(f"messages.{i}.content: Field required")
    return role, _text(turn["content"], f"messages.{i}.content")


def _text(content: object, where: str) -> str:
    """Text of a string or of the text blocks in a list of content blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for block in content:
            if not isinstance(block, dict):
                raise InvalidRequest(f"{where}: Input should be a valid list of content blocks")
            if isinstance(block.get("text"), str):
                texts.append(block["text"])
            elif isinstance(block.get("content"), (str, list)):
                texts.append(_text(block["content"], where))
        return "\n".join(texts)
    raise InvalidRequest(f"{where}: Input should be a valid string or list of content blocks")
