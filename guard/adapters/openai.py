"""Adapters for OpenAI's chat completions, legacy completions and responses APIs.

Request shapes follow the OpenAI API reference as the official SDKs send it; anything guard does
not need (unknown fields, new content-part or item types, new roles) is passed over rather than
refused, so a new API feature never turns into a guard outage.
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

__all__ = [
    "ChatStreamUsage",
    "OpenAIChatAdapter",
    "OpenAICompletionsAdapter",
    "OpenAIResponsesAdapter",
    "ResponsesStreamUsage",
    "content_text",
]

# "developer" replaces "system" for reasoning models; both are instructions, not turns.
_SYSTEM_ROLES = frozenset({"system", "developer"})

# Content-part type -> the key holding its text. Chat uses "text"; responses uses
# "input_text" for what the caller wrote and "output_text" for earlier model turns.
_TEXT_PARTS = {
    "text": "text",
    "input_text": "text",
    "output_text": "text",
    "refusal": "refusal",
}

# Responses API items that carry a tool's output back to the model as plain text.
_TOOL_OUTPUT_ITEMS = frozenset(
    {"function_call_output", "custom_tool_call_output", "local_shell_call_output"}
)

# Include flag that makes the responses API return log probabilities.
_RESPONSES_LOGPROBS = "message.output_text.logprobs"


def content_text(content: Any, where: str) -> str:
    """Text of a message's ``content``: a string, or the text parts of a list, joined.

    Images, audio and files are skipped; they carry no text guard could compare.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise BadRequest(f"{where} must be a string or a list of content parts.")
    texts: list[str] = []
    for j, part in enumerate(content):
        if not isinstance(part, dict):
            raise BadRequest(f"{where}[{j}] must be a content part object with a 'type'.")
        kind = part.get("type")
        if kind is None:
            kind = "text"
            if not isinstance(part.get("text"), str):
                raise BadRequest(f"{where}[{j}].type is required.")
        elif not isinstance(kind, str):
            raise BadRequest(f"{where}[{j}].type must be a string.")
        key = _TEXT_PARTS.get(kind)
        if key is None:
            continue
        text = part.get(key)
        if not isinstance(text, str):
            raise BadRequest(f"{where}[{j}].{key} must be a string.")
        texts.append(text)
    return texts[0] if len(texts) == 1 else "\n".join(texts)


def _last_user(turns: list[Turn]) -> str:
    for turn in reversed(turns):
        if turn.role == "user":
            return turn.text
    return ""


def _logit_bias(obj: dict[str, Any]) -> bool:
    value = obj.get("logit_bias")
    if value is None:
        return False
    if not isinstance(value, dict):
        raise BadRequest("logit_bias must be an object mapping token ids to bias values.")
    return bool(value)


def _choices(obj: dict[str, Any]) -> int:
    n = get_int(obj, "n")
    if n is None:
        return 1
    if n < 1:
        raise BadRequest("n must be a positive integer.")
    return n


def _chat_usage(body: Any) -> Usage | None:
    """``usage`` of a chat or completions response (some compatible servers use the
    responses API's names, so those are accepted too)."""
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return None
    return Usage(
        usage_int(usage, "prompt_tokens", "input_tokens"),
        usage_int(usage, "completion_tokens", "output_tokens"),
    )


def _responses_usage(body: Any) -> Usage | None:
    usage = body.get("usage") if isinstance(body, dict) else None
    if not isinstance(usage, dict):
        return None
    return Usage(usage_int(usage, "input_tokens"), usage_int(usage, "output_tokens"))


