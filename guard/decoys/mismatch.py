"""The ``mismatch`` decoy's memory: genuine answers, grouped by semantic cell.

A mismatch decoy is a real answer of the model to a *different* prompt of the same cell: on
topic, fluent, in the model's own voice, and not an answer to what was asked. Each answer is
handed out ``reuse`` times at most: genuine answers do not repeat each other, and a decoy
that came back word for word would give itself away to anyone who deduplicates a harvest
(the engine then recombines the cell's answers instead, see :mod:`guard.decoys.synthetic`).
The bank keeps a few recent answers per cell, in an LRU of cells, so its memory is bounded
whatever the traffic.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass

from cachetools import LRUCache

__all__ = ["AnswerBank"]


@dataclass(slots=True)
class _Entry:
    prompt: str  # the digest of the prompt it answered
    text: str
    given: int = 0  # times handed out as a decoy


class AnswerBank:
    """Recent genuine answers per semantic cell (bounded: ``cells`` x ``per_cell``)."""

    def __init__(
        self, *, cells: int = 4096, per_cell: int = 6, max_chars: int = 16000, reuse: int = 1
    ) -> None:
        self._cells: LRUCache[int, deque[_Entry]] = LRUCache(maxsize=cells)
        self._per_cell = per_cell
        self._max_chars = max_chars
        self._reuse = reuse

    def __len__(self) -> int:
        return len(self._cells)

    def add(self, cell: int, prompt_digest: str, text: str) -> None:
        """Remember ``text`` as the answer to the prompt ``prompt_digest`` in ``cell``."""
        if not text.strip() or len(text) > self._max_chars:
            return
        answers = self._cells.get(cell)
        if answers is None:
            answers = self._cells[cell] = deque(maxlen=self._per_cell)
        if any(entry.prompt == prompt_digest for entry in answers):
            return
        answers.append(_Entry(prompt_digest, text))

    def texts(self, cell: int) -> list[str]:
        """The cell's remembered answers (without counting them as handed out)."""
        return [entry.text for entry in self._cells.get(cell, ())]

    def pick(self, cell: int, prompt_digest: str, rng: random.Random) -> str | None:
        """A remembered answer of ``cell`` to another prompt than ``prompt_digest``, handed
        out fewer than ``reuse`` times so far (``None``: there is none)."""
        answers = self._cells.get(cell)
        if not answers:
            return None
        others = [e for e in answers if e.prompt != prompt_digest and e.given < self._reuse]
        if not others:
            return None
        entry = rng.choice(others)
        entry.given += 1
        return entry.text
