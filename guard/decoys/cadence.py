"""How fast genuine answers arrive on a route, so decoys arrive as fast.

A decoy that answered instantly would give itself away. Per route, a bounded sample of
recent genuine responses is kept: time to the first byte and time per output character for
JSON answers, time to the first event and the gaps between events for streams. A decoy
draws its delays from that sample (a bootstrap: the same distribution, tails included).
"""

from __future__ import annotations

import itertools
import random
from collections import deque

__all__ = ["Cadence"]

_DEFAULT_FIRST = 0.35
_DEFAULT_PER_CHAR = 0.004
_DEFAULT_GAP = 0.02


class Cadence:
    """Latency samples of one route (bounded: ``size`` samples of each kind)."""

    def __init__(self, size: int = 512) -> None:
        self._json: deque[tuple[float, int]] = deque(maxlen=size)  # (seconds, characters)
        self._fit: tuple[float, float, list[float]] | None = None
        self._first: deque[float] = deque(maxlen=size)  # streams: first event
        self._gaps: deque[float] = deque(maxlen=size * 8)

    def observe_json(self, total: float, chars: int) -> None:
        """A genuine JSON answer of ``chars`` characters, complete ``total`` seconds after
        the request was sent."""
        if total >= 0:
            self._json.append((total, chars))
            self._fit = None

    def observe_stream(self, arrivals: list[float]) -> None:
        """A genuine stream whose events (or chunks) arrived at these times (seconds
        since the request was sent)."""
        if not arrivals:
            return
        self._first.append(max(0.0, arrivals[0]))
        for before, after in itertools.pairwise(arrivals):
            self._gaps.append(max(0.0, after - before))

    def json_delay(self, rng: random.Random, chars: int) -> float:
        """Seconds before a decoy JSON answer of ``chars`` characters is sent: the latency
        genuine answers of that length had (a line fitted to latency against length, plus
        one of its residuals drawn at random)."""
        if not self._json:
            return _DEFAULT_FIRST + _DEFAULT_PER_CHAR * chars * rng.uniform(0.5, 1.5)
        if len(self._json) < 8:  # too few to fit a line, more telling than any default
            seconds, seen = rng.choice(self._json)
            return seconds * (chars + 200) / (seen + 200)
        if self._fit is None:
            self._fit = _line(list(self._json))
        base, per_char, residuals = self._fit
        return max(0.01, base + per_char * chars + rng.choice(residuals))

    def stream_delays(self, rng: random.Random, events: int) -> list[float]:
        """Seconds to wait before each of ``events`` decoy events."""
        if events <= 0:
            return []
        first = rng.choice(self._first) if self._first else _DEFAULT_FIRST
        if self._gaps:
            gaps = [rng.choice(self._gaps) for _ in range(events - 1)]
        else:
            gaps = [_DEFAULT_GAP * rng.uniform(0.5, 1.5) for _ in range(events - 1)]
        return [first, *gaps]


def _line(points: list[tuple[float, int]]) -> tuple[float, float, list[float]]:
    """Least squares ``seconds = base + per_char * chars``, and the residuals."""
    n = len(points)
    mean_x = sum(c for _, c in points) / n
    mean_y = sum(t for t, _ in points) / n
    var = sum((c - mean_x) ** 2 for _, c in points)
    cov = sum((c - mean_x) * (t - mean_y) for t, c in points)
    per_char = max(0.0, cov / var) if var else 0.0
    base = mean_y - per_char * mean_x
    return base, per_char, [t - base - per_char * c for t, c in points]
