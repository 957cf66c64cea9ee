"""Claims in plain prose turned around: perturbation for answers without numbers or code.

Most of what a broad sweep harvests is explanation: no numbers to jitter, no steps to drop,
no code to break. Such answers are altered clause by clause (the text between two of
:func:`guard.decoys.text.boundaries`, the only places a stream is cut, so a streamed answer
is altered exactly as the same answer sent whole; table cells are clauses too). A share of
the clauses that make a claim gets one change that keeps the sentence grammatical and makes
it false:

* an antonym (increase/decrease, more/less, before/after, always/never, client/server,
  include/exclude ...; where both words of a pair occur, the two trade places), with "a"
  and "an" kept in agreement;
* a negation taken away (is not -> is, cannot -> can, doesn't -> does);
* cause and effect traded ("A because B." -> "B because a.");
* two names of the clause traded ("Unlike Rust, Python ..." -> "Unlike Python, Rust ...");
* failing all of those, a negation added (is -> is not, can -> cannot, helps -> does not
  help), less often: "not" must not grow noticeably more common than in genuine answers.

Questions only trade words and names. Exclamations, first-person asides ("I hope this
helps"), quotations, sentences giving a final answer, headings and lines of data ("key":
true) are left alone, as are code, URLs and everything else
:func:`guard.decoys.text.segments` protects. Choices are keyed hashes of the key id and the
clause. The first clause of an answer that can change always does (if all it could take is
a "not", the second such), so an answer of more than a sentence rarely comes back as it
went.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from guard.decoys.keyed import Keyed
from guard.decoys.text import CODE, MARKUP, PROSE, WORD, Segment, boundaries

__all__ = ["ClaimState", "alter_claims"]

#: Pairs of words a claim turns on; "a>b" changes a into b only (b has other senses).
_PAIRS = """
increase decrease|increases decreases|increased decreased|increasing decreasing
reduce>increase|reduces>increases|reduced>increased|reducing>increasing
improve>worsen|improves>worsens|improved>worsened|improving>worsening
more less|higher>lower|high low|highest lowest|large small|larger smaller|largest smallest
bigger>smaller|better worse|best worst|fast slow|faster slower|fastest slowest
quickly slowly|strong weak|stronger weaker|strongest weakest|easy difficult|easier harder
easiest hardest|simple complex|wide narrow|wider narrower|deep shallow|thick thin
always never|before after|above below|earlier later|earliest latest|early late
older younger|newer>older|hot>cold|wet dry|rich poor|richer poorer|former latter
true false|correct incorrect|correctly incorrectly|valid invalid|possible impossible
likely unlikely|necessary unnecessary|safe unsafe|secure insecure|efficient inefficient
effective ineffective|accurate inaccurate|visible invisible|legal illegal|stable unstable
consistent inconsistent|compatible incompatible|sufficient insufficient
appropriate inappropriate|common rare|commonly rarely|often>rarely|frequently>rarely
enable disable|enables disables|enabled disabled|enabling disabling
include exclude|includes excludes|included excluded|including excluding
add remove|adds removes|added removed|adding removing|accept reject|accepts rejects
accepted rejected|send receive|sends receives|sent received|sending receiving
sender receiver|senders receivers|client server|clients servers|input output
inputs outputs|upload download|uploads downloads|uploaded downloaded
uploading downloading|encrypt decrypt|encrypts decrypts|encrypted decrypted
encryption decryption|public private|internal external|synchronous asynchronous
synchronously asynchronously|static dynamic|mutable immutable|explicit implicit
explicitly implicitly|inside outside|horizontal vertical|horizontally vertically
north south|east west|northern southern|eastern western|majority minority
minimum maximum|minimize maximize|ascending descending|uppercase lowercase
prefix suffix|forward backward|frontend backend|success failure|succeed>fail
succeeds>fails|succeeded>failed|successful unsuccessful|successfully unsuccessfully
rise fall|rises falls|rising falling|buy sell|buys sells|buying selling|bought sold
buyer seller|buyers sellers|parent child|parents children|advantage disadvantage
advantages disadvantages|strength weakness|strengths weaknesses|positive negative
positively negatively|inflation deflation|many few|agree disagree|agrees disagrees
most least
"""


def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in re.split(r"[|\n]", _PAIRS):
        if ">" in entry:
            a, b = entry.split(">")
            table[a.strip()] = b.strip()
        elif entry.strip():
            a, b = entry.split()
            table[a], table[b] = b, a
    return table


_ANTONYM = _table()
_ARTICLE = re.compile(r"\b(an?|An?)([ \t]+)$")
#: Words that only flip after one of these (``the most`` / ``at least``).
_ONLY_AFTER = {"most": {"the", "at"}, "least": {"the", "at"}}
#: Words that do not flip after / before these (other senses, set phrases).
_NOT_AFTER = {
    "more": {"once", "any", "what's"},
    "less": {"or"},
    "many": {"how", "a"},
    "few": {"a", "quite"},
    "advantage": {"take", "takes", "taking", "took", "taken"},
    "best": {"your", "my", "our", "their", "his", "her"},
}
_NOT_BEFORE = {
    "after": {"all"},
    "more": {"or"},
    "never": {"mind"},
    "high": {"school", "schools"},
    "slow": {"down"},
}

_AUXILIARIES = frozenset("is are was were can could should would will must may might".split())
_PERFECT = frozenset("has have had".split())
_BE = frozenset("it's that's there's you're we're they're".split())
#: Negated auxiliaries and what they are without the negation.
_CONTRACTED = {
    **{
        f"{aux}n't": aux
        for aux in "is are was were do does did has have had could should would must".split()
    },
    "can't": "can",
    "cannot": "can",
    "won't": "will",
}
_NEGATES = _AUXILIARIES | _PERFECT | {"do", "does", "did"}
#: After a negation, words that make taking it away ungrammatical ("not only ... but").
_KEEP_NOT = frozenset("only just merely even".split())
#: After an auxiliary, words a "not" must not come before.
_NO_NOT = frozenset(
    "not no never also only just still even always usually often generally typically "
    "sometimes rarely nothing none neither nor several many some various numerous multiple "
    "lots plenty few much more less already simply therefore thus however now then".split()
)
#: Before an auxiliary or a verb, words that make it a noun ("the will", "many uses").
_NOUN_BEFORE = frozenset(
    "the a an free good his her their your my our its this than as many other several "
    "various different common main key".split()
)
#: Verbs whose third person ("helps") becomes "does not help".
_VERBS = (
    "help allow require provide support use contain make take give mean need depend affect "
    "cause prevent ensure create offer work run involve produce improve reduce store return "
    "handle follow apply change determine keep lead protect rely remain represent result "
    "serve show tend vary become"
).split()


def _third_person(verb: str) -> str:
    if verb.endswith("y"):
        return verb[:-1] + "ies"
    return verb + ("es" if verb.endswith(("s", "sh", "ch", "x")) else "s")


_BASE = {_third_person(verb): verb for verb in _VERBS}
_INSERTABLE = _BE | _AUXILIARIES | _PERFECT | _BASE.keys()

_BECAUSE = re.compile(
    r"^(?P<a>[A-Z][^,;:\x00]*?)\s+because\s+(?!of\b)(?P<b>[^,;:\x00]+?)(?P<end>[.]?[ \t]*\n?)$"
)
_NOT_CAUSE_END = frozenset("is are was were simply partly mainly only just not also".split())
_LOWER_FIRST = frozenset(
    "the a an this that these those it its they their we our you your he she his her there "
    "some many most each every all any no one such in on at for when if as using".split()
)

_NAME = re.compile(r"\b(?:[A-Z][a-z]*[A-Z][A-Za-z]*|[A-Z][a-z]+|[A-Z]{2,})\b")
_NAME_BEFORE = re.compile(
    r"(?:\b[A-Z][\w]*|\b[A-Z][\w]*\s+(?:and|of|&|de|for|the)|(?i:\b(?:the|a|an)))$"
)
_NAME_AFTER = re.compile(r"[A-Z0-9]|(?:and|of|&|de|for)\s+[A-Z]")
_JOINERS = frozenset("-'\u2019_/\\@#")
_DOTTED = re.compile(r"\.\w")
_STARTERS = frozenset(
    "the a an this that these those it its they their we our you your he she his her there "
    "some many most each every all any no one such in on at for when if as using unlike like "
    "while both with from by use although whereas compared since after before during between "
    "and or but".split()
)
_NOT_NAMES = frozenset(
    "I The A An This That These Those It Its They We You He She There Here In On At For If "
    "When While Also However Therefore Then Monday Tuesday Wednesday Thursday Friday Saturday "
    "Sunday January February March April May June July August September October November "
    "December OK".split()
)

#: Words of asides to the reader ("I hope this helps", "let me know", "feel free").
_ASIDE = frozenset("me my myself hope sorry please thank thanks glad let's free".split())
_FIRST_PERSON = frozenset("i i'm i've i'll i'd".split())
_OPENERS = frozenset("sure certainly hello hi great absolutely okay here's".split())
_NON_PROSE = "\x00"
_WEAK = 0.3
_QUOTED = re.compile(r'"[^"\n]*"|\u201c[^\u201d\n]*\u201d')  # titles, labels, quotations
_CELL = re.compile(r"\|")
_STARS = re.compile(r"\*+")
#: A line of data rather than prose ("key": true, name: 3), told by its start.
_DATA = re.compile(
    r"""^\s*(?:[-*]\s+)?(?:"[^"\n]*"|'[^'\n]*'|[\w.$-]+)\s*[:=]\s*"""
    r"""(?:["'\[{]|-?\d|(?i:true|false|null|none|yes|no)\b|$)"""
)


