"""Refusals in the shape the client's API uses.

An OpenAI SDK expects ``{"error": {"message", "type", "param", "code"}}``; an Anthropic SDK
expects ``{"type": "error", "error": {"type", "message"}}``. Answering each in its own shape
lets the SDKs raise their usual typed exceptions (RateLimitError, PermissionDeniedError, ...)
and honour Retry-After, so a client sees nothing unusual about a refusal from guard.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Sequence

from guard.models import Api

__all__ = ["ErrorResponse", "error_response"]

Headers = list[tuple[bytes, bytes]]

# status -> (OpenAI type, OpenAI code, Anthropic type)
_KINDS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "invalid_request_error"),
    401: ("invalid_request_error", "invalid_api_key", "authentication_error"),
    403: ("permission_error", "permission_denied", "permission_error"),
    404: ("invalid_request_error", "unknown_url", "not_found_error"),
    413: ("invalid_request_error", "request_too_large", "request_too_large"),
    415: ("invalid_request_error", "unsupported_media_type", "invalid_request_error"),
    429: ("requests", "rate_limit_exceeded", "rate_limit_error"),
    502: ("server_error", "bad_gateway", "api_error"),
    503: ("server_error", "service_unavailable", "api_error"),
    504: ("server_error", "gateway_timeout", "api_error"),
}


class ErrorResponse:
    """A complete ASGI response: status, headers and body, sent in two messages."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    async def __call__(self, send: object) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": self.body})  # type: ignore[operator]


def error_response(
    api: Api,
    status: int,
    message: str,
    *,
    retry_after: float | None = None,
    param: str | None = None,
    extra_headers: Sequence[tuple[bytes, bytes]] = (),
) -> ErrorResponse:
    openai_type, code, anthropic_type = _KINDS.get(status, ("server_error", None, "api_error"))
    request_id = "req_" + secrets.token_hex(12)
    if api is Api.ANTHROPIC:
        payload: dict[str, object] = {
            "type": "error",
            "error": {"type": anthropic_type, "message": message},
            "request_id": request_id,
        }
        id_header = b"request-id"
    else:
        payload = {"error": {"message": message, "type": openai_type, "param": param, "code": code}}
        id_header = b"x-request-id"
    body = json.dumps(payload).encode()
    headers: Headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (id_header, request_id.encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(retry_after))).encode()))
    headers.extend(extra_headers)
    return ErrorResponse(status, headers, body)
