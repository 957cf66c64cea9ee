"""Each policy action as a real client sees it, plus the audit log and hot reload."""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import openai
import pytest

from guard import GuardMiddleware
from guard.mock import MockUpstream

http = sys.modules[openai.DefaultAsyncHttpxClient.__mro__[1].__module__.split(".")[0]]
MESSAGES = [{"role": "user", "content": "How far is the Moon?"}]


def client_for(app: Any, key: str = "sk-actions") -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url="http://testserver/v1",
        api_key=key,
        http_client=http.AsyncClient(
            transport=http.ASGITransport(app=app), base_url="http://testserver"
        ),
        max_retries=0,
    )


def rule(then: Any, **policy: Any) -> dict[str, Any]:
    return {"rules": [{"name": "under-test", "then": then}], **policy}


class Recorder:
    """Wraps the mock upstream and keeps the request bodies it received."""

    def __init__(self) -> None:
        self.upstream = MockUpstream()
        self.bodies: list[dict[str, Any]] = []
        self.lengths: list[int] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        chunks: list[bytes] = []

        async def recording_receive() -> Any:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                body = b"".join(chunks)
                self.bodies.append(json.loads(body))
                declared = dict(scope["headers"]).get(b"content-length")
                self.lengths.append(int(declared) if declared else -1)
                assert declared is None or int(declared) == len(body)
            return message

        await self.upstream(scope, recording_receive, send)


async def test_tarpit_delays_the_answer() -> None:
    mw = GuardMiddleware(
        MockUpstream(), policy=rule({"action": "tarpit", "delay": "300ms", "jitter": 0}), secret="s"
    )
    async with client_for(mw) as client:
        start = time.perf_counter()
        completion = await client.chat.completions.create(model="m", messages=MESSAGES)
        elapsed = time.perf_counter() - start
    assert completion.choices[0].message.content
    assert elapsed >= 0.25  # loosely: the machine is shared


async def test_tarpit_slows_streams_chunk_by_chunk() -> None:
    then = {"action": "tarpit", "delay": "10ms", "jitter": 0, "stream_delay": "40ms"}
    mw = GuardMiddleware(MockUpstream(), policy=rule(then), secret="s")
    async with client_for(mw) as client:
        start = time.perf_counter()
        stream = await client.chat.completions.create(
            model="m", messages=MESSAGES, stream=True, max_tokens=20
        )
        chunks = [chunk async for chunk in stream]
        elapsed = time.perf_counter() - start
    assert len(chunks) >= 3
    assert elapsed >= 0.03 * (len(chunks) - 1)


async def test_cap_reduces_the_request_the_app_receives() -> None:
    recorder = Recorder()
    then = {"action": "cap", "max_tokens": 7, "strip": ["logprobs", "logit_bias", "n"]}
    mw = GuardMiddleware(recorder, policy=rule(then), secret="s")
    async with client_for(mw) as client:
        completion = await client.chat.completions.create(
            model="m",
            messages=MESSAGES,
            max_tokens=500,
            logprobs=True,
            top_logprobs=5,
            logit_bias={"50256": -100},
            n=3,
        )
    sent = recorder.bodies[0]
    assert sent["max_tokens"] == 7
    assert sent["n"] == 1 and "logit_bias" not in sent and "top_logprobs" not in sent
    assert sent["logprobs"] is False
    assert len(completion.choices) == 1
    assert completion.usage is not None and completion.usage.completion_tokens <= 7


async def test_cap_leaves_smaller_requests_alone() -> None:
    recorder = Recorder()
    mw = GuardMiddleware(
        recorder, policy=rule({"action": "cap", "max_tokens": 100, "strip": []}), secret="s"
    )
    async with client_for(mw) as client:
        await client.chat.completions.create(model="m", messages=MESSAGES, max_tokens=10)
    assert recorder.bodies[0]["max_tokens"] == 10


def fixed_score(score: float) -> dict[str, Any]:
    """A scoring section that gives every request the same suspicion."""
    return {"bias": math.log(score / (1 - score)), "weights": {}}


@pytest.mark.parametrize(("score", "low", "high"), [(0.2, 4, 8), (0.999, 50, 61)])
async def test_adaptive_throttle_rate_falls_as_suspicion_rises(
    score: float, low: int, high: int
) -> None:
    then = {"action": "throttle", "rate": "10/min", "min_rate": "1/min", "burst": 1}
    mw = GuardMiddleware(MockUpstream(), policy=rule(then, scoring=fixed_score(score)), secret="s")
    async with client_for(mw) as client:
        await client.chat.completions.create(model="m", messages=MESSAGES)  # within the rate
        with pytest.raises(openai.RateLimitError) as info:
            await client.chat.completions.create(model="m", messages=MESSAGES)
    # 10/min at low suspicion: wait about 6 s; close to 1/min at suspicion 1: about 60 s.
    assert low <= int(info.value.response.headers["retry-after"]) <= high


async def test_audit_log_records_decisions_without_raw_keys(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    policy = rule("throttle", audit={"path": str(audit)})
    mw = GuardMiddleware(MockUpstream(), policy=policy, secret="s")
    async with client_for(mw, key="sk-live-VERYSECRET") as client:
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(model="m", messages=MESSAGES)
    text = audit.read_text()
    assert "VERYSECRET" not in text
    record = json.loads(text.splitlines()[0])
    assert record["action"] == "throttle" and record["rule"] == "under-test"
    assert (
        record["key_id"]
        == mw.pipeline.identify([(b"authorization", b"Bearer sk-live-VERYSECRET")], "").key_id
    )
    assert record["tier"] == "default" and "score" in record and "reasons" in record


async def test_hot_reload_keeps_the_last_good_policy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("rules: []\n")
    mw = GuardMiddleware(MockUpstream(), policy=str(path), secret="s")
    assert mw.watcher is not None
    async with client_for(mw) as client:
        await client.chat.completions.create(model="m", messages=MESSAGES)
        path.write_text("rules:\n  - {name: everything, then: throttle}\n")
        assert mw.watcher.check()
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(model="m", messages=MESSAGES)
        path.write_text("rules:\n  - {name: broken, then: thrttle}\n  - nonsense\n")
        with caplog.at_level(logging.ERROR, logger="guard.reload"):
            assert not mw.watcher.check()
        assert "rejected" in caplog.text and "did you mean 'throttle'" in caplog.text
        with pytest.raises(openai.RateLimitError):  # still the last good policy
            await client.chat.completions.create(model="m", messages=MESSAGES)
        path.write_text("rules: []\n")
        assert mw.watcher.check()
        await client.chat.completions.create(model="m", messages=MESSAGES)
    await mw.watcher.stop()
