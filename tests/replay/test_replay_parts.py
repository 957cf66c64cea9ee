"""The replay's pieces: bounded series, the usage estimate, progress, traffic reading."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from replay_traffic import T0, chat, line, write_jsonl

from guard.models import Action, Api
from guard.pipeline import Inspection, Pipeline
from guard.replay import Progress, estimate_usage
from guard.replay.estimate import PLAIN_OUTPUT, REASONING_OUTPUT
from guard.replay.progress import format_eta
from guard.replay.report import class_of
from guard.replay.tally import Series
from guard.replay.traffic import KeyHeaders, TrafficReader, request_headers


def test_series_stays_bounded_and_spans_the_whole_history() -> None:
    series = Series(16, origin=T0)
    for i in range(10_000):
        series.add(T0 + i, i // 10, i / 10_000)
    points = series.points()
    assert len(points) <= 17
    assert points[0] == (T0, 0, 0.0)
    assert points[-1][0] == T0 + 9_999 and points[-1][1] == 999
    times = [ts for ts, _, _ in points]
    assert times == sorted(times) and len(set(times)) == len(times)
    gaps = [b - a for a, b in itertools.pairwise(times[:-1])]
    assert len(set(gaps)) == 1  # evenly spaced by request count


def test_a_short_series_keeps_every_point() -> None:
    series = Series(16, origin=T0)
    for i in range(5):
        series.add(T0 + i, i, 0.5)
    assert [ts for ts, _, _ in series.points()] == [T0 + i for i in range(5)]


async def _inspect(
    body: dict[str, object], rules: list[dict[str, object]] | None = None
) -> Inspection:
    pipeline = Pipeline({"rules": rules or []}, secret="s", clock=lambda: T0)
    adapter = pipeline.route("/v1/chat/completions")
    assert adapter is not None
    identity = pipeline.identify([(b"authorization", b"Bearer sk")], "192.0.2.1")
    return await pipeline.evaluate(adapter, identity, body)


async def test_usage_estimate() -> None:
    plain = await _inspect(chat("What is a monad?"))
    usage = estimate_usage(plain)
    assert usage.output_tokens == PLAIN_OUTPUT
    assert usage.input_tokens == plain.features.input_tokens > 0

    reasoning = await _inspect(chat("Explain monads step by step."))
    assert estimate_usage(reasoning).output_tokens == REASONING_OUTPUT

    capped = await _inspect(chat("Explain monads step by step.", max_tokens=100))
    assert estimate_usage(capped).output_tokens == 100

    samples = await _inspect({**chat("What is a monad?"), "n": 3})
    assert estimate_usage(samples).output_tokens == 3 * PLAIN_OUTPUT

    refused = await _inspect(chat("hi"), [{"name": "all", "then": "block"}])
    assert refused.decision.enforced is Action.BLOCK
    assert estimate_usage(refused).output_tokens == 0
    assert estimate_usage(refused).input_tokens == 0


def test_progress_draws_in_place_on_its_stream() -> None:
    out = io.StringIO()
    progress = Progress(1000, stream=out, interval=0.0)
    progress.update(50, 500)
    progress.close(100, 1000)
    text = out.getvalue()
    assert text.startswith("\rreplay   50% |############            |  50 lines")
    assert "ETA" in text and text.endswith("\n")
    assert "100% |########################|  100 lines" in text


def test_progress_with_an_unknown_total() -> None:
    text = Progress(None).render(1234, 0, 2.0)
    assert text == "replay  1,234 lines  617/s"


def test_eta_format() -> None:
    assert (format_eta(5), format_eta(65), format_eta(3725)) == ("0:05", "1:05", "1:02:05")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"class": "sybil", "actor": "x-1", "label": "harvester"}, "sybil"),
        ({"actor": "sybil-3", "label": "harvester"}, "sybil"),
        ({"actor": "mimic", "label": "harvester"}, "mimic"),
        ({"actor": "42"}, "42"),
        ({"label": "benign"}, "benign"),
        ({}, "unlabelled"),
    ],
)
def test_class_of(entry: dict[str, str], expected: str) -> None:
    assert class_of(entry) == expected


def test_reader_reports_invalid_lines_and_progress(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [line(T0, "k", chat("a")), "not json", "", "7"])
    reader = TrafficReader(path)
    records = list(reader)
    assert [r is None for r in records] == [False, True, True]  # the blank line is skipped
    assert reader.position == reader.total == path.stat().st_size


def test_key_headers_follow_the_policy() -> None:
    both = KeyHeaders(["authorization", "x-api-key"])
    assert both.header("sk-1", Api.OPENAI) == (b"authorization", b"Bearer sk-1")
    assert both.header("sk-1", Api.ANTHROPIC) == (b"x-api-key", b"sk-1")
    custom = KeyHeaders(["X-Team-Key"])
    assert custom.header("sk-1", Api.ANTHROPIC) == (b"x-team-key", b"sk-1")
    assert KeyHeaders([]).header("sk-1", Api.OPENAI) is None
    # The line's own key headers are dropped: its "key" field is the only key sent.
    headers = request_headers(
        {"User-Agent": "sdk/1", "Authorization": "Bearer other"},
        both.header("sk-1", Api.OPENAI),
        both.names,
    )
    assert headers == [(b"user-agent", b"sdk/1"), (b"authorization", b"Bearer sk-1")]
