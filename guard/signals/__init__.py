"""Explainable signals. Each reports a value in [0, 1] and a reason a person can read."""

from __future__ import annotations

from guard.signals.base import Signal, SignalContext
from guard.signals.behaviour import BEHAVIOUR_SIGNALS, RingStats
from guard.signals.campaign import CampaignSignal
from guard.signals.coverage import CoverageSignal, NoveltySignal
from guard.signals.elicitation import ElicitationSignal
from guard.signals.output import ShortAnswersSignal
from guard.signals.timing import CadenceSignal, NoRestSignal, RoundTheClockSignal, TimerSignal
from guard.signals.volume import VolumeSignal

__all__ = ["SIGNAL_NAMES", "RingStats", "Signal", "SignalContext", "default_signals"]


def default_signals() -> list[Signal]:
    return [
        CoverageSignal(),
        NoveltySignal(),
        VolumeSignal(),
        ElicitationSignal(),
        *(signal() for signal in BEHAVIOUR_SIGNALS),
        CampaignSignal(),
        CadenceSignal(),
        TimerSignal(),
        NoRestSignal(),
        RoundTheClockSignal(),
        ShortAnswersSignal(),
    ]


SIGNAL_NAMES: tuple[str, ...] = tuple(s.name for s in default_signals())
