"""The mock's OpenAI routes: chat completions, legacy completions, Responses and models.

Bodies follow the real wire format field for field (pretty-printed JSON, compact SSE ``data:``
lines ending with ``data: [DONE]``, the Responses API's named event sequence), so the
``openai`` SDK parses them into its typed objects exactly as it would the real API's.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.responses import Response

from guard.mock.call import Call, event_stream
from guard.mock.text import Generation, count_tokens, generate, rng_for, split_pieces
from guard.mock.wire import (
    InvalidRequest,
    json_response,
    make_id,
    optional_int,
    optional_str_list,
    require,
    sse,
)

__all__ = ["MODELS", "chat_completions", "completions", "list_models", "responses"]

MODELS: tuple[tuple[str, int], ...] = (
    ("gpt-4o-mini", 1721172741),
    ("gpt-4o", 1715367049),
    ("gpt-4.1", 1744316542),
    ("gpt-4.1-mini", 1744318173),
    ("o4-mini", 1744225351),
    ("gpt-3.5-turbo-instruct", 1692901427),
)
_MAX_N = 128
_HEX = string.digits + "abcdef"
_FINISH = {"end": "stop", "stop_sequence": "stop", "length": "length"}


def list_models(call: Call) -> Response:
    data = [
        {"id": name, "object": "model", "created": created, "owned_by": "system"}
        for name, created in MODELS
    ]
    return json_response({"object": "list", "data": data}, indent=2)


def chat_completions(call: Call) -> Response:
    body = call.body
    model: str = require(body, "model", str)
    messages: list[Any] = require(body, "messages", list)
    if not messages:
        raise InvalidRequest(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            param="messages",
            code="empty_array",
        )
    turns = [_chat_turn(message, f"messages[{i}]") for i, message in enumerate(messages)]
    prompt, context = _split_prompt(turns)
    max_tokens = optional_int(body, "max_completion_tokens")
    if max_tokens is None:
        max_tokens = optional_int(body, "max_tokens")
    n = _n(body)
    stop = optional_str_list(body, "stop")
    generations = [
        generate(call.seed, prompt, context=context, index=i, max_tokens=max_tokens, stop=stop)
        for i in range(n)
    ]
    usage = _usage(sum(count_tokens(text) for _, text in turns), generations)
    head = {
        "id": "chatcmpl-" + make_id(call.key, "chatcmpl", length=29),
        "object": "chat.completion",
        "created": call.created,
        "model": model,
    }
    tail = {"service_tier": "default", "system_fingerprint": _fingerprint(model)}
    if _stream(body):
        include_usage = _include_usage(body)
        return event_stream(call, _chat_events(call, head, tail, generations, usage, include_usage))
    choices: list[dict[str, Any]] = [
        {
            "index": i,
            "message": {
                "role": "assistant",
                "content": generation.text,
                "refusal": None,
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": _FINISH[generation.finish],
        }
        for i, generation in enumerate(generations)
    ]
    return json_response({**head, "choices": choices, "usage": usage, **tail}, indent=2)


def _chat_events(
    call: Call,
    head: dict[str, Any],
    tail: dict[str, Any],
    generations: Sequence[Generation],
    usage: dict[str, Any],
    include_usage: bool,
) -> Iterator[bytes]:
    extra: dict[str, Any] = {"usage": None} if include_usage else {}
    head = {**head, "object": "chat.completion.chunk", **tail}

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse({**head, "choices": [choice], **extra})

    for i in range(len(generations)):
        yield chunk(i, {"role": "assistant", "content": "", "refusal": None})
    for i, piece in _interleave(call, generations):
        yield chunk(i, {"content": piece})
    for i, generation in enumerate(generations):
        yield chunk(i, {}, _FINISH[generation.finish])
    if include_usage:
        yield sse({**head, "choices": [], "usage": usage})
    yield sse("[DONE]")


def completions(call: Call) -> Response:
    body = call.body
    model: str = require(body, "model", str)
    prompts = _prompts(require(body, "prompt", (str, list)))
    # The legacy endpoint really does default to 16 tokens.
    max_tokens = optional_int(body, "max_tokens")
    max_tokens = 16 if max_tokens is None else max_tokens
    n = _n(body)
    stop = optional_str_list(body, "stop")
    generations = [
        generate(call.seed, prompt, index=i, max_tokens=max_tokens, stop=stop)
        for prompt in prompts
        for i in range(n)
    ]
    usage = _usage(sum(count_tokens(prompt) for prompt in prompts), generations, details=False)
    head = {
        "id": "cmpl-" + make_id(call.key, "cmpl", length=29),
        "object": "text_completion",
        "created": call.created,
        "model": model,
    }
    fingerprint = {"system_fingerprint": _fingerprint(model)}
    if _stream(body):
        include_usage = _include_usage(body)
        return event_stream(
            call, _completion_events(call, head, fingerprint, generations, usage, include_usage)
        )
    choices = [
        {
            "text": generation.text,
            "index": i,
            "logprobs": None,
            "finish_reason": _FINISH[generation.finish],
        }
        for i, generation in enumerate(generations)
    ]
    return json_response({**head, "choices": choices, **fingerprint, "usage": usage}, indent=2)


def _completion_events(
    call: Call,
    head: dict[str, Any],
    fingerprint: dict[str, Any],
    generations: Sequence[Generation],
    usage: dict[str, Any],
    include_usage: bool,
) -> Iterator[bytes]:
    extra: dict[str, Any] = {"usage": None} if include_usage else {}

    def chunk(index: int, text: str, finish: str | None = None) -> bytes:
        choice = {"text": text, "index": index, "logprobs": None, "finish_reason": finish}
        return sse({**head, "choices": [choice], **fingerprint, **extra})

    for i, piece in _interleave(call, generations):
        yield chunk(i, piece)
    for i, generation in enumerate(generations):
        yield chunk(i, "", _FINISH[generation.finish])
    if include_usage:
        yield sse({**head, **fingerprint, "choices": [], "usage": usage})
    yield sse("[DONE]")


def responses(call: Call) -> Response:
    body = call.body
    model: str = require(body, "model", str)
    instructions = body.get("instructions")
    if instructions is not None:
        instructions = require(body, "instructions", str)
    turns = _response_turns(body.get("input"))
    prompt, context = _split_prompt(turns)
    if instructions:
        context = f"{instructions}\n{context}"
    max_output_tokens = optional_int(body, "max_output_tokens", minimum=16)
    generation = generate(call.seed, prompt, context=context, max_tokens=max_output_tokens)
    input_tokens = count_tokens(instructions or "") + sum(count_tokens(t) for _, t in turns)
    usage = {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cache_write_tokens": 0, "cached_tokens": 0},
        "output_tokens": generation.tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + generation.tokens,
    }
    response_id = "resp_" + make_id(call.key, "resp", length=48, alphabet=_HEX)
    item_id = "msg_" + make_id(call.key, "msg", length=48, alphabet=_HEX)
    complete = generation.finish != "length"
    part = {"type": "output_text", "annotations": [], "logprobs": [], "text": generation.text}
    item = {
        "id": item_id,
        "type": "message",
        "status": "completed" if complete else "incomplete",
        "content": [part],
        "role": "assistant",
    }

    def snapshot(status: str, output: list[Any], final_usage: Any) -> dict[str, Any]:
        done = status != "in_progress"
        return {
            "id": response_id,
            "object": "response",
            "created_at": call.created,
            "status": status,
            "background": False,
            "completed_at": call.created if status == "completed" else None,
            "error": None,
            "incomplete_details": (
                {"reason": "max_output_tokens"} if done and status == "incomplete" else None
            ),
            "instructions": instructions,
            "max_output_tokens": max_output_tokens,
            "max_tool_calls": None,
            "model": model,
            "output": output,
            "parallel_tool_calls": True,
            "previous_response_id": body.get("previous_response_id"),
            "reasoning": {"effort": None, "summary": None},
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": "auto",
            "tools": [],
            "top_logprobs": 0,
            "top_p": body.get("top_p", 1.0),
            "truncation": "disabled",
            "usage": final_usage,
            "user": None,
            "metadata": body.get("metadata") or {},
        }

    status = "completed" if complete else "incomplete"
    final = snapshot(status, [item], usage)
    if not _stream(body):
        return json_response(final, indent=2)

    def events() -> Iterator[tuple[str, dict[str, Any]]]:
        started = snapshot("in_progress", [], None)
        yield "response.created", {"response": started}
        yield "response.in_progress", {"response": started}
        where: dict[str, Any] = {"output_index": 0}
        yield (
            "response.output_item.added",
            {
                **where,
                "item": {**item, "status": "in_progress", "content": []},
            },
        )
        where = {"item_id": item_id, "output_index": 0, "content_index": 0}
        yield "response.content_part.added", {**where, "part": {**part, "text": ""}}
        for piece in split_pieces(
            generation.text, rng_for(call.seed, "pieces", 0, generation.text)
        ):
            yield "response.output_text.delta", {**where, "delta": piece, "logprobs": []}
        yield "response.output_text.done", {**where, "text": generation.text, "logprobs": []}
        yield "response.content_part.done", {**where, "part": part}
        yield "response.output_item.done", {"output_index": 0, "item": item}
        yield f"response.{status}", {"response": final}

    def framed() -> Iterator[bytes]:
        for number, (name, payload) in enumerate(events()):
            yield sse({"type": name, "sequence_number": number, **payload}, event=name)

    return event_stream(call, framed())


def _n(body: Mapping[str, Any]) -> int:
    n = optional_int(body, "n") or 1
    if n > _MAX_N:
        raise InvalidRequest(
            f"Invalid 'n': integer above maximum value. Expected a value <= {_MAX_N}, "
            f"but got {n} instead.",
            param="n",
            code="integer_above_max_value",
        )
    return n


def _stream(body: Mapping[str, Any]) -> bool:
    if body.get("stream") is None:
        return False
    stream: bool = require(body, "stream", bool)
    return stream


def _include_usage(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and options.get("include_usage") is True


def _fingerprint(model: str) -> str:
    return "fp_" + make_id(model.encode(), "fingerprint", length=10, alphabet=_HEX)


def _usage(
    prompt_tokens: int, generations: Sequence[Generation], *, details: bool = True
) -> dict[str, Any]:
    completion_tokens = sum(generation.tokens for generation in generations)
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if details:
        usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
    return usage


def _interleave(call: Call, generations: Sequence[Generation]) -> Iterator[tuple[int, str]]:
    """Round-robin the choices' word groups, the way ``n > 1`` streams mix their choices."""
    queues = [
        split_pieces(generation.text, rng_for(call.seed, "pieces", i, generation.text))
        for i, generation in enumerate(generations)
    ]
    for position in range(max((len(queue) for queue in queues), default=0)):
        for i, queue in enumerate(queues):
            if position < len(queue):
                yield i, queue[position]


