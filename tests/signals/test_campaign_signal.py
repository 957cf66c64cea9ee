"""The campaign and answer-size signals read the key's state."""

from __future__ import annotations

from guard.models import (
    Api,
    CampaignState,
    Features,
    Identity,
    KeyState,
    PromptRequest,
    WindowCounts,
)
from guard.profile import RequestRecord
from guard.signals import SignalContext
from guard.signals.campaign import CampaignSignal
from guard.signals.output import ShortAnswersSignal

T0 = 1_764_201_600.0


def context(state: KeyState) -> SignalContext:
    request = PromptRequest(Api.OPENAI, "openai.chat", "hi")
    return SignalContext(
        Identity("k", True, "192.0.2.1", "fp"), request, Features(0, 0), state, "day", 8
    )


def campaign(keys: int, cells: int, requests: int, templates: int = 1) -> KeyState:
    """A key in a campaign, its own last 30 requests cycling over ``templates`` templates."""
    counts = WindowCounts(cells, requests, 0, 0)
    recent = tuple(
        RequestRecord(T0 - 60.0 * i, i, i % templates, 0, 1, 1, 80, 0, 0).pack() for i in range(30)
    )
    return KeyState(
        {"day": WindowCounts(5, 10)},
        recent=recent,
        campaign=CampaignState("c-1", keys, {"day": counts}),
    )


def test_campaign_grows_with_union_coverage_and_members() -> None:
    signal = CampaignSignal()
    sybils = signal.evaluate(context(campaign(300, 2400, 6000)))
    assert sybils.value > 0.8 and "300 keys" in sybils.reason
    # A large organisation sharing one system prompt: people write their own prompts.
    staff = signal.measure(context(campaign(300, 2400, 6000, templates=30)))
    assert staff < 0.3
    product = signal.measure(context(campaign(3, 600, 1200)))  # a few keys, one system prompt
    team = signal.measure(context(campaign(30, 60, 400)))  # many keys on one narrow subject
    assert product < 0.25 and team < 0.15
    assert signal.measure(context(campaign(300, 15, 15))) == 0.0  # too young to judge
    assert signal.evaluate(context(KeyState())).value == 0.0


def test_short_answers_are_benign_evidence_once_usage_is_known() -> None:
    signal = ShortAnswersSignal()
    evaluation = signal.evaluate(context(KeyState({"day": WindowCounts(300, 500, 0, 1000)})))
    assert evaluation.value > 0.9 and "2 output tokens per request" in evaluation.reason
    chat = signal.measure(context(KeyState({"day": WindowCounts(50, 100, 0, 40000)})))
    assert chat < 0.1
    assert signal.measure(context(KeyState({"day": WindowCounts(300, 500, 0, 0)}))) == 0.0
    assert signal.measure(context(KeyState({"day": WindowCounts(3, 3, 0, 3)}))) == 0.0
    assert ShortAnswersSignal.direction == -1


def test_a_key_in_a_campaign_at_its_first_request_counts_as_scripted() -> None:
    """Only a key whose first request joined an established campaign (guard.campaigns) is in
    one after a single request: what it sent is the campaign's script."""
    signal = CampaignSignal()
    first = KeyState(
        {"day": WindowCounts(1, 1)},
        recent=(RequestRecord(T0, 1, 7, 0, 1, 1, 80, 0, 0).pack(),),
        campaign=CampaignState("c-1", 300, {"day": WindowCounts(2400, 6000, 0, 0)}),
    )
    scripted = signal.measure(context(campaign(300, 2400, 6000)))
    assert signal.measure(context(first)) == scripted > 0.8
