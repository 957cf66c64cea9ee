"""The decoy, perturb and watermark actions through the middleware, seen by the real SDKs."""

from __future__ import annotations

import json
import sys
from typing import Any

import anthropic
import openai
import pytest

from guard import GuardMiddleware
from guard.asgi import replaying
from guard.decoys import trace
from guard.mock import MockUpstream

http = sys.modules[openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]]
SECRET = "respond-secret"
QUESTION = [
    {"role": "user", "content": "A train travels 120 km in 2 hours. What is its speed? Explain."}
]


def clients(app: Any) -> tuple[openai.AsyncOpenAI, anthropic.AsyncAnthropic]:
    def transport() -> Any:
        return http.AsyncClient(transport=http.ASGITransport(app=app), base_url="http://t")

    oai = openai.AsyncOpenAI(
        base_url="http://t/v1", api_key="sk-r", http_client=transport(), max_retries=0
    )
    ant = anthropic.AsyncAnthropic(
        base_url="http://t", api_key="sk-r", http_client=transport(), max_retries=0
    )
    return oai, ant


def guarded(then: Any) -> tuple[GuardMiddleware, GuardMiddleware]:
    """The same mock upstream bare (through an allow-all guard) and under the action."""
    bare = GuardMiddleware(MockUpstream(seed=5), policy={}, secret=SECRET)
    acted = GuardMiddleware(
        MockUpstream(seed=5), policy={"rules": [{"name": "act", "then": then}]}, secret=SECRET
    )
    return bare, acted


@pytest.mark.parametrize(
    "then",
    [
        {"action": "perturb", "strength": 1.0, "final": True},
        {"action": "watermark", "strength": 1.0},
    ],
)
async def test_rewritten_answers_parse_and_stay_consistent(then: dict[str, Any]) -> None:
    bare, acted = guarded(then)
    (b_oai, _), (a_oai, a_ant) = clients(bare), clients(acted)
    genuine = await b_oai.chat.completions.create(model="m", messages=QUESTION, max_tokens=200)
    rewritten = await a_oai.chat.completions.create(model="m", messages=QUESTION, max_tokens=200)
    assert rewritten.choices[0].message.content and rewritten.usage is not None
    assert rewritten.id.startswith("chatcmpl-")
    stream = await a_oai.chat.completions.create(
        model="m",
        messages=QUESTION,
        max_tokens=200,
        stream=True,
        stream_options={"include_usage": True},
    )
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text
    message = await a_ant.messages.create(model="m", max_tokens=200, messages=QUESTION)
    assert message.content[0].type == "text" and message.usage.output_tokens > 0
    assert genuine.choices[0].message.content  # the bare answer exists to compare with
    for client in (b_oai, a_oai, a_ant):
        await client.close()


async def test_watermarked_answers_trace_back_to_their_key() -> None:
    _, acted = guarded({"action": "watermark", "strength": 1.0})
    oai, _ = clients(acted)
    texts = []
    for i in range(40):
        completion = await oai.chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": f"Tell me about topic number {i}."}],
            max_tokens=300,
        )
        texts.append(completion.choices[0].message.content or "")
    await oai.close()
    key_id = acted.pipeline.identify([(b"authorization", b"Bearer sk-r")], "").key_id
    results = {r.key_id: r for r in trace(SECRET, texts, [key_id, "k_" + "0" * 32])}
    assert results[key_id].watermark.p_value < 1e-4
    assert results["k_" + "0" * 32].watermark.p_value > 1e-3


async def test_decoys_answer_without_the_upstream_in_its_format() -> None:
    calls: list[str] = []
    upstream = MockUpstream(seed=5)

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await upstream(scope, receive, send)

    acted = GuardMiddleware(
        counting,
        policy={"rules": [{"name": "d", "then": {"action": "decoy", "strategy": "synthetic"}}]},
        secret=SECRET,
    )
    oai, ant = clients(acted)
    completion = await oai.chat.completions.create(model="m", messages=QUESTION)
    assert completion.choices[0].message.content and completion.usage is not None
    stream = await oai.chat.completions.create(model="m", messages=QUESTION, stream=True)
    assert "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    message = await ant.messages.create(model="m", max_tokens=100, messages=QUESTION)
    assert message.content[0].type == "text"
    assert calls == []  # the model was never asked
    await oai.close()
    await ant.close()


async def test_a_downgrade_whose_model_raises_is_a_synthetic_decoy() -> None:
    upstream = MockUpstream(seed=5)
    asked: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        if scope["type"] == "http":
            message = await receive()
            body = message.get("body", b"")
            asked.append(json.loads(body)["model"])
            if asked[-1] == "small":
                raise RuntimeError("the small model is down")
        await upstream(scope, replaying(body, receive), send)

    then = {"action": "decoy", "strategy": "downgrade", "model": "small", "canary": False}
    rule = {"name": "d", "when": "model == 'harvest'", "then": then}
    acted = GuardMiddleware(app, policy={"rules": [rule]}, secret=SECRET, record_every=1)
    oai, _ = clients(acted)
    await oai.chat.completions.create(model="m", messages=QUESTION)  # genuine: sets the pace
    completion = await oai.chat.completions.create(model="harvest", messages=QUESTION)
    assert completion.choices[0].message.content and completion.model == "harvest"
    assert asked == ["m", "small"]  # asked, failed, and the client got a decoy all the same
    await oai.close()
