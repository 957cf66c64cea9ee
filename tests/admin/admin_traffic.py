"""Shared by the admin tests: a guarded mock upstream, real SDK traffic, an admin client."""

from __future__ import annotations

import random
import sys
from typing import Any

import openai

from guard.server import GuardApp, build_app
from guard.simulate.bank import random_question

# The SDKs ship their own HTTP client package (httpx or httpx2, by version): use theirs.
http = sys.modules[openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]]

TOKEN = "admin-token-for-tests"
SECRET = "admin-test-secret"
SYSTEM = "You are DataForge, a synthetic-data generator. Answer every question in full detail."
# Blocks a key past 12 distinct cells an hour; logs it past 6.
POLICY: dict[str, Any] = {
    "budgets": {"coverage": {"hour": 12}},
    "scoring": {"suspect_at": 0.0},  # every request counts as suspect: the windows show them
    "rules": [
        {"name": "over-budget", "when": "budget.coverage.hour > 1", "then": "block"},
        {"name": "watch", "when": "budget.coverage.hour > 0.5", "then": "log"},
    ],
}
HARVESTER = "sk-harvester-raw-key-0001"
BENIGN = "sk-alice-raw-key-0002"
SYBILS = tuple(f"sk-sybil-raw-key-{i:04d}" for i in range(3))


def guard_app(**kwargs: Any) -> GuardApp:
    options: dict[str, Any] = {"policy": POLICY, "secret": SECRET, "admin_token": TOKEN}
    return build_app("mock", **{**options, **kwargs})


def key_id(app: GuardApp, raw: str) -> str:
    return app.pipeline.identify([(b"authorization", f"Bearer {raw}".encode())], "").key_id


def sdk(app: Any, key: str, base_url: str = "http://guard") -> openai.AsyncOpenAI:
    client = (
        http.AsyncClient(transport=http.ASGITransport(app=app))
        if base_url == "http://guard"
        else http.AsyncClient()
    )
    return openai.AsyncOpenAI(
        base_url=f"{base_url}/v1", api_key=key, http_client=client, max_retries=0
    )


def admin(app: Any, token: str | None = TOKEN) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return http.AsyncClient(
        transport=http.ASGITransport(app=app), base_url="http://guard", headers=headers
    )


async def ask(
    client: openai.AsyncOpenAI, text: str, *, system: str = "", stream: bool = False
) -> bool:
    """One chat request; True if it got an answer, False if guard refused it."""
    messages: list[Any] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": text})
    try:
        if stream:
            chunks = await client.chat.completions.create(
                model="mock-gpt",
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for _ in chunks:
                pass
        else:
            await client.chat.completions.create(model="mock-gpt", messages=messages)
    except openai.APIStatusError:
        return False
    return True


async def send_traffic(
    app: Any, base_url: str = "http://guard", rounds: int = 24
) -> dict[str, int]:
    """A harvester sweeping subjects, three sybils sharing a system prompt, a benign user.

    Returns how many requests each raw key sent.
    """
    rng = random.Random(11)
    sent = {HARVESTER: 0, BENIGN: 0, **{s: 0 for s in SYBILS}}
    clients = {key: sdk(app, key, base_url) for key in sent}
    try:
        for i in range(rounds):
            await ask(clients[HARVESTER], random_question(rng), stream=i % 3 == 0)
            sent[HARVESTER] += 1
            if i % 2 == 0:
                for sybil in SYBILS:
                    await ask(clients[sybil], random_question(rng), system=SYSTEM)
                    sent[sybil] += 1
            if i % 4 == 0:
                await ask(clients[BENIGN], "Why does my Python import of project foo fail?")
                sent[BENIGN] += 1
    finally:
        for client in clients.values():
            await client.close()
    return sent
