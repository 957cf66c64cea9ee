"""What only the in-memory store promises: its bound, and its per-key caps."""

from __future__ import annotations

import pytest

from guard.store import Observation, RateLimit, SketchSpec, Window, open_store
from guard.store.memory import MAX_LIMITS, MAX_META, MemoryStore

SPEC = SketchSpec((Window("hour", 3600, 4), Window("day", 86400, 6)), precision=7)
T0 = 1_764_201_600.0


def obs(now: float, cell: int = 1, *limits: RateLimit) -> Observation:
    return Observation(now=now, cell=cell, rate_limits=limits)


def test_open_store_builds_a_bounded_memory_store() -> None:
    store = open_store("memory://?max_keys=5")
    assert isinstance(store, MemoryStore)
    assert store.max_keys == 5
    default = open_store("memory://")
    assert isinstance(default, MemoryStore)
    assert default.max_keys == 100_000


def test_max_keys_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_keys"):
        MemoryStore(max_keys=0)


async def test_least_recently_active_key_is_evicted_at_max_keys() -> None:
    store = MemoryStore(max_keys=3)
    for i, key in enumerate("abc"):
        await store.observe(key, obs(T0 + i), SPEC)
    await store.state("a", T0 + 3, SPEC)  # reads do not refresh...
    await store.observe("d", obs(T0 + 4), SPEC)
    assert len(store) == 3
    assert await store.state("a", T0 + 5, SPEC) is None
    await store.record("b", T0 + 6, SPEC, meta={"x": 1})  # ...writes do
    await store.observe("e", obs(T0 + 7), SPEC)
    assert await store.state("c", T0 + 8, SPEC) is None
    assert await store.meta("b") == {"x": 1}
    assert await store.keys() == ["e", "b", "d"]


async def test_rate_checks_refresh_recency() -> None:
    store = MemoryStore(max_keys=2)
    limit = RateLimit("r", limit=1, period=1000)
    await store.observe("a", obs(T0), SPEC)
    await store.observe("b", obs(T0 + 1), SPEC)
    await store.rate("a", limit, T0 + 2)
    await store.observe("c", obs(T0 + 3), SPEC)
    assert await store.keys() == ["c", "a"]


async def test_meta_keeps_the_newest_entries_up_to_its_cap() -> None:
    store = MemoryStore()
    for i in range(MAX_META + 10):
        await store.record("k", T0, SPEC, meta={f"m{i}": i})
    await store.record("k", T0, SPEC, meta={"m0": "again"})
    meta = await store.meta("k")
    assert meta is not None
    assert len(meta) == MAX_META
    assert meta["m0"] == "again"
    assert f"m{MAX_META + 9}" in meta
    assert "m10" not in meta


async def test_rate_limit_names_per_key_are_capped() -> None:
    store = MemoryStore()
    for i in range(MAX_LIMITS * 3):
        limit = RateLimit(f"l{i}", limit=1, period=10_000)
        assert (await store.rate("k", limit, T0 + i)).allowed
    newest = RateLimit(f"l{MAX_LIMITS * 3 - 1}", limit=1, period=10_000)
    assert not (await store.rate("k", newest, T0 + 100)).allowed  # still remembered
    first = RateLimit("l0", limit=1, period=10_000)
    assert (await store.rate("k", first, T0 + 100)).allowed  # forgotten


async def test_a_recovering_rate_limit_keeps_a_silent_key() -> None:
    store = MemoryStore()
    monthly = RateLimit("month", limit=1, period=30 * 86400)
    await store.observe("k", obs(T0, 1, monthly), SPEC)
    later = T0 + SPEC.horizon + 1
    state = await store.observe("k", obs(later, 1, monthly), SPEC)
    assert state.rates["month"].allowed is False
    assert state.window("day").requests == 1  # the sketch itself has slid empty


async def test_a_rate_only_key_expires_when_its_limits_have_recovered() -> None:
    store = MemoryStore()
    limit = RateLimit("r", limit=1, period=60)
    await store.rate("k", limit, T0)
    assert await store.keys() == ["k"]
    assert await store.state("k", T0 + 30, SPEC) is not None
    await store.rate("other", limit, T0 + 61)  # moves the store's clock on
    assert await store.keys() == ["other"]
    assert await store.state("k", T0 + 61, SPEC) is None
    assert len(store) == 1  # dropped when read


async def test_invalid_limits_fail_before_changing_anything() -> None:
    store = MemoryStore(max_keys=1)
    await store.observe("a", obs(T0), SPEC)
    bad = RateLimit("bad", limit=0, period=60)
    with pytest.raises(ValueError, match="'bad'"):
        await store.observe("b", obs(T0, 1, bad), SPEC)
    with pytest.raises(ValueError, match="'bad'"):
        await store.rate("b", bad, T0)
    with pytest.raises(ValueError, match="precision"):
        await store.observe("b", obs(T0), SketchSpec(SPEC.windows, precision=20))
    assert await store.keys() == ["a"]


async def test_a_new_spec_restarts_the_sketch_but_keeps_limits_and_meta() -> None:
    store = MemoryStore()
    limit = RateLimit("r", limit=1, period=60)
    await store.observe("k", obs(T0, 1, limit), SPEC)
    await store.record("k", T0, SPEC, meta={"score": 0.2})
    other = SketchSpec((Window("minute", 60, 6),), precision=5)
    assert await store.state("k", T0, other) is not None
    state = await store.observe("k", obs(T0 + 1, 2, limit), other)
    assert state.window("minute").requests == 1
    assert state.rates["r"].allowed is False
    assert await store.meta("k") == {"score": 0.2}
    assert await store.union_coverage(["k"], "hour", T0 + 1, SPEC) == 0


async def test_unknown_window_in_union() -> None:
    store = MemoryStore()
    with pytest.raises(ValueError, match="Unknown window 'week'"):
        await store.union_coverage(["k"], "week", T0, SPEC)


async def test_close_forgets_everything() -> None:
    store = MemoryStore()
    await store.observe("k", obs(T0), SPEC)
    await store.close()
    assert len(store) == 0
