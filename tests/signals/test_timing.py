"""Timing signals read off a ring of request records."""

from __future__ import annotations

import random

from guard.models import Api, Features, Identity, KeyState, PromptRequest, WindowCounts
from guard.profile import RequestRecord
from guard.signals import SignalContext
from guard.signals.timing import (
    CadenceSignal,
    NoRestSignal,
    RoundTheClockSignal,
    TimerSignal,
    evenness,
)
from guard.simulate.timing import HUMAN_HOURS, SERVICE_HOURS

T0 = 1_764_201_600.0
HOUR = 3600.0


def context(times: list[float], subjects: int | None = None) -> SignalContext:
    """A context whose ring holds requests at ``times`` (newest first, as the store keeps it),
    about ``subjects`` different things (default: each about its own)."""
    ring = tuple(
        RequestRecord(t, i % (subjects or len(times)) + 1, 0, 0, 0, 0, 0, 0, 0).pack()
        for i, t in enumerate(sorted(times, reverse=True))
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


def window_context(buckets: tuple[int, ...], subjects: int = 48) -> SignalContext:
    """A context whose scoring window ("day") holds ``buckets`` requests per bucket, the last
    48 of them about ``subjects`` different things."""
    counts = WindowCounts(0, sum(buckets), 0, 0, buckets)
    request = PromptRequest(Api.OPENAI, "openai.chat", "hi")
    ring = tuple(
        RequestRecord(T0 - i, i % subjects + 1, 0, 0, 0, 0, 0, 0, 0).pack() for i in range(48)
    )
    return SignalContext(
        Identity("k", True, "192.0.2.1", "fp"),
        request,
        Features(0, 0),
        KeyState(windows={"day": counts}, recent=ring),
        "day",
        8,
    )


def day_of(rate: list[float], per_day: float, rng: random.Random) -> tuple[int, ...]:
    """Six 4-hour buckets of Poisson arrivals whose hourly rate follows ``rate``."""
    total = sum(rate)
    counts = [0] * 6
    for hour, r in enumerate(rate):
        mean = per_day * r / total
        t = rng.expovariate(1.0)
        while t < mean:
            counts[hour // 4] += 1
            t += rng.expovariate(1.0)
    return tuple(counts)


def test_round_the_clock_fires_for_a_constant_rate_and_a_beat() -> None:
    signal = RoundTheClockSignal()
    rng = random.Random(1)
    flat = [signal.measure(window_context(day_of([1.0] * 24, 1000, rng))) for _ in range(50)]
    assert sum(v > 0.5 for v in flat) >= 38  # chance makes some constant rates look uneven
    assert signal.measure(window_context((40, 41, 39, 40, 42, 40))) > 0.85  # a beat


def test_round_the_clock_stays_quiet_for_a_day_that_follows_the_clock() -> None:
    signal = RoundTheClockSignal()
    rng = random.Random(2)
    service = [
        signal.measure(window_context(day_of(list(SERVICE_HOURS), 400, rng))) for _ in range(50)
    ]
    assert max(service) < 0.2  # a product serving people: quiet at night
    person = [signal.measure(window_context(day_of(list(HUMAN_HOURS), 60, rng))) for _ in range(50)]
    assert sum(v > 0.3 for v in person) <= 5


def test_round_the_clock_needs_volume_and_a_full_window() -> None:
    signal = RoundTheClockSignal()
    assert signal.measure(window_context((2, 3, 2, 2, 3, 2))) == 0.0  # too few to judge
    assert signal.measure(window_context((0, 0, 0, 60, 61, 59))) == 0.0  # a new key
    # A key a little younger than the window is judged on the buckets it has lived through.
    assert signal.measure(window_context((0, 60, 58, 61, 59, 62))) > 0.8
    assert signal.measure(window_context((60, 58, 0, 61, 59, 62))) == 0.0  # a pause
    assert signal.measure(window_context((0, 0, 60, 61, 59, 62))) == 0.0  # too young
    assert signal.measure(window_context(())) == 0.0
    reason = signal.explain(window_context((40, 41, 39, 40, 42, 40)), 1.0)
    assert "40, 41, 39, 40, 42, 40" in reason


def test_evenness_is_one_for_poisson_counts() -> None:
    rng = random.Random(3)
    values = sorted(evenness(day_of([1.0] * 24, 600, rng)) for _ in range(400))
    assert 0.8 < values[200] < 1.1  # the median of chi-square(5) / 5 is 0.87
    assert evenness((0, 0, 0)) == float("inf")


def test_a_script_working_through_one_task_is_not_sweeping() -> None:
    rng = random.Random(7)
    times = beat(48, 120.0, 0.1, rng)
    assert CadenceSignal().measure(context(times)) > 0.6
    # The same beat asking about two or three things over and over: a batch job.
    assert CadenceSignal().measure(context(times, subjects=3)) == 0.0
    # Between the two, the evidence is scaled.
    assert (
        0.0
        < CadenceSignal().measure(context(times, subjects=24))
        < CadenceSignal().measure(context(times))
    )
    flat = (40, 41, 39, 40, 42, 40)
    assert RoundTheClockSignal().measure(window_context(flat)) > 0.8
    assert RoundTheClockSignal().measure(window_context(flat, subjects=4)) == 0.0
