"""Typed reads of request fields, shared by the adapters.

Each reader returns the field's value in the type :class:`guard.models.PromptRequest` wants,
treats a missing field and JSON ``null`` alike (the APIs do), and raises
:class:`guard.errors.BadRequest` naming the field when the value has the wrong type: a body
guard cannot read is one it must not wave through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guard.errors import BadRequest

__all__ = [
    "count_list",
    "get_bool",
    "get_float",
    "get_int",
    "get_str",
    "messages_of",
    "require_object",
    "usage_int",
]


def require_object(body: Any, what: str = "The request body") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest(f"{what} must be a JSON object.")
    return body


def messages_of(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``(role, message, where)`` for each message of a chat body, checking the list's shape.

    ``where`` names the message's content for error messages (``messages[2].content``).
    """
    messages = obj.get("messages")
    if messages is None:
        raise BadRequest("messages is required: send the conversation as a list of messages.")
    if not isinstance(messages, list):
        raise BadRequest("messages must be a list of message objects.")
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BadRequest(f"messages[{i}] must be an object with a role and content.")
        role = message.get("role")
        if role is None:
            raise BadRequest(f"messages[{i}].role is required.")
        if not isinstance(role, str):
            raise BadRequest(f"messages[{i}].role must be a string.")
        yield role, message, f"messages[{i}].content"


def get_str(obj: dict[str, Any], key: str, where: str = "") -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{where}{key} must be a string.")
    return value


def get_int(obj: dict[str, Any], key: str, where: str = "") -> int | None:
    """An integer field; integral floats (``256.0``) are accepted, as JSON does not tell."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{where}{key} must be an integer.")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadRequest(f"{where}{key} must be an integer.")
        return int(value)
    return value


def get_float(obj: dict[str, Any], key: str, where: str = "") -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRequest(f"{where}{key} must be a number.")
    return float(value)


def get_bool(obj: dict[str, Any], key: str, where: str = "") -> bool:
    value = obj.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequest(f"{where}{key} must be true or false.")
    return value


def count_list(obj: dict[str, Any], key: str, what: str, where: str = "") -> int:
    """Length of an optional list field, e.g. the number of tool definitions."""
    value = obj.get(key)
    if value is None:
        return 0
    if not isinstance(value, list):
        raise BadRequest(f"{where}{key} must be a list of {what}.")
    return len(value)


def usage_int(obj: dict[str, Any], *keys: str) -> int:
    """The first of ``keys`` holding a non-negative integer, else 0; never raises."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 0
