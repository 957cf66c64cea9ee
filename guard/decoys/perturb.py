"""Perturbation: the genuine answer, altered to read as well and teach the wrong thing.

Five independent alterations, each switched by the policy (``Perturb`` action):

* ``numbers``: numbers in prose and LaTeX are jittered, consistently within an answer (the
  same number always becomes the same wrong number, so the working still looks coherent);
  a share ``strength`` of the distinct numbers changes. List markers, code, URLs and
  identifiers such as ``COVID-19`` or ``3.11.2`` are left alone.
* ``final``: the final answer ("the answer is X", "**X**", ``\\boxed{X}``, "Therefore ... X",
  the last "= X") always changes: numbers to a different number, yes/no and true/false to
  their opposite, a multiple-choice letter to another letter.
* ``steps``: numbered steps are dropped (later ones renumbered) or swapped with the next,
  each with probability ``strength`` / 2; within a paragraph, each sentence is swapped
  with the next with probability ``strength``, and reasoning sentences ("First", "Since",
  "This means" ...) are dropped with probability 0.4 x ``strength`` (never the last one,
  which may be the conclusion).
* ``code``: code lines get a subtle bug (off-by-one in ``range`` and comparisons, ``+``/``-``
  or ``and``/``or`` swapped, an integer literal moved by one, a boolean flipped) that keeps
  fences, brackets and quotes exactly as they were, so JSON stays JSON.
* ``claims``: plain prose, which has none of the above, says the opposite here and there
  (antonyms, a negation taken away or added, cause and effect traded, two names traded;
  :mod:`guard.decoys.claims`): a share ``strength`` / 2 of the clauses that make a claim,
  and always one past an answer's first sentence.

Every choice is a keyed hash of the secret, the key id and the text, so the same answer
to the same key is always perturbed the same way. Work is per piece of text with a small
state (:meth:`Perturber.rewriter`), which is what lets streams be perturbed on the fly.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from guard.decoys.claims import ClaimState, alter_claims
from guard.decoys.keyed import Keyed
from guard.decoys.text import (
    CODE,
    MARKUP,
    PROSE,
    URL,
    Segment,
    TextState,
    boundaries,
    segments,
)

__all__ = ["PerturbParams", "Perturber", "final_answers", "jitter"]

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NUM = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?"
_UNITS = (
    "km|kg|mg|g|m|cm|mm|nm|s|ms|h|hr|hrs|min|mph|kph|kmh|l|ml|mL|L|GB|MB|KB|kB|TB|Hz|kHz|MHz|GHz|"
    "px|pt|V|W|kW|kWh|A|mA|J|kJ|N|Pa|kPa|K|C|F|x|lb|lbs|oz|ft|in|yd|mi"
)
_NUMBER = re.compile(
    rf"(?<![\w.,/#@-])(?P<v>{_NUM})(?:(?P<u>{_UNITS})\b|(?![\w]|[.,]\d|-\w))",
)
_FINAL = re.compile(
    r"(?i:\b(?:answer|result|total|solution)\s+(?:is|was|would\s+be|will\s+be|equals|=|:)\s*"
    r"(?:approximately\s+|about\s+|roughly\s+|exactly\s+)?[*_$\\(]*\s*)"
    rf"(?P<v>{_NUM}|(?i:yes|no|true|false)\b|[A-E]\b)"
    rf"|\\boxed\{{\s*(?P<b>{_NUM})"
    rf"|(?i:\b(?:answer|result|date)\s+(?:is|was|would\s+be|will\s+be|:)\s*[*_]*\s*)"
    rf"(?:{_MONTHS})\s+(?P<d>\d{{1,2}})\b"
    rf"|\*\*\$?(?P<s>{_NUM})(?:\s?[A-Za-z%°]+)?\*\*"
)
_CONCLUSION = re.compile(r"\b(?:Therefore|Thus|So|Hence|In total|Altogether)\b(?:[^.\n]|\.(?=\d))*")
#: Clauses claims leave to ``final``: a final answer, a conclusion with a number.
_SETTLED = re.compile(rf"{_FINAL.pattern}|{_CONCLUSION.pattern}\d")
_EQUALS = re.compile(rf"=\s*\$?(?P<v>{_NUM})")
_NUM_ONLY = re.compile(_NUM)
_OPPOSITE = {
    "yes": "no",
    "no": "yes",
    "true": "false",
    "false": "true",
}
_LIST_ITEM = re.compile(r"^(\s*)(\d{1,3})([.)])(\s+)$")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+[\"')\]]*\s+|[.!?]+[\"')\]]*$|$)")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|St|No|approx)\.|\d\.\d")
_REASONING = re.compile(r"^\s*(?:First|Next|Then|Now|Since|Because|This means|We|Let's|To)\b")
_CODE_EDITS = re.compile(
    r"\brange\((?P<r1>[\w.\[\]]+)\)"
    r"|\brange\((?P<r2a>[\w.\[\]]+),\s*(?P<r2b>[\w.\[\]]+)\)"
    r"|(?P<cmp> (?:<=|>=|<|>) )"
    r"|(?P<arith> [+-] )"
    r"|(?P<logic> (?:and|or|&&|\|\|) )"
    r"|(?P<bool>\b(?:true|false|True|False)\b)"
    r"|(?<![\w.$#])(?P<int>\d+)(?![\w.])"
)
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_SWAP = {
    " <= ": " < ",
    " < ": " <= ",
    " >= ": " > ",
    " > ": " >= ",
    " + ": " - ",
    " - ": " + ",
    " and ": " or ",
    " or ": " and ",
    " && ": " || ",
    " || ": " && ",
    "true": "false",
    "false": "true",
    "True": "False",
    "False": "True",
}


@dataclass(frozen=True, slots=True)
class PerturbParams:
    """What to alter and how much (the policy's ``perturb`` parameters)."""

    strength: float = 0.3
    numbers: bool = True
    steps: bool = True
    final: bool = False
    code: bool = False
    claims: bool = True

    @classmethod
    def of(cls, then: object) -> PerturbParams:
        """The parameters of a policy action (any object with these attributes)."""
        return cls(
            float(getattr(then, "strength", 0.3)),
            bool(getattr(then, "numbers", True)),
            bool(getattr(then, "steps", True)),
            bool(getattr(then, "final", False)),
            bool(getattr(then, "code", False)),
            bool(getattr(then, "claims", True)),
        )


@dataclass(slots=True)
class _State:
    text: TextState = field(default_factory=TextState)
    salt: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    offset: int = 0  # renumbering of the current numbered list after dropped items
    items: int = 0  # numbered items seen (keys the drop decisions)
    sentences: int = 0
    lines: int = 0
    claims: ClaimState = field(default_factory=ClaimState)


class Perturber:
    """Perturbs answers for a secret; one instance serves every key."""

    def __init__(self, secret: bytes | str) -> None:
        self.keyed = Keyed(secret, "perturb")

    def apply(self, text: str, key_id: str, params: PerturbParams) -> str:
        """``text`` perturbed for ``key_id``."""
        return self.rewriter(key_id, params)(text)

    def rewriter(self, key_id: str, params: PerturbParams) -> Callable[[str], str]:
        """A function perturbing an answer piece by piece, in order (for streams).

        A stream's pieces are sentences or lines, so there the final answer is looked for
        in each piece (the last "= X" of every piece changes, not only the answer's last).
        """
        state = _State()
        keyed = self.keyed

        def rewrite(piece: str) -> str:
            if not piece or (params.strength <= 0 and not params.final):
                return piece
            if not state.salt:
                # up to the first place a stream may be cut: all there in its first piece
                head = piece[: min(64, next(boundaries(piece), len(piece)))]
                state.salt = hashlib.blake2b(head.encode(), digest_size=6).hexdigest()
            return _perturb(piece, state, keyed, key_id, params)

        return rewrite


def _perturb(text: str, state: _State, keyed: Keyed, key_id: str, params: PerturbParams) -> str:
    parts = segments(text, state.text)
    pieces = [segment.text for segment in parts]
    editable = [_editable(segment) for segment in parts]

    if params.final:
        for value in final_answers("".join(pieces)):
            _force(value, state, keyed, key_id)
    if params.claims and params.strength > 0:
        alter_claims(parts, pieces, state.claims, keyed, key_id, params.strength / 3, skip=_SETTLED)
    if params.numbers or params.final:
        for i in range(len(parts)):
            if editable[i]:
                pieces[i] = _NUMBER.sub(
                    lambda m: _renumber(m, state, keyed, key_id, params), pieces[i]
                )
        if params.final:
            for i, segment in enumerate(parts):
                if segment.kind == PROSE:
                    pieces[i] = _flip_words(pieces[i], state)
    if params.code:
        for i, segment in enumerate(parts):
            if segment.kind == CODE:
                pieces[i] = _break_code(pieces[i], segment, state, keyed, key_id, params)
    if params.steps:
        pieces = _steps(parts, pieces, state, keyed, key_id, params)
    return "".join(pieces)


def _editable(segment: Segment) -> bool:
    return segment.kind == PROSE or (segment.kind == URL and segment.text[:1] in "$\\")


# Numbers ----------------------------------------------------------------------------------


def final_answers(text: str) -> list[str]:
    """The values a text gives as its final answer (numbers as written, or yes/no...);
    of the equations ("= X"), only the last one's."""
    values: list[str] = []
    for match in _FINAL.finditer(text):
        value = match.group("v") or match.group("b") or match.group("s") or match.group("d")
        if value:
            values.append(value)
    for match in _CONCLUSION.finditer(text):
        numbers = _NUM_ONLY.findall(match.group())
        if numbers:
            values.append(numbers[-1])
    equals = list(_EQUALS.finditer(text))
    if equals:
        values.append(equals[-1].group("v"))
    return values


def _force(value: str, state: _State, keyed: Keyed, key_id: str) -> None:
    lowered = value.lower()
    if lowered in _OPPOSITE:
        state.mapping.setdefault(lowered, _OPPOSITE[lowered])
        return
    if len(value) == 1 and value.isalpha():
        letters = "ABCDE"
        shift = 1 + int(keyed.unit(key_id, state.salt, "letter", value) * 3)
        state.mapping.setdefault(value, letters[(letters.index(value) + shift) % 5])
        return
    key = value.replace("$", "")
    if state.mapping.get(key, key) == key:
        u1 = keyed.unit(key_id, state.salt, "final", key)
        u2 = keyed.unit(key_id, state.salt, "final-sign", key)
        state.mapping[key] = jitter(key, u1, u2, force=True)


def _renumber(
    match: re.Match[str], state: _State, keyed: Keyed, key_id: str, params: PerturbParams
) -> str:
    value = match.group("v")
    unit = match.group("u") or ""
    new = state.mapping.get(value)
    if new is None:
        if not params.numbers or keyed.unit(key_id, state.salt, "pick", value) >= params.strength:
            new = value
        else:
            u1 = keyed.unit(key_id, state.salt, "size", value)
            u2 = keyed.unit(key_id, state.salt, "sign", value)
            new = jitter(value, u1, u2)
        state.mapping[value] = new
    return new + unit


def jitter(value: str, u1: float, u2: float, *, force: bool = False) -> str:
    """A plausible wrong number in the format of ``value`` (same decimals, separators).

    ``u1`` and ``u2`` in [0, 1) choose the size and the direction of the change; the
    result always differs from ``value``. Small integers move by 1-2, years by 1-3, other
    numbers by 4-25 %.
    """
    negative = value.startswith("-")
    body = value[1:] if negative else value
    commas = "," in body
    digits = body.replace(",", "")
    whole, _, decimals = digits.partition(".")
    places = len(decimals)
    number = float(digits)
    up = u2 >= 0.5
    if places == 0 and number < 10:
        step = 1 + int(u1 * 2)
        new = number + step if up or number - step < 0 else number - step
    elif places == 0 and len(whole) == 4 and 1000 <= number <= 2100 and not commas:
        step = 1 + int(u1 * 3)
        new = number + step if up and number + step <= 2100 else number - step
    else:
        ratio = 0.04 + 0.21 * u1
        new = number * (1 + ratio) if up else number * (1 - ratio)
        if places == 0:
            new = float(round(new))
            if new == number:
                new = number + (1 if up else -1)
    text = _format(abs(new), places, commas)
    if text == _format(number, places, commas):
        text = _format(number + 10**-places if places else number + 1, places, commas)
    return ("-" if negative and new != 0 else "") + text


def _format(number: float, places: int, commas: bool) -> str:
    if commas:
        return f"{number:,.{places}f}"
    return f"{number:.{places}f}"


def _flip_words(text: str, state: _State) -> str:
    """Final yes/no/true/false and choice letters, where the final answer named them."""
    flips = {k: v for k, v in state.mapping.items() if k in _OPPOSITE or len(k) == 1}
    if not flips:
        return text

    def flip(match: re.Match[str]) -> str:
        prefix, word = match.group(1), match.group(2)
        new = flips.get(word.lower() if word.lower() in _OPPOSITE else word)
        if new is None:
            return match.group()
        if word[0].isupper():
            new = new[0].upper() + new[1:]
        return prefix + new

    return re.sub(
        r"(?i:(\b(?:answer|result|solution)\s+(?:is|was|would\s+be|:)\s*[*_(]*\s*))"
        r"((?i:yes|no|true|false)\b|[A-E]\b)",
        flip,
        text,
    )


# Steps ------------------------------------------------------------------------------------


def _steps(
    parts: list[Segment],
    pieces: list[str],
    state: _State,
    keyed: Keyed,
    key_id: str,
    params: PerturbParams,
) -> list[str]:
    """Drop or swap numbered items and reorder sentences, line by line."""
    share = params.strength / 2
    lines: list[list[int]] = [[]]
    for i, segment in enumerate(parts):
        lines[-1].append(i)
        if segment.text.endswith("\n"):
            lines.append([])
    items: list[int] = []  # line numbers of complete numbered items, in order
    for number, line in enumerate(lines):
        if not line:
            continue
        first = parts[line[0]]
        marker = _LIST_ITEM.match(first.text) if first.kind == MARKUP else None
        if marker is None:
            if all(parts[i].kind == PROSE for i in line):
                _sentences(line, pieces, state, keyed, key_id, params.strength)
            continue
        if not pieces[line[-1]].endswith("\n"):
            continue  # an item still arriving: leave it whole
        value = int(marker.group(2))
        if value == 1:
            state.offset = 0
        state.items += 1
        if value > 1 and keyed.unit(key_id, state.salt, "drop", state.items) < share:
            for i in line:
                pieces[i] = ""
            state.offset -= 1
            continue
        if state.offset:
            pieces[line[0]] = (
                f"{marker.group(1)}{value + state.offset}{marker.group(3)}{marker.group(4)}"
            )
        items.append(number)
    for a, b in itertools.pairwise(items):
        if b == a + 1 and keyed.unit(key_id, state.salt, "swap", state.items, a) < share:
            head, tail = lines[a][1:], lines[b][1:]
            body_a = "".join(pieces[i] for i in head)
            body_b = "".join(pieces[i] for i in tail)
            if head and tail and body_a.endswith("\n") and body_b.endswith("\n"):
                for i in head:
                    pieces[i] = ""
                for i in tail:
                    pieces[i] = ""
                pieces[head[0]], pieces[tail[0]] = body_b, body_a
    return pieces


def _sentences(
    line: list[int], pieces: list[str], state: _State, keyed: Keyed, key_id: str, share: float
) -> None:
    text = "".join(pieces[i] for i in line)
    if _ABBREVIATION.search(text):
        return
    found = [s for s in _SENTENCE.findall(text) if s]
    if len(found) < 2:
        return
    state.lines += 1
    changed = False
    body = list(found)
    for k in range(len(body)):
        state.sentences += 1
        roll = keyed.unit(key_id, state.salt, "sentence", state.sentences)
        last = k == len(body) - 1  # may be the conclusion: never dropped
        if roll < share * 0.4 and not last and _REASONING.match(body[k]):
            body[k] = ""
            changed = True
        elif roll < share and not last and body[k] and body[k + 1]:
            a, b = body[k], body[k + 1]
            tail_a = a[len(a.rstrip()) :]
            tail_b = b[len(b.rstrip()) :]
            body[k], body[k + 1] = b.rstrip() + tail_a, a.rstrip() + tail_b
            changed = True
    if changed and "".join(found) == text:
        pieces[line[0]] = "".join(body)
        for i in line[1:]:
            pieces[i] = ""


# Code -------------------------------------------------------------------------------------


def _break_code(
    line: str,
    segment: Segment,
    state: _State,
    keyed: Keyed,
    key_id: str,
    params: PerturbParams,
) -> str:
    state.lines += 1
    stripped = line.lstrip()
    if not stripped or stripped.startswith(("#", "//", "--", "/*", "*")):
        return line
    if keyed.unit(key_id, state.salt, "code", state.lines) >= min(1.0, 0.25 + params.strength):
        return line
    quoted = [m.span() for m in _QUOTED.finditer(line)]
    json_only = segment.lang in ("json", "jsonc", "json5") or stripped[:1] in '{["'
    candidates = []
    for match in _CODE_EDITS.finditer(line):
        start, end = match.span()
        if any(a <= start < b for a, b in quoted):
            continue
        kind = match.lastgroup or ""
        if json_only and kind not in ("bool", "int"):
            continue
        candidates.append(match)
    if not candidates:
        return line
    rng = keyed.rng(key_id, state.salt, "code-edit", state.lines)
    match = rng.choice(candidates)
    start, end = match.span()
    return line[:start] + _code_edit(match, rng.random()) + line[end:]


def _code_edit(match: re.Match[str], u: float) -> str:
    groups = match.groupdict()
    if groups["r1"]:
        bound = groups["r1"]
        return f"range({bound} - 1)" if u < 0.5 else f"range(1, {bound})"
    if groups["r2a"]:
        low, high = groups["r2a"], groups["r2b"]
        return f"range({low}, {high} - 1)" if u < 0.5 else f"range({low} + 1, {high})"
    if groups["int"]:
        value = int(groups["int"])
        return str(value + 1 if value == 0 or u < 0.5 else value - 1)
    text = match.group()
    return _SWAP.get(text, text)
