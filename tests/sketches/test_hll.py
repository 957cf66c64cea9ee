from __future__ import annotations

import math
import random

import pytest

from guard.sketches.hll import (
    HyperLogLog,
    estimate_registers,
    max_registers,
    mix64,
    position,
    register_sums,
    standard_error,
)

M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def _unxorshift(y: int, shift: int) -> int:
    x = y
    for _ in range(64 // shift + 1):
        x = y ^ (x >> shift)
    return x & M64


def unmix64(z: int) -> int:
    """The inverse of mix64: lets a test pick the exact register and rank an item hits."""
    x = _unxorshift(z, 31)
    x = (x * pow(0x94D049BB133111EB, -1, 1 << 64)) & M64
    x = _unxorshift(x, 27)
    x = (x * pow(0xBF58476D1CE4E5B9, -1, 1 << 64)) & M64
    x = _unxorshift(x, 30)
    return (x - GAMMA) & M64


def test_unmix64_inverts_mix64() -> None:
    rng = random.Random(5)
    for _ in range(100):
        z = rng.getrandbits(64)
        assert mix64(unmix64(z)) == z


@pytest.mark.parametrize("p", [4, 8, 12, 16])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_error_on_1e5_sequential_ids_within_three_sigma(p: int, seed: int) -> None:
    # Sequential ids are the poor hashes the mixer is there for.
    n = 100_000
    h = HyperLogLog(p)
    start = seed << 40
    for item in range(start, start + n):
        h.add(item)
    assert abs(h.estimate() / n - 1) < 3 * standard_error(p)


@pytest.mark.parametrize("p", [5, 10, 14])
def test_error_on_1e5_ids_with_constant_low_bits_within_three_sigma(p: int) -> None:
    n = 100_000
    h = HyperLogLog(p)
    for i in range(n):
        h.add(i << 32)
    assert abs(h.estimate() / n - 1) < 3 * standard_error(p)


def test_error_is_of_the_theoretical_size_not_suspiciously_small() -> None:
    # An estimator that is much better than 1.04/sqrt(m) is counting something else.
    p, n, runs = 6, 5_000, 40
    rng = random.Random(42)
    squares = 0.0
    for _ in range(runs):
        h = HyperLogLog(p)
        for _ in range(n):
            h.add(rng.getrandbits(64))
        squares += (h.estimate() / n - 1) ** 2
    rms = math.sqrt(squares / runs)
    assert 0.6 * standard_error(p) < rms < 1.4 * standard_error(p)


@pytest.mark.parametrize("p", [10, 14])
def test_small_cardinalities_are_nearly_exact(p: int) -> None:
    h = HyperLogLog(p)
    assert h.count() == 0
    items = random.Random(p).sample(range(1 << 62), 100)
    for seen, item in enumerate(items, 1):
        h.add(item)
        if seen in (1, 10):
            assert h.count() == seen
    assert abs(h.count() - 100) <= 3


def test_small_cardinalities_at_low_precision() -> None:
    h = HyperLogLog(7)
    assert h.count() == 0
    h.add(12345)
    assert h.count() == 1
    for item in range(9):
        h.add(item)
    assert abs(h.count() - 10) <= 1
    for item in range(9, 99):
        h.add(item)
    assert abs(h.count() - 100) < 3 * standard_error(7) * 100


def test_add_reports_register_changes() -> None:
    h = HyperLogLog(8)
    changed = [h.add(item) for item in range(2000)]
    assert changed[0] is True
    assert sum(changed) >= sum(1 for r in h.registers if r)
    before = bytes(h.registers)
    assert not any(h.add(item) for item in range(2000))
    assert bytes(h.registers) == before


def test_items_are_taken_modulo_2_64() -> None:
    assert mix64(-1) == mix64(M64)
    a, b = HyperLogLog(10), HyperLogLog(10)
    a.add(-5)
    b.add((1 << 64) - 5)
    assert a.registers == b.registers


def test_mixer_is_a_bijection_without_fixed_point_at_zero() -> None:
    assert mix64(0) != 0
    outputs = {mix64(i) for i in range(50_000)}
    assert len(outputs) == 50_000


@pytest.mark.parametrize("p", [4, 7, 16])
def test_rank_range(p: int) -> None:
    q = 63 - p
    for item in range(5000):
        index, rank = position(item, p)
        assert 0 <= index < 1 << p
        assert 1 <= rank <= q + 1
    # An item whose hash suffix is all zeros has the top rank.
    assert position(unmix64(3 << (64 - p)), p) == (3, q + 1)


def test_merge_counts_the_union() -> None:
    a, b, both = HyperLogLog(10), HyperLogLog(10), HyperLogLog(10)
    for item in range(0, 3000):
        a.add(item)
        both.add(item)
    for item in range(2000, 6000):
        b.add(item)
        both.add(item)
    merged = a.copy()
    merged.merge(b)
    assert merged.registers == both.registers
    assert merged.count() == both.count()
    assert abs(merged.count() - 6000) < 3 * standard_error(10) * 6000
    other_way = b.copy()
    other_way.merge(a)
    assert other_way.registers == merged.registers
    merged.merge(merged.copy())
    assert merged.registers == both.registers
    assert a.count() < merged.count()  # the copy was merged, not ``a``


def test_merge_rejects_another_precision() -> None:
    with pytest.raises(ValueError, match="precision"):
        HyperLogLog(10).merge(HyperLogLog(11))


@pytest.mark.parametrize("p", [3, 17])
def test_unsupported_precision(p: int) -> None:
    with pytest.raises(ValueError, match="between 4 and 16"):
        HyperLogLog(p)


def test_registers_must_fit_the_precision() -> None:
    with pytest.raises(ValueError, match="registers"):
        HyperLogLog(8, registers=bytes(100))
    with pytest.raises(ValueError, match="impossible"):
        HyperLogLog(8, registers=bytes([57]) + bytes(255))


def test_incremental_statistics_match_a_recount() -> None:
    h = HyperLogLog(9)
    for item in range(0, 40_000, 3):
        h.add(item)
        if item % 999 == 0:
            assert HyperLogLog(9, registers=h.registers).estimate() == h.estimate()
    assert estimate_registers(h.registers, 9) == h.estimate()


def test_saturated_register_is_handled() -> None:
    p = 8
    q = 63 - p
    h = HyperLogLog(p)
    assert h.add(unmix64(5 << (64 - p)))  # register 5, rank q + 1
    assert h.registers[5] == q + 1
    assert register_sums(h.registers, p) == ((1 << p) - 1, 0, 1)
    assert h.count() == 1
    assert HyperLogLog(p, registers=h.registers).estimate() == h.estimate()
    for item in range(1000):
        h.add(item)
    assert HyperLogLog(p, registers=h.registers).estimate() == h.estimate()
    assert abs(h.count() - 1001) < 3 * standard_error(p) * 1001


def test_all_registers_saturated_does_not_divide_by_zero() -> None:
    p = 4
    full = HyperLogLog(p, registers=bytes([64 - p]) * (1 << p))
    assert full.estimate() > 1e15


def test_max_registers_is_the_bytewise_maximum() -> None:
    rng = random.Random(9)
    for size in (16, 128, 4096):
        a = bytes(rng.randrange(61) for _ in range(size))
        b = bytes(rng.randrange(61) for _ in range(size))
        merged = max_registers(
            int.from_bytes(a, "little"), int.from_bytes(b, "little"), size
        ).to_bytes(size, "little")
        assert merged == bytes(map(max, a, b))
