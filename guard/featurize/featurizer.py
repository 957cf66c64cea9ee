"""The featurizer: prompt text in, :class:`~guard.models.Features` out.

It runs on every request, so the per-request work is kept to C-level loops: one
``bytes.translate`` + ``split`` to tokenise ASCII text, one dictionary hit per token, and
``map``/``sum`` over cached per-term big integers for the SimHash. Everything that depends
only on a word (its stem, weight, keyed hashes, SimHash spread) is computed once, on a cache
miss. docs/featurizer.md explains the scheme and its measured behaviour.
"""

from __future__ import annotations

import math
import struct
from collections import Counter
from collections.abc import Callable
from itertools import chain, compress, islice, repeat
from operator import attrgetter, lt, mul, xor
from typing import Generic, TypeVar

import mmh3

from guard.featurize.lsh import band_keys, band_layout, race_winner
from guard.featurize.normalize import (
    SKELETON_CHARS,
    ascii_marked,
    ascii_spaced,
    clip,
    inflections,
    is_spaceless,
    nfkc,
    split_spaceless,
    stem,
    template_keys,
    words,
)
from guard.featurize.simhash import MASK64, Lanes
from guard.featurize.words import COMMON_WORDS, FAMILIAR_WORDS, GENERIC_WORDS, STOP_WORDS
from guard.models import Features, PromptRequest

__all__ = ["Featurizer", "estimate_tokens"]

_DROP: frozenset[str] = STOP_WORDS | frozenset(
    form for w in GENERIC_WORDS for form in inflections(w)
)
_COMMON_STEMS: frozenset[str] = frozenset(stem(w) for w in COMMON_WORDS)
_FAMILIAR_STEMS: frozenset[str] = frozenset(stem(w) for w in FAMILIAR_WORDS) - _COMMON_STEMS
_NUMBER = "#"  # every number is this one term: arithmetic sweeps share a cell
_MAX_WQ = 31  # largest integer SimHash weight of a term
_BIGRAM_WQ = 5  # SimHash weight of each ordered pair of neighbouring terms
_BIGRAM_TERMS = 16  # bigrams only among the first terms: order matters in short prompts
_TF_CAP = 3  # repeats of a term beyond this add nothing to its salience
_TEMPLATE_CHARS = 4096
_MAX_CACHED_KEY = 64  # longer tokens are computed every time (and cut for their term)
_MIN_LITERALS = 4  # a frame needs this many phrasing words to be a template
_RUNNER_TERMS = 48  # distinct terms (from the start) among which the runners-up are found
_TWO_64 = float(1 << 64)
_DOUBLE = struct.Struct("<d")

V = TypeVar("V")
Token = str | bytes


class _BoundedCache(dict[Token, V], Generic[V]):
    """A dict that computes misses and, given a ``maxsize``, empties itself when full.

    Hits stay a C-level ``dict.__getitem__`` (``map`` can drive it without Python frames);
    a full cache is simply cleared, which bounds memory at the price of recomputing the
    working set, a few microseconds per word. Overlong keys (blobs, not words) are never
    stored, so the cache's size in bytes is bounded too.
    """

    def __init__(self, compute: Callable[[Token], V], maxsize: int | None) -> None:
        super().__init__()
        self._compute = compute
        self._maxsize = maxsize

    def __missing__(self, key: Token) -> V:
        value = self._compute(key)
        if len(key) <= _MAX_CACHED_KEY:
            if self._maxsize is not None and len(self) >= self._maxsize:
                self.clear()
            self[key] = value
        return value


def _rank(weight: float, h: int) -> int:
    """One integer that orders terms like ``(weight, -h)``: heavier first, then smaller hash.

    The bits of a non-negative IEEE double order like its value, so ``weight`` goes in the
    high 64 bits exactly (no rounding can merge two weights), ``~h`` in the low 64.
    """
    return int.from_bytes(_DOUBLE.pack(weight), "little") << 64 | (MASK64 ^ h)


def _weight_of(rank: int) -> float:
    """The weight a :func:`_rank` was made from."""
    weight: float = _DOUBLE.unpack((rank >> 64).to_bytes(8, "little"))[0]
    return weight


def estimate_tokens(text: str) -> int:
    """A cheap token estimate: ~4 characters per token, ~1 per CJK character."""
    if not text:
        return 0
    if text.isascii():
        return (len(text) + 3) // 4
    return (len(text.encode("utf-8", "surrogatepass")) + 2) // 3


