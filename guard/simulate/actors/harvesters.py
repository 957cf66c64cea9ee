"""Single-key harvesters, from the naive sweep to the ones that hide."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any

from guard.simulate import bank
from guard.simulate.actors.base import (
    Actor,
    Call,
    Event,
    choose_api,
    choose_tz,
    user_prefixes,
)
from guard.simulate.bodies import Style, random_style
from guard.simulate.clients import (
    Client,
    anthropic_client,
    browser_client,
    datacenter_ip,
    developer_client,
    ipv6_address,
    library_client,
    openai_client,
    residential_ip,
)
from guard.simulate.content import (
    APP_PERSONAS,
    HARVEST_SYSTEMS,
    HARVEST_TEMPLATES,
    REASONING_WRAPPERS,
)
from guard.simulate.problems import PROBLEMS
from guard.simulate.sharegpt import ConversationPool
from guard.simulate.subjects import DOMAINS, Domain, domain_named
from guard.simulate.timing import (
    comes_back,
    diurnal_poisson,
    human_sessions,
    poisson_process,
    scripted,
    think_time,
)

__all__ = [
    "BroadSweeper",
    "DeepDistiller",
    "Hydra",
    "LogitExtractor",
    "Mimic",
    "ReasoningHarvester",
    "SlowAndLow",
    "Stealth",
    "SubjectSweep",
    "TemplatedSweeper",
    "fabricated_history",
    "stealth_question",
]


class SubjectSweep:
    """Walks a subject space without repeating itself (then starts a fresh shuffled pass)."""

    def __init__(
        self, rng: random.Random, domains: Sequence[Domain] = DOMAINS, *, shuffle: bool = True
    ) -> None:
        self.rng = rng
        self.shuffle = shuffle
        self.reset(domains)

    def reset(self, domains: Sequence[Domain]) -> None:
        """Sweep ``domains`` from the start."""
        self.subjects = bank.all_subjects(domains)
        self.order: list[int] = []
        self.passes = 0

    def next(self) -> bank.Subject:
        if not self.order:
            self.order = list(range(len(self.subjects)))
            if self.shuffle or self.passes:
                self.rng.shuffle(self.order)
            self.order.reverse()
            self.passes += 1
        return self.subjects[self.order.pop()]


class _Harvester(Actor):
    label = "harvester"

    def volume(self, low: float, high: float) -> float:
        """Requests per day, scaled by ``--scale``."""
        return self.rng.uniform(low, high) * self.world.scale


def _script_client(rng: random.Random, api: str) -> Client:
    roll = rng.random()
    if roll < 0.75:
        if api == "messages":
            return anthropic_client(rng, server=True)
        return openai_client(rng, server=True)
    return library_client(rng, api)


def _sweep_prompt(rng: random.Random, sweep: SubjectSweep, level: float) -> str:
    roll = rng.random()
    subject = sweep.next()
    domain = subject.domain
    if roll < 0.1 and domain.problems:
        return bank.solve_prompt(rng, rng.choice(domain.problems), level)
    if roll < 0.16 and domain.tasks:
        return bank.random_question(rng, (domain,), level)
    text = bank.ask(rng, subject, level)
    if rng.random() < 0.25:
        text += " " + rng.choice(
            ("Be thorough.", "Provide a comprehensive answer.", "Include examples.", "Be detailed.")
        )
    return text


class BroadSweeper(_Harvester):
    """One key, many diverse single-turn prompts over every domain, on a script's timing.

    Every third one sweeps with real user prompts (how Vicuna-style distillation used ShareGPT)
    while they last, then with the bank.
    """

    cls = "broad-sweeper"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.6, 0.25, 0.15))
        key = self.new_key(api)
        client = _script_client(rng, api)
        ip = datacenter_ip(rng)
        style = random_style(rng, api, stream=0.05, max_tokens=(None, 4096, 2048))
        system = rng.choice(HARVEST_SYSTEMS) if rng.random() < 0.5 else None
        sweep = SubjectSweep(rng)
        real = self.index % 3 == 1
        per_day = self.volume(600, 1800)
        times = scripted(rng, w.start, w.end, per_day)

        def prompt() -> str:
            if real and w.pool is not None:
                found = w.pool.take(opener=True)
                if found is not None:
                    return found.turns[0][1]
            return _sweep_prompt(rng, sweep, 0.1)

        return [
            (t, lambda: self.call(key, ip, client, style, [("user", prompt())], system))
            for t in times
        ]


class TemplatedSweeper(_Harvester):
    """A fixed template (or two) with slots filled from topic lists."""

    cls = "templated-sweeper"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.6, 0.3, 0.1))
        key = self.new_key(api)
        client = _script_client(rng, api)
        ip = datacenter_ip(rng)
        style = random_style(rng, api, stream=0.0, max_tokens=(None, 4096, 8192))
        system = rng.choice(HARVEST_SYSTEMS) if rng.random() < 0.6 else None
        templates = rng.sample(HARVEST_TEMPLATES, rng.choice((1, 1, 2, 3)))
        sweep = SubjectSweep(rng)
        workers = rng.choice((1, 1, 4, 8))
        times = scripted(rng, w.start, w.end, self.volume(500, 1500), jitter=0.1, parallel=workers)

        def prompt() -> str:
            subject = sweep.next()
            return rng.choice(templates).format(
                s=subject.noun, q=bank.ask(rng, subject, 0.0), field=subject.domain.field
            )

        return [
            (t, lambda: self.call(key, ip, client, style, [("user", prompt())], system))
            for t in times
        ]


def _reasoning_extra(rng: random.Random, style: Style) -> tuple[Style, dict[str, Any]]:
    """The largest outputs each API allows, plus its knobs for thinking."""
    if style.api == "messages":
        limit = rng.choice((32000, 64000))
        budget = rng.choice((16000, 24000, limit - 1000))  # must stay below max_tokens
        return style.with_(max_tokens=limit, temperature=None), {
            "thinking": {"type": "enabled", "budget_tokens": budget}
        }
    if style.api == "responses":
        model = rng.choice(("o3", "o4-mini", "gpt-5"))
        return style.with_(
            model=model, max_tokens=rng.choice((32768, 65536, 100000)), temperature=None
        ), {"reasoning": {"effort": "high", "summary": rng.choice(("detailed", "auto"))}}
    if rng.random() < 0.5:
        model = rng.choice(("o3-mini", "o4-mini", "gpt-5"))
        return style.with_(
            model=model,
            max_tokens=rng.choice((65536, 100000)),
            new_token_field=True,
            temperature=None,
        ), {"reasoning_effort": "high"}
    return style.with_(max_tokens=16384, new_token_field=False), {}


class ReasoningHarvester(_Harvester):
    """Asks for full chain-of-thought on problems and hard questions, with maximal outputs."""

    cls = "reasoning-harvester"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.45, 0.35, 0.2))
        key = self.new_key(api)
        client = _script_client(rng, api)
        ip = datacenter_ip(rng)
        base = random_style(rng, api, stream=0.3)
        style, extra = _reasoning_extra(rng, base)
        system = rng.choice(HARVEST_SYSTEMS) if rng.random() < 0.3 else None
        sweep = SubjectSweep(rng)
        kinds = sorted(PROBLEMS)
        times = scripted(rng, w.start, w.end, self.volume(300, 900))

        def prompt() -> str:
            if rng.random() < 0.6:
                inner = bank.solve_prompt(rng, rng.choice(kinds), 0.0)
            else:
                inner = bank.ask(rng, sweep.next(), 0.0)
            return rng.choice(REASONING_WRAPPERS).format(p=inner)

        return [
            (t, lambda: self.call(key, ip, client, style, [("user", prompt())], system, extra))
            for t in times
        ]


class SlowAndLow(_Harvester):
    """A few requests an hour, round the clock, for the whole period: under every rate limit."""

    cls = "slow-and-low"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng)
        key = self.new_key(api)
        client = developer_client(rng, api)
        ip = residential_ip(rng) if rng.random() < 0.5 else datacenter_ip(rng)
        style = random_style(rng, api)
        sweep = SubjectSweep(rng)
        real = self.index % 2 == 0
        times = poisson_process(rng, w.start, w.end, self.volume(40, 110))

        def prompt() -> str:
            if real and w.pool is not None:
                found = w.pool.take(opener=True)
                if found is not None:
                    return found.turns[0][1]
            return _sweep_prompt(rng, sweep, 0.5)

        return [(t, lambda: self.call(key, ip, client, style, [("user", prompt())])) for t in times]


class Mimic(_Harvester):
    """Mixes benign-looking multi-turn chatter into its sweep, on the sweep's timing."""

    cls = "mimic"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng)
        key = self.new_key(api)
        client = developer_client(rng, api)
        ip = datacenter_ip(rng) if rng.random() < 0.6 else residential_ip(rng)
        style = random_style(rng, api)
        system = "You are a helpful assistant." if rng.random() < 0.4 else None
        sweep = SubjectSweep(rng)
        chatter_share = rng.uniform(0.3, 0.5)
        times = scripted(rng, w.start, w.end, self.volume(300, 900), jitter=0.6)
        pending: list[list[tuple[str, str]]] = []

        def chatter() -> list[tuple[str, str]]:
            if not pending:
                found = w.pool.take(multi=True) if w.pool is not None else None
                if found is not None:
                    turns = list(found.turns)
                else:
                    turns = bank.bank_conversation(rng, bank.random_subject(rng), rng.randint(2, 5))
                pending.extend(reversed(user_prefixes(turns)))
            return pending.pop()

        def render() -> Call:
            if rng.random() < chatter_share:
                turns = chatter()
            else:
                turns = [("user", _sweep_prompt(rng, sweep, 0.6))]
            return self.call(key, ip, client, style, turns, system)

        return [(t, render) for t in times]


