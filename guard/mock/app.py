"""``MockUpstream``: an ASGI stand-in for the OpenAI and Anthropic APIs.

Tests, benchmarks and ``guard simulate`` need an upstream that answers like the real APIs
(ids, headers, usage, SSE framing, error shapes) without a network or a model. Besides the
constructor's knobs, a few request headers steer one request, so a test can provoke upstream
failures through any proxy in between:

``x-mock-status: 500``
    answer with that error status, in the route's API shape;
``x-mock-latency: 0.5``
    wait that many seconds before the response starts (overrides ``latency``);
``x-mock-abort-after: 3``
    send that many SSE events, then drop the connection (streams only).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import string
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from guard.mock import anthropic, openai
from guard.mock.call import Call
from guard.mock.wire import InvalidRequest, anthropic_error, make_id, openai_error

__all__ = ["MockUpstream"]

Handler = Callable[[Call], Response]

_HEX = string.digits + "abcdef"
_OPENAI_ONLY = frozenset({"/v1/chat/completions", "/v1/completions", "/v1/responses"})
_OPENAI_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)
_OPENAI_BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
    "contact us through our help center at help.openai.com.)"
)
_OPENAI_STATUS: Mapping[int, tuple[str, str, str | None]] = {
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to perform this request.", "invalid_request_error", None),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}
_ANTHROPIC_STATUS: Mapping[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use this resource."),
    404: ("not_found_error", "Not found"),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of requests has exceeded your rate limit."),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timed out"),
    529: ("overloaded_error", "Overloaded"),
}


class MockUpstream:
    """A deterministic fake of the OpenAI and Anthropic HTTP APIs, as a pure ASGI app.

    Answers depend only on ``seed`` and the request (``created`` timestamps on ``clock``);
    ``latency`` delays every response's start and ``chunk_delay`` separates streamed events.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        latency: float = 0.0,
        chunk_delay: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.seed = seed
        self.latency = latency
        self.chunk_delay = chunk_delay
        self.clock = clock
        self._routes: Mapping[str, Mapping[str, Handler]] = {
            "/v1/chat/completions": {"POST": openai.chat_completions},
            "/v1/completions": {"POST": openai.completions},
            "/v1/responses": {"POST": openai.responses},
            "/v1/messages": {"POST": anthropic.messages},
            "/v1/models": {"GET": openai.list_models},
        }
        self._requests = itertools.count()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1003})
            return
        started = time.perf_counter()
        request = Request(scope, receive)
        body = await request.body()
        is_anthropic = _speaks_anthropic(request.url.path, request.headers)
        key = f"{self.seed}\x1f{request.method}\x1f{request.url.path}\x1f".encode() + body
        serial = str(next(self._requests))
        if is_anthropic:
            request_id = "req_011C" + make_id(key, "request-id", serial, length=20)
        else:
            request_id = "req_" + make_id(key, "request-id", serial, length=32, alphabet=_HEX)

        response = self._respond(request, body, key, request_id, is_anthropic)
        delay = _float_header(request.headers, "x-mock-latency", self.latency)
        if delay > 0 and not await _pause(delay, receive):
            return
        elapsed_ms = str(max(1, round((time.perf_counter() - started) * 1000)))
        if is_anthropic:
            response.headers.update(_anthropic_headers(request_id))
            if response.media_type and response.media_type.startswith("text/event-stream"):
                response.headers["cache-control"] = "no-cache"
        else:
            response.headers.update(_openai_headers(request_id, elapsed_ms))
        await response(scope, receive, send)

    def _respond(
        self, request: Request, body: bytes, key: bytes, request_id: str, is_anthropic: bool
    ) -> Response:
        def error(status: int, message: str | None = None, **openai_fields: Any) -> Response:
            if is_anthropic:
                kind, default = _ANTHROPIC_STATUS.get(
                    status, ("api_error" if status >= 500 else "invalid_request_error", "Error")
                )
                return anthropic_error(status, kind, message or default, request_id=request_id)
            return openai_error(status, message or f"Error {status}.", **openai_fields)

        path, method = request.url.path, request.method
        handler = self._routes.get(path, {}).get(method)
        if handler is None:
            return error(404, None if is_anthropic else f"Invalid URL ({method} {path})")
        if is_anthropic and path == "/v1/models":
            handler = anthropic.list_models
        if not _api_key(request.headers, is_anthropic):
            if is_anthropic:
                return error(401, "x-api-key header is required")
            return error(401, _OPENAI_NO_KEY)

        forced = request.headers.get("x-mock-status")
        if forced is not None:
            status = int(forced) if forced.isdigit() else 0
            if not 400 <= status <= 599:
                return error(400, "x-mock-status must be an HTTP error status (400-599).")
            message, kind, code = _OPENAI_STATUS.get(
                status,
                (None, "server_error" if status >= 500 else "invalid_request_error", None),
            )
            return error(status, message, type=kind, code=code)

        payload: Any = {}
        if method == "POST":
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                if is_anthropic:
                    return error(400, "There was an issue with your request body: invalid JSON.")
                return error(400, _OPENAI_BAD_JSON)
            if not isinstance(payload, dict):
                return error(
                    400, "Invalid type for request body: expected an object.", code="invalid_type"
                )
        abort = request.headers.get("x-mock-abort-after")
        call = Call(
            body=payload,
            key=key,
            seed=self.seed,
            created=int(self.clock()),
            chunk_delay=self.chunk_delay,
            abort_after=int(abort) if abort is not None and abort.isdigit() else None,
        )
        try:
            return handler(call)
        except InvalidRequest as exc:
            return error(exc.status, exc.message, param=exc.param, code=exc.code)


