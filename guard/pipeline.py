"""The pipeline every request goes through, whoever serves it.

identify -> extract -> featurize -> observe -> score -> decide, then (after the response)
account. The middleware, the standalone proxy and ``guard replay`` all drive this one class,
which is what makes a replayed decision the same as a live one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from guard.adapters import Adapter, GenericRoute, Router
from guard.audit import AuditLog
from guard.campaigns import JOIN_AT, first_sight_links, habitual_links
from guard.errors import BadRequest, MissingApiKey, StoreError, UnsupportedMediaType
from guard.events import Listener
from guard.featurize import Featurizer, featurizer_for
from guard.identity import Identifier, resolve_secret
from guard.models import (
    Action,
    Api,
    Decision,
    Features,
    Identity,
    KeyState,
    PromptRequest,
    Score,
    Usage,
)
from guard.policy import Policy, load_policy
from guard.policy.actions import Then, Throttle, adaptive_limit
from guard.policy.context import build_context
from guard.policy.loader import PolicySource
from guard.policy.tiers import Tier
from guard.profile import RequestRecord
from guard.scoring import Scorer
from guard.signals import RingStats, SignalContext, default_signals
from guard.store import Observation, SketchSpec, Store, open_store

if TYPE_CHECKING:
    from guard.decoys import DecoyEngine

__all__ = ["Inspection", "Pipeline"]

logger = logging.getLogger("guard")

Headers = Sequence[tuple[bytes, bytes]]
T = TypeVar("T")

_FAIL_OPEN = Decision(Action.ALLOW, "store-unavailable", "state store unavailable: failing open")
_FAIL_CLOSED = Decision(
    Action.BLOCK, "store-unavailable", "state store unavailable: failing closed", status=503
)


@dataclass(frozen=True, slots=True)
class Inspection:
    """Everything the pipeline learned about one request, and what to do with it."""

    identity: Identity
    adapter: Adapter
    request: PromptRequest
    features: Features
    state: KeyState
    score: Score
    decision: Decision
    shadow_matches: tuple[str, ...] = ()
    tier: str = "default"
    started: float = 0.0
    campaign: str | None = None  # id of the campaign the key was linked to, if any
    then: Then | None = None  # the deciding rule's action with its parameters
    payload: Any = None  # the decoded request body (actions such as cap rewrite it)
    suspect: bool = False  # the score reached the tier's scoring.suspect_at, unheld

    @property
    def api(self) -> Api:
        return self.adapter.api


class _Compiled:
    """The per-policy parts, rebuilt as a whole so a reload swaps them atomically."""

    def __init__(self, policy: Policy, secret: bytes) -> None:
        self.policy = policy
        self.spec = policy.sketch_spec()
        routes = policy.routes
        self.router = Router(
            generic=[GenericRoute(**_route_kwargs(r)) for r in routes.custom],
            ignore=routes.ignore,
            builtins=routes.builtin,
        )
        self.identifier = Identifier(
            secret,
            key_headers=policy.identity.key_headers,
            trusted_proxies=policy.identity.trusted_proxies,
        )
        signals = default_signals()
        self.scorers = {
            tier.name: Scorer(
                signals, tier.scoring.weights, tier.scoring.bias, tier.scoring.persistence()
            )
            for tier in policy.matcher
        }
        self.audit = AuditLog(policy.audit) if policy.audit.path else None


def _route_kwargs(route: Any) -> dict[str, Any]:
    return {name: getattr(route, name) for name in route.__dataclass_fields__}


class Pipeline:
    """Runs a policy against requests, with its state in ``store``.

    ``clock`` gives the time in seconds since the epoch; ``guard replay`` passes a simulated
    one. ``secret`` overrides the policy's and ``GUARD_SECRET`` (tests, replay). ``listeners``
    hear every decision, response and store call (metrics, dashboards).
    """

    def __init__(
        self,
        policy: PolicySource = None,
        *,
        store: str | Store = "memory://",
        clock: Callable[[], float] = time.time,
        secret: str | bytes | None = None,
        featurizer: Featurizer | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        policy_obj = load_policy(policy)
        if isinstance(secret, str):
            secret = secret.encode()
        # One secret for the pipeline's life: key ids must not change on a policy reload.
        self._secret = secret if secret is not None else resolve_secret(policy_obj.identity.secret)
        self._compiled = _Compiled(policy_obj, self._secret)
        self.store = open_store(store) if isinstance(store, str) else store
        self.clock = clock
        self.featurizer = featurizer or featurizer_for(
            policy_obj.featurizer, seed=_featurizer_seed(self._secret)
        )
        self.listeners: list[Listener] = list(listeners)
        self._store_failing = False
        self._decoys: DecoyEngine | None = None

    @property
    def decoys(self) -> DecoyEngine:
        """The decoy, perturbation and watermark engine (keyed with the identity secret, so
        ``guard trace`` with the same secret recognises its watermarks)."""
        if self._decoys is None:
            from guard.decoys import DecoyEngine

            self._decoys = DecoyEngine(self._secret)
        return self._decoys

    @property
    def policy(self) -> Policy:
        return self._compiled.policy

    @property
    def spec(self) -> SketchSpec:
        """The sketch spec the store is used with (windows, precision, ring)."""
        return self._compiled.spec

    def reload(self, policy: PolicySource) -> Policy:
        """Swap in a new policy; on error the current one stays and the error propagates.

        Requests already being inspected finish with the policy they started with.
        """
        compiled = _Compiled(load_policy(policy), self._secret)
        kind = compiled.policy.featurizer
        if kind != self._compiled.policy.featurizer:
            self.featurizer = featurizer_for(kind, seed=_featurizer_seed(self._secret))
        old, self._compiled = self._compiled, compiled
        if old.audit is not None:
            old.audit.close()
        return compiled.policy

    def route(self, path: str) -> Adapter | None:
        """The adapter for ``path``, or ``None`` when the request is not to be inspected."""
        return self._compiled.router.match(path)

    def ignored(self, path: str) -> bool:
        """Whether the policy lists ``path`` as passed through without inspection."""
        return any(
            path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1]))
            for pattern in self.policy.routes.ignore
        )

    def identify(self, headers: Headers, peer: str) -> Identity:
        return self._compiled.identifier.identify(headers, peer)

    async def inspect(
        self, adapter: Adapter, identity: Identity, headers: Headers, body: bytes
    ) -> Inspection:
        """Run a request through every stage up to the decision.

        Raises :class:`guard.errors.RequestError` for requests that cannot be inspected.
        """
        self._check_key(identity)
        return await self.evaluate(adapter, identity, _decode_json(headers, body), headers)

    async def evaluate(
        self, adapter: Adapter, identity: Identity, payload: Any, headers: Headers = ()
    ) -> Inspection:
        """:meth:`inspect` for a body already decoded from JSON (``guard replay`` uses this)."""
        compiled = self._compiled
        policy = compiled.policy
        self._check_key(identity)
        request = adapter.parse(payload)
        features = self.featurizer.featurize(request)
        tier = policy.tier_for(identity, headers)
        now = self.clock()
        record = RequestRecord.of(now, identity, request, features)
        observation = Observation(
            now,
            features.cell,
            features.input_tokens,
            tier.rate_limit_list(),
            record.pack(),
        )
        key_id = identity.key_id
        try:
            state = await self._timed(
                "observe", self.store.observe(key_id, observation, compiled.spec)
            )
        except StoreError as exc:
            return self._store_failed(exc, adapter, identity, request, features, tier, now)
        links = habitual_links(request, features, state.recent)
        first = () if state.campaign else first_sight_links(request, features, state.recent)
        if links or first:  # a few requests per key: see guard.campaigns
            try:
                campaign = await self._timed(
                    "link",
                    self.store.link(key_id, links, now, compiled.spec)
                    if links
                    else self.store.join(key_id, first, now, compiled.spec, JOIN_AT),
                )
            except StoreError as exc:
                self._note_store_failure(exc)
            else:
                if campaign is not None:
                    state = dataclasses.replace(state, campaign=campaign)
        scoring = tier.scoring
        signal_ctx = SignalContext(
            identity,
            request,
            features,
            state,
            scoring.window,
            scoring.min_requests,
            RingStats.of_state(state),
            record,
        )
        score = compiled.scorers[tier.name].score(signal_ctx)
        ctx = build_context(policy, identity, request, features, state, score, tier=tier)
        verdict = tier.decider.decide(ctx)
        decision = verdict.decision
        then = verdict.then
        if decision.action is Action.THROTTLE and not decision.shadow:
            decision = await self._throttle(decision, then, key_id, state, score, now)
        inspection = Inspection(
            identity,
            adapter,
            request,
            features,
            state,
            score,
            decision,
            verdict.shadow_matches,
            tier.name,
            now,
            state.campaign.id if state.campaign is not None else None,
            then,
            payload,
            score.value >= scoring.suspect_at and not score.held,
        )
        self._notify_decision(inspection)
        return inspection

    async def _throttle(
        self,
        decision: Decision,
        then: Then | None,
        key_id: str,
        state: KeyState,
        score: Score,
        now: float,
    ) -> Decision:
        """A throttle with a rate holds the key to it (adaptive to the score); one without
        refuses, with the wait the refusing rate limit gives (else 60 s)."""
        if isinstance(then, Throttle) and then.limited:
            limit = adaptive_limit(then, score.value, f"rule:{decision.rule}")
            try:
                result = await self._timed("rate", self.store.rate(key_id, limit, now))
            except StoreError as exc:
                self._note_store_failure(exc)
                return dataclasses.replace(decision, passed=self.policy.fail == "open")
            if result.allowed:
                return dataclasses.replace(decision, passed=True)
            return dataclasses.replace(decision, retry_after=result.retry_after)
        if decision.retry_after:
            return decision
        waits = [r.retry_after for r in state.rates.values() if not r.allowed]
        return dataclasses.replace(decision, retry_after=max(waits) if waits else 60.0)

    def _check_key(self, identity: Identity) -> None:
        if not identity.has_key and self._compiled.policy.identity.require_key:
            raise MissingApiKey(
                "You didn't provide an API key. Send it in the Authorization header "
                "('Authorization: Bearer <key>') or the x-api-key header."
            )

    async def account(self, inspection: Inspection, usage: Usage) -> None:
        """Record a finished exchange: output tokens, and the key's latest score and action."""
        decision = inspection.decision
        meta = {
            "score": round(inspection.score.value, 4),
            "reasons": inspection.score.reasons,
            "action": decision.action.value,
            "enforced": decision.enforced.value,
            "rule": decision.rule,
            "tier": inspection.tier,
            "route": inspection.request.route,
            "campaign": inspection.campaign,
            "last_seen": inspection.started,
        }
        now = self.clock()
        try:
            await self._timed(
                "record",
                self.store.record(
                    inspection.identity.key_id,
                    now,
                    self._compiled.spec,
                    output_tokens=usage.output_tokens,
                    suspect=inspection.suspect,
                    meta=meta,
                ),
            )
        except StoreError as exc:
            self._note_store_failure(exc)
        seconds = max(0.0, now - inspection.started)
        for listener in self.listeners:
            try:
                listener.on_response(inspection, usage, seconds)
            except Exception:  # a broken listener must not break serving
                logger.exception("listener %r failed", listener)

    async def aclose(self) -> None:
        audit = self._compiled.audit
        if audit is not None:
            audit.close()
        await self.store.close()

    # Listeners ---------------------------------------------------------------------------------

    def _notify_decision(self, inspection: Inspection) -> None:
        audit = self._compiled.audit
        if audit is not None:
            audit.on_decision(inspection)
        for listener in self.listeners:
            try:
                listener.on_decision(inspection)
            except Exception:
                logger.exception("listener %r failed", listener)
        decision = inspection.decision
        if decision.action is Action.ALLOW and not inspection.shadow_matches:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "request key_id=%s route=%s score=%.2f",
                    inspection.identity.key_id,
                    inspection.request.route,
                    inspection.score.value,
                    extra={"guard": _log_fields(inspection)},
                )
            return
        logger.info(
            "decision key_id=%s action=%s%s rule=%s score=%.2f reasons=%s",
            inspection.identity.key_id,
            decision.action.value,
            " (shadow)" if decision.shadow else " (passed)" if decision.passed else "",
            decision.rule or "-",
            inspection.score.value,
            ",".join(inspection.score.reasons) or "-",
            extra={"guard": _log_fields(inspection)},
        )

    async def _timed(self, operation: str, call: Awaitable[T]) -> T:
        if not self.listeners:
            result = await call
            self._store_recovered()
            return result
        start = time.perf_counter()
        failed = True
        try:
            result = await call
            failed = False
        finally:
            seconds = time.perf_counter() - start
            for listener in self.listeners:
                try:
                    listener.on_store(operation, seconds, failed)
                except Exception:
                    logger.exception("listener %r failed", listener)
        self._store_recovered()
        return result

    # Store failures: follow the policy, log once per incident --------------------------------

    def _store_failed(
        self,
        exc: StoreError,
        adapter: Adapter,
        identity: Identity,
        request: PromptRequest,
        features: Features,
        tier: Tier,
        now: float,
    ) -> Inspection:
        self._note_store_failure(exc)
        decision = _FAIL_CLOSED if self.policy.fail == "closed" else _FAIL_OPEN
        inspection = Inspection(
            identity,
            adapter,
            request,
            features,
            KeyState(),
            Score(0.0),
            decision,
            tier=tier.name,
            started=now,
        )
        self._notify_decision(inspection)
        return inspection

    def _note_store_failure(self, exc: StoreError) -> None:
        if not self._store_failing:
            self._store_failing = True
            logger.error(
                "state store failed, failing %s until it recovers: %s", self.policy.fail, exc
            )

    def _store_recovered(self) -> None:
        if self._store_failing:
            self._store_failing = False
            logger.warning("state store recovered")


