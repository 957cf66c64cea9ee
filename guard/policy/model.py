"""The policy model: what a policy file may say, declared once.

The loader (``guard.policy.loader``) reads YAML into these dataclasses and the JSON Schema is
generated from them, so the two cannot drift apart. Each field's ``doc`` is the text editors
show while typing and ``docs/policy.md`` repeats.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from guard.models import Action, Api
from guard.policy.units import Duration, Size, parse_duration, parse_rate
from guard.store.base import RateLimit, SketchSpec, Window

__all__ = [
    "Budgets",
    "CustomRoute",
    "IdentityConfig",
    "LimitsConfig",
    "Policy",
    "RateLimitConfig",
    "RoutesConfig",
    "Rule",
    "ScoringConfig",
    "SketchConfig",
    "Then",
    "WindowConfig",
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
        if not 1 <= self.buckets <= 64:
            raise ValueError(f"buckets must be between 1 and 64, got {self.buckets}")


def _default_windows() -> dict[str, WindowConfig]:
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

    def __post_init__(self) -> None:
        if not 4 <= self.precision <= 16:
            raise ValueError(f"precision must be between 4 and 16, got {self.precision}")


@dataclass(frozen=True)
class Budgets:
    """Per-key budgets over named windows; rules see their use as budget.<kind>.<window>."""

    coverage: dict[str, int] = doc(
        "Most distinct semantic cells a key may cover per window.", default_factory=dict
    )
    requests: dict[str, int] = doc("Most requests per window.", default_factory=dict)
    input_tokens: dict[str, int] = doc("Most input tokens per window.", default_factory=dict)
    output_tokens: dict[str, int] = doc("Most output tokens per window.", default_factory=dict)

    def items(self) -> list[tuple[str, str, int]]:
        """(kind, window, limit) for every budget."""
        return [
            (kind, window, limit)
            for kind in ("coverage", "requests", "input_tokens", "output_tokens")
            for window, limit in getattr(self, kind).items()
        ]


@dataclass(frozen=True)
class RateLimitConfig:
    """A request rate limit (GCRA), e.g. '120/min', checked in the same store round trip."""

    rate: str = doc("Sustained rate: '<count>/<period>', e.g. '120/min' or '5000/day'.")
    burst: int = doc("Requests allowed back to back above the sustained rate.", default=1)

    scalar_schema: ClassVar[dict[str, Any]] = {
        "type": "string",
        "description": "shorthand for {rate: '<count>/<period>'}",
    }

    @classmethod
    def from_scalar(cls, value: Any) -> RateLimitConfig:
        parse_rate(value)
        return cls(rate=str(value))

    def __post_init__(self) -> None:
        parse_rate(self.rate)
        if self.burst < 1:
            raise ValueError(f"burst must be at least 1, got {self.burst}")

    def limit(self, name: str) -> RateLimit:
        count, period = parse_rate(self.rate)
        return RateLimit(name, count, period, self.burst)


@dataclass(frozen=True)
class ScoringConfig:
    """How signals combine into suspicion: score = logistic(bias + sum(weight * signal))."""

    bias: float = doc("Log-odds of suspicion when every signal is 0.", default=-6.0)
    weights: dict[str, float] = doc(
        "Weight of each signal (by name); signals not listed weigh 0.", default_factory=dict
    )
    min_requests: int = doc(
        "Requests a key must have made before its key-level signals count (too little evidence "
        "before that).",
        default=8,
    )
    window: str = doc("Window whose counts feed the key-level signals.", default="day")


@dataclass(frozen=True)
class Then:
    """What a rule does when it matches."""

    action: Action = doc(
        "One of allow, log, throttle, tarpit, block, cap, decoy, perturb, watermark."
    )
    retry_after: Duration | None = doc(
        "throttle: seconds in Retry-After (default: the rate limit's own wait, else 60).",
        default=None,
    )
    message: str | None = doc("Error message shown to the client (throttle, block).", default=None)

    scalar_schema: ClassVar[dict[str, Any]] = {
        "enum": [a.value for a in Action],
        "description": "shorthand for {action: <name>}",
    }

    @classmethod
    def from_scalar(cls, value: Any) -> Then:
        try:
            return cls(action=Action(value))
        except ValueError:
            import difflib

            close = difflib.get_close_matches(str(value), [a.value for a in Action], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"unknown action {value!r}{hint}: use one of " + ", ".join(a.value for a in Action)
            ) from None


@dataclass(frozen=True)
class Rule:
    """One named rule; the first rule whose condition holds decides the request."""

    name: str = doc("Unique name, shown in audit logs, metrics and reports.")
    then: Then = doc("The action, e.g. 'block', or {action: throttle, retry_after: 60}.")
    when: str | None = doc(
        "Condition, an expression over signals, score, budgets, rates and the request, e.g. "
        '"score >= 0.9 and budget.coverage.day > 1". Omitted: always.',
        default=None,
    )
    shadow: bool = doc("Compute and log this rule's matches without applying them.", default=False)
    line: int | None = field(default=None, init=False, compare=False, repr=False)

    def __mark__(self, node: Any) -> None:
        object.__setattr__(self, "line", node.start_mark.line + 1)


@dataclass(frozen=True)
class Policy:
    """A guard policy (version 1)."""

    version: Literal[1] = doc("Policy language version.", default=1)
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
        "Named sliding windows that budgets and rules refer to.", default_factory=_default_windows
    )
    sketch: SketchConfig = doc("Sketch parameters.", default_factory=SketchConfig)
    budgets: Budgets = doc("Per-key budgets.", default_factory=Budgets)
    rate_limits: dict[str, RateLimitConfig] = doc(
        "Named request rate limits; rules see a refusal as rate.<name>.", default_factory=dict
    )
    scoring: ScoringConfig = doc("How suspicion is scored.", default_factory=ScoringConfig)
    rules: list[Rule] = doc("Ordered rules; the first match decides.", default_factory=list)
    source: str = field(default="<policy>", init=False, compare=False, repr=False)

    def sketch_spec(self) -> SketchSpec:
        windows = tuple(Window(name, w.seconds, w.buckets) for name, w in self.windows.items())
        return SketchSpec(windows, self.sketch.precision)

    def rate_limit_list(self) -> tuple[RateLimit, ...]:
        return tuple(config.limit(name) for name, config in self.rate_limits.items())

    def replace(self, **changes: Any) -> Policy:
        return dataclasses.replace(self, **changes)