def _speaks_anthropic(path: str, headers: Headers) -> bool:
    """Anthropic routes, and shared or unknown paths asked for by an Anthropic client."""
    if path.startswith("/v1/messages"):
        return True
    return path not in _OPENAI_ONLY and "anthropic-version" in headers


def _api_key(headers: Headers, is_anthropic: bool) -> bool:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return True
    return is_anthropic and bool(headers.get("x-api-key", "").strip())


def _float_header(headers: Headers, name: str, default: float) -> float:
    try:
        return float(headers[name])
    except (KeyError, ValueError):
        return default


def _openai_headers(request_id: str, elapsed_ms: str) -> dict[str, str]:
    return {
        "x-request-id": request_id,
        "openai-organization": "user-mock",
        "openai-processing-ms": elapsed_ms,
        "openai-project": "proj_mock",
        "openai-version": "2020-10-01",
        "x-ratelimit-limit-requests": "10000",
        "x-ratelimit-limit-tokens": "30000000",
        "x-ratelimit-remaining-requests": "9999",
        "x-ratelimit-remaining-tokens": "29999000",
        "x-ratelimit-reset-requests": "6ms",
        "x-ratelimit-reset-tokens": "2ms",
    }


def _anthropic_headers(request_id: str) -> dict[str, str]:
    return {
        "request-id": request_id,
        "anthropic-organization-id": "8f3c0a4e-2b1d-4f6a-9c7e-5d2a1b0c3e4f",
        "anthropic-ratelimit-requests-limit": "4000",
        "anthropic-ratelimit-requests-remaining": "3999",
        "anthropic-ratelimit-tokens-limit": "2000000",
        "anthropic-ratelimit-tokens-remaining": "1999000",
    }


async def _pause(delay: float, receive: Receive) -> bool:
    """Sleep ``delay`` seconds; False if the client hung up meanwhile (answer no one)."""
    waiter = asyncio.ensure_future(receive())
    try:
        done, _ = await asyncio.wait({waiter}, timeout=delay)
    finally:
        waiter.cancel()
    return not (done and waiter.result()["type"] == "http.disconnect")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
