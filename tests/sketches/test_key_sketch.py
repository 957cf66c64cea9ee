from __future__ import annotations

import random

import pytest

from guard.models import WindowCounts
from guard.sketches.hll import HyperLogLog, estimate_registers, standard_error
from guard.sketches.windows import KeySketch, layout
from guard.store.base import SketchSpec, Window

HOUR = Window("hour", 3600, 4)  # buckets of 900 s, 5 slots
DEFAULT = SketchSpec((HOUR, Window("day", 86400, 6), Window("week", 604800, 7)), precision=7)


def test_default_spec_payload_fits_in_4_kib() -> None:
    sketch = KeySketch(DEFAULT, 1.7e9)
    assert sketch.nbytes() <= 4096
    for cell in range(500):
        sketch.observe(cell, 1.7e9 + cell * 600, input_tokens=10)
    sketch.record(1.7e9 + 400_000, 1000)
    assert sketch.nbytes() <= 4096


def test_payload_grows_with_precision_and_buckets() -> None:
    small = KeySketch(SketchSpec((HOUR,), precision=4), 0).nbytes()
    assert KeySketch(SketchSpec((HOUR,), precision=5), 0).nbytes() > small
    assert KeySketch(SketchSpec((Window("hour", 3600, 8),), precision=4), 0).nbytes() > small


def test_counts_requests_tokens_and_distinct_cells() -> None:
    sketch = KeySketch(DEFAULT, 0)
    counts: dict[str, WindowCounts] = {}
    for i in range(300):
        counts = sketch.observe(i % 60, now=float(i), input_tokens=7)
    sketch.record(299.5, output_tokens=40)
    sketch.record(299.5, output_tokens=2)
    assert counts["hour"] == WindowCounts(
        distinct_cells=counts["hour"].distinct_cells,
        requests=300,
        input_tokens=2100,
        buckets=(0, 0, 0, 0),
    )
    assert abs(counts["hour"].distinct_cells - 60) < 3 * standard_error(7) * 60
    after = sketch.counts(300.0)
    for name in ("hour", "day", "week"):
        assert after[name].requests == 300
        assert after[name].input_tokens == 2100
        assert after[name].output_tokens == 42
        assert after[name].distinct_cells == counts["hour"].distinct_cells
        assert after[name].suspect == 0


def test_suspect_requests_count_and_slide_out_with_their_bucket() -> None:
    sketch = KeySketch(DEFAULT, 0)
    for t in (10.0, 20.0, 30.0):
        sketch.observe(1, now=t)
        sketch.record(t + 1, output_tokens=5, suspect=1)
    sketch.observe(2, now=40.0)
    sketch.record(41.0, output_tokens=5)  # not suspect
    sketch.record(950.0, output_tokens=0, suspect=1)  # a later bucket, with no request
    now = sketch.counts(960.0)
    assert [now[w].suspect for w in ("hour", "day", "week")] == [4, 4, 4]
    assert now["hour"].requests == 4
    # An hour of four 15-minute buckets keeps the first three suspects until 1h15m have gone.
    later = sketch.counts(3600.0 + 900.0)
    assert (later["hour"].suspect, later["day"].suspect) == (1, 4)
    gone = sketch.counts(3600.0 + 1800.0)
    assert (gone["hour"].suspect, gone["day"].suspect) == (0, 4)


def test_merged_sketches_add_their_suspects() -> None:
    a, b = KeySketch(DEFAULT, 0), KeySketch(DEFAULT, 0)
    a.observe(1, now=5.0)
    a.record(6.0, 0, suspect=1)
    b.observe(2, now=7.0)
    b.record(8.0, 0, suspect=1)
    b.record(9.0, 0, suspect=1)
    a.merge(b, 10.0)
    assert a.counts(10.0)["day"].suspect == 3


def test_distinct_never_exceeds_requests() -> None:
    sketch = KeySketch(DEFAULT, 0)
    for i in range(1, 200):
        counts = sketch.observe(i * 7919, float(i))
        assert counts["hour"].distinct_cells <= counts["hour"].requests == i


def test_counts_count_nothing() -> None:
    sketch = KeySketch(DEFAULT, 0)
    sketch.observe(1, 5.0)
    assert sketch.counts(6.0) == sketch.counts(6.0)
    assert sketch.counts(6.0)["hour"].requests == 1


def test_window_covers_its_length_plus_at_most_one_bucket() -> None:
    spec = SketchSpec((HOUR,), precision=10)
    sketch = KeySketch(spec, 1000.0)
    sketch.observe(1, 1000.0)  # bucket 1, which lives until bucket 5 is the newest
    assert sketch.counts(1000.0 + 3600)["hour"].requests == 1
    assert sketch.counts(5 * 900 + 899.9)["hour"] == WindowCounts(1, 1, 0, 0, (1, 0, 0, 0))
    assert sketch.counts(6 * 900.0)["hour"] == WindowCounts(buckets=(0, 0, 0, 0))


