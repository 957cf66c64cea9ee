"""The cast: every actor class of the threat model, legitimate and harvesting."""

from guard.simulate.actors.base import Actor, Call, Event, World
from guard.simulate.actors.benign import (
    AgentFramework,
    AppKey,
    BatchJob,
    EvalRun,
    FocusedUser,
    NewChatUser,
    Organisation,
    QAProduct,
    SyntheticDataTeam,
)
from guard.simulate.actors.campaigns import SYBIL_DAILY_CAP, StealthCampaign, Sybil
from guard.simulate.actors.harvesters import (
    BroadSweeper,
    DeepDistiller,
    Hydra,
    LogitExtractor,
    Mimic,
    ReasoningHarvester,
    SlowAndLow,
    Stealth,
    TemplatedSweeper,
)

__all__ = [
    "SYBIL_DAILY_CAP",
    "Actor",
    "AgentFramework",
    "AppKey",
    "BatchJob",
    "BroadSweeper",
    "Call",
    "DeepDistiller",
    "EvalRun",
    "Event",
    "FocusedUser",
    "Hydra",
    "LogitExtractor",
    "Mimic",
    "NewChatUser",
    "Organisation",
    "QAProduct",
    "ReasoningHarvester",
    "SlowAndLow",
    "Stealth",
    "StealthCampaign",
    "Sybil",
    "SyntheticDataTeam",
    "TemplatedSweeper",
    "World",
]
