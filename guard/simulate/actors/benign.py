"""Legitimate traffic, including the kinds that look like harvesting at first sight."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone
from functools import partial
from typing import Any

from guard.simulate import bank
from guard.simulate.actors.base import (
    Actor,
    Call,
    Event,
    Topics,
    World,
    choose_api,
    choose_tz,
    user_prefixes,
)
from guard.simulate.agents import TOOLSETS, Step, Toolset, render_agent, run_steps
from guard.simulate.bodies import Style, random_style
from guard.simulate.clients import (
    Client,
    browser_client,
    datacenter_ip,
    datacenter_subnet,
    developer_client,
    openai_client,
    server_client,
    subnet_ip,
)
from guard.simulate.content import (
    APP_PERSONAS,
    CODEBASES,
    GENERAL_QA_SYSTEMS,
    QA_SYSTEMS,
    SYNTH_TEMPLATES,
    USER_SYSTEMS,
    Codebase,
    codebase_question,
)
from guard.simulate.documents import BATCH_TASKS, KNOWLEDGE_BASES, kb_question, rag_prompt
from guard.simulate.phrasing import humanize
from guard.simulate.subjects import DOMAINS, Domain
from guard.simulate.timing import (
    DAY,
    HOUR,
    OFFICE_HOURS,
    automated,
    burst,
    comes_back,
    diurnal_poisson,
    human_sessions,
    lognormal,
    poisson,
    think_time,
)

__all__ = [
    "AgentFramework",
    "AppKey",
    "BatchJob",
    "EvalRun",
    "FocusedUser",
    "NewChatUser",
    "Organisation",
    "QAProduct",
    "SyntheticDataTeam",
]


class _Person(Actor):
    """A person with their own key: home address, own client, own time zone."""

    label = "benign"

    def __init__(self, world: World, index: int) -> None:
        super().__init__(world, index)
        rng = self.rng
        self.tz = choose_tz(rng)
        self.api = choose_api(rng)
        self.client = developer_client(rng, self.api)
        self.style = random_style(rng, self.api, stream=0.55)
        self.system = rng.choice(USER_SYSTEMS) if rng.random() < 0.3 else None
        self.key = self.new_key(self.api)
        self.home = world.net.home_ip(rng)
        self.away = world.net.home_ip(rng)
        self.topics = Topics(world, rng)

    def ip(self) -> str:
        return self.home if self.rng.random() < 0.88 else self.away

    def send(self, turns: list[tuple[str, str]]) -> Call:
        return self.call(self.key, self.ip(), self.client, self.style, turns, self.system)


class FocusedUser(_Person):
    """Multi-turn conversations around one project or subject, with real follow-ups."""

    cls = "focused-user"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        events: list[Event] = []
        per_day = lognormal(rng, 3.5, 0.8, 0.5, 14.0)
        for start in human_sessions(rng, w.start, w.end, self.tz, per_day, at_least=1):
            t = start
            for _ in range(1 if rng.random() < 0.8 else 2):
                turns = self.topics.conversation(rng, bank_share=0.25)
                prefixes = user_prefixes(turns)
                pauses = comes_back(f"{self.key}:{start}", len(prefixes))
                resumed = t  # t goes on as if there were no pause: the next chat keeps its time
                for i, prefix in enumerate(prefixes):
                    if resumed >= w.end:
                        break
                    events.append((resumed, partial(self.send, prefix)))
                    reply = turns[2 * i + 1][1] if 2 * i + 1 < len(turns) else ""
                    step = think_time(rng, len(reply))
                    t += step
                    resumed += step + pauses[i]
                    if rng.random() < 0.06:
                        break  # walked away mid-conversation
                t += rng.uniform(30, 900)
        return events


class NewChatUser(_Person):
    """Opens a new chat for every question: single-turn, but clustered on a few subjects."""

    cls = "new-chat-user"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        events: list[Event] = []
        per_day = lognormal(rng, 3.0, 0.8, 0.5, 12.0)
        for start in human_sessions(rng, w.start, w.end, self.tz, per_day, at_least=1):
            t = start
            for _ in range(rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6, 8))):
                if t >= w.end:
                    break
                question = self.topics.question(rng, bank_share=0.3)
                events.append((t, partial(self.send, [("user", question)])))
                t += think_time(rng, 1500)
        return events


class _Service(Actor):
    """A product's backend: one key, one client, a few server addresses."""

    label = "benign"

    def _server(self, api: str) -> tuple[str, Client, list[str]]:
        rng = self.rng
        key = self.new_key(api)
        client = server_client(rng, api)
        subnet = datacenter_subnet(rng)
        ips = [subnet_ip(rng, subnet) for _ in range(rng.randint(1, 4))]
        return key, client, ips


