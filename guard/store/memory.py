"""The in-process store: per-key sketches in a bounded LRU cache.

Everything a key owns (its :class:`~guard.sketches.windows.KeySketch`, its GCRA arrival times,
its metadata) hangs off one entry in a ``cachetools.LRUCache`` of ``max_keys`` entries, so the
store's memory is bounded by ``max_keys`` times the size of one entry: the least recently
active key is dropped first. Writes (observe, record, rate) are activity; reads (state, meta,
keys, union_coverage) are not, so an admin listing every key does not reorder eviction.

A key silent for longer than its spec's horizon (and with no rate limit still recovering) is
worth nothing: it is treated as new when next seen, and dropped when next read.

The methods are coroutines for the :class:`~guard.store.base.Store` interface but never await:
on one event loop each call runs from read to write without interruption, which is what makes
it atomic.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from cachetools import Cache, LRUCache

from guard.models import KeyState, RateResult, WindowCounts
from guard.sketches.gcra import gcra, peek
from guard.sketches.hll import estimate_registers, max_registers
from guard.sketches.windows import KeySketch, SketchLayout, layout
from guard.store.base import Observation, RateLimit, SketchSpec, Store

__all__ = ["MAX_LIMITS", "MAX_META", "MemoryStore"]

MAX_META = 32
"""Metadata entries kept per key; the oldest written go first."""

MAX_LIMITS = 16
"""Rate-limit arrival times kept per key; recovered ones go first, then the oldest."""


class _Entry:
    """Everything one key owns."""

    __slots__ = ("last", "meta", "seq", "sketch", "tats")

    def __init__(self, now: float) -> None:
        self.sketch: KeySketch | None = None
        self.tats: dict[str, float] | None = None
        self.meta: dict[str, Any] | None = None
        self.last = now  # latest activity
        self.seq = 0  # activity order, for keys()

    def expired(self, now: float) -> bool:
        sketch = self.sketch
        if sketch is not None and now - self.last <= sketch.layout.horizon:
            return False
        tats = self.tats
        return not tats or max(tats.values()) <= now


class _Entries(LRUCache[str, _Entry]):
    def peek(self, key: str) -> _Entry | None:
        """The entry without refreshing its recency: reads are not activity."""
        if key in self:
            return Cache.__getitem__(self, key)
        return None


class MemoryStore(Store):
    """Keeps at most ``max_keys`` keys in process; nothing is shared between processes."""

    def __init__(self, max_keys: int = 100_000) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, not {max_keys}.")
        self.max_keys = max_keys
        self._entries = _Entries(maxsize=max_keys)
        self._seq = 0
        self._clock = float("-inf")  # the latest time any call gave: judges expiry in meta/keys
        self._last_layout: SketchLayout | None = None

    def __len__(self) -> int:
        return len(self._entries)

    async def observe(self, key: str, obs: Observation, spec: SketchSpec) -> KeyState:
        now = obs.now
        lay = self._layout(spec)
        entry = self._live(key, now)
        rates: dict[str, RateResult] = {}
        tats: dict[str, float] = {}
        if obs.rate_limits:
            rates, tats = _check(entry.tats if entry else None, obs.rate_limits, now)
        entry = self._write(key, now, entry)
        windows = _sketch(entry, lay, now).observe(obs.cell, now, obs.input_tokens)
        if tats:
            _store_tats(entry, tats, now)
        return KeyState(windows=windows, rates=rates)

    async def rate(self, key: str, limit: RateLimit, now: float) -> RateResult:
        entry = self._live(key, now)
        result, tat = gcra(entry.tats.get(limit.name) if entry and entry.tats else None, now, limit)
        entry = self._write(key, now, entry)
        if result.allowed:
            _store_tats(entry, {limit.name: tat}, now)
        return result

    async def record(
        self,
        key: str,
        now: float,
        spec: SketchSpec,
        *,
        output_tokens: int = 0,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        lay = self._layout(spec)
        entry = self._write(key, now, self._live(key, now))
        sketch = _sketch(entry, lay, now)
        if output_tokens:
            sketch.record(now, output_tokens)
        if meta:
            kept = entry.meta
            if kept is None:
                kept = entry.meta = {}
            for name, value in meta.items():
                kept.pop(name, None)  # re-inserted last: the newest survive the cap
                kept[name] = value
            while len(kept) > MAX_META:
                del kept[next(iter(kept))]

    async def state(self, key: str, now: float, spec: SketchSpec) -> KeyState | None:
        lay = self._layout(spec)
        entry = self._live(key, now)
        if entry is None:
            return None
        sketch = entry.sketch
        if sketch is None or not _fits(sketch, lay):
            return KeyState(windows={w.name: WindowCounts() for w in spec.windows})
        return KeyState(windows=sketch.counts(now))

    async def union_coverage(
        self, keys: Sequence[str], window: str, now: float, spec: SketchSpec
    ) -> int:
        lay = self._layout(spec)
        if window not in lay.index:
            known = ", ".join(repr(w.name) for w in spec.windows)
            raise ValueError(f"Unknown window {window!r}: the spec has {known}.")
        m = lay.m
        merged = 0
        requests = 0
        for key in dict.fromkeys(keys):
            entry = self._live(key, now)
            if entry is None or entry.sketch is None or not _fits(entry.sketch, lay):
                continue
            registers, n = entry.sketch.snapshot(window, now)
            if n:
                value = int.from_bytes(registers, "little")
                merged = max_registers(merged, value, m) if merged else value
                requests += n
        if not requests:
            return 0
        distinct = round(estimate_registers(merged.to_bytes(m, "little"), lay.p))
        return min(distinct, requests)

    async def meta(self, key: str) -> dict[str, Any] | None:
        entry = self._entries.peek(key)
        if entry is None or entry.meta is None or entry.expired(self._clock):
            return None
        return dict(entry.meta)

    async def keys(self, limit: int = 1000) -> list[str]:
        if limit <= 0:
            return []
        clock = self._clock
        peek_entry = self._entries.peek
        live = (
            (entry.seq, key)
            for key in self._entries
            if (entry := peek_entry(key)) is not None and not entry.expired(clock)
        )
        return [key for _, key in heapq.nlargest(limit, live)]

    async def close(self) -> None:
        self._entries.clear()

    def _layout(self, spec: SketchSpec) -> SketchLayout:
        lay = self._last_layout
        if lay is None or lay.spec is not spec:  # the pipeline passes the same spec each time
            lay = self._last_layout = layout(spec)
        return lay

    def _live(self, key: str, now: float) -> _Entry | None:
        """The key's entry unless absent or expired (expired ones are dropped)."""
        if now > self._clock:
            self._clock = now
        entry = self._entries.peek(key)
        if entry is not None and entry.expired(now):
            del self._entries[key]
            return None
        return entry

    def _write(self, key: str, now: float, entry: _Entry | None) -> _Entry:
        """Mark activity on ``entry`` (a new one if ``None``), evicting the LRU key if full."""
        if entry is None:
            entry = _Entry(now)
        elif now > entry.last:
            entry.last = now
        self._entries[key] = entry
        self._seq += 1
        entry.seq = self._seq
        return entry


