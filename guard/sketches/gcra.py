"""GCRA, the generic cell rate algorithm, as a pure function over one stored number.

A limit of ``limit`` requests per ``period`` admits one request every ``T = period / limit``
seconds on average, and up to ``burst`` at once after a quiet spell. The whole state is the
theoretical arrival time (TAT): when the key's budget would be back to full if it sent nothing
more. A request of cost ``c`` conforms iff ``now >= max(TAT, now) + c*T - burst*T``; if it does,
the TAT moves ``c*T`` later. Nothing else is stored, nothing decays on a timer, so the Redis
backend runs the same few lines in Lua against one key.

Comparisons allow ``EPSILON`` seconds of slack so that a request arriving exactly on time is
not refused because ``T`` is not a binary fraction (``0.1 + 0.2 > 0.3``).
"""

from __future__ import annotations

import math

from guard.models import RateResult
from guard.store.base import RateLimit

__all__ = ["EPSILON", "gcra", "peek"]

EPSILON = 1e-9


def gcra(
    tat: float | None, now: float, limit: RateLimit, cost: int = 1
) -> tuple[RateResult, float]:
    """Check ``cost`` requests at ``now`` against ``limit`` given the stored ``tat``.

    Returns the result and the TAT to store: moved on when allowed, unchanged when refused
    (a refused request consumes nothing). ``tat`` is ``None`` for a key never seen, which is
    the same as any TAT in the past. ``cost=0`` reports the budget without consuming it.

    Raises ``ValueError`` for limits no request could ever satisfy (``limit <= 0``,
    ``period <= 0``, ``burst < 1``) or a ``cost`` that is negative or above ``burst``.
    """
    if not (limit.limit > 0 and limit.period > 0 and limit.burst >= 1):
        raise ValueError(
            f"Rate limit {limit.name!r} needs limit > 0, period > 0 and burst >= 1 "
            f"(got limit={limit.limit}, period={limit.period}, burst={limit.burst})."
        )
    if not 0 <= cost <= limit.burst:
        raise ValueError(
            f"A cost of {cost} can never pass rate limit {limit.name!r} (burst {limit.burst})."
        )
    interval = limit.interval
    start = now if tat is None or tat < now else tat
    new_tat = start + cost * interval
    allow_at = new_tat - limit.burst * interval
    if now + EPSILON < allow_at:
        return RateResult(allowed=False, retry_after=allow_at - now, remaining=0), start
    remaining = math.floor((now - allow_at) / interval + EPSILON)
    return RateResult(allowed=True, retry_after=0.0, remaining=max(0, remaining)), new_tat


def peek(tat: float | None, now: float, limit: RateLimit) -> RateResult:
    """The budget left under ``limit`` at ``now`` (``remaining`` requests), consuming none."""
    return gcra(tat, now, limit, cost=0)[0]
