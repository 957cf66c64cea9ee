"""The featurizer's separation on the hand-labelled sample in tests/data/rephrasings.json.

Bounds sit well inside the measured figures (docs/featurizer.md): they catch a real
regression, not a change in the last decimal.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from guard.featurize import Featurizer, hamming
from guard.models import Api, Features, PromptRequest, Turn

DATA = Path(__file__).parent.parent / "data" / "rephrasings.json"

Group = dict[str, Any]
Featurized = list[tuple[str, list[Features]]]
Pairs = list[tuple[Features, Features]]


@pytest.fixture(scope="module")
def groups() -> list[Group]:
    loaded: list[Group] = json.loads(DATA.read_text(encoding="utf-8"))["groups"]
    return loaded


@pytest.fixture(scope="module")
def features(groups: list[Group]) -> Featurized:
    featurizer = Featurizer()
    return [(g["kind"], [featurizer.featurize_text(p) for p in g["prompts"]]) for g in groups]


def within(features: Featurized, kind: str) -> Pairs:
    return [pair for k, fs in features if k == kind for pair in itertools.combinations(fs, 2)]


def across(features: Featurized) -> Pairs:
    flat = [(i, f) for i, (_, fs) in enumerate(features) for f in fs]
    return [(a, b) for (i, a), (j, b) in itertools.combinations(flat, 2) if i != j]


def share(pairs: Pairs, same: Callable[[Features, Features], bool]) -> float:
    return sum(1 for a, b in pairs if same(a, b)) / len(pairs)


def same_cell(a: Features, b: Features) -> bool:
    return a.cell == b.cell


def same_band(a: Features, b: Features) -> bool:
    return bool(set(a.bands) & set(b.bands))


def test_sample_is_large_and_varied(groups: list[Group]) -> None:
    rephrasings = [g for g in groups if g["kind"] == "rephrasing"]
    assert len(rephrasings) >= 60
    assert all(3 <= len(g["prompts"]) <= 5 for g in groups)
    assert len({g["domain"] for g in groups}) >= 15
    assert any(g["kind"] == "subject" for g in groups)


def test_rephrasings_usually_share_a_cell(features: Featurized) -> None:
    assert share(within(features, "rephrasing"), same_cell) >= 0.5


def test_one_subject_often_shares_a_cell(features: Featurized) -> None:
    assert share(within(features, "subject"), same_cell) >= 0.3


def test_different_questions_rarely_share_a_cell(
    features: Featurized,
) -> None:
    assert share(across(features), same_cell) <= 0.01


def test_bands_are_finer_than_cells(features: Featurized) -> None:
    pairs = within(features, "rephrasing")
    assert share(pairs, same_band) < share(pairs, same_cell)
    assert share(across(features), same_band) <= 0.002


def test_hamming_separates_rephrasings_from_unrelated_prompts(
    features: Featurized,
) -> None:
    same = sorted(hamming(a.simhash, b.simhash) for a, b in within(features, "rephrasing"))
    diff = sorted(hamming(a.simhash, b.simhash) for a, b in across(features))
    assert same[len(same) // 2] <= 22 < 28 <= diff[len(diff) // 2]
    assert diff[len(diff) // 100] >= 18  # even the closest unrelated pairs stay apart


def test_follow_ups_share_a_cell_more_often_with_context(
    groups: list[Group],
) -> None:
    def rate(featurizer: Featurizer) -> float:
        pairs = []
        for g in groups:
            if g["kind"] != "subject":
                continue
            prompts: list[str] = g["prompts"]
            cells = [
                featurizer.featurize(
                    PromptRequest(
                        api=Api.OPENAI,
                        route="openai.chat",
                        prompt=p,
                        conversation=tuple(Turn("user", q) for q in prompts[: i + 1]),
                    )
                ).cell
                for i, p in enumerate(prompts)
            ]
            pairs += [a == b for a, b in itertools.combinations(cells, 2)]
        return sum(pairs) / len(pairs)

    assert rate(Featurizer()) > rate(Featurizer(context_weight=0.0))
