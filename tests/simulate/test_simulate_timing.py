import itertools
import random
import statistics

import pytest

from guard.signals.timing import dispersion
from guard.simulate.timing import DAY, HOUR, RESUMED, comes_back, scripted, shifts

START = 1_764_201_600.0  # midnight UTC


def _gaps(times: list[float]) -> list[float]:
    return sorted(b - a for a, b in itertools.pairwise(times) if b - a >= 2.0)


def test_shifts_keep_the_daily_volume_in_runs_with_breaks() -> None:
    totals, longest = [], []
    for seed in range(20):
        times = shifts(random.Random(seed), START, START + 2 * DAY, 600.0, tz_hours=0.0)
        assert times == sorted(times)
        assert all(START <= t < START + 2 * DAY for t in times)
        totals.append(len(times) / 2)
        longest.append(max(_gaps(times)))
    assert 500 < statistics.mean(totals) < 700
    # Every run ends in a break of at least an hour.
    assert min(longest) >= HOUR


def test_shifts_mostly_sleep_at_night() -> None:
    night = total = 0
    for seed in range(20):
        for t in shifts(random.Random(seed), START, START + 3 * DAY, 500.0, tz_hours=0.0):
            total += 1
            night += 1.0 <= (t % DAY) / HOUR < 7.0
    assert night / total < 0.15  # a flat day would put a quarter there


@pytest.mark.parametrize("per_day", [0.0, -5.0])
def test_shifts_without_volume_send_nothing(per_day: float) -> None:
    assert shifts(random.Random(1), START, START + DAY, per_day, tz_hours=0.0) == []


def test_scripted_mixes_a_beat_with_memoryless_and_shift_timing() -> None:
    kinds = {"beat": 0, "irregular": 0}
    for seed in range(200):
        times = scripted(random.Random(seed), START, START + DAY, 800.0)
        spread = dispersion(_gaps(times))
        kinds["beat" if spread < 0.4 else "irregular"] += 1
    assert 70 <= kinds["beat"] <= 130  # half keep a beat by default
    assert kinds["irregular"] >= 70


def test_scripted_modes_match_their_generators() -> None:
    beat = _gaps(scripted(random.Random(3), START, START + DAY, 800.0, beat=1.0, pool=0.0))
    assert dispersion(beat) < 0.3  # a jittered beat
    pool = _gaps(scripted(random.Random(4), START, START + DAY, 800.0, beat=0.0, pool=1.0))
    assert dispersion(pool) > 0.8  # memoryless
    assert len(pool) == pytest.approx(800, rel=0.15)
    runs = scripted(random.Random(5), START, START + DAY, 800.0, beat=0.0, pool=0.0)
    assert max(_gaps(runs)) >= HOUR  # an operator's break


def test_people_come_back_to_some_conversations_hours_later() -> None:
    draws = [comes_back(f"k:{i}", 4) for i in range(4000)]
    assert all(len(d) == 4 and sum(p > 0 for p in d) <= 1 for d in draws)  # one pause at most
    back = [(turn, p) for d in draws for turn, p in enumerate(d) if p > 0]
    assert abs(len(back) / len(draws) - RESUMED) < 0.02
    assert all(0 <= turn < 3 and 2 * HOUR <= pause <= 30 * HOUR for turn, pause in back)
    assert {turn for turn, _ in back} == {0, 1, 2}  # left after any turn but the last
    assert comes_back("k:1", 1) == (0.0,)  # a single question has nothing to come back to
    assert comes_back("k:7", 4) == comes_back("k:7", 4)  # its own stream: reproducible