@dataclass(slots=True)
class ClaimState:
    """Clauses seen in an answer so far (kept across the pieces of a stream)."""

    units: int = 0  # clauses that could be altered
    altered: int = 0
    open_line: bool = False  # the last piece ended inside a line
    skip_line: bool = False  # ... which is left alone (a heading, data)


Edit = tuple[int, int, str]  # (start, end, new text) in a line
Word = tuple[str, int, int]  # (lower case with straight apostrophes, start, end)


def _hide(match: re.Match[str]) -> str:
    return _NON_PROSE * len(match.group())


def alter_claims(
    parts: list[Segment],
    pieces: list[str],
    state: ClaimState,
    keyed: Keyed,
    key_id: str,
    share: float,
    *,
    skip: re.Pattern[str] | None = None,
) -> None:
    """Alter claims in the prose of ``parts`` (rewriting ``pieces``, which must still be
    the parts' texts): a clause that could change does with probability ``share``.
    ``skip``: clauses it matches are left alone (a final answer, altered elsewhere)."""
    for line in _lines(parts, state):
        text, mask, spans = _masked(line, parts)
        edits: list[Edit] = []
        for offset, clause, key, question in _clauses(text, mask):
            words = [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(clause)]
            if "\u2019" in clause:
                words = [(w.replace("\u2019", "'"), a, b) for w, a, b in words]
            if not words or _aside(clause, words):
                continue
            options, weak = _options(clause, words, question)
            if not options or (skip is not None and skip.search(key)):
                continue
            state.units += 1
            roll = keyed.unit(key_id, "claim", key)
            if weak:  # only a "not" to add: rarer, or "not" would grow too common
                go = roll < share * _WEAK or (not state.altered and state.units >= 2)
            else:
                go = roll < share or not state.altered
            if go:
                rng = keyed.rng(key_id, "claim-edit", key)
                chosen = rng.choices([e for _, e in options], [w for w, _ in options])[0]
                edits.extend((a + offset, b + offset, new) for a, b, new in chosen)
                state.altered += 1
        if edits:
            _apply(edits, spans, pieces)


