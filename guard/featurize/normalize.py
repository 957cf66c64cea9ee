"""Turn raw prompt text into comparable units: clipped text, tokens, stems and a skeleton.

Everything here is deterministic and independent of the process (no ``hash()``), so two
guard instances featurize the same prompt identically.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from guard.featurize.words import CJK_FUNCTION_CHARS, GENERIC_WORDS, STOP_WORDS

__all__ = [
    "LITERAL_WORDS",
    "SKELETON_CHARS",
    "WORD_RE",
    "TemplateKeys",
    "ascii_marked",
    "ascii_spaced",
    "ascii_tokens",
    "ascii_words",
    "clip",
    "fold",
    "inflections",
    "is_spaceless",
    "nfkc",
    "normalize",
    "skeleton",
    "split_spaceless",
    "stem",
    "template_keys",
    "words",
]

# A word is a run of letters/digits plus the combining marks that scripts such as Thai,
# Devanagari or Arabic need inside a word (``\w`` alone would cut those words apart).
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u200c\u200d\u20d0-\u20ff\ufe20-\ufe2f"
)
WORD_RE = re.compile(rf"(?:[^\W_]|[{_MARKS}])+")
"""Finds word tokens in any script; punctuation, symbols and underscores separate them."""
_PLAIN_WORD_RE = re.compile(r"[^\W_]+")  # the same where no combining mark occurs (faster)
_MARK_RE = re.compile(f"[{_MARKS}]")

# Scripts written without spaces between words: a run of them is cut into character bigrams.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_SEA = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
_SPACELESS_RE = re.compile(f"[{_HAN}{_KANA}{_SEA}]")
_SPLIT_RE = re.compile(
    f"(?P<han>[{_HAN}]+)|(?P<kata>[\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]+)"
    f"|(?P<sea>[{_SEA}]+)|(?P<other>[^{_HAN}{_KANA}{_SEA}]+)"
)


def clip(text: str, max_chars: int) -> str:
    """Bound the work on long prompts: keep the head and the tail, drop the middle.

    Long prompts are mostly a pasted document with the actual ask before or after it, so
    both ends are kept (three quarters head, one quarter tail).
    """
    if len(text) <= max_chars:
        return text
    head = max_chars * 3 // 4
    return text[:head] + "\n\n" + text[len(text) - (max_chars - head) :]


_ASCII_WORD_TABLE = bytes(c if chr(c).isalnum() and c < 128 else 0x20 for c in range(256))


def ascii_spaced(text: str) -> bytes:
    """An ASCII string as bytes whose ``split()`` gives its :func:`ascii_words` (callers that
    may not need every word split it piecewise, with ``maxsplit``)."""
    return text.encode("ascii").translate(_ASCII_WORD_TABLE)


def ascii_words(text: str) -> list[bytes]:
    """Words of an ASCII string: the fast path of :data:`WORD_RE`, all in C."""
    return ascii_spaced(text).split()


def nfkc(text: str) -> str:
    """NFKC, skipped when the (fast) check says the text already is."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """NFKC and casefold; ASCII text (the common case) takes the cheap path."""
    if text.isascii():
        return text.lower()
    return nfkc(text).casefold()


def words(folded: str) -> list[str]:
    """Word tokens of folded text (any script)."""
    if _MARK_RE.search(folded) is None:
        return _PLAIN_WORD_RE.findall(folded)
    return WORD_RE.findall(folded)


def normalize(text: str) -> str:
    """Folded text with punctuation dropped and whitespace collapsed: the fallback key."""
    return " ".join(words(fold(text)))


def is_spaceless(token: str) -> bool:
    """True when ``token`` contains a script written without spaces (CJK, Thai, ...)."""
    return not token.isascii() and _SPACELESS_RE.search(token) is not None


def _bigrams(run: str) -> list[str]:
    if len(run) < 3:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def split_spaceless(token: str) -> list[str]:
    """Cut a token holding spaceless scripts into word-like units.

    Han runs are split at particles and pronouns, then into character bigrams (a cheap,
    dictionary-free stand-in for word segmentation). Hiragana is mostly grammar and is
    dropped; katakana runs (loanwords) stay whole; Thai-like runs become bigrams.
    """
    out: list[str] = []
    for m in _SPLIT_RE.finditer(token):
        kind = m.lastgroup
        run = m.group()
        if kind == "han":
            start = 0
            for i, ch in enumerate(run):
                if ch in CJK_FUNCTION_CHARS:
                    if i > start:
                        out.extend(_bigrams(run[start:i]))
                    start = i + 1
            if start < len(run):
                out.extend(_bigrams(run[start:]))
        elif kind == "kata" or kind == "other":
            if len(run) > 1 or not run.isascii():
                out.append(run)
        elif kind == "sea":
            out.extend(_bigrams(run))
    return out


# -- stemming ---------------------------------------------------------------------------------

_VOWELS = frozenset("aeiouy")

# Inflections: (suffix, replacement), first match wins; a suffix mapped to itself protects
# the ending ("class", "virus", "analysis"). Derivational suffixes are then stripped, up to
# twice, longest first. They are stripped aggressively on purpose: a stem is an identity
# for grouping rephrasings ("compute", "computation", "computing"), not a word to read.
_INFLECTIONS: tuple[tuple[str, str], ...] = (
    ("ies", "y"),
    ("sses", "ss"),
    ("ing", ""),
    ("eed", "eed"),
    ("ed", ""),
    ("ly", ""),
    ("ss", "ss"),
    ("us", "us"),
    ("is", "is"),
    ("s", ""),
)
_INFLECTION_ENDINGS = tuple(suffix for suffix, _ in _INFLECTIONS)
_DERIVATIONS: frozenset[str] = frozenset(
    """ization isation ational ification ations ation ition ions ion ments ment ness ities
    ity ical ically ic ics ator ators ate ive ivity ous ful less able ible ably ism isms ist
    ists ance ence ancy ency ant ent al ally ial ary ory ize ise izes ises er ers or ors ify
    ian ean""".split()
)
_DERIVATION_LENGTHS = tuple(sorted({len(s) for s in _DERIVATIONS}, reverse=True))
_DERIVATION_ENDINGS = tuple(_DERIVATIONS)


def _has_vowel(s: str) -> bool:
    return any(c in _VOWELS for c in s)


def _strip_derivation(w: str) -> str:
    for n in _DERIVATION_LENGTHS:
        if len(w) - n >= 4 and w[-n:] in _DERIVATIONS and _has_vowel(w[:-n]):
            return w[:-n]
    return w


def _undouble(w: str) -> str:
    """running -> run, beginner -> begin; "ll", "ss", "zz" stay (fall, class, jazz)."""
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in _VOWELS and w[-1] not in "lsz":
        return w[:-1]
    return w


def stem(word: str) -> str:
    """A light, deterministic suffix-stripping stemmer for English (any other word as is)."""
    if len(word) < 4 or not word.isascii() or not word.isalpha():
        return word
    w = word
    if w.endswith(_INFLECTION_ENDINGS):
        for suffix, repl in _INFLECTIONS:
            if w.endswith(suffix):
                if repl == suffix or (suffix == "ly" and len(w) < 6):
                    break
                base = w[: len(w) - len(suffix)]
                if len(base) + len(repl) >= 3 and _has_vowel(base):
                    w = base + repl
                    if suffix in ("ing", "ed"):
                        w = _undouble(w)
                break
    if w.endswith(_DERIVATION_ENDINGS):
        stripped = _strip_derivation(w)
        if stripped is not w:
            w = _undouble(_strip_derivation(stripped))
    while len(w) > 4 and w[-1] in _VOWELS:
        w = w[:-1]
    return w


def inflections(word: str) -> set[str]:
    """The regular inflected forms of an English word (used to expand the word lists)."""
    out = {word}
    if not word.isascii() or not word.isalpha() or len(word) < 3:
        return out
    out.update((word + "s", word + "es", word + "ed", word + "ing"))
    if word.endswith("e"):
        out.update((word + "d", word[:-1] + "ing"))
    if word.endswith("y") and word[-2] not in _VOWELS:
        out.update((word[:-1] + "ies", word[:-1] + "ied"))
    if (
        len(word) <= 5
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        out.update((word + word[-1] + "ed", word + word[-1] + "ing"))
    return out


def _expand(words: frozenset[str]) -> frozenset[str]:
    return frozenset(form for w in words for form in inflections(w))


LITERAL_WORDS: frozenset[str] = STOP_WORDS | _expand(GENERIC_WORDS)
"""Words of grammar and instruction: a template's frame. Everything else may fill a slot,
everyday words included ("the *water* cycle", "*machine* learning", "supply and *demand*")."""


# -- skeleton (template) ----------------------------------------------------------------------

_FENCE_RE = re.compile(r"```.*?(?:```|\Z)", re.DOTALL)
_INLINE_CODE_RE = re.compile(r"`[^`\n]{1,400}`")
_URL_RE = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+")
_EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_QUOTE_RE = re.compile(
    r'"[^"\n]{1,400}"|“[^”\n]{1,400}”|«[^»\n]{1,400}»|„[^“”\n]{1,400}[“”]'
    r"|「[^」\n]{1,400}」|『[^』\n]{1,400}』|\u2018[^\u2019\n]{1,400}\u2019"
)
_SINGLE_QUOTE_RE = re.compile(r"(?<!\w)'[^'\n]{1,400}'(?!\w)")
# Paragraph breaks: a blank line, or a colon ending a line. One regex for both
# (``\n[ \t]*\n|:[ \t]*\n``) would scan character by character, ~10x slower than these two,
# whose literal first character lets the regex engine skip ahead; _segments merges them.
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_COLON_LINE_RE = re.compile(r":[ \t]*\n")
_SKELETON_TOKEN_RE = re.compile(rf"(?:[^\W_]|[{_MARKS}])+|[.!?\n]")
_PLAIN_SKELETON_TOKEN_RE = re.compile(r"[^\W_]+|[.!?\n]")
_SKELETON_TABLE = bytes(
    c if chr(c).isalnum() and c < 128 else (0x2E if c in b".!?\n" else 0x20) for c in range(256)
)
_SLOT = "\x00"


def ascii_marked(text: str) -> bytes:
    """An ASCII string as bytes whose ``split()`` gives its :func:`ascii_tokens` (callers that
    may not need every token split it piecewise, with ``maxsplit``)."""
    return text.encode("ascii").translate(_SKELETON_TABLE).replace(b".", b" . ")


def ascii_tokens(text: str) -> list[bytes]:
    """Words of an ASCII string with their case kept, and ``b"."`` for each ``.!?`` or newline:
    what :func:`template_keys` reads, and (case aside) the words :func:`ascii_words` cuts."""
    return ascii_marked(text).split()


_ARTICLES = frozenset(("a", "an", "the"))
_CONNECTORS = frozenset(
    "of in on for and or to with from by at s de del la le el des du di der die das von".split()
)
# Phrasing words that also start topic names ("*general* relativity", "*public key*
# cryptography", "*deep* learning"): right before a slot they join it.
_MODIFIERS = frozenset(
    """general key main basic core primary fundamental essential simple specific particular
    deep full complete good best better great bad first second third next final overall
    certain various different similar significant important relevant actual exact clear
    plain short brief""".split()
)
SKELETON_CHARS = 1536
"""Characters a template reads (head 3/4, tail 1/4): comfortably more than the tokens it
keeps. A caller's :func:`ascii_tokens` of a text up to this long can be reused."""
_HEAD_TOKENS = 40
_TAIL_TOKENS = 16

