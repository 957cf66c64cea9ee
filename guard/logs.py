"""Log output for ``guard serve``: one JSON object per line, or plain text for a terminal.

Log shippers (journald, Docker, Loki, CloudWatch) index JSON lines without a parsing rule, so
JSON is the default for the server. Each line carries ``ts``, ``level``, ``logger`` and
``message``, plus the fields the pipeline attaches as ``extra={"guard": {...}}`` (``key_id``,
``action``, ``rule``, ``score``, ``reasons``...). Those fields are built by the pipeline from
the key id, a keyed hash: the raw API key never reaches a log record.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, TextIO

__all__ = ["LOG_FORMATS", "LOG_LEVELS", "JsonFormatter", "configure_logging"]

LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("debug", "info", "warning", "error")

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The attributes every LogRecord has: anything else on a record came from ``extra=``.
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON.

    The ``guard`` mapping passed through ``extra`` is merged into the top level, so a decision
    reads ``{"ts": ..., "level": "info", "logger": "guard", "message": "decision ...",
    "key_id": "k_...", "action": "throttle", ...}``. Other ``extra`` fields are kept under their
    own names; values JSON cannot encode are written as their ``str()``.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": _timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name in _RESERVED or name.startswith("_") or name in line:
                continue
            if name == "guard" and isinstance(value, Mapping):
                for field, item in value.items():
                    line.setdefault(str(field), item)
            else:
                line[name] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"), default=str)


def _timestamp(created: float) -> str:
    """RFC 3339 in UTC with milliseconds: sorts as text, and every log tool parses it."""
    moment = datetime.fromtimestamp(created, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def configure_logging(
    level: str = "info", fmt: str = "json", *, stream: TextIO | None = None
) -> logging.Handler:
    """Send every logger's records (guard's and uvicorn's) to ``stream`` in ``fmt``.

    Replaces the root logger's handlers, and makes uvicorn's loggers propagate to it, so the
    server writes one consistent format. Returns the installed handler.
    """
    if fmt not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}.")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(level.upper())
    return handler
