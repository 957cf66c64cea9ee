"""observe() latency and throughput of the memory store against the Redis store, side by side.

Run: ``.venv/bin/python benchmarks/store.py [--redis redis://127.0.0.1:6379/0] [--calls 5000]
[--keys 1000] [--concurrency 32]``

Both stores get the same calls: the policy's default windows (an hour in 4 buckets, a day in
6, a week in 7), one rate limit, ``--keys`` keys each asking for random cells a few seconds
apart. Two workloads: ``plain`` (what the pipeline sends today) and ``full`` (a ring of 8
request records and two campaign link features per request, from 50 shared templates).

* latency: one call at a time, the wall time of each ``await store.observe(...)``, p50 and
  p99 (for Redis: a loopback round trip, redis-py, and the Lua script);
* throughput: ``--concurrency`` tasks calling at once, calls per second over the run (the
  memory store never awaits, so concurrency changes nothing for it);
* Redis memory: the server's ``used_memory`` growth over the run, per key observed;
* a campaign's growth: ``--campaign`` new keys (25,000 by default: a reported campaign used
  24,000+) each joining one campaign through one shared link feature, the p50 latency of the
  first and the last thousand joins side by side (flat: a join costs the same whatever the
  campaign's size), and the campaign's key count and union coverage at the end.

The Redis store uses a prefix of its own, deleted at the end; the server is never flushed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis.asyncio

from guard.store import Observation, RateLimit, SketchSpec, Store, Window, open_store

SPEC = SketchSpec(
    (Window("hour", 3600, 4), Window("day", 86400, 6), Window("week", 604800, 7)), precision=7
)
FULL = SketchSpec(SPEC.windows, precision=7, ring=8)
LIMITS = (RateLimit("minute", limit=60, period=60, burst=20),)
T0 = 1_764_201_600.0

Workload = list[tuple[str, Observation]]


def workload(calls: int, keys: int, full: bool, seed: int) -> Workload:
    rng = random.Random(seed)
    now = T0
    out: Workload = []
    for _ in range(calls):
        now += rng.expovariate(1 / 3)
        key = f"sk-{rng.randrange(keys):06d}"
        links: tuple[str, ...] = ()
        record = b""
        if full:
            links = (f"tpl:{rng.randrange(50)}", f"sys:{rng.randrange(50)}")
            record = rng.randbytes(28)
        obs = Observation(now, rng.getrandbits(64), rng.randrange(20, 2000), LIMITS, record, links)
        out.append((key, obs))
    return out


async def latencies(store: Store, calls: Workload, spec: SketchSpec) -> list[float]:
    timer = time.perf_counter
    out = []
    for key, obs in calls:
        start = timer()
        await store.observe(key, obs, spec)
        out.append(timer() - start)
    return out


async def throughput(store: Store, calls: Workload, spec: SketchSpec, tasks: int) -> float:
    queue = iter(calls)

    async def worker() -> None:
        for key, obs in queue:
            await store.observe(key, obs, spec)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(tasks)))
    return len(calls) / (time.perf_counter() - start)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def used_memory(url: str) -> int:
    client = redis.asyncio.Redis.from_url(url)
    try:
        return int((await client.info("memory"))["used_memory"])
    finally:
        await client.aclose()


async def drop_prefix(url: str, prefix: str) -> None:
    client = redis.asyncio.Redis.from_url(url)
    try:
        for pattern in (f"{prefix}:*", f"{{{prefix}:*"):
            names = [k async for k in client.scan_iter(match=pattern, count=1000)]
            for i in range(0, len(names), 500):
                await client.delete(*names[i : i + 500])
    finally:
        await client.aclose()


async def run(args: argparse.Namespace) -> None:
    prefix = f"guardbench-{uuid.uuid4().hex[:8]}"
    stores: dict[str, Callable[[], Store]] = {
        "memory": lambda: open_store(f"memory://?max_keys={args.keys}"),
        "redis": lambda: open_store(f"{args.redis}?prefix={prefix}&timeout=2"),
    }
    header = f"{'workload':<8} {'store':<7} {'p50 us':>8} {'p99 us':>8} {'calls/s 1':>10}"
    print(header + f" {'calls/s ' + str(args.concurrency):>11} {'redis B/key':>12}")
    try:
        for full in (False, True):
            name = "full" if full else "plain"
            spec = FULL if full else SPEC
            for backend, make in stores.items():
                await drop_prefix(args.redis, prefix)
                before = await used_memory(args.redis) if backend == "redis" else 0
                store = make()
                try:
                    await latencies(store, workload(200, args.keys, full, 99), spec)  # warm up
                    lat = await latencies(store, workload(args.calls, args.keys, full, 1), spec)
                    calls = workload(args.calls, args.keys, full, 2)
                    rate = await throughput(store, calls, spec, args.concurrency)
                finally:
                    await store.close()
                per_key = ""
                if backend == "redis":
                    grown = await used_memory(args.redis) - before
                    per_key = f"{grown / args.keys:,.0f}"
                print(
                    f"{name:<8} {backend:<7} {statistics.median(lat) * 1e6:>8.0f} "
                    f"{percentile(lat, 0.99) * 1e6:>8.0f} {1 / statistics.fmean(lat):>10,.0f} "
                    f"{rate:>11,.0f} {per_key:>12}"
                )
        await campaign_growth(stores, args)
    finally:
        await drop_prefix(args.redis, prefix)


async def campaign_growth(stores: dict[str, Callable[[], Store]], args: argparse.Namespace) -> None:
    n = args.campaign
    print(f"\n{n:,} keys joining one campaign, one request each (p50 of a join):")
    print(f"{'store':<7} {'first 1,000 us':>15} {'last 1,000 us':>14} {'keys':>7} {'coverage':>9}")
    for backend, make in stores.items():
        store = make()  # the Redis store's prefix is dropped when the run ends
        try:
            rng = random.Random(3)  # cells are 64-bit hashes, as the featurizer makes them
            calls = [
                (
                    f"sy-{i:06d}",
                    Observation(T0 + i, rng.getrandbits(64), 500, LIMITS, b"", ("tpl:campaign",)),
                )
                for i in range(n)
            ]
            lat = await latencies(store, calls, SPEC)
            found = await store.campaign_of(calls[0][0], T0 + n, SPEC)
        finally:
            await store.close()
        keys, cells = (found.keys, found.window("week").distinct_cells) if found else (0, 0)
        print(
            f"{backend:<7} {statistics.median(lat[:1000]) * 1e6:>15.0f} "
            f"{statistics.median(lat[-1000:]) * 1e6:>14.0f} {keys:>7,} {cells:>9,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--campaign", type=int, default=25_000, help="keys joining one campaign")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