# Token classes; the slot fillers come last so that one comparison (``kind >= _NUMBER``) finds
# them in the hot loops below.
_LITERAL, _CONNECTOR, _ARTICLE, _BOUNDARY, _NUMBER, _CONTENT, _NAME = range(7)


def _classify(token: str | bytes) -> tuple[str, int]:
    tok = token.decode("ascii") if isinstance(token, bytes) else token
    if tok in ".!?\n":
        return tok, _BOUNDARY
    low = tok.lower() if tok.isascii() else tok.casefold()
    if tok.isdigit():
        return low, _NUMBER
    if low in _ARTICLES:
        return low, _ARTICLE
    if low in _CONNECTORS:
        return low, _CONNECTOR
    if low in LITERAL_WORDS:
        return low, _LITERAL
    return low, _NAME if tok[0].isupper() else _CONTENT


class _ClassCache(dict[str | bytes, tuple[str, int]]):
    """Token -> class, bounded (cleared when full; a class is a pure function of the token)."""

    def __missing__(self, key: str | bytes) -> tuple[str, int]:
        value = _classify(key)
        if len(key) <= 64:
            if len(self) >= 8192:
                self.clear()
            self[key] = value
        return value


_CLASSES = _ClassCache()


def _mask(text: str) -> str:
    """``text`` with code, URLs, e-mails and quotes masked; the same object if none occur.

    Each mask runs only when its trigger is present; one-character triggers go first
    (``memchr``), so plain prose pays a few fast scans.
    """
    if "`" in text:
        text = _INLINE_CODE_RE.sub(" 0 ", _FENCE_RE.sub(" 0 ", text))
    if (":" in text and "://" in text) or ("." in text and "www." in text):
        text = _URL_RE.sub(" 0 ", text)
    if "@" in text:
        text = _EMAIL_RE.sub(" 0 ", text)
    if not text.isascii() or '"' in text:
        text = _QUOTE_RE.sub(" 0 ", text)
    if "'" in text and (text[0] == "'" or " '" in text or "\n'" in text or "('" in text):
        text = _SINGLE_QUOTE_RE.sub(" 0 ", text)
    return text


