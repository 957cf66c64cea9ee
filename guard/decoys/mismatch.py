"""The ``mismatch`` decoy's memory: genuine answers, grouped by semantic cell.

A mismatch decoy is a real answer of the model to a *different* prompt of the same cell: on
topic, fluent, in the model's own voice, and not an answer to what was asked. The bank keeps
a few recent answers per cell, in an LRU of cells, so its memory is bounded whatever the
traffic.
"""

from __future__ import annotations

import random
from collections import deque

from cachetools import LRUCache

__all__ = ["AnswerBank"]


class AnswerBank:
    """Recent genuine answers per semantic cell (bounded: ``cells`` x ``per_cell``)."""

    def __init__(self, *, cells: int = 4096, per_cell: int = 6, max_chars: int = 16000) -> None:
        self._cells: LRUCache[int, deque[tuple[str, str]]] = LRUCache(maxsize=cells)
        self._per_cell = per_cell
        self._max_chars = max_chars

    def __len__(self) -> int:
        return len(self._cells)

    def add(self, cell: int, prompt_digest: str, text: str) -> None:
        """Remember ``text`` as the answer to the prompt ``prompt_digest`` in ``cell``."""
        if not text.strip() or len(text) > self._max_chars:
            return
        answers = self._cells.get(cell)
        if answers is None:
            answers = self._cells[cell] = deque(maxlen=self._per_cell)
        if any(digest == prompt_digest for digest, _ in answers):
            return
        answers.append((prompt_digest, text))

    def pick(self, cell: int, prompt_digest: str, rng: random.Random) -> str | None:
        """A remembered answer of ``cell`` to another prompt than ``prompt_digest``."""
        answers = self._cells.get(cell)
        if not answers:
            return None
        others = [text for digest, text in answers if digest != prompt_digest]
        return rng.choice(others) if others else None
