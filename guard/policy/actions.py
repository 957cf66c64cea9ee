"""What a rule does: one action from a closed set, each with its own parameters.

``then:`` is a tagged union: ``{action: tarpit, delay: 3s}`` is read as :class:`Tarpit`, and a
parameter of another action is refused with the list of the ones that apply
("'delay' is not a parameter of throttle (parameters: ...)"). A bare action name
(``then: block``) is the action with its defaults.

The adaptive throttle is a GCRA limit per key and rule whose rate falls as suspicion rises:
:func:`adaptive_limit` turns a rule's parameters and the key's score into the limit to check.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from guard.models import Action, Decision
from guard.policy.typed import FieldError
from guard.policy.units import Duration, Fraction, Rate, format_rate, parse_rate
from guard.store.base import RateLimit

__all__ = [
    "ACTIONS",
    "Allow",
    "Block",
    "Cap",
    "Decoy",
    "Log",
    "Perturb",
    "Tarpit",
    "Then",
    "Throttle",
    "Watermark",
    "adaptive_limit",
]


@dataclass(frozen=True)
class Then:
    """What a rule does when it matches: an action name, or {action: <name>, parameters...}."""

    action: ClassVar[Action]
    __tag__: ClassVar[str] = "action"
    __variants__: ClassVar[dict[str, type[Then]]]

    scalar_schema: ClassVar[dict[str, Any]] = {
        "enum": [a.value for a in Action],
        "description": "an action with its default parameters",
    }

    @classmethod
    def from_scalar(cls, value: Any) -> Then:
        variant = ACTIONS.get(value) if isinstance(value, str) else None
        if variant is None:
            close = difflib.get_close_matches(str(value), list(ACTIONS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown action {value!r}{hint}: use one of " + ", ".join(ACTIONS))
        return variant()

    def decision(self, rule: str, *, shadow: bool = False) -> Decision:
        """The :class:`Decision` this action makes for ``rule``."""
        return Decision(self.action, rule, shadow=shadow)

    def parameters(self) -> dict[str, Any]:
        """The action's parameters as written in a policy (for explain and audit logs)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class Allow(Then):
    """Let the request through untouched."""

    action: ClassVar[Action] = Action.ALLOW


@dataclass(frozen=True)
class Log(Then):
    """Let the request through and record the decision in the audit log."""

    action: ClassVar[Action] = Action.LOG


@dataclass(frozen=True)
class Throttle(Then):
    """Refuse with 429 and Retry-After; with `rate`, only requests above that rate.

    Without `rate`, every request the rule matches is refused. With `rate` the rule holds the
    key to a GCRA limit of its own: requests within it pass, the rest get 429. With `min_rate`
    too the limit is adaptive: `rate` while the score is at or below `from_score`, falling
    log-linearly to `min_rate` at score 1.
    """

    action: ClassVar[Action] = Action.THROTTLE
    retry_after: Duration | None = field(
        default=None,
        metadata={
            "doc": "Retry-After of a refusal without `rate` (default: the wait the refusing "
            "rate limit gives, else 60 s)."
        },
    )
    message: str | None = field(
        default=None, metadata={"doc": "Error message shown to the client."}
    )
    rate: Rate | None = field(
        default=None,
        metadata={"doc": "Let requests through at this rate and refuse the rest, e.g. '60/min'."},
    )
    min_rate: Rate | None = field(
        default=None,
        metadata={
            "doc": "Adaptive: the rate at score 1; between `from_score` and 1 the rate falls "
            "log-linearly from `rate` to this, e.g. '2/min'."
        },
    )
    burst: int = field(default=1, metadata={"doc": "Requests allowed back to back above the rate."})
    from_score: float = field(
        default=0.5,
        metadata={"doc": "Adaptive: the score at and below which the full `rate` applies."},
    )

    def __post_init__(self) -> None:
        if self.burst < 1:
            raise FieldError("burst", f"burst must be at least 1, got {self.burst}")
        if not 0 <= self.from_score < 1:
            raise FieldError("from_score", f"from_score must be in [0, 1), got {self.from_score}")
        if self.rate is None:
            for key in ("min_rate",):
                if getattr(self, key) is not None:
                    raise FieldError(key, f"{key} needs a rate: add 'rate: <count>/<period>'")
            return
        if self.retry_after is not None:
            raise FieldError(
                "retry_after",
                "retry_after cannot be combined with rate: a rate-limited refusal's "
                "Retry-After is the wait the rate gives; remove one of them",
            )
        if self.min_rate is not None:
            top, bottom = _per_second(self.rate), _per_second(self.min_rate)
            if bottom > top:
                raise FieldError(
                    "min_rate",
                    f"min_rate {self.min_rate} is faster than rate {self.rate} "
                    f"({format_rate(bottom)} > {format_rate(top)}): the rate falls from "
                    "`rate` to `min_rate` as suspicion rises; swap them",
                )

    @property
    def limited(self) -> bool:
        """Whether requests within a rate pass (``rate`` set) rather than all being refused."""
        return self.rate is not None

    def decision(self, rule: str, *, shadow: bool = False) -> Decision:
        return Decision(
            self.action, rule, self.message or "", self.retry_after or 0.0, shadow=shadow
        )