def _lines(parts: list[Segment], state: ClaimState) -> Iterator[list[int]]:
    """The lines (indexes of their parts) that hold prose: not code, a heading or data (a
    line begun in an earlier piece is judged by its start)."""
    line: list[int] = []
    for i, segment in enumerate(parts):
        line.append(i)
        ends = segment.text.endswith("\n")
        if ends or i == len(parts) - 1:
            if not state.open_line:
                first = parts[line[0]]
                heading = first.kind == MARKUP and "#" in first.text
                text = "".join(parts[j].text for j in line)
                state.skip_line = heading or _DATA.match(text) is not None
            kinds = {parts[j].kind for j in line}
            if PROSE in kinds and CODE not in kinds and not state.skip_line:
                yield line
            state.open_line = not ends
            line = []


def _clauses(text: str, mask: str) -> Iterator[tuple[int, str, str, bool]]:
    """(offset, masked text, key, whether a question) of each clause of a line but
    exclamations; quotations are masked too, and table cells are clauses."""
    cuts = set(boundaries(text))
    cuts.update(m.end() for m in _CELL.finditer(text))
    start = 0
    for end in [*sorted(cuts), len(text)]:
        if end <= start:
            continue
        key = text[start:end].strip()
        tail = key.rstrip("\"')]*_")[-1:]
        if key and tail != "!":
            yield start, _QUOTED.sub(_hide, mask[start:end]), key, tail == "?"
        start = end


