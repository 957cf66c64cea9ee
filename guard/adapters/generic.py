"""An adapter for any JSON API, configured with JSON paths (the policy's ``routes:``).

Operators whose endpoint is neither OpenAI- nor Anthropic-shaped say where the prompt (and
optionally the rest) lives; guard then treats that endpoint like the built-in ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from guard.adapters.base import Adapter, StreamUsage
from guard.adapters.jsonpath import JsonPath, JsonPathError
from guard.adapters.tokens import EstimatingStreamUsage
from guard.errors import BadRequest
from guard.models import Api, PromptRequest, Turn, Usage
from guard.sse import SSEEvent

__all__ = ["GenericAdapter", "GenericRoute", "GenericStreamUsage"]

_PATH_FIELDS = (
    "prompt",
    "system",
    "model",
    "max_tokens",
    "stream",
    "conversation",
    "usage_input",
    "usage_output",
)


@dataclass(frozen=True)
class GenericRoute:
    """Where to find things in one custom API's requests and responses.

    ``path`` is the URL path, exact or ending in ``*`` for a prefix. ``prompt`` and the other
    JSON paths point into the request body; ``conversation`` may match a list of
    ``{"role", "content"}`` messages or of strings; ``usage_input`` / ``usage_output`` point
    into the response body (and into each event of a streamed response). ``api`` picks the
    shape of the error bodies guard sends on this route.
    """

    name: str
    path: str
    prompt: str
    api: Api = Api.OPENAI
    system: str | None = None
    model: str | None = None
    max_tokens: str | None = None
    stream: str | None = None
    conversation: str | None = None
    usage_input: str | None = None
    usage_output: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("A generic route needs a name.")
        if not self.path.startswith("/"):
            raise ValueError(f"Route {self.name!r}: path must start with '/', got {self.path!r}.")
        if "*" in self.path[:-1]:
            raise ValueError(
                f"Route {self.name!r}: '*' may only end a path (a prefix match), got {self.path!r}."
            )
        self.compile()

    def compile(self) -> dict[str, JsonPath]:
        """The route's JSON paths, compiled; :class:`JsonPathError` names the bad field."""
        compiled = {}
        for name in _PATH_FIELDS:
            expression = getattr(self, name)
            if expression is None:
                continue
            try:
                compiled[name] = JsonPath(expression)
            except JsonPathError as exc:
                raise JsonPathError(exc.expression, exc.position, exc.reason, field=name) from None
        return compiled


def _message_text(content: Any) -> str:
    """Text of a message's content, read leniently: the API is not ours to validate."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            part if isinstance(part, str) else part.get("text")
            for part in content
            if isinstance(part, (str, dict))
        ]
        return "\n".join(t for t in texts if isinstance(t, str))
    return ""


def _turns(matches: list[Any]) -> list[Turn]:
    turns: list[Turn] = []
    for match in matches:
        for item in match if isinstance(match, list) else (match,):
            if isinstance(item, str):
                turns.append(Turn("user", item))
            elif isinstance(item, dict) and isinstance(item.get("role"), str):
                turns.append(Turn(item["role"], _message_text(item.get("content"))))
    return turns


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


class GenericStreamUsage(EstimatingStreamUsage):
    """Streams of an unknown format: usage where the route's paths find it in an event,
    else an estimate from all the text in the events (an overcount, on the safe side)."""

    __slots__ = ("_usage_input", "_usage_output")

    def __init__(self, usage_input: JsonPath | None, usage_output: JsonPath | None) -> None:
        super().__init__()
        self._usage_input = usage_input
        self._usage_output = usage_output

    def feed(self, event: SSEEvent) -> None:
        data = event.data
        try:
            value = json.loads(data)
        except (ValueError, RecursionError):
            self.add_text(data)
            return
        if self._usage_input is not None:
            found = _count(self._usage_input.first(value))
            if found is not None:
                self.reported_input = found
        if self._usage_output is not None:
            found = _count(self._usage_output.first(value))
            if found is not None:
                self.reported_output = found
        self._add_strings(value)

    def _add_strings(self, value: Any) -> None:
        stack = [value]
        while stack:
            value = stack.pop()
            if isinstance(value, str):
                self.chars += len(value)
            elif isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)


class GenericAdapter(Adapter):
    """Reads requests of one :class:`GenericRoute`."""

    def __init__(self, route: GenericRoute) -> None:
        self.config = route
        self.api = route.api
        self.route = f"generic.{route.name}"
        paths = route.compile()
        self._prompt = paths["prompt"]
        self._system = paths.get("system")
        self._model = paths.get("model")
        self._max_tokens = paths.get("max_tokens")
        self._stream = paths.get("stream")
        self._conversation = paths.get("conversation")
        self._usage_input = paths.get("usage_input")
        self._usage_output = paths.get("usage_output")

    def __repr__(self) -> str:
        return f"GenericAdapter({self.config!r})"

    def parse(self, body: Any) -> PromptRequest:
        if not isinstance(body, (dict, list)):
            raise BadRequest("The request body must be a JSON object.")
        prompt = self._prompt.text(body)
        if prompt is None:
            raise BadRequest(
                f"The request has no prompt at {self._prompt.expression} "
                f"(route {self.config.name!r}); send it there as a string."
            )
        turns = _turns(self._conversation.find(body)) if self._conversation else []
        if not turns:
            turns = [Turn("user", prompt)]
        system = self._system.text(body) if self._system else None
        model = self._model.first(body) if self._model else None
        max_tokens = self._max_tokens.first(body) if self._max_tokens else None
        return PromptRequest(
            api=self.api,
            route=self.route,
            prompt=prompt,
            conversation=tuple(turns),
            system=system or "",
            model=model if isinstance(model, str) else "",
            max_tokens=_count(max_tokens),
            stream=self._stream is not None and self._stream.first(body) is True,
        )

    def usage(self, body: Any) -> Usage | None:
        found_input = _count(self._usage_input.first(body)) if self._usage_input else None
        found_output = _count(self._usage_output.first(body)) if self._usage_output else None
        if found_input is None and found_output is None:
            return None
        return Usage(found_input or 0, found_output or 0)

    def stream_usage(self) -> StreamUsage:
        return GenericStreamUsage(self._usage_input, self._usage_output)
