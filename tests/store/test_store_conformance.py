"""Behaviour every store must share, written against the ``Store`` interface only.

Add a backend by adding its URL to ``STORE_URLS``; backend-specific tests live elsewhere.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from guard.models import RateResult, WindowCounts
from guard.store import Observation, RateLimit, SketchSpec, Store, Window, open_store

STORE_URLS = [
    pytest.param("memory://?max_keys=1000", id="memory"),
    # A real server (see the redis fixtures in tests/conftest.py), with a prefix of its own.
    pytest.param("redis://", id="redis"),
]

HOUR = Window("hour", 3600, 4)  # 900 s buckets: a count covers 3600 to 4500 s
DAY = Window("day", 86400, 6)
SPEC = SketchSpec((HOUR, DAY), precision=12)
T0 = 1_764_201_600.0  # a bucket boundary of both windows
QUIET_HOUR = (0,) * 4  # WindowCounts.buckets of a window with no request in a full bucket
QUIET_DAY = (0,) * 6


def store_url(request: pytest.FixtureRequest, options: str = "") -> str:
    """The parametrised store's URL (Redis: a prefix of its own, ``options`` appended)."""
    url: str = request.param
    if url == "redis://":
        url = request.getfixturevalue("redis_store_url") + "&max_keys=1000" + options
    return url


