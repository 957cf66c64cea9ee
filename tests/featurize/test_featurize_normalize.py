from __future__ import annotations

import random
import re

import pytest

from guard.featurize.normalize import (
    LITERAL_WORDS,
    _segments,
    ascii_tokens,
    ascii_words,
    clip,
    fold,
    inflections,
    normalize,
    skeleton,
    split_spaceless,
    stem,
    template_keys,
    words,
)
from guard.featurize.words import COMMON_WORDS, GENERIC_WORDS, STOP_WORDS


@pytest.mark.parametrize(
    "group",
    [
        ("decorator", "decorators", "decorate"),
        ("compute", "computing", "computation", "computational"),
        ("evict", "eviction", "evicting"),
        ("resistance", "resistant"),
        ("run", "running", "runs"),
        ("study", "studies"),
        ("tomato", "tomatoes"),
        ("bond", "bonds", "bonding"),
    ],
)
def test_stem_groups_word_families(group: tuple[str, ...]) -> None:
    assert len({stem(w) for w in group}) == 1


@pytest.mark.parametrize("word", ["class", "virus", "analysis", "chess", "fall", "gas", "ml"])
def test_stem_leaves_protected_and_short_words_alone(word: str) -> None:
    assert stem(word) in (word, word.rstrip("e"))


def test_stem_ignores_non_english_and_mixed_tokens() -> None:
    assert stem("inmunológico") == "inmunológico"
    assert stem("python3") == "python3"


def test_inflections_expand_regular_forms() -> None:
    assert {"explains", "explained", "explaining"} <= inflections("explain")
    assert {"describing", "described"} <= inflections("describe")
    assert {"studies", "studied"} <= inflections("study")
    assert {"stepping", "stepped"} <= inflections("step")


def test_word_lists_are_large_and_disjoint_from_subject_terms() -> None:
    assert len(STOP_WORDS) > 300
    assert len(GENERIC_WORDS) > 300
    assert len(COMMON_WORDS) > 300
    for subject in ("photosynthesis", "ibuprofen", "kubernetes", "war", "risotto"):
        assert subject not in STOP_WORDS | GENERIC_WORDS
    assert {"explain", "describe", "please", "detail", "step", "write", "tell"} <= GENERIC_WORDS
    assert {"how", "what", "the", "of"} <= STOP_WORDS


def test_clip_keeps_head_and_tail() -> None:
    text = "A" * 1000 + "B" * 1000 + "C" * 1000
    clipped = clip(text, 400)
    assert len(clipped) <= 402
    assert clipped.startswith("A" * 300)
    assert clipped.endswith("C" * 100)
    assert clip("short", 400) == "short"


def test_fold_and_normalize() -> None:
    full_width = "".join(chr(0xFEE0 + ord(c)) for c in "Python")
    assert fold(f"{full_width} \ufb01le") == "python file"  # NFKC: full-width, ligature
    assert fold("STRASSE Straße") == "strasse strasse"  # casefold
    assert normalize("  Hello,   World!! ") == "hello world"
    assert normalize("") == ""


def test_ascii_fast_path_matches_the_unicode_tokenizer() -> None:
    text = "Why don't my_var & x-ray 3.14 work? (see: foo.bar)"
    assert [w.decode() for w in ascii_words(text.lower())] == words(fold(text))


def test_words_keep_combining_marks_inside_words() -> None:
    assert words(fold("हिन्दी भाषा")) == ["हिन्दी", "भाषा"]
    assert words(fold("ภาษาไทย")) == ["ภาษาไทย"]


def test_split_spaceless_uses_bigrams_and_drops_particles() -> None:
    assert split_spaceless("什么是量子计算") == ["量子", "子计", "计算"]
    # Hiragana is grammar; katakana loanwords stay whole; short kanji runs stay as they are.
    assert split_spaceless("東京タワーの高さ") == ["東京", "タワー", "高"]
    assert split_spaceless("ภาษาไทย")[:2] == ["ภา", "าษ"]


def test_literal_words_cover_phrasing_not_subjects() -> None:
    assert {"explain", "explained", "the", "in", "detail", "step", "please"} <= LITERAL_WORDS
    # Everyday words can be part of a topic ("the water cycle", "machine learning").
    assert not {"photosynthesis", "water", "machine", "learning", "people"} & LITERAL_WORDS


@pytest.mark.parametrize(
    "filler",
    ["photosynthesis", "the French Revolution", "quantum entanglement", "the Krebs cycle"],
)
def test_skeleton_frame_ignores_topic_fillers(filler: str) -> None:
    frame, _, literals = skeleton(f"Explain {filler} in detail, step by step.")
    assert frame == ("explain", "\x00", "in", "detail", "step", "by", "step")
    assert literals == 6


