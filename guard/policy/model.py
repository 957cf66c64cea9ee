"""The policy model: what a policy file may say, declared once.

The loader (``guard.policy.loader``) reads YAML into these dataclasses and the JSON Schema is
generated from them, so the two cannot drift apart. Each field's ``doc`` is the text editors
show while typing and ``docs/policy.md`` repeats.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from guard.models import Api, Identity
from guard.policy.actions import Allow, Decoy, Then
from guard.policy.conditions import Condition
from guard.policy.typed import FieldError, Scalar, yaml_key
from guard.policy.units import Duration, Rate, Size, parse_duration, parse_rate
from guard.scoring import Persistence
from guard.signals.weights import DEFAULT_BIAS, DEFAULT_WEIGHTS
from guard.store.base import RateLimit, SketchSpec, Window

if TYPE_CHECKING:
    from guard.policy.tiers import Tier, TierMatcher

__all__ = [
    "AuditConfig",
    "Budgets",
    "CampaignBudgets",
    "CustomRoute",
    "IdentityConfig",
    "KeyId",
    "LimitsConfig",
    "Network",
    "Policy",
    "RateLimitConfig",
    "RoutesConfig",
    "Rule",
    "ScoringConfig",
    "ScoringOverride",
    "SketchConfig",
    "Then",
    "TierConfig",
    "TierMatch",
    "WindowConfig",
    "default_windows",
]


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field carrying its documentation."""
    metadata = {"doc": text}
    if "alias" in kwargs:
        metadata["alias"] = kwargs.pop("alias")
    return field(metadata=metadata, **kwargs)


@dataclass(frozen=True)
class IdentityConfig:
    """How callers are identified."""

    key_headers: list[str] = doc(
        "Headers that carry the API key, tried in order. 'authorization' accepts 'Bearer <key>'.",
        default_factory=lambda: ["authorization", "x-api-key"],
    )
    require_key: bool = doc(
        "Refuse requests without an API key (401). When false they are tracked by client IP.",
        default=False,
    )
    trusted_proxies: list[str] = doc(
        "Proxies (IPs or CIDRs, '*' for any) whose X-Forwarded-For is believed.",
        default_factory=list,
    )
    secret: str | None = doc(
        "HMAC secret for key ids. Prefer the GUARD_SECRET environment variable to writing it here.",
        default=None,
    )


@dataclass(frozen=True)
class CustomRoute:
    """A route of a custom JSON API, read through JSON paths."""

    name: str = doc("Name shown in reports and usable in rules as route == 'generic.<name>'.")
    path: str = doc("Request path, exact or with a trailing '*' (prefix match).")
    prompt: str = doc(
        "JSON path of the prompt text, e.g. '$.input.text' or '$.messages[-1].content'."
    )
    api: Api = doc("Which API's error shape to answer with.", default=Api.OPENAI)
    system: str | None = doc("JSON path of the system prompt.", default=None)
    conversation: str | None = doc("JSON path of all turns' texts.", default=None)
    model: str | None = doc("JSON path of the model name.", default=None)
    max_tokens: str | None = doc("JSON path of the output token limit.", default=None)
    stream: str | None = doc("JSON path of the streaming flag.", default=None)
    usage_input: str | None = doc("JSON path of input tokens in the response.", default=None)
    usage_output: str | None = doc("JSON path of output tokens in the response.", default=None)


@dataclass(frozen=True)
class RoutesConfig:
    """Which requests are inspected, and through which format adapter."""

    builtin: bool = doc(
        "Inspect the OpenAI (/v1/chat/completions, /v1/completions, /v1/responses) and "
        "Anthropic (/v1/messages) routes.",
        default=True,
    )
    custom: list[CustomRoute] = doc("Routes of custom APIs.", default_factory=list)
    ignore: list[str] = doc(
        "Paths passed through without inspection (exact, or trailing '*').",
        default_factory=list,
    )
    unknown: Literal["pass", "block"] = doc(
        "What to do with paths no adapter knows: pass them through, or block them (404).",
        default="pass",
    )


@dataclass(frozen=True)
class LimitsConfig:
    """Request-level limits checked before anything else."""

    max_body: Size = doc("Largest request body accepted (413 above).", default=10 * 1000 * 1000)


