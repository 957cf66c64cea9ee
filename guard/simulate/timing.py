"""Arrival processes: when each kind of actor sends.

People follow the clock of their time zone and come in sessions with think times between
turns; automated clients run round the clock at a steady, jittered cadence; jobs come in
bursts. These are the shapes the timing signals look at, so each is its own function.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

__all__ = [
    "DAY",
    "HOUR",
    "HUMAN_HOURS",
    "OFFICE_HOURS",
    "SERVICE_HOURS",
    "automated",
    "burst",
    "cap_rolling",
    "diurnal_poisson",
    "human_sessions",
    "lognormal",
    "poisson",
    "poisson_process",
    "scripted",
    "shifts",
    "think_time",
    "weekday",
]

DAY = 86400.0
HOUR = 3600.0

#: Relative activity of one person by local hour (0-23): asleep at night, peaks mid-morning,
#: mid-afternoon and in the evening.
HUMAN_HOURS: tuple[float, ...] = (
    0.6, 0.3, 0.15, 0.1, 0.1, 0.15, 0.4, 0.9, 1.5, 2.2, 2.6, 2.6,
    2.2, 2.4, 2.6, 2.5, 2.3, 2.0, 1.7, 1.8, 2.0, 2.0, 1.6, 1.1,
)  # fmt: skip
#: Working hours on weekdays.
OFFICE_HOURS: tuple[float, ...] = (
    0.02, 0.01, 0.01, 0.01, 0.01, 0.02, 0.1, 0.5, 2.0, 3.0, 3.2, 3.0,
    2.0, 2.6, 3.0, 3.0, 2.8, 2.0, 0.9, 0.4, 0.3, 0.25, 0.15, 0.05,
)  # fmt: skip
#: A consumer product's aggregate load: the sum of many people, never quite zero.
SERVICE_HOURS: tuple[float, ...] = (
    0.9, 0.6, 0.45, 0.35, 0.35, 0.45, 0.7, 1.0, 1.3, 1.5, 1.6, 1.6,
    1.5, 1.55, 1.6, 1.55, 1.5, 1.45, 1.4, 1.5, 1.6, 1.55, 1.35, 1.1,
)  # fmt: skip


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 60:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(high, max(low, median * math.exp(rng.gauss(0.0, sigma))))


def think_time(rng: random.Random, answer_chars: int = 0) -> float:
    """Seconds between a person's turns: reading the answer, thinking, typing (10 s - 10 min)."""
    reading = min(240.0, answer_chars / 25.0) * rng.uniform(0.2, 1.0)
    return min(600.0, lognormal(rng, 40.0, 0.9, 10.0, 480.0) + reading)


RESUMED = 0.1
"""Share of people's conversations left after a turn and picked up again hours later."""


def comes_back(seed: str, user_turns: int) -> tuple[float, ...]:
    """Extra pause after each of a conversation's user turns: 2 to 30 hours after one of them
    (never the last) when the person comes back to it later, else none. A person picks up
    yesterday's chat, and a product's end users theirs, however many requests the key sent
    meanwhile. Drawn from a stream of its own (``seed``), so the rest of the traffic stays as
    it was."""
    pauses = [0.0] * user_turns
    if user_turns < 2:
        return tuple(pauses)
    rng = random.Random(seed)
    if rng.random() < RESUMED:
        turn = rng.randrange(user_turns - 1)  # drawn before the pause, as it always was
        pauses[turn] = rng.uniform(2 * HOUR, 30 * HOUR)
    return tuple(pauses)