def test_skeleton_masks_numbers_quotes_code_urls_emails_and_names() -> None:
    a = skeleton("Translate 'good morning' to French for Alice, see https://x.io/a, mail a@b.com")
    b = skeleton('Translate "thank you" to French for Bob, see http://y.org, mail c.d@e.co.uk')
    assert a == b
    assert skeleton("What is 17 * 23?")[1] == skeleton("What is 4 * 5?")[1]
    assert skeleton("Fix `foo()` please")[1] == skeleton("Fix `bar.baz(1)` please")[1]
    fence_a = skeleton("Review this:\n```py\nx = 1\n```\nThanks")
    fence_b = skeleton("Review this:\n```js\nlet y = [2, 3];\n```\nThanks")
    assert fence_a == fence_b


def test_skeleton_keeps_sentence_initial_capitals_as_words() -> None:
    _, masked, _ = skeleton("Who was Napoleon?")
    assert masked == ("who", "was", "\x00")
    _, masked, _ = skeleton("Napoleon was who?")
    assert masked[0] == "napoleon"


def test_skeleton_masks_pasted_documents() -> None:
    doc_a = " ".join(f"alpha{i} beta of the gamma" for i in range(20))
    doc_b = " ".join(f"delta{i} in a sigma" for i in range(20))
    a = skeleton(f"Summarize the following article:\n\n{doc_a}\n\nAnswer in one sentence.")
    b = skeleton(f"Summarize the following article:\n\n{doc_b}\n\nAnswer in one sentence.")
    assert a == b


def test_skeleton_of_empty_and_symbol_only_text() -> None:
    assert skeleton("") == ((), (), 0)
    assert skeleton("?!... ---") == ((), (), 0)


def test_ascii_tokens_keep_case_and_mark_sentence_ends() -> None:
    text = "Why don't my_var & X-ray 3.14 work?\nSee: foo.bar!"
    tokens = ascii_tokens(text)
    assert tokens[:4] == [b"Why", b"don", b"t", b"my"]
    assert tokens.count(b".") == 5  # "3.14", "?", newline, "foo.bar", "!"
    assert [t.lower() for t in tokens if t != b"."] == ascii_words(text.lower())


def test_segments_cut_like_one_regex_split() -> None:
    """Two fast searches merged give exactly what ``re.split`` of the joint pattern gives."""
    joint = re.compile(r"\n[ \t]*\n|:[ \t]*\n")
    rng = random.Random(2)
    parts = ["\n", ":", " ", "\t", "a", "b c", ": ", "\n\n", " \n", ":\n", "\t\n", "x:"]
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 30)))
        assert _segments(text) == joint.split(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Explain photosynthesis in detail, step by step.",
        "What is the capital of Peru?",
        'Translate "thank you" to French for Bob.',
        "Summarize the following article:\n\n" + "alpha beta gamma " * 30 + "\n\nBe brief.",
        " ".join(f"Topic {i} of the general theory." for i in range(40)),
    ],
)
def test_template_key_is_the_frame_or_the_masked_text(text: str) -> None:
    frame, masked, literals = skeleton(text)
    expected = "\x01" + " ".join(frame) if literals >= 4 else "\x02" + " ".join(masked)
    assert template_keys(text).whole == expected
    if text.isascii():  # the caller's tokens give the same key
        assert template_keys(text, tokens=ascii_tokens(text)).whole == expected


def test_template_keys_find_a_fixed_head_and_tail_around_a_free_question() -> None:
    questions = (
        "What causes inflation in developing economies?",
        "How does photosynthesis convert light into chemical energy?",
    )
    prefixed = [
        template_keys(f"Write a long-form answer (at least 800 words) to: {q}") for q in questions
    ]
    assert prefixed[0].whole != prefixed[1].whole
    assert prefixed[0].head == prefixed[1].head != ""
    suffixed = [template_keys(f"[biology] {q} Answer comprehensively.") for q in questions]
    assert suffixed[0].whole != suffixed[1].whole
    assert suffixed[0].tail == suffixed[1].tail != ""
    # A short question has no head or tail of its own: its whole skeleton says it all.
    assert template_keys("What is the capital of Peru?")[1:] == ("", "")
    # A frame that ends in a filler has no tail.
    assert template_keys("Please explain to me how this works for photosynthesis").tail == ""


@pytest.mark.parametrize(
    ("prompt", "head", "tail"),
    [
        ("### Instruction:\nWhat is rain?\n\n### Response:", "\x05instruction", "\x06response"),
        ("Q: Why is the sky blue?\nA:", "\x05q why is the sky blue", "\x06a"),
        # A greeting, a code fence or a two-word label with its value are no headings: the
        # frame's words are read instead.
        ("Hi,\nrust lifetimes\nthanks", "", ""),
        ("```python\nprint(1)\n```", "", ""),
        ("Topic: rain\nField: physics", "", ""),
    ],
)
def test_template_heads_and_tails_read_heading_lines(prompt: str, head: str, tail: str) -> None:
    keys = template_keys(prompt)
    assert (keys.head, keys.tail) == (head, tail)