@dataclass(frozen=True)
class WindowConfig:
    """A named sliding window, e.g. 'day: 24h'."""

    seconds: Duration = doc("Length of the window.")
    buckets: int = doc(
        "Sub-windows it slides by: a count covers up to one extra bucket of history; more "
        "buckets are more precise and use more memory.",
        default=6,
    )

    scalar_schema: ClassVar[dict[str, Any]] = {
        "type": "string",
        "description": "shorthand for {seconds: <duration>}",
    }

    @classmethod
    def from_scalar(cls, value: Any) -> WindowConfig:
        return cls(seconds=parse_duration(value))

    def __post_init__(self) -> None:
        if self.seconds < 1:
            raise FieldError("seconds", f"a window must be at least 1s long, got {self.seconds:g}s")
        if not 1 <= self.buckets <= 64:
            raise FieldError("buckets", f"buckets must be between 1 and 64, got {self.buckets}")
        if self.seconds / self.buckets < 1:
            raise FieldError(
                "buckets",
                f"{self.buckets} buckets of a {self.seconds:g}s window would each be shorter "
                f"than 1s: use at most {int(self.seconds)}",
            )


def default_windows() -> dict[str, WindowConfig]:
    return {
        "hour": WindowConfig(3600.0, 4),
        "day": WindowConfig(86400.0, 6),
        "week": WindowConfig(604800.0, 7),
    }


@dataclass(frozen=True)
class SketchConfig:
    """Sketch parameters (memory against precision)."""

    precision: int = doc(
        "HyperLogLog precision p: 2**p one-byte registers per bucket, standard error "
        "1.04/sqrt(2**p) (p=7: 9%).",
        default=7,
    )
    ring: int = doc(
        "Recent requests remembered per key (40 bytes each) for the behaviour signals: "
        "conversation shape, templates, timing.",
        default=48,
    )

    def __post_init__(self) -> None:
        if not 4 <= self.precision <= 16:
            raise FieldError(
                "precision", f"precision must be between 4 and 16, got {self.precision}"
            )
        if not 8 <= self.ring <= 1024:
            raise FieldError("ring", f"ring must be between 8 and 1024, got {self.ring}")


_BUDGET_KINDS = ("coverage", "requests", "input_tokens", "output_tokens")


def _check_budgets(owner: object, kinds: Sequence[str]) -> None:
    for kind in kinds:
        for window, limit in getattr(owner, kind).items():
            if limit is not None and limit < 1:
                raise FieldError(
                    f"{kind}.{window}",
                    f"a budget must be at least 1, got {limit} (to have no budget, leave the "
                    "window out; in a tier, null removes an inherited one)",
                )


@dataclass(frozen=True)
class CampaignBudgets:
    """Budgets of a campaign (keys guard linked together): budget.campaign.<kind>.<window>."""

    coverage: dict[str, int | None] = doc(
        "Most distinct semantic cells all the campaign's keys may cover together per window.",
        default_factory=dict,
    )
    requests: dict[str, int | None] = doc(
        "Most requests all the campaign's keys may make together per window.",
        default_factory=dict,
    )

    def __post_init__(self) -> None:
        _check_budgets(self, ("coverage", "requests"))

    def items(self) -> list[tuple[str, str, int]]:
        """(kind, window, limit) for every campaign budget."""
        return [
            (kind, window, limit)
            for kind in ("coverage", "requests")
            for window, limit in getattr(self, kind).items()
            if limit is not None
        ]


