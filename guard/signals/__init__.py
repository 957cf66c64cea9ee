"""Explainable signals. Each reports a value in [0, 1] and a reason a person can read."""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext
from guard.signals.coverage import CoverageSignal, NoveltySignal
from guard.signals.elicitation import ElicitationSignal
from guard.signals.volume import VolumeSignal

__all__ = ["SIGNAL_NAMES", "Signal", "SignalContext", "default_signals"]


def default_signals() -> list[Signal]:
    return [CoverageSignal(), NoveltySignal(), VolumeSignal(), ElicitationSignal()]


SIGNAL_NAMES: tuple[str, ...] = tuple(s.name for s in default_signals())
