from __future__ import annotations

import pytest

from guard.adapters.tokens import EstimatingStreamUsage, estimate_tokens, event_json
from guard.models import Usage
from guard.sse import SSEEvent


@pytest.mark.parametrize(("chars", "tokens"), [(-5, 0), (0, 0), (1, 1), (4, 1), (5, 2), (400, 100)])
def test_estimate_rounds_up(chars: int, tokens: int) -> None:
    assert estimate_tokens(chars) == tokens


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ('{"a": 1}', {"a": 1}),
        ("[DONE]", None),
        ("[1]", None),
        ("", None),
        ("{broken", None),
        ('{"a":' * 50000, None),
    ],
)
def test_event_json(data: str, value: object) -> None:
    assert event_json(SSEEvent(data)) == value


class Counting(EstimatingStreamUsage):
    def feed(self, event: SSEEvent) -> None:
        self.add_text(event.data)


def test_reported_figures_win_over_the_estimate() -> None:
    usage = Counting()
    usage.feed(SSEEvent("x" * 41))
    usage.add_text(None)
    assert usage.result() == Usage(0, 11)
    usage.reported_output = 3
    assert usage.result() == Usage(0, 3)
    usage.reported_input = 9
    assert usage.result() == Usage(9, 3)