@dataclass(frozen=True)
class Budgets:
    """Per-key budgets over named windows; rules see their use as budget.<kind>.<window>."""

    coverage: dict[str, int | None] = doc(
        "Most distinct semantic cells a key may cover per window.", default_factory=dict
    )
    requests: dict[str, int | None] = doc("Most requests per window.", default_factory=dict)
    input_tokens: dict[str, int | None] = doc("Most input tokens per window.", default_factory=dict)
    output_tokens: dict[str, int | None] = doc(
        "Most output tokens per window.", default_factory=dict
    )
    campaign: CampaignBudgets = doc(
        "Budgets of the campaign a key is linked to (all its keys together).",
        default_factory=CampaignBudgets,
    )

    def __post_init__(self) -> None:
        _check_budgets(self, _BUDGET_KINDS)

    def items(self) -> list[tuple[str, str, int]]:
        """(kind, window, limit) for every per-key budget."""
        return [
            (kind, window, limit)
            for kind in _BUDGET_KINDS
            for window, limit in getattr(self, kind).items()
            if limit is not None
        ]

    def campaign_items(self) -> list[tuple[str, str, int]]:
        """(kind, window, limit) for every campaign budget."""
        return self.campaign.items()

    def overridden(self, other: Budgets) -> Budgets:
        """These budgets with ``other``'s laid over them, per (kind, window); null removes."""

        def merge(base: dict[str, int | None], top: dict[str, int | None]) -> dict[str, int | None]:
            merged = {**base, **top}
            return {window: limit for window, limit in merged.items() if limit is not None}

        campaign = CampaignBudgets(
            merge(self.campaign.coverage, other.campaign.coverage),
            merge(self.campaign.requests, other.campaign.requests),
        )
        kinds = {kind: merge(getattr(self, kind), getattr(other, kind)) for kind in _BUDGET_KINDS}
        return Budgets(**kinds, campaign=campaign)


@dataclass(frozen=True)
class RateLimitConfig:
    """A request rate limit (GCRA), e.g. '120/min', checked in the same store round trip."""

    rate: Rate = doc("Sustained rate: '<count>/<period>', e.g. '120/min' or '5000/day'.")
    burst: int = doc("Requests allowed back to back above the sustained rate.", default=1)

    scalar_schema: ClassVar[dict[str, Any]] = {
        "type": "string",
        "description": "shorthand for {rate: '<count>/<period>'}",
    }

    @classmethod
    def from_scalar(cls, value: Any) -> RateLimitConfig:
        parse_rate(value)
        return cls(rate=str(value).strip())

    def __post_init__(self) -> None:
        parse_rate(self.rate)
        if self.burst < 1:
            raise FieldError("burst", f"burst must be at least 1, got {self.burst}")

    def limit(self, name: str) -> RateLimit:
        count, period = parse_rate(self.rate)
        return RateLimit(name, count, period, self.burst)


@dataclass(frozen=True)
class ScoringConfig:
    """How signals combine into suspicion: score = logistic(bias + sum(weight * signal))."""

    bias: float = doc("Log-odds of suspicion when every signal is 0.", default=DEFAULT_BIAS)
    weights: dict[str, float] = doc(
        "Weight of each signal (by name); signals not listed weigh 0. Omitted: the shipped "
        "model, fitted offline (docs/detection.md).",
        default_factory=lambda: dict(DEFAULT_WEIGHTS),
    )
    min_requests: int = doc(
        "Requests a key must have made before its key-level signals count (too little evidence "
        "before that).",
        default=8,
    )
    window: str = doc("Window whose counts feed the key-level signals.", default="day")
    suspect_at: float = doc(
        "Score from which a request counts as suspect in the key's windows (rules read the "
        "counts as suspect.<window>): how long a key has been suspect, where one request's "
        "score only says how its recent requests look.",
        default=0.92,
    )
    suspect_after: int = doc(
        "A key suspect on this many requests of the scoring window keeps a score of at least "
        "suspect_at until the window forgets them (reason: persistent); 0 turns this off.",
        default=6,
    )

    def __post_init__(self) -> None:
        if not 0.0 <= self.suspect_at <= 1.0:
            raise FieldError("suspect_at", f"suspect_at must be in [0, 1], got {self.suspect_at}")
        if self.suspect_after < 0:
            raise FieldError(
                "suspect_after", f"suspect_after must be 0 or more, got {self.suspect_after}"
            )

    def persistence(self) -> Persistence:
        return Persistence(self.suspect_at, self.suspect_after, self.window)


@dataclass(frozen=True)
class ScoringOverride:
    """A tier's changes to the scoring: keys given replace the policy's, weights per signal."""

    bias: float | None = doc("Log-odds of suspicion when every signal is 0.", default=None)
    weights: dict[str, float] = doc(
        "Weights of the signals named here; other signals keep the policy's weight.",
        default_factory=dict,
    )
    min_requests: int | None = doc(
        "Requests a key must have made before its key-level signals count.", default=None
    )
    window: str | None = doc("Window whose counts feed the key-level signals.", default=None)
    suspect_at: float | None = doc(
        "Score from which a request counts as suspect in the key's windows.", default=None
    )
    suspect_after: int | None = doc(
        "Suspect requests after which a key keeps a score of at least suspect_at.", default=None
    )

    def apply(self, base: ScoringConfig) -> ScoringConfig:
        return ScoringConfig(
            base.bias if self.bias is None else self.bias,
            {**base.weights, **self.weights},
            base.min_requests if self.min_requests is None else self.min_requests,
            base.window if self.window is None else self.window,
            base.suspect_at if self.suspect_at is None else self.suspect_at,
            base.suspect_after if self.suspect_after is None else self.suspect_after,
        )


