"""Per-key accumulators of a replay, small and bounded whatever the key's volume.

A replay may see hundreds of thousands of keys, so each :class:`KeyTally` holds counters and
references only; its :class:`Series` keeps at most ``capacity`` points however many requests
the key sends.
"""

from __future__ import annotations

from array import array
from typing import Any

from guard.models import Action, Decision, Score
from guard.pipeline import Inspection
from guard.scoring import PERSISTENT

__all__ = ["Counts", "KeyTally", "Series"]


class Series:
    """A bounded, evenly thinned time series of (time, coverage, score).

    A point is taken every ``stride`` requests; when ``capacity`` points are held, every other
    one is dropped and the stride doubles. The points thus stay spread over the key's whole
    history (by request count) in fixed memory, and the same requests always yield the same
    points. Times are stored relative to ``origin`` so that single precision is enough.
    """

    __slots__ = ("_count", "_last", "_points", "_stride", "capacity", "origin")

    def __init__(self, capacity: int, origin: float) -> None:
        self.capacity = max(2, capacity)
        self.origin = origin
        self._points = array("f")
        self._stride = 1
        self._count = 0
        self._last: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def add(self, ts: float, cells: int, score: float) -> None:
        count = self._count
        self._count = count + 1
        self._last = (ts, cells, score)
        if count % self._stride:
            return
        points = self._points
        points.extend((ts - self.origin, cells, score))
        if len(points) >= 3 * self.capacity:
            self._points = array("f", _every_other_triple(points))
            self._stride *= 2

    def points(self) -> list[tuple[float, int, float]]:
        """The points, oldest first, always ending with the latest request."""
        raw = self._points
        origin = self.origin
        result = [
            (raw[i] + origin, int(raw[i + 1]), float(raw[i + 2])) for i in range(0, len(raw), 3)
        ]
        if self._count and (self._count - 1) % self._stride:
            ts, cells, score = self._last
            result.append((ts, int(cells), score))
        return result


def _every_other_triple(points: array[float]) -> list[float]:
    kept: list[float] = []
    for i in range(0, len(points), 6):
        kept.extend(points[i : i + 3])
    return kept


class Counts:
    """Requests and the actions they got (decided and enforced), e.g. for one label."""

    __slots__ = ("actions", "enforced", "requests")

    def __init__(self) -> None:
        self.requests = 0
        self.actions: dict[str, int] = {}
        self.enforced: dict[str, int] = {}

    def add(self, decision: Decision) -> None:
        self.requests += 1
        action = decision.action.value
        self.actions[action] = self.actions.get(action, 0) + 1
        enforced = decision.enforced.value
        self.enforced[enforced] = self.enforced.get(enforced, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "actions": dict(sorted(self.actions.items())),
            "enforced": dict(sorted(self.enforced.items())),
        }


class KeyTally:
    """What a replay learns about one key of the traffic file."""

    __slots__ = (
        "actions",
        "actor",
        "campaign",
        "cls",
        "enforced",
        "errors",
        "first_flagged",
        "first_label",
        "first_ts",
        "held",
        "key_id",
        "label",
        "last_ts",
        "line_labels",
        "peak",
        "peak_coverage",
        "requests",
        "rules",
        "score",
        "series",
        "tier",
    )

    def __init__(
        self,
        key_id: str,
        *,
        label: str | None,
        actor: str | None,
        cls: str | None,
        series: Series | None,
    ) -> None:
        self.key_id = key_id
        self.label = label
        self.first_label = label
        self.line_labels: dict[str | None, int] | None = None  # only once labels differ
        self.actor = actor
        self.cls = cls
        self.series = series
        self.requests = 0
        self.errors = 0
        self.held = 0  # requests whose score was held up by persistence (guard.scoring)
        self.score = 0.0
        self.peak: Score | None = None  # the highest-scoring request's score (the latest on ties)
        self.first_flagged: int | None = None
        self.actions: dict[str, int] = {}
        self.enforced: dict[str, int] = {}
        self.rules: dict[str, int] = {}
        self.campaign: str | None = None
        self.tier = "default"
        self.peak_coverage = 0
        self.first_ts: float | None = None
        self.last_ts: float | None = None

    def add(
        self, inspection: Inspection, now: float, coverage_window: str, series_window: str
    ) -> None:
        """Count one inspected request."""
        requests = self.requests + 1
        self.requests = requests
        decision = inspection.decision
        action = decision.action
        actions = self.actions
        actions[action.value] = actions.get(action.value, 0) + 1
        enforced = decision.enforced.value
        self.enforced[enforced] = self.enforced.get(enforced, 0) + 1
        if decision.rule:
            self.rules[decision.rule] = self.rules.get(decision.rule, 0) + 1
        if self.first_flagged is None and action is not Action.ALLOW:
            self.first_flagged = requests
        score = inspection.score
        self.score = score.value
        if score.held:
            self.held += 1
        peak = self.peak
        if peak is None or score.value >= peak.value:
            self.peak = score
        self.campaign = inspection.campaign
        self.tier = inspection.tier
        windows = inspection.state.windows
        counts = windows.get(coverage_window)
        if counts is not None and counts.distinct_cells > self.peak_coverage:
            self.peak_coverage = counts.distinct_cells
        if self.first_ts is None:
            self.first_ts = now
        self.last_ts = now
        series = self.series
        if series is not None:
            counts = windows.get(series_window)
            series.add(now, counts.distinct_cells if counts is not None else 0, score.value)

    def count_label(self, label: str | None) -> None:
        """Count a line's label: a key whose lines carry different labels (a hydra: real
        customer traffic with a sweep mixed in) is a harvester if any of its lines is."""
        counts = self.line_labels
        if counts is None:
            if label == self.first_label:
                return
            seen = self.requests + self.errors
            counts = self.line_labels = {self.first_label: seen} if seen else {}
        counts[label] = counts.get(label, 0) + 1
        if label == "harvester":
            self.label = label

    @property
    def reasons(self) -> list[str]:
        """The reasons of the key's highest-scoring request (why it looked most suspicious),
        and ``persistent`` last if persistence held its score on any request: a held score
        is rarely the peak, yet it may be why most of the key's requests were acted on."""
        reasons = list(self.peak.reasons) if self.peak is not None else []
        if self.held and PERSISTENT not in reasons:
            reasons.append(PERSISTENT)
        return reasons

    @property
    def explanations(self) -> list[str]:
        """The sentences behind :attr:`reasons`, strongest first."""
        if self.peak is None:
            return []
        return [f"{s.name}: {s.reason}" for s in self.peak.signals if s.value >= 0.5]
