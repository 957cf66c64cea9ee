"""The optional embedding featurizer (``featurizer: embed``, the ``guard[embed]`` extra).

Tests that need the real model skip, saying what to install, when the extra is absent; the
ones about selecting it and keeping it out of the core run either way.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guard.errors import GuardError
from guard.featurize import Featurizer, featurizer_for
from guard.models import Api, PromptRequest, Turn
from guard.pipeline import Pipeline

DATA = Path(__file__).parent.parent / "data" / "rephrasings.json"


@pytest.fixture(scope="module")
def minilm() -> Any:
    try:
        from guard.featurize.embed import MiniLM

        return MiniLM()
    except GuardError as exc:  # the extra is not installed: say so
        pytest.skip(str(exc))


def embed_featurizer(encoder: Any, seed: int = 0, **options: Any) -> Featurizer:
    from guard.featurize.embed import EmbedFeaturizer

    return EmbedFeaturizer(seed=seed, encoder=encoder, **options)


def extra_installed() -> bool:
    try:
        featurizer_for("embed")
    except GuardError:
        return False
    return True


def test_the_core_never_imports_the_extra() -> None:
    code = (
        "import sys, guard.pipeline, guard.middleware, guard.replay, guard.featurize\n"
        "loaded = sorted({'numpy', 'onnxruntime', 'tokenizers'} & set(sys.modules))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_policy_option_selects_it() -> None:
    lexical = Pipeline({}, secret="s")
    assert type(lexical.featurizer) is Featurizer
    if not extra_installed():
        with pytest.raises(GuardError, match=r"pip install 'distill-guard\[embed\]'"):
            Pipeline({"featurizer": "embed"}, secret="s")
        return
    from guard.featurize.embed import EmbedFeaturizer

    pipeline = Pipeline({"featurizer": "embed"}, secret="s")
    assert isinstance(pipeline.featurizer, EmbedFeaturizer)
    pipeline.reload({})
    assert type(pipeline.featurizer) is Featurizer
    pipeline.reload({"featurizer": "embed"})
    assert isinstance(pipeline.featurizer, EmbedFeaturizer)


def test_a_missing_extra_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # what an absent package looks like
    # onnxruntime, or whichever of the extra's packages is missing first (numpy, on a machine
    # without any of them)
    missing = r"needs (onnxruntime|numpy|tokenizers)\b.*pip install 'distill-guard\[embed\]'"
    with pytest.raises(GuardError, match=missing):
        featurizer_for("embed")
    pipeline = Pipeline({}, secret="s")
    with pytest.raises(GuardError, match="distill-guard"):
        pipeline.reload({"featurizer": "embed"})
    assert pipeline.policy.featurizer == "lexical"  # the failed reload changed nothing


def test_rephrasings_share_cells_more_often_than_different_subjects(minilm: Any) -> None:
    groups = json.loads(DATA.read_text(encoding="utf-8"))["groups"]
    featurizer = embed_featurizer(minilm)
    cells = [(g["kind"], [featurizer.featurize_text(p).cell for p in g["prompts"]]) for g in groups]

    def share(pairs: list[tuple[int, int]]) -> float:
        return sum(a == b for a, b in pairs) / len(pairs)

    def within(kind: str) -> float:
        return share([p for k, cs in cells if k == kind for p in itertools.combinations(cs, 2)])

    flat = [(i, c) for i, (_, cs) in enumerate(cells) for c in cs]
    across = share([(a, b) for (i, a), (j, b) in itertools.combinations(flat, 2) if i != j])
    # Measured (docs/featurizer.md): 0.12 for rephrasings, 0.0016 across groups.
    assert within("rephrasing") > 0.06
    assert within("rephrasing") > 10 * across
    assert within("rephrasing") > within("subject")


def test_cells_are_deterministic_and_keyed_by_the_seed(minilm: Any) -> None:
    prompts = [
        "How does photosynthesis work?",
        "What caused the fall of the Roman Republic?",
        "Explain public key cryptography to a beginner.",
        "Write a haiku about autumn rain.",
        "How do I tune a guitar by ear?",
        "What is the difference between a list and a tuple in Python?",
    ]
    one, same, other = (embed_featurizer(minilm, seed) for seed in (7, 7, 8))
    cells = [one.featurize_text(p).cell for p in prompts]
    assert cells == [same.featurize_text(p).cell for p in prompts]
    assert cells == [one.featurize_text(p).cell for p in prompts]  # from the vector cache
    assert cells != [other.featurize_text(p).cell for p in prompts]
    assert all(0 <= c < 1 << 64 for c in cells)


def test_only_the_cell_differs_from_the_lexical_features(minilm: Any) -> None:
    request = PromptRequest(
        api=Api.OPENAI,
        route="openai.chat",
        prompt="And how do the light-dependent reactions fit in?",
        system="You are a biology tutor.",
        conversation=(
            Turn("user", "How does photosynthesis work?"),
            Turn("assistant", "Plants turn light into chemical energy."),
            Turn("user", "And how do the light-dependent reactions fit in?"),
        ),
    )
    embed = embed_featurizer(minilm, seed=5).featurize(request)
    lexical = Featurizer(seed=5).featurize(request)
    assert (embed.simhash, embed.bands, embed.template, embed.input_tokens) == (
        lexical.simhash,
        lexical.bands,
        lexical.template,
        lexical.input_tokens,
    )


def test_the_previous_user_turn_pulls_a_follow_up_towards_its_subject(minilm: Any) -> None:
    from guard.featurize.embed import EmbedFeaturizer

    featurizer = embed_featurizer(minilm, bits=63, context_weight=1.0)
    assert isinstance(featurizer, EmbedFeaturizer)
    alone = featurizer.embed_cell("What about the second one?")
    after = featurizer.embed_cell("What about the second one?", "Name the noble gases.")
    without = embed_featurizer(minilm, bits=63, context_weight=0.0)
    assert after != alone
    assert isinstance(without, EmbedFeaturizer)
    assert without.embed_cell("What about the second one?", "Name the noble gases.") == (
        without.embed_cell("What about the second one?")
    )
