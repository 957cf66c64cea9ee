"""``guard replay``: run a traffic file through the real pipeline on a simulated clock.

:func:`replay` returns the report (the DESIGN.md replay contract plus explanatory extras);
:func:`render_html` turns a report into one self-contained HTML page.
"""

from __future__ import annotations

from guard.replay.estimate import estimate_usage
from guard.replay.html import render_html, write_html
from guard.replay.progress import Progress
from guard.replay.report import TIMING_FIELDS
from guard.replay.runner import REPLAY_SECRET, Replayer, replay

__all__ = [
    "REPLAY_SECRET",
    "TIMING_FIELDS",
    "Progress",
    "Replayer",
    "estimate_usage",
    "render_html",
    "replay",
    "write_html",
]
