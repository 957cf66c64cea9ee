"""The `guard` command line, run as a real process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import openai
import pytest

from guard.mock import MockUpstream

GUARD = [sys.executable, "-m", "guard"]
ENV = {**os.environ, "GUARD_SECRET": "cli-test-secret"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def guard_serve(args: Sequence[str]) -> AsyncIterator[str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *GUARD,
        "serve",
        "--port",
        str(port),
        *args,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(400):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                if process.returncode is not None:
                    output = await process.stdout.read() if process.stdout else b""
                    raise AssertionError(f"guard serve exited: {output.decode()}") from None
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            break
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


async def test_serve_mock_upstream_with_the_openai_sdk() -> None:
    async with guard_serve(["--upstream", "mock"]) as base:
        async with openai.AsyncOpenAI(
            base_url=f"{base}/v1", api_key="sk-cli", max_retries=0
        ) as client:
            completion = await client.chat.completions.create(
                model="mock-gpt", messages=[{"role": "user", "content": "What is a tarpit?"}]
            )
    assert completion.choices[0].message.content


async def test_serve_proxies_to_an_upstream_url(serve_app) -> None:  # type: ignore[no-untyped-def]
    async with (
        serve_app(MockUpstream(seed=1)) as upstream,
        guard_serve(["--upstream", upstream]) as base,
    ):
        async with openai.AsyncOpenAI(
            base_url=f"{base}/v1", api_key="sk-cli", max_retries=0
        ) as client:
            stream = await client.chat.completions.create(
                model="mock-gpt",
                messages=[{"role": "user", "content": "Stream something."}],
                stream=True,
            )
            pieces = [c.choices[0].delta.content or "" async for c in stream if c.choices]
    assert "".join(pieces)


def test_bad_policy_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    policy = tmp_path / "broken.yaml"
    policy.write_text("rules:\n  - name: x\n    then: blok\n")
    result = subprocess.run(
        [*GUARD, "serve", "--policy", str(policy), "--port", str(free_port())],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        f"{policy}:3:11: [rule 'x'] rules[0].then: unknown action 'blok' (did you mean 'block'?)"
        in result.stderr
    )


def test_environment_variables_are_read(tmp_path: Path) -> None:
    result = subprocess.run(
        [*GUARD, "serve", "--port", str(free_port())],
        env={**ENV, "GUARD_POLICY": str(tmp_path / "missing.yaml")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        result.returncode == 1
        and "missing.yaml" in result.stderr
        and "cannot read" in result.stderr
    )


@pytest.mark.slow
def test_demo_shows_who_was_stopped() -> None:
    result = subprocess.run([*GUARD, "demo"], env=ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    rows = {
        line.split()[0]: line.split() for line in result.stdout.splitlines() if line[:1].isalpha()
    }

    # columns: key, description..., sent, genuine, marked, poisoned, 429, 403, subjects, score,
    # first acted, why...
    def counts(name: str) -> list[str]:
        row = rows[name]
        start = next(i for i, value in enumerate(row) if value.isdigit())
        return row[start : start + 9]

    for benign in ("alice", "bob"):
        sent, genuine, marked, poisoned, throttled, blocked, *_ = counts(benign)
        assert sent == genuine and marked == poisoned == throttled == blocked == "0", rows[benign]
    sent, genuine, marked, poisoned, throttled, blocked, _, score, first = counts("sweeper")
    # The sweep is flagged early: its answers are watermarked (or poisoned, once the score
    # is certain), then it hits the coverage budget.
    assert int(genuine) < int(sent) / 10, rows["sweeper"]
    assert int(marked) + int(poisoned) > 0 and int(throttled) > 0, rows["sweeper"]
    assert first.startswith("#") and int(first[1:]) <= 50, rows["sweeper"]
    assert float(score) >= 0.6
    sent, genuine, marked, poisoned, throttled, *_ = counts("flood")
    assert int(throttled) > 0, rows["flood"]