class ChatStreamUsage(EstimatingStreamUsage):
    """Chat and completions streams: ``chat.completion.chunk`` / ``text_completion`` objects.

    Usage arrives only in the last chunk, and only if the client set
    ``stream_options.include_usage``; otherwise output is estimated from the deltas.
    """

    def feed(self, event: SSEEvent) -> None:
        chunk = event_json(event)
        if chunk is None:
            return
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.reported_input = usage_int(usage, "prompt_tokens", "input_tokens")
            self.reported_output = usage_int(usage, "completion_tokens", "output_tokens")
        choices = chunk.get("choices")
        if not isinstance(choices, list):
            return
        for choice in choices:
            if not isinstance(choice, dict):
                continue
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                self.add_text(choice.get("text"))  # legacy completions
                continue
            self.add_text(delta.get("content"))
            self.add_text(delta.get("refusal"))
            # Reasoning text as compatible servers (vLLM, DeepSeek, OpenRouter) stream it.
            self.add_text(delta.get("reasoning_content"))
            self.add_text(delta.get("reasoning"))
            calls = delta.get("tool_calls")
            if isinstance(calls, list):
                for call in calls:
                    function = call.get("function") if isinstance(call, dict) else None
                    if isinstance(function, dict):
                        self.add_text(function.get("arguments"))
            function = delta.get("function_call")
            if isinstance(function, dict):
                self.add_text(function.get("arguments"))


class ResponsesStreamUsage(EstimatingStreamUsage):
    """Responses API streams: typed events, with usage in the terminal
    ``response.completed`` (or ``.incomplete`` / ``.failed``) event's response object."""

    __slots__ = ()

    _TERMINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})

    def feed(self, event: SSEEvent) -> None:
        obj = event_json(event)
        if obj is None:
            return
        kind = obj.get("type", event.event)
        if not isinstance(kind, str):
            return
        if kind.endswith(".delta"):
            # Every text-like delta (output text, refusals, reasoning, tool arguments) is
            # generated output; audio deltas are base64 and would inflate the estimate.
            if kind != "response.audio.delta":
                self.add_text(obj.get("delta"))
        elif kind in self._TERMINAL:
            usage = _responses_usage(obj.get("response"))
            if usage is not None:
                self.reported_input = usage.input_tokens
                self.reported_output = usage.output_tokens


class OpenAIChatAdapter(Adapter):
    """``POST /v1/chat/completions``."""

    api = Api.OPENAI
    route = "openai.chat"

    def parse(self, body: Any) -> PromptRequest:
        obj = require_object(body)
        system: list[str] = []
        turns: list[Turn] = []
        for role, message, where in messages_of(obj):
            text = content_text(message.get("content"), where)
            if role in _SYSTEM_ROLES:
                system.append(text)
            else:
                turns.append(Turn(role, text))
        max_tokens = get_int(obj, "max_completion_tokens")
        if max_tokens is None:
            max_tokens = get_int(obj, "max_tokens")
        return PromptRequest(
            api=self.api,
            route=self.route,
            prompt=_last_user(turns),
            conversation=tuple(turns),
            system="\n".join(system),
            model=get_str(obj, "model"),
            max_tokens=max_tokens,
            stream=get_bool(obj, "stream"),
            temperature=get_float(obj, "temperature"),
            n=_choices(obj),
            logprobs=get_bool(obj, "logprobs"),
            top_logprobs=get_int(obj, "top_logprobs"),
            logit_bias=_logit_bias(obj),
            tools=count_list(obj, "tools", "tool definitions")
            + count_list(obj, "functions", "function definitions"),
        )

    def usage(self, body: Any) -> Usage | None:
        return _chat_usage(body)

    def stream_usage(self) -> StreamUsage:
        return ChatStreamUsage()