def _log_fields(inspection: Inspection) -> dict[str, Any]:
    decision = inspection.decision
    return {
        "key_id": inspection.identity.key_id,
        "tier": inspection.tier,
        "route": inspection.request.route,
        "action": decision.action.value,
        "enforced": decision.enforced.value,
        "shadow": decision.shadow,
        "rule": decision.rule,
        "score": round(inspection.score.value, 4),
        "reasons": inspection.score.reasons,
        "shadow_rules": list(inspection.shadow_matches),
        "campaign": inspection.campaign,
    }


def _featurizer_seed(secret: bytes) -> int:
    """A seed only the operator knows, so outsiders cannot predict which word names a cell."""
    return int.from_bytes(
        hmac.new(secret, b"guard featurizer seed", hashlib.sha256).digest()[:4], "big"
    )


def _decode_json(headers: Headers, body: bytes) -> Any:
    content_type = b""
    for name, value in headers:
        if name == b"content-type":
            content_type = value.lower()
            break
    media = content_type.split(b";", 1)[0].strip()
    if media != b"application/json" and not media.endswith(b"+json"):
        shown = media.decode("latin-1") or "none"
        raise UnsupportedMediaType(
            f"Expected a JSON body with Content-Type: application/json, got {shown!r}."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid UTF-8 (invalid byte at position {exc.start})."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"We could not parse the JSON body of your request: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})."
        ) from None
    except RecursionError:
        raise BadRequest("The JSON body of your request is nested too deeply.") from None