class Hydra(_Harvester):
    """A key that carries a real product's customer traffic with a sweep mixed in."""

    cls = "hydra"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.7, 0.3, 0.0))
        key = self.new_key(api)
        client = (
            openai_client(rng, server=True)
            if api != "messages"
            else anthropic_client(rng, server=True)
        )
        ips = [datacenter_ip(rng) for _ in range(rng.randint(1, 3))]
        style = random_style(rng, api, stream=0.7, max_tokens=(None, 1024, 2048))
        date = datetime.fromtimestamp(w.start, timezone.utc).strftime("%B %d, %Y")
        system = rng.choice(APP_PERSONAS).replace("{date}", date)
        tz = choose_tz(rng)
        events: list[Event] = []
        for start in diurnal_poisson(rng, w.start, w.end, self.volume(200, 500) / 3.0, tz):
            found = w.pool.take() if w.pool is not None else None
            turns = (
                list(found.turns)
                if found is not None
                else bank.bank_conversation(rng, bank.random_subject(rng), rng.randint(1, 5))
            )
            prefixes = user_prefixes(turns)
            pauses = comes_back(f"{key}:{start}", len(prefixes))
            t = start
            for i, prefix in enumerate(prefixes):
                if t >= w.end:
                    break
                events.append((t, partial(self.call_from, key, ips, client, style, prefix, system)))
                reply = turns[2 * i + 1][1] if 2 * i + 1 < len(turns) else ""
                t += think_time(rng, len(reply)) + pauses[i]
        sweep = SubjectSweep(rng)
        for t in scripted(rng, w.start, w.end, self.volume(200, 600), jitter=0.5):
            events.append(
                (
                    t,
                    lambda: self.call(
                        key,
                        rng.choice(ips),
                        client,
                        style,
                        [("user", _sweep_prompt(rng, sweep, 0.2))],
                        system,
                    ),
                )
            )
        return events