def _absorb_modifiers(frame: list[str]) -> None:
    """Drop the modifiers ending ``frame`` (a slot follows them), and the connectors that
    then join the slot to an earlier one."""
    while frame and frame[-1] in _MODIFIERS:
        frame.pop()
    i = len(frame)
    while i > 0 and frame[i - 1] in _CONNECTORS:
        i -= 1
    if 0 < i < len(frame) and frame[i - 1] == _SLOT:
        del frame[i:]


def skeleton(
    text: str, *, doc_words: int = 40, max_len: int = 64
) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """The frame of a prompt with its slot fillers masked.

    Returns ``(frame, masked, literals)``:

    * ``frame`` keeps only phrasing words (function and instruction words, see
      :data:`LITERAL_WORDS`) and replaces every other run of words, with the connectors and
      leading modifiers inside it ("the theory *of* relativity", "*general* relativity"), by
      one slot. Lowercase, multi-word and everyday-word fillers ("explain {topic} in detail"
      with "photosynthesis", "the water cycle", "supply and demand") share one frame.
    * ``masked`` keeps the content words and masks only unmistakable fillers: numbers,
      quoted strings, code spans, URLs, e-mails and capitalised names inside a sentence. It
      is the fingerprint for prompts whose frame is too thin to mean anything.
    * ``literals`` counts the phrasing words left in ``frame``.

    Long paragraphs of a multi-paragraph prompt (a pasted document) become one slot, so a
    batch template over many documents keeps one skeleton. Only the first 40 and last 16
    tokens are read (about 250 and 100 characters of prose): a template's frame sits at the
    start and the end of a prompt.
    """
    classes = list(map(_CLASSES.__getitem__, _skeleton_tokens(text, doc_words, None, None)))
    frame = _frame(classes)
    literals = len(frame) - frame.count(_SLOT)
    return tuple(frame[:max_len]), tuple(_masked(classes)[:max_len]), literals