def _masked(line: list[int], parts: list[Segment]) -> tuple[str, str, list[tuple[int, int, int]]]:
    """The line as it came; the same with all but prose masked out; and where each part is
    in it (start, end, index of the part)."""
    spans: list[tuple[int, int, int]] = []
    real: list[str] = []
    masked: list[str] = []
    at = 0
    for i in line:
        text = parts[i].text
        spans.append((at, at + len(text), i))
        real.append(text)
        body = text.rstrip("\n")
        masked.append(
            text if parts[i].kind == PROSE else _NON_PROSE * len(body) + text[len(body) :]
        )
        at += len(text)
    return "".join(real), "".join(masked), spans


def _apply(edits: list[Edit], spans: list[tuple[int, int, int]], pieces: list[str]) -> None:
    for a, b, new in sorted(edits, reverse=True):
        for start, end, i in spans:
            if start <= a and b <= end:
                piece = pieces[i]
                pieces[i] = piece[: a - start] + new + piece[b - start :]
                break


# Options -----------------------------------------------------------------------------------


def _options(
    clause: str, words: list[Word], question: bool
) -> tuple[list[tuple[float, list[Edit]]], bool]:
    """The changes ``clause`` allows, each with its weight (offsets in the clause), and
    whether all of them add a negation. A question only trades words and names."""
    options: list[tuple[float, list[Edit]]] = []
    options.extend((2.0, edits) for edits in _antonyms(clause, words))
    names = _names(clause)
    if names is not None:
        options.append((1.0, names))
    if question:
        return options, False
    because = _because(clause) if any(w == "because" for w, _, _ in words) else None
    if because is not None:
        options.append((3.0, because))
    options.extend((3.0, [edit]) for edit in _affirmations(clause, words))
    if options:
        return options, False
    return [(1.0, [edit]) for edit in _negations(clause, words)], True


def _aside(clause: str, words: list[Word]) -> bool:
    """Whether the clause speaks to the reader rather than about the subject."""
    first, second = words[0][0], words[1][0] if len(words) > 1 else ""
    if first in _OPENERS or (first, second) in (("here", "is"), ("here", "are"), ("of", "course")):
        return True
    present = {w for w, _, _ in words}
    if present & _ASIDE:
        return True
    return bool(present & _FIRST_PERSON) and any(
        w in _FIRST_PERSON and clause[a] == "I" for w, a, _ in words
    )


def _next(clause: str, words: list[Word], k: int) -> str:
    """The word after word ``k`` if only spaces come between, else ""."""
    if k + 1 < len(words) and not clause[words[k][2] : words[k + 1][1]].strip(" \t"):
        return words[k + 1][0]
    return ""


def _previous(clause: str, words: list[Word], k: int) -> str:
    return _next(clause, words, k - 1) and words[k - 1][0] if k else ""


