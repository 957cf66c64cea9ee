"""Why a policy decides what it decides, for one request: tier, score, every rule's conditions.

Pure: no store and no upstream. The request body is read by the same adapters as live
traffic, the key's state (window counts, rate-limit outcomes, optionally the score, signal
values and campaign) comes from a JSON file, and the policy's tier matcher, scorer and rules
run on them exactly as in the pipeline. ``guard explain`` prints the result.

The key state file::

    {
      "windows": {"day": {"coverage": 900, "requests": 1200, "suspect": 12}},  # per window
      "rates": {"requests": {"allowed": false, "retry_after": 3}},  # rate limits' outcomes
      "signals": {"novelty": 0.9},     # optional: override signal values
      "score": 0.93,                   # optional: override the score itself
      "campaign": {"id": "c-7", "keys": 812, "coverage": {"day": 5000}}
    }
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from guard.adapters import GenericRoute, Router
from guard.errors import BadRequest, PolicyError, PolicyProblem
from guard.featurize import featurizer_for
from guard.identity import Identifier
from guard.models import (
    CampaignState,
    Features,
    Identity,
    KeyState,
    PromptRequest,
    RateResult,
    Score,
    SignalValue,
    WindowCounts,
)
from guard.policy.actions import Throttle, adaptive_limit
from guard.policy.context import build_context
from guard.policy.decide import RuleTrace, Verdict
from guard.policy.model import Policy
from guard.policy.tiers import Tier, TierCheck
from guard.policy.typed import Loader, compose, suggest
from guard.policy.units import format_rate
from guard.scoring import PERSISTENT, Scorer, logistic
from guard.signals import SIGNAL_NAMES, SignalContext, default_signals
from guard.store.base import RateLimit

__all__ = [
    "Explanation",
    "KeyStateFile",
    "as_json",
    "explain_request",
    "parse_key_state",
    "render",
]


@dataclass(frozen=True)
class WindowState:
    """A key's counts over one window."""

    coverage: int = 0
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    suspect: int = 0


@dataclass(frozen=True)
class RateState:
    """The outcome of one rate limit for this request."""

    allowed: bool = True
    retry_after: float = 0.0


@dataclass(frozen=True)
class CampaignFile:
    """The campaign the key is linked to."""

    id: str
    keys: int = 1
    coverage: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class KeyStateFile:
    """What ``--key-state`` may say (see the module docstring)."""

    windows: dict[str, WindowState] = field(default_factory=dict)
    rates: dict[str, RateState] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    campaign: CampaignFile | None = None


