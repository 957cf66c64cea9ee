"""Locality-sensitive keys: SimHash bands for near-duplicates, a MinHash cell for coverage.

Two different notions of "the same":

* **Bands** answer "has this (almost) exact prompt been seen?". The 64-bit SimHash is cut
  into ``b`` bands; two prompts share a band key when all bits of that band agree, which for
  Hamming distance ``d`` happens with probability about ``(1 - d/64) ** (64/b)`` per band.
  Rephrasings differ in a dozen or more bits, so bands are deliberately too fine for
  coverage.
* **The cell** answers "what is this prompt about?". It is one *content term* chosen by a
  weighted MinHash over the prompt's most salient terms: every term draws an exponential
  race time ``-ln(U) / w`` from a keyed hash ``U`` and its weight ``w``; the fastest term
  names the cell. Two prompts agree with probability equal to the (probability-)Jaccard
  similarity of their salient term weights, so rephrasings that keep their key terms usually
  land in the same cell while unrelated prompts almost never do.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["BAND_INDEX_SHIFT", "band_keys", "band_layout", "race_winner"]

BAND_INDEX_SHIFT = 58
"""Band keys hold the band index in their top 6 bits and the band's bits below."""


def band_layout(bands: int) -> tuple[tuple[int, int], ...]:
    """``(shift, mask)`` of each band: 64 bits split as evenly as possible."""
    if not 2 <= bands <= 32:
        raise ValueError(f"bands must be between 2 and 32, not {bands}.")
    layout = []
    shift = 0
    for i in range(bands):
        width = 64 // bands + (1 if i < 64 % bands else 0)
        layout.append((shift, (1 << width) - 1))
        shift += width
    return tuple(layout)


def band_keys(simhash: int, layout: tuple[tuple[int, int], ...]) -> tuple[int, ...]:
    """One unsigned 64-bit key per band: ``index << 58 | band bits``."""
    return tuple(
        [i << BAND_INDEX_SHIFT | simhash >> shift & mask for i, (shift, mask) in enumerate(layout)]
    )


def race_winner(candidates: Iterable[tuple[float, float, int]]) -> int | None:
    """Key of the winner of a weighted MinHash race over ``(weight, -ln U, key)``.

    ``-ln U`` is an exponential variable drawn once per term from its keyed hash; dividing
    by the weight makes heavier terms proportionally likelier to win, and the same term
    always draws the same time, which is what makes the choice consistent across prompts.
    """
    best_time = float("inf")
    best_key: int | None = None
    for weight, neg_log_u, key in candidates:
        if weight <= 0.0:
            continue
        t = neg_log_u / weight
        if t < best_time or (t == best_time and best_key is not None and key < best_key):
            best_time = t
            best_key = key
    return best_key
