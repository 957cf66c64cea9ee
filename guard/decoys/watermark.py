"""A keyed, invisible watermark written in word choices, and its statistical test.

Where an answer uses one of a set of interchangeable phrasings (:mod:`guard.decoys.variants`)
the watermark may replace it with the variant a keyed hash picks for that *unit*: the set
and the word before it (its context). The pick is drawn from the set's usual frequencies
(priors), so over many contexts a watermarked answer uses each variant as often as an
ordinary one does, and a reader or a frequency count sees nothing unusual; ``strength`` is
the share of units rewritten. Nothing is added that a filter could strip: no zero-width or
look-alike characters, only ordinary words.

Detection (:func:`score`) needs no model of the text: for a candidate key, under the null
hypothesis that the text was written without that key, the key's pick in each distinct
unit is an independent draw from the priors, whatever the text says. Conditional on the
text, each unit's statistic (the share of its occurrences that use the key's pick) thus
has an exactly known mean and variance, and their sum gives a z-score and a one-sided
p-value that are valid for any text, repetitive or not, natural or written by a model
trained on someone else's watermark. Repeated units are one unit, so a text cannot
inflate the evidence by repeating itself.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from guard.decoys.keyed import Keyed
from guard.decoys.text import CODE, INLINE, MARKUP, PROSE, URL, TextState, segments
from guard.decoys.variants import VariantSet, load_table

__all__ = ["Units", "WatermarkScore", "Watermarker", "collect", "score"]

_TOKEN = re.compile(
    r"(?P<w>[A-Za-z]+(?:['\u2019-][A-Za-z]+)*)|(?P<n>\d+(?:[.,]\d+)*)|(?P<s>[ \t]+)|(?P<nl>\s+)|."
)
_STOPS = frozenset(".!?:;")
_START = "<s>"
_OTHER = "<x>"
_NUMBER = "<n>"
_YU = ("us", "ut", "uni", "eu", "one")

Unit = tuple[int, str]  # (set id, context)
#: Per unit, how often the text used each of the set's variants.
Units = dict[Unit, list[int]]


@dataclass(slots=True)
class _Scan:
    """Context carried from one piece of an answer to the next."""

    ctx: str = _START
    prev: str = ""  # the previous word, lower case ("" after a boundary)
    curly: bool = False  # the text writes apostrophes as U+2019
    text: TextState = field(default_factory=TextState)


class _Index:
    """The variant table, indexed by the first token of every form (longest forms first)."""

    def __init__(self, sets: list[VariantSet]) -> None:
        self.sets = sets
        index: dict[str, list[tuple[tuple[str, ...], VariantSet, int]]] = {}
        single: dict[str, str] = {}
        for variant_set in sets:
            for i, form in enumerate(variant_set.forms):
                index.setdefault(form[0], []).append((form, variant_set, i))
                if len(form) == 1:
                    single[form[0]] = f"#{variant_set.id}"
        for entries in index.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self.first = index
        self.single = single
        self.cumulative = [list(accumulate(s.priors)) for s in sets]

    def context(self, word: str) -> str:
        if word in ("a", "an"):
            return "a"
        return self.single.get(word, word)


_DEFAULT: _Index | None = None


def _default_index() -> _Index:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _Index(load_table())
    return _DEFAULT


Visit = Callable[[VariantSet, int, str, list[str], int, int], None]


def _scan(text: str, state: _Scan, index: _Index, visit: Visit) -> list[str]:
    """Tokenise ``text`` and call ``visit(set, variant, ctx, tokens, start, end)`` on every
    occurrence of a variant; returns the tokens (``visit`` may rewrite them in place)."""
    if "\u2019" in text:
        state.curly = True
    tokens: list[str] = []
    for segment in segments(text, state.text):
        if segment.kind != PROSE:
            tokens.append(segment.text)
            if segment.kind in (CODE, MARKUP) or "\n" in segment.text:
                state.ctx, state.prev = _START, ""
            elif segment.kind in (INLINE, URL):
                state.ctx, state.prev = _OTHER, ""
            continue
        base = len(tokens)
        kinds: list[str] = []
        for match in _TOKEN.finditer(segment.text):
            tokens.append(match.group())
            kinds.append(match.lastgroup or "p")
        _scan_prose(tokens, kinds, base, state, index, visit)
    return tokens


def _scan_prose(
    tokens: list[str],
    kinds: list[str],
    base: int,
    state: _Scan,
    index: _Index,
    visit: Visit,
) -> None:
    i = 0
    count = len(kinds)
    first, single = index.first, index.single
    while i < count:
        kind = kinds[i]
        token = tokens[base + i]
        if kind == "s":
            i += 1
            continue
        if kind == "nl":
            state.ctx, state.prev = _START, ""
            i += 1
            continue
        if kind == "n":
            state.ctx, state.prev = _NUMBER, ""
            i += 1
            continue
        if kind != "w":
            if token in _STOPS:
                state.ctx, state.prev = _START, ""
            i += 1
            continue
        lower = token.lower()
        if "\u2019" in lower:
            lower = lower.replace("\u2019", "'")
        matched = _match(tokens, kinds, base, i, lower, state, index) if lower in first else None
        if matched is None:
            state.ctx = "a" if lower == "an" else single.get(lower, lower)
            state.prev = lower
            i += 1
            continue
        variant_set, variant, end = matched
        visit(variant_set, variant, state.ctx, tokens, base + i, base + end)
        state.ctx, state.prev = f"#{variant_set.id}", tokens[base + end - 1].lower()
        i = end


def _match(
    tokens: list[str],
    kinds: list[str],
    base: int,
    i: int,
    lower: str,
    state: _Scan,
    index: _Index,
) -> tuple[VariantSet, int, int] | None:
    candidates = index.first.get(lower)
    if not candidates:
        return None
    token = tokens[base + i]
    if len(token) > 1 and token.isupper() and lower not in ("i", "i'm", "i'll", "i'd"):
        return None
    if token[0].isupper() and state.ctx not in (_START, _OTHER) and lower[0] != "i":
        return None  # a capital mid-sentence: a name or a title, leave it alone
    count = len(kinds)
    for form, variant_set, variant in candidates:
        j = i + 1
        ok = True
        for part in form[1:]:
            if part == ",":
                if j < count and tokens[base + j] == ",":
                    j += 1
                    continue
                ok = False
                break
            if j < count and kinds[j] == "s":
                j += 1
            if (
                j < count
                and kinds[j] == "w"
                and tokens[base + j].lower().replace("\u2019", "'") == part
                and not tokens[base + j][0].isupper()
            ):
                j += 1
                continue
            ok = False
            break
        if not ok:
            continue
        k = j + 1 if j < count and kinds[j] == "s" else j
        following = tokens[base + k] if k < count and kinds[k] != "nl" else None
        if following is not None and kinds[k] == "n":
            following = "0"
        if not variant_set.allows_next(following):
            continue
        if state.prev in variant_set.not_after:
            continue
        return variant_set, variant, j
    return None


def _pick(index: _Index, variant_set: VariantSet, u: float) -> int:
    cumulative = index.cumulative[variant_set.id]
    return min(bisect_right(cumulative, u), len(cumulative) - 1)


class Watermarker:
    """Writes and tests the watermark of a secret: one instance serves every key."""

    def __init__(self, secret: bytes | str, *, sets: list[VariantSet] | None = None) -> None:
        self.keyed = Keyed(secret, "watermark")
        self.index = _Index(sets) if sets is not None else _default_index()

    def choice(self, key_id: str, unit: Unit) -> tuple[float, int]:
        """(the unit's rewrite draw in [0, 1), the variant the key picks for it)."""
        set_id, ctx = unit
        variant_set = self.index.sets[set_id]
        apply = self.keyed.unit(key_id, "apply", set_id, ctx)
        pick = _pick(self.index, variant_set, self.keyed.unit(key_id, "pick", set_id, ctx))
        return apply, pick

    def apply(self, text: str, key_id: str, strength: float = 0.5) -> str:
        """``text`` with ``key_id``'s watermark, at ``strength`` (share of units rewritten)."""
        return self.rewriter(key_id, strength)(text)

    def rewriter(self, key_id: str, strength: float = 0.5) -> Callable[[str], str]:
        """A function rewriting an answer piece by piece, in order (for streams)."""
        state = _Scan()
        index = self.index
        cache: dict[Unit, tuple[float, int]] = {}

        def visit(
            variant_set: VariantSet, variant: int, ctx: str, tokens: list[str], i: int, j: int
        ) -> None:
            unit = (variant_set.id, ctx)
            drawn = cache.get(unit)
            if drawn is None:
                drawn = cache[unit] = self.choice(key_id, unit)
            apply, pick = drawn
            if apply >= strength or pick == variant:
                return
            new = variant_set.texts[pick]
            if state.curly:
                new = new.replace("'", "\u2019")
            if tokens[i][0].isupper():
                new = new[0].upper() + new[1:]
            tokens[i] = new
            for k in range(i + 1, j):
                tokens[k] = ""
            _fix_article(tokens, i, new)

        def rewrite(piece: str) -> str:
            if strength <= 0 or not piece:
                return piece
            return "".join(_scan(piece, state, index, visit))

        return rewrite

    def collect(self, texts: Iterable[str], units: Units | None = None) -> Units:
        """Count the variants each text uses per unit (add to ``units`` if given)."""
        return collect(texts, units, index=self.index)

    def score(self, units: Units, key_id: str) -> WatermarkScore:
        """Test ``key_id``'s watermark on counted units."""
        return score(units, key_id, self)


def collect(
    texts: Iterable[str], units: Units | None = None, *, index: _Index | None = None
) -> Units:
    """Count the variants used per unit over ``texts`` (each text scanned on its own)."""
    index = index or _default_index()
    units = {} if units is None else units

    def visit(
        variant_set: VariantSet, variant: int, ctx: str, tokens: list[str], i: int, j: int
    ) -> None:
        counts = units.setdefault((variant_set.id, ctx), [0] * len(variant_set.forms))
        counts[variant] += 1

    for text in texts:
        if not any(c.islower() for c in text):
            text = text.lower()  # a shouted copy: read its words, not its case
        _scan(text, _Scan(), index, visit)
    return units


@dataclass(frozen=True, slots=True)
class WatermarkScore:
    """The test of one key's watermark: ``z`` and its one-sided ``p_value``.

    ``units`` is the number of distinct (set, context) units that carried evidence and
    ``agreement`` the summed share of their occurrences that used the key's pick, against
    ``expected`` under the null hypothesis.
    """

    key_id: str
    units: int
    agreement: float
    expected: float
    z: float
    p_value: float


def score(units: Units, key_id: str, watermarker: Watermarker) -> WatermarkScore:
    """The watermark test of ``key_id`` on ``units`` (see the module docstring)."""
    index = watermarker.index
    total = mean = variance = 0.0
    used = 0
    for unit, counts in units.items():
        n = sum(counts)
        if n == 0:
            continue
        priors = index.sets[unit[0]].priors
        shares = [c / n for c in counts]
        m = sum(p * s for p, s in zip(priors, shares, strict=True))
        v = sum(p * s * s for p, s in zip(priors, shares, strict=True)) - m * m
        if v <= 1e-12:
            continue
        _, pick = watermarker.choice(key_id, unit)
        total += shares[pick]
        mean += m
        variance += v
        used += 1
    if used == 0:
        return WatermarkScore(key_id, 0, 0.0, 0.0, 0.0, 1.0)
    z = (total - mean) / math.sqrt(variance)
    return WatermarkScore(key_id, used, total, mean, z, _upper_tail(z))


def _upper_tail(z: float) -> float:
    """P(Z >= z) for a standard normal Z, accurate far into the tail."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _fix_article(tokens: list[str], i: int, new: str) -> None:
    """Make a preceding "a"/"an" agree with the word that now follows it."""
    k = i - 1
    if k >= 0 and tokens[k] in (" ",):
        k -= 1
    if k < 0 or tokens[k].lower() not in ("a", "an"):
        return
    first = new.split(" ", 1)[0].lower()
    vowel = first[:1] in ("a", "e", "i", "o", "u") and not first.startswith(_YU)
    article = "an" if vowel else "a"
    old = tokens[k]
    if old.lower() != article:
        tokens[k] = article.capitalize() if old[0].isupper() else article
