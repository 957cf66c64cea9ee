"""What every actor shares: the world it lives in, its plan of timed requests, and helpers.

An actor *plans* cheaply (timestamps plus a small closure per request) and *renders* each
request only when the writer reaches it in time order, so a run of 100k requests never holds
every body in memory. Rendering uses the actor's own random stream in the actor's own time
order; the few draws from the shared conversation pool made while rendering happen in the
global time order, which is fixed too, so a seed always gives the same file.
"""

from __future__ import annotations

import abc
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from guard.simulate import bank
from guard.simulate.bodies import Style, Turns, render
from guard.simulate.clients import Client, NetworkPlan, api_key
from guard.simulate.sharegpt import Conversation, ConversationPool
from guard.simulate.subjects import DOMAINS, Domain

__all__ = [
    "Actor",
    "Call",
    "Event",
    "Topics",
    "World",
    "choose_api",
    "choose_tz",
    "user_prefixes",
]


@dataclass(frozen=True, slots=True)
class Call:
    """One request as it goes on the wire (the writer adds time and labels)."""

    key: str
    ip: str
    headers: dict[str, str]
    path: str
    body: dict[str, Any]


Event = tuple[float, Callable[[], Call]]


@dataclass(slots=True)
class World:
    """Settings and shared resources of one simulation run."""

    seed: int
    start: float
    end: float
    scale: float = 1.0
    campaign_keys: int = 300
    pool: ConversationPool | None = None
    hurried: bool = False  # harvesters type their questions as people in a hurry do
    net: NetworkPlan = field(init=False)

    def __post_init__(self) -> None:
        self.net = NetworkPlan(self.rng("network"))

    @property
    def days(self) -> float:
        return (self.end - self.start) / 86400.0

    def rng(self, name: str) -> random.Random:
        """An independent, reproducible stream for ``name`` (string seeds hash with SHA-512,
        so they do not depend on PYTHONHASHSEED)."""
        return random.Random(f"{self.seed}:{name}")


class Actor(abc.ABC):
    """One member of the cast: a user, a product, a job, a harvester or a whole campaign."""

    cls: ClassVar[str]
    label: ClassVar[str]

    def __init__(self, world: World, index: int) -> None:
        self.world = world
        self.index = index
        self.name = f"{self.cls}-{index}"
        self.rng = world.rng(self.name)
        self.keys: list[str] = []

    def new_key(self, api: str) -> str:
        key = api_key(self.rng, api)
        self.keys.append(key)
        return key

    @abc.abstractmethod
    def plan(self) -> list[Event]:
        """Every request this actor will send, as (time, render) pairs in any order."""

    # Shared request builder: most actors send plain conversations.
    def call(
        self,
        key: str,
        ip: str,
        client: Client,
        style: Style,
        turns: Turns,
        system: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Call:
        if self.world.hurried and self.label == "harvester":
            turns = hurry(turns)
        path, body = render(style, turns, system, extra)
        return Call(key, ip, client.header_dict(), path, body)

    def call_from(
        self,
        key: str,
        ips: Sequence[str],
        client: Client,
        style: Style,
        turns: Turns,
        system: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Call:
        """:meth:`call` from one of ``ips``, chosen when the request is rendered."""
        return self.call(key, self.rng.choice(ips), client, style, turns, system, extra)


def hurry(turns: Turns) -> list[tuple[str, str]]:
    """``turns`` with the last question typed as people in a hurry type it: a lowercase first
    letter, no closing full stop or question mark. Free for any script to do, and what guard
    reads as a person's typing (``casual``): the evasion the simulator's ``hurried`` harvesters
    try."""
    *head, (role, text) = turns
    if role != "user":
        return list(turns)
    text = text.strip()
    return [*head, (role, (text[:1].lower() + text[1:]).rstrip(".?!"))]


def choose_tz(rng: random.Random) -> float:
    """A UTC offset in hours, weighted towards where API users are."""
    return rng.choice(
        (-8, -7, -6, -5, -5, -5, -4, -3, 0, 0, 1, 1, 1, 2, 3, 5.5, 5.5, 7, 8, 8, 9, 10)
    )


def choose_api(rng: random.Random, weights: Sequence[float] = (0.55, 0.3, 0.15)) -> str:
    return rng.choices(("chat", "messages", "responses"), weights=weights)[0]


def user_prefixes(turns: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The conversation as the client sends it turn by turn: history up to each user turn."""
    return [list(turns[: i + 1]) for i, (role, _) in enumerate(turns) if role == "user"]


class Topics:
    """Where one person's questions come from, kept on one subject.

    With the ShareGPT pool, each next conversation is the unused one closest in vocabulary to
    the person's first; without it, the bank stays near a home subject (the same entity seen
    through other aspects, or neighbouring entities of the same domain).
    """

    def __init__(self, world: World, rng: random.Random, domain: Domain | None = None) -> None:
        self.world = world
        self.domain = domain or DOMAINS[rng.randrange(len(DOMAINS))]
        entities = self.domain.entities
        start = rng.randrange(len(entities))
        self.entities = [entities[(start + i) % len(entities)] for i in range(rng.randint(2, 5))]
        # Seeded from the home subject, so real conversations drawn later match it.
        self.profile = ConversationPool.keywords(
            " ".join([self.domain.field, *self.entities, *self.entities])
        )
        self.matched = False

    def subject(self, rng: random.Random) -> bank.Subject:
        entity = rng.choice(self.entities)
        templates = (*self.domain.aspects, *self.domain.questions)
        template = rng.choice(templates)
        return bank.Subject(self.domain, entity, template, template in self.domain.questions)

    def _drawn(self, pool: ConversationPool, found: Conversation) -> None:
        """Follow the first real conversation that matches (or, failing any match, the
        first one drawn), so the rest cluster around it."""
        if self.matched:
            return
        words = pool.profile(found)
        if set(words) & set(self.profile):
            self.profile = list(dict.fromkeys(self.profile + words))[:60]
        else:
            self.profile = words
        self.matched = True

    def conversation(
        self, rng: random.Random, *, max_turns: int = 8, level: float = 1.0, bank_share: float = 0.0
    ) -> list[tuple[str, str]]:
        pool = self.world.pool
        if pool is not None and len(pool) and rng.random() >= bank_share:
            found = pool.take_near(rng, self.profile)
            if found is not None:
                self._drawn(pool, found)
                return list(found.turns)
        turns = rng.choice((1, 2, 2, 3, 3, 4, 5, 6, max_turns))
        return bank.bank_conversation(rng, self.subject(rng), min(turns, max_turns), level)

    def question(self, rng: random.Random, *, level: float = 1.0, bank_share: float = 0.0) -> str:
        """A fresh single-turn question on this person's subject."""
        pool = self.world.pool
        if pool is not None and len(pool) and rng.random() >= bank_share:
            found = pool.take_near(rng, self.profile, opener=True)
            if found is not None:
                self._drawn(pool, found)
                return found.turns[0][1]
        return bank.ask(rng, self.subject(rng), level)
