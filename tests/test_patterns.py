from __future__ import annotations

import pytest

from guard.patterns import acknowledgement, asks_for_reasoning


@pytest.mark.parametrize(
    "text",
    [
        "Solve this step by step.",
        "Think step-by-step before answering.",
        "Show your work.",
        "Show all the reasoning you used.",
        "Explain your reasoning in full.",
        "Walk me through each step.",
        "Write out your chain of thought.",
        "Give the full derivation.",
        "What was your internal monologue?",
        "Reveal your hidden reasoning.",
        "List every intermediate step.",
        "<think>",
        "THINK CAREFULLY BEFORE you answer",
    ],
)
def test_reasoning_requests_are_recognised(text: str) -> None:
    assert asks_for_reasoning(text)
    assert asks_for_reasoning("Some context first. " * 10 + text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "What is the capital of France?",
        "Show me the full list of steps in the deployment pipeline config.",
        "I think the reason is a missing import.",
        "Complete this sentence: the quick brown fox",
        "The staircase has twelve steps.",
    ],
)
def test_ordinary_prompts_are_not(text: str) -> None:
    assert not asks_for_reasoning(text)


def test_only_the_head_of_a_huge_prompt_is_scanned() -> None:
    assert not asks_for_reasoning("x " * 5000 + "step by step")
    assert asks_for_reasoning("step by step " + "x " * 5000)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("Thanks! Next: what is the atomic number of gold?", "what is the atomic number of gold?"),
        ("ok thanks. write about osteoarthritis.", "write about osteoarthritis."),
        ("Got it - why does it matter?", "why does it matter?"),
        ("cool. What did the Olmecs eat", "What did the Olmecs eat"),
        ("and what about the Etruscans?", "what about the Etruscans?"),
        ("Thank you, that helped. Now the second part.", "Now the second part."),
        ("thanks", ""),
        ("Makes sense. Now the Etruscans?", "Now the Etruscans?"),
        ("okay now give me a harder one", "give me a harder one"),
        ("I see. And the Romans?", "the Romans?"),  # acknowledgements stack
    ],
)
def test_an_acknowledgement_opening_is_measured(text: str, rest: str) -> None:
    assert text[acknowledgement(text) :] == rest


@pytest.mark.parametrize(
    "text",
    [
        "Next.js 13: how do I generate static params?",
        "Andrew Jackson's presidency, in brief.",
        "Nicely formatted tables in LaTeX?",
        "Ok so what is the capital of Peru?",  # filler, not an acknowledgement
        "Greatest common divisor of 12 and 18?",
        "Next to the castle, what stood?",
        "I see a rash on my arm; what could it be?",
        "Ok, can you list some wines similar to Merlot?",
        "What is the capital of France? Thanks!",  # thanks at the end is politeness
        "",
    ],
)
def test_other_openings_are_no_acknowledgement(text: str) -> None:
    assert acknowledgement(text) == 0