def weekday(ts: float) -> int:
    """0 = Monday for a UTC timestamp."""
    return (int(ts // DAY) + 3) % 7  # 1970-01-01 was a Thursday


def _hour_cum(weights: Sequence[float]) -> list[float]:
    total, cum = 0.0, []
    for w in weights:
        total += w
        cum.append(total)
    return cum


def human_sessions(
    rng: random.Random,
    start: float,
    end: float,
    tz_hours: float,
    per_day: float,
    weights: Sequence[float] = HUMAN_HOURS,
    weekend: float = 0.7,
    at_least: int = 0,
) -> list[float]:
    """Start times of a person's sessions: Poisson per local day, hours drawn from ``weights``.

    ``at_least`` tops the count up for people who must show up in the period at all.
    """
    cum = _hour_cum(weights)
    offset = tz_hours * HOUR
    first = math.floor((start + offset) / DAY) - 1
    last = math.ceil((end + offset) / DAY) + 1
    times: list[float] = []
    for day in range(first, last):
        local_midnight = day * DAY - offset
        factor = weekend if weekday(day * DAY) >= 5 else 1.0
        for _ in range(poisson(rng, per_day * factor)):
            hour = rng.choices(range(24), cum_weights=cum)[0]
            t = local_midnight + hour * HOUR + rng.uniform(0, HOUR)
            if start <= t < end:
                times.append(t)
    tries = 0
    while len(times) < at_least and tries < 1000:
        tries += 1
        hour = rng.choices(range(24), cum_weights=cum)[0]
        day = rng.randrange(first, last)
        t = day * DAY - offset + hour * HOUR + rng.uniform(0, HOUR)
        if start <= t < end - HOUR:
            times.append(t)
    times.sort()
    return times


def diurnal_poisson(
    rng: random.Random,
    start: float,
    end: float,
    per_day: float,
    tz_hours: float,
    weights: Sequence[float] = SERVICE_HOURS,
) -> list[float]:
    """A non-homogeneous Poisson process whose hourly rate follows ``weights``."""
    total = sum(weights)
    times: list[float] = []
    t = math.floor(start / HOUR) * HOUR
    while t < end:
        hour = int(((t / HOUR) + tz_hours) % 24)
        for _ in range(poisson(rng, per_day * weights[hour] / total)):
            s = t + rng.uniform(0, HOUR)
            if start <= s < end:
                times.append(s)
        t += HOUR
    times.sort()
    return times


def poisson_process(rng: random.Random, start: float, end: float, per_day: float) -> list[float]:
    """Memoryless arrivals at a constant rate, round the clock."""
    times: list[float] = []
    if per_day <= 0:
        return times
    t = start + rng.expovariate(per_day / DAY)
    while t < end:
        times.append(t)
        t += rng.expovariate(per_day / DAY)
    return times


def automated(
    rng: random.Random,
    start: float,
    end: float,
    per_day: float,
    jitter: float = 0.25,
    pause_chance: float = 0.002,
    parallel: int = 1,
) -> list[float]:
    """A script's cadence: a fixed interval with jitter, round the clock, with rare pauses
    (restarts, quota resets) of ten minutes to three hours. With ``parallel`` workers, each
    beat sends that many requests within a second or two."""
    times: list[float] = []
    if per_day <= 0:
        return times
    interval = DAY / per_day * parallel
    t = start + rng.uniform(0, interval)
    while t < end:
        times.append(t)
        times.extend(t + rng.uniform(0.0, 2.0) for _ in range(parallel - 1))
        t += interval * (1.0 + rng.uniform(-jitter, jitter))
        if rng.random() < pause_chance * parallel:
            t += rng.uniform(600, 3 * HOUR)
    times.sort()
    return [s for s in times if s < end]


def shifts(
    rng: random.Random,
    start: float,
    end: float,
    per_day: float,
    tz_hours: float,
    hours: tuple[float, float] = (3.0, 9.0),
    breaks: tuple[float, float] = (1.0, 6.0),
) -> list[float]:
    """A script someone starts and stops: runs of ``hours`` hours, mostly in their daytime,
    with breaks of ``breaks`` hours, memoryless arrivals within a run. The rate inside a run
    is raised so that a day still carries about ``per_day`` requests."""
    times: list[float] = []
    if per_day <= 0:
        return times
    runs: list[tuple[float, float]] = []
    t = start + rng.uniform(0.0, breaks[1] * HOUR)
    while t < end:
        local_hour = ((t / HOUR) + tz_hours) % 24
        if 1.0 <= local_hour < 7.0 and rng.random() < 0.8:  # asleep: restart in the morning
            t += (7.0 - local_hour) * HOUR + rng.uniform(0.0, 2 * HOUR)
            continue
        length = rng.uniform(*hours) * HOUR
        runs.append((t, min(end, t + length)))
        t += length + rng.uniform(*breaks) * HOUR
    busy = sum(b - a for a, b in runs)
    if busy <= 0:
        return times
    rate = per_day * ((end - start) / DAY) / busy  # per second while running
    for a, b in runs:
        s = a + rng.expovariate(rate)
        while s < b:
            times.append(s)
            s += rng.expovariate(rate)
    return times


def scripted(
    rng: random.Random,
    start: float,
    end: float,
    per_day: float,
    jitter: float = 0.25,
    parallel: int = 1,
    beat: float = 0.5,
    pool: float = 0.3,
) -> list[float]:
    """When a harvesting script sends: not every script keeps a beat. With chance ``beat``
    a fixed cadence (:func:`automated`), with chance ``pool`` an async worker pool's
    memoryless arrivals round the clock, otherwise runs started and stopped by its operator
    (:func:`shifts`). Detection must not lean on any one of them."""
    roll = rng.random()
    if roll < beat:
        return automated(rng, start, end, per_day, jitter=jitter, parallel=parallel)
    if roll < beat + pool:
        return poisson_process(rng, start, end, per_day)
    return shifts(rng, start, end, per_day, tz_hours=rng.uniform(-8.0, 9.0))


def cap_rolling(times: list[float], cap: int, window: float = DAY) -> list[float]:
    """``times`` (sorted) thinned so that no ``window`` holds more than ``cap`` of them: how
    a client that knows the per-key limit stays under it."""
    kept: list[float] = []
    for t in times:
        if len(kept) < cap or t - kept[-cap] >= window:
            kept.append(t)
    return kept


def burst(rng: random.Random, t0: float, count: int, per_second: float) -> list[float]:
    """``count`` requests from ``t0`` at about ``per_second`` (a job or benchmark run)."""
    times: list[float] = []
    t = t0
    for _ in range(count):
        times.append(t)
        t += rng.expovariate(per_second)
    return times
