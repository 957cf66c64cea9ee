"""Weighted 64-bit SimHash in pure Python, with all 64 counters packed in one integer.

A SimHash keeps, for each of the 64 bit positions, the weighted vote of every feature's
hash bit; the fingerprint's bit is 1 where the vote is positive. Doing that bit by bit
costs 64 Python operations per feature. Here each feature hash is first *spread*: bit ``i``
of the hash moves to the low bit of lane ``i`` of a wide integer (``lane`` bits per lane),
so one big-integer multiply-add adds a weighted feature to all 64 counters at once, and
the majority vote of all lanes is read out with a handful of C-level operations. Spreading
commutes with XOR (``spread(a ^ b) == spread(a) ^ spread(b)``), which lets bigram features
be built from their words' spreads without spreading again.

``benchmarks/featurizer.py`` compares this with a numpy version; see docs/featurizer.md.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MASK64", "Lanes", "hamming", "simhash"]

MASK64 = (1 << 64) - 1


class Lanes:
    """Spreading and majority read-out for one lane width (a multiple of 8 bits).

    A lane must hold the total weight of a prompt's features, ``max_total``; the width is the
    smallest whole number of bytes with room to spare for the read-out's offset.

    Above the 64 lanes sits a 32-bit *count lane*, and above that an optional *tag*.
    :meth:`weighted` puts a feature's weight in the count lane too, so a sum of weighted spreads
    carries its own total weight (:meth:`count`) at no extra cost; a tag that is unique per
    feature makes ``max`` over weighted spreads pick the largest tag (:meth:`tag`), so one
    cached integer serves both the sum and a ranking.
    """

    __slots__ = (
        "_count_bit",
        "_count_shift",
        "_high",
        "_nbytes",
        "_tables",
        "_tag_shift",
        "lane_bytes",
        "max_total",
        "width",
    )

    def __init__(self, max_total: int) -> None:
        if max_total < 1:
            raise ValueError("max_total must be at least 1.")
        lane_bytes = 1
        while (1 << (8 * lane_bytes - 1)) <= max_total:
            lane_bytes += 1
        self.lane_bytes = lane_bytes
        self.width = 8 * lane_bytes
        self.max_total = (1 << (self.width - 1)) - 1
        self._nbytes = 64 * lane_bytes
        self._count_shift = 64 * self.width
        self._count_bit = 1 << self._count_shift
        self._tag_shift = self._count_shift + 32
        high = 0
        for i in range(64):
            high |= 1 << (i * self.width + self.width - 1)
        self._high = high
        tables: list[list[int]] = []
        for byte_pos in range(8):
            table = []
            for value in range(256):
                spread = 0
                for bit in range(8):
                    if value >> bit & 1:
                        spread |= 1 << ((byte_pos * 8 + bit) * self.width)
                table.append(spread)
            tables.append(table)
        self._tables = tables

    def spread(self, h: int) -> int:
        """Move bit ``i`` of the 64-bit ``h`` to the low bit of lane ``i``."""
        t = self._tables
        return (
            t[0][h & 255]
            | t[1][h >> 8 & 255]
            | t[2][h >> 16 & 255]
            | t[3][h >> 24 & 255]
            | t[4][h >> 32 & 255]
            | t[5][h >> 40 & 255]
            | t[6][h >> 48 & 255]
            | t[7][h >> 56 & 255]
        )

    def weighted(self, spread: int, weight: int, tag: int = 0) -> int:
        """``spread`` (from :meth:`spread`) times ``weight``, the weight also in the count lane,
        ``tag`` above it."""
        return (tag << self._tag_shift) + (spread | self._count_bit) * weight

    def count(self, acc: int) -> int:
        """The count lane of a sum of :meth:`weighted` values: their total weight."""
        return acc >> self._count_shift & 0xFFFFFFFF

    def tag(self, weighted: int) -> int:
        """The tag of one :meth:`weighted` value."""
        return weighted >> self._tag_shift

    def majority(self, acc: int, total: int) -> int:
        """Bit ``i`` is 1 when lane ``i`` of ``acc`` holds more than half of ``total``.

        Adding ``2**(width-1) - (total // 2 + 1)`` to every lane sets a lane's top bit
        exactly when the lane exceeds ``total / 2``; no carry crosses lanes because every
        lane stays below ``2**(width-1)``. The top bits are then gathered through bytes (the
        count lane, if any, is masked off with everything above lane 63).
        """
        if total <= 0:
            return 0
        if total > self.max_total:
            raise ValueError(f"total weight {total} overflows {self.width}-bit lanes.")
        offset = (1 << (self.width - 1)) - (total // 2 + 1)
        probe = (acc + offset * _REPEAT[self.width]) & self._high
        tops = probe.to_bytes(self._nbytes, "little")[self.lane_bytes - 1 :: self.lane_bytes]
        return int(tops.translate(_TOP_BIT_TO_DIGIT)[::-1], 2)


def _repeat(width: int) -> int:
    r = 0
    for i in range(64):
        r |= 1 << (i * width)
    return r


_REPEAT = {8 * n: _repeat(8 * n) for n in range(1, 9)}
_TOP_BIT_TO_DIGIT = bytes(0x31 if b & 0x80 else 0x30 for b in range(256))


def simhash(features: Iterable[tuple[int, int]], lanes: Lanes | None = None) -> int:
    """SimHash of ``(hash64, weight)`` pairs with positive integer weights.

    A convenience for callers outside the featurizer's hot path (which accumulates spreads
    it caches per term).
    """
    pairs = list(features)
    total = sum(w for _, w in pairs)
    if lanes is None or lanes.max_total < total:
        lanes = Lanes(max(total, 1))
    acc = 0
    for h, w in pairs:
        acc += lanes.spread(h & MASK64) * w
    return lanes.majority(acc, total)


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints."""
    return (a ^ b).bit_count()
