"""Campaigns: many keys acting as one, each key modest on its own.

A sybil campaign shares what a script shares (templates, a system prompt, one client build,
address ranges, a clock) and splits the subject space between its keys. A stealth campaign
shares none of that: its keys link only through what they ask (complementary slices of one
subject space), when (one operator's working window) and how their coverage fits together.
"""

from __future__ import annotations

from collections.abc import Callable

from guard.simulate import bank
from guard.simulate.actors.base import Actor, Call, Event, World, choose_tz
from guard.simulate.actors.harvesters import fabricated_history, stealth_question
from guard.simulate.bodies import Style, random_style
from guard.simulate.clients import (
    Client,
    anthropic_client,
    browser_client,
    datacenter_subnet,
    developer_client,
    ipv6_address,
    openai_client,
    residential_ip,
    subnet_ip,
)
from guard.simulate.content import HARVEST_SYSTEMS, HARVEST_TEMPLATES
from guard.simulate.subjects import DOMAINS
from guard.simulate.timing import (
    DAY,
    HOUR,
    cap_rolling,
    human_sessions,
    lognormal,
    think_time,
)

__all__ = ["SYBIL_DAILY_CAP", "StealthCampaign", "Sybil"]

#: Every sybil key stays under this many requests in any 24 hours (a typical per-key limit).
SYBIL_DAILY_CAP = 60


class Sybil(Actor):
    """Hundreds of keys on one clock, splitting a subject space between them.

    Campaign 1 (odd) shares everything: one SDK build, one system prompt, two templates, a
    handful of hosting /24s, and fires on the half hour. Campaign 2 (even) shares templates
    and the clock but speaks the messages API through several SDK versions from residential
    proxies, some behind one IPv6 /48, and splits the space by domain.
    """

    cls = "sybil"
    label = "harvester"

    def __init__(self, world: World, index: int, keys: int) -> None:
        super().__init__(world, index)
        self.size = keys

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        shared = self.index % 2 == 1
        api = "chat" if shared else "messages"
        tick = 30 * 60.0 if shared else 40 * 60.0
        ticks_per_day = DAY / tick
        # Ticks are at least 24 min apart, so no key can exceed the cap in any 24 hours.
        assert ticks_per_day <= SYBIL_DAILY_CAP
        chance = min(1.0, rng.uniform(0.4, 0.6) * w.scale)
        templates = rng.sample(HARVEST_TEMPLATES, 2)
        system = rng.choice(HARVEST_SYSTEMS) if shared else None
        if shared:
            one = openai_client(rng, server=True, node=False)
            clients = [one]
            subnets = [datacenter_subnet(rng) for _ in range(rng.randint(4, 8))]
            style = random_style(rng, api, stream=0.0, max_tokens=(4096,))
        else:
            clients = [anthropic_client(rng, server=True) for _ in range(4)]
            slash48 = f"2a0e:{rng.randrange(1 << 16):x}:{rng.randrange(1 << 16):x}:"
            subnets = []
            style = random_style(rng, api, stream=0.0, max_tokens=(4096, 8192))
        subjects = bank.all_subjects()
        rng.shuffle(subjects)
        keys = [self.new_key(api) for _ in range(self.size)]
        slices: list[list[bank.Subject]]
        if shared:
            slices = [subjects[i :: self.size] for i in range(self.size)]
        else:  # split by domain: key i sweeps part of domain i mod D
            by_domain: dict[str, list[bank.Subject]] = {d.name: [] for d in DOMAINS}
            for s in subjects:
                by_domain[s.domain.name].append(s)
            groups = list(by_domain.values())
            members: list[list[int]] = [[] for _ in groups]
            for i in range(self.size):
                members[i % len(groups)].append(i)
            slices = [[] for _ in range(self.size)]
            for group, ids in zip(groups, members, strict=True):
                for j, i in enumerate(ids):
                    slices[i] = group[j :: len(ids)]
        events: list[Event] = []
        span = w.end - w.start
        first_tick = w.start + rng.uniform(0, tick)
        for i, key in enumerate(keys):
            client = clients[i % len(clients)]
            if shared:
                subnet = subnets[i % len(subnets)]
                home = [subnet_ip(rng, subnet) for _ in range(2)]
            else:
                home = []
            behind_48 = not shared and rng.random() < 0.3
            active_from = w.start + rng.uniform(0, 0.25 * span)
            active_to = w.end - rng.uniform(0, 0.1 * span)
            cursor = {"i": 0}
            mine = slices[i] or subjects
            t = first_tick
            while t < w.end:
                if active_from <= t < active_to and rng.random() < chance:
                    sent = t + rng.uniform(0, 90 if shared else 300)
                    if sent < w.end:
                        if shared:
                            ip = rng.choice(home)
                        elif behind_48:
                            ip = slash48 + ":".join(f"{rng.randrange(1 << 16):x}" for _ in range(5))
                        else:
                            ip = residential_ip(rng)
                        events.append(
                            (
                                sent,
                                self._renderer(
                                    key, ip, client, style, system, templates, mine, cursor
                                ),
                            )
                        )
                t += tick
        return events

    def _renderer(
        self,
        key: str,
        ip: str,
        client: Client,
        style: Style,
        system: str | None,
        templates: list[str],
        subjects: list[bank.Subject],
        cursor: dict[str, int],
    ) -> Callable[[], Call]:
        def render() -> Call:
            rng = self.rng
            subject = subjects[cursor["i"] % len(subjects)]
            cursor["i"] += 1
            text = rng.choice(templates).format(
                s=subject.noun, q=bank.ask(rng, subject, 0.0), field=subject.domain.field
            )
            return self.call(key, ip, client, style, [("user", text)], system)

        return render


