from __future__ import annotations

import pytest

from guard.policy import parse_policy
from guard.policy.units import (
    format_rate,
    parse_duration,
    parse_fraction,
    parse_rate,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        (90, 90.0),
        (1.5, 1.5),
        ("500ms", 0.5),
        ("90s", 90.0),
        ("15m", 900.0),
        ("15min", 900.0),
        ("24h", 86400.0),
        ("2 hours", 7200.0),
        ("7d", 604800.0),
        ("1w", 604800.0),
        ("3 days", 259200.0),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "soon", "10 parsecs", "-5s", 0, True, "5/min"])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "size"),
    [(100, 100), ("512KB", 512_000), ("10MB", 10_000_000), ("1MiB", 1 << 20), ("1.5 kib", 1536)],
)
def test_sizes(text: object, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("60/min", (60.0, 60.0)),
        ("1000/day", (1000.0, 86400.0)),
        ("5/10s", (5.0, 10.0)),
        ("2.5/h", (2.5, 3600.0)),
    ],
)
def test_rates(text: str, rate: tuple[float, float]) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("bad", ["60", "x/min", "0/min", "10/fortnight", 60])
def test_bad_rates(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_rate(bad)


@pytest.mark.parametrize(
    ("per_second", "text"),
    [(2.0, "2/s"), (1 / 60, "1/min"), (2.5 / 60, "2.5/min"), (0.5 / 3600, "12/day")],
)
def test_format_rate(per_second: float, text: str) -> None:
    assert format_rate(per_second) == text
    count, period = parse_rate(text)
    assert count / period == pytest.approx(per_second, rel=1e-2)


def test_fractions() -> None:
    assert parse_fraction(0) == 0.0 and parse_fraction(1) == 1.0
    for bad in (-0.1, 1.01, True, "0.5"):
        with pytest.raises(ValueError, match="between 0 and 1"):
            parse_fraction(bad)


def test_rates_keep_their_text() -> None:
    policy = parse_policy("rate_limits: {a: ' 10/min ', b: {rate: 5/10s, burst: 2}}")
    assert policy.rate_limits["a"].rate == "10/min"
    assert [(r.limit, r.period) for r in policy.rate_limit_list()] == [(10.0, 60.0), (5.0, 10.0)]
