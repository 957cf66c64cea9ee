"""Timing: when a key sends, read off the timestamps in its ring of recent requests.

People come in sessions: a few requests minutes apart, then hours of silence, and a night's
sleep every day. Scripts keep a beat (a fixed interval with a little jitter, several workers
firing together on each beat), fire on a timer, and run round the clock. Three signals:

- ``cadence``: how regular the gaps between the key's recent requests are (requests less than
  a couple of seconds apart count as one beat, so a pool of workers firing together keeps its
  beat). Regularity is the decile coefficient of dispersion of the gaps, (P90 - P10) /
  (P90 + P10): about 0.2 for a beat with 25% jitter, 0.9 for a memoryless stream (many
  independent users behind one key), close to 1 for a person, whose sessions of a few
  requests a minute or two apart are hours apart (within a session a person's gaps can be
  as even as a script's: the deciles reach the breaks between sessions). It ignores the odd
  long pause of a script (a restart, a quota reset), which would blow a variance up.
- ``timer``: the gaps are whole multiples of one period: a scheduler that fires every N
  minutes and skips ticks at random (to stay under a per-key limit, or to share the ticks
  among many keys) is irregular by the deciles but betrays its clock. Random gaps land near
  a multiple of the period about a fifth of the time.
- ``no_rest``: the key's recent requests span most of a day without a rest: no silence of a
  few hours, as a person sleeping would leave. Only judged once the ring spans half a day;
  a busy key's ring spans less (``round_the_clock`` judges those).
- ``round_the_clock``: the scoring window's buckets (four hours each in a day window) hold
  about equal numbers of requests, as a script's do, whatever its beat. A person, and a
  product serving people, follow the clock: busy by day, quiet at night.

A beat, a timer and a flat load say a script is sending, not that it is harvesting: a batch
job classifying reviews on a timer is a script too. Each is therefore weighed by the key's
``variety`` (how many different subjects its recent requests are about): full for a sweep, 0
for a job that works through one task.

The first three read the sorted gaps of the ring stats
(:class:`~guard.signals.behaviour.RingStats`), computed once per request; ``round_the_clock``
reads the window's per-bucket request counts, so it sees a whole day of a busy key.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from guard.signals.base import Signal, SignalContext
from guard.signals.behaviour import ring_stats

__all__ = [
    "CadenceSignal",
    "NoRestSignal",
    "RoundTheClockSignal",
    "TimerSignal",
    "beats_of",
    "variety",
]

_BEAT = 2.0  # seconds: requests this close belong to one beat (parallel workers)
_MIN_BEATS = 6  # gaps between beats needed before a rhythm means anything
_PRIOR = 16.0  # evidence n / (n + 16) over the ring's requests: a person's few gaps can
# look regular by chance
_HOUR = 3600.0
_SAME = 0.35  # distinct subjects per recent request at or below which a key asks about one thing
_VARIED = 0.65  # and from which it sweeps


def _gaps(ctx: SignalContext) -> Sequence[float]:
    return ring_stats(ctx).gaps


def variety(ctx: SignalContext) -> float:
    """How varied the key's recent requests are: 0 when at most ``_SAME`` of them are about
    subjects of their own (a job working through one task), 1 from ``_VARIED`` (a sweep)."""
    share = ring_stats(ctx).distinct_cells
    return max(0.0, min(1.0, (share - _SAME) / (_VARIED - _SAME)))


def beats_of(gaps: Sequence[float]) -> Sequence[float]:
    """The sorted gaps between beats: ``gaps`` (sorted) without those within one beat."""
    return gaps[bisect.bisect_left(gaps, _BEAT) :]


def _evidence(gaps: Sequence[float]) -> float:
    requests = len(gaps) + 1
    return requests / (requests + _PRIOR)


def dispersion(beats: Sequence[float]) -> float:
    """Decile coefficient of dispersion of sorted ``beats``: (P90 - P10) / (P90 + P10)."""
    n = len(beats)
    low, high = beats[n // 10], beats[(9 * n) // 10]
    return (high - low) / (high + low) if high + low > 0 else 0.0


def on_timer(beats: Sequence[float], tolerance: float = 0.1) -> float:
    """Share of sorted ``beats`` within ``tolerance`` periods of a whole number of periods,
    the period being the shortest usual gap (the 10th percentile)."""
    period = beats[len(beats) // 10]
    if period <= 0:
        return 0.0
    hits = 0
    for gap in beats:
        ratio = gap / period
        if abs(ratio - round(ratio)) <= tolerance:
            hits += 1
    return hits / len(beats)


class _RhythmSignal(Signal):
    """A signal read off the gaps between beats: ``level(beats)`` in [0, 1], scaled by the
    evidence; 0 until there are ``_MIN_BEATS`` of them."""

    def measure(self, ctx: SignalContext) -> float:
        gaps = _gaps(ctx)
        beats = beats_of(gaps)
        if len(beats) < _MIN_BEATS:
            return 0.0
        return max(0.0, min(1.0, self.level(beats))) * _evidence(gaps) * variety(ctx)

    def explain(self, ctx: SignalContext, value: float) -> str:
        gaps = _gaps(ctx)
        beats = beats_of(gaps)
        if len(beats) < _MIN_BEATS:
            return "too few requests to judge their rhythm"
        return self.describe(beats, len(gaps) + 1)

    def level(self, beats: Sequence[float]) -> float:
        raise NotImplementedError

    def describe(self, beats: Sequence[float], requests: int) -> str:
        raise NotImplementedError


class CadenceSignal(_RhythmSignal):
    """Regular gaps between recent requests: 1 at a dispersion of ``regular`` or less, 0 at
    ``random`` or more (a Poisson stream has 0.9)."""

    name = "cadence"

    def __init__(self, regular: float = 0.25, random: float = 0.65) -> None:
        self.regular = regular
        self.random = random

    def level(self, beats: Sequence[float]) -> float:
        return (self.random - dispersion(beats)) / (self.random - self.regular)

    def describe(self, beats: Sequence[float], requests: int) -> str:
        return (
            f"80% of the gaps between the last {requests} requests lie within "
            f"{dispersion(beats):.0%} of their centre (a script's beat varies little)"
        )


class TimerSignal(_RhythmSignal):
    """Gaps that are whole multiples of one period: 0 when ``chance`` of them are (what random
    gaps reach), 1 when ``timed`` of them are."""

    name = "timer"

    def __init__(self, chance: float = 0.45, timed: float = 0.85) -> None:
        self.chance = chance
        self.timed = timed

    def level(self, beats: Sequence[float]) -> float:
        return (on_timer(beats) - self.chance) / (self.timed - self.chance)

    def describe(self, beats: Sequence[float], requests: int) -> str:
        period = beats[len(beats) // 10]
        return (
            f"{on_timer(beats):.0%} of the gaps between the last {requests} requests are "
            f"whole multiples of {period / 60:.0f} minutes (a timer that skips ticks)"
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
        gaps = _gaps(ctx)
        if not gaps or gaps[-1] >= self.rest:
            return 0.0
        span = math.fsum(gaps)
        if span < self.day / 2:
            return 0.0
        restless = (self.rest - gaps[-1]) / (self.rest - self.busy)
        return min(1.0, restless) * min(1.0, span / self.day) * variety(ctx)

    def explain(self, ctx: SignalContext, value: float) -> str:
        gaps = _gaps(ctx)
        span = math.fsum(gaps)
        if span < self.day / 2:
            return f"the last requests span {span / _HOUR:.1f} hours: too short to judge"
        return (
            f"the last requests span {span / _HOUR:.0f} hours, the longest pause "
            f"{gaps[-1] / _HOUR:.1f} hours"
        )


def evenness(buckets: Sequence[int]) -> float:
    """Index of dispersion (variance / mean) of ``buckets``' request counts: about 1 when
    requests arrive at a constant rate (Poisson noise alone), below 1 for a steady beat, and
    far above 1 when the rate follows a day's rhythm or comes in bursts."""
    n = len(buckets)
    total = sum(buckets)
    if n < 2 or total <= 0:
        return math.inf
    mean = total / n
    return sum((b - mean) ** 2 for b in buckets) / (n - 1) / mean


