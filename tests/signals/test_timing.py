"""Timing signals read off a ring of request records."""

from __future__ import annotations

import random

from guard.models import Api, Features, Identity, KeyState, PromptRequest
from guard.profile import RequestRecord
from guard.signals import SignalContext
from guard.signals.timing import CadenceSignal, NoRestSignal, TimerSignal

T0 = 1_764_201_600.0
HOUR = 3600.0


def context(times: list[float]) -> SignalContext:
    """A context whose ring holds requests at ``times`` (newest first, as the store keeps it)."""
    ring = tuple(
        RequestRecord(t, 0, 0, 0, 0, 0, 0, 0, 0).pack() for t in sorted(times, reverse=True)
    )
    request = PromptRequest(Api.OPENAI, "openai.chat", "hi")
    state = KeyState(recent=ring)
    return SignalContext(
        Identity("k", True, "192.0.2.1", "fp"), request, Features(0, 0), state, "day", 8
    )


def beat(
    n: int, interval: float, jitter: float, rng: random.Random, workers: int = 1
) -> list[float]:
    times, t = [], T0
    while len(times) < n:
        times += [t + rng.uniform(0, 1.5) for _ in range(workers)]
        t += interval * (1 + rng.uniform(-jitter, jitter))
    return times[:n]


def poisson(n: int, mean: float, rng: random.Random) -> list[float]:
    times, t = [], T0
    for _ in range(n):
        t += rng.expovariate(1 / mean)
        times.append(t)
    return times


def sessions(n: int, rng: random.Random) -> list[float]:
    """A person: sessions of a few requests, think times of a minute or so, hours apart."""
    times, t = [], T0
    while len(times) < n:
        for _ in range(rng.randint(2, 6)):
            times.append(t)
            t += rng.lognormvariate(4.0, 0.9)
        t += rng.uniform(2, 10) * HOUR
    return times[:n]


def test_cadence_finds_a_scripts_beat_and_not_people_or_streams() -> None:
    rng = random.Random(1)
    signal = CadenceSignal()
    script = signal.evaluate(context(beat(48, 90, 0.25, rng)))
    pool = signal.evaluate(context(beat(48, 600, 0.1, rng, workers=6)))  # six per beat: 7 gaps
    assert script.value > 0.6 and pool.value > 0.4
    assert "48 requests" in script.reason
    for _ in range(20):
        assert signal.measure(context(poisson(48, 90, rng))) < 0.3
        assert signal.measure(context(sessions(48, rng))) < 0.3
    assert signal.measure(context(beat(6, 90, 0.1, rng))) == 0.0  # too few to judge


def test_no_rest_needs_a_day_without_a_pause() -> None:
    signal = NoRestSignal()
    round_the_clock = [T0 + i * 0.5 * HOUR for i in range(48)]  # every half hour for a day
    assert signal.measure(context(round_the_clock)) > 0.9
    night = [t for t in round_the_clock if not T0 + 2 * HOUR < t < T0 + 9 * HOUR]
    assert signal.measure(context(night)) == 0.0
    short = [T0 + i * 60.0 for i in range(48)]  # a busy hour: the ring says nothing of the day
    value = signal.evaluate(context(short))
    assert value.value == 0.0 and "too short" in value.reason


def test_timer_finds_a_clock_that_skips_ticks() -> None:
    rng = random.Random(2)
    tick = 30 * 60.0
    fired = [T0 + i * tick + rng.uniform(0, 90) for i in range(150) if rng.random() < 0.5]
    signal = TimerSignal()
    timer = signal.evaluate(context(fired[:48]))
    assert timer.value > 0.5 and "multiples of" in timer.reason
    assert CadenceSignal().measure(context(fired[:48])) < 0.5  # irregular by its deciles
    for _ in range(20):
        assert signal.measure(context(poisson(48, 600, rng))) < 0.2
        assert signal.measure(context(sessions(48, rng))) < 0.2