@dataclass(frozen=True)
class Tarpit(Then):
    """Answer, but slowly: a delay before the response, and between chunks of a stream."""

    action: ClassVar[Action] = Action.TARPIT
    delay: Duration = field(default=2.0, metadata={"doc": "Delay before the response starts."})
    jitter: Fraction = field(
        default=0.25,
        metadata={
            "doc": "Random spread of the delay, as a fraction of it (0.25: between 75% and 125%)."
        },
    )
    stream_delay: Duration | None = field(
        default=None,
        metadata={"doc": "Streams: added delay before each chunk, e.g. '50ms' (default: none)."},
    )


@dataclass(frozen=True)
class Block(Then):
    """Refuse the request with an error in the API's own format."""

    action: ClassVar[Action] = Action.BLOCK
    status: int = field(default=403, metadata={"doc": "HTTP status of the refusal (400-599)."})
    message: str | None = field(
        default=None, metadata={"doc": "Error message shown to the client."}
    )

    def __post_init__(self) -> None:
        if not 400 <= self.status <= 599:
            raise FieldError("status", f"status must be an HTTP error (400-599), got {self.status}")

    def decision(self, rule: str, *, shadow: bool = False) -> Decision:
        return Decision(self.action, rule, self.message or "", shadow=shadow, status=self.status)


StripField = Literal["logprobs", "logit_bias", "n"]


@dataclass(frozen=True)
class Cap(Then):
    """Answer a reduced request: fewer output tokens, no log-probabilities, one completion."""

    action: ClassVar[Action] = Action.CAP
    max_tokens: int | None = field(
        default=None,
        metadata={
            "doc": "Lower the output token limit to this (requests asking for less keep theirs)."
        },
    )
    strip: list[StripField] = field(
        default_factory=lambda: ["logprobs", "logit_bias", "n"],
        metadata={
            "doc": "Request parameters to remove: logprobs (and top_logprobs), logit_bias, "
            "n (set to 1)."
        },
    )

    def __post_init__(self) -> None:
        if self.max_tokens is not None and self.max_tokens < 1:
            raise FieldError("max_tokens", f"max_tokens must be at least 1, got {self.max_tokens}")
        if self.max_tokens is None and not self.strip:
            raise FieldError("strip", "cap changes nothing: set max_tokens or strip something")


