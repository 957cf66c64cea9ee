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
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import mmh3
from cachetools import Cache, LRUCache

from guard.models import CampaignState, KeyState, RateResult, WindowCounts
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

    __slots__ = ("last", "meta", "ring", "seq", "sketch", "tats")

    def __init__(self, now: float) -> None:
        self.sketch: KeySketch | None = None
        self.ring: deque[bytes] | None = None
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


K = TypeVar("K")
V = TypeVar("V")


class _LRU(LRUCache[K, V]):
    def peek(self, key: K) -> V | None:
        """The value without refreshing its recency: reads are not activity."""
        if key in self:
            return Cache.__getitem__(self, key)
        return None


class _Group:
    """A campaign, kept at its union-find root: member count and union sketch."""

    __slots__ = ("size", "sketch")

    def __init__(self, size: int, sketch: KeySketch) -> None:
        self.size = size
        self.sketch = sketch


_MAX_PATH = 64  # a parent chain longer than this (evictions can leave odd shapes) is cut


def campaign_id(root: str) -> str:
    """A campaign's public id, derived from its root key id (which it must not reveal)."""
    return "c-" + format(mmh3.hash64(root, 0x43, signed=False)[0], "016x")[:10]


class MemoryStore(Store):
    """Keeps at most ``max_keys`` keys in process; nothing is shared between processes."""

    def __init__(self, max_keys: int = 100_000) -> None:
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, not {max_keys}.")
        self.max_keys = max_keys
        self._entries: _LRU[str, _Entry] = _LRU(maxsize=max_keys)
        # Campaign linking, bounded like the keys: union-find parents, feature owners, groups.
        self._parent: LRUCache[str, str] = LRUCache(maxsize=max_keys)
        self._owners: LRUCache[str, str] = LRUCache(maxsize=4 * max_keys)
        self._groups: _LRU[str, _Group] = _LRU(maxsize=max(16, max_keys // 4))
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
        root = self._link(key, obs.links, now, lay) if obs.links else self._root(key)
        windows = _sketch(entry, lay, now).observe(obs.cell, now, obs.input_tokens)
        if tats:
            _store_tats(entry, tats, now)
        recent: tuple[bytes, ...] = ()
        if spec.ring and obs.record:
            ring = entry.ring
            if ring is None or ring.maxlen != spec.ring:
                ring = entry.ring = deque(ring or (), maxlen=spec.ring)
            ring.appendleft(obs.record)
            recent = tuple(ring)
        campaign = None
        group = self._groups.get(root) if root is not None else None
        if group is not None and group.size > 1 and root is not None:
            if not _fits(group.sketch, lay):
                group.sketch = KeySketch(lay, now)
            counts = group.sketch.observe(obs.cell, now, obs.input_tokens)
            campaign = CampaignState(campaign_id(root), group.size, counts)
        return KeyState(windows=windows, rates=rates, recent=recent, campaign=campaign)

    async def link(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec
    ) -> CampaignState | None:
        return self._linked(key, links, now, spec, 0)

    async def join(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec, min_keys: int
    ) -> CampaignState | None:
        return self._linked(key, links, now, spec, max(1, min_keys))

    def _linked(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec, join: int
    ) -> CampaignState | None:
        lay = self._layout(spec)
        if now > self._clock:
            self._clock = now
        root = self._link(key, links, now, lay, join)
        group = self._groups.get(root)
        if group is None or group.size < 2:
            return None
        return CampaignState(campaign_id(root), group.size, _group_counts(group, lay, now))

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
        suspect: bool = False,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        lay = self._layout(spec)
        entry = self._write(key, now, self._live(key, now))
        sketch = _sketch(entry, lay, now)
        if output_tokens or suspect:
            sketch.record(now, output_tokens, int(suspect))
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
        recent = tuple(entry.ring) if entry.ring else ()
        campaign = await self.campaign_of(key, now, spec)
        if sketch is None or not _fits(sketch, lay):
            windows = {w.name: WindowCounts() for w in spec.windows}
            return KeyState(windows=windows, recent=recent, campaign=campaign)
        return KeyState(windows=sketch.counts(now), recent=recent, campaign=campaign)

    async def campaigns(
        self, now: float, spec: SketchSpec, limit: int = 100
    ) -> list[CampaignState]:
        lay = self._layout(spec)
        groups = [
            (group.size, root, group)
            for root in list(self._groups)
            if (group := self._groups.peek(root)) is not None and group.size > 1
        ]
        largest = heapq.nlargest(limit, groups, key=lambda item: (item[0], item[1]))
        return [
            CampaignState(campaign_id(root), size, _group_counts(group, lay, now))
            for size, root, group in largest
        ]

    async def campaign_of(self, key: str, now: float, spec: SketchSpec) -> CampaignState | None:
        root = self._root(key)
        if root is None:
            return None
        group = self._groups.get(root)
        if group is None or group.size < 2:
            return None
        return CampaignState(
            campaign_id(root), group.size, _group_counts(group, self._layout(spec), now)
        )

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

    # Campaign linking: union-find over keys, bounded by LRU caches -----------------------------

    def _root(self, key: str) -> str | None:
        """The key's union-find root, or ``None`` if it was never linked."""
        if key not in self._parent:
            return None
        return self._find(key)

    def _find(self, key: str) -> str:
        parent = self._parent
        path: list[str] = []
        node = key
        while True:
            up = parent.get(node)
            if up is None:
                parent[node] = node
                break
            if up == node or len(path) >= _MAX_PATH:
                break
            path.append(node)
            node = up
        for member in path:
            parent[member] = node  # path compression
        return node

    def _link(
        self, key: str, links: Sequence[str], now: float, lay: SketchLayout, join: int = 0
    ) -> str:
        """Claim unowned features and join their owners' campaigns; with ``join`` above 0,
        claim nothing and join only campaigns of at least that many keys (and two)."""
        root = self._find(key)
        owners = self._owners
        for feature in links:
            owner = owners.get(feature)
            if owner is None:
                if not join:
                    owners[feature] = key
                continue
            if owner == key:
                continue
            other = self._find(owner)
            if other == root:
                continue
            if join:
                group = self._groups.get(other)
                if group is None or group.size < max(2, join):
                    continue
            root = self._union(root, other, now, lay)
        return root

    def _union(self, a: str, b: str, now: float, lay: SketchLayout) -> str:
        """Join two roots; the larger group absorbs the smaller, sketches included."""
        groups = self._groups
        group_a, group_b = groups.get(a), groups.get(b)
        size_a = group_a.size if group_a else 1
        size_b = group_b.size if group_b else 1
        if size_a < size_b:
            a, b, group_a, group_b, size_a, size_b = b, a, group_b, group_a, size_b, size_a
        self._parent[b] = a
        sketch = group_a.sketch if group_a else self._member_sketch(a, lay, now)
        absorbed = group_b.sketch if group_b else self._member_sketch(b, lay, now)
        if _fits(sketch, lay) and _fits(absorbed, lay):
            sketch.merge(absorbed, now)
        if group_b is not None:
            groups.pop(b, None)
        if group_a is None:
            groups[a] = _Group(size_a + size_b, sketch)
        else:
            group_a.size = size_a + size_b
        return a

    def _member_sketch(self, key: str, lay: SketchLayout, now: float) -> KeySketch:
        """A copy of a single key's sketch, to seed or join a campaign's."""
        entry = self._entries.peek(key)
        if entry is not None and entry.sketch is not None and _fits(entry.sketch, lay):
            return entry.sketch.copy()
        return KeySketch(lay, now)

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


def _group_counts(group: _Group, lay: SketchLayout, now: float) -> dict[str, WindowCounts]:
    if not _fits(group.sketch, lay):
        return {w.name: WindowCounts() for w in lay.spec.windows}
    return group.sketch.counts(now)


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
