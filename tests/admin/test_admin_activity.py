"""Activity: the bounded memory of recent decisions behind the dashboard and /keys/{id}."""

from __future__ import annotations

import itertools
import random
import tracemalloc
from typing import Any

from admin_traffic import POLICY

from guard.admin import Activity
from guard.admin.activity import Series
from guard.models import Usage
from guard.pipeline import Pipeline
from guard.simulate.bank import random_question


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def pipeline_with(
    activity_options: dict[str, Any] | None = None,
) -> tuple[Pipeline, Activity, Clock]:
    clock = Clock()
    pipeline = Pipeline(POLICY, secret="activity", clock=clock)
    activity = Activity(lambda: pipeline.policy, clock=clock, **(activity_options or {}))
    pipeline.listeners.append(activity)
    return pipeline, activity, clock


async def request(pipeline: Pipeline, key: str, text: str) -> Any:
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", f"Bearer {key}".encode())], "192.0.2.1")
    payload = {"model": "m", "messages": [{"role": "user", "content": text}]}
    inspection = await pipeline.evaluate(adapter, identity, payload)
    await pipeline.account(inspection, Usage(10, 20))
    return inspection


async def test_first_flagged_and_counts() -> None:
    pipeline, activity, clock = pipeline_with()
    rng = random.Random(5)
    first_block = None
    for i in range(1, 31):
        inspection = await request(pipeline, "sk-a", random_question(rng))
        if first_block is None and inspection.decision.action.value != "allow":
            first_block = i
        clock.now += 1
    kid = inspection.identity.key_id
    entry = activity.peek(kid)
    assert entry is not None
    assert entry.requests == 30 and sum(entry.actions.values()) == 30
    assert entry.first_flagged == first_block is not None
    recent = activity.recent(kid)
    assert len(recent) == 20
    assert recent[0].ts == clock.now - 1 and recent[-1].ts == clock.now - 20


async def test_keys_are_bounded_least_recent_first_out() -> None:
    pipeline, activity, _ = pipeline_with({"max_keys": 3})
    ids = [(await request(pipeline, f"sk-{i}", "hello there")).identity.key_id for i in range(5)]
    assert [k for k, _ in activity.items()] == ids[2:]
    assert activity.peek(ids[0]) is None and activity.recent(ids[0]) == []


async def test_timeline_buckets_zero_filled_and_bounded() -> None:
    pipeline, activity, clock = pipeline_with({"bucket": 10.0, "buckets": 4})
    clock.now = 1000.0
    await request(pipeline, "sk-a", "one")
    await request(pipeline, "sk-a", "two")
    clock.now = 1025.0  # two buckets later
    await request(pipeline, "sk-a", "three")
    timeline = activity.timeline(1025.0)
    assert timeline["start"] == 1000.0 and timeline["count"] == 3
    assert timeline["actions"] == {"allow": [2, 0, 1]}
    clock.now = 1100.0
    await request(pipeline, "sk-a", "four")
    timeline = activity.timeline(1100.0)
    # Only the last 4 buckets are kept: the old ones fall off.
    assert timeline["start"] == 1070.0 and timeline["actions"] == {"allow": [0, 0, 0, 1]}


def test_series_thins_itself_and_keeps_the_whole_span() -> None:
    series = Series(points=8, spacing=1.0)
    for t in range(1000):
        series.add(float(t), t)
    points = series.points_list()
    assert len(points) <= 8
    assert points[0] == [0.0, 0]  # the first sample survives every halving
    assert points[-1] == [999.0, 999]  # the newest is always there
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(points)]
    assert min(gaps[:-1]) >= series.spacing / 2


def test_series_latest_value_floats_within_spacing() -> None:
    series = Series(points=8, spacing=10.0)
    series.add(0.0, 1)
    series.add(1.0, 2)
    series.add(2.0, 3)
    series.add(11.0, 4)
    assert series.points_list() == [[0.0, 1], [2.0, 3], [11.0, 4]]


async def test_memory_per_key_is_bounded() -> None:
    pipeline, activity, clock = pipeline_with()
    inspections = [await request(pipeline, f"sk-{i}", f"question {i}") for i in range(4)]
    activity.keys.clear()
    keys = 1000
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i in range(keys):
        key_id = f"k_{i:032x}"
        for n in range(24):  # more than the 20 decisions kept per key
            clock.now += 1
            activity.on_decision(_as_key(inspections[n % 4], key_id, clock.now))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert len(activity.keys) == keys
    per_key = grown / keys
    assert per_key < 3000, per_key  # bytes, its 20 decisions and coverage series included


def _as_key(inspection: Any, key_id: str, now: float) -> Any:
    import dataclasses

    identity = dataclasses.replace(inspection.identity, key_id=key_id)
    return dataclasses.replace(inspection, identity=identity, started=now)