def parse_key_state(text: str, file: str = "<key state>") -> KeyStateFile:
    """A key state file read with file:line:column problems, like a policy."""
    try:
        node = compose(text, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = PolicyProblem(f"invalid JSON: {exc.problem}", file, line, column)
        raise PolicyError([problem]) from None
    if node is None:
        return KeyStateFile()
    loader = Loader(file)
    state: KeyStateFile = loader.load(node, KeyStateFile)
    for name in state.signals if loader.loaded(state) else ():
        if name not in SIGNAL_NAMES:
            where = loader.locate(f"signals.{name}", key=True)
            loader.problem(
                None,
                f"signals.{name}",
                f"unknown signal {name!r}{suggest(name, SIGNAL_NAMES)}; signals: "
                + ", ".join(SIGNAL_NAMES),
                at=where,
            )
    if loader.problems or not loader.loaded(state):
        raise PolicyError(loader.problems)
    return state


@dataclass(frozen=True)
class Explanation:
    """Everything ``guard explain`` shows, computed as the pipeline would."""

    policy: Policy
    path: str
    identity: Identity
    request: PromptRequest
    features: Features
    tier: Tier
    tier_checks: list[TierCheck]
    score: Score
    bias: float
    weights: Mapping[str, float]
    context: dict[str, Any]
    traces: list[RuleTrace]
    verdict: Verdict
    limit: RateLimit | None  # a rate-limited throttle's limit at this score
    notes: list[str]


def explain_request(
    policy: Policy,
    payload: Any,
    *,
    path: str = "/v1/chat/completions",
    key: str | None = None,
    ip: str = "127.0.0.1",
    headers: Sequence[tuple[str, str]] = (),
    state: KeyStateFile | None = None,
    secret: str | None = None,
) -> Explanation:
    """Run ``policy`` on one request body without a store; see :class:`Explanation`.

    Raises :class:`guard.errors.GuardError` when the path is not inspected or the body is not
    a request of its format.
    """
    notes: list[str] = []
    routes = policy.routes
    router = Router(
        generic=[GenericRoute(**_fields(route)) for route in routes.custom],
        ignore=routes.ignore,
        builtins=routes.builtin,
    )
    adapter = router.match(path)
    if adapter is None:
        raise BadRequest(f"{path} is not inspected by this policy (ignored or not an LLM route)")
    request = adapter.parse(payload)
    raw_secret = secret or policy.identity.secret or os.environ.get("GUARD_SECRET")
    if raw_secret is None:
        notes.append(
            "no secret (--secret, identity.secret or GUARD_SECRET): key ids are computed with "
            "an empty one and will not match production ids"
        )
    identifier = Identifier((raw_secret or "").encode(), key_headers=policy.identity.key_headers)
    wire = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
    if key is not None:
        header = policy.identity.key_headers[0] if policy.identity.key_headers else "authorization"
        value = f"Bearer {key}" if header.lower() == "authorization" else key
        wire.append((header.lower().encode("latin-1"), value.encode("latin-1")))
    identity = identifier.identify(wire, ip)
    seed = hmac.new((raw_secret or "").encode(), b"guard featurizer seed", hashlib.sha256)
    featurizer = featurizer_for(policy.featurizer, seed=int.from_bytes(seed.digest()[:4], "big"))
    features = featurizer.featurize(request)
    state = state or KeyStateFile()
    campaign = None
    if state.campaign is not None:
        c = state.campaign
        windows = {
            w: WindowCounts(c.coverage.get(w, 0), c.requests.get(w, 0))
            for w in {*c.coverage, *c.requests}
        }
        campaign = CampaignState(c.id, c.keys, windows)
    key_state = KeyState(
        windows={
            name: WindowCounts(
                w.coverage, w.requests, w.input_tokens, w.output_tokens, suspect=w.suspect
            )
            for name, w in state.windows.items()
        },
        rates={name: RateResult(r.allowed, r.retry_after) for name, r in state.rates.items()},
        campaign=campaign,
    )
    for name in state.windows:
        if name not in policy.windows:
            notes.append(f"window {name!r} of the key state is not one of the policy's")
    tier = policy.tier_for(identity, wire)
    checks = policy.matcher.explain(identity, wire)
    scoring = tier.scoring
    scorer = Scorer(default_signals(), scoring.weights, scoring.bias, scoring.persistence())
    signal_ctx = SignalContext(
        identity, request, features, key_state, scoring.window, scoring.min_requests
    )
    score = scorer.score(signal_ctx)
    if state.signals:
        score = _override(score, state.signals, scorer, signal_ctx)
    if state.score is not None:
        score = Score(state.score, score.signals)
    ctx = build_context(policy, identity, request, features, key_state, score, tier=tier)
    traces = tier.decider.trace(ctx, own=tier.own_rules)
    verdict = tier.decider.decide(ctx)
    limit = None
    then = verdict.then
    if isinstance(then, Throttle) and then.rate is not None and verdict.rule is not None:
        limit = adaptive_limit(then, score.value, f"rule:{verdict.rule.name}")
    return Explanation(
        policy,
        path,
        identity,
        request,
        features,
        tier,
        checks,
        score,
        scoring.bias,
        dict(scorer.weights),
        ctx,
        traces,
        verdict,
        limit,
        notes,
    )


def _fields(route: Any) -> dict[str, Any]:
    return {f.name: getattr(route, f.name) for f in dataclasses.fields(route)}


def _override(
    score: Score, values: Mapping[str, float], scorer: Scorer, ctx: SignalContext
) -> Score:
    signals = tuple(
        SignalValue(s.name, values[s.name], "set by the key state file") if s.name in values else s
        for s in score.signals
        if s.name != PERSISTENT
    )
    logit = scorer.bias + sum(scorer.weights.get(s.name, 0.0) * s.value for s in signals)
    return scorer.hold(ctx, Score(logistic(logit), signals))


# Rendering -------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if isinstance(value, (bool, type(None), str)) else str(value)


def render(explanation: Explanation) -> str:
    """The explanation as text for a terminal."""
    e = explanation
    policy, request, identity = e.policy, e.request, e.identity
    lines = [
        f"policy    {policy.source} (hash {policy.hash}, mode {policy.mode})",
        f"request   {e.path} -> {request.route}, model {request.model or '-'}, "
        f"{request.turns} turn(s), {e.features.input_tokens} prompt tokens",
        f"caller    {'key ' + identity.key_id if identity.has_key else 'no key'}, ip {identity.ip}",
        f"tier      {e.tier.name}" + (f" ({e.tier.description})" if e.tier.description else ""),
    ]
    width = max(len(c.tier) for c in e.tier_checks)
    for check in e.tier_checks:
        reasons = "; ".join(check.reasons)
        lines.append(f"  {check.tier:<{width}}  {'yes' if check.matched else 'no ':<3}  {reasons}")
    lines.append(f"score     {e.score.value:.4f}  (bias {e.bias:g})")
    for signal in e.score.signals:
        if signal.name == PERSISTENT:  # no signal: it holds the score up, see guard.scoring
            lines.append(f"  {signal.name:<12} holds the score: {signal.reason}")
            continue
        weight = e.weights.get(signal.name, 0.0)
        lines.append(f"  {signal.name:<12} {signal.value:.3f} x {weight:<5g} {signal.reason}")
    own = e.tier.own_rules
    inherited = len(e.tier.rules) - own
    lines.append(
        f"rules     {own} of tier {e.tier.name!r}, then {inherited} of the policy"
        if e.tier.name != "default"
        else f"rules     {len(e.tier.rules)} of the policy"
    )
    for number, trace in enumerate(e.traces, start=1):
        rule = trace.rule
        then = rule.then
        if not trace.reached:
            outcome = "not reached" + (" (would match)" if trace.matched else "")
        elif trace.decided:
            outcome = f"DECIDES -> {then.action.value}"
        elif trace.matched and rule.shadow:
            outcome = f"matches (shadow rule: {then.action.value} logged, not applied)"
        else:
            outcome = "matches" if trace.matched else "no"
        origin = f" [{e.tier.name}]" if trace.own else ""
        lines.append(f"  {number}. {rule.name}{origin}: {outcome}")
        if rule.when is None:
            lines.append("       (no condition: always)")
        for text, value in trace.conditions:
            lines.append(f"       {text:<48} {_show(value)}")
        if trace.values:
            shown = ", ".join(f"{name} = {_show(value)}" for name, value in trace.values)
            lines.append(f"       where {shown}")
    decision = e.verdict.decision
    if e.verdict.rule is None:
        text = "allow (no rule matched)"
    else:
        text = f"{decision.action.value} by rule {decision.rule!r}"
        then = e.verdict.rule.then
        defaults = type(then)().parameters()
        params = {k: v for k, v in then.parameters().items() if v != defaults[k]}
        if params:
            text += " " + json.dumps(params)
    if decision.shadow:
        text += " (shadow mode: logged, not applied)"
    if e.verdict.shadow_matches:
        text += f"; shadow rules matched: {', '.join(e.verdict.shadow_matches)}"
    lines.append(f"decision  {text}")
    if e.limit is not None:
        per_second = e.limit.limit / e.limit.period
        lines.append(
            f"          rate at score {e.score.value:.2f}: {format_rate(per_second)} "
            f"(burst {e.limit.burst}); requests within it pass, the rest get 429"
        )
    lines.extend(f"note      {note}" for note in e.notes)
    return "\n".join(lines) + "\n"


def as_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as JSON data (``guard explain --json``)."""
    e = explanation
    decision = e.verdict.decision
    return {
        "policy": {"source": e.policy.source, "hash": e.policy.hash, "mode": e.policy.mode},
        "request": {"path": e.path, "route": e.request.route, "model": e.request.model},
        "key_id": e.identity.key_id,
        "tier": e.tier.name,
        "tiers": [
            {"tier": c.tier, "matched": c.matched, "reasons": list(c.reasons)}
            for c in e.tier_checks
        ],
        "score": e.score.value,
        "signals": {s.name: s.value for s in e.score.signals},
        "rules": [
            {
                "rule": t.rule.name,
                "tier_rule": t.own,
                "reached": t.reached,
                "matched": t.matched,
                "decided": t.decided,
                "shadow": t.rule.shadow,
                "conditions": [[text, _jsonable(value)] for text, value in t.conditions],
                "values": {name: _jsonable(value) for name, value in t.values},
            }
            for t in e.traces
        ],
        "decision": {
            "action": decision.action.value,
            "rule": decision.rule or None,
            "shadow": decision.shadow,
            "parameters": _jsonable(e.verdict.then.parameters()) if e.verdict.then else {},
        },
        "shadow_rules": list(e.verdict.shadow_matches),
        "rate": None
        if e.limit is None
        else {"limit": e.limit.limit, "period": e.limit.period, "burst": e.limit.burst},
        "notes": e.notes,
    }


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value
