"""Deterministic, plausible-looking answers and the one tokenizer the mock counts with.

The mock upstream must answer like a model without being one: the same (seed, prompt) always
gives the same text, different prompts give visibly different texts, and every token count it
reports (input, output, truncation at ``max_tokens``) comes from the same simple rule, so
tests can recompute usage exactly with :func:`count_tokens`.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Generation",
    "count_tokens",
    "generate",
    "rng_for",
    "split_pieces",
    "truncate_tokens",
]

# A token is a run of word characters or a single punctuation mark: crude, but it is applied
# identically to prompts and answers, which is all usage accounting needs.
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")

_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either
    else even ever every few for from further get gets give given go going got had has have
    having he her here hers herself him himself his how however i if in into is it its itself
    just know let like make many me might more most much must my myself need no nor not now of
    off on once one only or other our ours out over own please really same say see she should
    show so some such tell than that the their theirs them themselves then there these they
    thing things this those through to too under until up upon us use used using very want was
    way we well were what when where whether which while who whom why will with within without
    would write you your yours yourself explain describe detail details step steps briefly
    simple simply example examples question answer give tell thanks thank hello hi okay ok
    """.split()
)

_GENERIC_ASPECTS = (
    "the underlying assumptions",
    "the surrounding context",
    "the edge cases",
    "the practical constraints",
    "the long-term consequences",
    "the available evidence",
)

_OPENERS = (
    "Good question.",
    "Here is a clear way to think about {topic}.",
    "Let's break {topic} down into its essential parts.",
    "{Topic} is a subject where a little structure goes a long way.",
    "There are a few ideas worth separating when it comes to {topic}.",
    "Short answer: it depends on {aspect}, but the general picture is fairly consistent.",
    "It helps to start with what {topic} is actually trying to achieve.",
    "{Topic} comes up often, and the usual explanations leave out some useful detail.",
    "The most useful way to approach {topic} is to look at how its pieces interact.",
    "Sure. The main points about {topic} are below.",
)

_BODY = (
    "{Topic} is easiest to understand once you separate the core idea from the details.",
    "The key point is that {topic} depends on {aspect} more than most people expect.",
    "In practice, {aspect} tends to matter most when the constraints are tight.",
    "A common mistake is to treat {topic} as a single problem, when it is really several "
    "smaller ones.",
    "It helps to start with a concrete example and generalise from there.",
    "Most explanations of {topic} skip over {aspect}, but that is where the interesting "
    "trade-offs are.",
    "When {aspect} changes, the rest of the picture usually shifts with it.",
    "The underlying mechanism is simple, even if the consequences are not.",
    "Think of {topic} as a balance between competing goals rather than a fixed rule.",
    "Historically, the understanding of {topic} developed in several distinct stages.",
    "Each stage built on the previous one while correcting some of its assumptions.",
    "The evidence here is fairly consistent, although the details vary between sources.",
    "If you are working with {aspect}, it is worth checking your assumptions early.",
    "Small differences at the start can lead to large differences in the outcome.",
    "This is why experts usually emphasise {aspect} before anything else.",
    "A useful rule of thumb is to ask what would happen if {aspect} were removed entirely.",
    "That question tends to reveal which parts of {topic} are essential and which are incidental.",
    "There is no single correct answer, but some approaches are clearly more robust.",
    "The trade-off is usually between simplicity and precision.",
    "For most everyday purposes, the simpler model is good enough.",
    "Where precision matters, {aspect} deserves a closer and more careful look.",
    "Seen from a distance, {topic} follows a surprisingly regular pattern.",
    "Up close, however, the exceptions are what make it interesting.",
    "It is also worth noting how {aspect} interacts with {topic} over time.",
    "The relationship is rarely linear, which is why intuition can be misleading here.",
    "Measuring it directly is difficult, so people often rely on indirect indicators.",
    "Those indicators are useful, provided you remember what they leave out.",
    "One way to test your understanding is to explain {topic} to someone new to it.",
    "If the explanation needs many caveats, one of the caveats is probably the real point.",
    "In short, {aspect} is the lever that moves most of the outcome.",
    "Different fields describe {topic} with different vocabulary, but the structure is similar.",
    "Once that structure is clear, the specialised terms become much easier to follow.",
    "It is tempting to optimise for one factor, but {topic} rewards a balanced approach.",
    "The second-order effects are often more important than the obvious first-order ones.",
    "Careful observation usually beats elaborate theory at the early stages.",
    "Later on, a good model helps you predict what observation alone would miss.",
    "A practical checklist can keep the important factors from being overlooked.",
    "Much of the confusion around {topic} comes from mixing up causes and symptoms.",
    "Keeping those apart makes the rest of the analysis far more straightforward.",
    "The same principle applies well beyond {topic}, which is part of why it is worth learning.",
)

_LIST_INTROS = (
    "The main points to keep in mind are:",
    "A practical way to work through it:",
    "In summary:",
    "Here is a short checklist:",
)

_ITEMS = (
    "Start with {aspect} and check what it depends on.",
    "Separate the core idea of {topic} from its special cases.",
    "Look for the constraint that limits everything else.",
    "Compare at least two approaches before committing to one.",
    "Write down your assumptions so they can be checked later.",
    "Test the idea on a small, concrete example first.",
    "Watch for second-order effects once the basics work.",
    "Revisit {aspect} whenever the context changes.",
)

