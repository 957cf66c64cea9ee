"""Operating guard: the admin API and dashboard under ``/_guard/``, and Prometheus metrics.

:class:`Metrics` and :class:`Activity` are pipeline listeners (they hear every decision);
:class:`AdminApp` serves what they and the store know. ``guard.server.build_app`` wires the
three together in front of the guarded upstream.
"""

from __future__ import annotations

from guard.admin.activity import Activity
from guard.admin.app import PREFIX, AdminApp
from guard.admin.auth import BearerAuth
from guard.admin.metrics import Metrics

__all__ = ["PREFIX", "Activity", "AdminApp", "BearerAuth", "Metrics"]
