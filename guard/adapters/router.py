"""Picks the format adapter for a request path.

Built-in routes are recognised by their API suffix, so an upstream mounted under a prefix
(``/openai/v1/chat/completions``, ``/api/v1/messages``) is still inspected; sub-resources such as
``/v1/messages/count_tokens`` or ``/v1/responses/{id}`` are not generation requests and match
nothing. Paths are normalised first (query dropped, ``//`` collapsed, trailing ``/`` removed)
because upstream servers commonly treat those spellings alike, and a caller must not be able to
slip past inspection by respelling a path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from cachetools import LRUCache

from guard.adapters.anthropic import AnthropicMessagesAdapter
from guard.adapters.base import Adapter
from guard.adapters.generic import GenericAdapter, GenericRoute
from guard.adapters.openai import (
    OpenAIChatAdapter,
    OpenAICompletionsAdapter,
    OpenAIResponsesAdapter,
)

__all__ = ["BUILTIN_ADAPTERS", "Router", "normalize_path"]

#: API suffix -> the adapter for it. Adapters are immutable, so one instance serves all.
BUILTIN_ADAPTERS: Final[dict[str, Adapter]] = {
    "/v1/chat/completions": OpenAIChatAdapter(),
    "/v1/completions": OpenAICompletionsAdapter(),
    "/v1/responses": OpenAIResponsesAdapter(),
    "/v1/messages": AnthropicMessagesAdapter(),
}

_VERSION = "/v1/"
_SLASHES = re.compile(r"//+")


def normalize_path(path: str) -> str:
    """The path as routes see it: no query, no empty segments, no trailing slash."""
    path = path.partition("?")[0]
    if "//" in path:
        path = _SLASHES.sub("/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    return path


def _split_globs(patterns: Sequence[str]) -> tuple[set[str], list[str]]:
    exact: set[str] = set()
    prefixes: list[str] = []
    for pattern in patterns:
        if pattern.endswith("*"):
            prefixes.append(pattern[:-1])
        else:
            exact.add(normalize_path(pattern))
    return exact, prefixes


class Router:
    """Maps request paths to adapters: ignored paths first, then generic routes in the
    order given, then the built-in APIs.

    Path patterns (of generic routes and of ``ignore``) are exact, or end in ``*`` to match
    every path starting with what precedes it. ``match`` answers known paths from a
    precomputed table and everything else through a bounded LRU cache, so it costs one or two
    dictionary lookups per request.
    """

    def __init__(
        self,
        generic: Sequence[GenericRoute] = (),
        ignore: Sequence[str] = (),
        builtins: bool = True,
        *,
        cache_size: int = 4096,
    ) -> None:
        self._ignore_exact, self._ignore_prefixes = _split_globs(ignore)
        self._generic_exact: dict[str, tuple[int, Adapter]] = {}
        self._generic_prefixes: list[tuple[str, int, Adapter]] = []
        for index, route in enumerate(generic):
            adapter = GenericAdapter(route)
            if route.path.endswith("*"):
                self._generic_prefixes.append((route.path[:-1], index, adapter))
            else:
                self._generic_exact.setdefault(normalize_path(route.path), (index, adapter))
        self._builtins = dict(BUILTIN_ADAPTERS) if builtins else {}
        known = [*self._builtins, *self._generic_exact, *self._ignore_exact]
        self._table: dict[str, Adapter | None] = {p: self._resolve(p) for p in known}
        self._cache: LRUCache[str, Adapter | None] = LRUCache(maxsize=cache_size)

    def match(self, path: str) -> Adapter | None:
        """The adapter for ``path`` (a URL path, with or without a query), or ``None`` when
        guard should pass the request through uninspected."""
        if path in self._table:
            return self._table[path]
        try:
            return self._cache[path]
        except KeyError:
            pass
        adapter = self._resolve(normalize_path(path))
        self._cache[path] = adapter
        return adapter

    def _resolve(self, path: str) -> Adapter | None:
        if path in self._ignore_exact or any(map(path.startswith, self._ignore_prefixes)):
            return None
        exact = self._generic_exact.get(path)
        for prefix, index, adapter in self._generic_prefixes:
            if exact is not None and index > exact[0]:
                break  # an exact route declared earlier wins
            if path.startswith(prefix):
                return adapter
        if exact is not None:
            return exact[1]
        version = path.rfind(_VERSION)
        if version == -1:
            return None
        return self._builtins.get(path[version:])
