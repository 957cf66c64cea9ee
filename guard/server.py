"""Assembling and serving guard as a standalone process: the pipeline in front of an upstream."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp

from guard.middleware import GuardMiddleware
from guard.policy.loader import PolicySource
from guard.store import Store

__all__ = ["build_app", "upstream_app"]

logger = logging.getLogger("guard.server")


def upstream_app(upstream: str) -> ASGIApp:
    """``mock`` is the built-in mock upstream; anything else is the base URL to forward to."""
    if upstream == "mock":
        from guard.mock import MockUpstream

        return MockUpstream()
    from guard.proxy import ProxyApp

    return ProxyApp(upstream)


def build_app(
    upstream: str = "mock",
    *,
    policy: PolicySource = None,
    store: str | Store = "memory://",
    secret: str | None = None,
) -> GuardMiddleware:
    return GuardMiddleware(upstream_app(upstream), policy=policy, store=store, secret=secret)
