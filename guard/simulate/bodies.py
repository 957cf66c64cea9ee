"""Request bodies in the four API formats, as the SDKs serialise them.

A :class:`Style` is how one client shapes its requests (API, model, token limit, streaming,
content as a string or as parts); it is fixed per key or per application, as real code is.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["MODELS", "PATHS", "Style", "Turns", "random_style", "render"]

Turns = Sequence[tuple[str, str]]

PATHS: dict[str, str] = {
    "chat": "/v1/chat/completions",
    "messages": "/v1/messages",
    "responses": "/v1/responses",
    "completions": "/v1/completions",
}

MODELS: dict[str, tuple[str, ...]] = {
    "chat": (
        "gpt-4o",
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-4o-mini",
        "gpt-4.1",
        "gpt-4.1-mini",
        "gpt-4.1-nano",
        "o3-mini",
        "o4-mini",
        "gpt-5",
        "gpt-5-mini",
    ),
    "messages": (
        "claude-sonnet-4-20250514",
        "claude-sonnet-4-5-20250929",
        "claude-3-5-haiku-20241022",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-1-20250805",
        "claude-3-7-sonnet-20250219",
    ),
    "responses": ("gpt-4o", "gpt-4.1", "gpt-4.1-mini", "o3", "o4-mini", "gpt-5", "gpt-5-mini"),
    "completions": ("gpt-3.5-turbo-instruct", "davinci-002", "babbage-002"),
}

_REASONING_MODELS = ("o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini")


@dataclass(frozen=True, slots=True)
class Style:
    """How one client shapes a request body."""

    api: str
    model: str
    max_tokens: int | None = None
    stream: bool = False
    temperature: float | None = None
    parts: bool = False  # content as a list of typed parts instead of a string
    new_token_field: bool = False  # chat: max_completion_tokens rather than max_tokens

    @property
    def path(self) -> str:
        return PATHS[self.api]

    def with_(self, **changes: Any) -> Style:
        return replace(self, **changes)


def random_style(
    rng: random.Random,
    api: str,
    *,
    max_tokens: Sequence[int | None] = (None, None, 1024, 2048, 4096),
    stream: float = 0.4,
    temperature: Sequence[float | None] = (None, None, 0.7, 1.0, 0.2, 0.5),
) -> Style:
    model = rng.choice(MODELS[api])
    limit = rng.choice(tuple(max_tokens))
    if api == "messages" and limit is None:
        limit = rng.choice((1024, 2048, 4096, 4096, 8192))  # required by the messages API
    temp = rng.choice(tuple(temperature))
    if model in _REASONING_MODELS:
        temp = None  # reasoning models reject a temperature
    return Style(
        api=api,
        model=model,
        max_tokens=limit,
        stream=rng.random() < stream,
        temperature=temp,
        parts=rng.random() < 0.15,
        new_token_field=model in _REASONING_MODELS or rng.random() < 0.3,
    )


def _content(text: str, parts: bool, kind: str = "text") -> str | list[dict[str, str]]:
    return [{"type": kind, "text": text}] if parts else text


def _chat(style: Style, turns: Turns, system: str | None) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    if system:
        role = "developer" if style.model.startswith(("o3", "o4")) else "system"
        messages.append({"role": role, "content": system})
    for role, text in turns:
        messages.append({"role": role, "content": _content(text, style.parts and role == "user")})
    body: dict[str, Any] = {"model": style.model, "messages": messages}
    if style.max_tokens is not None:
        body["max_completion_tokens" if style.new_token_field else "max_tokens"] = style.max_tokens
    if style.temperature is not None:
        body["temperature"] = style.temperature
    if style.stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def _messages(style: Style, turns: Turns, system: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": style.model, "max_tokens": style.max_tokens or 4096}
    if system:
        body["system"] = system
    body["messages"] = [
        {"role": role, "content": _content(text, style.parts)} for role, text in turns
    ]
    if style.temperature is not None:
        body["temperature"] = min(1.0, style.temperature)
    if style.stream:
        body["stream"] = True
    return body


def _responses(style: Style, turns: Turns, system: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": style.model}
    if system:
        body["instructions"] = system
    if len(turns) == 1 and not style.parts:
        body["input"] = turns[0][1]
    else:
        items: list[dict[str, Any]] = []
        for role, text in turns:
            if style.parts:
                kind = "input_text" if role == "user" else "output_text"
                items.append(
                    {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}
                )
            else:
                items.append({"role": role, "content": text})
        body["input"] = items
    if style.max_tokens is not None:
        body["max_output_tokens"] = style.max_tokens
    if style.temperature is not None:
        body["temperature"] = style.temperature
    if style.stream:
        body["stream"] = True
    return body


def _transcript(turns: Turns, system: str | None) -> str:
    if len(turns) == 1 and not system:
        return turns[0][1]
    lines = [system, ""] if system else []
    for role, text in turns:
        lines.append(f"{'User' if role == 'user' else 'Assistant'}: {text}")
    lines.append("Assistant:")
    return "\n".join(lines)


def _completions(style: Style, turns: Turns, system: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": style.model, "prompt": _transcript(turns, system)}
    body["max_tokens"] = style.max_tokens if style.max_tokens is not None else 256
    if style.temperature is not None:
        body["temperature"] = style.temperature
    if style.stream:
        body["stream"] = True
    return body


_RENDER = {
    "chat": _chat,
    "messages": _messages,
    "responses": _responses,
    "completions": _completions,
}


def render(
    style: Style,
    turns: Turns,
    system: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(path, body) of one request carrying the conversation ``turns`` (user turn last)."""
    body = _RENDER[style.api](style, turns, system)
    if extra:
        body.update(extra)
    return style.path, body