class OpenAICompletionsAdapter(Adapter):
    """``POST /v1/completions`` (legacy): ``prompt`` is text, or token ids."""

    api = Api.OPENAI
    route = "openai.completions"

    def parse(self, body: Any) -> PromptRequest:
        obj = require_object(body)
        prompt = self._prompt(obj.get("prompt"))
        logprobs = get_int(obj, "logprobs")
        return PromptRequest(
            api=self.api,
            route=self.route,
            prompt=prompt,
            conversation=(Turn("user", prompt),),
            model=get_str(obj, "model"),
            max_tokens=get_int(obj, "max_tokens"),
            stream=get_bool(obj, "stream"),
            temperature=get_float(obj, "temperature"),
            n=_choices(obj),
            logprobs=logprobs is not None,
            top_logprobs=logprobs,
            logit_bias=_logit_bias(obj),
        )

    @staticmethod
    def _prompt(value: Any) -> str:
        """The prompt as text. A batch of prompts is joined with newlines; token ids are
        spelled out as decimal words, which guard cannot read but can still compare, so a
        sweep sent as token arrays is as visible to coverage as one sent as text."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            if all(isinstance(p, str) for p in value):
                return "\n".join(value)
            if all(_is_token(t) for t in value):
                return " ".join(map(str, value))
            if all(isinstance(p, list) and all(_is_token(t) for t in p) for p in value):
                return "\n".join(" ".join(map(str, p)) for p in value)
        raise BadRequest(
            "prompt must be a string, a list of strings, a list of token ids, "
            "or a list of token-id lists."
        )

    def usage(self, body: Any) -> Usage | None:
        return _chat_usage(body)

    def stream_usage(self) -> StreamUsage:
        return ChatStreamUsage()


def _is_token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class OpenAIResponsesAdapter(Adapter):
    """``POST /v1/responses``: ``input`` is a string or a list of items; ``instructions`` is
    the system prompt."""

    api = Api.OPENAI
    route = "openai.responses"

    def parse(self, body: Any) -> PromptRequest:
        obj = require_object(body)
        system: list[str] = []
        instructions = get_str(obj, "instructions")
        if instructions:
            system.append(instructions)
        turns = self._turns(obj.get("input"), system)
        top_logprobs = get_int(obj, "top_logprobs")
        include = obj.get("include")
        if include is not None and not isinstance(include, list):
            raise BadRequest("include must be a list of strings.")
        return PromptRequest(
            api=self.api,
            route=self.route,
            prompt=_last_user(turns),
            conversation=tuple(turns),
            system="\n".join(system),
            model=get_str(obj, "model"),
            max_tokens=get_int(obj, "max_output_tokens"),
            stream=get_bool(obj, "stream"),
            temperature=get_float(obj, "temperature"),
            logprobs=bool(top_logprobs) or (include is not None and _RESPONSES_LOGPROBS in include),
            top_logprobs=top_logprobs,
            tools=count_list(obj, "tools", "tool definitions"),
        )

    @staticmethod
    def _turns(value: Any, system: list[str]) -> list[Turn]:
        if value is None:  # e.g. a stored prompt, or only previous_response_id
            return []
        if isinstance(value, str):
            return [Turn("user", value)]
        if not isinstance(value, list):
            raise BadRequest("input must be a string or a list of input items.")
        turns: list[Turn] = []
        for i, item in enumerate(value):
            where = f"input[{i}]"
            if not isinstance(item, dict):
                raise BadRequest(f"{where} must be an input item object.")
            kind = item.get("type")
            if kind is None or kind == "message":
                role = item.get("role")
                if role is None:
                    raise BadRequest(f"{where}.role is required (or give the item a 'type').")
                if not isinstance(role, str):
                    raise BadRequest(f"{where}.role must be a string.")
                text = content_text(item.get("content"), f"{where}.content")
                if role in _SYSTEM_ROLES:
                    system.append(text)
                else:
                    turns.append(Turn(role, text))
            elif not isinstance(kind, str):
                raise BadRequest(f"{where}.type must be a string.")
            elif kind in _TOOL_OUTPUT_ITEMS:
                turns.append(Turn("tool", content_text(item.get("output"), f"{where}.output")))
        return turns

    def usage(self, body: Any) -> Usage | None:
        return _responses_usage(body)

    def stream_usage(self) -> StreamUsage:
        return ResponsesStreamUsage()
