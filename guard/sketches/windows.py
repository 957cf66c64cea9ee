"""A key's sliding-window sketches: distinct cells and request/token counters per window.

Each window of ``buckets`` sub-windows keeps ``buckets + 1`` bucket slots (the current,
partial bucket and the ``buckets`` full ones before it, which is why a count covers between
``seconds`` and ``seconds * (1 + 1 / buckets)``), each slot a HyperLogLog plus four counters,
and the register-wise maximum of the live slots (the window's own HyperLogLog). Bucket ``e`` is
the one holding ``now`` with ``e = floor(now / bucket_seconds)``; it lives in slot ``e % slots``,
so the newest bucket number is all a window needs to know which slots are live, and to read
the full buckets' request counts in order (``WindowCounts.buckets``).

Per request everything is O(1) per window: the item's register is raised in the current slot
and in the merged registers, whose estimator statistics (see :mod:`guard.sketches.hll`) are
updated in place. Only when a slot rotates out are the merged registers rebuilt from the live
slots, once per bucket period at most.

A key's whole state is two buffers, whatever the spec: one ``bytearray`` with every register
of every window, and one ``array('q')`` with every counter. With windows of an hour (4
buckets), a day (6) and a week (7) at precision 7 that is 2,944 + 856 = 3,800 bytes.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Mapping

from guard.models import WindowCounts
from guard.sketches.hll import check_precision, estimate, max_registers, position, register_sums
from guard.store.base import SketchSpec

__all__ = ["KeySketch", "SketchLayout", "WindowLayout", "layout"]

# A window's header in the counter array, then (requests, input, output, suspect) for each
# slot. _EPOCH (the newest bucket number) is 0, so the hot paths read it as ``ints[h]``.
_EPOCH, _ZEROS, _TOTAL, _TOP, _COUNT, _REQUESTS, _INPUT, _OUTPUT, _SUSPECT = range(9)
_HEADER = 9
_SLOT = 4


class WindowLayout:
    """Where one window's registers and counters sit in a key's arrays."""

    __slots__ = ("bucket_seconds", "ints", "merged", "name", "registers", "slots")

    def __init__(
        self, name: str, bucket_seconds: float, slots: int, registers: int, ints: int, m: int
    ) -> None:
        self.name = name
        self.bucket_seconds = bucket_seconds
        self.slots = slots
        self.registers = registers  # offset of slot 0's registers
        self.merged = registers + slots * m  # offset of the merged registers
        self.ints = ints  # offset of the header in the counter array


class SketchLayout:
    """Everything about a :class:`SketchSpec` that does not depend on the key, computed once."""

    __slots__ = (
        "blank",
        "horizon",
        "index",
        "int_count",
        "m",
        "p",
        "q",
        "register_bytes",
        "spec",
        "windows",
    )

    def __init__(self, spec: SketchSpec) -> None:
        self.spec = spec
        self.p = check_precision(spec.precision)
        self.m = m = 1 << self.p
        self.q = 63 - self.p
        windows: list[WindowLayout] = []
        registers = ints = 0
        for w in spec.windows:
            if not w.seconds > 0 or w.buckets < 1:
                raise ValueError(
                    f"Window {w.name!r} needs seconds > 0 and buckets >= 1 "
                    f"(got seconds={w.seconds}, buckets={w.buckets})."
                )
            slots = w.buckets + 1
            windows.append(WindowLayout(w.name, w.bucket_seconds, slots, registers, ints, m))
            registers += (slots + 1) * m
            ints += _HEADER + slots * _SLOT
        self.windows = tuple(windows)
        self.horizon = spec.horizon
        self.index: Mapping[str, WindowLayout] = {w.name: w for w in windows}
        if len(self.index) != len(windows):
            raise ValueError(f"Window names must be unique: {[w.name for w in windows]}.")
        self.register_bytes = registers
        self.int_count = ints
        blank = array("q", bytes(8 * ints))
        for wl in windows:
            blank[wl.ints + _ZEROS] = m
        self.blank = blank


@functools.lru_cache(maxsize=32)
def layout(spec: SketchSpec) -> SketchLayout:
    """The (shared) layout of ``spec``; raises ``ValueError`` if the spec is unusable."""
    return SketchLayout(spec)


class KeySketch:
    """One key's windows: call :meth:`observe` per request, :meth:`record` per response.

    ``now`` may go backwards (replays, clock skew between instances): a time before the
    newest bucket seen counts in that bucket.
    """

    __slots__ = ("_ints", "_regs", "layout")

    def __init__(self, spec: SketchSpec | SketchLayout, now: float) -> None:
        lay = spec if isinstance(spec, SketchLayout) else layout(spec)
        self.layout = lay
        self._regs = bytearray(lay.register_bytes)
        self._ints = ints = array("q", lay.blank)
        for w in lay.windows:
            ints[w.ints + _EPOCH] = int(now // w.bucket_seconds)

    @property
    def spec(self) -> SketchSpec:
        return self.layout.spec

    def nbytes(self) -> int:
        """Payload bytes: registers and counters, without Python's object headers."""
        return len(self._regs) + len(self._ints) * self._ints.itemsize

    def observe(self, cell: int, now: float, input_tokens: int = 0) -> dict[str, WindowCounts]:
        """Count one request for ``cell`` and return every window's counts including it."""
        lay = self.layout
        index, rank = position(cell, lay.p)
        regs = self._regs
        ints = self._ints
        m = lay.m
        q = lay.q
        for w in lay.windows:
            h = w.ints
            epoch = int(now // w.bucket_seconds)
            current = ints[h]
            if epoch > current:
                self._advance(w, epoch)
                current = epoch
            slot = current % w.slots
            r = w.registers + slot * m + index
            if regs[r] < rank:
                regs[r] = rank
                r = w.merged + index
                old = regs[r]
                if old < rank:
                    regs[r] = rank
                    if old:
                        ints[h + _TOTAL] -= 1 << (q - old)
                    else:
                        ints[h + _ZEROS] -= 1
                    if rank > q:
                        ints[h + _TOP] += 1
                    else:
                        ints[h + _TOTAL] += 1 << (q - rank)
                    ints[h + _COUNT] = -1
            c = h + _HEADER + slot * _SLOT
            ints[c] += 1
            ints[c + 1] += input_tokens
            ints[h + _REQUESTS] += 1
            ints[h + _INPUT] += input_tokens
        return self._counts()

    def record(self, now: float, output_tokens: int, suspect: int = 0) -> None:
        """Add a response's output tokens, and whether its request was suspect, to the bucket
        holding ``now`` in every window."""
        ints = self._ints
        for w in self.layout.windows:
            h = w.ints
            epoch = int(now // w.bucket_seconds)
            current = ints[h]
            if epoch > current:
                self._advance(w, epoch)
                current = epoch
            c = h + _HEADER + (current % w.slots) * _SLOT
            ints[c + 2] += output_tokens
            ints[c + 3] += suspect
            ints[h + _OUTPUT] += output_tokens
            ints[h + _SUSPECT] += suspect

    def counts(self, now: float) -> dict[str, WindowCounts]:
        """Every window's counts as of ``now``, counting nothing."""
        self._slide(now)
        return self._counts()

    def distinct(self, window: str, now: float) -> int:
        """Distinct cells seen in ``window`` as of ``now``."""
        w = self._window(window)
        self._slide(now, w)
        return self._distinct(w)

    def snapshot(self, window: str, now: float) -> tuple[bytes, int]:
        """A copy of ``window``'s merged registers and its request count as of ``now``.

        What a union of several keys needs: the registers to merge, and the requests that
        bound how many distinct cells they can hold.
        """
        w = self._window(window)
        self._slide(now, w)
        return bytes(self._regs[w.merged : w.merged + self.layout.m]), self._ints[
            w.ints + _REQUESTS
        ]

    def merge(self, other: KeySketch, now: float) -> None:
        """Add ``other``'s requests to this sketch (a campaign absorbing a key or a campaign).

        Both are slid to ``now`` first, so their slots hold the same buckets and merge slot by
        slot: registers by maximum, counters by sum.
        """
        if other.layout is not self.layout:
            raise ValueError("Only sketches of the same spec can be merged.")
        m = self.layout.m
        regs, other_regs = self._regs, other._regs
        ints, other_ints = self._ints, other._ints
        for w in self.layout.windows:
            h = w.ints
            epoch = max(ints[h], other_ints[h], int(now // w.bucket_seconds))
            if epoch > ints[h]:
                self._advance(w, epoch)
            if epoch > other_ints[h]:
                other._advance(w, epoch)
            for s in range(w.slots):
                c = h + _HEADER + s * _SLOT
                for i in range(_SLOT):  # a response may sit in a slot without requests
                    ints[c + i] += other_ints[c + i]
                if not other_ints[c]:
                    continue  # only requests raise registers
                start = w.registers + s * m
                mine = int.from_bytes(regs[start : start + m], "little")
                theirs = int.from_bytes(other_regs[start : start + m], "little")
                merged = max_registers(mine, theirs, m) if mine else theirs
                regs[start : start + m] = merged.to_bytes(m, "little")
            for i in (_REQUESTS, _INPUT, _OUTPUT, _SUSPECT):
                ints[h + i] += other_ints[h + i]
            self._rebuild(w)

    def copy(self) -> KeySketch:
        clone = KeySketch.__new__(KeySketch)
        clone.layout = self.layout
        clone._regs = bytearray(self._regs)
        clone._ints = array("q", self._ints)
        return clone

    def _window(self, name: str) -> WindowLayout:
        try:
            return self.layout.index[name]
        except KeyError:
            known = ", ".join(repr(n) for n in self.layout.index)
            raise ValueError(f"Unknown window {name!r}: the spec has {known}.") from None

    def _slide(self, now: float, only: WindowLayout | None = None) -> None:
        ints = self._ints
        for w in self.layout.windows if only is None else (only,):
            epoch = int(now // w.bucket_seconds)
            if epoch > ints[w.ints]:
                self._advance(w, epoch)

    def _advance(self, w: WindowLayout, epoch: int) -> None:
        """Make ``epoch`` the newest bucket, emptying the slots of buckets that fell out."""
        ints = self._ints
        regs = self._regs
        m = self.layout.m
        h = w.ints
        current = ints[h]
        ints[h] = epoch
        slots = w.slots
        stale = False
        for e in range(current + 1, min(epoch, current + slots) + 1):
            s = e % slots
            c = h + _HEADER + s * _SLOT
            if ints[c]:
                stale = True  # only requests raise registers
                start = w.registers + s * m
                regs[start : start + m] = bytes(m)
            ints[h + _REQUESTS] -= ints[c]
            ints[h + _INPUT] -= ints[c + 1]
            ints[h + _OUTPUT] -= ints[c + 2]
            ints[h + _SUSPECT] -= ints[c + 3]
            ints[c] = ints[c + 1] = ints[c + 2] = ints[c + 3] = 0
        if stale:
            self._rebuild(w)

    def _rebuild(self, w: WindowLayout) -> None:
        """Recompute the merged registers and their statistics from the live slots."""
        ints = self._ints
        regs = self._regs
        lay = self.layout
        m = lay.m
        h = w.ints
        merged = 0
        for s in range(w.slots):
            if ints[h + _HEADER + s * _SLOT]:
                start = w.registers + s * m
                value = int.from_bytes(regs[start : start + m], "little")
                merged = max_registers(merged, value, m) if merged else value
        block = merged.to_bytes(m, "little")
        regs[w.merged : w.merged + m] = block
        ints[h + _ZEROS], ints[h + _TOTAL], ints[h + _TOP] = register_sums(block, lay.p)
        ints[h + _COUNT] = -1

    def _distinct(self, w: WindowLayout) -> int:
        ints = self._ints
        h = w.ints
        count = ints[h + _COUNT]
        if count < 0:
            count = round(
                estimate(self.layout.p, ints[h + _ZEROS], ints[h + _TOTAL], ints[h + _TOP])
            )
            ints[h + _COUNT] = count
        # The registers hold only the cells of the window's requests: never more distinct.
        return min(count, ints[h + _REQUESTS])

    def _counts(self) -> dict[str, WindowCounts]:
        ints = self._ints
        distinct = self._distinct
        out = {}
        for w in self.layout.windows:
            h = w.ints
            first = h + _HEADER  # slot 0's request counter
            current = first + ints[h] % w.slots * _SLOT
            # The full buckets, oldest first: the slots after the current one, then those before.
            buckets = tuple(
                ints[current + _SLOT : first + w.slots * _SLOT : _SLOT] + ints[first:current:_SLOT]
            )
            out[w.name] = WindowCounts(
                distinct(w),
                ints[h + _REQUESTS],
                ints[h + _INPUT],
                ints[h + _OUTPUT],
                buckets,
                ints[h + _SUSPECT],
            )
        return out
