"""The ``synthetic`` decoy: new text in the voice of recent genuine answers.

A sentence-level Markov model: the answer borrows the *layout* of one recent genuine
answer (paragraphs, lists, headings, code blocks, the number and length of sentences per
line) and fills each sentence slot with a sentence drawn, without repetition, from that
answer and the recent answers closest to it in vocabulary (a few of them, occasionally a
walk of a word chain of order 3 over them instead, for sentences never seen verbatim).
Every sentence is fluent, the whole is on one subject, sentences fit the slot's length and
lean to the prompt's words, and none of it answers the question. The layout is drawn at
random rather than by topic: picking the same few "best" answers again and again would
make decoys share text with each other, which a classifier learns quickly (measured in
benchmarks/decoys.py). Memory is bounded: ``answers`` texts of at most ``max_chars`` each.
"""

from __future__ import annotations

import random
import re
from collections import deque

__all__ = ["MarkovWriter"]

_END = ""
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(*])")
_MARKER = re.compile(r"^(\s*(?:\d{1,3}[.)]|[-*+]|#{1,6}|>)\s+)")
_WORD = re.compile(r"[a-z]{4,}")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class MarkovWriter:
    """Recent genuine answers of one route, and the chains that imitate them."""

    def __init__(
        self,
        *,
        answers: int = 200,
        max_chars: int = 16000,
        order: int = 3,
        sources: int = 3,
        candidates: int = 1,
        walks: float = 0.05,
    ) -> None:
        self._candidates = candidates
        self._walks = walks
        self._order = order
        self._sources = sources
        self._texts: deque[tuple[str, frozenset[str]]] = deque(maxlen=answers)
        self._max_chars = max_chars

    def __len__(self) -> int:
        return len(self._texts)

    def add(self, text: str) -> None:
        if text.strip() and len(text) <= self._max_chars:
            self._texts.append((text, frozenset(_WORD.findall(text[:3000].lower()))))

    def write(self, rng: random.Random, prompt: str, layout: str | None = None) -> str:
        """A synthetic answer to ``prompt`` in the layout of ``layout`` (default: the most
        on-topic recent answer's). Empty when no genuine answer has been seen yet.

        The chain is built from the few recent answers sharing most words with the prompt:
        a decoy drawn from every topic at once would read (and count) unlike any answer.
        """
        if not self._texts:
            return ""
        keywords = frozenset(_WORD.findall(prompt.lower()))
        texts = list(self._texts)
        if layout is None:
            # the most on-topic of a few answers drawn at random (never the same hubs)
            drawn = rng.sample(texts, min(self._candidates, len(texts)))
            layout, words = max(drawn, key=lambda item: len(keywords & item[1]) + rng.random())
        else:
            words = frozenset(_WORD.findall(layout[:3000].lower()))
        similar = sorted(
            (item for item in texts if item[0] != layout),
            key=lambda item: -len(words & item[1]) / (1 + len(words | item[1])),
        )
        sources = [layout, *(text for text, _ in similar[: self._sources - 1])]
        chain = _Chain(sources, self._order, self._walks)
        if not chain.starts:
            return ""
        out: list[str] = []
        fence = ""
        for line in layout.splitlines(keepends=True):
            ending = "\n" if line.endswith("\n") else ""
            body = line[: len(line) - len(ending)]
            opened = _FENCE.match(body)
            if fence or opened:
                out.append(line)  # code is copied from the layout answer as it is
                if opened and not fence:
                    fence = opened.group(1)
                elif opened and body.strip().startswith(fence):
                    fence = ""
                continue
            if not body.strip() or body.lstrip().startswith("|"):
                out.append(line)
                continue
            marker = _MARKER.match(body)
            prefix = marker.group(1) if marker else ""
            rest = body[len(prefix) :]
            if prefix.lstrip().startswith("#"):
                out.append(line)  # headings name the layout answer's parts: keep them
                continue
            sentences = [
                chain.sentence(rng, keywords, len(model.split()))
                for model in _SENTENCE_SPLIT.split(rest.strip())
            ]
            out.append(prefix + " ".join(sentences) + ending)
        return "".join(out)


class _Chain:
    """A word chain of some order over the sentences of a few answers, and the sentences
    themselves (each used at most once per answer)."""

    def __init__(self, texts: list[str], order: int, walks: float = 0.3) -> None:
        self.next: dict[tuple[str, ...], list[str]] = {}
        self.starts: list[tuple[str, ...]] = []
        self.pool: list[str] = []
        self.walks = walks
        for text in texts:
            for sentence in _sentences(text):
                if sentence not in self.pool:
                    self.pool.append(sentence)
                words = sentence.split()
                if len(words) <= order:
                    continue
                self.starts.append(tuple(words[:order]))
                padded = [*words, _END]
                for i in range(len(padded) - order):
                    self.next.setdefault(tuple(padded[i : i + order]), []).append(padded[i + order])

    def sentence(self, rng: random.Random, keywords: frozenset[str], length: int) -> str:
        """A genuine sentence of the sources, or (share ``walks``) a walk of the chain: the
        best of a few candidates, on topic and about ``length`` words long."""
        best, best_score = "", -1e9
        walk = rng.random() < self.walks or not self.pool
        picked = -1
        for _ in range(6):
            if walk:
                words = self._walk(rng)
            else:
                index = rng.randrange(len(self.pool))
                words = self.pool[index].split()
            text = " ".join(words)
            score = (
                0.3 * len(keywords & set(_WORD.findall(text.lower())))
                - abs(len(words) - length) / max(4, length / 2)
                + rng.random() * 0.5
            )
            if score > best_score:
                best, best_score = text, score
                picked = -1 if walk else index
        if picked >= 0 and len(self.pool) > 1:
            self.pool[picked] = self.pool[-1]
            self.pool.pop()
        return best

    def _walk(self, rng: random.Random) -> list[str]:
        state = rng.choice(self.starts)
        words = list(state)
        while len(words) < 60:
            options = self.next.get(state)
            if not options:
                break
            following = rng.choice(options)
            if following == _END:
                break
            words.append(following)
            state = (*state[1:], following)
        return words


def _sentences(text: str) -> list[str]:
    """Prose sentences of an answer (code blocks, tables and markers left out)."""
    found: list[str] = []
    fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fence = not fence
            continue
        if fence or not line.strip() or line.lstrip().startswith(("|", "    ")):
            continue
        body = _MARKER.sub("", line).strip()
        if body.startswith("#"):
            continue
        found.extend(s for s in _SENTENCE_SPLIT.split(body) if s)
    return found