class StealthCampaign(Actor):
    """Keys that share no fingerprint: each has its own client, address, phrasing and model
    settings. They take disjoint slices of one subject space, start within the same few hours
    and keep one operator's working day."""

    cls = "stealth-campaign"
    label = "harvester"

    def __init__(self, world: World, index: int, keys: int) -> None:
        super().__init__(world, index)
        self.size = keys

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        domains = rng.sample(DOMAINS, 8)
        subjects = bank.all_subjects(domains)
        rng.shuffle(subjects)
        operator_tz = choose_tz(rng)
        launch = w.start + rng.uniform(0, 3 * HOUR)
        events: list[Event] = []
        for i in range(self.size):
            api = rng.choice(("chat", "chat", "messages", "responses"))
            key = self.new_key(api)
            if rng.random() < 0.4:
                client = browser_client(rng, api)
            elif rng.random() < 0.5:
                client = developer_client(rng, api)
            else:
                client = (anthropic_client if api == "messages" else openai_client)(rng)
            ips = [
                ipv6_address(rng) if rng.random() < 0.2 else residential_ip(rng)
                for _ in range(rng.randint(1, 3))
            ]
            style = random_style(rng, api, max_tokens=(None, 1024, 2048, 800), stream=0.5)
            level = rng.uniform(0.5, 1.0)
            history = rng.random() < 0.4
            mine = subjects[i :: self.size]
            cursor = {"i": 0}
            tz = operator_tz + rng.uniform(-1.0, 1.0)
            per_day = min(50.0, lognormal(rng, 28, 0.3, 12, 50) * w.scale) / 5.0
            start = launch + rng.uniform(0, 2 * HOUR)
            times: list[float] = []
            for session in human_sessions(rng, start, w.end, tz, per_day, weekend=1.0):
                t = session
                for _ in range(rng.randint(2, 8)):
                    if t >= w.end:
                        break
                    times.append(t)
                    t += think_time(rng, 1500)
            times.sort()
            for t in cap_rolling(times, SYBIL_DAILY_CAP - 5):
                events.append(
                    (
                        t,
                        self._renderer(
                            key, rng.choice(ips), client, style, mine, cursor, level, history
                        ),
                    )
                )
        return events

    def _renderer(
        self,
        key: str,
        ip: str,
        client: Client,
        style: Style,
        subjects: list[bank.Subject],
        cursor: dict[str, int],
        level: float,
        history: bool,
    ) -> Callable[[], Call]:
        def render() -> Call:
            rng = self.rng
            subject = subjects[cursor["i"] % len(subjects)]
            cursor["i"] += 1
            turns = (
                fabricated_history(rng, subject, level, self.world.pool)
                if history and rng.random() < 0.7
                else []
            )
            turns.append(("user", stealth_question(rng, subject, level)))
            return self.call(key, ip, client, style, turns)

        return render
