from __future__ import annotations

import json

import pytest

from guard.models import Api
from guard.responses import error_response


@pytest.mark.parametrize(
    ("status", "openai_type", "code", "anthropic_type"),
    [
        (400, "invalid_request_error", None, "invalid_request_error"),
        (401, "invalid_request_error", "invalid_api_key", "authentication_error"),
        (403, "permission_error", "permission_denied", "permission_error"),
        (413, "invalid_request_error", "request_too_large", "request_too_large"),
        (429, "requests", "rate_limit_exceeded", "rate_limit_error"),
        (503, "server_error", "service_unavailable", "api_error"),
    ],
)
def test_error_shapes(status: int, openai_type: str, code: str | None, anthropic_type: str) -> None:
    oai = error_response(Api.OPENAI, status, "nope")
    assert oai.status == status
    assert json.loads(oai.body) == {
        "error": {"message": "nope", "type": openai_type, "param": None, "code": code}
    }
    ant = error_response(Api.ANTHROPIC, status, "nope")
    body = json.loads(ant.body)
    assert body["type"] == "error" and body["error"] == {"type": anthropic_type, "message": "nope"}
    assert body["request_id"].startswith("req_")
    headers = dict(ant.headers)
    assert headers[b"content-length"] == str(len(ant.body)).encode()
    assert b"request-id" in headers and b"x-request-id" in dict(oai.headers)


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    response = error_response(Api.OPENAI, 429, "slow down", retry_after=1.2)
    assert dict(response.headers)[b"retry-after"] == b"2"
    assert (
        dict(error_response(Api.OPENAI, 429, "x", retry_after=0.0).headers)[b"retry-after"] == b"1"
    )
