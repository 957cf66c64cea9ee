"""What only the Redis store promises: sharing, failure handling, round trips, TTLs, bounds.

The behaviour every store shares is in test_store_conformance.py, which runs against Redis
too; here a random workload also checks that Redis and memory agree call for call.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar

import pytest
import redis.asyncio
from redis.asyncio import BlockingConnectionPool, Connection, Redis

from guard.errors import StoreError
from guard.models import CampaignState, KeyState, WindowCounts
from guard.store import Observation, RateLimit, SketchSpec, Store, Window, open_store
from guard.store.memory import MAX_META, MemoryStore
from guard.store.redis import RedisStore

HOUR = Window("hour", 3600, 4)
DAY = Window("day", 86400, 6)
SPEC = SketchSpec((HOUR, DAY), precision=12)
T0 = 1_764_201_600.0
LIMIT = RateLimit("minute", limit=6, period=60, burst=3)
NO_HANG = 10.0  # seconds: far beyond any store timeout, only there to fail instead of hanging


@pytest.fixture
async def store(redis_store_url: str) -> AsyncIterator[RedisStore]:
    s = open_store(redis_store_url)
    assert isinstance(s, RedisStore)
    try:
        yield s
    finally:
        await s.close()


async def server_keys(url: str, prefix: str) -> list[str]:
    client = redis.asyncio.Redis.from_url(url)
    try:
        names = [k.decode() async for k in client.scan_iter(match=f"*{prefix}:*", count=1000)]
    finally:
        await client.aclose()
    return sorted(names)


# Building it ----------------------------------------------------------------------------------


async def test_open_store_reads_the_url_options(redis_url: str) -> None:
    store = open_store(f"{redis_url}?prefix=tenant-a&timeout=0.5&max_keys=7&max_connections=3")
    assert isinstance(store, RedisStore)
    assert (store.prefix, store.timeout, store.max_keys) == ("tenant-a", 0.5, 7)
    assert await store.ping()
    await store.close()
    default = open_store(redis_url)
    assert isinstance(default, RedisStore)
    assert (default.prefix, default.timeout, default.max_keys) == ("guard", 0.25, 100_000)
    await default.close()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("prefx=a", "Unknown option 'prefx'"),
        ("timeout=soon", "Invalid Redis store URL"),
        ("timeout=0", "Invalid Redis store URL"),
        ("max_connections=0", "Invalid Redis store URL"),
        ("prefix=a{b}", "Invalid Redis store URL"),
    ],
)
def test_bad_url_options_are_store_errors(query: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(f"redis://127.0.0.1:6379/0?{query}")


# Many processes, one state ----------------------------------------------------------------------


async def test_two_instances_share_one_budget_and_one_rate_limit(redis_store_url: str) -> None:
    first, second = open_store(redis_store_url), open_store(redis_store_url)  # two pools
    try:
        allowed = []
        for i in range(6):  # alternate, as a load balancer would; burst 3 in all
            s = first if i % 2 == 0 else second
            state = await s.observe("k", Observation(T0, i, 10, rate_limits=(LIMIT,)), SPEC)
            allowed.append(state.rates["minute"].allowed)
        assert allowed == [True, True, True, False, False, False]
        assert (await first.rate("k", LIMIT, T0 + 10)).allowed
        assert not (await second.rate("k", LIMIT, T0 + 10)).allowed
        for i in range(100):  # coverage counted across both
            s = first if i < 50 else second
            await s.observe("k", Observation(T0 + 20 + i, 1000 + i), SPEC)
        for s in (first, second):
            shared = await s.state("k", T0 + 200, SPEC)
            assert shared is not None
            assert shared.window("hour").requests == 106
            assert shared.window("hour").input_tokens == 60
            assert abs(shared.window("hour").distinct_cells - 106) <= 3
        # Campaigns link keys seen by different instances.
        await first.observe("a", Observation(T0, 1, links=("tpl",)), SPEC)
        joined = await second.observe("b", Observation(T0 + 1, 2, links=("tpl",)), SPEC)
        assert joined.campaign is not None and joined.campaign.keys == 2
        assert await first.campaign_of("a", T0 + 2, SPEC) == joined.campaign
    finally:
        await first.close()
        await second.close()


# One round trip per request -------------------------------------------------------------------


class CountingConnection(Connection):
    """A real connection that also notes the name of every command it sends."""

    sent: ClassVar[list[str]] = []

    async def send_command(self, *args: Any, **kwargs: Any) -> None:
        CountingConnection.sent.append(str(args[0]).upper())
        await super().send_command(*args, **kwargs)


async def test_each_call_is_one_round_trip(spawn_redis: Callable[..., Any]) -> None:
    server = spawn_redis()
    pool = BlockingConnectionPool.from_url(server.url, connection_class=CountingConnection)
    store = RedisStore(Redis.from_pool(pool))
    admin = Redis.from_url(server.url)
    try:
        ring = SketchSpec((HOUR, DAY), precision=12, ring=4)

        def obs(i: int) -> Observation:
            return Observation(
                T0 + i, i, 5, rate_limits=(LIMIT,), record=b"r%d" % i, links=(f"f{i % 3}",)
            )

        # Connect, and load each script (a first EVALSHA fails with NOSCRIPT, then EVAL).
        await store.observe("warm", obs(0), ring)
        await store.record("warm", T0, ring, output_tokens=1)
        await store.state("warm", T0, ring)
        CountingConnection.sent.clear()
        before = await admin.info("commandstats")
        for i in range(1, 21):
            await store.observe(f"k{i % 4}", obs(i), ring)
        await store.record("k1", T0 + 30, ring, output_tokens=9, meta={"score": 0.5})
        await store.state("k1", T0 + 31, ring)
        after = await admin.info("commandstats")
        assert CountingConnection.sent == ["EVALSHA"] * 22
        calls = after["cmdstat_evalsha"]["calls"] - before["cmdstat_evalsha"]["calls"]
        assert calls == 22
        assert after["cmdstat_eval"] == before["cmdstat_eval"]  # no script needed loading
    finally:
        await store.close()
        await admin.aclose()


# Failures: StoreError within the timeout, and recovery without help ---------------------------


async def test_nothing_listening_is_a_store_error() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = open_store(f"redis://127.0.0.1:{port}/0")
    try:
        with pytest.raises(StoreError, match=f"Cannot reach Redis at 127.0.0.1:{port}/0"):
            await asyncio.wait_for(store.observe("k", Observation(T0, 1), SPEC), NO_HANG)
        assert await store.ping() is False
    finally:
        await store.close()


async def traffic(store: Store, n: int, now: float) -> list[KeyState | BaseException]:
    """``n`` concurrent observes; each outcome is a state or the exception raised."""
    calls = [
        store.observe(f"k{i % 7}", Observation(now, i, rate_limits=(LIMIT,)), SPEC)
        for i in range(n)
    ]
    return await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), NO_HANG)


async def test_redis_killed_mid_traffic_then_restarted(spawn_redis: Callable[..., Any]) -> None:
    server = spawn_redis()
    store = open_store(f"{server.url}?timeout=0.25")
    try:
        assert all(isinstance(r, KeyState) for r in await traffic(store, 40, T0))
        server.stop()
        failed = await traffic(store, 40, T0 + 1)
        assert all(isinstance(r, StoreError) for r in failed), failed
        assert "Cannot reach Redis" in str(failed[0])
        assert await store.ping() is False
        spawn_redis(server.port)  # the same address, empty, with no scripts loaded
        # Every pooled connection is dead and every script unknown: all recover by themselves.
        assert all(isinstance(r, KeyState) for r in await traffic(store, 40, T0 + 2))
        assert await store.ping() is True
        state = await store.state("k1", T0 + 3, SPEC)
        assert state is not None and state.window("hour").requests == 6  # counted afresh
    finally:
        await store.close()


async def test_a_frozen_redis_times_out_then_recovers(spawn_redis: Callable[..., Any]) -> None:
    server = spawn_redis()
    store = open_store(f"{server.url}?timeout=0.2")
    try:
        assert all(isinstance(r, KeyState) for r in await traffic(store, 10, T0))
        server.pause()  # connections stay open; nothing answers
        try:
            failed = await traffic(store, 10, T0 + 1)
            assert all(isinstance(r, StoreError) for r in failed), failed
            assert "did not answer observe within 0.2 s" in str(failed[0])
            assert await store.ping() is False
        finally:
            server.resume()
        assert all(isinstance(r, KeyState) for r in await traffic(store, 10, T0 + 2))
    finally:
        await store.close()


async def test_an_error_reply_is_a_store_error(store: RedisStore, redis_url: str) -> None:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        await client.set(f"{{{store.prefix}:k:k}}", "not a hash")  # the key's entry, wrong type
    finally:
        await client.aclose()
    with pytest.raises(StoreError, match=r"failed the observe script.*WRONGTYPE"):
        await store.observe("k", Observation(T0, 1), SPEC)


async def test_flushed_scripts_are_loaded_again(spawn_redis: Callable[..., Any]) -> None:
    server = spawn_redis()
    store = open_store(server.url)
    admin = Redis.from_url(server.url)
    try:
        await store.observe("k", Observation(T0, 1), SPEC)
        await admin.script_flush()
        state = await store.observe("k", Observation(T0 + 1, 2), SPEC)
        assert state.window("hour").requests == 2
    finally:
        await store.close()
        await admin.aclose()


# Memory stays bounded: real TTLs, and at most max_keys keys -----------------------------------


async def test_every_per_key_redis_key_has_a_ttl(store: RedisStore, redis_url: str) -> None:
    ring = SketchSpec((HOUR, DAY), precision=12, ring=2)
    await store.observe("a", Observation(T0, 1, 5, (LIMIT,), b"x", ("f",)), ring)
    await store.observe("b", Observation(T0 + 1, 2, 5, (LIMIT,), b"y", ("f",)), ring)
    await store.record("a", T0 + 2, ring, output_tokens=3, meta={"score": 0.1})
    names = await server_keys(redis_url, store.prefix)
    p = store.prefix
    assert {f"{p}:keys", f"{p}:seq", f"{p}:camps"} <= set(names)  # the bounded indexes
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        for name in names:
            if name in (f"{p}:keys", f"{p}:seq", f"{p}:camps"):
                continue
            ttl = await client.pttl(name)
            window = 86400 + 14400 if ":w2" in name else 3600 + 900
            bound = window if ":w" in name else SPEC.horizon
            assert 0 < ttl <= bound * 1000, (name, ttl)
    finally:
        await client.aclose()


async def test_redis_keys_expire_with_their_ttls(store: RedisStore, redis_url: str) -> None:
    import time

    tiny = SketchSpec((Window("blink", 0.2, 2),), precision=12, ring=2)  # horizon 0.3 s
    start = time.time()
    for i in range(5):
        await store.observe(f"k{i}", Observation(start, i, 1, record=b"r", links=("f",)), tiny)
        await store.record(f"k{i}", start, tiny, output_tokens=1, meta={"m": i})
    p = store.prefix
    assert len(await server_keys(redis_url, p)) > 20
    deadline = time.monotonic() + NO_HANG
    while (left := await server_keys(redis_url, p)) != sorted(
        [f"{p}:keys", f"{p}:seq", f"{p}:camps"]
    ):
        assert time.monotonic() < deadline, left
        await asyncio.sleep(0.1)
    assert await store.keys() == []  # the index forgets keys whose data expired


async def test_at_most_max_keys_keys_are_kept(redis_store_url: str, redis_url: str) -> None:
    store = open_store(redis_store_url + "&max_keys=20")
    assert isinstance(store, RedisStore)
    try:
        for i in range(200):
            now = T0 + i
            await store.observe(f"k{i}", Observation(now, i, 1, (LIMIT,), links=("f",)), SPEC)
            await store.record(f"k{i}", now, SPEC, output_tokens=1, meta={"i": i})
        kept = await store.keys(limit=1000)
        assert kept == [f"k{i}" for i in range(199, 179, -1)]
        assert await store.state("k0", T0 + 300, SPEC) is None
        assert await store.meta("k0") is None
        names = await server_keys(redis_url, store.prefix)
        bases = {n.split("}")[0] for n in names if n.startswith(f"{{{store.prefix}:k:")}
        assert len(bases) == 20
        # The campaign of all 200 keys lives on, bounded on its own (one root's data).
        campaign = await store.campaign_of("k199", T0 + 300, SPEC)
        assert campaign is not None and campaign.keys == 200
    finally:
        await store.close()


# What the memory store's own tests promise, held by Redis too -----------------------------------


async def test_meta_keeps_the_newest_entries_up_to_its_cap(store: RedisStore) -> None:
    for i in range(MAX_META + 10):
        await store.record("k", T0, SPEC, meta={f"m{i}": i})
    await store.record("k", T0, SPEC, meta={"m0": "again"})
    meta = await store.meta("k")
    assert meta is not None
    assert len(meta) == MAX_META
    assert meta["m0"] == "again"
    assert f"m{MAX_META + 9}" in meta
    assert "m10" not in meta


async def test_meta_values_round_trip_as_json(store: RedisStore) -> None:
    value = {"score": 0.123456789012345678, "reasons": ["a", "b"], "ok": True, "n": None}
    await store.record("k", T0, SPEC, meta=value)
    assert await store.meta("k") == value


async def test_a_recovering_rate_limit_keeps_a_silent_key(store: RedisStore) -> None:
    monthly = RateLimit("month", limit=1, period=30 * 86400)
    await store.observe("k", Observation(T0, 1, rate_limits=(monthly,)), SPEC)
    later = T0 + SPEC.horizon + 1
    state = await store.observe("k", Observation(later, 1, rate_limits=(monthly,)), SPEC)
    assert state.rates["month"].allowed is False
    assert state.window("day").requests == 1


async def test_invalid_input_fails_before_changing_anything(store: RedisStore) -> None:
    await store.observe("a", Observation(T0, 1), SPEC)
    bad = RateLimit("bad", limit=0, period=60)
    with pytest.raises(ValueError, match="'bad'"):
        await store.observe("b", Observation(T0, 1, rate_limits=(bad,)), SPEC)
    with pytest.raises(ValueError, match="'bad'"):
        await store.rate("b", bad, T0)
    with pytest.raises(ValueError, match="precision"):
        await store.observe("b", Observation(T0, 1), SketchSpec(SPEC.windows, precision=20))
    with pytest.raises(ValueError, match="Unknown window 'week'"):
        await store.union_coverage(["a"], "week", T0, SPEC)
    assert await store.keys() == ["a"]


async def test_a_new_spec_restarts_the_sketch_but_keeps_limits_and_meta(store: RedisStore) -> None:
    limit = RateLimit("r", limit=1, period=60)
    await store.observe("k", Observation(T0, 1, rate_limits=(limit,)), SPEC)
    await store.record("k", T0, SPEC, meta={"score": 0.2})
    other = SketchSpec((Window("minute", 60, 6),), precision=5)
    assert await store.state("k", T0, other) == KeyState(windows={"minute": WindowCounts()})
    state = await store.observe("k", Observation(T0 + 1, 2, rate_limits=(limit,)), other)
    assert state.window("minute").requests == 1
    assert state.rates["r"].allowed is False
    assert await store.meta("k") == {"score": 0.2}
    assert await store.union_coverage(["k"], "hour", T0 + 1, SPEC) == 0


async def test_union_of_many_keys(store: RedisStore) -> None:
    # More bucket HyperLogLogs than one PFCOUNT takes at once.
    keys = [f"k{i}" for i in range(600)]
    for i, key in enumerate(keys):
        await store.observe(key, Observation(T0 + i, i % 300), SPEC)
    assert abs(await store.union_coverage(keys, "hour", T0 + 600, SPEC) - 300) <= 9


# Redis and memory agree, call for call ----------------------------------------------------------


def close_enough(redis_value: int, memory_value: int) -> bool:
    """HyperLogLog estimates: Redis' precision 14 against memory's 12, both near exact here."""
    return abs(redis_value - memory_value) <= max(2, 0.05 * memory_value)


def same_windows(a: Mapping[str, WindowCounts], b: Mapping[str, WindowCounts]) -> bool:
    return a.keys() == b.keys() and all(
        (a[n].requests, a[n].input_tokens, a[n].output_tokens, a[n].buckets, a[n].suspect)
        == (b[n].requests, b[n].input_tokens, b[n].output_tokens, b[n].buckets, b[n].suspect)
        and close_enough(a[n].distinct_cells, b[n].distinct_cells)
        for n in a
    )


def same_campaign(a: CampaignState | None, b: CampaignState | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.id, a.keys) == (b.id, b.keys) and same_windows(a.windows, b.windows)


def same_state(a: KeyState | None, b: KeyState | None) -> bool:
    if a is None or b is None:
        return a is b
    return (
        same_windows(a.windows, b.windows)
        and a.rates == b.rates
        and a.recent == b.recent
        and same_campaign(a.campaign, b.campaign)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_redis_and_memory_agree_on_random_traffic(store: RedisStore, seed: int) -> None:
    rng = random.Random(seed)
    memory = MemoryStore()
    spec = SketchSpec((Window("ten", 600, 3), Window("hour", 3600, 4)), precision=12, ring=3)
    limits = (RateLimit("a", limit=1, period=20, burst=3), RateLimit("b", limit=6, period=60))
    keys = [f"k{i}" for i in range(8)]
    now = T0
    for step in range(400):
        now += rng.choice([0, 0, 0.5, 3, 30, 200, 900, 1700, -40])  # now and then backwards
        key = rng.choice(keys)
        what = rng.random()
        context = (seed, step, key, now)
        if what < 0.6:
            obs = Observation(
                now,
                rng.randrange(40),
                rng.randrange(100),
                tuple(limit for limit in limits if rng.random() < 0.5),
                bytes([step % 256]) * rng.randrange(3),
                tuple(
                    f"f{rng.randrange(12)}"
                    for _ in range(rng.randrange(3) if rng.random() < 0.3 else 0)
                ),
            )
            got, want = await store.observe(key, obs, spec), await memory.observe(key, obs, spec)
            assert same_state(got, want), (context, repr(got), repr(want))
        elif what < 0.75:
            meta = {"step": step} if rng.random() < 0.5 else None
            tokens = rng.randrange(500) if rng.random() < 0.8 else 0
            suspect = rng.random() < 0.4
            await store.record(key, now, spec, output_tokens=tokens, suspect=suspect, meta=meta)
            await memory.record(key, now, spec, output_tokens=tokens, suspect=suspect, meta=meta)
            assert await store.meta(key) == await memory.meta(key), context
        elif what < 0.85:
            limit = rng.choice(limits)
            assert await store.rate(key, limit, now) == await memory.rate(key, limit, now), context
        elif what < 0.95:
            got_state, want_state = (
                await store.state(key, now, spec),
                await memory.state(key, now, spec),
            )
            assert same_state(got_state, want_state), (context, got_state, want_state)
            got_all = await store.campaigns(now, spec)
            want_all = await memory.campaigns(now, spec)
            assert len(got_all) == len(want_all), context
            assert all(same_campaign(g, w) for g, w in zip(got_all, want_all, strict=True)), context
        else:
            some = rng.sample(keys, 3)
            window = rng.choice(["ten", "hour"])
            got_union = await store.union_coverage(some, window, now, spec)
            want_union = await memory.union_coverage(some, window, now, spec)
            assert close_enough(got_union, want_union), context
        assert await store.keys() == await memory.keys(), context


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_a_merged_campaigns_output_tokens_slide_out(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = "memory://" if backend == "memory" else request.getfixturevalue("redis_store_url")
    store = open_store(url)
    try:
        await store.observe("a", Observation(T0, 1, links=("f",)), SPEC)
        await store.record("a", T0 + 900, SPEC, output_tokens=10)  # a bucket with no request
        joined = await store.observe("b", Observation(T0 + 901, 2, links=("f",)), SPEC)
        assert joined.campaign is not None
        assert joined.campaign.window("hour").output_tokens == 10
        later = await store.campaign_of("a", T0 + 7 * 900, SPEC)  # every bucket slid out
        assert later is not None
        assert later.window("hour") == WindowCounts(buckets=(0, 0, 0, 0))
    finally:
        await store.close()


async def test_any_key_or_feature_text_is_kept_apart(store: RedisStore) -> None:
    odd = ["clé-ü", "a}b{c", "x:y:z", 'q"uo\\te', "emoji-😀"]
    for i, key in enumerate(odd):
        state = await store.observe(key, Observation(T0 + i, i, links=(f"f-{key}",)), SPEC)
        assert state.window("hour").requests == 1
        await store.record(key, T0 + i, SPEC, meta={key: key})
    assert await store.keys() == odd[::-1]
    for key in odd:
        assert await store.meta(key) == {key: key}
    joined = await store.observe("other", Observation(T0 + 9, 9, links=("f-emoji-😀",)), SPEC)
    assert joined.campaign is not None and joined.campaign.keys == 2