@dataclass(frozen=True)
class Rule:
    """One named rule; the first rule whose condition holds decides the request."""

    name: str = doc("Unique name, shown in audit logs, metrics and reports.")
    then: Then = doc(
        "The action, e.g. 'block', or with parameters: {action: throttle, retry_after: 60}."
    )
    when: Condition | None = doc(
        "Condition: an expression over signals, score, budgets, rates and the request, e.g. "
        '"score >= 0.9 and budget.coverage.day > 1", or structured conditions such as '
        "{score: '>= 0.9', route: [openai.chat]}. Omitted: always.",
        default=None,
    )
    shadow: bool = doc("Compute and log this rule's matches without applying them.", default=False)
    line: int | None = field(default=None, init=False, compare=False, repr=False)
    column: int | None = field(default=None, init=False, compare=False, repr=False)
    file: str | None = field(default=None, init=False, compare=False, repr=False)

    __label__: ClassVar[str] = "name"
    # A rule whose action or condition failed to load still takes part in the checks of
    # the others, as a rule that does nothing and never matches.
    __stand_ins__: ClassVar[dict[str, Any]] = {"then": Allow, "when": lambda: Condition("false")}

    def __mark__(self, where: Any) -> None:
        object.__setattr__(self, "file", where.file)
        object.__setattr__(self, "line", where.line)
        object.__setattr__(self, "column", where.column)


_KEY_ID = re.compile(r"^k_[0-9a-f]{32}$")


def parse_key_id(value: Any) -> str:
    """A key id as guard computes it (``k_`` and 32 hex digits); never a raw API key."""
    if isinstance(value, str) and _KEY_ID.match(value):
        return value
    raise ValueError(
        f"{value!r} is not a key id: tiers name keys by their id ('k_' and 32 hex digits), "
        "never by the raw key; 'guard explain --key <key>' prints a key's id"
    )


def parse_network(value: Any) -> str:
    """An IP address or network (CIDR), written canonically."""
    text = str(value).strip()
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValueError(
                f"{text!r} is not an IP address or network such as '10.0.0.0/8' or "
                f"'2001:db8::/32' ({exc})"
            ) from None
        raise ValueError(f"{text!r} has host bits set (did you mean '{loose}'?)") from None


KeyId = Annotated[
    str,
    Scalar(
        parse_key_id,
        {
            "description": "a key id: 'k_' and 32 hex digits",
            "type": "string",
            "pattern": _KEY_ID.pattern,
        },
    ),
]
Network = Annotated[
    str,
    Scalar(
        parse_network,
        {"description": "an IP address or a network such as '10.0.0.0/8'", "type": "string"},
    ),
]


@dataclass(frozen=True)
class TierMatch:
    """Which requests belong to a tier: every criterion given must hold.

    key_ids, key_id_prefix and key_list together are one criterion (the key is listed by any
    of them); ips, headers and has_key are one each.
    """

    key_ids: list[KeyId] = doc(
        "Key ids ('k_...', see 'guard explain --key') of the tier's keys.", default_factory=list
    )
    key_id_prefix: str | list[str] | None = doc(
        "Key ids starting with this (or one of these), e.g. 'ip:' for callers without a key.",
        default=None,
    )
    key_list: str | None = doc(
        "A file of key ids, one per line ('#' starts a comment), relative to the policy file; "
        "read when the policy is (re)loaded.",
        default=None,
    )
    ips: list[Network] = doc(
        "Client IPs or networks (CIDR) after trusted-proxy resolution.", default_factory=list
    )
    headers: dict[str, str | list[str]] = doc(
        "Request headers that must have one of the given values ('*': any value); names are "
        "case-insensitive.",
        default_factory=dict,
    )
    has_key: bool | None = doc(
        "true: only callers with an API key; false: only callers without one.", default=None
    )

    def __post_init__(self) -> None:
        if not (
            self.key_ids
            or self.key_id_prefix
            or self.key_list
            or self.ips
            or self.headers
            or self.has_key is not None
        ):
            raise ValueError(
                "an empty match would take every request: give at least one of key_ids, "
                "key_id_prefix, key_list, ips, headers, has_key"
            )


