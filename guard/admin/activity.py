"""What this process decided recently: the memory behind ``/_guard/keys/{id}`` and the dashboard.

The store knows each key's sketches and last verdict, shared by every instance; it does not
keep a history. :class:`Activity` listens to the pipeline and keeps, in bounded memory:

- per key (the ``max_keys`` most recently seen): its last ``per_key`` decisions, packed into a
  byte ring (22 bytes each), counts of actions, the index of its first flagged request, and its
  coverage over time as a series that halves its resolution whenever it fills up, so it spans
  the key's whole life in ``points`` samples (32);
- per campaign (the ``max_campaigns`` most recent): the union coverage over time, likewise;
- for the whole process: requests by applied action in ``bucket``-second buckets over the last
  ``buckets`` of them (what the dashboard stacks).

Everything here counts what *this* process saw since it started; with several instances each
dashboard shows its own share, while ``/_guard/keys`` reads the shared store.
"""

from __future__ import annotations

import heapq
import struct
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cachetools import Cache, LRUCache

from guard.models import Action, SignalValue, Usage

if TYPE_CHECKING:
    from guard.pipeline import Inspection
    from guard.policy import Policy

__all__ = ["Activity", "KeyActivity", "Record", "Series"]

ACTIONS: tuple[str, ...] = tuple(a.value for a in Action)
_ACTION_INDEX = {name: i for i, name in enumerate(ACTIONS)}
_VALUES = {a: a.value for a in Action}  # Enum.value is a descriptor: slow on the hot path
# ts, score, coverage, action, enforced, rule (index), reasons (index)
_RECORD = struct.Struct("<dfIBBHH")
_MAX_NAMES = 65535


class Series:
    """A time series of at most ``points`` samples that thins itself instead of dropping the past.

    Samples closer than ``spacing`` seconds to the previous one replace it (the latest value
    wins); when the series is full, every other sample goes and the spacing doubles.
    """

    __slots__ = ("_t", "_v", "points", "spacing")

    def __init__(self, points: int = 64, spacing: float = 5.0) -> None:
        self.points = max(4, points)
        self.spacing = spacing
        self._t = array("d")
        self._v = array("q")

    def add(self, t: float, value: int) -> None:
        size = len(self._t)
        # The newest sample floats forward until it is ``spacing`` past the one before it.
        if size >= 2 and t - self._t[-2] < self.spacing:
            self._t[-1] = t
            self._v[-1] = value
            return
        if size >= self.points:
            self._t = self._t[::2]
            self._v = self._v[::2]
            self.spacing *= 2
        self._t.append(t)
        self._v.append(value)

    def points_list(self) -> list[list[float]]:
        """``[[t, value], ...]`` oldest first (JSON-ready)."""
        return [[round(t, 3), v] for t, v in zip(self._t, self._v, strict=True)]

    def __len__(self) -> int:
        return len(self._t)


@dataclass(frozen=True, slots=True)
class Record:
    """One decision as the admin API shows it."""

    ts: float
    action: str
    enforced: str
    rule: str
    score: float
    coverage: int
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "ts": round(self.ts, 3),
            "action": self.action,
            "enforced": self.enforced,
            "rule": self.rule or None,
            "score": round(self.score, 4),
            "coverage": self.coverage,
            "reasons": list(self.reasons),
        }


class _Names:
    """Interns rule names and reason lists as small integers (bounded; 0 is 'unknown')."""

    def __init__(self) -> None:
        self._values: list[Any] = [None]
        self._index: dict[Any, int] = {None: 0}

    def index(self, value: Any) -> int:
        found = self._index.get(value)
        if found is None:
            if len(self._values) >= _MAX_NAMES:
                return 0
            found = self._index[value] = len(self._values)
            self._values.append(value)
        return found

    def value(self, index: int) -> Any:
        return self._values[index]


class KeyActivity:
    """One key as this process has seen it."""

    __slots__ = (
        "_ring",
        "actions",
        "campaign",
        "coverage",
        "enforced",
        "first_flagged",
        "first_seen",
        "last_seen",
        "requests",
        "route",
        "score",
        "series",
        "signals",
        "tier",
    )

    def __init__(self, now: float, points: int) -> None:
        self._ring = bytearray()
        self.requests = 0
        self.actions: Counter[str] = Counter()
        self.enforced: Counter[str] = Counter()
        self.first_flagged: int | None = None
        self.first_seen = now
        self.last_seen = now
        self.score = 0.0
        self.coverage = 0
        self.campaign: str | None = None
        self.tier = ""
        self.route = ""
        self.signals: tuple[SignalValue, ...] = ()
        self.series = Series(points)

    @property
    def reasons(self) -> list[str]:
        return [s.name for s in self.signals if s.value >= 0.5]


