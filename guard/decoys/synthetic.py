"""The ``synthetic`` decoy: new text in the voice of recent genuine answers.

An answer borrows the *layout* of one recent genuine answer (paragraphs, lists, headings,
code blocks, tables, the number, length and kind of sentences per line: so decoys are as
long and as structured as genuine answers) and fills each sentence slot with a genuine
sentence of that answer or of the recent answers closest to it in vocabulary (those of the
prompt's semantic cell first). A slot takes a sentence of its own kind where it can: a list
item's sentence for a list item, a bold lead-in ("**Cost**: ...") for a lead-in, a sentence
ending in a colon before a code block or a list. Every sentence is fluent, the whole is on
one subject, and none of it answers the question.

What gives recombined text away is *recycling*: genuine answers never repeat each other's
sentences, while decoys drawn from one bounded corpus would, and a classifier (or a
harvester's near-duplicate filter) learns those repeats in a few hundred decoys (measured
in benchmarks/decoys.py). So the writer keeps count: every sentence goes into one decoy
before any goes into a second, a layout (with its headings and code) is lent once before
any is lent twice, and a sentence that must be used again is spliced to another one at a
shared pair of words, so its wording is new. Layouts are drawn at random among those lent
least (the cell's answers first), not by how many of the prompt's words they share: that
would prefer long answers. Memory is bounded: ``answers`` texts of at most ``max_chars``
characters each, with their counts.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import deque
from collections.abc import Iterable, Iterator

__all__ = ["SyntheticWriter"]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:])\s+(?=[A-Z0-9\"'(*])")
_MARKER = re.compile(r"^(\s*(?:\d{1,3}[.)]|[-*+]|>)\s+)")
_LEAD = re.compile(r"^(?:\*\*[^*\n]{1,60}\*\*|[A-Z][\w '/&()-]{0,40}:(?:\s|$))")
_WORD = re.compile(r"[a-z]{4,}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TRIES = 8  # candidate sentences scored per slot

#: What a sentence slot asks for: in a list item?, a lead-in?, its last punctuation mark,
#: and its place: "open" (the answer's first sentence), "close" (its last) or "".
Kind = tuple[bool, bool, str, str]


class _Answer:
    """A genuine answer, its prose sentences, and how often decoys have borrowed them."""

    __slots__ = ("kinds", "layouts", "sentences", "text", "used", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = frozenset(_WORD.findall(text[:3000].lower()))
        slots = [slot for _, _, sentences in _lines(text) for slot in sentences]
        self.sentences = [sentence for sentence, _ in slots]
        self.kinds = [(*kind, "") for _, kind in slots]
        if slots:
            self.kinds[-1] = (*self.kinds[-1][:3], "close")
            self.kinds[0] = (*self.kinds[0][:3], "open")
        self.used = [0] * len(slots)
        self.layouts = 0


class SyntheticWriter:
    """Recent genuine answers of one route, and the decoys recombined from them."""

    def __init__(
        self,
        *,
        answers: int = 200,
        max_chars: int = 16000,
        sample: int = 24,
        rank: int = 256,
        sources: int = 6,
    ) -> None:
        self._answers: deque[_Answer] = deque()
        self._by_text: dict[str, _Answer] = {}
        self._limit = answers
        self._max_chars = max_chars
        self._sample = sample  # answers drawn to pick a layout from
        self._rank = rank  # answers drawn to find the layout's closest ones among
        self._sources = sources
        self._unlent = 0  # answers never lent as a layout yet

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def hungry(self) -> bool:
        """Fewer than a quarter of the answers it can hold are still unlent: decoys will
        start repeating layouts unless more genuine answers are recorded."""
        return self._unlent < self._limit // 4

    def add(self, text: str) -> None:
        """Remember a genuine answer."""
        if not text.strip() or len(text) > self._max_chars or text in self._by_text:
            return
        if len(self._answers) >= self._limit:
            old = self._answers.popleft()
            del self._by_text[old.text]
            self._unlent -= old.layouts == 0
        answer = _Answer(text)
        self._answers.append(answer)
        self._by_text[text] = answer
        self._unlent += 1

    def spend(self, text: str) -> None:
        """``text`` was handed out whole (a mismatch decoy): lend it and its sentences no
        more than any other."""
        answer = self._by_text.get(text)
        if answer is not None:
            self._lend(answer)
            answer.used = [max(1, n) for n in answer.used]

    def _lend(self, answer: _Answer) -> None:
        self._unlent -= answer.layouts == 0
        answer.layouts += 1

    def write(
        self,
        rng: random.Random,
        prompt: str,
        layout: str | None = None,
        related: Iterable[str] = (),
    ) -> str:
        """A synthetic answer to ``prompt`` in the layout of ``layout`` (default: a recent
        answer lent least often). ``related``: texts of genuine answers to prompts of the
        same semantic cell, preferred as layout and sources. Empty when no genuine answer
        has been seen yet.
        """
        if not self._answers:
            return ""
        keywords = frozenset(_WORD.findall(prompt.lower()))
        near = [self._by_text[text] for text in related if text in self._by_text]
        if layout is None:
            answers = self._answers
            count = min(self._sample, len(answers))
            drawn = [answers[i] for i in rng.sample(range(len(answers)), count)]
            chosen = min(near + drawn, key=lambda a: (a.layouts, a not in near, rng.random()))
            self._lend(chosen)
        else:
            chosen = self._by_text.get(layout) or _Answer(layout)
        pool = _Pool(self._sources_for(rng, chosen, near))
        if not pool.slots:
            return ""
        out: list[str] = []
        kinds = iter(chosen.kinds)
        for line, prefix, sentences in _lines(chosen.text):
            if not sentences:
                out.append(line)  # code, tables, headings and blank lines as they are
                continue
            ending = "\n" if line.endswith("\n") else ""
            words = [
                pool.sentence(rng, keywords, len(model.split()), next(kinds))
                for model, _ in sentences
            ]
            out.append(prefix + " ".join(words) + ending)
        return "".join(out)

    def _sources_for(
        self, rng: random.Random, chosen: _Answer, near: list[_Answer]
    ) -> list[_Answer]:
        """The layout answer, the cell's answers, and as few of the recent answers closest
        to the layout in vocabulary as it takes to have unused sentences for every slot
        (and some choice). Few sources keep a decoy on one subject: a mix of many answers
        repeats its topic words less than any one answer does, which shows."""
        sources = [chosen, *(a for a in near if a is not chosen)]
        want = 1.5 * len(chosen.sentences)
        fresh = sum(a.used.count(0) for a in sources)
        if fresh >= want and len(sources) >= 2:
            return sources
        answers = self._answers
        count = min(self._rank, len(answers))
        words = chosen.words
        ranked = sorted(
            (answers[i] for i in rng.sample(range(len(answers)), count)),
            key=lambda a: -len(words & a.words) / (1 + len(words | a.words)),
        )
        for answer in ranked:
            if len(sources) >= self._sources or (fresh >= want and len(sources) >= 2):
                break
            if answer not in sources and 0 in answer.used:
                sources.append(answer)
                fresh += answer.used.count(0)
        return sources


class _Pool:
    """The sentences of a few answers, each drawn least-used first, of the slot's kind
    where one is left."""

    def __init__(self, sources: list[_Answer]) -> None:
        self.slots = [(a, i) for a in sources for i in range(len(a.sentences))]

    def sentence(
        self, rng: random.Random, keywords: frozenset[str], length: int, kind: Kind
    ) -> str:
        """The best of a few sentences: unused, of ``kind``, on topic, about ``length``
        words long."""
        least = min(a.used[i] for a, i in self.slots)
        fresh = [(a, i) for a, i in self.slots if a.used[i] == least]
        candidates = (
            [(a, i) for a, i in fresh if a.kinds[i] == kind]
            or [(a, i) for a, i in fresh if a.kinds[i][2:] == kind[2:]]
            or [(a, i) for a, i in fresh if a.kinds[i][2] == kind[2]]
            or fresh
        )
        best = candidates[0]
        best_score = -1e9
        for answer, index in rng.sample(candidates, min(_TRIES, len(candidates))):
            text = answer.sentences[index]
            score = (
                0.3 * len(keywords & set(_WORD.findall(text.lower())))
                - abs(len(text.split()) - length) / max(4, length / 2)
                + rng.random() * 0.5
            )
            if score > best_score:
                best, best_score = (answer, index), score
        answer, index = best
        answer.used[index] += 1
        text = answer.sentences[index]
        return self._splice(rng, text) if least else text

    def _splice(self, rng: random.Random, text: str) -> str:
        """``text`` again, in new words: its head joined to another sentence's tail where
        both have the same two words (the seam reads as either sentence would)."""
        words = text.split()
        seams = {
            (a.lower(), b.lower()): k for k, (a, b) in enumerate(itertools.pairwise(words)) if k
        }
        for answer, index in rng.sample(self.slots, min(24, len(self.slots))):
            other = answer.sentences[index].split()
            if other == words:
                continue
            for j in range(1, len(other) - 2):
                k = seams.get((other[j].lower(), other[j + 1].lower()))
                if k is not None and k + 2 < len(words):
                    return " ".join(words[: k + 2] + other[j + 2 :])
        return text


def _lines(text: str) -> Iterator[tuple[str, str, list[tuple[str, tuple[bool, bool, str]]]]]:
    """Each line of an answer as (line, marker, sentences with their kinds); no sentences
    for what is copied as it is (code blocks, indented code, tables, headings, blanks)."""
    fence = ""
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        opened = _FENCE.match(body)
        if fence or opened:
            if opened and not fence:
                fence = opened.group(1)
            elif opened and body.strip().startswith(fence):
                fence = ""
            yield line, "", []
            continue
        stripped = body.strip()
        if not stripped or stripped.startswith(("|", "#")) or body.startswith(("    ", "\t")):
            yield line, "", []
            continue
        marker = _MARKER.match(body)
        prefix = marker.group(1) if marker else ""
        parts = [s for s in _SENTENCE_SPLIT.split(body[len(prefix) :].strip()) if s]
        item = bool(prefix.strip()) and not prefix.strip().startswith(">")
        yield (
            line,
            prefix,
            [
                (part, (item, k == 0 and bool(_LEAD.match(part)), _end(part)))
                for k, part in enumerate(parts)
            ],
        )


def _end(sentence: str) -> str:
    tail = sentence.rstrip("\"')*_`]")
    return tail[-1] if tail and tail[-1] in ".:?!" else ""
