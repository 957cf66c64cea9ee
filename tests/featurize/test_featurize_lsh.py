from __future__ import annotations

import math
import random

import pytest

from guard.featurize.lsh import BAND_INDEX_SHIFT, band_keys, band_layout, race_winner
from guard.featurize.simhash import MASK64


@pytest.mark.parametrize("bands", [2, 3, 4, 5, 8, 16, 32])
def test_layout_covers_all_64_bits_once(bands: int) -> None:
    covered = 0
    for shift, mask in band_layout(bands):
        part = mask << shift
        assert covered & part == 0
        covered |= part
    assert covered == MASK64


@pytest.mark.parametrize("bands", [0, 1, 33])
def test_layout_rejects_impossible_band_counts(bands: int) -> None:
    with pytest.raises(ValueError, match="bands"):
        band_layout(bands)


def test_band_keys_encode_the_band_index_and_fit_64_bits() -> None:
    layout = band_layout(4)
    keys = band_keys(0x0123_4567_89AB_CDEF, layout)
    assert [k >> BAND_INDEX_SHIFT for k in keys] == [0, 1, 2, 3]
    assert [k & 0xFFFF for k in keys] == [0xCDEF, 0x89AB, 0x4567, 0x0123]
    assert all(0 <= k <= MASK64 for k in keys)
    # The same bits in different bands give different keys.
    assert len(set(band_keys(0, layout))) == 4


def test_near_duplicates_share_a_band_and_unrelated_hashes_do_not() -> None:
    layout = band_layout(4)
    base = 0xDEAD_BEEF_CAFE_F00D
    assert set(band_keys(base, layout)) & set(band_keys(base ^ 1, layout))
    assert not set(band_keys(base, layout)) & set(band_keys(~base & MASK64, layout))


def test_race_winner_is_consistent_and_prefers_heavier_terms() -> None:
    rng = random.Random(11)
    terms = [(-math.log(rng.random()), key) for key in range(6)]
    weights = [1.0, 1.0, 1.0, 1.0, 1.0, 5.0]
    candidates = [(w, u, k) for w, (u, k) in zip(weights, terms, strict=True)]
    assert race_winner(candidates) == race_winner(list(reversed(candidates)))
    assert race_winner([]) is None
    assert race_winner([(0.0, 1.0, 3)]) is None
    # Over many independent draws the heavy term wins about half the time (5 of 10).
    wins = 0
    for _ in range(2000):
        draws = [(w, -math.log(rng.random()), k) for k, w in enumerate(weights)]
        wins += race_winner(draws) == 5
    assert 0.4 < wins / 2000 < 0.6