_CLOSERS = (
    "I hope this gives you a solid starting point.",
    "Let me know if you would like a deeper look at {aspect}.",
    "With that framework in mind, the details of {topic} should fall into place.",
    "If you share more about your situation, I can make this more specific.",
    "That covers the essentials; the rest is mostly refinement.",
    "Happy to expand on any of these points if it helps.",
)


@dataclass(frozen=True, slots=True)
class Generation:
    """One generated answer, already cut by stop sequences and the token limit.

    ``finish`` is neutral: ``"end"`` (natural end), ``"length"`` (hit ``max_tokens``) or
    ``"stop_sequence"``; each API maps it to its own vocabulary.
    """

    text: str
    tokens: int
    finish: Literal["end", "length", "stop_sequence"]
    stop_sequence: str | None = None


def count_tokens(text: str) -> int:
    """Count tokens the way every usage number of the mock is counted."""
    return sum(1 for _ in _TOKEN.finditer(text))


def truncate_tokens(text: str, max_tokens: int) -> str:
    """Cut ``text`` right after its ``max_tokens``-th token (so the cut re-counts exactly)."""
    if max_tokens <= 0:
        return ""
    for position, match in enumerate(_TOKEN.finditer(text), start=1):
        if position == max_tokens:
            return text[: match.end()]
    return text


def rng_for(seed: int, *parts: str | int) -> random.Random:
    """A private random stream keyed on the seed and any context, stable across runs."""
    material = "\x1f".join(str(part) for part in (seed, *parts)).encode()
    digest = hashlib.blake2b(material, digest_size=16).digest()
    return random.Random(int.from_bytes(digest, "big"))


def split_pieces(text: str, rng: random.Random, tokens_per_piece: float = 2.0) -> list[str]:
    """Split ``text`` into word groups whose concatenation is ``text``: one to
    ``2 * tokens_per_piece - 1`` tokens each (one to three by default), ``tokens_per_piece``
    on average.

    Each piece carries the whitespace before its first token, like real streamed deltas.
    """
    ends = [match.end() for match in _TOKEN.finditer(text)]
    top = max(1, round(2 * tokens_per_piece - 1))
    pieces: list[str] = []
    start = 0
    i = 0
    while i < len(ends):
        i = min(len(ends), i + rng.randint(1, top))
        pieces.append(text[start : ends[i - 1]])
        start = ends[i - 1]
    if start < len(text):
        if pieces:
            pieces[-1] += text[start:]
        else:
            pieces.append(text[start:])
    return pieces


def generate(
    seed: int,
    prompt: str,
    *,
    context: str = "",
    index: int = 0,
    max_tokens: int | None = None,
    stop: Sequence[str] = (),
) -> Generation:
    """Answer ``prompt`` deterministically from ``(seed, context, prompt, index)``.

    Topics are taken from ``prompt`` (the last user turn) so the answer reads as on-topic;
    ``context`` (the rest of the conversation) only varies the wording. ``index`` tells the
    ``n`` choices of one request apart.
    """
    rng = rng_for(seed, "answer", index, context, prompt)
    text = _compose(prompt, rng)
    finish: Literal["end", "length", "stop_sequence"] = "end"
    matched: str | None = None
    cut = len(text)
    for sequence in stop:
        if not sequence:
            continue
        at = text.find(sequence)
        if 0 <= at < cut:
            cut, matched = at, sequence
    if matched is not None:
        text, finish = text[:cut], "stop_sequence"
    tokens = count_tokens(text)
    if max_tokens is not None and tokens > max_tokens:
        text, tokens, finish, matched = (
            truncate_tokens(text, max_tokens),
            max_tokens,
            "length",
            None,
        )
    return Generation(text=text, tokens=tokens, finish=finish, stop_sequence=matched)


def _topics(prompt: str) -> list[str]:
    """Candidate noun phrases: runs of up to three consecutive content words, in order."""
    phrases: list[str] = []
    run: list[str] = []
    for word in (*_WORD.findall(prompt), ""):
        lowered = word.lower()
        if len(word) >= 3 and lowered not in _STOPWORDS:
            run.append(word if word.isupper() else lowered)
            continue
        if run:
            phrase = " ".join(run[:3])
            if phrase not in phrases:
                phrases.append(phrase)
            run = []
    return phrases


def _compose(prompt: str, rng: random.Random) -> str:
    phrases = _topics(prompt)
    topic = phrases[0] if phrases else "this topic"
    if len(phrases) > 1 and rng.random() < 0.4:
        topic = rng.choice(phrases[1:])
    aspects = [phrase for phrase in phrases if phrase != topic] or list(_GENERIC_ASPECTS)

    def fill(template: str) -> str:
        return template.format(
            topic=topic,
            Topic=topic[:1].upper() + topic[1:],
            aspect=rng.choice(aspects),
        )

    paragraphs = [fill(rng.choice(_OPENERS))]
    body = rng.sample(_BODY, rng.randint(4, 9))
    while body:
        size = min(len(body), rng.randint(2, 4))
        paragraphs.append(" ".join(fill(sentence) for sentence in body[:size]))
        body = body[size:]
    if rng.random() < 0.35:
        items = rng.sample(_ITEMS, rng.randint(3, 5))
        lines = [f"{n}. {fill(item)}" for n, item in enumerate(items, start=1)]
        paragraphs.append(rng.choice(_LIST_INTROS) + "\n\n" + "\n".join(lines))
    paragraphs.append(fill(rng.choice(_CLOSERS)))
    return "\n\n".join(paragraphs)
