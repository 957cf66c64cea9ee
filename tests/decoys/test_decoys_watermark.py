"""The keyed watermark: invisible to formatting, found for the right key only."""

from __future__ import annotations

import random
import re

import pytest
from decoys_samples import MIXED, PROSE

from guard.decoys.text import CODE, INLINE, MARKUP, URL, segments
from guard.decoys.variants import load_table
from guard.decoys.watermark import Watermarker

SECRET = "wm-secret"
KEY = "k_" + "a1" * 16
OTHERS = [f"k_{i:032x}" for i in range(1, 41)]


def protected(text: str) -> list[str]:
    return [s.text for s in segments(text) if s.kind in (CODE, INLINE, URL, MARKUP)]


CONTEXT = (
    "the river model team data you we it this that result system garden market users "
    "students engineers method process value answer light water city network code"
).split()
TAILS = (
    "works well in practice",
    "changes over time",
    "matters for the outcome",
    "is worth a closer look",
    "depends on the setting",
    "can be measured",
)


def corpus(n: int, seed: int = 0) -> list[str]:
    """Varied prose: sentences putting variant phrases after many different words."""
    rng = random.Random(seed)
    sets = load_table()
    out = []
    for _ in range(n):
        sentences = []
        for _ in range(12):
            variant_set = rng.choice(sets)
            form = variant_set.texts[rng.randrange(len(variant_set.texts))]
            words = [rng.choice(CONTEXT), form, rng.choice(TAILS)]
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        out.append(" ".join([*sentences, PROSE[rng.randrange(3)]]))
    return out


def test_formatting_numbers_code_and_urls_are_untouched() -> None:
    marked = Watermarker(SECRET).apply(MIXED, KEY, strength=1.0)
    assert marked != MIXED
    assert protected(marked) == protected(MIXED)
    assert re.findall(r"\d+(?:\.\d+)?", marked) == re.findall(r"\d+(?:\.\d+)?", MIXED)
    assert marked.count("\n") == MIXED.count("\n")
    assert all(ord(c) < 0x2000 for c in marked)  # no zero-width or look-alike characters


def test_strength_zero_changes_nothing() -> None:
    assert Watermarker(SECRET).apply(MIXED, KEY, strength=0.0) == MIXED


def test_same_key_same_text() -> None:
    one, two = Watermarker(SECRET), Watermarker(SECRET)
    assert one.apply(PROSE[0], KEY, 0.7) == two.apply(PROSE[0], KEY, 0.7)


def test_piecewise_rewrite_matches_whole_rewrite_on_line_boundaries() -> None:
    wm = Watermarker(SECRET)
    text = "\n".join(PROSE) + "\n"
    rewrite = wm.rewriter(KEY, 1.0)
    piecewise = "".join(rewrite(line + "\n") for line in text.splitlines())
    assert piecewise == wm.apply(text, KEY, 1.0)


def test_trace_finds_the_right_key_and_not_the_others() -> None:
    wm = Watermarker(SECRET)
    texts = [wm.apply(text, KEY, 0.5) for text in corpus(150)]
    units = wm.collect(texts)
    assert wm.score(units, KEY).p_value < 1e-6
    assert all(wm.score(units, other).p_value > 1e-3 for other in OTHERS)
    plain = wm.collect(corpus(150))
    assert wm.score(plain, KEY).p_value > 1e-3


def test_detection_survives_light_edits() -> None:
    wm = Watermarker(SECRET)
    texts = [wm.apply(text, KEY, 0.5) for text in corpus(150, seed=1)]
    rng = random.Random(5)

    def edit(text: str) -> str:
        words = text.split()
        for i in range(len(words)):
            if rng.random() < 0.2:
                words[i] = rng.choice(["thing", "very", "quite", "so", "really"])
        return "  ".join(words).lower()

    units = wm.collect(edit(text) for text in texts)
    assert wm.score(units, KEY).p_value < 1e-4


def test_repetition_does_not_inflate_evidence() -> None:
    wm = Watermarker(SECRET)
    text = wm.apply(PROSE[0], KEY, 1.0)
    once = wm.score(wm.collect([text]), KEY)
    many = wm.score(wm.collect([text] * 50), KEY)
    assert many.units == once.units
    assert many.z == pytest.approx(once.z)


def test_variant_table_is_consistent_and_broad() -> None:
    sets = load_table()
    assert len(sets) >= 250
    assert all(abs(sum(s.priors) - 1) < 1e-9 for s in sets)


def test_variant_table_refuses_ambiguous_sets() -> None:
    with pytest.raises(ValueError, match="two sets"):
        load_table("big | large\nlarge | huge")
    with pytest.raises(ValueError, match="starts with"):
        load_table("in fact | actually\nin fact it | actually it is")