def _fits(sketch: KeySketch, lay: SketchLayout) -> bool:
    return sketch.layout is lay or sketch.layout.spec == lay.spec


def _sketch(entry: _Entry, lay: SketchLayout, now: float) -> KeySketch:
    """The entry's sketch, started afresh if missing or kept for another spec."""
    sketch = entry.sketch
    if sketch is None or not _fits(sketch, lay):
        sketch = entry.sketch = KeySketch(lay, now)
    return sketch


def _check(
    tats: Mapping[str, float] | None, limits: Sequence[RateLimit], now: float
) -> tuple[dict[str, RateResult], dict[str, float]]:
    """Check every limit; all are consumed if all allow, none otherwise.

    A request refused by one limit is not served, so it must not eat the others' budgets
    either; those report what they would still allow (``peek``). Returns the results and the
    arrival times to store (empty when refused).
    """
    tats = tats or {}
    results: dict[str, RateResult] = {}
    new: dict[str, float] = {}
    for limit in limits:
        results[limit.name], new[limit.name] = gcra(tats.get(limit.name), now, limit)
    if all(r.allowed for r in results.values()):
        return results, new
    for limit in limits:
        if results[limit.name].allowed:
            results[limit.name] = peek(tats.get(limit.name), now, limit)
    return results, {}


def _store_tats(entry: _Entry, new: Mapping[str, float], now: float) -> None:
    tats = entry.tats
    if tats is None:
        tats = entry.tats = {}
    tats.update(new)
    if len(tats) > MAX_LIMITS:
        for name in [n for n, t in tats.items() if t <= now and n not in new]:
            del tats[name]
        while len(tats) > MAX_LIMITS:
            del tats[next(iter(tats))]
