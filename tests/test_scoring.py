"""Persistence: a key suspect on enough requests of a window keeps its suspicion."""

from __future__ import annotations

from guard.models import Api, Features, Identity, KeyState, PromptRequest, WindowCounts
from guard.scoring import PERSISTENT, Persistence, Scorer
from guard.signals import SignalContext, default_signals

IDENTITY = Identity("k_1", True, "203.0.113.1", "fp")
HOLD = Persistence(at=0.92, after=10, window="day")


def context(suspect: int, window: str = "day") -> SignalContext:
    request = PromptRequest(Api.OPENAI, "openai.chat", "What is a monad?")
    state = KeyState({window: WindowCounts(5, 40, 0, 0, suspect=suspect)})
    return SignalContext(IDENTITY, request, Features(0, 0), state, "day", 8)


def test_a_key_suspect_often_enough_keeps_its_suspicion() -> None:
    scorer = Scorer(default_signals(), {}, bias=-3.0, persistence=HOLD)  # alone: 0.047
    assert scorer.score(context(suspect=9)).value < 0.05
    assert not scorer.score(context(suspect=9)).held
    held = scorer.score(context(suspect=10))
    assert held.value == 0.92 and held.held
    assert held.reasons[0] == PERSISTENT
    reason = held.signals[0]
    assert reason.name == PERSISTENT
    assert reason.reason.startswith("10 of the key's requests in the last day scored 0.92")


def test_persistence_only_ever_raises_a_score() -> None:
    high = Scorer(default_signals(), {}, bias=4.0, persistence=HOLD)  # alone: 0.982
    score = high.score(context(suspect=50))
    assert score.value > 0.98
    assert PERSISTENT not in score.reasons
    assert all(s.name != PERSISTENT for s in score.signals)


def test_persistence_reads_its_own_window_and_can_be_off() -> None:
    scorer = Scorer(default_signals(), {}, bias=-3.0, persistence=HOLD)
    assert scorer.score(context(suspect=30, window="hour")).value < 0.05
    off = Scorer(default_signals(), {}, bias=-3.0, persistence=Persistence(0.92, 0, "day"))
    assert off.score(context(suspect=30)).value < 0.05
    assert Scorer(default_signals(), {}, bias=-3.0).score(context(suspect=30)).value < 0.05
