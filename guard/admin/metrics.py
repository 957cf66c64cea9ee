"""Prometheus metrics, fed by the pipeline as one of its listeners.

Each :class:`Metrics` owns its own :class:`~prometheus_client.CollectorRegistry`, so two apps in
one process (tests, or a middleware and a proxy) never count into each other. Label values come
from closed or policy-bounded sets only (route, tier, action, store operation): never a key id,
which would make the series count grow with the traffic.

With several worker processes (``guard serve --workers N``) the values live in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode, set up by ``guard serve``)
and :meth:`Metrics.render` adds up every worker's, so a scrape sees the whole server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from guard import __version__
from guard.models import Action, Usage

if TYPE_CHECKING:
    from guard.pipeline import Inspection
    from guard.policy import Policy

__all__ = ["CONTENT_TYPE", "Metrics", "forget_dead_workers"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_SCORE_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)
_COVERAGE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000)
_STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_UPSTREAM_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
_REFUSED = frozenset({Action.THROTTLE, Action.BLOCK})


class Metrics:
    """Counts what the pipeline decides and how long the store and upstream take.

    ``policy`` returns the active policy (``lambda: pipeline.policy``); it is asked at each
    decision, so a reload shows in ``guard_policy_info`` and coverage follows the policy's
    scoring window. Without it, coverage is read from the ``day`` window.
    """

    def __init__(self, policy: Callable[[], Policy] | None = None) -> None:
        self._active = policy
        self._policy: Policy | None = None
        self._window = "day"
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "guard_requests",
            "Requests inspected, by route, tier and the action the policy decided "
            "(a shadow decision counts as what it would have done).",
            ["route", "tier", "action"],
            registry=registry,
        )
        self.enforced = Counter(
            "guard_enforced_actions",
            "Actions applied to requests (allow for shadow decisions and passed throttles).",
            ["route", "tier", "action"],
            registry=registry,
        )
        self.score = Histogram(
            "guard_suspicion_score",
            "Suspicion score of each inspected request.",
            buckets=_SCORE_BUCKETS,
            registry=registry,
        )
        self.coverage = Histogram(
            "guard_coverage_cells",
            "Distinct semantic cells the requesting key covered in the scoring window.",
            buckets=_COVERAGE_BUCKETS,
            registry=registry,
        )
        self.store_seconds = Histogram(
            "guard_store_seconds",
            "Latency of state store calls, by operation.",
            ["operation"],
            buckets=_STORE_BUCKETS,
            registry=registry,
        )
        self.store_errors = Counter(
            "guard_store_errors",
            "State store calls that failed, by operation.",
            ["operation"],
            registry=registry,
        )
        self.upstream_seconds = Histogram(
            "guard_upstream_seconds",
            "Seconds from the decision to the end of the upstream's answer (forwarded "
            "requests only; streams count until their last chunk).",
            ["route"],
            buckets=_UPSTREAM_BUCKETS,
            registry=registry,
        )
        self.tokens = Counter(
            "guard_tokens",
            "Tokens read off responses' usage, by route and direction (input or output).",
            ["route", "direction"],
            registry=registry,
        )
        self.policy_info = Gauge(
            "guard_policy_info",
            "The active policy: 1 for the labels of the one in force.",
            ["hash", "source", "mode"],
            registry=registry,
            multiprocess_mode="liveall",
        )
        self.build_info = Gauge(
            "guard_build_info",
            "guard's version.",
            ["version"],
            registry=registry,
            multiprocess_mode="liveall",
        )
        self.build_info.labels(__version__).set(1)
        self._policy_labels: tuple[str, str, str] | None = None
        # Labelled children, looked up once: ``labels()`` costs more than the increment.
        # Bounded: routes, tiers and actions are finite.
        self._decided: dict[tuple[str, str, Action, Action], tuple[Any, Any]] = {}
        self._by_route: dict[str, tuple[Any, Any, Any]] = {}

    # Listener ----------------------------------------------------------------------------------

    def on_decision(self, inspection: Inspection) -> None:
        if self._active is not None:
            policy = self._active()
            if policy is not self._policy:
                self.set_policy(policy)
        decision = inspection.decision
        labels = (inspection.request.route, inspection.tier, decision.action, decision.enforced)
        children = self._decided.get(labels)
        if children is None:
            route, tier, action, enforced = labels
            children = self._decided[labels] = (
                self.requests.labels(route, tier, action.value),
                self.enforced.labels(route, tier, enforced.value),
            )
        children[0].inc()
        children[1].inc()
        self.score.observe(inspection.score.value)
        counts = inspection.state.windows.get(self._window)
        if counts is not None:
            self.coverage.observe(counts.distinct_cells)

    def on_response(self, inspection: Inspection, usage: Usage, seconds: float) -> None:
        route = inspection.request.route
        children = self._by_route.get(route)
        if children is None:
            children = self._by_route[route] = (
                self.upstream_seconds.labels(route),
                self.tokens.labels(route, "input"),
                self.tokens.labels(route, "output"),
            )
        if inspection.decision.enforced not in _REFUSED:
            children[0].observe(seconds)
        if usage.input_tokens:
            children[1].inc(usage.input_tokens)
        if usage.output_tokens:
            children[2].inc(usage.output_tokens)

    def on_store(self, operation: str, seconds: float, failed: bool) -> None:
        self.store_seconds.labels(operation).observe(seconds)
        if failed:
            self.store_errors.labels(operation).inc()

    # Exposition --------------------------------------------------------------------------------

    def set_policy(self, policy: Policy) -> None:
        """Label ``guard_policy_info`` with ``policy`` and read coverage from its window."""
        self._policy = policy
        self._window = policy.scoring.window
        labels = (policy.hash, policy.source, policy.mode)
        if labels == self._policy_labels:
            return
        if self._policy_labels is not None:
            # Zeroed before removal: in multiprocess mode the old value stays on file.
            self.policy_info.labels(*self._policy_labels).set(0)
            self.policy_info.remove(*self._policy_labels)
        self.policy_info.labels(*labels).set(1)
        self._policy_labels = labels

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric (all workers' in multiprocess mode)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def forget_dead_workers() -> None:
    """Drop the live gauges of worker processes that are gone (uvicorn restarts workers on
    SIGHUP), so ``guard_policy_info`` lists the running workers' policies only."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return
    from prometheus_client import multiprocess

    for name in os.listdir(path):
        if not (name.startswith("gauge_live") and name.endswith(".db")):
            continue
        try:
            pid = int(name[: -len(".db")].rsplit("_", 1)[1])
        except (IndexError, ValueError):
            continue
        if not _alive(pid):
            multiprocess.mark_process_dead(pid, path)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