def _rotating_client(rng: random.Random, api: str) -> Client:
    roll = rng.random()
    if roll < 0.45:
        return browser_client(rng, api)
    return developer_client(rng, api)


def _rotating_ip(rng: random.Random) -> str:
    return ipv6_address(rng) if rng.random() < 0.25 else residential_ip(rng)


def fabricated_history(
    rng: random.Random,
    subject: bank.Subject,
    level: float,
    pool: ConversationPool | None = None,
) -> list[tuple[str, str]]:
    """Made-up earlier turns ending with the model: either the opening exchanges of a real
    conversation (pasted in as cover) or one to three turns on a neighbouring subject."""
    if pool is not None and rng.random() < 0.35:
        found = pool.take(multi=True)
        if found is not None:
            keep = 2 * rng.randint(1, max(1, min(3, found.user_turns - 1)))
            turns = list(found.turns[:keep])
            if turns and turns[-1][0] == "assistant":
                return turns
    domain = subject.domain
    entity = subject.entity if rng.random() < 0.5 else rng.choice(domain.entities)
    template = rng.choice((*domain.aspects, *domain.questions))
    neighbour = bank.Subject(domain, entity, template, template in domain.questions)
    turns = bank.bank_conversation(rng, neighbour, rng.randint(1, 3), level)
    return turns


def stealth_question(rng: random.Random, subject: bank.Subject, level: float) -> str:
    text = bank.ask(rng, subject, level)
    if rng.random() < 0.35:
        text = rng.choice(("ok thanks. ", "Got it. ", "cool. ", "Thanks! Next: ", "and ")) + text
    return text


