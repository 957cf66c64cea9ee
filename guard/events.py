"""Listeners: how metrics, audit logs and dashboards hear what the pipeline did.

The pipeline calls every registered listener synchronously at three points; a listener must be
cheap and must not raise (an exception is logged and the listener is otherwise ignored).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from guard.models import Usage

if TYPE_CHECKING:
    from guard.pipeline import Inspection

__all__ = ["Listener"]


class Listener(Protocol):
    def on_decision(self, inspection: Inspection) -> None:
        """A request was inspected and decided (before the action is applied)."""

    def on_response(self, inspection: Inspection, usage: Usage, seconds: float) -> None:
        """The exchange finished: usage read off the response, ``seconds`` since inspection."""

    def on_store(self, operation: str, seconds: float, failed: bool) -> None:
        """One store call (``observe``, ``record``, ``rate``) took ``seconds``."""
