"""Added latency and throughput of GuardMiddleware against the same app without it.

Both run in one process, in one run, on the same requests: a minimal ASGI app that answers an
OpenAI chat completion (JSON) or its SSE stream, called through the ASGI interface directly so
that what is measured is guard's own work (identify, parse, featurize, observe, score, decide,
account), not a network stack's. Runs alternate between the bare and the guarded app in
blocks, so that noise on this shared machine hits both alike.

    python benchmarks/overhead.py [--requests 4000] [--keys 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from typing import Any

from guard import GuardMiddleware
from guard.featurize.words import COMMON_WORDS, FAMILIAR_WORDS

# Prompts are drawn from a few thousand real English words (the featurizer's own word lists,
# which it treats like any other text), with numbers as separate tokens, so that the
# featurizer's per-word caches see what they would see on real traffic.
WORDS = sorted(COMMON_WORDS | FAMILIAR_WORDS)

JSON_RESPONSE = json.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "ok " * 50},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 250, "completion_tokens": 50, "total_tokens": 300},
    }
).encode()
SSE_CHUNKS = [
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":'
    b'[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}\n\n'
] * 20 + [b"data: [DONE]\n\n"]


async def upstream(scope: Any, receive: Any, send: Any) -> None:
    """A stand-in model server: reads the body, answers JSON or a 20-event SSE stream."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    stream = b'"stream": true' in body
    content_type = b"text/event-stream" if stream else b"application/json"
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type)]}
    )
    if stream:
        for chunk in SSE_CHUNKS:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.body", "body": JSON_RESPONSE})


def make_prompt(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = str(rng.randrange(1000)) if rng.random() < 0.05 else rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def make_requests(
    n: int, keys: int, size: int, stream: bool, seed: int
) -> list[tuple[list[tuple[bytes, bytes]], bytes]]:
    rng = random.Random(seed)
    requests = []
    for _ in range(n):
        payload: dict[str, Any] = {
            "model": "m",
            "messages": [{"role": "user", "content": make_prompt(rng, size)}],
        }
        if stream:
            payload["stream"] = True
        body = json.dumps(payload).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer sk-bench-{rng.randrange(keys)}".encode()),
            (b"user-agent", b"OpenAI/Python 1.0"),
            (b"content-length", str(len(body)).encode()),
        ]
        requests.append((headers, body))
    return requests


async def call(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> float:
    """Run one request; returns when (perf_counter_ns) its last response byte was sent."""
    sent = False
    done = 0.0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal done
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done = time.perf_counter_ns()

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/chat/completions",
        "headers": headers,
        "client": ("203.0.113.7", 4000),
    }
    await app(scope, receive, send)
    return done


async def measure(
    app: Any, requests: list[tuple[list[tuple[bytes, bytes]], bytes]]
) -> tuple[list[float], float, float]:
    """Per-request latency to the last response byte (µs), the run's wall seconds and its CPU
    seconds (this thread's).

    Latency ends when the response is out; guard's accounting after it (token usage, key
    metadata) is not latency a client waits for, but it is in the throughput. CPU time is what
    the work costs whatever else the machine runs: on a shared, busy machine wall-clock
    latency also counts the time this process waited for a core.
    """
    times = []
    run_start = time.perf_counter_ns()
    cpu_start = time.thread_time_ns()
    for headers, body in requests:
        start = time.perf_counter_ns()
        done = await call(app, headers, body)
        times.append((done - start) / 1000.0)
    cpu = (time.thread_time_ns() - cpu_start) / 1e9
    return times, (time.perf_counter_ns() - run_start) / 1e9, cpu


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_case(size: int, stream: bool, n: int, keys: int) -> dict[str, float]:
    guarded = GuardMiddleware(upstream, policy=None, secret="bench")
    requests = make_requests(n, keys, size, stream, seed=size)
    await measure(guarded, requests[:200])  # warm up both
    await measure(upstream, requests[:200])
    bare_times: list[float] = []
    guard_times: list[float] = []
    bare_seconds = guard_seconds = bare_cpu = guard_cpu = 0.0
    block = 250
    for i in range(0, n, block):
        chunk = requests[i : i + block]
        times, seconds, cpu = await measure(upstream, chunk)
        bare_times += times
        bare_seconds += seconds
        bare_cpu += cpu
        times, seconds, cpu = await measure(guarded, chunk)
        guard_times += times
        guard_seconds += seconds
        guard_cpu += cpu
    added = [g - b for g, b in zip(sorted(guard_times), sorted(bare_times), strict=True)]
    return {
        "bare_p50": pct(bare_times, 0.5),
        "bare_p99": pct(bare_times, 0.99),
        "guard_p50": pct(guard_times, 0.5),
        "guard_p99": pct(guard_times, 0.99),
        "added_p50": pct(guard_times, 0.5) - pct(bare_times, 0.5),
        "added_p99": pct(guard_times, 0.99) - pct(bare_times, 0.99),
        "added_mean": statistics.fmean(added),
        "added_cpu": (guard_cpu - bare_cpu) / n * 1e6,
        "bare_rps": len(bare_times) / bare_seconds,
        "guard_rps": len(guard_times) / guard_seconds,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--keys", type=int, default=500)
    args = parser.parse_args()
    print(f"{args.requests} requests per case over {args.keys} keys, in-process ASGI calls\n")
    header = (
        f"{'case':<14} {'bare p50':>9} {'guard p50':>10} {'added p50':>10} "
        f"{'bare p99':>9} {'guard p99':>10} {'added p99':>10} {'bare req/s':>11} "
        f"{'guard req/s':>12} {'ratio':>6} {'added CPU':>10}"
    )
    print(header)
    print("-" * len(header))
    for size in (1024, 8192):
        for stream in (False, True):
            r = await run_case(size, stream, args.requests, args.keys)
            name = f"{size // 1024} KB {'SSE' if stream else 'JSON'}"
            print(
                f"{name:<14} {r['bare_p50']:>7.0f}µs {r['guard_p50']:>8.0f}µs "
                f"{r['added_p50']:>8.0f}µs {r['bare_p99']:>7.0f}µs {r['guard_p99']:>8.0f}µs "
                f"{r['added_p99']:>8.0f}µs {r['bare_rps']:>11.0f} {r['guard_rps']:>12.0f} "
                f"{r['guard_rps'] / r['bare_rps']:>6.2f} {r['added_cpu']:>8.0f}µs"
            )
    print(
        "\nadded CPU: guard's CPU time per request (mean, accounting included), which other"
        "\nprocesses on a busy machine do not inflate as they do wall-clock latency"
        "\ntarget: added p50 <= 250µs for a 1 KB prompt"
    )


if __name__ == "__main__":
    asyncio.run(main())
