"""HyperLogLog: distinct counts in ``2**p`` bytes, whatever the number of items.

Items are cell ids that are already hashes, but not necessarily good ones (sequential ids,
ids with constant low bits), so each is rehashed with the splitmix64 finaliser before use.
The top ``p`` bits of the mixed value pick a register; the rank is one plus the number of
leading zeros among the next ``q = 63 - p`` bits. A 63-bit hash instead of 64 costs nothing in
range and keeps the running sum below ``2**62``, so it packs into a signed 64-bit counter.

The count uses Ertl's improved estimator ("New cardinality estimation algorithms for
HyperLogLog sketches", 2017), which is also what Redis' PFCOUNT computes: it is unbiased
from 0 to far beyond ``2**p`` items without the empirical bias tables of HLL++ or the switch
to linear counting (whose threshold is where the classic estimator is most biased). It needs
only three figures of the registers, all cheap to maintain on every add:

* ``zeros``: registers still empty;
* ``total``: the sum of ``2 ** (q - r)`` over registers of rank ``1 <= r <= q``;
* ``top``: registers of rank ``q + 1`` (the whole hash suffix was zero; practically never).

Registers never exceed ``q + 1 <= 60``, which is what :func:`max_registers` relies on.
"""

from __future__ import annotations

import functools
import math

__all__ = [
    "MAX_PRECISION",
    "MIN_PRECISION",
    "HyperLogLog",
    "check_precision",
    "estimate",
    "estimate_registers",
    "max_registers",
    "mix64",
    "position",
    "register_sums",
    "standard_error",
]

MIN_PRECISION = 4
MAX_PRECISION = 16

_M64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # splitmix64's increment: keeps 0 from being a fixed point
_ALPHA_INF = 1.0 / (2.0 * math.log(2.0))


def mix64(x: int) -> int:
    """Spread any integer (taken modulo ``2**64``) over 64 well-mixed bits (splitmix64)."""
    x = (x + _GAMMA) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def check_precision(p: int) -> int:
    """``p`` itself, if it is a supported precision."""
    if not MIN_PRECISION <= p <= MAX_PRECISION:
        raise ValueError(
            f"HyperLogLog precision must be between {MIN_PRECISION} and {MAX_PRECISION}, not {p}."
        )
    return p


def position(item: int, p: int) -> tuple[int, int]:
    """The register index and rank that ``item`` maps to at precision ``p``."""
    z = mix64(item)
    q = 63 - p
    return z >> 64 - p, q + 1 - (z & ((1 << q) - 1)).bit_length()


def standard_error(p: int) -> float:
    """The relative standard error of a count at precision ``p``: ``1.04 / sqrt(2**p)``."""
    return 1.04 / math.sqrt(1 << p)


def _sigma(x: float) -> float:
    # x + sum_{k>=1} x**(2**k) * 2**(k-1): the share of empty registers, corrected.
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if z == previous:
            return z


def _tau(x: float) -> float:
    # The correction for saturated registers (rank q + 1).
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1.0 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == previous:
            return z / 3.0


def estimate(p: int, zeros: int, total: int, top: int = 0) -> float:
    """Ertl's improved estimate from the register statistics described in the module doc."""
    m = 1 << p
    if zeros == m:
        return 0.0
    q = 63 - p
    z = m * _sigma(zeros / m) + total / (1 << q)
    if top:
        z += m * _tau(1.0 - top / m) / (1 << q)
    if z <= 0.0:  # every register saturated: beyond what the sketch can tell
        return float(m << q)
    return _ALPHA_INF * m * m / z


def estimate_registers(registers: bytes | bytearray, p: int) -> float:
    """The estimate of a register array, counted from scratch."""
    return estimate(p, *register_sums(registers, p))


def register_sums(registers: bytes | bytearray, p: int) -> tuple[int, int, int]:
    """``(zeros, total, top)`` of a register array, counted from scratch (C-speed counts)."""
    q = 63 - p
    zeros = registers.count(0)
    if zeros == len(registers):
        return zeros, 0, 0
    highest = max(registers)
    total = 0
    for rank in range(1, min(highest, q) + 1):
        n = registers.count(rank)
        if n:
            total += n << (q - rank)
    top = registers.count(q + 1) if highest > q else 0
    return zeros, total, top


def max_registers(a: int, b: int, size: int) -> int:
    """Register-wise maximum of two register arrays read as little-endian integers.

    One byte per register, each below 128: adding 128 to every byte of ``a`` and subtracting
    ``b`` cannot borrow across bytes, and the top bit of each byte then says whether
    ``a >= b`` there. A few big-integer operations replace ``size`` Python-level ``max`` calls.
    """
    high = _high_bits(size)
    ge = (((a | high) - b) & high) >> 7
    return b ^ ((a ^ b) & (ge * 0xFF))


@functools.lru_cache(maxsize=16)
def _high_bits(size: int) -> int:
    return int.from_bytes(b"\x80" * size, "little")


class HyperLogLog:
    """A standalone HyperLogLog sketch.

    >>> h = HyperLogLog(10)
    >>> for cell in range(1000):
    ...     _ = h.add(cell)
    >>> abs(h.count() - 1000) < 100
    True
    """

    __slots__ = ("_top", "_total", "_zeros", "p", "registers")

    def __init__(self, p: int = 14, registers: bytes | bytearray | None = None) -> None:
        self.p = check_precision(p)
        m = 1 << p
        if registers is None:
            self.registers = bytearray(m)
            self._zeros, self._total, self._top = m, 0, 0
        else:
            if len(registers) != m:
                raise ValueError(f"Precision {p} needs {m} registers, not {len(registers)}.")
            if registers and max(registers) > 64 - p:
                raise ValueError(f"Register values above {64 - p} are impossible at precision {p}.")
            self.registers = bytearray(registers)
            self._zeros, self._total, self._top = register_sums(self.registers, p)

    def add(self, item: int) -> bool:
        """Count ``item`` (any int, taken modulo ``2**64``); ``True`` if a register changed."""
        p = self.p
        index, rank = position(item, p)
        registers = self.registers
        old = registers[index]
        if rank <= old:
            return False
        registers[index] = rank
        q = 63 - p
        if old == 0:
            self._zeros -= 1
        else:
            self._total -= 1 << (q - old)
        if rank > q:
            self._top += 1
        else:
            self._total += 1 << (q - rank)
        return True

    def merge(self, other: HyperLogLog) -> None:
        """Make this sketch count the union of both (``other`` is unchanged)."""
        if other.p != self.p:
            raise ValueError(f"Cannot merge precision {other.p} into precision {self.p}.")
        size = len(self.registers)
        merged = max_registers(
            int.from_bytes(self.registers, "little"),
            int.from_bytes(other.registers, "little"),
            size,
        )
        self.registers[:] = merged.to_bytes(size, "little")
        self._zeros, self._total, self._top = register_sums(self.registers, self.p)

    def copy(self) -> HyperLogLog:
        clone = HyperLogLog.__new__(HyperLogLog)
        clone.p = self.p
        clone.registers = bytearray(self.registers)
        clone._zeros, clone._total, clone._top = self._zeros, self._total, self._top
        return clone

    def estimate(self) -> float:
        """The estimated number of distinct items added, unrounded."""
        return estimate(self.p, self._zeros, self._total, self._top)

    def count(self) -> int:
        """The estimated number of distinct items added."""
        return round(self.estimate())

    def __repr__(self) -> str:
        return f"HyperLogLog(p={self.p}, count={self.count()})"