def test_windows_slide_independently() -> None:
    sketch = KeySketch(DEFAULT, 0)
    for i in range(100):
        sketch.observe(i, float(i), input_tokens=1)
    two_hours = sketch.counts(7200.0)
    assert two_hours["hour"] == WindowCounts(buckets=(0, 0, 0, 0))
    assert two_hours["day"].requests == two_hours["week"].requests == 100
    assert sketch.counts(100_799.0)["day"].requests == 100  # a day and a bucket of 4 hours
    assert sketch.counts(100_800.0)["day"] == WindowCounts(buckets=(0,) * 6)
    assert sketch.counts(100_800.0)["week"].requests == 100
    assert sketch.counts(800_000.0)["week"] == WindowCounts(buckets=(0,) * 7)


def _live_cells(events: list[tuple[float, int]], now: float, window: Window) -> list[int]:
    newest = max(int(t // window.bucket_seconds) for t, _ in events if t <= now)
    oldest = newest - window.buckets
    return [c for t, c in events if t <= now and int(t // window.bucket_seconds) >= oldest]


@pytest.mark.parametrize("precision", [4, 7, 12])
def test_window_registers_are_exactly_those_of_its_live_buckets(precision: int) -> None:
    # Across many rotations, the incrementally kept window equals an HLL of the live cells.
    spec = SketchSpec((HOUR, Window("day", 86400, 6)), precision=precision)
    rng = random.Random(precision)
    sketch = KeySketch(spec, 0)
    events: list[tuple[float, int]] = []
    now = 0.0
    for _ in range(3000):
        now += rng.expovariate(1 / 60)
        cell = rng.getrandbits(64)
        events.append((now, cell))
        sketch.observe(cell, now)
        if rng.random() < 0.05:
            for window in spec.windows:
                registers, requests = sketch.snapshot(window.name, now)
                live = _live_cells(events, now, window)
                expected = HyperLogLog(precision)
                for c in live:
                    expected.add(c)
                assert registers == bytes(expected.registers)
                assert requests == len(live)
                assert sketch.distinct(window.name, now) == min(
                    round(estimate_registers(registers, precision)), requests
                )


def test_time_going_backwards_counts_in_the_newest_bucket() -> None:
    sketch = KeySketch(DEFAULT, 10_000.0)
    sketch.observe(1, 10_000.0)
    sketch.observe(2, 9_000.0)  # an earlier bucket: counted in the current one
    sketch.observe(3, 0.0)
    sketch.record(5.0, output_tokens=3)
    counts = sketch.counts(9_500.0)
    assert counts["hour"].requests == 3
    assert counts["hour"].output_tokens == 3
    # It ages with the newest bucket, not with its own timestamp.
    assert sketch.counts(10_000.0 + 3000)["hour"].requests == 3


def test_a_jump_longer_than_the_horizon_empties_everything() -> None:
    sketch = KeySketch(DEFAULT, 0)
    for i in range(50):
        sketch.observe(i, float(i), input_tokens=2)
    later = DEFAULT.horizon + 1e6
    assert all(c[:4] == (0, 0, 0, 0) and not any(c.buckets) for c in sketch.counts(later).values())
    counts = sketch.observe(99, later, input_tokens=5)
    assert counts["week"] == WindowCounts(1, 1, 5, 0, (0,) * 7)


def test_negative_and_fractional_times() -> None:
    sketch = KeySketch(DEFAULT, -100.5)
    sketch.observe(1, -100.5)
    sketch.observe(2, -0.25)
    assert sketch.counts(0.0)["hour"].requests == 2


def test_unknown_window() -> None:
    with pytest.raises(ValueError, match="Unknown window 'minute'"):
        KeySketch(DEFAULT, 0).distinct("minute", 0)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (SketchSpec((HOUR,), precision=3), "precision"),
        (SketchSpec((HOUR,), precision=17), "precision"),
        (SketchSpec((Window("w", 60, 0),)), "buckets >= 1"),
        (SketchSpec((Window("w", 0, 2),)), "seconds > 0"),
        (SketchSpec((HOUR, Window("hour", 60, 2))), "unique"),
    ],
)
def test_unusable_specs(spec: SketchSpec, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeySketch(spec, 0)


def test_layouts_are_shared_between_keys() -> None:
    a, b = KeySketch(DEFAULT, 0), KeySketch(DEFAULT, 5)
    assert a.layout is b.layout is layout(DEFAULT)
    assert a.spec == DEFAULT  # equal specs share one cached layout