class _Term:
    """One content unit (a stem, a CJK bigram, the number class) with its per-request needs.

    Instances are interned per unit, so identity comparison and the default identity hash
    are enough to count them. ``weighted`` is the term's SimHash contribution (its spread
    times its integer weight, that weight also in the count lane) tagged with its rank for
    the cell (see :func:`_rank` and :class:`Lanes`): one cached integer serves both.
    """

    __slots__ = ("h", "neg_log_u", "rank", "spread", "spread_rot", "text", "weight", "weighted")

    def __init__(self, text: str, weight: float, seed: int, lanes: Lanes) -> None:
        h128 = mmh3.hash128(text, seed)
        h = h128 & MASK64
        self.text = text
        self.h = h
        self.neg_log_u = -math.log(((h128 >> 64) + 0.5) / _TWO_64)
        self.weight = weight
        self.spread = lanes.spread(h)
        self.spread_rot = lanes.spread(((h << 17) | (h >> 47)) & MASK64)
        wq = max(1, min(_MAX_WQ, round(weight * 2.5)))
        self.rank = _rank(weight, h)
        self.weighted = lanes.weighted(self.spread, wq, self.rank)


class _TfFactor(dict[int, float]):
    """Salience multiplier of a term seen ``n`` times: 1, 1.5, 2, then flat."""

    def __missing__(self, n: int) -> float:
        factor = 0.5 + 0.5 * min(n, _TF_CAP)
        if len(self) < 8192:
            self[n] = factor
        return factor


_TF = _TfFactor()
_spread = attrgetter("spread")
_spread_rot = attrgetter("spread_rot")
_weighted = attrgetter("weighted")
_rank_attr = attrgetter("rank")
_weight = attrgetter("weight")