@dataclass(frozen=True)
class Decoy(Then):
    """Answer with a plausible decoy instead of the real model's answer."""

    action: ClassVar[Action] = Action.DECOY
    strategy: Literal["downgrade", "mismatch", "synthetic"] = field(
        default="downgrade",
        metadata={
            "doc": "downgrade: a weaker model answers; mismatch: the answer to another prompt; "
            "synthetic: a generated answer that looks right and is not."
        },
    )
    upstream: str | None = field(
        default=None,
        metadata={
            "doc": "downgrade: base URL of the API that answers instead (default: the same "
            "upstream, asked for `model`). It gets the client's request headers except its "
            "credentials (see `api_key_env`); if it fails, a synthetic decoy answers."
        },
    )
    model: str | None = field(
        default=None,
        metadata={
            "doc": "downgrade: the model that answers instead (with neither upstream nor "
            "model, a synthetic decoy answers)."
        },
    )
    canary: bool = field(
        default=True,
        metadata={
            "doc": "Embed a traceable canary in decoy answers, to recognise them in a student "
            "model."
        },
    )
    api_key_env: str | None = field(
        default=None,
        metadata={
            "doc": "downgrade with `upstream`: the environment variable holding that API's key "
            "(sent as x-api-key on Anthropic routes, else as a Bearer token). The client's own "
            "key is never sent to another upstream."
        },
    )

    def __post_init__(self) -> None:
        if self.strategy != "downgrade":
            for key in ("upstream", "model", "api_key_env"):
                if getattr(self, key) is not None:
                    raise FieldError(
                        key, f"{key} is only used by strategy 'downgrade', not {self.strategy!r}"
                    )


@dataclass(frozen=True)
class Perturb(Then):
    """Answer with subtly altered content, useless as training data and harmless to read."""

    action: ClassVar[Action] = Action.PERTURB
    strength: Fraction = field(
        default=0.3, metadata={"doc": "How much to alter, from 0 (nothing) to 1."}
    )
    numbers: bool = field(default=True, metadata={"doc": "Alter numbers."})
    steps: bool = field(default=True, metadata={"doc": "Alter intermediate reasoning steps."})
    final: bool = field(
        default=True,
        metadata={
            "doc": "Alter the final answer too (what poisons a student: without it, only a "
            "minority of harvested answers end wrong)."
        },
    )
    code: bool = field(default=False, metadata={"doc": "Alter code blocks."})
    claims: bool = field(
        default=True,
        metadata={
            "doc": "Alter claims in plain prose (antonyms, negations, cause and effect, names "
            "traded), so answers without numbers, steps or code come back wrong too."
        },
    )

    def __post_init__(self) -> None:
        if not (self.numbers or self.steps or self.final or self.code or self.claims):
            raise FieldError(
                "numbers", "perturb alters nothing: enable numbers, steps, final, code or claims"
            )


@dataclass(frozen=True)
class Watermark(Then):
    """Answer with a statistical watermark, to recognise a student trained on the answers."""

    action: ClassVar[Action] = Action.WATERMARK
    strength: Fraction = field(
        default=0.5, metadata={"doc": "Watermark strength, from 0 (none) to 1 (most detectable)."}
    )


ACTIONS: dict[str, type[Then]] = {
    cls.action.value: cls
    for cls in (Allow, Log, Throttle, Tarpit, Block, Cap, Decoy, Perturb, Watermark)
}
"""Action name -> its parameters' class, in the order of :class:`guard.models.Action`."""
Then.__variants__ = ACTIONS


def _per_second(rate: str) -> float:
    count, period = parse_rate(rate)
    return count / period


def adaptive_limit(then: Throttle, score: float, name: str) -> RateLimit:
    """The GCRA limit a rate-limited throttle holds a key to at suspicion ``score``.

    Up to ``from_score`` the rate is ``rate``; from there to score 1 it falls log-linearly
    (equal steps of score divide the rate by equal factors) to ``min_rate``; without
    ``min_rate`` it is ``rate`` whatever the score. The period is ``rate``'s own, so a
    ``60/min`` limit at half speed reads as 30 per minute. ``name`` names the GCRA state in
    the store (one per rule, e.g. ``"rule:<rule name>"``).
    """
    if then.rate is None:
        raise ValueError("adaptive_limit needs a throttle with a rate")
    count, period = parse_rate(then.rate)
    if then.min_rate is not None:
        share = (score - then.from_score) / (1.0 - then.from_score)
        share = min(1.0, max(0.0, share)) if math.isfinite(share) else 1.0
        floor = _per_second(then.min_rate) * period
        if share >= 1.0:
            count = floor
        elif share > 0.0:
            count = math.exp(math.log(count) + share * (math.log(floor) - math.log(count)))
    return RateLimit(name, count, period, then.burst)
