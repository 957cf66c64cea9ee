"""Plain data passed between the pipeline's stages.

Each stage (identify, extract, featurize, observe, score, decide, act) reads the value the
previous one produced and adds its own; none of them reaches back into another stage's
internals. Keeping these types small and frozen is what lets the middleware, the standalone
proxy and ``guard replay`` share one pipeline.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "Action",
    "Api",
    "CampaignState",
    "Decision",
    "Features",
    "Identity",
    "KeyState",
    "PromptRequest",
    "RateResult",
    "Score",
    "SignalValue",
    "Turn",
    "Usage",
    "WindowCounts",
]


class Api(str, enum.Enum):
    """The API family a route speaks; it decides the shape of error bodies."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    GENERIC = "generic"


class Action(str, enum.Enum):
    """What guard does with a request. The policy picks exactly one per request."""

    ALLOW = "allow"
    LOG = "log"
    THROTTLE = "throttle"
    TARPIT = "tarpit"
    BLOCK = "block"
    CAP = "cap"
    DECOY = "decoy"
    PERTURB = "perturb"
    WATERMARK = "watermark"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who sent a request. ``key_id`` is a keyed hash: the raw key never leaves ``identify``."""

    key_id: str
    has_key: bool
    ip: str
    client: str  # fingerprint of user agent and header order
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class Turn:
    role: str
    text: str


@dataclass(frozen=True, slots=True)
class PromptRequest:
    """What a format adapter reads from a request body."""

    api: Api
    route: str  # e.g. "openai.chat", "anthropic.messages", "generic.my-api"
    prompt: str  # the last user turn
    conversation: tuple[Turn, ...] = ()  # every turn, oldest first, system turns excluded
    system: str = ""
    model: str = ""
    max_tokens: int | None = None
    stream: bool = False
    temperature: float | None = None
    n: int = 1
    logprobs: bool = False
    top_logprobs: int | None = None
    logit_bias: bool = False
    tools: int = 0  # number of tool definitions offered to the model

    @property
    def turns(self) -> int:
        """Number of user turns in the conversation (1 for a single-turn request)."""
        return max(1, sum(1 for t in self.conversation if t.role == "user"))


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens
        )


@dataclass(frozen=True, slots=True)
class Features:
    """What the featurizer derives from a prompt.

    ``cell`` is the semantic cell counted for coverage; ``bands`` are the LSH band keys of
    ``simhash`` (near-duplicate lookups); ``template`` fingerprints the prompt's skeleton.
    ``runners_up`` are the cells the prompt's next heaviest terms would name, heaviest first:
    when words recur in most of a key's prompts, they are its fixed frame ("Generate a
    high-quality instructional response..."), and coverage is read off what varies instead.
    ``head`` and ``tail`` fingerprint the skeleton's fixed-looking opening and closing words
    (0: none), which a frame around free questions keeps when its whole skeleton does not.
    """

    simhash: int
    cell: int
    bands: tuple[int, ...] = ()
    template: int = 0
    input_tokens: int = 0
    runners_up: tuple[int, ...] = ()
    head: int = 0
    tail: int = 0


class WindowCounts(NamedTuple):
    """A key's totals over one sliding window (a named tuple: several are made per request).

    ``buckets`` holds the requests of each of the window's full buckets, oldest first, without
    the current partial one (``Window.buckets`` entries, zeros included): the load's shape
    over the window, which tells a script running round the clock from people who follow it.
    It is empty when the store keeps no counts for the window (e.g. a key kept for another
    spec).

    ``suspect`` counts the window's requests whose score reached the policy's
    ``scoring.suspect_at`` (counted when the response is recorded): how long a key has been
    suspect, which one request's score, read off a ring of recent ones, does not say.
    """

    distinct_cells: int = 0
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    buckets: tuple[int, ...] = ()
    suspect: int = 0


@dataclass(frozen=True, slots=True)
class RateResult:
    """Outcome of a rate-limit check (GCRA): ``retry_after`` is 0 when allowed."""

    allowed: bool
    retry_after: float = 0.0
    remaining: int = 0


@dataclass(frozen=True, slots=True)
class CampaignState:
    """A group of keys linked as acting together, and their union counts.

    The windows count the members' requests from when each joined (a key joining brings its
    own history along); ``distinct_cells`` is their union coverage.
    """

    id: str
    keys: int
    windows: Mapping[str, WindowCounts] = field(default_factory=dict)

    def window(self, name: str) -> WindowCounts:
        return self.windows.get(name, WindowCounts())


@dataclass(frozen=True, slots=True)
class KeyState:
    """A key's state right after the current request was observed.

    ``recent`` holds the key's latest request records (opaque bytes, newest first, this
    request's included); ``campaign`` is set when the key is linked to at least one other.
    """

    windows: Mapping[str, WindowCounts] = field(default_factory=dict)
    rates: Mapping[str, RateResult] = field(default_factory=dict)
    recent: tuple[bytes, ...] = ()
    campaign: CampaignState | None = None

    def window(self, name: str) -> WindowCounts:
        return self.windows.get(name, WindowCounts())


class SignalValue(NamedTuple):
    """One explainable signal: ``value`` in [0, 1] and a sentence a person can read.

    A named tuple rather than a frozen dataclass: a dozen are made per request, and a frozen
    dataclass costs several times more to build.
    """

    name: str
    value: float
    reason: str


@dataclass(frozen=True, slots=True)
class Score:
    """Suspicion in [0, 1] and the signals that drove it, strongest first."""

    value: float
    signals: tuple[SignalValue, ...] = ()
    drivers: tuple[str, ...] | None = None  # set by the scorer: what pushed the score up
    held: bool = False  # the value is the key's persistence floor (guard.scoring), not its own

    @property
    def reasons(self) -> list[str]:
        """The signals that pushed the suspicion up, strongest first (``drivers``); without
        them, the signals at 0.5 or more."""
        if self.drivers is not None:
            return list(self.drivers)
        return [s.name for s in self.signals if s.value >= 0.5]


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's verdict on one request."""

    action: Action
    rule: str = ""
    reason: str = ""
    retry_after: float = 0.0
    shadow: bool = False  # computed and logged, not applied
    status: int = 0  # HTTP status of a refusal; 0 means the action's usual one
    passed: bool = False  # a rate-limited throttle whose limit let this request through

    @property
    def enforced(self) -> Action:
        """The action actually applied (``allow`` for a shadow or a passed decision)."""
        return Action.ALLOW if self.shadow or self.passed else self.action