class Featurizer:
    """Derives a request's SimHash, LSH bands, coverage cell and template fingerprint.

    ``seed`` keys every hash; use a secret value in production so that nobody outside can
    predict which term names a cell. ``bands`` sets the near-duplicate sensitivity (fewer,
    wider bands: stricter). ``max_chars`` and ``max_terms`` bound the work on huge prompts
    (head and tail are kept). ``salient`` is how many of a prompt's heaviest terms compete
    for its cell (1: the heaviest term; more: a weighted MinHash race among them), and
    ``context_weight`` how much the previous user turn's terms count towards it (0 disables;
    a prompt without content words always falls back to its context). ``common_weight`` and
    ``familiar_weight`` scale the salience of everyday words. ``cache_size`` bounds the
    per-word caches (about 0.9 KB per cached word at most).

    One instance serves every request; it may be shared between threads, since its caches
    only ever hold values that are pure functions of their keys (the one race: a full cache
    emptied by one thread while another is mid-request can, for that request, count one
    term as two).
    """

    def __init__(
        self,
        *,
        bands: int = 4,
        seed: int = 0,
        max_chars: int = 8192,
        max_terms: int = 512,
        salient: int = 1,
        context_weight: float = 0.5,
        common_weight: float = 0.35,
        familiar_weight: float = 0.6,
        cache_size: int = 8192,
    ) -> None:
        if not 0 <= seed < 1 << 32:
            raise ValueError("seed must be an integer in [0, 2**32).")
        if max_chars < 64:
            raise ValueError("max_chars must be at least 64.")
        if not 1 <= max_terms <= 4096:
            raise ValueError("max_terms must be between 1 and 4096.")
        if salient < 1:
            raise ValueError("salient must be at least 1.")
        if context_weight < 0 or common_weight < 0 or familiar_weight < 0:
            raise ValueError("weights must not be negative.")
        self._seed = seed
        self._layout = band_layout(bands)
        self._max_chars = max_chars
        self._max_terms = max_terms
        self._max_tokens = 4 * max_terms
        self._salient = salient
        self._context_weight = context_weight
        self._common_weight = common_weight
        self._familiar_weight = familiar_weight
        # Each distinct term adds at most _MAX_WQ to a lane, each bigram _BIGRAM_WQ.
        self._lanes = Lanes(max_terms * _MAX_WQ + (_BIGRAM_TERMS - 1) * _BIGRAM_WQ)
        # Terms are counted by identity, so one unit must never have two live _Term objects:
        # the unit cache is emptied only between requests, and the token caches (which point
        # into it) with it; they may empty themselves any time.
        self._cache_size = cache_size
        self._units: _BoundedCache[_Term] = _BoundedCache(self._make_term, None)
        # An ASCII token is at most one term (None: dropped); others may be several.
        self._tokens: _BoundedCache[_Term | None] = _BoundedCache(self._make_ascii_term, cache_size)
        self._words: _BoundedCache[tuple[_Term, ...]] = _BoundedCache(self._make_terms, cache_size)

    # -- per-word work, cached ----------------------------------------------------------------

    def _weight(self, unit: str) -> float:
        """Salience of a content unit: longer words are rarer; everyday words count less."""
        if unit == _NUMBER:
            return 0.25
        if unit.isascii():
            w = float(min(len(unit), 12) - 1)
            if unit in _COMMON_STEMS:
                return w * self._common_weight
            if unit in _FAMILIAR_STEMS:
                return w * self._familiar_weight
            return w
        if is_spaceless(unit):
            return 3.0 if len(unit) <= 2 else min(1.5 * len(unit), 11.0)
        return float(min(len(unit), 12) - 1)

    def _make_term(self, unit: Token) -> _Term:
        assert isinstance(unit, str)
        return _Term(unit, self._weight(unit), self._seed, self._lanes)

    def _make_ascii_term(self, token: Token) -> _Term | None:
        word = (token.decode("ascii") if isinstance(token, bytes) else token).lower()
        if word in _DROP:
            return None
        if word.isdigit():
            return self._units[_NUMBER]
        if len(word) < 2:
            return None  # also the sentence ends of ascii_tokens
        return self._units[stem(word[:_MAX_CACHED_KEY])]

    def _make_terms(self, token: Token) -> tuple[_Term, ...]:
        assert isinstance(token, str)
        if token in _DROP:
            return ()
        if token.isascii():
            term = self._make_ascii_term(token)
            return () if term is None else (term,)
        if is_spaceless(token):
            return tuple(self._units[u] for u in split_spaceless(token) if u not in _DROP)
        if token.isdecimal():
            return (self._units[_NUMBER],)
        return (self._units[token[:_MAX_CACHED_KEY]],) if len(token) > 1 else ()

    # -- per-request work -----------------------------------------------------------------------

    def _read(
        self, text: str
    ) -> tuple[list[_Term], list[bytes] | list[str], list[bytes] | str | None]:
        """The first ``max_terms`` content terms of ``text``, its tokens, and what the template
        may reuse: ``text``'s :func:`ascii_tokens` or :func:`nfkc` form, if it was read whole.

        The text is cut to ``max_chars`` characters and ``4 * max_terms`` words (head 3/4,
        tail 1/4 of each). ASCII text is split piece by piece, only as far as it takes to find
        ``max_terms`` terms: most of a long prompt is never cut into tokens.
        """
        clipped = clip(text, self._max_chars)
        if not clipped.isascii():
            normalized = nfkc(clipped)
            tokens = self._clip_words(words(normalized.casefold()))
            units = chain.from_iterable(map(self._words.__getitem__, tokens))
            reuse = normalized if clipped is text else None
            return list(islice(units, self._max_terms)), tokens, reuse
        if len(clipped) <= SKELETON_CHARS:  # short: read the template's tokens, to share them
            found = self._scan(ascii_marked(clipped), marks=True)
            if found is not None:
                seq, tokens, complete = found
                return seq, tokens, tokens if complete and clipped is text else None
        found = self._scan(ascii_spaced(clipped), marks=False)
        assert found is not None
        return found[0], found[1], None

    def _scan(self, data: bytes, *, marks: bool) -> tuple[list[_Term], list[bytes], bool] | None:
        """Terms of space-separated ``data``, split piece by piece: ``(terms, tokens read,
        whether they are all of data's tokens)``, or None if sentence marks among them would
        upset the word cap (which counts words).
        """
        lookup = self._tokens.__getitem__  # one term per token at most, else None
        limit = self._max_terms
        head = self._max_tokens * 3 // 4  # the word cap keeps the first `head` words
        want = min(limit, head)
        tokens = data.split(None, want)
        rest = tokens.pop() if len(tokens) > want else b""
        seq = list(filter(None, map(lookup, tokens)))
        while rest and len(seq) < limit:
            # As many more tokens as the missing terms need at the rate so far, and a margin.
            want = (limit - len(seq)) * (len(tokens) + 1) // (len(seq) + 1)
            want = min(want + want // 4 + 16, head - len(tokens))
            if want <= 0:
                break
            chunk = rest.split(None, want)
            rest = chunk.pop() if len(chunk) > want else b""
            tokens += chunk
            seq += filter(None, map(lookup, chunk))
        if rest and len(seq) < limit:
            # `head` tokens read and terms still missing: the word cap decides what follows.
            if marks:
                return None  # the marks are no words: start again without them
            keep = self._max_tokens - head
            tail = rest.rsplit(None, keep)  # more than `keep` words left: only the last ones
            if len(tail) > keep:
                del tail[0]
            tokens += tail
            seq += filter(None, map(lookup, tail))
            del seq[limit:]
            return seq, tokens, False
        del seq[limit:]  # every term found lies in words the cap keeps
        return seq, tokens, not rest

    def _clip_words(self, tokens: list[bytes] | list[str]) -> list[bytes] | list[str]:
        if len(tokens) > self._max_tokens:
            keep = self._max_tokens * 3 // 4
            del tokens[keep : len(tokens) - (self._max_tokens - keep)]
        return tokens

    def _hash(self, text: str) -> int:
        return int(mmh3.hash128(text.encode("utf-8", "surrogatepass"), self._seed)) & MASK64

    def _simhash(self, seq: list[_Term], counts: Counter[_Term], fallback: str) -> int:
        lanes = self._lanes
        if not seq:
            # No content words ("thanks!", "why?"): fingerprint the words that are there.
            plain = fallback.split()[: self._max_terms]
            if not plain:
                return self._hash(fallback)
            return lanes.majority(sum(lanes.spread(self._hash(w)) for w in plain), len(plain))
        # A weighted set: each distinct term once (its salience already reflects rarity); the
        # count lane of the sum holds the total weight.
        acc = sum(map(_weighted, counts))
        total = lanes.count(acc)
        if len(seq) > 1:
            # Ordered bigrams: spread(a) ^ spread(rotl(b)) is the spread of a 64-bit bigram hash.
            # Only among the first terms: word order tells rephrasings of a short prompt apart;
            # a long prompt is pinned down by its set of terms already.
            head = seq[:_BIGRAM_TERMS]
            acc += _BIGRAM_WQ * sum(map(xor, map(_spread, head), map(_spread_rot, head[1:])))
            total += _BIGRAM_WQ * (len(head) - 1)
        return lanes.majority(acc, total)

    def _cell(self, counts: Counter[_Term], context: Counter[_Term] | None, fallback: str) -> int:
        """The heaviest term names the cell; equal weights go to the smaller keyed hash."""
        if not counts and not context:
            return self._hash(fallback)
        if self._salient > 1:
            return self._mixed_cell(counts, context)
        if not counts:  # no content words: the previous turn's cell
            assert context is not None
            return MASK64 ^ (self._top(context) & MASK64)
        best = self._top(counts)
        if context:
            # The previous turn adds `context_weight` of its terms' salience. Terms in both
            # turns gain, in exactly the order of operations _mixed_cell uses; terms only in
            # the previous turn win only if the heaviest of them does, scaled (else that
            # rarer case takes the exact, slower path).
            factor = self._context_weight
            top = _weight_of(best)
            for term in counts.keys() & context.keys():
                weight = term.weight * _TF[counts[term]] + factor * term.weight * _TF[context[term]]
                rank = _rank(weight, term.h)
                if rank > best:
                    best, top = rank, weight
            if not factor * _weight_of(self._top(context)) < top:
                return self._mixed_cell(counts, context)
        return MASK64 ^ (best & MASK64)

    def _top(self, counts: Counter[_Term]) -> int:
        """The :func:`_rank` of the most salient of ``counts``' terms.

        Terms are ranked at one occurrence each first; a repeat raises a term's salience
        (x1.5, x2), so only a repeated term can then overtake the leader.
        """
        best = self._lanes.tag(max(map(_weighted, counts)))
        top = _weight_of(best)
        for term in compress(counts, map(lt, repeat(1), counts.values())):
            weight = term.weight * _TF[counts[term]]
            if weight >= top:
                rank = _rank(weight, term.h)
                if rank > best:
                    best, top = rank, weight
        return best

    def _mixed_cell(self, counts: Counter[_Term], context: Counter[_Term] | None) -> int:
        """The cell with the previous turn's terms mixed in, or by a race among the top terms."""
        terms = list(counts)
        weights = list(map(mul, map(_weight, terms), map(_TF.__getitem__, counts.values())))
        if context:
            factor = self._context_weight if terms else 1.0
            index = {t: i for i, t in enumerate(terms)}
            for t, n in context.items():
                w = factor * t.weight * _TF[n]
                i = index.get(t)
                if i is None:
                    terms.append(t)
                    weights.append(w)
                else:
                    weights[i] += w
        ranks = zip(weights, [-t.h for t in terms], range(len(terms)), strict=True)
        if self._salient == 1:
            return terms[max(ranks)[2]].h
        top = sorted(ranks, reverse=True)[: self._salient]
        winner = race_winner((w, terms[i].neg_log_u, terms[i].h) for w, _, i in top)
        assert winner is not None
        return winner

    def _runners_up(self, counts: Counter[_Term], cell: int) -> tuple[int, ...]:
        """The cells of the two heaviest of ``counts``' terms other than the one naming
        ``cell`` (each term at one occurrence: they only name what else the prompt is about).

        Among the first ``_RUNNER_TERMS`` distinct terms only, by a few C-level ``max``
        passes: a frame matters in short prompts (a question in a template), and a long one,
        with hundreds of terms, states its task first.
        """
        ranks = list(map(_rank_attr, islice(counts, _RUNNER_TERMS)))
        found: list[int] = []
        while ranks and len(found) < 2:
            top = max(ranks)
            ranks.remove(top)
            h = MASK64 ^ (top & MASK64)  # a rank keeps ~h in its low 64 bits
            if h != cell:
                found.append(h)
        return tuple(found)

    def _templates(self, text: str, reuse: list[bytes] | str | None) -> tuple[int, int, int]:
        """Fingerprints of ``text``'s skeleton, and of its frame's head and tail (0: none);
        ``reuse`` is what :meth:`_read` left for them."""
        keys = template_keys(
            clip(text, _TEMPLATE_CHARS),
            tokens=reuse if isinstance(reuse, list) else None,
            normalized=reuse if isinstance(reuse, str) else None,
            min_literals=_MIN_LITERALS,
        )
        return (
            self._hash(keys.whole),
            self._hash(keys.head) if keys.head else 0,
            self._hash(keys.tail) if keys.tail else 0,
        )

    def _features(self, prompt: str, previous: str, input_tokens: int) -> Features:
        seq, tokens, reuse = self._read(prompt)
        counts = Counter(seq)
        context: Counter[_Term] | None = None
        if previous and (self._context_weight > 0 or not counts):
            context = Counter(self._read(previous)[0])
        fallback = "" if seq else _joined(tokens) or prompt.strip()[:1024]
        simhash = self._simhash(seq, counts, fallback)
        cell = self._cell(counts, context, fallback)
        template, head, tail = self._templates(prompt, reuse)
        features = Features(
            simhash=simhash,
            cell=cell,
            bands=band_keys(simhash, self._layout),
            template=template,
            input_tokens=input_tokens,
            runners_up=self._runners_up(counts, cell) if len(counts) > 1 else (),
            head=head,
            tail=tail,
        )
        if len(self._units) > self._cache_size:
            self._units.clear()
            self._tokens.clear()
            self._words.clear()
        return features

    def featurize_text(self, text: str) -> Features:
        """Features of a bare prompt (no conversation, no system prompt)."""
        return self._features(text, "", estimate_tokens(text))

    def featurize(self, req: PromptRequest) -> Features:
        """Features of a request: its last user turn, with the user turn before it as context.

        ``input_tokens`` covers the system prompt and every turn (the prompt counted once,
        whether or not the adapter also put it in ``conversation``).
        """
        previous = ""
        tokens = estimate_tokens(req.system)
        prompt_seen = False
        for turn in req.conversation:
            tokens += estimate_tokens(turn.text) + 4
            if turn.role == "user":
                if turn.text == req.prompt:
                    prompt_seen = True
                else:
                    previous = turn.text
                    prompt_seen = False
        if not prompt_seen:
            tokens += estimate_tokens(req.prompt)
        return self._features(req.prompt, previous, tokens)


def _joined(tokens: list[bytes] | list[str]) -> str:
    """The normalised text of a prompt without content words: its fallback identity."""
    return " ".join(
        t.decode("ascii").lower() if isinstance(t, bytes) else t for t in tokens if t != b"."
    )