def _content_text(content: object, param: str) -> str:
    """Text of a message ``content``: a string, or the text parts of a list of parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part, str):
                texts.append(part)
        return "\n".join(texts)
    raise InvalidRequest(
        f"Invalid type for '{param}': expected one of a string or array of objects, "
        "but got an object instead.",
        param=param,
        code="invalid_type",
    )


def _chat_turn(message: object, param: str) -> tuple[str, str]:
    if not isinstance(message, dict):
        raise InvalidRequest(
            f"Invalid type for '{param}': expected an object, but got a string instead.",
            param=param,
            code="invalid_type",
        )
    role = message.get("role")
    if not isinstance(role, str):
        raise InvalidRequest(
            f"Missing required parameter: '{param}.role'.",
            param=f"{param}.role",
            code="missing_required_parameter",
        )
    return role, _content_text(message.get("content"), f"{param}.content")


def _response_turns(value: object) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [("user", value)]
    if not isinstance(value, list):
        raise InvalidRequest(
            "Invalid type for 'input': expected one of a string or array of input items, "
            "but got an object instead.",
            param="input",
            code="invalid_type",
        )
    turns = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidRequest(
                f"Invalid type for 'input[{i}]': expected an input item, but got a string instead.",
                param=f"input[{i}]",
                code="invalid_type",
            )
        role = item.get("role")
        text = _content_text(item.get("content", item.get("output")), f"input[{i}].content")
        turns.append((role if isinstance(role, str) else "tool", text))
    return turns


def _split_prompt(turns: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """(last user turn, every other turn joined): the answer's topic and its variation."""
    for i in range(len(turns) - 1, -1, -1):
        if turns[i][0] == "user":
            rest = [text for j, (_, text) in enumerate(turns) if j != i]
            return turns[i][1], "\n".join(rest)
    return "", "\n".join(text for _, text in turns)


def _prompts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return list(value)
    raise InvalidRequest(
        "Invalid type for 'prompt': expected a string or an array of strings.",
        param="prompt",
        code="invalid_type",
    )
