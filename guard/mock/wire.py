"""Wire-level pieces shared by the mock's OpenAI and Anthropic routes.

Identifiers, JSON and SSE framing, error bodies and request validation live here so the route
modules only describe *what* each API answers, not how bytes are laid out.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

__all__ = [
    "InvalidRequest",
    "anthropic_error",
    "dumps",
    "json_response",
    "make_id",
    "openai_error",
    "optional_int",
    "optional_str_list",
    "require",
    "sse",
]

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_JSON_TYPES: Mapping[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


class InvalidRequest(Exception):
    """A request the real API would refuse; rendered in the shape of the route's API."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.status = status


def make_id(key: bytes, *parts: str, length: int, alphabet: str = _BASE62) -> str:
    """A reproducible identifier drawn from ``key`` (the request) and ``parts`` (its role)."""
    digest = hashlib.blake2b(key + "\x1f".join(parts).encode(), digest_size=32).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, len(alphabet))
        chars.append(alphabet[rest])
    return "".join(chars)


def dumps(payload: Any, *, indent: int | None = None) -> bytes:
    """UTF-8 JSON without ASCII escapes, compact unless ``indent`` is given."""
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(payload, ensure_ascii=False, indent=indent, separators=separators).encode()


def json_response(payload: Any, *, status: int = 200, indent: int | None = None) -> Response:
    return Response(dumps(payload, indent=indent), status, media_type="application/json")


def sse(data: Any, *, event: str | None = None) -> bytes:
    """One server-sent event; a ``str`` payload (``[DONE]``) is sent verbatim."""
    body = data if isinstance(data, str) else dumps(data).decode()
    head = f"event: {event}\n" if event is not None else ""
    return f"{head}data: {body}\n\n".encode()


def openai_error(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
) -> Response:
    payload = {"error": {"message": message, "type": type, "param": param, "code": code}}
    return json_response(payload, status=status, indent=2)


def anthropic_error(status: int, type: str, message: str, *, request_id: str) -> Response:
    payload = {
        "type": "error",
        "error": {"type": type, "message": message},
        "request_id": request_id,
    }
    return json_response(payload, status=status)


def _describe(value: object) -> str:
    return _JSON_TYPES.get(type(value), "an unsupported value")


def require(body: Mapping[str, Any], name: str, expected: type | tuple[type, ...]) -> Any:
    """Return ``body[name]``, raising :class:`InvalidRequest` like OpenAI if absent or mistyped."""
    if name not in body or body[name] is None:
        raise InvalidRequest(
            f"Missing required parameter: '{name}'.",
            param=name,
            code="missing_required_parameter",
        )
    return _typed(body, name, expected)


def optional_int(body: Mapping[str, Any], name: str, *, minimum: int = 1) -> int | None:
    """An optional integer parameter that must be at least ``minimum`` when present."""
    if body.get(name) is None:
        return None
    value: int = _typed(body, name, int)
    if value < minimum:
        raise InvalidRequest(
            f"Invalid '{name}': integer below minimum value. Expected a value >= {minimum}, "
            f"but got {value} instead.",
            param=name,
            code="integer_below_min_value",
        )
    return value


def optional_str_list(body: Mapping[str, Any], name: str) -> list[str]:
    """A parameter that may be absent, one string, or a list of strings (like ``stop``)."""
    value = body.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise InvalidRequest(
        f"Invalid type for '{name}': expected a string or an array of strings, but got "
        f"{_describe(value)} instead.",
        param=name,
        code="invalid_type",
    )


def _typed(body: Mapping[str, Any], name: str, expected: type | tuple[type, ...]) -> Any:
    value = body[name]
    kinds = expected if isinstance(expected, tuple) else (expected,)
    # bool is an int subclass in Python but not in JSON.
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        wanted = " or ".join(_JSON_TYPES.get(kind, kind.__name__) for kind in kinds)
        raise InvalidRequest(
            f"Invalid type for '{name}': expected {wanted}, but got {_describe(value)} instead.",
            param=name,
            code="invalid_type",
        )
    return value
