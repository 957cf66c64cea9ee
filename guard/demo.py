"""``guard demo``: guard on the mock upstream, a short mix of real-looking traffic, the verdicts.

Everything runs on loopback: a real uvicorn server with GuardMiddleware in front of the
built-in mock upstream, and clients speaking the OpenAI and Anthropic wire formats through
aiohttp. The point is to let a new user see, in a minute, what guard does to whom and why.
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import uvicorn

from guard.middleware import GuardMiddleware
from guard.mock import MockUpstream
from guard.policy.loader import PolicySource
from guard.simulate.bank import ask, random_subject
from guard.simulate.phrasing import harvest_suffix

__all__ = ["run_demo"]

SWEEP_SIZE = 300  # a sweep draws this many questions from guard simulate's bank of subjects
SPEED = 120.0  # the demo's clock runs this much faster than the wall clock
FLASK_CHAT = [
    "I'm building a small Flask app for tracking book loans. "
    "How should I structure the project folders?",
    "Thanks. Where should the SQLAlchemy models go in that layout?",
    "How do I define a Loan model with a foreign key to Book?",
    "Now the Flask route that lists overdue loans - how would I query that?",
    "The query returns loans that were already returned. How do I filter those out?",
    "Can you show the Jinja template for that overdue list?",
    "How do I add pagination to that list view?",
    "I'm getting 'DetachedInstanceError' in the template. What causes that?",
    "That fixed it. How should I write a pytest test for the overdue route?",
    "How do I set up a test database fixture for those Flask tests?",
    "What's the cleanest way to send a reminder email for overdue loans?",
    "Should the reminder job run in a Celery task or a cron job for an app this small?",
    "Let's go with cron. How do I run a Flask CLI command from cron?",
    "How do I make the Flask CLI command idempotent so reminders aren't sent twice?",
    "Last thing: how do I deploy this app with gunicorn behind nginx?",
]
SOURDOUGH_CHAT = [
    "My sourdough starter smells like nail polish remover. Is it ruined?",
    "How often should I feed it if I keep it on the counter?",
    "What hydration should I aim for with a first loaf?",
    "The dough is really slack after bulk fermentation. What did I do wrong?",
    "How can I tell when bulk fermentation is done?",
    "Should I do the final proof in the fridge overnight?",
    "My crust comes out pale. How do I get it darker?",
    "Is a Dutch oven really necessary, or can I use a baking stone?",
    "The crumb is dense and gummy. What are the usual causes?",
    "Can I swap 20% of the bread flour for whole wheat in this recipe?",
    "How does adding whole wheat change the hydration I should use?",
    "Thanks! Any tips for scoring the loaf so it opens nicely?",
]


@dataclass
class _Client:
    name: str
    kind: str
    api_key: str
    statuses: Counter[int] = field(default_factory=Counter)
    first_refused: int | None = None
    sent: int = 0


async def _openai_chat(
    session: aiohttp.ClientSession, base: str, client: _Client, messages: list[dict[str, str]]
) -> str:
    payload = {"model": "mock-gpt", "messages": messages, "max_tokens": 200}
    headers = {"Authorization": f"Bearer {client.api_key}", "User-Agent": "demo-client/1.0"}
    async with session.post(f"{base}/v1/chat/completions", json=payload, headers=headers) as resp:
        body: dict[str, Any] = await resp.json(content_type=None)
        _count(client, resp.status)
        if resp.status == 200:
            return str(body["choices"][0]["message"]["content"])
        return ""


async def _anthropic_messages(
    session: aiohttp.ClientSession, base: str, client: _Client, messages: list[dict[str, str]]
) -> str:
    payload = {"model": "mock-claude", "max_tokens": 300, "messages": messages}
    headers = {"x-api-key": client.api_key, "anthropic-version": "2023-06-01"}
    async with session.post(f"{base}/v1/messages", json=payload, headers=headers) as resp:
        body: dict[str, Any] = await resp.json(content_type=None)
        _count(client, resp.status)
        if resp.status == 200:
            return str(body["content"][0]["text"])
        return ""


def _count(client: _Client, status: int) -> None:
    client.sent += 1
    client.statuses[status] += 1
    if status != 200 and client.first_refused is None:
        client.first_refused = client.sent


async def _focused_openai(session: aiohttp.ClientSession, base: str, client: _Client) -> None:
    history: list[dict[str, str]] = [
        {"role": "system", "content": "You are a helpful coding assistant."}
    ]
    for question in FLASK_CHAT:
        history.append({"role": "user", "content": question})
        answer = await _openai_chat(session, base, client, history)
        history.append({"role": "assistant", "content": answer or "(no answer)"})


async def _focused_anthropic(session: aiohttp.ClientSession, base: str, client: _Client) -> None:
    history: list[dict[str, str]] = []
    for question in SOURDOUGH_CHAT:
        history.append({"role": "user", "content": question})
        answer = await _anthropic_messages(session, base, client, history)
        history.append({"role": "assistant", "content": answer or "(no answer)"})


async def _sweeper(
    session: aiohttp.ClientSession, base: str, client: _Client, rng: random.Random
) -> None:
    for _ in range(SWEEP_SIZE):
        prompt = f"{ask(rng, random_subject(rng))} {harvest_suffix(rng)}"
        await _openai_chat(session, base, client, [{"role": "user", "content": prompt}])


async def _burst(session: aiohttp.ClientSession, base: str, client: _Client) -> None:
    prompts = [
        f"Summarise ticket #{i} in one sentence: the printer on floor 3 is jammed."
        for i in range(160)
    ]
    await asyncio.gather(
        *(_openai_chat(session, base, client, [{"role": "user", "content": p}]) for p in prompts)
    )


class _TimeLapse:
    """A clock whose speed can change: real time for a burst, faster for a long stretch."""

    def __init__(self, speed: float = 1.0) -> None:
        self.start = self.anchor = time.time()
        self.origin = time.monotonic()
        self.speed = speed

    def __call__(self) -> float:
        return self.anchor + (time.monotonic() - self.origin) * self.speed

    def set_speed(self, speed: float) -> None:
        self.anchor, self.origin, self.speed = self(), time.monotonic(), speed


def _free_socket() -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only disables Nagle on sockets it knows to be TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class _Actions:
    """A pipeline listener counting what guard did to each key (invisible actions included:
    a perturbed or watermarked answer is a 200 like any other)."""

    def __init__(self) -> None:
        self.by_key: dict[str, Counter[str]] = {}
        self.first: dict[str, int] = {}

    def on_decision(self, inspection: Any) -> None:
        key = inspection.identity.key_id
        counts = self.by_key.setdefault(key, Counter())
        action = inspection.decision.enforced.value
        counts[action] += 1
        if action not in ("allow", "log") and key not in self.first:
            self.first[key] = sum(counts.values())

    def on_response(self, inspection: Any, usage: Any, seconds: float) -> None:
        pass

    def on_store(self, operation: str, seconds: float, failed: bool) -> None:
        pass


async def run_demo(*, policy: PolicySource = None, store: str = "memory://", seed: int = 7) -> int:
    """Serve guard on loopback, replay the demo traffic through it, print what happened."""
    rng = random.Random(seed)
    clock = _TimeLapse()
    app = GuardMiddleware(
        MockUpstream(seed=seed), policy=policy, store=store, secret="demo-secret", clock=clock
    )
    actions = _Actions()
    app.pipeline.listeners.append(actions)
    sock = _free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    print(
        f"guard is serving the mock upstream on {base} with policy {app.pipeline.policy.source}\n"
    )
    clients = [
        _Client("alice", "benign: multi-turn coding project (OpenAI)", "sk-demo-alice"),
        _Client("bob", "benign: multi-turn baking help (Anthropic)", "sk-demo-bob"),
        _Client("sweeper", "harvester: broad step-by-step sweep", "sk-demo-sweeper"),
        _Client("flood", "abuse: a script firing all at once", "sk-demo-flood"),
    ]
    try:
        async with aiohttp.ClientSession() as session:
            await _burst(session, base, clients[3])
            clock.set_speed(SPEED)
            await asyncio.gather(
                _focused_openai(session, base, clients[0]),
                _focused_anthropic(session, base, clients[1]),
                _sweeper(session, base, clients[2], rng),
            )
        minutes = (clock() - clock.start) / 60
        print(f"{sum(c.sent for c in clients)} requests over {minutes:.1f} simulated minutes\n")
        await _report(app, clients, actions)
    finally:
        server.should_exit = True
        await serving
        await app.pipeline.aclose()
    return 0


async def _report(app: GuardMiddleware, clients: list[_Client], actions: _Actions) -> None:
    pipeline = app.pipeline
    spec = pipeline.policy.sketch_spec()
    now = pipeline.clock()
    print("genuine: the model's real answer, untouched. marked: watermarked (invisible).")
    print("poisoned: perturbed or decoy answers, 200s that look real but teach wrong things.\n")
    header = (
        f"{'key':<9} {'what it is':<44} {'sent':>4} {'genuine':>7} {'marked':>6} "
        f"{'poisoned':>8} {'429':>4} {'403':>4} {'subjects/day':>12} {'score':>5}  "
        "first acted  why"
    )
    print(header)
    print("-" * len(header))
    for client in clients:
        key_id = pipeline.identify(
            [(b"authorization", f"Bearer {client.api_key}".encode())], ""
        ).key_id
        state = await pipeline.store.state(key_id, now, spec)
        meta = await pipeline.store.meta(key_id) or {}
        day = state.window("day") if state else None
        reasons = ", ".join(meta.get("reasons", [])) or "-"
        rule = meta.get("rule") or ""
        why = f"{rule}: {reasons}" if rule else reasons
        done = actions.by_key.get(key_id, Counter())
        first = f"#{actions.first[key_id]}" if key_id in actions.first else "never"
        genuine = done["allow"] + done["log"] + done["tarpit"] + done["cap"]
        print(
            f"{client.name:<9} {client.kind:<44} {client.sent:>4} {genuine:>7} "
            f"{done['watermark']:>6} {done['perturb'] + done['decoy']:>8} "
            f"{client.statuses[429]:>4} {client.statuses[403]:>4} "
            f"{day.distinct_cells if day else 0:>12} {meta.get('score', 0.0):>5.2f}  "
            f"{first:<11}  {why}"
        )
    print(
        "\nKeys are stored only as keyed hashes (e.g. "
        f"{pipeline.identify([(b'authorization', b'Bearer sk-demo-alice')], '').key_id}); "
        "the policy in use is",
        pipeline.policy.source,
    )
