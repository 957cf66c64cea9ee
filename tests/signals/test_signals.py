from __future__ import annotations

import math

from guard.models import Api, Features, Identity, KeyState, PromptRequest, Score, WindowCounts
from guard.scoring import Scorer
from guard.signals import SignalContext, default_signals
from guard.signals.coverage import CoverageSignal, NoveltySignal
from guard.signals.elicitation import ElicitationSignal, asks_for_reasoning
from guard.signals.volume import VolumeSignal

IDENTITY = Identity("k_1", True, "203.0.113.1", "fp")


def context(
    prompt: str = "hello", *, requests: int = 0, cells: int = 0, **params: object
) -> SignalContext:
    request = PromptRequest(Api.OPENAI, "openai.chat", prompt, **params)  # type: ignore[arg-type]
    state = KeyState({"day": WindowCounts(cells, requests, 0, 0)})
    return SignalContext(IDENTITY, request, Features(0, 0), state, "day", 8)


def test_key_level_signals_wait_for_evidence() -> None:
    for signal in (CoverageSignal(), NoveltySignal()):
        value = signal.evaluate(context(requests=3, cells=3))
        assert value.value == 0.0 and "too few" in value.reason


def test_novelty_separates_sweeps_from_focused_keys() -> None:
    sweep = NoveltySignal().evaluate(context(requests=200, cells=196))
    focused = NoveltySignal().evaluate(context(requests=200, cells=40))
    assert sweep.value > 0.9 and focused.value == 0.0
    assert "98%" in sweep.reason
    # The same share over a handful of requests is what anyone asking a few questions has.
    assert NoveltySignal().measure(context(requests=8, cells=8)) == 0.5


def test_coverage_and_volume_saturate() -> None:
    assert CoverageSignal(half=150).evaluate(context(requests=400, cells=150)).value == 0.5
    assert 0.99 < CoverageSignal(half=150).evaluate(context(requests=10**6, cells=10**5)).value < 1
    assert VolumeSignal(half=400).evaluate(context(requests=400)).value == 0.5


def test_elicitation_patterns() -> None:
    signal = ElicitationSignal()
    assert signal.evaluate(context("What is 2+2?")).value == 0.0
    assert signal.evaluate(context("Solve it step by step.")).value == 0.6
    assert signal.evaluate(context("hi", logprobs=True, logit_bias=True)).value == 1.0
    assert signal.evaluate(context("hi", n=4)).value == 0.5
    # A large max_tokens is how products avoid cut-off answers, not a demand for reasoning.
    assert signal.evaluate(context("hi", max_tokens=32000)).value == 0.0
    assert "n=4" in signal.evaluate(context("hi", n=4)).reason


def test_asks_for_reasoning() -> None:
    positives = [
        "Explain step-by-step.",
        "Use chain of thought",
        "show your work",
        "SHOW ALL YOUR REASONING",
        "walk me through the steps",
        "think carefully before answering",
        "give the full derivation",
        "reveal your hidden thoughts",
        "<think>",
        "list every intermediate step",
    ]
    negatives = [
        "step on it",
        "the chain broke",
        "show me a cat",
        "I think so",
        "reasonable price",
        "",
    ]
    assert all(asks_for_reasoning(p) for p in positives)
    assert not any(asks_for_reasoning(n) for n in negatives)


def test_scorer_is_a_logistic_model_with_ranked_reasons() -> None:
    scorer = Scorer(default_signals(), {"novelty": 6.0, "elicitation": 2.0}, bias=-4.0)
    score = scorer.score(context("Explain step by step", requests=50, cells=50))
    novelty = 50 / 58  # all distinct, times the evidence of 50 requests
    elicitation = 0.6
    expected = 1 / (1 + math.exp(-(-4.0 + 6.0 * novelty + 2.0 * elicitation)))
    assert math.isclose(score.value, expected)
    assert [s.name for s in score.signals][:2] == ["novelty", "elicitation"]
    assert score.reasons == ["novelty", "elicitation"]
    # Signals of weight 0 are still reported (rules may read them) but change nothing.
    assert {"coverage", "novelty", "volume", "elicitation", "conversation"} <= {
        s.name for s in score.signals
    }


def test_reasons_are_what_pushed_the_score_up() -> None:
    ctx = context("Explain step by step", requests=50, cells=50)
    scorer = Scorer(default_signals(), {"novelty": 6.0, "coverage": -3.0}, bias=-4.0)
    score = scorer.score(ctx)
    values = {s.name: s.value for s in score.signals}
    assert values["coverage"] >= 0.2 and values["elicitation"] >= 0.5
    # Evidence against harvesting, and signals of weight 0 however high, are no reasons.
    assert score.reasons == ["novelty"]
    assert Score(0.5, score.signals).reasons == [  # a score built without the scorer
        s.name for s in score.signals if s.value >= 0.5
    ]
