"""Assembling guard as a standalone server: the admin app, the pipeline, and the upstreams.

``build_app`` returns a :class:`GuardApp`, a small pure-ASGI router: paths under ``/_guard``
go to the admin app, everything else through :class:`~guard.middleware.GuardMiddleware` to the
upstream its path maps to. The router owns the lifespan: at start-up it opens the upstream
sessions, starts watching the policy file and installs the SIGHUP handler that reloads it; at
shutdown (after uvicorn has let in-flight requests finish, ``--graceful-timeout``) it closes
them and the store.

``app_from_env`` is the factory uvicorn workers import (``guard.server:app_from_env``,
``factory=True``): it reads the same ``GUARD_*`` variables as ``guard serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from guard.admin import PREFIX, Activity, AdminApp, Metrics
from guard.config import ConfigError, ServeConfig, load_config
from guard.middleware import GuardMiddleware
from guard.pipeline import Pipeline
from guard.policy.loader import PolicySource
from guard.reload import PolicyWatcher
from guard.store import Store

__all__ = ["GuardApp", "UpstreamRouter", "app_from_config", "app_from_env", "build_app"]

logger = logging.getLogger("guard.server")


def upstream_app(
    upstream: str,
    *,
    connect_timeout: float = 10.0,
    read_timeout: float = 300.0,
    retries: int = 0,
    max_connections: int = 100,
) -> ASGIApp:
    """``mock`` is the built-in mock upstream; anything else is the base URL to forward to."""
    if upstream == "mock":
        from guard.mock import MockUpstream

        return MockUpstream()
    from guard.proxy import ProxyApp

    try:
        return ProxyApp(
            upstream,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_connections=max_connections,
            retries=retries,
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


class UpstreamRouter:
    """Sends each request to the upstream of the longest path prefix that matches it, else to
    ``default``.

    A prefix matches the path itself and everything below it (``/v1/messages`` matches
    ``/v1/messages/count_tokens``, not ``/v1/messagesx``).
    """

    def __init__(self, default: ASGIApp, routes: Mapping[str, ASGIApp] | None = None) -> None:
        ordered = sorted((routes or {}).items(), key=lambda item: len(item[0]), reverse=True)
        self.routes = [(prefix.rstrip("/"), app) for prefix, app in ordered]
        self.default = default
        self.apps = [*(app for _, app in ordered), default]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        for prefix, app in self.routes:
            if not prefix or path == prefix or path.startswith(prefix + "/"):
                await app(scope, receive, send)
                return
        await self.default(scope, receive, send)


class GuardApp:
    """``/_guard`` to the admin app, the rest to the guarded upstream; owns the lifespan."""

    def __init__(
        self,
        guarded: GuardMiddleware,
        admin: AdminApp,
        upstream: UpstreamRouter,
        *,
        watcher: PolicyWatcher | None = None,
        policy_poll: float = 1.0,
    ) -> None:
        self.guarded = guarded
        self.admin = admin
        self.upstream = upstream
        self.pipeline: Pipeline = guarded.pipeline
        self.watcher = watcher
        self.policy_poll = policy_poll
        self._previous_hup: Any = None
        self._hup_installed = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        if path == PREFIX or path.startswith(PREFIX + "/"):
            await self.admin(scope, receive, send)
        else:
            await self.guarded(scope, receive, send)

    def reload_policy(self) -> bool:
        """Load the policy file again (SIGHUP); the current policy stays if the new one fails."""
        if self.watcher is None:
            logger.warning("SIGHUP: no policy file to reload (the bundled default is in use)")
            return False
        return self.watcher.reload_now()

    async def startup(self) -> None:
        for app in self.upstream.apps:
            session = getattr(app, "session", None)
            if callable(session):
                session()  # created inside the running loop, shared by every request
        await self.guarded.startup()
        if self.watcher is not None and self.policy_poll > 0:
            self.watcher.start()
        self._install_hup()
        if not await _store_answers(self.pipeline):
            logger.warning(
                "the state store does not answer yet; failing %s until it does",
                self.pipeline.policy.fail,
            )

    async def shutdown(self) -> None:
        self._remove_hup()
        if self.watcher is not None:
            await self.watcher.stop()
        for app in self.upstream.apps:
            close = getattr(app, "aclose", None)
            if callable(close):
                await close()
        await self.guarded.aclose()
        await self.pipeline.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    logger.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return

    def _install_hup(self) -> None:
        # Signal handlers can only be set from the main thread (not, e.g., under a test
        # server running in a thread) and SIGHUP does not exist on Windows.
        sighup = getattr(signal, "SIGHUP", None)
        if sighup is None or threading.current_thread() is not threading.main_thread():
            return
        self._previous_hup = signal.getsignal(sighup)
        asyncio.get_running_loop().add_signal_handler(sighup, self.reload_policy)
        self._hup_installed = True

    def _remove_hup(self) -> None:
        if not self._hup_installed:
            return
        self._hup_installed = False
        sighup = signal.SIGHUP
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().remove_signal_handler(sighup)
        previous = self._previous_hup
        signal.signal(sighup, previous if previous is not None else signal.SIG_DFL)


async def _store_answers(pipeline: Pipeline, timeout: float = 2.0) -> bool:
    try:
        return bool(await asyncio.wait_for(pipeline.store.ping(), timeout))
    except Exception:
        return False


def build_app(
    upstream: str = "mock",
    *,
    policy: PolicySource = None,
    store: str | Store = "memory://",
    secret: str | None = None,
    admin_token: str | None = None,
    routes: Mapping[str, str] | None = None,
    connect_timeout: float = 10.0,
    read_timeout: float = 300.0,
    retries: int = 0,
    max_connections: int = 100,
    policy_poll: float = 1.0,
    clock: Callable[[], float] = time.time,
) -> GuardApp:
    """guard in front of ``upstream`` (``mock`` or a base URL), with its admin app.

    ``routes`` maps path prefixes to other upstreams. ``admin_token`` enables the admin API
    (else only ``/_guard/health`` answers). A ``policy`` given as a path is re-read when it
    changes (checked every ``policy_poll`` seconds; 0 turns polling off) and on SIGHUP.
    """
    options: dict[str, Any] = {
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        "retries": retries,
        "max_connections": max_connections,
    }
    router = UpstreamRouter(
        upstream_app(upstream, **options),
        {prefix: upstream_app(url, **options) for prefix, url in (routes or {}).items()},
    )
    pipeline = Pipeline(policy, store=store, secret=secret, clock=clock)
    metrics = Metrics(lambda: pipeline.policy)
    metrics.set_policy(pipeline.policy)
    activity = Activity(lambda: pipeline.policy, clock=clock)
    pipeline.listeners.extend([metrics, activity])
    watcher = None
    if isinstance(policy, (str, os.PathLike)):
        watcher = PolicyWatcher(pipeline, policy, interval=policy_poll or 1.0)
    admin = AdminApp(pipeline, token=admin_token, metrics=metrics, activity=activity)
    guarded = GuardMiddleware(router, pipeline=pipeline, reload=False)
    return GuardApp(guarded, admin, router, watcher=watcher, policy_poll=policy_poll)


def app_from_config(config: ServeConfig) -> GuardApp:
    """The app ``guard serve`` runs for ``config``."""
    return build_app(
        config.upstream,
        policy=config.policy,
        store=config.store,
        secret=config.secret,
        admin_token=config.admin_token,
        routes=config.routes,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        retries=config.retries,
        max_connections=config.max_connections,
        policy_poll=config.policy_poll,
    )


def app_from_env() -> GuardApp:
    """The app built from ``GUARD_*`` variables (and ``GUARD_CONFIG``'s file): the factory
    each ``--workers`` process imports, with logging set up as ``guard serve`` does."""
    from guard.admin.metrics import forget_dead_workers
    from guard.logs import configure_logging

    config = load_config({}, os.environ)
    configure_logging(config.log_level, config.log_format)
    forget_dead_workers()
    return app_from_config(config)