def _end_user(rng: random.Random, seen: list[str]) -> str:
    if seen and rng.random() < 0.3:
        return rng.choice(seen)
    user = "user_" + hashlib.sha256(str(rng.random()).encode()).hexdigest()[:16]
    seen.append(user)
    return user


def _user_field(api: str, user: str) -> dict[str, Any]:
    if api == "messages":
        return {"metadata": {"user_id": user}}
    return {"user": user}


class AppKey(_Service):
    """A product serving many end users through one key: diverse, conversational, with
    history and follow-ups, one system prompt, daily rhythm of its market."""

    cls = "app-key"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.7, 0.25, 0.05))
        key, client, ips = self._server(api)
        style = random_style(rng, api, stream=0.8, max_tokens=(None, 1024, 1500, 2048))
        date = datetime.fromtimestamp(w.start, timezone.utc).strftime("%B %d, %Y")
        system = rng.choice(APP_PERSONAS).replace("{date}", date)
        send_user = rng.random() < 0.5
        tz = choose_tz(rng)
        per_day = lognormal(rng, 260, 0.6, 60, 1200)
        users: list[str] = []
        topics = Topics(w, rng)
        events: list[Event] = []
        for start in diurnal_poisson(rng, w.start, w.end, per_day / 3.0, tz):
            if w.pool is not None and len(w.pool) and rng.random() < 0.85:
                found = w.pool.take()
                turns = list(found.turns) if found else topics.conversation(rng)
            else:
                topics.domain = DOMAINS[rng.randrange(len(DOMAINS))]
                topics.entities = [rng.choice(topics.domain.entities)]
                turns = topics.conversation(rng, bank_share=1.0)
            extra = _user_field(api, _end_user(rng, users)) if send_user else None
            prefixes = user_prefixes(turns)
            pauses = comes_back(f"{key}:{start}", len(prefixes))
            t = start
            for i, prefix in enumerate(prefixes):
                if t >= w.end:
                    break
                events.append(
                    (
                        t,
                        partial(self.call_from, key, ips, client, style, prefix, system, extra),
                    )
                )
                reply = turns[2 * i + 1][1] if 2 * i + 1 < len(turns) else ""
                t += think_time(rng, len(reply)) + pauses[i]
        return events


class QAProduct(_Service):
    """A single-turn question-answering or RAG service: every question is a fresh request,
    answers are long and there is no max_tokens."""

    cls = "qa-product"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.65, 0.3, 0.05))
        key, client, ips = self._server(api)
        style = random_style(rng, api, stream=0.6, max_tokens=(None,), temperature=(None, 0.2, 0.3))
        if api == "messages":
            style = style.with_(max_tokens=rng.choice((4096, 8192)))
        rag = rng.random() < 0.6
        kb = rng.choice(KNOWLEDGE_BASES)
        system = (
            rng.choice(QA_SYSTEMS).replace("{product}", kb.product)
            if rag
            else rng.choice(GENERAL_QA_SYSTEMS)
        )
        tz = choose_tz(rng)
        per_day = lognormal(rng, 170, 0.6, 40, 700)
        events: list[Event] = []
        for t in diurnal_poisson(rng, w.start, w.end, per_day, tz):
            if rag:
                question, action = kb_question(rng, kb)
                text = rag_prompt(rng, kb, question, action)
            else:
                found = None
                if w.pool is not None and rng.random() < 0.5:
                    found = w.pool.take(opener=True)
                text = found.turns[0][1] if found else bank.random_question(rng, level=1.0)
            events.append(
                (
                    t,
                    partial(self.call_from, key, ips, client, style, [("user", text)], system),
                )
            )
        return events