class Stealth(_Harvester):
    """Fabricated multi-turn history, ordinary max_tokens, rotating clients and residential
    addresses, human pauses and a daily rhythm."""

    cls = "stealth"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.6, 0.4, 0.0))
        key = self.new_key(api)
        tz = choose_tz(rng)
        style = random_style(rng, api, max_tokens=(None, 800, 1024, 1024, 2048), stream=0.5)
        sweep = SubjectSweep(rng)
        events: list[Event] = []
        per_day = self.volume(90, 220) / 6.0
        for start in human_sessions(rng, w.start, w.end, tz, per_day, weekend=1.0):
            client = _rotating_client(rng, api)
            ip = _rotating_ip(rng)
            t = start
            for _ in range(rng.randint(3, 9)):
                if t >= w.end:
                    break
                events.append((t, partial(self._render, key, ip, client, style, sweep)))
                t += think_time(rng, 1500)
        return events

    def _render(self, key: str, ip: str, client: Client, style: Style, sweep: SubjectSweep) -> Call:
        rng = self.rng
        subject = sweep.next()
        level = 1.0
        turns = (
            fabricated_history(rng, subject, level, self.world.pool) if rng.random() < 0.8 else []
        )
        turns.append(("user", stealth_question(rng, subject, level)))
        return self.call(key, ip, client, style, turns)


class DeepDistiller(_Harvester):
    """Sweeps one domain exhaustively instead of all of them."""

    cls = "deep-distiller"

    _FOCI = (
        ("medicine", "pharmacology", "anatomy"),
        ("programming-languages", "frameworks", "algorithms"),
        ("law", "political-science"),
        ("chemistry", "compounds", "organic-chemistry"),
        ("finance", "economics", "accounting"),
        ("history", "historical-figures", "ancient-world"),
    )

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        focus = self._FOCI[(self.index - 1) % len(self._FOCI)]
        domains = [domain_named(focus[0])]
        api = choose_api(rng, (0.6, 0.3, 0.1))
        key = self.new_key(api)
        client = _script_client(rng, api)
        ip = datacenter_ip(rng)
        style = random_style(rng, api, stream=0.1, max_tokens=(None, 4096))
        system = rng.choice(HARVEST_SYSTEMS) if rng.random() < 0.5 else None
        # Entity by entity, every aspect: the systematic order of a scripted sweep.
        sweep = SubjectSweep(rng, domains, shuffle=rng.random() < 0.5)
        times = scripted(rng, w.start, w.end, self.volume(500, 1500))
        more = [domain_named(name) for name in focus[1:]]

        def prompt() -> str:
            if sweep.passes > 1 and more:  # done with the domain: widen to its neighbour
                domains.append(more.pop(0))
                sweep.reset(domains)
            return _sweep_prompt(rng, sweep, 0.15)

        return [
            (t, lambda: self.call(key, ip, client, style, [("user", prompt())], system))
            for t in times
        ]


class LogitExtractor(_Harvester):
    """Log-probabilities with logit_bias and n > 1: reads the model's logits out directly."""

    cls = "logit-extractor"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = "completions" if self.index % 2 == 0 else "chat"  # the legacy API reads logits too
        key = self.new_key(api)
        client = _script_client(rng, api)
        ip = datacenter_ip(rng)
        model = (
            rng.choice(("gpt-3.5-turbo-instruct", "davinci-002"))
            if api == "completions"
            else (rng.choice(("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini")))
        )
        sweep = SubjectSweep(rng)
        times = scripted(rng, w.start, w.end, self.volume(500, 1500), jitter=0.15)
        state: dict[str, Any] = {"prompt": "", "left": 0}

        def render() -> Call:
            if state["left"] <= 0:
                state["prompt"] = _sweep_prompt(rng, sweep, 0.0)
                state["left"] = rng.randint(3, 12)
            state["left"] -= 1
            bias = {
                str(rng.randrange(100_000)): rng.choice((100, -100, 50, 25.5, -12.25, 5))
                for _ in range(rng.choice((1, 1, 2, 5, 20, 50, 300)))
            }
            max_tokens = rng.choice((1, 1, 1, 5, 20))
            if api == "completions":
                extra: dict[str, Any] = {
                    "logprobs": 5,
                    "logit_bias": bias,
                    "n": rng.choice((1, 4, 8)),
                    "echo": rng.random() < 0.3,
                }
            else:
                extra = {
                    "logprobs": True,
                    "top_logprobs": 20,
                    "logit_bias": bias,
                    "n": rng.choice((1, 2, 4, 8, 16)),
                }
            style = Style(api, model, max_tokens=max_tokens, temperature=rng.choice((0.0, 1.0)))
            return self.call(key, ip, client, style, [("user", state["prompt"])], None, extra)

        return [(t, render) for t in times]
