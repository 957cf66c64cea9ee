"""Where each API keeps the answer's text, and how to rewrite or render a JSON response.

Rewriting (perturb, watermark) changes only the text fields and the output token counts of
a genuine body, and writes the JSON back in the layout it came in (indented or compact), so
every other byte stays the upstream's. Rendering (decoys) starts from a *template*: a
recent genuine response on the same route, or, before one has been seen, the reference
shape of :mod:`guard.mock` (which follows the real APIs field for field). The template's
ids are replaced by fresh ones of the same shape, timestamps by now, the model and echoed
request parameters by the request's, the text by the decoy's, and usage is recounted.

Output tokens are recounted with the mock's tokenizer (:func:`guard.mock.text.count_tokens`)
scaled by the ratio the genuine response showed between its reported count and that
tokenizer: exact against the mock, and the right magnitude against a real model.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from guard.mock.text import count_tokens

__all__ = [
    "ROUTES",
    "Template",
    "dump_like",
    "fresh_id",
    "input_tokens",
    "recount",
    "render_headers",
    "render_json",
    "request_texts",
    "response_texts",
    "rewrite_json",
]

ROUTES = ("openai.chat", "openai.completions", "openai.responses", "anthropic.messages")

Headers = list[tuple[bytes, bytes]]
JSON = dict[str, Any]
#: (channel, old text) -> new text. Channels tell a response's texts apart (choices, blocks).
Rewrite = Callable[[str, str], str]

_HEX = frozenset(string.hexdigits.lower())
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_ID_HEADERS = frozenset({b"x-request-id", b"request-id"})
_ECHO_DEFAULTS: Mapping[str, Any] = {
    "instructions": None,
    "max_output_tokens": None,
    "previous_response_id": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "store": True,
    "metadata": {},
}


@dataclass(frozen=True, slots=True)
class Template:
    """A genuine response kept to shape decoys like it.

    ``ratio`` is the response's reported output tokens per mock-tokenizer token, and
    ``input_ratio`` the same for its request's input. ``headers`` are the response's
    headers in their order.
    """

    route: str
    stream: bool
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    ratio: float = 1.0
    input_ratio: float = 1.0
    tokens_per_delta: float = 2.0  # streams: mock tokens per text delta


# Where the text is --------------------------------------------------------------------------


def response_texts(route: str, obj: Any) -> list[tuple[str, str]]:
    """(channel, text) of every answer text in a decoded JSON response."""
    return [(channel, get()) for channel, get, _ in _slots(route, obj)]


def _slots(route: str, obj: Any) -> list[tuple[str, Callable[[], str], Callable[[str], None]]]:
    """(channel, getter, setter) of every text field of a response object."""
    slots: list[tuple[str, Callable[[], str], Callable[[str], None]]] = []
    if not isinstance(obj, dict):
        return slots

    def slot(channel: str, holder: dict[str, Any], key: str) -> None:
        if isinstance(holder.get(key), str):
            slots.append((channel, lambda: str(holder[key]), lambda v: holder.__setitem__(key, v)))

    if route in ("openai.chat", "openai.completions"):
        for i, choice in enumerate(_list(obj.get("choices"))):
            if not isinstance(choice, dict):
                continue
            index = str(choice.get("index", i))
            if route == "openai.chat":
                message = choice.get("message")
                if isinstance(message, dict):
                    slot(index, message, "content")
            else:
                slot(index, choice, "text")
    elif route == "openai.responses":
        for i, item in enumerate(_list(obj.get("output"))):
            if isinstance(item, dict) and item.get("type") == "message":
                for j, part in enumerate(_list(item.get("content"))):
                    if isinstance(part, dict) and part.get("type") == "output_text":
                        slot(f"{item.get('id', i)}:{j}", part, "text")
    elif route == "anthropic.messages":
        for i, block in enumerate(_list(obj.get("content"))):
            if isinstance(block, dict) and block.get("type") == "text":
                slot(str(i), block, "text")
    return slots


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# Usage ---------------------------------------------------------------------------------------


def recount(reported: int, old: Sequence[str], new: Sequence[str]) -> int:
    """Output tokens of ``new`` texts, given ``reported`` tokens for the ``old`` ones."""
    before = sum(count_tokens(text) for text in old)
    after = sum(count_tokens(text) for text in new)
    if before == after:
        return reported
    if before == 0:
        return after
    return max(0, round(reported * after / before))


def _usage_fields(route: str) -> tuple[str, str, str]:
    """(input, output, total) usage keys of a route."""
    if route in ("openai.chat", "openai.completions"):
        return "prompt_tokens", "completion_tokens", "total_tokens"
    return "input_tokens", "output_tokens", "total_tokens"


def set_output_usage(route: str, usage: Any, output: int, input_: int | None = None) -> None:
    """Write output (and input) tokens into a usage object, keeping its total consistent."""
    if not isinstance(usage, dict):
        return
    in_key, out_key, total_key = _usage_fields(route)
    if input_ is not None and in_key in usage:
        usage[in_key] = input_
    if out_key in usage:
        usage[out_key] = output
    if total_key in usage and isinstance(usage.get(in_key), int):
        usage[total_key] = usage[in_key] + output


def request_texts(route: str, payload: Any) -> list[str]:
    """Every text a request sends the model (what input tokens are counted from)."""
    texts: list[str] = []
    if not isinstance(payload, dict):
        return texts

    def content(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            parts = [
                part.get("text") if isinstance(part, dict) else part
                for part in value
                if isinstance(part, (dict, str))
            ]
            joined = [p for p in parts if isinstance(p, str)]
            if joined:
                texts.append("\n".join(joined))

    if route == "openai.completions":
        prompt = payload.get("prompt")
        prompts = [prompt] if isinstance(prompt, str) else _list(prompt)
        texts.extend(p for p in prompts if isinstance(p, str))
    elif route == "openai.responses":
        content(payload.get("instructions"))
        value = payload.get("input")
        if isinstance(value, str):
            texts.append(value)
        for item in _list(value):
            if isinstance(item, dict):
                content(item.get("content", item.get("output")))
    else:
        if route == "anthropic.messages":
            content(payload.get("system"))
        for message in _list(payload.get("messages")):
            if isinstance(message, dict):
                content(message.get("content"))
    return texts


def input_tokens(route: str, payload: Any, ratio: float = 1.0) -> int:
    """Input tokens of a request, in the scale of the upstream (``ratio``, see Template)."""
    return round(ratio * sum(count_tokens(text) for text in request_texts(route, payload)))


# JSON layout ---------------------------------------------------------------------------------


def dump_like(obj: Any, original: bytes) -> bytes:
    """``obj`` as JSON in the layout of ``original`` (indent, separators, escapes)."""
    head = original[:200]
    indent: int | None = None
    if head.startswith(b"{\n"):
        line = head[2:].split(b"\n", 1)[0]
        indent = len(line) - len(line.lstrip(b" ")) or 2
    compact = indent is None and b'": ' not in head and b'", "' not in head
    separators = (",", ":") if compact else (",", ": ")
    ascii_only = b"\\u" in original and not any(b > 127 for b in original)
    text = json.dumps(obj, ensure_ascii=ascii_only, indent=indent, separators=separators)
    return text.encode()


def rewrite_json(route: str, body: bytes, rewrite: Rewrite) -> bytes | None:
    """A genuine JSON response with its texts rewritten and output usage recounted.

    ``None`` when the body is not a response of ``route`` that has text (pass it on as is).
    """
    try:
        obj = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    slots = _slots(route, obj)
    if not slots:
        return None
    old: list[str] = []
    new: list[str] = []
    for channel, get, put in slots:
        before = get()
        after = rewrite(channel, before)
        old.append(before)
        new.append(after)
        if after != before:
            put(after)
    if old == new:
        return body
    usage = obj.get("usage")
    if isinstance(usage, dict):
        _, out_key, _ = _usage_fields(route)
        reported = usage.get(out_key)
        if isinstance(reported, int):
            set_output_usage(route, usage, recount(reported, old, new))
    return dump_like(obj, body)


# Ids and echoes ------------------------------------------------------------------------------


def fresh_id(old: str) -> str:
    """A new random id shaped like ``old``: same prefix, length and alphabet."""
    cut = max(old.rfind("_"), old.rfind("-")) + 1
    if old[cut : cut + 2] == "01":  # Anthropic ids: msg_01..., req_01...
        cut += 2
    prefix, rest = old[:cut], old[cut:]
    if not rest:
        return old
    alphabet = "0123456789abcdef" if set(rest) <= _HEX else _BASE62
    if rest.isupper() or rest.isdigit():
        alphabet = string.digits if rest.isdigit() else string.digits + string.ascii_uppercase
    return prefix + "".join(secrets.choice(alphabet) for _ in rest)


def refresh(
    obj: Any,
    ids: dict[str, str],
    *,
    now: int,
    model: str | None,
    request: Mapping[str, Any],
) -> None:
    """Replace ids, timestamps, the model and echoed request fields, in place, everywhere."""
    if isinstance(obj, list):
        for item in obj:
            refresh(item, ids, now=now, model=model, request=request)
        return
    if not isinstance(obj, dict):
        return
    for key, value in obj.items():
        if key in ("id", "item_id", "request_id") and isinstance(value, str) and value:
            if value not in ids:
                ids[value] = fresh_id(value)
            obj[key] = ids[value]
        elif key in ("created", "created_at") and isinstance(value, int):
            obj[key] = now
        elif key == "completed_at" and isinstance(value, int):
            obj[key] = now
        elif key == "model" and isinstance(value, str) and model:
            obj[key] = model
        else:
            refresh(value, ids, now=now, model=model, request=request)
    if obj.get("object") == "response":
        for key, default in _ECHO_DEFAULTS.items():
            if key in obj:
                value = request.get(key)
                obj[key] = value if value is not None else default


def render_json(
    template: Template,
    request: Mapping[str, Any],
    texts: Sequence[str],
    *,
    now: float | None = None,
    ids: dict[str, str] | None = None,
) -> bytes:
    """A decoy JSON body: ``template`` answering ``request`` with ``texts`` (one per choice
    or text block of the template, reused in turn if there are fewer)."""
    obj = json.loads(template.body)
    route = template.route
    ids = {} if ids is None else ids
    model = request.get("model") if isinstance(request.get("model"), str) else None
    refresh(obj, ids, now=int(time.time() if now is None else now), model=model, request=request)
    slots = _slots(route, obj)
    written: list[str] = []
    for k, (_, _, put) in enumerate(slots):
        written.append(texts[k % len(texts)] if texts else "")
        put(written[-1])
    usage = obj.get("usage")
    if isinstance(usage, dict):
        output = round(template.ratio * sum(count_tokens(text) for text in written))
        set_output_usage(route, usage, output, input_tokens(route, request, template.input_ratio))
    return dump_like(obj, template.body)


def render_headers(
    template: Sequence[tuple[bytes, bytes]],
    *,
    length: int | None,
    ids: dict[str, str],
    processing_ms: int | None = None,
) -> Headers:
    """The template's headers, in its order, for a new body of ``length`` bytes (``None``:
    streamed, no content-length): fresh request ids, date and processing time."""
    headers: Headers = []
    for name, value in template:
        lowered = name.lower()
        if lowered == b"content-length":
            if length is None:
                continue
            value = str(length).encode()
        elif lowered in _ID_HEADERS:
            old = value.decode("latin-1")
            if old not in ids:
                ids[old] = fresh_id(old)
            value = ids[old].encode()
        elif lowered == b"date":
            value = formatdate(usegmt=True).encode()
        elif lowered == b"openai-processing-ms" and processing_ms is not None:
            value = str(max(1, processing_ms)).encode()
        headers.append((name, value))
    return headers
