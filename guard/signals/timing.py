"""Timing: when a key sends, read off the timestamps in its ring of recent requests.

People come in sessions: a few requests minutes apart, then hours of silence, and a night's
sleep every day. Scripts keep a beat (a fixed interval with a little jitter, several workers
firing together on each beat) and run round the clock. Two signals:

- ``cadence``: how regular the gaps between the key's recent requests are (requests less than
  a couple of seconds apart count as one beat, so a pool of workers firing together keeps its
  beat). Regularity is the quartile coefficient of dispersion of the gaps, (Q3 - Q1) /
  (Q3 + Q1): about 0.1 for a beat with 25% jitter, 0.66 for a memoryless stream (many
  independent users behind one key), over 0.5 for a person's think times; unlike the
  coefficient of variation it ignores the odd long pause (a restart, a quota reset).
- ``no_rest``: the key's recent requests span most of a day without a rest: no silence of a
  few hours, as a person sleeping would leave. Only judged once the ring spans half a day;
  a busy key's ring spans less, and its volume speaks for it.

Both read the sorted gaps of the ring stats (:class:`~guard.signals.behaviour.RingStats`),
computed once per request: a bisection and two lookups.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from guard.signals.base import Signal, SignalContext
from guard.signals.behaviour import RingStats

__all__ = ["CadenceSignal", "NoRestSignal", "TimingStats"]

_BEAT = 2.0  # seconds: requests this close belong to one beat (parallel workers)
_MIN_BEATS = 6  # gaps between beats needed before a cadence means anything
_PRIOR = 16.0  # evidence n / (n + 16) over the ring's requests: a person's few gaps can
# look regular by chance
_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class TimingStats:
    """Timing of a key's recent requests."""

    requests: int  # requests in the ring
    beats: int  # gaps between beats
    dispersion: float  # quartile coefficient of dispersion of those gaps (1.0 with too few)
    span: float  # seconds from the oldest to the newest request in the ring
    longest: float  # the longest gap between two requests, seconds

    @classmethod
    def of(cls, gaps: Sequence[float]) -> TimingStats:
        """Timing from the sorted gaps between a ring's consecutive requests."""
        if not gaps:
            return _EMPTY
        first = bisect.bisect_left(gaps, _BEAT)  # gaps below it fall within one beat
        n = len(gaps) - first
        dispersion = 1.0
        if n >= _MIN_BEATS:
            q1, q3 = gaps[first + n // 4], gaps[first + (3 * n) // 4]
            dispersion = (q3 - q1) / (q3 + q1)
        return cls(len(gaps) + 1, n, dispersion, math.fsum(gaps), gaps[-1])


_EMPTY = TimingStats(0, 0, 1.0, 0.0, 0.0)


def timing_of(ctx: SignalContext) -> TimingStats:
    """The timing of ``ctx``'s ring, from the ring stats the pipeline computed once."""
    recent = ctx.recent if ctx.recent is not None else RingStats.of(ctx.state.recent)
    return TimingStats.of(recent.gaps)


class CadenceSignal(Signal):
    """Regular gaps between recent requests: 1 at a dispersion of ``regular`` or less, 0 at
    ``random`` or more (a Poisson stream has 0.66)."""

    name = "cadence"

    def __init__(self, regular: float = 0.15, random: float = 0.5) -> None:
        self.regular = regular
        self.random = random

    def measure(self, ctx: SignalContext) -> float:
        t = timing_of(ctx)
        if t.beats < _MIN_BEATS:
            return 0.0
        level = (self.random - t.dispersion) / (self.random - self.regular)
        return max(0.0, min(1.0, level)) * t.requests / (t.requests + _PRIOR)

    def explain(self, ctx: SignalContext, value: float) -> str:
        t = timing_of(ctx)
        if t.beats < _MIN_BEATS:
            return "too few requests to judge their rhythm"
        return (
            f"the middle half of the gaps between the last {t.requests} requests lies within "
            f"{t.dispersion:.0%} of their centre (a script's beat varies little)"
        )


class NoRestSignal(Signal):
    """Recent requests spread over most of a day with no silence of ``rest`` hours: 1 when
    the ring spans ``day`` hours and its longest gap is at most ``busy`` hours."""

    name = "no_rest"

    def __init__(self, day: float = 20.0, busy: float = 2.0, rest: float = 6.0) -> None:
        self.day = day * _HOUR
        self.busy = busy * _HOUR
        self.rest = rest * _HOUR

    def measure(self, ctx: SignalContext) -> float:
        t = timing_of(ctx)
        if t.span < self.day / 2:
            return 0.0
        restless = (self.rest - t.longest) / (self.rest - self.busy)
        return max(0.0, min(1.0, restless)) * min(1.0, t.span / self.day)

    def explain(self, ctx: SignalContext, value: float) -> str:
        t = timing_of(ctx)
        if t.span < self.day / 2:
            return f"the last requests span {t.span / _HOUR:.1f} hours: too short to judge"
        return (
            f"the last requests span {t.span / _HOUR:.0f} hours, the longest pause "
            f"{t.longest / _HOUR:.1f} hours"
        )
