"""Replaying traffic through the real pipeline on a simulated clock.

Each line goes through exactly what a live request goes through (route, identify, evaluate,
account) in one :class:`guard.pipeline.Pipeline` whose clock reads the line's ``ts``, so a
replayed decision is the one the same policy would have taken live. Only the upstream is
missing: its usage is estimated (:mod:`guard.replay.estimate`).

The loop is the hot path (evaluations replay ~100k requests): each line is parsed once and its
body handed to the pipeline as an object, and per-key bookkeeping is a few counter updates.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guard.errors import RequestError, StoreError
from guard.pipeline import Pipeline
from guard.policy import Policy, load_policy
from guard.policy.loader import PolicySource, bundled_policy
from guard.replay.estimate import ESTIMATE, estimate_usage
from guard.replay.progress import Progress
from guard.replay.report import (
    UNLABELLED,
    class_of,
    key_entry,
    label_of,
    pick_timeline,
    summarise,
)
from guard.replay.tally import Counts, KeyTally, Series
from guard.replay.traffic import KeyHeaders, TrafficReader, TrafficSource, request_headers
from guard.store import Store

__all__ = ["REPLAY_SECRET", "REPORT_VERSION", "Replayer", "replay"]

REPLAY_SECRET = "guard-replay"
"""The secret used when none is given: key ids and semantic cells depend on the secret, and a
replay must give the same report every time it is run."""

REPORT_VERSION = 1
_MAX_INVALID_SHOWN = 10
_PROGRESS_EVERY = 512  # lines between progress refreshes (a clock read costs more than a line)


async def replay(
    traffic: TrafficSource,
    *,
    policy: PolicySource = None,
    secret: str | bytes | None = None,
    store: str | Store = "memory://?max_keys=2000000",
    progress: bool | Progress = False,
    limit: int | None = None,
    timeline_points: int = 32,
    timeline_keys: int = 10,
) -> dict[str, Any]:
    """Replay ``traffic`` (a JSONL path, or decoded lines) and return the report.

    ``secret`` defaults to the policy's, then ``GUARD_SECRET``, then :data:`REPLAY_SECRET`.
    A ``store`` given as an object is left open; one given as a URL is closed at the end.
    ``progress`` draws a progress bar on stderr. ``limit`` stops after that many lines.
    ``timeline_points`` bounds the coverage-over-time points kept per key (0: none).
    """
    replayer = Replayer(
        policy,
        secret=secret,
        store=store,
        timeline_points=timeline_points,
        timeline_keys=timeline_keys,
    )
    try:
        return await replayer.run(traffic, progress=progress, limit=limit)
    finally:
        if isinstance(store, str):
            await replayer.pipeline.aclose()


class Replayer:
    """One replay: a pipeline on a simulated clock and the tallies of every key it saw."""

    def __init__(
        self,
        policy: PolicySource = None,
        *,
        secret: str | bytes | None = None,
        store: str | Store = "memory://?max_keys=2000000",
        timeline_points: int = 32,
        timeline_keys: int = 10,
    ) -> None:
        self.policy_info = _policy_info(policy)
        loaded = load_policy(policy)
        if secret is None:
            secret = loaded.identity.secret or os.environ.get("GUARD_SECRET") or REPLAY_SECRET
        self.now = 0.0
        self.pipeline = Pipeline(loaded, store=store, clock=self._clock, secret=secret)
        windows = loaded.windows
        self.coverage_window = max(windows, key=lambda name: windows[name].seconds)
        scoring_window = loaded.scoring.window
        # The timeline plots the day window (what a person reads as "coverage per day"),
        # else the window the scorer reads, else the longest one.
        if "day" in windows:
            self.series_window = "day"
        elif scoring_window in windows:
            self.series_window = scoring_window
        else:
            self.series_window = self.coverage_window
        self.timeline_points = timeline_points
        self.timeline_keys = timeline_keys
        self.keys: dict[str, KeyTally] = {}
        self.by_label: dict[str | None, Counts] = {}  # by each line's own label
        self.lines = 0
        self.skipped = 0
        self.invalid = 0
        self.invalid_lines: list[int] = []
        self.out_of_order = 0
        self.errors: dict[str, int] = {}
        self.start: float | None = None
        self._key_headers = KeyHeaders(loaded.identity.key_headers)

    def _clock(self) -> float:
        return self.now

    @property
    def policy(self) -> Policy:
        return self.pipeline.policy

    async def run(
        self,
        traffic: TrafficSource,
        *,
        progress: bool | Progress = False,
        limit: int | None = None,
    ) -> dict[str, Any]:
        reader = TrafficReader(traffic)
        bar = Progress(reader.total) if progress is True else progress or None
        started = time.perf_counter()
        complete = False
        try:
            await self._loop(reader, bar, limit)
            complete = True
        finally:
            if bar is not None:
                bar.close(self.lines, reader.position, complete=complete)
        duration = time.perf_counter() - started
        return await self._report(duration)

    async def _loop(self, reader: TrafficReader, bar: Progress | None, limit: int | None) -> None:
        pipeline = self.pipeline
        route = pipeline.route
        identify = pipeline.identify
        evaluate = pipeline.evaluate
        account = pipeline.account
        key_header = self._key_headers.header
        key_names = self._key_headers.names
        coverage_window = self.coverage_window
        series_window = self.series_window
        tallies = self.keys
        by_label = self.by_label
        records = iter(reader) if limit is None else itertools.islice(reader, limit)
        for record in records:
            self.lines = lines = self.lines + 1
            if bar is not None and lines % _PROGRESS_EVERY == 0:
                bar.update(lines, reader.position)
            if record is None:
                self._invalid(lines)
                continue
            ts = record.get("ts")
            path = record.get("path")
            key = record.get("key")
            ip = record.get("ip") or ""
            if (
                not isinstance(ts, (int, float))
                or not math.isfinite(ts)
                or not isinstance(path, str)
                or not (key is None or isinstance(key, str))
                or not isinstance(ip, str)
            ):
                self._invalid(lines)
                continue
            method = record.get("method")
            if method is not None and method != "POST" and str(method).upper() != "POST":
                self.skipped += 1
                continue
            adapter = route(path)
            if adapter is None:
                self.skipped += 1
                continue
            if ts < self.now:
                self.out_of_order += 1  # the clock never runs backwards: windows assume it
            else:
                self.now = ts
            if self.start is None:
                self.start = ts
            headers = request_headers(
                record.get("headers"), key_header(key, adapter.api) if key else None, key_names
            )
            identity = identify(headers, ip)
            name = key or identity.key_id
            label = record.get("label")
            if not isinstance(label, str):
                label = None
            tally = tallies.get(name)
            if tally is None:
                tally = tallies[name] = self._new_tally(record, label, identity.key_id)
            else:
                tally.count_label(label)
            try:
                inspection = await evaluate(adapter, identity, record.get("body"))
            except RequestError as exc:
                tally.errors += 1
                kind = type(exc).__name__
                self.errors[kind] = self.errors.get(kind, 0) + 1
                continue
            await account(inspection, estimate_usage(inspection))
            tally.add(inspection, self.now, coverage_window, series_window)
            counts = by_label.get(label)
            if counts is None:
                counts = by_label[label] = Counts()
            counts.add(inspection.decision)

    def _invalid(self, line: int) -> None:
        self.invalid += 1
        if len(self.invalid_lines) < _MAX_INVALID_SHOWN:
            self.invalid_lines.append(line)

    def _new_tally(self, record: Mapping[str, Any], label: str | None, key_id: str) -> KeyTally:
        series = None
        if self.timeline_points > 0:
            series = Series(self.timeline_points, self.start or 0.0)
        return KeyTally(
            key_id,
            label=label,
            actor=_text(record.get("actor")),
            cls=_text(record.get("class")),
            series=series,
        )

    async def _report(self, duration: float) -> dict[str, Any]:
        pipeline = self.pipeline
        spec = pipeline.policy.sketch_spec()
        now = self.now
        seen = self.start is not None
        keys: dict[str, dict[str, Any]] = {}
        for name, tally in self.keys.items():
            coverage: int | None = None
            if seen:
                try:
                    state = await pipeline.store.state(tally.key_id, now, spec)
                except StoreError:
                    coverage = None
                else:
                    coverage = state.window(self.coverage_window).distinct_cells if state else 0
            keys[name] = key_entry(tally, coverage)

        members: dict[str, list[str]] = {}
        for name, entry in keys.items():
            if entry["campaign"] is not None:
                members.setdefault(entry["campaign"], []).append(name)
        campaigns: dict[str, dict[str, Any]] = {}
        for campaign in sorted(members, key=lambda c: (-len(members[c]), c)):
            names = members[campaign]
            try:
                union: int | None = await pipeline.store.union_coverage(
                    [keys[n]["key_id"] for n in names], self.coverage_window, now, spec
                )
            except StoreError:
                union = None
            labels: dict[str, int] = {}
            for n in names:
                label = label_of(keys[n])
                labels[label] = labels.get(label, 0) + 1
            campaigns[campaign] = {
                "keys": len(names),
                "coverage": union,
                "requests": sum(keys[n]["requests"] for n in names),
                "flagged": sum(1 for n in names if keys[n]["first_flagged"] is not None),
                "labels": dict(sorted(labels.items())),
            }

        requests = sum(entry["requests"] for entry in keys.values())
        actions: dict[str, int] = {}
        enforced: dict[str, int] = {}
        for entry in keys.values():
            for name, count in entry["actions"].items():
                actions[name] = actions.get(name, 0) + count
            for name, count in entry["enforced"].items():
                enforced[name] = enforced.get(name, 0) + count

        series = {name: t.series for name, t in self.keys.items() if t.series is not None}
        timeline = {
            name: [
                [round(ts, 3), cells, round(score, 4)] for ts, cells, score in series[name].points()
            ]
            for name in pick_timeline(keys, series, self.timeline_keys)
        }
        return {
            "requests": requests,
            "keys": keys,
            "campaigns": campaigns,
            "version": REPORT_VERSION,
            "traffic": {
                "lines": self.lines,
                "skipped": self.skipped,
                "invalid": self.invalid,
                "invalid_lines": self.invalid_lines,
                "out_of_order": self.out_of_order,
                "start": self.start,
                "end": now if seen else None,
            },
            "errors": sum(self.errors.values()),
            "error_types": dict(sorted(self.errors.items())),
            "policy": {**self.policy_info, "mode": pipeline.policy.mode},
            "windows": {"coverage": self.coverage_window, "timeline": self.series_window},
            "usage_estimate": ESTIMATE,
            "actions": dict(sorted(actions.items())),
            "enforced": dict(sorted(enforced.items())),
            "labels": summarise(keys.values(), label_of),
            "requests_by_label": {
                name or UNLABELLED: self.by_label[name].as_dict()
                for name in sorted(self.by_label, key=lambda n: n or UNLABELLED)
            },
            "classes": summarise(keys.values(), class_of),
            "timeline": timeline,
            "duration": round(duration, 6),
            "throughput": round(requests / duration, 1) if duration > 0 else None,
        }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _policy_info(source: PolicySource) -> dict[str, Any]:
    """Where the policy came from and a hash of it, so a report names what produced it."""
    if source is None:
        source = bundled_policy("default")
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None  # load_policy reports the problem properly
        return {"path": str(path), "sha256": digest}
    if isinstance(source, Policy):
        return {"path": source.source, "sha256": hashlib.sha256(repr(source).encode()).hexdigest()}
    text = json.dumps(source, sort_keys=True, default=str)
    return {"path": "<mapping>", "sha256": hashlib.sha256(text.encode()).hexdigest()}