class TemplateKeys(NamedTuple):
    """What a prompt's template fingerprints hash (see :func:`template_keys`)."""

    whole: str
    head: str  # "" when the frame does not open with enough phrasing words
    tail: str  # "" when it does not close with them


_HEAD_ITEMS = 6  # frame items (slots included) of a template's head ...
_HEAD_LITERALS = 4  # ... of which this many must be phrasing words
_TAIL_ITEMS = 3
_TAIL_LITERALS = 2
_LINE_CHARS = 80  # a first or last line this short is a heading of the prompt's


def template_keys(
    text: str,
    *,
    tokens: list[bytes] | None = None,
    normalized: str | None = None,
    min_literals: int = 4,
    doc_words: int = 40,
    max_len: int = 64,
) -> TemplateKeys:
    """What the template fingerprints hash: the whole skeleton, and the frame's fixed-looking
    head and tail.

    The whole skeleton is the :func:`skeleton` frame when it holds at least ``min_literals``
    phrasing words, else the masked text (a thin frame such as "what is X" would put every
    short question in one template). A caller that already has the :func:`ascii_tokens` of
    ``text`` may pass them as ``tokens``, or its :func:`nfkc` form as ``normalized``: a short
    prompt with nothing to mask is then not tokenised (or normalised, which is slow) twice.

    A frame around a free question ("Write a long-form answer (at least 800 words) to:
    {question}") takes the question's own phrasing words in too, so its whole skeleton
    differs from question to question; its head does not. The head is the prompt's first
    line when more lines follow and it reads as a heading (:func:`_outer_lines`: "###
    Instruction:"), else the frame's first six items when four of them are phrasing words;
    the tail is the last line when it reads as one, else the frame's last three items when
    two are phrasing words and the last one is ("{question} Answer comprehensively."). Both
    are far less specific than a whole skeleton, so guard.campaigns links by them only on a
    stricter habit.
    """
    found = _skeleton_tokens(text, doc_words, tokens, normalized)
    classes = list(map(_CLASSES.__getitem__, found))
    frame = _frame(classes)
    if len(frame) - frame.count(_SLOT) >= min_literals:
        whole = "\x01" + " ".join(frame[:max_len])
    else:
        whole = "\x02" + " ".join(_masked(classes)[:max_len])
    head = tail = ""
    lines = _outer_lines(text)
    if lines[0]:
        head = "\x05" + _line_key(lines[0], doc_words)
    elif len(frame) > _HEAD_ITEMS:
        first = frame[:_HEAD_ITEMS]
        if _HEAD_ITEMS - first.count(_SLOT) >= _HEAD_LITERALS:
            head = "\x03" + " ".join(first)
    if lines[1]:
        tail = "\x06" + _line_key(lines[1], doc_words)
    elif len(frame) > _TAIL_ITEMS and frame[-1] != _SLOT:
        last = frame[-_TAIL_ITEMS:]
        if _TAIL_ITEMS - last.count(_SLOT) >= _TAIL_LITERALS:
            tail = "\x04" + " ".join(last)
    return TemplateKeys(whole, head, tail)