@dataclass(frozen=True)
class TierConfig:
    """A named group of callers with its own budgets, rate limits, rules and scoring."""

    name: str = doc("Unique name; rules see it as `tier`, reports and audit logs show it.")
    match: TierMatch | list[TierMatch] = doc(
        "Which requests belong to the tier; a list matches when any of its entries does."
    )
    description: str | None = doc("What the tier is for (shown by guard explain).", default=None)
    budgets: Budgets = doc(
        "Budgets replacing the policy's per (kind, window); null removes one.",
        default_factory=Budgets,
    )
    rate_limits: dict[str, RateLimitConfig | None] = doc(
        "Rate limits replacing the policy's of the same name; null removes one.",
        default_factory=dict,
    )
    scoring: ScoringOverride = doc("Scoring changes for the tier.", default_factory=ScoringOverride)
    rules: list[Rule] = doc(
        "The tier's rules, tried before the policy's rules.", default_factory=list
    )
    inherit_rules: bool = doc(
        "Whether the policy's rules are tried after the tier's own (false: only the tier's).",
        default=True,
    )
    line: int | None = field(default=None, init=False, compare=False, repr=False)
    file: str | None = field(default=None, init=False, compare=False, repr=False)

    __stand_ins__: ClassVar[dict[str, Any]] = {"match": lambda: TierMatch(has_key=True)}

    def __mark__(self, where: Any) -> None:
        object.__setattr__(self, "file", where.file)
        object.__setattr__(self, "line", where.line)

    @property
    def matches(self) -> list[TierMatch]:
        return self.match if isinstance(self.match, list) else [self.match]


@dataclass(frozen=True)
class AuditConfig:
    """The audit log: one JSON line per non-allow decision (optionally per request)."""

    path: str | None = doc(
        "JSONL file to append to (relative to guard's working directory); omitted: no audit "
        "log. Records hold the time, key id, tier, rule, action, score and reasons, never a "
        "raw key.",
        default=None,
    )
    all_requests: bool = doc(
        "Record allowed requests too, not only other decisions.", default=False
    )
    include_prompt: bool = doc(
        "Include the prompt text in records (mind the privacy of your users).", default=False
    )


