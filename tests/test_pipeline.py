"""The pipeline's own bookkeeping across requests: what one request leaves for the next."""

from __future__ import annotations

from typing import Any

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