def _outer_lines(text: str) -> tuple[str, str]:
    """The first and the last line of a prompt of several lines, each "" unless it reads as
    a heading of the prompt's: short, and a label ("### Instruction:", "A:") or a sentence of
    three words or more. A greeting ("Hi,") or a code fence opening pasted code is no
    heading: strangers share those."""
    text = text.strip()
    start = text.find("\n")
    if start < 0:
        return "", ""
    return _heading(text[:start]), _heading(text[text.rfind("\n") + 1 :])


def _heading(line: str) -> str:
    line = line.strip()
    if not line or len(line) > _LINE_CHARS or line.startswith(("```", "~~~")):
        return ""
    return line if line.endswith(":") or line.count(" ") >= 2 else ""


def _line_key(line: str, doc_words: int) -> str:
    """A short line, numbers and names masked: the same heading however it is filled in."""
    classes = list(map(_CLASSES.__getitem__, _skeleton_tokens(line, doc_words, None, None)))
    return " ".join(_masked(classes))


def _segments(text: str) -> list[str]:
    """``text`` cut at paragraph breaks (what ``re.split`` of both patterns at once gives).

    The two patterns cannot match at the same position (their first characters differ), so
    the leftmost match of either is the next break; a pattern is searched again only when
    its last match was overlapped, so each one scans the text about once.
    """
    out: list[str] = []
    start = 0
    blank = _BLANK_LINE_RE.search(text)
    colon = _COLON_LINE_RE.search(text)
    while blank is not None or colon is not None:
        if colon is None or (blank is not None and blank.start() < colon.start()):
            match = blank
        else:
            match = colon
        assert match is not None
        out.append(text[start : match.start()])
        start = match.end()
        if blank is not None and blank.start() < start:
            blank = _BLANK_LINE_RE.search(text, start)
        if colon is not None and colon.start() < start:
            colon = _COLON_LINE_RE.search(text, start)
    out.append(text[start:])
    return out


