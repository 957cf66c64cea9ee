"""Perturbation: wrong where it matters, still well-formed."""

from __future__ import annotations

import json
import re

import pytest
from decoys_samples import MATH, MIXED

from guard.decoys.perturb import Perturber, PerturbParams, final_answers, jitter

ALL = PerturbParams(strength=1.0, numbers=True, steps=True, final=True, code=True)
KEYS = [f"k_{i:032x}" for i in range(12)]


def fences(text: str) -> list[str]:
    return re.findall(r"^```\w*$", text, flags=re.M)


def code_blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", text, flags=re.M | re.S)


@pytest.mark.parametrize("key_id", KEYS)
def test_code_fences_brackets_and_json_stay_valid(key_id: str) -> None:
    out = Perturber("p").apply(MIXED, key_id, ALL)
    assert fences(out) == fences(MIXED)
    for opening, closing in ("()", "[]", "{}"):
        assert out.count(opening) - out.count(closing) == MIXED.count(opening) - MIXED.count(
            closing
        )
    (block,) = code_blocks(out, "json")
    assert set(json.loads(block)) == {"retries", "backoff", "verbose", "hosts"}
    assert set(re.findall(r"https?://\S+|`[^`\n]+`", out)) <= set(
        re.findall(r"https?://\S+|`[^`\n]+`", MIXED)
    )


def test_code_gets_broken_somewhere() -> None:
    perturber = Perturber("p")
    changed = sum(
        code_blocks(perturber.apply(MIXED, key, ALL), "python") != code_blocks(MIXED, "python")
        for key in KEYS
    )
    assert changed >= len(KEYS) - 1


@pytest.mark.parametrize("key_id", KEYS)
def test_final_answer_changes_and_numbers_stay_consistent(key_id: str) -> None:
    params = PerturbParams(strength=0.3, steps=False, final=True)  # no step dropped
    out = Perturber("p").apply(MATH, key_id, params)
    (before,) = set(final_answers(MATH))
    after = set(final_answers(out))
    assert before not in after
    # the same wrong number everywhere the right one was
    assert len(after) == 1 and out.count(after.pop()) == MATH.count(before)


def test_numbered_steps_stay_numbered_in_order() -> None:
    perturber = Perturber("p")
    changed = 0
    for key in KEYS:
        out = perturber.apply(MATH, key, PerturbParams(strength=1.0, numbers=False))
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", out, flags=re.M)]
        assert numbers == list(range(1, len(numbers) + 1))
        changed += out != MATH
    assert changed >= len(KEYS) - 2


def test_only_final_leaves_the_working_alone() -> None:
    out = Perturber("p").apply(
        "We compute 6 x 7 = 42.\n\nThe answer is 42.",
        KEYS[0],
        PerturbParams(strength=0.0, numbers=False, steps=False, final=True),
    )
    assert out.startswith("We compute 6 x 7 = ") and "42" not in out


def test_yes_no_and_choice_answers_flip() -> None:
    perturber = Perturber("p")
    params = PerturbParams(strength=0.5, final=True)
    assert "answer is no" in perturber.apply("So the answer is yes.", KEYS[0], params)
    out = perturber.apply("The answer is B.", KEYS[0], params)
    assert "answer is B" not in out and re.search(r"answer is [ACDE]\.", out)


def test_same_key_same_perturbation() -> None:
    assert Perturber("p").apply(MATH, KEYS[1], ALL) == Perturber("p").apply(MATH, KEYS[1], ALL)


@pytest.mark.parametrize(
    "value", ["7", "0", "1998", "12.75", "1,250", "-3", "3.5", "100", "0.05", "65,000,000"]
)
def test_jitter_keeps_the_format_and_always_changes(value: str) -> None:
    for u1 in (0.0, 0.5, 0.99):
        for u2 in (0.1, 0.9):
            new = jitter(value, u1, u2)
            assert new != value
            assert ("." in new) == ("." in value)
            assert len(new.partition(".")[2]) == len(value.partition(".")[2])
            assert ("," in new) == ("," in value) or float(new.replace(",", "")) < 1000


def test_identifiers_versions_and_list_markers_are_not_numbers() -> None:
    text = "1. Use Python 3.11.2 against COVID-19 on x86.\n2. Done."
    out = Perturber("p").apply(text, KEYS[0], PerturbParams(strength=1.0, steps=False))
    assert out == text
