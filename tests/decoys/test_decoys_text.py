"""Splitting answers into rewritable prose and protected spans."""

from __future__ import annotations

import random

import pytest
from decoys_samples import MIXED

from guard.decoys.text import (
    CODE,
    INLINE,
    MARKUP,
    PROSE,
    URL,
    TextState,
    boundaries,
    safe_cut,
    segments,
)


def kinds(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for segment in segments(text):
        out[segment.kind] = out.get(segment.kind, "") + segment.text
    return out


def test_segments_concatenate_back_to_the_text() -> None:
    assert "".join(s.text for s in segments(MIXED)) == MIXED


def test_protected_spans() -> None:
    found = kinds(MIXED)
    assert "for i in range(len(urls)):" in found[CODE]
    assert '"retries": 3' in found[CODE]
    assert "`pip install requests`" in found[INLINE]
    assert "https://example.com/docs?page=2" in found[URL]
    assert "admin@example.org" in found[URL]
    assert "## " in found[MARKUP] and "1. " in found[MARKUP] and "```python" in found[MARKUP]
    assert "range(" not in found[PROSE] and "example.com" not in found[PROSE]


def test_url_keeps_its_trailing_punctuation_out() -> None:
    parts = segments("See https://example.com/a.")
    assert [(s.kind, s.text) for s in parts] == [
        (PROSE, "See "),
        (URL, "https://example.com/a"),
        (PROSE, "."),
    ]


def test_state_carries_fences_and_inline_code_across_pieces() -> None:
    state = TextState()
    pieces = []
    for line in MIXED.splitlines(keepends=True):
        cut = line.find(" ", len(line) // 2)
        halves = [line[:cut], line[cut:]] if cut > 0 else [line]
        for half in halves:
            pieces.extend(segments(half, state))
    protected = {CODE, INLINE, URL}
    joined = "".join(s.text for s in pieces if s.kind in protected)
    assert "for i in range(len(urls)):" in joined and "install requests`" in joined
    assert "`pip" in joined and "example.com/docs" in joined
    prose = "".join(s.text for s in pieces if s.kind == PROSE)
    assert "install requests" not in prose and "range(" not in prose
    assert '"retries"' not in prose


def test_safe_cut() -> None:
    assert safe_cut("no end yet") == 0
    assert safe_cut("a line\nand more") == len("a line\n")
    long = "word " * 50 + "tail"
    assert safe_cut(long, 200) == 205  # the first space past 200, not the last one
    assert safe_cut("One sentence. " + "x" * 200, 200) == len("One sentence. ")
    assert safe_cut("x" * 900, 200) == 900
    assert safe_cut("x" * 300, 200) == 0


@pytest.mark.parametrize("seed", range(20))
def test_streams_are_cut_at_the_texts_own_boundaries(seed: int) -> None:
    """However a text arrives, the buffer is cut only where :func:`boundaries` says, so
    what is rewritten clause by clause is the same whole or streamed."""
    rng = random.Random(seed)
    words = ["word", "and", "more.", "clause;", "x" * 30, "end!", "yes:", "a"]
    text = "".join(
        rng.choice(words) + rng.choice([" ", " ", " ", "  ", "\n", "\t"]) for _ in range(400)
    )
    allowed = set(boundaries(text, 60))
    buffer, at, cuts, i = "", 0, [], 0
    while i < len(text):
        step = rng.randint(1, 25)
        buffer += text[i : i + step]
        i += step
        cut = safe_cut(buffer, 60)
        if cut:
            at += cut
            cuts.append(at)
            buffer = buffer[cut:]
    assert cuts and set(cuts) <= allowed


def test_a_line_of_code_cut_in_a_stream_stays_code() -> None:
    state = TextState()
    first = segments("    total = sum(values) + offset. ", state)
    rest = segments("More of the same line, still code.\nProse again.\n", state)
    assert [s.kind for s in first] == [CODE]
    assert [s.kind for s in rest] == [CODE, PROSE]
