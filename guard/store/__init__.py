"""State backends, chosen by URL: ``memory://`` (default) or ``redis://host:6379/0``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from guard.errors import StoreError
from guard.store.base import Observation, RateLimit, SketchSpec, Store, Window

__all__ = ["Observation", "RateLimit", "SketchSpec", "Store", "Window", "open_store"]


def open_store(url: str = "memory://") -> Store:
    """Build the store a URL names.

    ``memory://?max_keys=100000`` keeps at most ``max_keys`` keys (least recently used are
    evicted first).
    """
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "memory":
        from guard.store.memory import MemoryStore

        max_keys = int(query.get("max_keys", "100000"))
        return MemoryStore(max_keys=max_keys)
    if parts.scheme in ("redis", "rediss", "unix"):
        try:
            from guard.store.redis import RedisStore  # type: ignore[import-not-found,import-untyped,unused-ignore]
        except ImportError as exc:  # pragma: no cover - depends on installed extras
            raise StoreError(
                "The Redis store needs the 'redis' extra: "
                f"pip install 'distill-guard[redis]' ({exc})."
            ) from exc
        return RedisStore.from_url(url)  # type: ignore[no-any-return,unused-ignore]
    raise StoreError(f"Unknown store URL {url!r}: use memory:// or redis://host:port/db.")
