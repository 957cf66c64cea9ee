"""JSON log lines: their fields, the pipeline's decision fields, and never a raw API key."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from guard.logs import JsonFormatter, configure_logging
from guard.server import build_app

http = sys.modules[openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]]

RAW_KEY = "sk-live-supersecret-0123456789"


def record(message: str = "hello %s", *args: Any, **extra: Any) -> logging.LogRecord:
    logger = logging.getLogger("guard.test")
    return logger.makeRecord(
        "guard.test", logging.INFO, __file__, 1, message, args or ("world",), None, extra=extra
    )


def test_one_json_object_per_line_with_the_base_fields() -> None:
    line = JsonFormatter().format(record())
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "info" and data["logger"] == "guard.test"
    assert data["message"] == "hello world"
    assert data["ts"].endswith("Z") and len(data["ts"]) == len("2025-01-01T00:00:00.000Z")


def test_guard_fields_are_merged_and_other_extras_kept() -> None:
    fields = {"key_id": "k_abc", "action": "block", "score": 0.9, "reasons": ["coverage"]}
    data = json.loads(JsonFormatter().format(record(guard=fields, request_id=7)))
    assert {k: data[k] for k in fields} == fields
    assert data["request_id"] == 7
    assert "guard" not in data


def test_guard_fields_never_overwrite_the_base_fields() -> None:
    data = json.loads(JsonFormatter().format(record(guard={"message": "forged", "level": "x"})))
    assert data["message"] == "hello world" and data["level"] == "info"


def test_unencodable_values_and_exceptions() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    item = record(guard={"when": object()})
    item.exc_info = exc_info
    data = json.loads(JsonFormatter().format(item))
    assert data["when"].startswith("<object object")
    assert "ValueError: boom" in data["exc"]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    uvicorn_state = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
    }
    yield
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, (old, propagate) in uvicorn_state.items():
        logging.getLogger(name).handlers[:] = old
        logging.getLogger(name).propagate = propagate


def test_configure_logging_routes_uvicorn_too(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("warning", "json", stream=stream)
    logging.getLogger("uvicorn.error").error("port in use")
    logging.getLogger("guard").info("below the level")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["message"] == "port in use"
    stream = io.StringIO()
    configure_logging("info", "text", stream=stream)
    logging.getLogger("guard").info("plain")
    assert stream.getvalue().rstrip().endswith("INFO guard: plain")
    with pytest.raises(ValueError, match="log format must be one of json, text"):
        configure_logging("info", "yaml")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the 'guard' loggers write, as JSON lines, at debug level."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("guard")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(old_level)


async def test_decisions_logged_with_key_id_never_the_raw_key(captured: io.StringIO) -> None:
    policy = {"rules": [{"name": "third", "when": "requests.day > 2", "then": "block"}]}
    app = build_app("mock", policy=policy, secret="log-secret", admin_token="t")
    key_id = app.pipeline.identify([(b"authorization", f"Bearer {RAW_KEY}".encode())], "").key_id
    async with openai.AsyncOpenAI(
        base_url="http://guard/v1",
        api_key=RAW_KEY,
        http_client=http.AsyncClient(transport=http.ASGITransport(app=app)),
        max_retries=0,
    ) as client:
        for i in range(4):
            try:
                await client.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": f"Question number {i}?"}]
                )
            except openai.PermissionDeniedError:
                pass
    text = captured.getvalue()
    assert RAW_KEY not in text and "supersecret" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    decisions = [line for line in lines if line["message"].startswith("decision")]
    requests = [line for line in lines if line["message"].startswith("request")]
    # One line per decision at info (the two blocked requests), one per request at debug.
    assert [d["level"] for d in decisions] == ["info", "info"]
    assert all(d["key_id"] == key_id and d["action"] == "block" for d in decisions)
    assert all(d["rule"] == "third" and isinstance(d["score"], float) for d in decisions)
    assert all(isinstance(d["reasons"], list) for d in decisions)
    assert len(requests) == 2 and all(r["level"] == "debug" for r in requests)
    assert all(r["key_id"] == key_id for r in requests)