class RoundTheClockSignal(Signal):
    """Requests spread evenly over the scoring window's buckets: 1 when their index of
    dispersion is at most ``even``, 0 at ``uneven`` or more, weighed by the evidence
    ``m / (m + prior)`` for ``m`` requests per bucket (at a few requests per bucket, chance
    evens out even a person's day). 0 until the buckets hold ``min_per_bucket`` requests
    each on average. A key younger than the window has empty oldest buckets: up to
    ``young`` of the buckets may be dropped from the front for it, no more, so a day is
    still judged whole (a person's night empties more of it, and not only at the front)."""

    name = "round_the_clock"

    def __init__(
        self,
        even: float = 1.2,
        uneven: float = 2.5,
        min_per_bucket: float = 3.0,
        prior: float = 6.0,
        young: float = 0.2,
    ) -> None:
        self.even = even
        self.uneven = uneven
        self.min_per_bucket = min_per_bucket
        self.prior = prior
        self.young = young

    def _judged(self, ctx: SignalContext) -> Sequence[int]:
        """The buckets to judge, or none when there is too little to judge."""
        buckets = ctx.state.window(ctx.window).buckets
        start = 0
        while start < int(len(buckets) * self.young) and buckets[start] == 0:
            start += 1
        judged = buckets[start:]
        if len(judged) < 3 or sum(judged) < self.min_per_bucket * len(judged):
            return ()
        return judged

    def measure(self, ctx: SignalContext) -> float:
        buckets = self._judged(ctx)
        if not buckets:
            return 0.0
        per_bucket = sum(buckets) / len(buckets)
        level = (self.uneven - evenness(buckets)) / (self.uneven - self.even)
        evidence = per_bucket / (per_bucket + self.prior)
        return max(0.0, min(1.0, level)) * evidence * variety(ctx)

    def explain(self, ctx: SignalContext, value: float) -> str:
        buckets = self._judged(ctx)
        if not buckets:
            return f"too few requests over the last {ctx.window} to judge its shape"
        return (
            f"requests in each of the last {len(buckets)} parts of the last {ctx.window}: "
            f"{', '.join(map(str, buckets))} (a constant rate round the clock, not a "
            "person's day)"
        )
