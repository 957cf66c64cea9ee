from __future__ import annotations

import random

import pytest

from guard.featurize.simhash import MASK64, Lanes, hamming, simhash


def naive_simhash(pairs: list[tuple[int, int]]) -> int:
    votes = [0] * 64
    for h, w in pairs:
        for i in range(64):
            votes[i] += w if h >> i & 1 else -w
    return sum(1 << i for i in range(64) if votes[i] > 0)


def test_packed_lanes_match_bit_by_bit_simhash() -> None:
    rng = random.Random(7)
    for _ in range(300):
        pairs = [(rng.getrandbits(64), rng.randint(1, 31)) for _ in range(rng.randint(0, 40))]
        assert simhash(pairs) == naive_simhash(pairs)


def test_lanes_hold_their_declared_maximum_without_carry() -> None:
    lanes = Lanes(1000)
    assert lanes.max_total >= 1000
    # Every feature sets every bit: each lane holds exactly the total, the most it can.
    acc = lanes.spread(MASK64) * lanes.max_total
    assert lanes.majority(acc, lanes.max_total) == MASK64
    assert lanes.majority(0, lanes.max_total) == 0


def test_majority_needs_strictly_more_than_half() -> None:
    lanes = Lanes(10)
    tie = lanes.spread(1) * 2  # lane 0 holds 2 of a total weight of 4
    assert lanes.majority(tie, 4) == 0
    assert lanes.majority(tie + lanes.spread(1), 4) == 1


def test_overflowing_total_is_refused() -> None:
    lanes = Lanes(100)
    with pytest.raises(ValueError, match="overflows"):
        lanes.majority(0, lanes.max_total + 1)


def test_spread_commutes_with_xor() -> None:
    lanes = Lanes(50)
    rng = random.Random(3)
    for _ in range(50):
        a, b = rng.getrandbits(64), rng.getrandbits(64)
        assert lanes.spread(a) ^ lanes.spread(b) == lanes.spread(a ^ b)


def test_empty_simhash_is_zero_and_hamming_counts_bits() -> None:
    assert simhash([]) == 0
    assert hamming(0, MASK64) == 64
    assert hamming(0b1011, 0b0001) == 2


def test_weighted_spreads_carry_their_total_and_rank_by_tag() -> None:
    lanes = Lanes(1000)
    rng = random.Random(9)
    features = [(rng.getrandbits(64), rng.randint(1, 31), tag) for tag in range(1, 30)]
    rng.shuffle(features)
    weighted = [lanes.weighted(lanes.spread(h), w, tag) for h, w, tag in features]
    acc = sum(weighted)
    total = sum(w for _, w, _ in features)
    assert lanes.count(acc) == total
    assert lanes.majority(acc, total) == naive_simhash([(h, w) for h, w, _ in features])
    assert lanes.tag(max(weighted)) == 29  # the largest tag wins ``max``
    assert lanes.tag(lanes.weighted(lanes.spread(MASK64), 31, 12345)) == 12345