class Activity:
    """A pipeline listener remembering recent decisions; see the module docstring."""

    def __init__(
        self,
        policy: Callable[[], Policy] | None = None,
        *,
        max_keys: int = 10_000,
        per_key: int = 20,
        points: int = 32,
        max_campaigns: int = 1000,
        bucket: float = 10.0,
        buckets: int = 360,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._policy = policy
        self.per_key = per_key
        self.points = points
        self.bucket = bucket
        self.clock = clock
        self.keys: LRUCache[str, KeyActivity] = LRUCache(maxsize=max_keys)
        self.campaigns: LRUCache[str, Series] = LRUCache(maxsize=max_campaigns)
        self._timeline: deque[tuple[int, Counter[str]]] = deque(maxlen=buckets)
        self._names = _Names()
        self.started = clock()
        self.requests = 0

    @property
    def window(self) -> str:
        """The window whose distinct cells count as coverage: the policy's scoring window."""
        return self._policy().scoring.window if self._policy is not None else "day"

    # Listener ----------------------------------------------------------------------------------

    def on_decision(self, inspection: Inspection) -> None:
        decision = inspection.decision
        now = inspection.started or self.clock()
        key_id = inspection.identity.key_id
        entry = self.keys.get(key_id)
        if entry is None:
            entry = self.keys[key_id] = KeyActivity(now, self.points)
        action = _VALUES[decision.action]
        enforced = _VALUES[decision.enforced]
        entry.requests += 1
        entry.actions[action] += 1
        entry.enforced[enforced] += 1
        if entry.first_flagged is None and decision.action is not Action.ALLOW:
            entry.first_flagged = entry.requests
        entry.last_seen = now
        entry.score = inspection.score.value
        entry.signals = inspection.score.signals
        entry.tier = inspection.tier
        entry.route = inspection.request.route
        entry.campaign = inspection.campaign
        window = self.window
        counts = inspection.state.windows.get(window)
        if counts is not None:
            entry.coverage = counts.distinct_cells
            entry.series.add(now, counts.distinct_cells)
        campaign = inspection.state.campaign
        if campaign is not None:
            series = self.campaigns.get(campaign.id)
            if series is None:
                series = self.campaigns[campaign.id] = Series(self.points)
            series.add(now, campaign.window(window).distinct_cells)
        self._push(entry, now, decision.rule, inspection.score.reasons, action, enforced)
        self._count(now, enforced)

    def on_response(self, inspection: Inspection, usage: Usage, seconds: float) -> None:
        pass  # tokens are in the store's windows

    def on_store(self, operation: str, seconds: float, failed: bool) -> None:
        pass

    # Reading -----------------------------------------------------------------------------------

    def recent(self, key_id: str) -> list[Record]:
        """The key's last decisions, newest first."""
        entry = self.keys.get(key_id)
        if entry is None:
            return []
        ring = entry._ring
        size = _RECORD.size
        out = []
        for offset in range(len(ring) - size, -1, -size):
            ts, score, coverage, action, enforced, rule, reasons = _RECORD.unpack_from(ring, offset)
            out.append(
                Record(
                    ts,
                    ACTIONS[action],
                    ACTIONS[enforced],
                    self._names.value(rule) or "",
                    score,
                    coverage,
                    self._names.value(reasons) or (),
                )
            )
        return out

    def top_keys(self, n: int = 10) -> list[tuple[str, KeyActivity]]:
        """The ``n`` most suspicious keys (by last score, then coverage)."""
        return heapq.nlargest(n, self.items(), key=lambda item: (item[1].score, item[1].coverage))

    def timeline(self, now: float | None = None) -> dict[str, Any]:
        """Applied actions per bucket, oldest first, zero-filled over the last buckets."""
        now = self.clock() if now is None else now
        last = int(now // self.bucket)
        size = self._timeline.maxlen or 0
        first = last - size + 1
        if self._timeline:
            first = max(first, min(self._timeline[0][0], last))
        counts = dict(self._timeline)
        series: dict[str, list[int]] = {}
        present = {a for _, c in self._timeline for a in c}
        for action in ACTIONS:
            if action in present:
                series[action] = [counts.get(i, Counter())[action] for i in range(first, last + 1)]
        return {
            "bucket": self.bucket,
            "start": first * self.bucket,
            "count": last - first + 1,
            "actions": series,
        }

    def peek(self, key_id: str) -> KeyActivity | None:
        """The key's activity, without touching its recency (``LRUCache.get`` would)."""
        keys = self.keys
        if key_id not in keys:
            return None
        found: KeyActivity = Cache.__getitem__(keys, key_id)
        return found

    def items(self) -> Iterator[tuple[str, KeyActivity]]:
        """Every key seen, least recently active first."""
        keys = self.keys
        for key in list(keys):
            yield key, Cache.__getitem__(keys, key)

    # Writing -----------------------------------------------------------------------------------

    def _push(
        self,
        entry: KeyActivity,
        now: float,
        rule: str,
        reasons: list[str],
        action: str,
        enforced: str,
    ) -> None:
        record = _RECORD.pack(
            now,
            entry.score,
            min(entry.coverage, 0xFFFFFFFF),
            _ACTION_INDEX[action],
            _ACTION_INDEX[enforced],
            self._names.index(rule or None),
            self._names.index(tuple(reasons) or None),
        )
        ring = entry._ring
        ring += record
        excess = len(ring) - self.per_key * _RECORD.size
        if excess > 0:
            del ring[:excess]

    def _count(self, now: float, enforced: str) -> None:
        self.requests += 1
        index = int(now // self.bucket)
        timeline = self._timeline
        if timeline and timeline[-1][0] == index:
            timeline[-1][1][enforced] += 1
            return
        if timeline and timeline[-1][0] > index:  # a late decision: find its bucket
            for i, counts in reversed(timeline):
                if i == index:
                    counts[enforced] += 1
                    return
            return
        timeline.append((index, Counter({enforced: 1})))
