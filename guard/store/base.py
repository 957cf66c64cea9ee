"""The state interface every backend implements.

Algorithms (sketch windows, budgets, rate limits) are specified here as data and executed by
the backend, so that one request costs one round trip: an in-memory backend runs them in
process, the Redis backend maps each call onto one Lua script or pipeline (PFADD/PFCOUNT for
coverage, INCRBY with expiry for counters, GCRA for rates). Every backend failure surfaces as
:class:`guard.errors.StoreError`; the pipeline decides whether to fail open or closed.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from guard.models import CampaignState, KeyState, RateResult

__all__ = ["Observation", "RateLimit", "SketchSpec", "Store", "Window"]


@dataclass(frozen=True, slots=True)
class Window:
    """A sliding window made of ``buckets`` sub-windows.

    The window slides by ``seconds / buckets``: a count covers between ``seconds`` and
    ``seconds * (1 + 1 / buckets)`` of history, which is what bounds its memory.
    """

    name: str
    seconds: float
    buckets: int = 6

    @property
    def bucket_seconds(self) -> float:
        return self.seconds / self.buckets


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A GCRA limit: ``limit`` requests per ``period`` seconds, bursting up to ``burst``."""

    name: str
    limit: float
    period: float
    burst: int = 1

    @property
    def interval(self) -> float:
        """Seconds between requests at the sustained rate (the GCRA emission interval)."""
        return self.period / self.limit


@dataclass(frozen=True, slots=True)
class SketchSpec:
    """Which windows a backend keeps per key, and the HyperLogLog precision (2**p registers)."""

    windows: tuple[Window, ...]
    precision: int = 7
    ring: int = 0  # request records kept per key (KeyState.recent)

    @property
    def horizon(self) -> float:
        """Seconds after which a silent key's state is worthless and may be dropped."""
        return max((w.seconds + w.bucket_seconds for w in self.windows), default=0.0)


@dataclass(frozen=True, slots=True)
class Observation:
    """What one request adds to its key's state."""

    now: float
    cell: int  # semantic cell id (unsigned 64-bit), counted in the coverage HyperLogLogs
    input_tokens: int = 0
    rate_limits: tuple[RateLimit, ...] = ()  # checked (and consumed) in the same round trip
    record: bytes = b""  # pushed onto the key's ring of recent requests (SketchSpec.ring)
    links: tuple[str, ...] = ()  # campaign link features: keys sharing one are linked


class Store(abc.ABC):
    """Per-key sketch state, bounded in memory, shared by every instance that uses it."""

    @abc.abstractmethod
    async def observe(self, key: str, obs: Observation, spec: SketchSpec) -> KeyState:
        """Count one request for ``key`` and return its state including that request.

        Adds ``obs.cell`` to each window's coverage sketch, adds one request and
        ``obs.input_tokens`` to each window's counters, and checks every rate limit in
        ``obs.rate_limits`` (a request refused by any limit consumes none of them).

        Pushes ``obs.record`` (if any) onto the key's ring of the last ``spec.ring`` records.

        Campaigns: each feature in ``obs.links`` is owned by the first key seen with it; the
        key is linked (union-find) with the owner of each of its features. When the key belongs
        to a campaign of two or more keys, the request is also counted in the campaign's
        windows (a key joining brings its history; two campaigns joining merge theirs) and
        ``KeyState.campaign`` reports it.
        """

    @abc.abstractmethod
    async def link(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec
    ) -> CampaignState | None:
        """Link ``key`` through ``links`` as :meth:`observe` does with ``Observation.links``,
        counting nothing, and return the key's campaign (``None`` while it is alone).

        For link features that only become meaningful once a key has shown them as a habit
        (the pipeline decides that from the key's ring after observing the request): the
        joining key brings its history, the current request included, into the campaign.
        """

    @abc.abstractmethod
    async def join(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec, min_keys: int
    ) -> CampaignState | None:
        """Join ``key`` to a campaign of at least ``min_keys`` keys (and two) that already links
        through one of ``links``, claiming none of them, and return the key's campaign
        (``None`` while it is alone).

        For a key's first request, before any feature can be its habit: a throw-away key whose
        first prompt fills an established campaign's template is one more of its keys. A
        feature that links no such campaign is left alone, so a stranger who happens to share
        a frame with one other key links nobody.
        """

    @abc.abstractmethod
    async def rate(self, key: str, limit: RateLimit, now: float) -> RateResult:
        """Check and consume one request against ``limit`` (used by adaptive throttling)."""

    @abc.abstractmethod
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
        """Account for a finished response: output tokens, whether its request was suspect
        (``WindowCounts.suspect``), and merge ``meta`` into the key's metadata (last score,
        last action, ...), which lives as long as the key's sketches."""

    @abc.abstractmethod
    async def state(self, key: str, now: float, spec: SketchSpec) -> KeyState | None:
        """The key's current state without counting anything; ``None`` if it is not tracked."""

    @abc.abstractmethod
    async def union_coverage(
        self, keys: Sequence[str], window: str, now: float, spec: SketchSpec
    ) -> int:
        """Distinct cells the given keys covered together in ``window`` (a merged HLL)."""

    @abc.abstractmethod
    async def campaigns(
        self, now: float, spec: SketchSpec, limit: int = 100
    ) -> list[CampaignState]:
        """Up to ``limit`` campaigns of two or more keys, largest first."""

    @abc.abstractmethod
    async def campaign_of(self, key: str, now: float, spec: SketchSpec) -> CampaignState | None:
        """The campaign ``key`` belongs to, without counting anything."""

    @abc.abstractmethod
    async def meta(self, key: str) -> dict[str, Any] | None:
        """The metadata last recorded for ``key``."""

    @abc.abstractmethod
    async def keys(self, limit: int = 1000) -> list[str]:
        """Up to ``limit`` tracked keys, most recently active first."""

    async def ping(self) -> bool:
        """Whether the backend answers."""
        return True

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections; the store must not be used afterwards."""
