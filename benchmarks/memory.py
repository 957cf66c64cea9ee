"""Memory per tracked key and observe() throughput of the in-memory store.

Run: ``.venv/bin/python benchmarks/memory.py [--keys 10000 100000] [--seed 0] [--direct]``

For each key count, every key sends a realistic burst of activity (its number of distinct
cells log-uniform in 1..200, each asked once plus up to half as many repeats, a minute apart
on average, starting anywhere in one week), through two stores side by side:

* ``guard``: :class:`guard.store.memory.MemoryStore` with the default windows (an hour in 4
  buckets, a day in 6, a week in 7) at precision 7;
* ``naive``: the exact baseline, one Python ``set`` of cells per bucket of every window, the
  distinct count being the size of the union of the live buckets.

Memory is what ``tracemalloc`` sees allocated for the loaded store, divided by the number of
keys (see :func:`rebuilt`; ``--direct`` also traces the first load itself, which agreed within
2%). Throughput is measured without tracemalloc over the first key count's traffic, then over
a few heavy keys: calls per second of ``await MemoryStore.observe`` (what the pipeline pays),
of ``KeySketch.observe`` alone, and of the naive baseline's ``observe``, whose cost grows with
the cells in a window where the sketch's does not.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import math
import pickle
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guard.models import WindowCounts
from guard.sketches.windows import KeySketch
from guard.store.base import Observation, SketchSpec, Window
from guard.store.memory import MemoryStore

SPEC = SketchSpec(
    (Window("hour", 3600, 4), Window("day", 86400, 6), Window("week", 604800, 7)), precision=7
)
T0 = 1_764_201_600.0
Event = tuple[float, int, int]  # (now, cell, input tokens)
T = TypeVar("T")


def traffic(keys: int, seed: int, cells: int | None = None) -> Iterator[tuple[str, list[Event]]]:
    """Each key's requests, in time order; ``cells`` fixes every key's distinct cells."""
    rng = random.Random(seed)
    for k in range(keys):
        distinct = cells or math.ceil(math.exp(rng.uniform(0.0, math.log(200.0))))
        pool = [rng.getrandbits(64) for _ in range(distinct)]
        requests = pool + [rng.choice(pool) for _ in range(rng.randrange(distinct // 2 + 1))]
        rng.shuffle(requests)
        now = T0 + rng.uniform(0.0, 604800.0)
        events = []
        for cell in requests:
            now += rng.expovariate(1 / 60)
            events.append((now, cell, rng.randrange(20, 2000)))
        yield f"sk-{seed}-{k:07d}", events


class NaiveBucket:
    __slots__ = ("cells", "input", "output", "requests")

    def __init__(self) -> None:
        self.cells: set[int] = set()
        self.requests = self.input = self.output = 0


class NaiveKey:
    """Exact sliding windows: a set of cells and three counters per bucket."""

    __slots__ = ("windows",)

    def __init__(self) -> None:
        self.windows: list[dict[int, NaiveBucket]] = [{} for _ in SPEC.windows]

    def observe(self, cell: int, now: float, input_tokens: int) -> dict[str, WindowCounts]:
        counts = {}
        for window, buckets in zip(SPEC.windows, self.windows, strict=True):
            epoch = int(now // window.bucket_seconds)
            for old in [e for e in buckets if e < epoch - window.buckets]:
                del buckets[old]
            bucket = buckets.get(epoch)
            if bucket is None:
                bucket = buckets[epoch] = NaiveBucket()
            bucket.cells.add(cell)
            bucket.requests += 1
            bucket.input += input_tokens
            live = buckets.values()
            counts[window.name] = WindowCounts(
                len(set().union(*(b.cells for b in live))),
                sum(b.requests for b in live),
                sum(b.input for b in live),
                sum(b.output for b in live),
            )
        return counts


async def load_guard(keys: int, seed: int) -> tuple[MemoryStore, int]:
    store = MemoryStore(max_keys=keys)
    requests = 0
    for key, events in traffic(keys, seed):
        for now, cell, tokens in events:
            await store.observe(key, Observation(now, cell, tokens), SPEC)
        requests += len(events)
    return store, requests


def load_naive(keys: int, seed: int) -> dict[str, NaiveKey]:
    store: dict[str, NaiveKey] = {}
    for key, events in traffic(keys, seed):
        naive = store[key] = NaiveKey()
        for now, cell, tokens in events:
            naive.observe(cell, now, tokens)
    return store


def traced(load: Callable[[], T]) -> tuple[T, int]:
    """What ``load()`` returns, and the bytes it still holds as tracemalloc sees them."""
    gc.collect()
    tracemalloc.start()
    result = load()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return result, held


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: object) -> object:
        # Pickle would copy an int or float once per reference to it: keep the original's
        # sharing instead (a cell id in three windows' sets is one object, not three).
        if type(obj) is int or type(obj) is float:
            return f"{type(obj).__name__} {id(obj)} {obj!r}"  # a str: not itself persisted
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.shared: dict[int, object] = {}

    def persistent_load(self, pid: object) -> object:
        assert isinstance(pid, str)
        kind, ident, value = pid.split()
        shared = self.shared.get(int(ident))
        if shared is None:
            shared = self.shared[int(ident)] = int(value) if kind == "int" else float(value)
        return shared


def rebuilt(state: object) -> int:
    """The bytes tracemalloc sees allocated when ``state`` is rebuilt from a pickle.

    Unpickling allocates the same objects, shared ones once, so this measures a loaded store
    without tracing every transient allocation of its load, which runs many times slower:
    ``--direct`` checks it against tracing the load itself.
    """
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    data = buffer.getvalue()
    del buffer

    def load() -> object:
        unpickler = _Unpickler(data)
        return unpickler.load()  # the unpickler and its table are freed on return

    copy, held = traced(load)
    del copy
    return held


def memory(keys: int, seed: int, direct: bool) -> None:
    guard, requests = asyncio.run(load_guard(keys, seed))
    assert len(guard) == keys
    guard_bytes = rebuilt(guard)
    del guard
    naive_bytes = rebuilt(load_naive(keys, seed))
    line = (
        f"{keys:>8,} keys  {requests / keys:5.1f} req/key   "
        f"guard {guard_bytes / keys:6,.0f} B/key   naive {naive_bytes / keys:6,.0f} B/key"
    )
    if direct:
        (store, _), traced_guard = traced(lambda: asyncio.run(load_guard(keys, seed)))
        del store
        naive, traced_naive = traced(lambda: load_naive(keys, seed))
        del naive
        line += (
            f"   (tracing the load itself: guard {traced_guard / keys:6,.0f}, "
            f"naive {traced_naive / keys:6,.0f})"
        )
    print(line, flush=True)


def throughput(title: str, events: list[tuple[str, Event]]) -> None:
    n = len(events)
    keys = len({key for key, _ in events})

    async def via_store() -> float:
        store = MemoryStore(max_keys=keys)
        start = time.perf_counter()
        for key, (now, cell, tokens) in events:
            await store.observe(key, Observation(now, cell, tokens), SPEC)
        return time.perf_counter() - start

    def via(factory: Callable[[float], KeySketch | NaiveKey]) -> float:
        objects: dict[str, KeySketch | NaiveKey] = {}
        start = time.perf_counter()
        for key, (now, cell, tokens) in events:
            obj = objects.get(key)
            if obj is None:
                obj = objects[key] = factory(now)
            obj.observe(cell, now, tokens)
        return time.perf_counter() - start

    timings = [
        ("guard MemoryStore.observe", asyncio.run(via_store())),
        ("guard KeySketch.observe", via(lambda now: KeySketch(SPEC, now))),
        ("naive exact sets", via(lambda now: NaiveKey())),
    ]
    print(f"observe() throughput, {title}: {n:,} requests from {keys:,} keys", flush=True)
    for name, seconds in timings:
        print(f"  {name:<26} {n / seconds:>9,.0f} calls/s  {seconds / n * 1e6:7.1f} us/call")


def accuracy(keys: int, seed: int) -> None:
    """Week-window distinct counts of guard against the exact ones, on the same traffic."""
    errors = []
    for _, events in traffic(keys, seed):
        sketch = KeySketch(SPEC, events[0][0])
        naive = NaiveKey()
        for now, cell, tokens in events:
            got = sketch.observe(cell, now, tokens)["week"].distinct_cells
            exact = naive.observe(cell, now, tokens)["week"].distinct_cells
        errors.append(abs(got - exact) / exact)
    errors.sort()
    print(
        f"week distinct cells vs exact over {keys:,} keys: median relative error "
        f"{errors[len(errors) // 2]:.1%}, p95 {errors[int(len(errors) * 0.95)]:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--direct",
        action="store_true",
        help="also trace the first key count's load itself, to check the rebuild (slow)",
    )
    args = parser.parse_args()
    print(f"payload per key (KeySketch.nbytes, default spec): {KeySketch(SPEC, T0).nbytes():,} B")
    print("memory per tracked key (tracemalloc):")
    for i, keys in enumerate(args.keys):
        memory(keys, args.seed, direct=i == 0 and args.direct)
    realistic = traffic(args.keys[0], args.seed + 1)
    throughput("realistic keys", [(key, e) for key, events in realistic for e in events])
    heavy = traffic(10, args.seed + 3, cells=3000)
    throughput("heavy keys (3,000 cells)", [(key, e) for key, events in heavy for e in events])
    accuracy(min(args.keys[0], 2000), args.seed + 2)


if __name__ == "__main__":
    main()
