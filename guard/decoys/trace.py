"""Tracing: which key's answers a suspect text (a student model's output) descends from.

For every candidate key id, the watermark test of :mod:`guard.decoys.watermark` on all the
texts together (units are pooled, so evidence adds up across texts) and the key's canaries
found in them. With many candidates, the smallest p-value is bound to be small by chance,
so each result also carries the Bonferroni-adjusted p-value (p times the number of
candidates, capped at 1): the figure to judge when the key was not suspected beforehand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guard.decoys.canary import Canaries
from guard.decoys.formats import ROUTES, response_texts
from guard.decoys.watermark import Watermarker, WatermarkScore

__all__ = ["KeyTrace", "key_ids_in", "read_texts", "trace"]

_KEY_ID = re.compile(r"\bk_[0-9a-f]{32}\b")
_TEXT_FIELDS = ("text", "content", "completion", "output", "response", "answer")


@dataclass(frozen=True, slots=True)
class KeyTrace:
    """The evidence against one key id."""

    key_id: str
    watermark: WatermarkScore
    adjusted_p: float
    canaries: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        score = self.watermark
        return {
            "key_id": self.key_id,
            "units": score.units,
            "agreement": round(score.agreement, 3),
            "expected": round(score.expected, 3),
            "z": round(score.z, 3),
            "p_value": score.p_value,
            "adjusted_p": self.adjusted_p,
            "canaries": list(self.canaries),
        }


def trace(secret: bytes | str, texts: Iterable[str], key_ids: Iterable[str]) -> list[KeyTrace]:
    """Test every key id on ``texts``; results ordered from the strongest evidence."""
    watermarker = Watermarker(secret)
    canaries = Canaries(secret)
    candidates = list(dict.fromkeys(key_ids))
    corpus = list(texts)
    units = watermarker.collect(corpus)
    found: dict[str, list[str]] = {}
    for text in corpus:
        for key_id, terms in canaries.find(text, candidates).items():
            known = found.setdefault(key_id, [])
            known.extend(term for term in terms if term not in known)
    results = []
    for key_id in candidates:
        score = watermarker.score(units, key_id)
        adjusted = min(1.0, score.p_value * len(candidates))
        results.append(KeyTrace(key_id, score, adjusted, tuple(found.get(key_id, ()))))
    results.sort(key=lambda r: (-len(r.canaries), r.watermark.p_value))
    return results


def key_ids_in(text: str) -> list[str]:
    """Every key id (``k_`` and 32 hex digits) in a text, e.g. an audit log, once each."""
    return list(dict.fromkeys(_KEY_ID.findall(text)))


def read_texts(path: str | Path, content: str | None = None) -> list[str]:
    """The texts of a file: JSON Lines (strings, objects with a text field, or API
    responses), a JSON array of those, or else the whole file as one text."""
    if content is None:
        content = Path(path).read_text(encoding="utf-8")
    stripped = content.lstrip()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except ValueError:
            return [content]
        if isinstance(values, list):
            return [t for value in values for t in _texts(value)]
    if stripped.startswith(("{", '"')):
        texts: list[str] = []
        for line in content.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except ValueError:
                return [content]
            texts.extend(_texts(value))
        return texts
    return [content]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, dict):
        return []
    for route in ROUTES:
        texts = [text for _, text in response_texts(route, value)]
        if texts:
            return texts
    for name in _TEXT_FIELDS:
        field = value.get(name)
        if isinstance(field, str):
            return [field]
    return []