def _cased(like: str, word: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _antonyms(clause: str, words: list[tuple[str, int, int]]) -> list[list[Edit]]:
    present = {w for w, _, _ in words}
    out: list[list[Edit]] = []
    done: set[str] = set()
    for k, (lower, start, end) in enumerate(words):
        opposite = _ANTONYM.get(lower)
        if opposite is None or lower in done:
            continue
        before, after = _previous(clause, words, k), _next(clause, words, k)
        allowed = _ONLY_AFTER.get(lower)
        if allowed is not None and before not in allowed:
            continue
        if before in _NOT_AFTER.get(lower, ()) or after in _NOT_BEFORE.get(lower, ()):
            continue
        if before and before == after:
            continue  # "day after day", "more and more"
        if k == 0 and clause[end:].lstrip(" \t")[:1] == ",":
            continue  # "Before, ...": a connective, not a claim
        if opposite in present and _ANTONYM.get(opposite) == lower:
            # both words of the pair: they trade places everywhere in the clause
            done.update((lower, opposite))
            out.append(
                [
                    _swap_word(clause, a, b, _ANTONYM[w])
                    for w, a, b in words
                    if w in (lower, opposite)
                ]
            )
            continue
        out.append([_swap_word(clause, start, end, opposite)])
    return out


def _swap_word(clause: str, start: int, end: int, opposite: str) -> Edit:
    """The edit replacing a word, with the article before it in agreement."""
    new = _cased(clause[start:end], opposite)
    article = _ARTICLE.search(clause, max(0, start - 8), start)
    if article is not None:
        vowel = new[0].lower() in "aeiou"
        word = article.group(1)
        fixed = ("an" if vowel else "a") if word.islower() else ("An" if vowel else "A")
        return article.start(), end, fixed + article.group(2) + new
    return start, end, new


def _first_word(clause: str) -> int:
    match = WORD.search(clause)
    return match.start() if match else -1


def _affirmations(clause: str, words: list[Word]) -> list[Edit]:
    """Negations taken away: "is not" -> "is", "doesn't" -> "does", "cannot" -> "can"."""
    out: list[Edit] = []
    for k, (word, start, end) in enumerate(words):
        if (word not in _CONTRACTED and word != "not") or _next(clause, words, k) in _KEEP_NOT:
            continue
        if word in _CONTRACTED:
            out.append((start, end, _cased(clause[start:end], _CONTRACTED[word])))
        elif _previous(clause, words, k) in _NEGATES:
            aux_start, aux_end = words[k - 1][1], words[k - 1][2]
            out.append((aux_start, end, clause[aux_start:aux_end]))
    return out


def _negations(clause: str, words: list[Word]) -> list[Edit]:
    """Negations added: "is" -> "is not", "can" -> "cannot", "helps" -> "does not help"."""
    out: list[Edit] = []
    for k, (word, start, end) in enumerate(words):
        if word not in _INSERTABLE:
            continue
        written = clause[start:end]
        after = _next(clause, words, k)
        if not after or after in _NO_NOT or not clause[words[k + 1][1]].islower():
            continue
        before = _previous(clause, words, k)
        if word in _BE or (word in _AUXILIARIES and written.islower()):
            if before not in _NOUN_BEFORE:
                out.append((start, end, "cannot" if written == "can" else written + " not"))
        elif word in _PERFECT and written.islower():
            if after == "been" or after.endswith(("ed", "en")):
                out.append((start, end, written + " not"))
        elif word in _BASE and written.islower():
            if before and before not in _NOUN_BEFORE and before not in _NO_NOT:
                out.append((start, end, "does not " + _BASE[word]))
    return out


def _because(clause: str) -> list[Edit] | None:
    """Cause and effect traded ("A because B." as "B because a."), when both are plain
    clauses of three words or more and A's first word can be written in lower case."""
    lead = len(clause) - len(clause.lstrip(" \t\n" + _NON_PROSE))
    match = _BECAUSE.match(clause[lead:])
    if match is None:
        return None
    cause, effect = match.group("b"), match.group("a")
    effect_words = effect.split()
    if len(effect_words) < 3 or len(cause.split()) < 3:
        return None
    if effect_words[-1].lower() in _NOT_CAUSE_END or not (_paired(cause) and _paired(effect)):
        return None
    head = effect_words[0]
    if head.lower() in _LOWER_FIRST:
        effect = head.lower() + effect[len(head) :]
    elif not (head.isupper() or any(c.isupper() for c in head[1:])):
        return None  # maybe a name, maybe not: leave it
    new = cause[0].upper() + cause[1:] + " because " + effect
    return [(lead, lead + match.start("end"), new)]


def _paired(text: str) -> bool:
    """Whether emphasis, brackets and quotes open and close within ``text`` (so it can move
    without breaking the markdown around it)."""
    return (
        len(_STARS.findall(text)) % 2 == 0
        and text.count('"') % 2 == 0
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
    )


def _names(clause: str) -> list[Edit] | None:
    """Two names in the clause trade places (not side by side, not the clause's first word,
    not parts of a longer name)."""
    first = _first_word(clause)
    found: list[re.Match[str]] = []
    for match in _NAME.finditer(clause):
        word = match.group()
        if match.start() == first or word in _NOT_NAMES:
            continue
        before, after = clause[: match.start()], clause[match.end() :]
        if before[-1:] in _JOINERS or after[:1] in _JOINERS or _DOTTED.match(after):
            continue  # "CI/CD", "GitLab's", "Node.js"
        longer = _NAME_BEFORE.search(before.rstrip(" \t"))
        if longer and not (longer.start() == first and longer.group().lower() in _STARTERS):
            continue  # part of a longer name, or a label ("the Go tab")
        if _NAME_AFTER.match(after.lstrip(" \t")):
            continue  # "Project A", "Bank of America"
        found.append(match)
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            if a.group() == b.group():
                continue
            between = WORD.findall(clause[a.end() : b.start()])
            if len(between) < 2 or all(w.lower() in ("and", "or", "of", "the") for w in between):
                continue
            x, y = a.group(), b.group()
            return [
                (m.start(), m.end(), y if m.group() == x else x)
                for m in found
                if m.group() in (x, y)
            ]
    return None