def _skeleton_tokens(
    text: str, doc_words: int, tokens: list[bytes] | None, normalized: str | None
) -> list[str] | list[bytes]:
    """The first 40 and last 16 tokens of the masked text; ``.!?`` and newlines are tokens."""
    given = text
    if "\n" in text:
        segments = _segments(text)
        if len(segments) > 1:
            text = "\n".join("\n0\n" if s.count(" ") >= doc_words else s for s in segments)
    text = _mask(clip(text, SKELETON_CHARS))
    if text is given:  # nothing cut or masked: what the caller derived from it holds
        if tokens is not None:
            if len(tokens) > _HEAD_TOKENS + _TAIL_TOKENS:
                return tokens[:_HEAD_TOKENS] + tokens[-_TAIL_TOKENS:]
            return tokens
        if normalized is not None:
            text = normalized
    if text.isascii():
        # ``maxsplit`` keeps C from cutting (and allocating) the middle tokens at all.
        head = ascii_marked(text).split(None, _HEAD_TOKENS)
        if len(head) > _HEAD_TOKENS:
            tail = head.pop().rsplit(None, _TAIL_TOKENS)
            if len(tail) > _TAIL_TOKENS:
                del tail[0]
            head += tail
        return head
    text = nfkc(text)
    pattern = _PLAIN_SKELETON_TOKEN_RE if _MARK_RE.search(text) is None else _SKELETON_TOKEN_RE
    found: list[str] = pattern.findall(text)
    if len(found) > _HEAD_TOKENS + _TAIL_TOKENS:
        del found[_HEAD_TOKENS : len(found) - _TAIL_TOKENS]
    return found


def _frame(classes: list[tuple[str, int]]) -> list[str]:
    """Phrasing words in order, each run of filler words (with the connectors inside it and
    the modifiers before it) one slot; articles and sentence boundaries are transparent."""
    frame: list[str] = []
    pending: list[str] = []  # connectors right after a slot: kept only if a literal follows
    in_slot = False  # frame[-1] is a slot
    for low, kind in classes:
        if kind >= _NUMBER:
            if not in_slot:
                if frame and frame[-1] in _MODIFIERS:
                    _absorb_modifiers(frame)
                if not frame or frame[-1] != _SLOT:
                    frame.append(_SLOT)
                in_slot = True
            elif pending:
                pending.clear()  # "slot of the slot" is one slot
        elif kind == _LITERAL or (kind == _CONNECTOR and not in_slot):
            if pending:
                frame += pending
                pending.clear()
            frame.append(low)
            in_slot = False
        elif kind == _CONNECTOR:
            pending.append(low)
    frame += pending
    return frame


def _masked(classes: list[tuple[str, int]]) -> list[str]:
    """The words with numbers and in-sentence capitalised names masked (runs of masks merged)."""
    masked: list[str] = []
    append = masked.append
    sentence_start = True
    slot = False  # masked[-1] is a slot
    for low, kind in classes:
        if kind == _CONTENT or kind < _BOUNDARY or (kind == _NAME and sentence_start):
            append(low)
            slot = sentence_start = False
        elif kind == _BOUNDARY:
            sentence_start = True
        else:
            if not slot:
                append(_SLOT)
                slot = True
            sentence_start = False
    return masked
