"""A minimal progress bar for long replays, drawn on stderr (stdout may carry the report).

The caller reports how many lines it has done and how far it is through its source (bytes of
a file); the bar redraws at most ``interval`` seconds apart, so calling it often is cheap.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress", "format_eta"]

_WIDTH = 24


def format_eta(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Draws ``label  42% |#####     | 12,345 lines  3,456/s  ETA 0:12`` in place.

    ``total`` is in the unit of the ``position`` passed to :meth:`update` (``None``: unknown,
    then only the count and the rate are shown).
    """

    def __init__(
        self,
        total: int | None,
        *,
        stream: TextIO | None = None,
        label: str = "replay",
        interval: float = 0.2,
    ) -> None:
        self.total = total if total else None
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.interval = interval
        self.started = time.monotonic()
        self._drawn = 0.0
        self._width = 0

    def update(self, done: int, position: int) -> None:
        now = time.monotonic()
        if now - self._drawn >= self.interval:
            self._drawn = now
            self._draw(self.render(done, position, now - self.started))

    def close(self, done: int, position: int, *, complete: bool = True) -> None:
        """Draw the final state (``complete``: the whole source was read) and end the line."""
        elapsed = time.monotonic() - self.started
        self._draw(self.render(done, position, elapsed, final=complete))
        self.stream.write("\n")
        self.stream.flush()

    def render(self, done: int, position: int, elapsed: float, *, final: bool = False) -> str:
        rate = done / elapsed if elapsed > 0 else 0.0
        parts = [self.label]
        total = self.total
        if total:
            fraction = min(1.0, position / total)
            filled = round(fraction * _WIDTH)
            parts.append(f"{fraction:4.0%} |{'#' * filled}{' ' * (_WIDTH - filled)}|")
        parts.append(f"{done:,} lines")
        parts.append(f"{rate:,.0f}/s")
        if final:
            parts.append(f"in {format_eta(elapsed)}")
        elif total and position > 0:
            parts.append(f"ETA {format_eta(elapsed * (total - position) / position)}")
        return "  ".join(parts)

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self._width - len(text))
        self._width = len(text)
        self.stream.write(f"\r{text}{padding}")
        self.stream.flush()
