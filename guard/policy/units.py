"""Human units in policy files: durations (``90s``, ``15m``, ``24h``), sizes (``10MB``), rates
(``60/min``)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from guard.policy.typed import Scalar

__all__ = [
    "Duration",
    "Fraction",
    "Rate",
    "Size",
    "format_rate",
    "parse_duration",
    "parse_fraction",
    "parse_rate",
    "parse_size",
]

_DURATION_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "w": 604800.0,
    "week": 604800.0,
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$")
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$")


def parse_duration(value: Any) -> float:
    """Seconds from a number of seconds or a string like ``500ms``, ``90s``, ``15m``, ``7d``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value.lower())):
        unit = match.group(2) or "s"
        if unit.endswith("s") and unit[:-1] in _DURATION_UNITS and unit not in _DURATION_UNITS:
            unit = unit[:-1]
        if unit not in _DURATION_UNITS:
            raise ValueError(f"unknown duration unit {unit!r}: use ms, s, m, h, d or w")
        seconds = float(match.group(1)) * _DURATION_UNITS[unit]
    else:
        raise ValueError(f"expected a duration such as '90s', '15m', '24h' or '7d', got {value!r}")
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


def parse_size(value: Any) -> int:
    """Bytes from an integer or a string like ``512KB``, ``10MB``, ``1MiB``."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (match := _SIZE.match(value.lower())):
        unit = match.group(2)
        if unit not in _SIZE_UNITS:
            raise ValueError(f"unknown size unit {unit!r}: use B, KB, MB, GB, KiB, MiB or GiB")
        size = int(float(match.group(1)) * _SIZE_UNITS[unit])
    else:
        raise ValueError(f"expected a size such as '512KB' or '10MB', got {value!r}")
    if size <= 0:
        raise ValueError(f"a size must be positive, got {value!r}")
    return size


def parse_rate(value: Any) -> tuple[float, float]:
    """``(limit, period_seconds)`` from ``'60/min'``, ``'1000/day'``, ``'5/10s'``."""
    if not isinstance(value, str) or "/" not in value:
        raise ValueError(f"expected a rate such as '60/min' or '1000/day', got {value!r}")
    count, _, per = value.partition("/")
    try:
        limit = float(count)
    except ValueError:
        raise ValueError(f"expected a number before '/' in rate {value!r}") from None
    if limit <= 0:
        raise ValueError(f"a rate must be positive, got {value!r}")
    per = per.strip()
    period = parse_duration(per if per[:1].isdigit() else "1" + per)
    return limit, period


def parse_fraction(value: Any) -> float:
    """A number between 0 and 1 inclusive."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1:
        return float(value)
    raise ValueError(f"expected a number between 0 and 1, got {value!r}")


def _rate_text(value: Any) -> str:
    parse_rate(value)
    return str(value).strip()


def format_rate(per_second: float) -> str:
    """A rate in requests per second, written the way a policy would (``'2.5/min'``)."""
    for unit, seconds in (("s", 1.0), ("min", 60.0), ("h", 3600.0), ("day", 86400.0)):
        count = per_second * seconds
        if count >= 1 or unit == "day":
            return f"{count:.3g}/{unit}"
    raise AssertionError("unreachable")


Duration = Annotated[
    float,
    Scalar(
        parse_duration,
        {
            "description": "a duration: seconds, or a string like '90s', '15m', '24h', '7d'",
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*[a-zA-Z]*\s*$"},
            ],
        },
    ),
]

Size = Annotated[
    int,
    Scalar(
        parse_size,
        {
            "description": "a size: bytes, or a string like '512KB', '10MB', '1MiB'",
            "anyOf": [
                {"type": "integer", "exclusiveMinimum": 0},
                {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*[a-zA-Z]*\s*$"},
            ],
        },
    ),
]

Rate = Annotated[
    str,
    Scalar(
        _rate_text,
        {
            "description": "a rate: '<count>/<period>', e.g. '60/min', '5000/day' or '5/10s'",
            "type": "string",
            "pattern": r"^\s*\d+(\.\d+)?\s*/\s*(\d+(\.\d+)?\s*)?[a-zA-Z]+\s*$",
        },
    ),
]

Fraction = Annotated[
    float,
    Scalar(
        parse_fraction,
        {"description": "a number between 0 and 1", "type": "number", "minimum": 0, "maximum": 1},
    ),
]