class BatchJob(_Service):
    """One task template over many documents, in bursts: high volume, templated, narrow."""

    cls = "batch-job"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        task = rng.choice(BATCH_TASKS)
        api = rng.choices(("chat", "responses", "messages"), weights=(0.75, 0.1, 0.15))[0]
        key, client, ips = self._server(api)
        style = Style(
            api,
            rng.choice(("gpt-4o-mini", "gpt-4.1-mini", "gpt-4.1-nano"))
            if api != "messages"
            else "claude-3-5-haiku-20241022",
            max_tokens=task.max_tokens,
            temperature=0.0,
        )
        extra = (
            {"response_format": {"type": "json_object"}} if task.json and api == "chat" else None
        )
        doc = task.document
        events: list[Event] = []
        runs = 1 + poisson(rng, w.days * 0.4)
        for _ in range(runs):
            count = int(lognormal(rng, 450, 0.7, 60, 2500))
            night = rng.random() < 0.5
            t0 = w.start + rng.uniform(0, max(0.0, w.end - w.start - HOUR))
            if night:
                t0 = (t0 // DAY) * DAY + rng.uniform(0, 5 * HOUR)
            rate = rng.uniform(0.4, 4.0)
            for t in burst(rng, max(t0, w.start), count, rate):
                if t >= w.end:
                    break
                events.append(
                    (
                        t,
                        lambda: self.call(
                            key,
                            rng.choice(ips),
                            client,
                            style,
                            [("user", task.instruction.format(doc=doc(rng)))],
                            None,
                            extra,
                        ),
                    )
                )
        return events


class EvalRun(_Service):
    """A public benchmark in one burst: diverse, single-turn, multiple choice or word problems,
    sometimes scored through log-probabilities."""

    cls = "eval-run"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        kind = rng.choices(("mmlu", "mmlu-logprobs", "gsm8k"), weights=(0.5, 0.2, 0.3))[0]
        api = "completions" if kind == "mmlu-logprobs" else choose_api(rng, (0.7, 0.3, 0.0))
        key = self.new_key(api)
        client = (
            rng.choice((openai_client(rng, server=True), server_client(rng, api)))
            if api != "messages"
            else server_client(rng, api)
        )
        ip = datacenter_ip(rng)
        shots = rng.choice((0, 5)) if kind != "gsm8k" else rng.choice((0, 0, 8))
        domains = [d for d in DOMAINS if d.name in bank.MMLU_SUBJECTS]
        events: list[Event] = []
        for _ in range(1 if rng.random() < 0.7 else 2):
            model_api = "chat" if api == "completions" else api
            style = random_style(rng, model_api, stream=0.0, temperature=(0.0,))
            if api == "completions":
                style = Style(
                    "completions",
                    rng.choice(("davinci-002", "gpt-3.5-turbo-instruct")),
                    max_tokens=1,
                    temperature=0.0,
                )
            elif kind == "gsm8k":
                style = style.with_(max_tokens=rng.choice((512, 1024)))
            else:
                style = style.with_(max_tokens=rng.choice((1, 5, 16)))
            count = int(lognormal(rng, 400, 0.5, 100, 1500))
            t0 = w.start + rng.uniform(0, max(0.0, w.end - w.start - 2 * HOUR))
            order = list(domains)
            rng.shuffle(order)
            per_subject = max(1, count // len(order))
            for i, t in enumerate(burst(rng, t0, count, rng.uniform(1.5, 8.0))):
                if t >= w.end:
                    break
                domain = order[min(i // per_subject, len(order) - 1)]
                events.append((t, partial(self._item, key, ip, client, style, kind, shots, domain)))
        return events

    def _item(
        self, key: str, ip: str, client: Client, style: Style, kind: str, shots: int, domain: Domain
    ) -> Call:
        rng = self.rng
        if kind == "gsm8k":
            examples = "".join(
                f"Question: {bank.word_problem(rng)}\nAnswer: Let's think step by step. ...\n\n"
                for _ in range(shots)
            )
            text = (
                f"{examples}Question: {bank.word_problem(rng)}\nAnswer: Let's think step by step."
            )
            return self.call(key, ip, client, style, [("user", text)])
        subject = bank.MMLU_SUBJECTS[domain.name]
        parts = [f"The following are multiple choice questions (with answers) about {subject}.\n"]
        for _ in range(shots):
            q, options, answer = bank.mc_item(rng, domain)
            parts.append(_mc(q, options) + f" {'ABCD'[answer]}\n")
        q, options, _ = bank.mc_item(rng, domain)
        parts.append(_mc(q, options))
        extra = {"logprobs": 5} if kind == "mmlu-logprobs" else None
        return self.call(key, ip, client, style, [("user", "\n".join(parts))], None, extra)


def _mc(question: str, options: list[str]) -> str:
    lines = [
        question,
        *(f"{letter}. {option}" for letter, option in zip("ABCD", options, strict=True)),
    ]
    return "\n".join(lines) + "\nAnswer:"


class AgentFramework(_Service):
    """Tool definitions, tool calls and results, several steps per run."""

    cls = "agent-framework"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        api = choose_api(rng, (0.55, 0.3, 0.15))
        key, client, ips = self._server(api)
        style = random_style(rng, api, stream=0.3, max_tokens=(None, 2048, 4096))
        toolsets = rng.sample(TOOLSETS, rng.choice((1, 1, 2)))
        tz = choose_tz(rng)
        office = any(t.name == "coding" for t in toolsets)
        per_day = lognormal(rng, 35, 0.7, 5, 160)
        starts = (
            human_sessions(rng, w.start, w.end, tz, per_day, OFFICE_HOURS)
            if office
            else diurnal_poisson(rng, w.start, w.end, per_day, tz)
        )
        events: list[Event] = []
        for start in starts:
            toolset = rng.choice(toolsets)
            t = start
            for steps in run_steps(rng, toolset):
                if t >= w.end:
                    break
                events.append((t, partial(self._step, key, ips, client, style, toolset, steps)))
                t += rng.uniform(1.5, 20.0)
        return events

    def _step(
        self,
        key: str,
        ips: list[str],
        client: Client,
        style: Style,
        toolset: Toolset,
        steps: list[Step],
    ) -> Call:
        body = render_agent(style, toolset, steps)
        return Call(key, self.rng.choice(ips), client.header_dict(), style.path, body)


class SyntheticDataTeam(_Service):
    """Templated generation in one small domain: high volume, long outputs."""

    cls = "synthetic-data-team"

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        template = rng.choice(SYNTH_TEMPLATES)
        api = rng.choices(("chat", "responses", "messages"), weights=(0.6, 0.2, 0.2))[0]
        key, client, ips = self._server(api)
        style = random_style(
            rng, api, max_tokens=(4000, 8000, None), temperature=(0.9, 1.0), stream=0.0
        )
        system = "You generate realistic, diverse training data. Follow the format exactly."
        per_day = lognormal(rng, 700, 0.5, 200, 2500)
        if rng.random() < 0.5:
            times = automated(rng, w.start, w.end, per_day, jitter=0.5)
        else:
            times = []
            for _ in range(1 + poisson(rng, w.days)):
                t0 = w.start + rng.uniform(0, w.end - w.start)
                times += burst(rng, t0, int(per_day * rng.uniform(0.3, 1.0)), rng.uniform(0.2, 2.0))
        return [
            (
                t,
                lambda: self.call(
                    key, rng.choice(ips), client, style, [("user", template.fill(rng))], system
                ),
            )
            for t in times
            if t < w.end
        ]


class Organisation(Actor):
    """Twenty developers behind one /24, one client build and one system prompt, all asking
    about one codebase, each on a human schedule: shared fingerprints, yet not a campaign."""

    cls = "organisation"
    label = "benign"

    def __init__(self, world: World, index: int, size: int = 20) -> None:
        super().__init__(world, index)
        self.size = size

    def plan(self) -> list[Event]:
        rng, w = self.rng, self.world
        codebase = CODEBASES[(self.index - 1) % len(CODEBASES)]
        api = rng.choice(("chat", "chat", "messages"))
        client = (
            openai_client(rng, server=False, node=False)
            if api != "messages"
            else (server_client(rng, api))
        )
        if rng.random() < 0.3:
            client = browser_client(rng, api)
        subnet = datacenter_subnet(rng)
        nat = [subnet_ip(rng, subnet) for _ in range(rng.randint(2, 4))]
        style = random_style(rng, api, stream=0.9)
        tz = choose_tz(rng)
        events: list[Event] = []
        for _ in range(self.size):
            key = self.new_key(api)
            per_day = lognormal(rng, 3.5, 0.6, 0.7, 10)
            sessions = human_sessions(
                rng, w.start, w.end, tz, per_day, OFFICE_HOURS, weekend=0.05, at_least=1
            )
            for start in sessions:
                turns = _dev_conversation(rng, codebase)
                t = start
                for prefix in user_prefixes(turns):
                    if t >= w.end:
                        break
                    events.append(
                        (
                            t,
                            partial(
                                self.call_from, key, nat, client, style, prefix, codebase.system
                            ),
                        )
                    )
                    t += think_time(rng, 1200)
        return events


_BENEFITS = (
    "avoids the extra query",
    "handles the None case",
    "makes retries safe",
    "removes the shared state",
)


def _dev_conversation(rng: random.Random, codebase: Codebase) -> list[tuple[str, str]]:
    turns = [("user", humanize(rng, codebase_question(rng, codebase), 0.8))]
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        sym = rng.choice(codebase.symbols)
        turns.append(
            (
                "assistant",
                f"Here's a suggested change to `{sym}`:\n\n```\n# ...\n```\n\nThis keeps the "
                f"behaviour the same but {rng.choice(_BENEFITS)}.",
            )
        )
        turns.append(
            (
                "user",
                rng.choice(
                    (
                        f"That didn't work, now I get {rng.choice(codebase.errors)}",
                        "Can you also add a test for that?",
                        f"Why did you change {sym}? I'd rather not touch it.",
                        "ok and how do I roll this out safely?",
                        "Makes sense. Can you write the commit message?",
                        "What about the case where the list is empty?",
                    )
                ),
            )
        )
    return turns