@pytest.fixture(params=STORE_URLS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    s = open_store(store_url(request))
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture(params=STORE_URLS)
async def patient_store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    """``store``, with a Redis timeout for long runs of concurrent writes on a busy machine:
    latency is not what those tests measure."""
    s = open_store(store_url(request, "&timeout=5"))
    try:
        yield s
    finally:
        await s.close()


def obs(now: float, cell: int = 1, tokens: int = 0, *limits: RateLimit) -> Observation:
    return Observation(now=now, cell=cell, input_tokens=tokens, rate_limits=limits)


async def test_an_unseen_key_is_not_tracked(store: Store) -> None:
    assert await store.state("nobody", T0, SPEC) is None
    assert await store.meta("nobody") is None
    assert await store.keys() == []
    assert await store.union_coverage(["nobody"], "hour", T0, SPEC) == 0
    assert await store.ping()


async def test_observe_counts_requests_and_input_tokens(store: Store) -> None:
    state = await store.observe("k", obs(T0, 1, 10), SPEC)
    assert state.window("hour") == WindowCounts(1, 1, 10, 0, QUIET_HOUR)
    assert state.rates == {}
    for i in range(2, 6):
        state = await store.observe("k", obs(T0 + i, i, 10), SPEC)
    assert state.window("hour") == WindowCounts(5, 5, 50, 0, QUIET_HOUR)
    assert state.window("day") == WindowCounts(5, 5, 50, 0, QUIET_DAY)
    assert await store.state("other", T0, SPEC) is None


async def test_distinct_cells(store: Store) -> None:
    state = None
    for i in range(600):
        state = await store.observe("k", obs(T0 + i, cell=(i % 200) * 0x9E3779B1), SPEC)
    assert state is not None
    assert state.window("hour").requests == 600
    assert abs(state.window("hour").distinct_cells - 200) <= 10


async def test_state_counts_nothing(store: Store) -> None:
    await store.observe("k", obs(T0, 1, 3), SPEC)
    first = await store.state("k", T0 + 1, SPEC)
    second = await store.state("k", T0 + 2, SPEC)
    assert first is not None and second is not None
    assert first.window("hour") == second.window("hour") == WindowCounts(1, 1, 3, 0, QUIET_HOUR)


async def test_windows_slide(store: Store) -> None:
    await store.observe("k", obs(T0, 1, 5), SPEC)
    await store.observe("k", obs(T0 + 1800, 2, 5), SPEC)
    state = await store.state("k", T0 + 3599, SPEC)  # within an hour of both
    assert state is not None
    assert state.window("hour").requests == 2
    state = await store.state("k", T0 + 3600 + 900, SPEC)  # more than a window and a bucket
    assert state is not None
    assert state.window("hour") == WindowCounts(1, 1, 5, 0, (0, 1, 0, 0))
    assert state.window("day") == WindowCounts(2, 2, 10, 0, QUIET_DAY)  # both in the partial
    state = await store.state("k", T0 + 1800 + 4500, SPEC)
    assert state is not None
    assert state.window("hour") == WindowCounts(buckets=QUIET_HOUR)
    assert state.window("day").requests == 2
    state = await store.state("k", T0 + 1800 + 86400 + 14400, SPEC)
    assert state is None or state.window("day") == WindowCounts(buckets=QUIET_DAY)


async def test_buckets_hold_each_full_buckets_requests_oldest_first(store: Store) -> None:
    # Hour buckets of 900 s from T0: 1 request in the first, 2 in the second, 1 in the fourth.
    for i, at in enumerate((T0 + 10, T0 + 920, T0 + 930, T0 + 2800)):
        await store.observe("k", obs(at, i), SPEC)
    # The fifth (partial) bucket's request counts in the total, not in the buckets.
    state = await store.observe("k", obs(T0 + 3700, 9), SPEC)
    assert state.window("hour") == WindowCounts(5, 5, 0, 0, (1, 2, 0, 1))
    assert state.window("day") == WindowCounts(5, 5, 0, 0, QUIET_DAY)  # all in its partial one
    # One bucket later the first slides out; the one that was partial is full.
    later = await store.state("k", T0 + 4500, SPEC)
    assert later is not None
    assert later.window("hour") == WindowCounts(4, 4, 0, 0, (2, 0, 1, 1))
    # The next day bucket: the day's newest full bucket holds all five.
    later = await store.state("k", T0 + 14400, SPEC)
    assert later is not None
    assert later.window("hour") == WindowCounts(buckets=QUIET_HOUR)
    assert later.window("day") == WindowCounts(5, 5, 0, 0, (0, 0, 0, 0, 0, 5))


async def test_buckets_slide_out_and_a_silent_key_has_none(store: Store) -> None:
    await store.observe("k", obs(T0, 1), SPEC)
    await store.observe("k", obs(T0 + 14400, 2), SPEC)  # the second day bucket
    state = await store.observe("k", obs(T0 + 3 * 14400 + 5, 3), SPEC)
    assert state.window("day") == WindowCounts(3, 3, 0, 0, (0, 0, 0, 1, 1, 0))
    # Silent for longer than the hour window: none of its buckets is left; the day's slide on.
    state = await store.observe("k", obs(T0 + 6 * 14400, 4), SPEC)
    assert state.window("hour") == WindowCounts(1, 1, 0, 0, QUIET_HOUR)
    assert state.window("day") == WindowCounts(4, 4, 0, 0, (1, 1, 0, 1, 0, 0))
    quiet = await store.state("k", T0 + 6 * 14400 + 4500, SPEC)
    assert quiet is not None
    assert quiet.window("hour") == WindowCounts(buckets=QUIET_HOUR)
    assert quiet.window("day") == WindowCounts(4, 4, 0, 0, (1, 1, 0, 1, 0, 0))
    # Silent for a day and a bucket (the horizon): every bucket has slid out.
    gone = T0 + 6 * 14400 + 86400 + 14400
    quiet = await store.state("k", gone, SPEC)
    assert quiet is None or quiet.window("day") == WindowCounts(buckets=QUIET_DAY)
    state = await store.observe("k", obs(gone + 1, 5), SPEC)
    assert state.window("day") == WindowCounts(1, 1, 0, 0, QUIET_DAY)


async def test_time_going_backwards_is_counted(store: Store) -> None:
    await store.observe("k", obs(T0 + 1000, 1), SPEC)
    state = await store.observe("k", obs(T0 + 10, 2), SPEC)
    assert state.window("hour").requests == 2
    assert state.window("hour").distinct_cells == 2


async def test_record_adds_output_tokens_and_merges_meta(store: Store) -> None:
    await store.observe("k", obs(T0, 1, 10), SPEC)
    await store.record("k", T0 + 1, SPEC, output_tokens=300, meta={"score": 0.5, "action": "allow"})
    await store.record("k", T0 + 2, SPEC, output_tokens=200, meta={"score": 0.9})
    state = await store.state("k", T0 + 3, SPEC)
    assert state is not None
    assert state.window("hour") == WindowCounts(1, 1, 10, 500, QUIET_HOUR)
    assert state.window("day").output_tokens == 500
    meta = await store.meta("k")
    assert meta == {"score": 0.9, "action": "allow"}
    assert meta is not None
    meta["score"] = 0.0  # a copy: the store is unchanged
    assert await store.meta("k") == {"score": 0.9, "action": "allow"}


async def test_record_counts_suspect_requests_per_window(store: Store) -> None:
    for i in range(3):
        await store.observe("k", obs(T0 + i, i), SPEC)
        await store.record("k", T0 + i, SPEC, output_tokens=10, suspect=i > 0)
    state = await store.state("k", T0 + 5, SPEC)
    assert state is not None
    assert state.window("hour") == WindowCounts(3, 3, 0, 30, QUIET_HOUR, suspect=2)
    assert state.window("day").suspect == 2
    # The next request's state carries them, as the policy's suspect.<window> reads them.
    after = await store.observe("k", obs(T0 + 6, 9), SPEC)
    assert after.window("hour").suspect == 2
    # They slide out with their bucket, as output tokens do.
    later = await store.state("k", T0 + 4500, SPEC)
    assert later is not None
    assert (later.window("hour").suspect, later.window("day").suspect) == (0, 2)


async def test_output_tokens_slide_with_their_window(store: Store) -> None:
    await store.observe("k", obs(T0, 1), SPEC)
    await store.record("k", T0, SPEC, output_tokens=100)
    state = await store.state("k", T0 + 4500, SPEC)
    assert state is not None
    assert state.window("hour").output_tokens == 0
    assert state.window("day").output_tokens == 100


async def test_rate_limit_in_observe(store: Store) -> None:
    limit = RateLimit("minute", limit=6, period=60, burst=2)  # one per 10 s, 2 at once
    results = [(await store.observe("k", obs(T0, i, 0, limit), SPEC)) for i in range(3)]
    assert [s.rates["minute"] for s in results[:2]] == [
        RateResult(True, 0.0, 1),
        RateResult(True, 0.0, 0),
    ]
    refused = results[2].rates["minute"]
    assert (refused.allowed, refused.remaining) == (False, 0)
    assert refused.retry_after == pytest.approx(10.0)
    # Refused requests are still observed...
    assert results[-1].window("hour").requests == 3
    # ...but consume nothing: had they, this would wait until T0 + 20.
    state = await store.observe("k", obs(T0 + 10, 9, 0, limit), SPEC)
    assert state.rates["minute"] == RateResult(True, 0.0, 0)
    state = await store.observe("k", obs(T0 + 10, 9, 0, limit), SPEC)
    assert state.rates["minute"].allowed is False
    assert state.rates["minute"].retry_after == pytest.approx(10.0)


async def test_a_request_refused_by_one_limit_consumes_none(store: Store) -> None:
    tight = RateLimit("tight", limit=1, period=60)
    loose = RateLimit("loose", limit=6, period=60, burst=10)  # one per 10 s, 10 at once
    first = await store.observe("k", obs(T0, 1, 0, tight, loose), SPEC)
    assert first.rates == {"tight": RateResult(True, 0.0, 0), "loose": RateResult(True, 0.0, 9)}
    for _ in range(5):
        refused = await store.observe("k", obs(T0 + 1, 1, 0, tight, loose), SPEC)
        assert refused.rates["tight"].allowed is False
        assert refused.rates["tight"].retry_after == pytest.approx(59.0)
        # The loose limit would pass, and reports the budget it still has: had the refused
        # requests consumed it, it would be down to 4.
        assert refused.rates["loose"].allowed is True
        assert refused.rates["loose"].remaining == 9
    assert await store.rate("k", loose, T0 + 1) == RateResult(True, 0.0, 8)


async def test_rate_shares_limits_with_observe_by_name(store: Store) -> None:
    limit = RateLimit("throttle", limit=1, period=30)
    assert await store.rate("k", limit, T0) == RateResult(True, 0.0, 0)
    refused = await store.rate("k", limit, T0 + 10)
    assert refused.allowed is False
    assert refused.retry_after == pytest.approx(20.0)
    state = await store.observe("k", obs(T0 + 20, 1, 0, limit), SPEC)
    assert state.rates["throttle"].retry_after == pytest.approx(10.0)
    assert (await store.rate("k", limit, T0 + 30)).allowed
    assert (await store.rate("other", limit, T0 + 30)).allowed


async def test_union_coverage(store: Store) -> None:
    for i in range(100):
        await store.observe("a", obs(T0 + i, cell=i), SPEC)
        await store.observe("b", obs(T0 + i, cell=i + 50), SPEC)  # half overlaps a
        await store.observe("c", obs(T0 + i, cell=i + 1000), SPEC)  # disjoint
    now = T0 + 200
    a = await store.union_coverage(["a"], "hour", now, SPEC)
    state = await store.state("a", now, SPEC)
    assert state is not None
    assert a == state.window("hour").distinct_cells
    assert abs(a - 100) <= 3
    assert abs(await store.union_coverage(["a", "b"], "hour", now, SPEC) - 150) <= 5
    assert abs(await store.union_coverage(["a", "c"], "hour", now, SPEC) - 200) <= 6
    assert abs(await store.union_coverage(["a", "b", "c"], "day", now, SPEC) - 250) <= 8
    assert await store.union_coverage(["a", "a", "nobody"], "hour", now, SPEC) == a
    assert await store.union_coverage([], "hour", now, SPEC) == 0
    # Coverage slides out with the window.
    assert await store.union_coverage(["a", "b"], "hour", T0 + 5000, SPEC) == 0


async def test_keys_most_recently_active_first(store: Store) -> None:
    for i, key in enumerate(["a", "b", "c"]):
        await store.observe(key, obs(T0 + i), SPEC)
    assert await store.keys() == ["c", "b", "a"]
    await store.observe("a", obs(T0 + 3), SPEC)
    await store.record("b", T0 + 4, SPEC, output_tokens=1)
    assert await store.keys() == ["b", "a", "c"]
    assert await store.keys(limit=2) == ["b", "a"]
    # Reading is not activity.
    await store.state("c", T0 + 5, SPEC)
    await store.meta("c")
    await store.union_coverage(["c"], "hour", T0 + 5, SPEC)
    assert await store.keys() == ["b", "a", "c"]


async def test_a_key_silent_past_the_horizon_starts_afresh(store: Store) -> None:
    await store.observe("k", obs(T0, 1, 10), SPEC)
    await store.record("k", T0, SPEC, output_tokens=5, meta={"score": 1.0})
    later = T0 + SPEC.horizon + 1
    assert await store.state("k", later, SPEC) is None
    assert await store.meta("k") is None
    assert await store.keys() == []
    state = await store.observe("k", obs(later, 2, 3), SPEC)
    assert state.window("day") == WindowCounts(1, 1, 3, 0, QUIET_DAY)
    assert await store.meta("k") is None
    assert await store.keys() == ["k"]


# The ring of recent request records -----------------------------------------------------------

RING_SPEC = SketchSpec((HOUR, DAY), precision=12, ring=4)


async def test_ring_keeps_the_latest_records_newest_first(store: Store) -> None:
    for i in range(6):
        state = await store.observe("k", Observation(T0 + i, i, record=bytes([i]) * 28), RING_SPEC)
        assert state.recent[0] == bytes([i]) * 28
    assert state.recent == tuple(bytes([i]) * 28 for i in (5, 4, 3, 2))
    again = await store.state("k", T0 + 10, RING_SPEC)
    assert again is not None and again.recent == state.recent
    # No record, or no ring in the spec: nothing is pushed.
    plain = await store.observe("k", Observation(T0 + 11, 9), RING_SPEC)
    assert plain.recent == ()
    assert (await store.observe("other", Observation(T0, 1, record=b"x"), SPEC)).recent == ()


# Campaigns: keys sharing a link feature are one campaign --------------------------------------


async def test_keys_sharing_a_feature_form_a_campaign(store: Store) -> None:
    first = await store.observe("a", Observation(T0, 1, links=("tpl:1",)), SPEC)
    assert first.campaign is None  # alone: no campaign yet
    second = await store.observe("b", Observation(T0 + 1, 2, links=("tpl:1",)), SPEC)
    assert second.campaign is not None
    assert second.campaign.keys == 2
    # The campaign counts both keys' requests, "a"'s history included.
    assert second.campaign.window("hour") == WindowCounts(2, 2, 0, 0, QUIET_HOUR)
    third = await store.observe("a", Observation(T0 + 2, 3), SPEC)
    assert third.campaign is not None and third.campaign.id == second.campaign.id
    assert third.campaign.window("hour").requests == 3
    assert third.campaign.window("hour").distinct_cells == 3
    unrelated = await store.observe("z", Observation(T0 + 3, 4, links=("tpl:2",)), SPEC)
    assert unrelated.campaign is None
    found = await store.campaign_of("b", T0 + 4, SPEC)
    assert found is not None and found.id == second.campaign.id and found.keys == 2
    assert await store.campaign_of("z", T0 + 4, SPEC) is None
    assert await store.campaign_of("nobody", T0 + 4, SPEC) is None


async def test_campaigns_merge_transitively(store: Store) -> None:
    for i, key in enumerate("abc"):
        await store.observe(key, Observation(T0 + i, 10 + i, links=("sys:1",)), SPEC)
    for i, key in enumerate("xy"):
        await store.observe(key, Observation(T0 + 5 + i, 20 + i, links=("ua:9",)), SPEC)
    listed = await store.campaigns(T0 + 10, SPEC)
    assert sorted(c.keys for c in listed) == [2, 3]
    # "y" also shows the first campaign's feature: one campaign of five.
    joined = await store.observe("y", Observation(T0 + 20, 30, links=("ua:9", "sys:1")), SPEC)
    assert joined.campaign is not None and joined.campaign.keys == 5
    assert joined.campaign.window("hour").requests == 6
    assert joined.campaign.window("hour").distinct_cells == 6
    listed = await store.campaigns(T0 + 21, SPEC)
    assert [(c.id, c.keys) for c in listed] == [(joined.campaign.id, 5)]
    assert {(await store.campaign_of(k, T0 + 21, SPEC)).id for k in "abcxy"} == {  # type: ignore[union-attr]
        joined.campaign.id
    }


async def test_link_joins_keys_without_counting_a_request(store: Store) -> None:
    for i in range(3):
        await store.observe("a", Observation(T0 + i, 10 + i), SPEC)
    await store.observe("b", Observation(T0 + 3, 20), SPEC)
    assert await store.link("a", ("tpl:7",), T0 + 3, SPEC) is None  # the feature's first owner
    joined = await store.link("b", ("tpl:7",), T0 + 4, SPEC)
    assert joined is not None and joined.keys == 2
    # Both keys bring their history; linking itself counts nothing.
    assert joined.window("hour") == WindowCounts(4, 4, 0, 0, QUIET_HOUR)
    again = await store.link("b", ("tpl:7",), T0 + 5, SPEC)
    assert again is not None and (again.id, again.keys) == (joined.id, 2)
    # Later requests of either key count in the campaign.
    later = await store.observe("a", Observation(T0 + 6, 30), SPEC)
    assert later.campaign is not None and later.campaign.id == joined.id
    assert later.campaign.window("hour") == WindowCounts(5, 5, 0, 0, QUIET_HOUR)
    found = await store.campaign_of("b", T0 + 7, SPEC)
    assert found is not None and found.id == joined.id
    assert await store.link("c", ("tpl:8",), T0 + 8, SPEC) is None


async def test_a_first_request_joins_only_an_established_campaign(store: Store) -> None:
    """Store.join: a new key joins a campaign of at least min_keys keys that owns one of its
    features, and claims none of them."""
    for i, key in enumerate("abc"):
        await store.observe(key, Observation(T0 + i, 10 + i), SPEC)
        await store.link(key, ("tpl:7",), T0 + i, SPEC)
    await store.observe("x", Observation(T0 + 4, 20), SPEC)
    await store.observe("y", Observation(T0 + 5, 21), SPEC)
    await store.link("x", ("sys:2",), T0 + 5, SPEC)
    await store.link("y", ("sys:2",), T0 + 5, SPEC)  # a group of two
    await store.observe("new", Observation(T0 + 6, 30), SPEC)
    # Too small a campaign, a feature nobody owns: the key stays alone, owning nothing.
    assert await store.join("new", ("sys:2", "tpl:9"), T0 + 6, SPEC, 3) is None
    assert await store.link("other", ("tpl:9",), T0 + 7, SPEC) is None  # tpl:9 still unowned
    assert await store.join("new", ("tpl:9",), T0 + 7, SPEC, 1) is None  # "other" is alone
    joined = await store.join("new", ("sys:2", "tpl:7"), T0 + 8, SPEC, 3)
    assert joined is not None and joined.keys == 4
    assert joined.window("hour").requests == 4  # a, b, c and the new key's first request
    found = await store.campaign_of("a", T0 + 9, SPEC)
    assert found is not None and found.id == joined.id
    # Joining again is idempotent.
    again = await store.join("new", ("tpl:7",), T0 + 9, SPEC, 3)
    assert again is not None and (again.id, again.keys) == (joined.id, 4)


async def test_a_campaigns_buckets_sum_its_members(store: Store) -> None:
    await store.observe("a", obs(T0 + 10, 1), SPEC)  # hour bucket 0
    await store.observe("a", obs(T0 + 950, 2), SPEC)  # bucket 1
    await store.observe("b", obs(T0 + 960, 3), SPEC)  # bucket 1
    await store.observe("b", obs(T0 + 1850, 4), SPEC)  # bucket 2, partial when they link
    assert await store.link("a", ("tpl:7",), T0 + 1900, SPEC) is None
    joined = await store.link("b", ("tpl:7",), T0 + 1900, SPEC)
    assert joined is not None
    assert joined.window("hour") == WindowCounts(4, 4, 0, 0, (0, 0, 1, 2))
    later = await store.observe("a", obs(T0 + 2800, 5), SPEC)  # bucket 3
    assert later.campaign is not None
    assert later.campaign.window("hour") == WindowCounts(5, 5, 0, 0, (0, 1, 2, 1))
    assert later.window("hour") == WindowCounts(3, 3, 0, 0, (0, 1, 1, 0))  # "a" alone
    found = await store.campaign_of("b", T0 + 4600, SPEC)  # bucket 5: bucket 0 slid out
    assert found is not None
    assert found.window("hour") == WindowCounts(4, 4, 0, 0, (2, 1, 1, 0))
    assert found.window("day") == WindowCounts(5, 5, 0, 0, QUIET_DAY)


async def test_a_campaign_of_twenty_thousand_keys_counts_them_all(patient_store: Store) -> None:
    """A reported campaign used 24,000+ keys, each under every per-key limit: each joins with
    the same one call, whatever the campaign's size, and the campaign counts every member, its
    requests and their union coverage (more keys than the store keeps state for, here)."""
    spec = SketchSpec((DAY,), precision=7)
    n, batch = 20_001, 8  # keys join concurrently, as many instances' requests would
    rng = random.Random(7)
    cells = [rng.getrandbits(64) for _ in range(n)]  # 64-bit hashes, as the featurizer's

    async def join(i: int) -> None:
        joining = Observation(T0 + i * 0.001, cells[i], links=("f",))
        await patient_store.observe(f"k{i}", joining, spec)

    for start in range(0, n, batch):
        await asyncio.gather(*(join(i) for i in range(start, min(n, start + batch))))
    first = await patient_store.campaign_of("k0", T0 + 30, spec)
    last = await patient_store.campaign_of(f"k{n - 1}", T0 + 30, spec)
    assert first is not None and last is not None
    assert (first.id, first.keys) == (last.id, n)
    day = last.window("day")
    assert day.requests == n
    assert abs(day.distinct_cells - n) < 0.25 * n  # HyperLogLog of 128 registers: ~9% error


async def test_campaign_ids_do_not_reveal_key_ids(store: Store) -> None:
    await store.observe("k_secretish", Observation(T0, 1, links=("f",)), SPEC)
    state = await store.observe("k_other", Observation(T0, 2, links=("f",)), SPEC)
    assert state.campaign is not None
    assert state.campaign.id.startswith("c-") and "secretish" not in state.campaign.id
