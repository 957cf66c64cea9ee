"""The signal interface: one explainable piece of evidence about a key."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from guard.models import Features, Identity, KeyState, PromptRequest, SignalValue

if TYPE_CHECKING:
    from guard.profile import RequestRecord
    from guard.signals.behaviour import RingStats

__all__ = ["Signal", "SignalContext", "saturate"]


@dataclass(frozen=True, slots=True)
class SignalContext:
    """Everything a signal may look at for the current request."""

    identity: Identity
    request: PromptRequest
    features: Features
    state: KeyState
    window: str  # the window whose counts key-level signals read
    min_requests: int  # below this many requests key-level signals stay at 0
    recent: RingStats | None = None  # computed once per request from state.recent
    record: RequestRecord | None = None  # this request's own record (its flags)


class Signal(abc.ABC):
    """Computes one value in [0, 1], and on demand a sentence that explains it.

    ``measure`` runs on every request, so it only computes the number; ``explain`` builds the
    sentence, which is only needed for the signals reported as reasons.
    """

    name: str
    direction: ClassVar[int] = 1
    """+1: evidence of harvesting; -1: evidence of a real user; 0: either, depending on what
    else is seen. Offline fitting keeps each weight's sign to its signal's direction."""
    max_weight: ClassVar[float | None] = None
    """The largest weight (either sign) offline fitting may give the signal, when it must be
    smaller than the fit's overall cap: evidence a harvester can fake for free must not be
    able to outweigh what it cannot."""

    @abc.abstractmethod
    def measure(self, ctx: SignalContext) -> float: ...

    @abc.abstractmethod
    def explain(self, ctx: SignalContext, value: float) -> str: ...

    def evaluate(self, ctx: SignalContext) -> SignalValue:
        value = self.measure(ctx)
        return SignalValue(self.name, value, self.explain(ctx, value))


def saturate(x: float, half: float) -> float:
    """Map ``x >= 0`` into [0, 1): 0.5 at ``half``, approaching 1 as ``x`` grows."""
    return x / (x + half) if x > 0 else 0.0
