from __future__ import annotations

import pytest

from guard.policy.units import parse_duration, parse_rate, parse_size


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