@dataclass(frozen=True)
class Policy:
    """A guard policy (version 1)."""

    version: Literal[1] = doc("Policy language version.", default=1)
    imports: list[str] = doc(
        "Policy files to build on (paths relative to this file). Their windows, budgets, rate "
        "limits, tiers and rules are merged in; this file wins on conflicts (see "
        "docs/policy.md).",
        default_factory=list,
        alias="import",
    )
    mode: Literal["enforce", "shadow"] = doc(
        "enforce applies decisions; shadow computes, logs and counts them but applies none.",
        default="enforce",
    )
    fail: Literal["open", "closed"] = doc(
        "When the state store fails: open lets requests through, closed refuses them (503).",
        default="open",
    )
    identity: IdentityConfig = doc("How callers are identified.", default_factory=IdentityConfig)
    routes: RoutesConfig = doc("Which requests are inspected.", default_factory=RoutesConfig)
    limits: LimitsConfig = doc("Request-level limits.", default_factory=LimitsConfig)
    windows: dict[str, WindowConfig] = doc(
        "Named sliding windows that budgets and rules refer to.", default_factory=default_windows
    )
    sketch: SketchConfig = doc("Sketch parameters.", default_factory=SketchConfig)
    featurizer: Literal["lexical", "embed"] = doc(
        "What names a prompt's coverage cell: lexical (its most salient word, microseconds) or "
        "embed (random hyperplanes on a sentence embedding; needs the guard[embed] extra, "
        "costs milliseconds per request and separated worse when measured: "
        "docs/featurizer.md).",
        default="lexical",
    )
    budgets: Budgets = doc("Per-key and per-campaign budgets.", default_factory=Budgets)
    rate_limits: dict[str, RateLimitConfig] = doc(
        "Named request rate limits; rules see a refusal as rate.<name>.", default_factory=dict
    )
    scoring: ScoringConfig = doc("How suspicion is scored.", default_factory=ScoringConfig)
    tiers: list[TierConfig] = doc(
        "Groups of callers, tried in order: a request belongs to the first tier it matches, "
        "else to the implicit tier 'default'.",
        default_factory=list,
    )
    rules: list[Rule] = doc("Ordered rules; the first match decides.", default_factory=list)
    audit: AuditConfig = doc("The audit log.", default_factory=AuditConfig)
    source: str = field(default="<policy>", init=False, compare=False, repr=False)
    files: tuple[str, ...] = field(default=(), init=False, compare=False, repr=False)
    _matcher: Any = field(default=None, init=False, compare=False, repr=False)
    _digest: Any = field(default=None, init=False, compare=False, repr=False)
    _base: Path | None = field(default=None, init=False, compare=False, repr=False)

    def sketch_spec(self) -> SketchSpec:
        windows = tuple(Window(name, w.seconds, w.buckets) for name, w in self.windows.items())
        return SketchSpec(windows, self.sketch.precision, self.sketch.ring)

    def rate_limit_list(self) -> tuple[RateLimit, ...]:
        """The default tier's rate limits (see :meth:`tier_for` for a request's own)."""
        return tuple(config.limit(name) for name, config in self.rate_limits.items())

    def replace(self, **changes: Any) -> Policy:
        """A copy with ``changes`` (not validated again), from the same source files."""
        policy = dataclasses.replace(self, **changes)
        for name in ("source", "files", "_base"):
            object.__setattr__(policy, name, getattr(self, name))
        return policy

    def __getstate__(self) -> dict[str, Any]:
        # The compiled tiers hold closures; a copy compiles its own when first used.
        return {**self.__dict__, "_matcher": None, "_digest": None}

    # Tiers ---------------------------------------------------------------------------------

    @property
    def matcher(self) -> TierMatcher:
        """The compiled tiers (built once: key lists are read then)."""
        if self._matcher is None:
            from guard.policy.tiers import TierMatcher

            object.__setattr__(self, "_matcher", TierMatcher(self))
        matcher: TierMatcher = self._matcher
        return matcher

    def tier_for(self, identity: Identity, headers: Sequence[tuple[bytes, bytes]]) -> Tier:
        """The tier a request belongs to: the first whose match holds, else 'default'."""
        return self.matcher.match(identity, headers)

    def tier(self, name: str) -> Tier:
        """A tier by name ('default' for the implicit one); KeyError if there is none."""
        return self.matcher[name]

    @property
    def rule_count(self) -> int:
        """Rules in the policy, the tiers' own included."""
        return len(self.rules) + sum(len(t.rules) for t in self.tiers)

    @property
    def downgrades(self) -> bool:
        """Whether a rule (a tier's included) answers with downgrade decoys, which ask another
        model over HTTP."""
        rules = [*self.rules, *(rule for tier in self.tiers for rule in tier.rules)]
        return any(isinstance(r.then, Decoy) and r.then.strategy == "downgrade" for r in rules)

    # Identity of the content ---------------------------------------------------------------

    @property
    def digest(self) -> str:
        """sha256 (hex) of the policy's canonical content: what it says, not how it is written
        (comments, order of keys, and imports resolved), key lists included."""
        if self._digest is None:
            content = {"policy": canonical(self), "key_lists": self.matcher.key_list_digest()}
            text = json.dumps(content, sort_keys=True, separators=(",", ":"))
            object.__setattr__(self, "_digest", hashlib.sha256(text.encode()).hexdigest())
        digest: str = self._digest
        return digest

    @property
    def hash(self) -> str:
        """The first 12 hex digits of :attr:`digest`: what ``guard check`` and metrics show."""
        return self.digest[:12]

    @property
    def base_dir(self) -> Path:
        """The directory paths in the policy (key lists) are relative to."""
        if self._base is not None:
            return self._base
        source = self.source
        if source.startswith("<") and source.endswith(">"):
            return Path.cwd()
        return Path(source).parent


def canonical(value: Any) -> Any:
    """A model value as plain JSON data, with keys as a policy file writes them."""
    if isinstance(value, Then):
        return {"action": value.action.value, **canonical(value.parameters())}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            yaml_key(f): canonical(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.init
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value
