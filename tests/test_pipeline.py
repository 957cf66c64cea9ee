"""The pipeline's own bookkeeping across requests: what one request leaves for the next."""

from __future__ import annotations

from typing import Any

from guard.campaigns import JOIN_AT
from guard.models import Action, Usage
from guard.pipeline import Pipeline

T0 = 1_700_000_000.0


def _policy(bias: float, suspect_at: float = 0.9) -> dict[str, Any]:
    return {
        "scoring": {"bias": bias, "weights": {}, "suspect_at": suspect_at},
        "rules": [{"name": "persistent", "when": "suspect.day >= 2", "then": "block"}],
    }


async def _decisions(pipeline: Pipeline, count: int) -> list[tuple[bool, Action, int]]:
    """(suspect, action, suspect.day the rules saw) of ``count`` requests of one key, each
    accounted for before the next, as the middleware does."""
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", b"Bearer sk-one")], "192.0.2.1")
    out = []
    for i in range(count):
        body = {"model": "m", "messages": [{"role": "user", "content": f"Question {i}?"}]}
        inspection = await pipeline.evaluate(adapter, identity, body)
        seen = inspection.state.window("day").suspect
        out.append((inspection.suspect, inspection.decision.action, seen))
        await pipeline.account(inspection, Usage(10, 20))
    return out


async def test_suspect_requests_are_counted_for_the_next_ones() -> None:
    pipeline = Pipeline(_policy(bias=5.0), secret="s", clock=lambda: T0)  # every score ~0.99
    got = await _decisions(pipeline, 4)
    assert got == [
        (True, Action.ALLOW, 0),
        (True, Action.ALLOW, 1),
        (True, Action.BLOCK, 2),
        (True, Action.BLOCK, 3),
    ]


async def test_scores_under_suspect_at_count_nothing() -> None:
    pipeline = Pipeline(_policy(bias=5.0, suspect_at=1.0), secret="s", clock=lambda: T0)
    assert await _decisions(pipeline, 3) == [(False, Action.ALLOW, 0)] * 3
    low = Pipeline(_policy(bias=-5.0), secret="s", clock=lambda: T0)
    assert await _decisions(low, 3) == [(False, Action.ALLOW, 0)] * 3


async def test_a_held_score_is_not_counted_as_suspect() -> None:
    """A key held up by its suspect requests recovers once they leave the window, however
    busy it stays: the held requests add nothing to the count."""
    now = [T0]
    policy = {
        "scoring": {"bias": -5.0, "weights": {}, "suspect_after": 2},  # own scores: 0.007
        "rules": [],
    }
    pipeline = Pipeline(policy, secret="s", clock=lambda: now[0])
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", b"Bearer sk-one")], "192.0.2.1")
    spec = pipeline.spec
    for _ in range(2):  # two suspect requests, as an earlier, higher-scoring stretch left them
        await pipeline.store.record(identity.key_id, now[0], spec, suspect=True)
    body = {"model": "m", "messages": [{"role": "user", "content": "What is a monad?"}]}
    for _ in range(5):
        inspection = await pipeline.evaluate(adapter, identity, body)
        assert (inspection.score.value, inspection.score.held) == (0.92, True)
        assert not inspection.suspect
        await pipeline.account(inspection, Usage(10, 20))
        now[0] += 60
    state = await pipeline.store.state(identity.key_id, now[0], spec)
    assert state is not None and state.window("day").suspect == 2
    # A day later (and a window's last bucket) the two are gone, and so is the hold.
    now[0] += 86_400 + 4 * 3600 + 1
    inspection = await pipeline.evaluate(adapter, identity, body)
    assert inspection.score.value < 0.01 and not inspection.score.held


async def _history_signal(pipeline: Pipeline, key: bytes, bodies: list[dict[str, Any]]) -> float:
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", b"Bearer " + key)], "192.0.2.1")
    value = 0.0
    for body in bodies:
        inspection = await pipeline.evaluate(adapter, identity, body)
        value = next(s.value for s in inspection.score.signals if s.name == "fabricated_history")
        await pipeline.account(inspection, Usage(10, 20))
    return value


async def test_a_conversation_is_judged_against_what_the_key_really_asked() -> None:
    """A person's client sends each question, then quotes it in the next request's history;
    a history whose questions the key never sent was made up."""
    pipeline = Pipeline({"rules": []}, secret="s", clock=lambda: T0)
    questions = [f"Question number {i} about rivers?" for i in range(12)]

    def chat(i: int, quoted: list[str]) -> dict[str, Any]:
        turns: list[dict[str, str]] = []
        for q in quoted:
            turns += [{"role": "user", "content": q}, {"role": "assistant", "content": "Yes."}]
        return {"model": "m", "messages": [*turns, {"role": "user", "content": questions[i]}]}

    grown = [chat(i, questions[:i]) for i in range(12)]
    assert await _history_signal(pipeline, b"sk-person", grown) == 0.0
    made_up = [chat(i, [f"Earlier question {i} nobody sent?"]) for i in range(12)]
    # Every request, times the evidence n / (n + 3).
    assert await _history_signal(pipeline, b"sk-harvester", made_up) == 12 / (12 + 3)


def _article(topic: int) -> dict[str, Any]:
    text = f'Write a detailed encyclopedia article of about 800 words on "Topic {topic}" please.'
    return {"model": "m", "messages": [{"role": "user", "content": text}]}


async def _first_campaign(pipeline: Pipeline, key: bytes, body: dict[str, Any]) -> str | None:
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", b"Bearer " + key)], "192.0.2.1")
    inspection = await pipeline.evaluate(adapter, identity, body)
    await pipeline.account(inspection, Usage(10, 20))
    return inspection.campaign


async def test_a_new_keys_first_request_joins_an_established_campaign() -> None:
    """A campaign's throw-away keys each fill its template from their first request: a new
    key doing so joins it at once, while a template only a couple of keys share links nobody
    at first sight (guard.campaigns.JOIN_AT)."""
    pipeline = Pipeline({"rules": []}, secret="s", clock=lambda: T0)

    async def link(keys: list[bytes], body: Any) -> str | None:
        campaign = None
        for i, key in enumerate(keys):  # each key links by its habit, at its second request
            await _first_campaign(pipeline, key, body(2 * i))
            campaign = await _first_campaign(pipeline, key, body(2 * i + 1))
        return campaign

    def question(i: int) -> dict[str, Any]:
        text = f'In one short paragraph, explain the history of "Place {i}" for a tourist guide.'
        return {"model": "m", "messages": [{"role": "user", "content": text}]}

    pair = await link([b"sk-pair-1", b"sk-pair-2"], question)
    campaign = await link([f"sk-camp-{k}".encode() for k in range(JOIN_AT)], _article)
    assert pair is not None and campaign is not None and pair != campaign
    assert await _first_campaign(pipeline, b"sk-new", _article(999)) == campaign
    # Two keys sharing a frame are no established campaign: a third stays alone at first.
    assert await _first_campaign(pipeline, b"sk-third", question(999)) is None
    # A first request that fills nothing the campaign does stays alone.
    other = {"model": "m", "messages": [{"role": "user", "content": "How tall is Mont Blanc?"}]}
    assert await _first_campaign(pipeline, b"sk-person", other) is None
