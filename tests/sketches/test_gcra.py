from __future__ import annotations

import pytest

from guard.models import RateResult
from guard.sketches.gcra import gcra, peek
from guard.store.base import RateLimit

# 3 per 3 s: one request a second (T = 1 s), up to 3 at once.
BURSTY = RateLimit("bursty", limit=3, period=3, burst=3)


def run(limit: RateLimit, times: list[float]) -> list[tuple[RateResult, float]]:
    tat: float | None = None
    out = []
    for now in times:
        result, tat = gcra(tat, now, limit)
        out.append((result, tat))
    return out


def test_burst_then_sustained_rate() -> None:
    steps = run(BURSTY, [0, 0, 0, 0, 0.5, 1, 1, 10])
    assert steps == [
        (RateResult(True, 0.0, 2), 1.0),
        (RateResult(True, 0.0, 1), 2.0),
        (RateResult(True, 0.0, 0), 3.0),
        (RateResult(False, 1.0, 0), 3.0),  # refused: the TAT does not move
        (RateResult(False, 0.5, 0), 3.0),
        (RateResult(True, 0.0, 0), 4.0),  # one second later, exactly one more
        (RateResult(False, 1.0, 0), 4.0),
        (RateResult(True, 0.0, 2), 11.0),  # idle long enough: full burst again, less this one
    ]


def test_burst_of_one_spaces_requests_evenly() -> None:
    limit = RateLimit("strict", limit=10, period=60)  # every 6 s
    steps = run(limit, [0, 3, 5.9, 6, 12.5, 13])
    assert [(r.allowed, r.retry_after) for r, _ in steps] == [
        (True, 0.0),
        (False, 3.0),
        (False, pytest.approx(0.1)),
        (True, 0.0),
        (True, 0.0),
        (False, pytest.approx(5.5)),
    ]
    assert [tat for _, tat in steps] == [6.0, 6.0, 6.0, 12.0, 18.5, 18.5]


def test_partial_recovery_gives_back_whole_requests_only() -> None:
    tat = 3.0  # burst of 3 fully used at t=0
    result, tat = gcra(tat, 2.5, BURSTY)  # 2.5 s recovered: this one plus 1 more
    assert result == RateResult(True, 0.0, 1)
    assert tat == 4.0


def test_an_unknown_key_is_like_a_past_tat() -> None:
    assert gcra(None, 100.0, BURSTY) == gcra(50.0, 100.0, BURSTY)


def test_cost_above_one() -> None:
    result, tat = gcra(None, 0.0, BURSTY, cost=2)
    assert (result, tat) == (RateResult(True, 0.0, 1), 2.0)
    result, tat = gcra(tat, 0.0, BURSTY, cost=2)
    assert (result, tat) == (RateResult(False, 1.0, 0), 2.0)


def test_peek_consumes_nothing() -> None:
    assert peek(None, 0.0, BURSTY) == RateResult(True, 0.0, 3)
    assert peek(2.0, 0.0, BURSTY) == RateResult(True, 0.0, 1)
    assert peek(3.0, 0.0, BURSTY) == RateResult(True, 0.0, 0)
    assert gcra(2.0, 0.0, BURSTY, cost=0)[1] == 2.0


def test_requests_exactly_on_time_pass_despite_float_rounding() -> None:
    limit = RateLimit("tenth", limit=10, period=1)  # T = 0.1 s, not a binary fraction
    tat: float | None = None
    now = 0.0
    for _ in range(100):
        result, tat = gcra(tat, now, limit)
        assert result.allowed
        now += 0.1


def test_time_going_backwards_is_refused_until_the_tat() -> None:
    result, tat = gcra(10.0, 5.0, RateLimit("r", limit=1, period=1, burst=2))
    assert result == RateResult(False, 4.0, 0)
    assert tat == 10.0


@pytest.mark.parametrize(
    ("limit", "cost"),
    [
        (RateLimit("zero", limit=0, period=60), 1),
        (RateLimit("no-period", limit=1, period=0), 1),
        (RateLimit("no-burst", limit=1, period=1, burst=0), 1),
        (BURSTY, 4),
        (BURSTY, -1),
    ],
)
def test_limits_that_can_never_pass(limit: RateLimit, cost: int) -> None:
    with pytest.raises(ValueError, match=repr(limit.name)):
        gcra(None, 0.0, limit, cost=cost)
