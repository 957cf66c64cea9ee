"""The Redis store: the same :class:`~guard.store.base.Store`, shared by every guard process.

Every call is one Lua script shipped in ``guard/store/lua/`` (``lib.lua`` holds what they
share and documents the key names), run with EVALSHA, so it costs one round trip and runs
atomically: an ``observe`` adds the cell to each window's current bucket (a native
HyperLogLog), bumps its counters, checks every rate limit with GCRA, pushes the ring record,
links the key into its campaign and counts the request there too, all at once. After a Redis
restart or ``SCRIPT FLUSH`` the first call of each script falls back to EVAL, which caches it
again.

The behaviour is the memory store's (:mod:`guard.store.memory`), bucket for bucket:

* Time is the caller's (``obs.now``, ``now``), never Redis' clock, so a replay on a simulated
  clock counts exactly what it would in memory. A key silent past its spec's horizon (and with
  no rate limit still recovering) is reported absent and deleted when next touched. Real TTLs
  on every per-key Redis key (the horizon, or a window and a bucket for a window's buckets)
  keep Redis' memory bounded in production; the activity index keeps at most ``max_keys``
  keys, evicting the least recently active with their data.
* Reads slide a key's windows to the time they give, as the memory store's do (a request
  dated before the newest bucket seen counts in that bucket), so every script writes and runs
  on the primary. ``meta()`` and ``keys()`` take no time: like the memory store they judge
  expiry by the latest time this instance was given.

Where it differs:

* The HyperLogLogs are Redis' own: precision 14 (0.81% standard error), whatever
  ``SketchSpec.precision`` says (it is still validated). They are sparse, hence small, until
  a bucket holds a few hundred distinct cells, then 12 KiB each.
* Metadata values are stored as JSON: they must be JSON-serialisable and come back as JSON
  types (a tuple comes back a list).
* It needs one Redis server (or a primary), not Redis Cluster: the activity index and the
  campaigns span keys. A key's own data shares one hash tag, ``{<prefix>:k:<key>}``.

Every Redis failure (refused, timed out, an error reply) raises :class:`StoreError` within
``timeout`` seconds; the pipeline then fails open or closed as its policy says. Nothing is
retried but a command on a connection found dead (after a Redis restart), once.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import math
import sys
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import mmh3
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from guard.errors import StoreError
from guard.models import CampaignState, KeyState, RateResult, WindowCounts
from guard.sketches.gcra import peek
from guard.sketches.windows import layout
from guard.store.base import Observation, RateLimit, SketchSpec, Store
from guard.store.memory import MAX_META, campaign_id

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_KEYS",
    "DEFAULT_PREFIX",
    "DEFAULT_TIMEOUT",
    "RedisStore",
]

DEFAULT_PREFIX = "guard"
DEFAULT_TIMEOUT = 0.25
DEFAULT_MAX_KEYS = 100_000
DEFAULT_MAX_CONNECTIONS = 64

# Query options of the store URL, and the redis-py connection options passed through.
_OPTIONS = ("prefix", "timeout", "max_connections", "max_keys")
_PASSED = (
    "db",
    "client_name",
    "health_check_interval",
    "ssl_ca_certs",
    "ssl_cert_reqs",
    "ssl_certfile",
    "ssl_check_hostname",
    "ssl_keyfile",
)
_NEVER = -1e308  # the clock before any call: nothing is judged expired yet

T = TypeVar("T")
Args = list[Any]  # a script's arguments, sent as one JSON array


@dataclass(frozen=True, slots=True)
class _Script:
    name: str
    source: str
    sha: str


@functools.cache
def _script(name: str) -> _Script:
    """A script with the shared helpers prepended, and the SHA1 that EVALSHA names it by."""
    folder = resources.files("guard.store").joinpath("lua")
    lib = folder.joinpath("lib.lua").read_text("utf-8")
    source = lib + "\n" + folder.joinpath(f"{name}.lua").read_text("utf-8")
    return _Script(name, source, hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest())


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the scripts need to know of a spec, computed once per spec."""

    tag: str  # "<fingerprint>;<slots>,...": a key's windows are reset when it changes
    horizon: float
    names: tuple[str, ...]
    index: Mapping[str, int]  # window name -> its number in the scripts (from 1)
    windows: tuple[tuple[int, int, float], ...]  # (slots, TTL in ms, bucket seconds)

    def args(self, now: float) -> Args:
        out: Args = [self.tag, self.horizon, len(self.windows)]
        for slots, ttl, bucket in self.windows:
            out += (slots, ttl, int(now // bucket))  # as guard.sketches.windows numbers them
        return out

    def counts(self, reply: Sequence[Sequence[Any]]) -> dict[str, WindowCounts]:
        """Windows from the scripts' ``[distinct, requests, input, output, [buckets...],
        suspect]``."""
        return {name: _counts(*c) for name, c in zip(self.names, reply, strict=True)}


def _counts(
    distinct: int,
    requests: int,
    inputs: int,
    outputs: int,
    buckets: Sequence[int] = (),
    suspect: int = 0,
) -> WindowCounts:
    return WindowCounts(
        int(distinct), int(requests), int(inputs), int(outputs), tuple(buckets), int(suspect)
    )


@functools.lru_cache(maxsize=32)
def _layout(spec: SketchSpec) -> _Layout:
    layout(spec)  # raises ValueError for the specs the memory store refuses
    shape = repr([(w.name, float(w.seconds), w.buckets) for w in spec.windows])
    fingerprint = format(mmh3.hash64(shape, 0x52, signed=False)[0], "016x")[:10]
    slots = [w.buckets + 1 for w in spec.windows]
    return _Layout(
        tag=f"{fingerprint};{','.join(map(str, slots))}",
        horizon=float(spec.horizon),
        names=tuple(w.name for w in spec.windows),
        index={w.name: i for i, w in enumerate(spec.windows, 1)},
        windows=tuple(
            (n, math.ceil((w.seconds + w.bucket_seconds) * 1000), w.bucket_seconds)
            for n, w in zip(slots, spec.windows, strict=True)
        ),
    )


def _rate(reply: Sequence[Any]) -> RateResult:
    allowed, retry_after, remaining = reply
    return RateResult(bool(allowed), float(retry_after), int(remaining))


async def _within(seconds: float, aw: Awaitable[T]) -> T:
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await aw
    return await asyncio.wait_for(aw, seconds)  # pragma: no cover - Python 3.10


class RedisStore(Store):
    """Per-key state in Redis, shared by every guard process that uses the same prefix.

    ``client`` should be built with socket timeouts (see :meth:`from_url`); ``timeout`` bounds
    each call as a whole, waiting for a pooled connection included.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        timeout: float = DEFAULT_TIMEOUT,
        max_keys: int = DEFAULT_MAX_KEYS,
    ) -> None:
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError(
                f"The key prefix must be non-empty and free of braces, not {prefix!r}."
            )
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout}.")
        if max_keys < 1:
            raise ValueError(f"max_keys must be at least 1, not {max_keys}.")
        self.prefix = prefix
        self.timeout = timeout
        self.max_keys = max_keys
        self._max_campaigns = max(16, max_keys // 4)  # as many as the memory store keeps
        self._client = client
        self._clock = -math.inf  # the latest time any call gave: judges expiry in meta/keys
        kwargs = client.connection_pool.connection_kwargs
        if "path" in kwargs:
            self._where = f"unix:{kwargs['path']} db {kwargs.get('db', 0)}"
        else:
            host, port = kwargs.get("host", "localhost"), kwargs.get("port", 6379)
            self._where = f"{host}:{port}/{kwargs.get('db', 0)}"

    @classmethod
    def from_url(cls, url: str) -> RedisStore:
        """Build a store from ``redis://[[user]:password@]host[:port][/db][?options]``.

        Options: ``prefix`` (key namespace, default ``guard``), ``timeout`` (seconds per
        call, default 0.25), ``max_connections`` (pool size, default 64), ``max_keys``
        (keys kept, default 100000). ``rediss://`` (TLS) and ``unix://`` work too.
        """
        parts = urlsplit(url)
        ours: dict[str, str] = {}
        passed: list[tuple[str, str]] = []
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name in _OPTIONS:
                ours[name] = value
            elif name in _PASSED:
                passed.append((name, value))
            else:
                known = ", ".join(_OPTIONS + _PASSED)
                raise StoreError(f"Unknown option {name!r} in the Redis store URL: use {known}.")
        try:
            prefix = ours.get("prefix", DEFAULT_PREFIX)
            timeout = float(ours.get("timeout", DEFAULT_TIMEOUT))
            max_connections = int(ours.get("max_connections", DEFAULT_MAX_CONNECTIONS))
            max_keys = int(ours.get("max_keys", DEFAULT_MAX_KEYS))
            if not (math.isfinite(timeout) and timeout > 0) or max_connections < 1:
                raise ValueError("timeout and max_connections must be positive")
            pool = BlockingConnectionPool.from_url(
                urlunsplit(parts._replace(query=urlencode(passed))),
                max_connections=max_connections,
                timeout=timeout,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                # One retry, at once, and only for a connection found dead: after a restart
                # each pooled connection fails once before it reconnects.
                retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            )
            return cls(Redis.from_pool(pool), prefix=prefix, timeout=timeout, max_keys=max_keys)
        except ValueError as exc:
            raise StoreError(
                f"Invalid Redis store URL ({exc}): expected redis://host:port/db"
                "?prefix=guard&timeout=0.25&max_connections=64&max_keys=100000."
            ) from exc

    # The Store interface ------------------------------------------------------------------------

    async def observe(self, key: str, obs: Observation, spec: SketchSpec) -> KeyState:
        lay = _layout(spec)
        now = obs.now
        limits = obs.rate_limits
        args: Args = [self.prefix, key, self._tick(now), str(obs.cell), obs.input_tokens]
        args += (spec.ring, self.max_keys, self._max_campaigns, *lay.args(now), len(limits))
        for limit in limits:
            peek(None, now, limit)  # raises ValueError for a limit nothing can pass, as memory
            args += (limit.name, limit.interval, limit.burst)
        args.append(len(obs.links))
        args.extend(obs.links)
        reply = await self._run("observe", self._base(key), args, obs.record)
        rates, windows, campaign = json.loads(reply[0])
        return KeyState(
            windows=lay.counts(windows),
            rates={limit.name: _rate(r) for limit, r in zip(limits, rates or (), strict=True)},
            recent=tuple(reply[1:]),
            campaign=self._campaign(campaign, lay),
        )

    async def rate(self, key: str, limit: RateLimit, now: float) -> RateResult:
        peek(None, now, limit)
        args: Args = [self.prefix, key, self._tick(now), self.max_keys]
        args += (limit.name, limit.interval, limit.burst)
        return _rate(await self._run("rate", self._base(key), args))

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
        lay = _layout(spec)
        items = list(meta.items()) if meta else []
        args: Args = [self.prefix, key, self._tick(now), self.max_keys, MAX_META]
        args += lay.args(now)
        args += (output_tokens, int(suspect), len(items))
        for name, value in items:
            args += (name, json.dumps(value, separators=(",", ":")))
        await self._run("record", self._base(key), args)

    async def state(self, key: str, now: float, spec: SketchSpec) -> KeyState | None:
        lay = _layout(spec)
        args: Args = [self.prefix, key, self._tick(now), *lay.args(now)]
        reply = await self._run("state", self._base(key), args)
        if reply is None:
            return None
        windows, campaign = json.loads(reply[0])
        return KeyState(
            windows=lay.counts(windows),
            recent=tuple(reply[1:]),
            campaign=self._campaign(campaign, lay),
        )

    async def union_coverage(
        self, keys: Sequence[str], window: str, now: float, spec: SketchSpec
    ) -> int:
        lay = _layout(spec)
        number = lay.index.get(window)
        if number is None:
            known = ", ".join(repr(w.name) for w in spec.windows)
            raise ValueError(f"Unknown window {window!r}: the spec has {known}.")
        unique = list(dict.fromkeys(keys))
        tick = self._tick(now)
        if not unique:
            return 0
        args: Args = [self.prefix, tick, *lay.args(now), number, len(unique), *unique]
        return int(await self._run("union", (), args))

    async def campaigns(
        self, now: float, spec: SketchSpec, limit: int = 100
    ) -> list[CampaignState]:
        lay = _layout(spec)
        tick = self._tick(now)
        if limit <= 0:
            return []
        args: Args = [self.prefix, tick, *lay.args(now), limit]
        found = json.loads(await self._run("campaigns", (), args)) or ()
        return [c for reply in found if (c := self._campaign(reply, lay)) is not None]

    async def link(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec
    ) -> CampaignState | None:
        return await self._link(key, links, now, spec, 0)

    async def join(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec, min_keys: int
    ) -> CampaignState | None:
        return await self._link(key, links, now, spec, max(1, min_keys))

    async def _link(
        self, key: str, links: Sequence[str], now: float, spec: SketchSpec, min_keys: int
    ) -> CampaignState | None:
        """The link script: claim and link (``min_keys`` 0), or join an established campaign."""
        lay = _layout(spec)
        args: Args = [self.prefix, key, self._tick(now), self._max_campaigns, min_keys]
        args += [*lay.args(now), len(links), *links]
        return self._campaign(json.loads(await self._run("link", (), args)), lay)

    async def campaign_of(self, key: str, now: float, spec: SketchSpec) -> CampaignState | None:
        lay = _layout(spec)
        args: Args = [self.prefix, key, self._tick(now), *lay.args(now)]
        return self._campaign(json.loads(await self._run("campaign_of", (), args)), lay)

    async def meta(self, key: str) -> dict[str, Any] | None:
        flat = await self._run("meta", self._base(key), [self._clock_arg()])
        if not flat:
            return None
        return {flat[i].decode(): json.loads(flat[i + 1]) for i in range(0, len(flat), 2)}

    async def keys(self, limit: int = 1000) -> list[str]:
        if limit <= 0:
            return []
        found = await self._run("keys", (), [self.prefix, self._clock_arg(), limit])
        return [k.decode() for k in found]

    async def ping(self) -> bool:
        try:
            return bool(await _within(self.timeout, self._client.ping()))
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self._client.aclose()

    # Plumbing ---------------------------------------------------------------------------------

    def _base(self, key: str) -> tuple[str]:
        return (f"{{{self.prefix}:k:{key}}}",)

    def _tick(self, now: float) -> float:
        now = float(now)
        if now > self._clock:
            self._clock = now
        return now

    def _clock_arg(self) -> float:
        return self._clock if self._clock > -math.inf else _NEVER

    def _campaign(self, reply: Sequence[Any], lay: _Layout) -> CampaignState | None:
        if not reply:
            return None
        root, size, windows = reply
        return CampaignState(campaign_id(root), int(size), lay.counts(windows))

    async def _run(self, name: str, keys: Sequence[str], args: Args, *binary: bytes) -> Any:
        """Run a script within the timeout; every failure becomes a :class:`StoreError`."""
        script = _script(name)
        encoded = json.dumps(args, ensure_ascii=False, separators=(",", ":"))
        try:
            return await _within(self.timeout, self._eval(script, keys, encoded, binary))
        except (TimeoutError, RedisTimeoutError) as exc:
            raise StoreError(
                f"Redis at {self._where} did not answer {name} within {self.timeout:g} s: "
                "check that it is up and not overloaded, or raise timeout= in the store URL."
            ) from exc
        except RedisConnectionError as exc:
            raise StoreError(
                f"Cannot reach Redis at {self._where} ({exc}): check that it is running and "
                "that the store URL is right."
            ) from exc
        except ResponseError as exc:
            raise StoreError(f"Redis at {self._where} failed the {name} script: {exc}") from exc
        except (RedisError, OSError) as exc:
            raise StoreError(f"Redis at {self._where} failed during {name}: {exc}") from exc

    async def _eval(
        self, script: _Script, keys: Sequence[str], args: str, binary: Sequence[bytes]
    ) -> Any:
        client = self._client
        try:
            return await client.evalsha(script.sha, len(keys), *keys, args, *binary)
        except NoScriptError:  # a restarted or flushed Redis: EVAL caches the script again
            return await client.eval(script.source, len(keys), *keys, args, *binary)
