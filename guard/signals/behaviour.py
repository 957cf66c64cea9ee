"""Behaviour: how a key asks, read off its ring of recent request records.

Coverage says how much a key sweeps; behaviour says whether it talks like a person or a
script. People hold conversations (multi-turn, with follow-ups that refer to earlier
answers), bring documents and tools to work on, and keep one client and one network. Harvesters
fire single-turn questions, each about something new, from one template, often asking for the
full reasoning, and stealthy ones rotate clients and addresses.

Every share is taken over the key's last ``sketch.ring`` requests and multiplied by an evidence
factor ``n / (n + 3)``, at most 12/13, so a key with two requests cannot look like anything
yet. 12/13 is what a full ring of 48 was worth under the earlier ``n / (n + 4)``: the factor
now gets there by 36 requests, so a sweep is judged a few requests sooner, while a key with a
full ring (a product at its steady state) is judged exactly as before.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import sub

from guard.models import KeyState
from guard.profile import Flag, RequestRecord, cell16
from guard.signals.base import Signal, SignalContext, saturate

__all__ = [
    "BEHAVIOUR_SIGNALS",
    "CasualSignal",
    "ConversationSignal",
    "ExtractionSignal",
    "FabricatedHistorySignal",
    "FreshQuestionsSignal",
    "OrphanSignal",
    "PayloadSignal",
    "ReasoningSignal",
    "RecentNoveltySignal",
    "RingStats",
    "RotationSignal",
    "SingleTurnSignal",
    "TemplatedSignal",
    "ring_stats",
]

_PRIOR = 3.0  # pseudo-requests of "no evidence" every share is shrunk towards
_MAX_EVIDENCE = 12 / 13  # a share never counts in full (48 / (48 + 4), the earlier full ring)
_BITS = tuple(int(flag) for flag in Flag)
# What a person's request often has and a sweep's does not: history, material, casual typing.
_PERSONAL = int(Flag.MULTI_TURN | Flag.DOCUMENT | Flag.TOOLS | Flag.CASUAL)
_FICTION = ~int(Flag.MULTI_TURN | Flag.FOLLOW_UP)  # what an unlived history's flags keep
# People type in a hurry now and then; a ring typed casually almost throughout is a script
# lowercasing its prompts (guard simulate --hurried), and that typing is evidence of nothing.
_CASUAL = int(Flag.CASUAL)
_HURRY_SHARE = 0.85
_HURRY_MIN = 12
_LIVED_SPAN = 3600.0  # seconds of ring before a request, within which its history was asked
_FRAME_SHARE = 0.25  # one word naming this share of a ring's cells is a frame, not a subject
_FRAME_MIN = 6


@dataclass(frozen=True, slots=True)
class RingStats:
    """Shares and spreads over a key's recent requests (the current one included)."""

    n: int
    evidence: float
    flags: dict[int, float]
    distinct_cells: float
    top_template: float
    clients: int
    networks: int
    median_gap: float
    gaps: tuple[float, ...] = ()  # between consecutive requests, sorted (guard.signals.timing)
    fresh: float = 0.0  # share of fresh questions (FreshQuestionsSignal)
    framed: float = 0.0  # share of requests whose heaviest word is the key's frame
    unlived: float = 0.0  # share whose history quotes a question the key never asked

    @classmethod
    def of(cls, recent: tuple[bytes, ...], *, complete: bool = False) -> RingStats:
        """Stats of a ring of packed records: one pass, C-level where it can be.

        ``complete``: the ring holds every request the key made in its windows (so a question
        its histories quote and the ring lacks was never asked)."""
        rows = RequestRecord.columns(recent)
        if rows is None:
            return _EMPTY
        ts, cells, templates, clients, networks, flags, seconds, thirds, prompts, parents = rows
        n = len(ts)
        unlived = _unlived(ts, prompts, parents, complete)
        if unlived:  # a made-up history is no conversation: count the request as single-turn
            flags = tuple(flag & _FICTION if i in unlived else flag for i, flag in enumerate(flags))
        shares: dict[int, float] = {}
        for value in set(flags):  # a ring holds few distinct flag sets: count each once
            count = flags.count(value)
            for bit in _BITS:
                if value & bit:
                    shares[bit] = shares.get(bit, 0) + count
        personal = _PERSONAL
        if n >= _HURRY_MIN and shares.get(_CASUAL, 0) >= _HURRY_SHARE * n:
            del shares[_CASUAL]  # a script's hurry, not people's: no evidence of anyone
            personal &= ~_CASUAL
        times = sorted(ts)  # newest first in the ring, but clocks of several instances differ
        gaps = sorted(map(sub, times[1:], times))
        half = len(gaps) // 2
        subjects, framed = _subjects(cells, seconds, thirds)
        counts = Counter(subjects)
        # A question is its three heaviest words, in any order: a subject of two words
        # ("fiduciary duty") takes the first two, and what is asked about it comes third.
        questions = list(map(frozenset, zip(map(cell16, cells), seconds, thirds, strict=True)))
        asked = Counter(questions)
        fresh = sum(
            1
            for question, flag in zip(questions, flags, strict=True)
            if not flag & personal and asked[question] == 1
        )
        return cls(
            n=n,
            evidence=min(n / (n + _PRIOR), _MAX_EVIDENCE),
            flags={bit: count / n for bit, count in shares.items()},
            distinct_cells=len(counts) / n,
            top_template=max(Counter(templates).values()) / n if n > 1 else 0.0,
            clients=len(set(clients)),
            networks=len(set(networks)),
            median_gap=(
                math.inf
                if not gaps
                else gaps[half]
                if len(gaps) % 2
                else (gaps[half - 1] + gaps[half]) / 2
            ),
            gaps=tuple(gaps),
            fresh=fresh / n,
            framed=framed / n,
            unlived=len(unlived) / n,
        )

    @classmethod
    def of_state(cls, state: KeyState) -> RingStats:
        """Stats of the key's ring, knowing from its windows whether the ring holds every
        request they count (``complete``)."""
        n = len(state.recent)
        complete = all(counts.requests <= n for counts in state.windows.values())
        return cls.of(state.recent, complete=complete)

    def share(self, flag: Flag) -> float:
        return self.flags.get(int(flag), 0.0)

    @property
    def scripted(self) -> float:
        """Share of the recent requests filling the key's commonest template, or its frame
        (whose questions give each prompt a fingerprint of its own).

        A template's head or tail is no script here: people open many requests alike, and a
        group linked by such a habit would otherwise count as scripted by the very words
        that linked it."""
        return max(self.top_template, self.framed)


_EMPTY = RingStats(0, 0.0, {}, 0.0, 0.0, 0, 0, math.inf)


def _subjects(
    cells: tuple[int, ...], seconds: tuple[int, ...], thirds: tuple[int, ...]
) -> tuple[Sequence[int], int]:
    """Each of a ring's requests' subject, read off what varies between the prompts, and how
    many of them are framed (their heaviest word is a frame word).

    Words among the three heaviest of a large share of the ring's prompts (``_FRAME_SHARE``)
    are the key's frame ("Generate a high-quality instructional response...", "Write an
    encyclopedia article about..."), not its subject: each prompt then counts by its
    heaviest word outside the frame (by its cell when all three are frame words).
    """
    n = len(cells)
    need = max(_FRAME_MIN, _FRAME_SHARE * n)
    # No word names the cell of many prompts (the commonest cell has at most n - distinct + 1
    # of them): there is nothing to look past.
    if n - len(set(cells)) + 1 < need or max(Counter(cells).values()) < need:
        return cells, 0
    lows = list(map(cell16, cells))  # 16 bits, as records keep the runners-up
    counts = Counter(lows)
    counts.update(seconds)
    counts.update(thirds)
    counts.pop(0, None)
    frame = {term for term, count in counts.items() if count >= need}
    subjects = []
    framed = 0
    for low, second, third in zip(lows, seconds, thirds, strict=True):
        if low not in frame:
            subjects.append(low)
            continue
        framed += 1
        if second and second not in frame:
            subjects.append(second)
        elif third and third not in frame:
            subjects.append(third)
        else:
            subjects.append(low)
    return subjects, framed


def _unlived(
    ts: Sequence[float], prompts: Sequence[int], parents: Sequence[int], complete: bool
) -> set[int]:
    """The ring's requests whose history quotes a question the key never asked.

    A conversation grows a request at a time: a person's client sends each question, then
    sends it again in the history of the next. A history whose previous question no request
    of the key ever carried was written, not lived ("fabricated multi-turn history"). Judged
    only where the ring would hold that question: when it holds all of the key's requests
    (``complete``), or reaches ``_LIVED_SPAN`` further back than the request. A question
    quoted by several histories is a fixed preamble (few-shot examples), not a conversation.
    """
    if not any(parents):
        return set()
    asked = set(prompts)
    quoted = Counter(parents)
    oldest = min(ts)
    return {
        i
        for i, parent in enumerate(parents)
        if parent
        and parent not in asked
        and quoted[parent] == 1
        and (complete or ts[i] - oldest >= _LIVED_SPAN)
    }


def ring_stats(ctx: SignalContext) -> RingStats:
    """The ring stats of the request's key: computed once per request by the pipeline, else
    here."""
    return ctx.recent if ctx.recent is not None else RingStats.of_state(ctx.state)


class _RingSignal(Signal):
    """A signal read off the ring: ``value(stats)`` and ``describe(stats)``."""

    def measure(self, ctx: SignalContext) -> float:
        return self.value(ring_stats(ctx))

    def explain(self, ctx: SignalContext, value: float) -> str:
        return self.describe(ring_stats(ctx))

    def value(self, s: RingStats) -> float:
        raise NotImplementedError

    def describe(self, s: RingStats) -> str:
        raise NotImplementedError


class RecentNoveltySignal(_RingSignal):
    """Share of the recent requests about distinct subjects, above what people reach."""

    name = "recent_novelty"

    def __init__(self, floor: float = 0.4) -> None:
        self.floor = floor

    def value(self, s: RingStats) -> float:
        return max(0.0, (s.distinct_cells - self.floor) / (1 - self.floor)) * s.evidence

    def describe(self, s: RingStats) -> str:
        return f"{s.distinct_cells:.0%} of the last {s.n} requests on distinct subjects"


class FreshQuestionsSignal(_RingSignal):
    """Share of recent requests that are each a fresh question: single-turn, with no
    documents or tools, not typed casually, and asking what the key asks nowhere else in its
    recent requests: the same three heaviest words, in any order ("the diagnosis of
    hypertension", then "the prognosis of hypertension", are two questions, and so are "the
    history of fiduciary duty" and "an example of fiduciary duty", whose subject takes two
    words). A sweep through one domain comes back to each entity for another aspect; a person
    who comes back to a subject mostly does so in a conversation, which is no fresh question.

    What a sweep's requests all are, and a person's seldom: people come back to a subject,
    follow up, bring material and type in a hurry. Each part is a signal of its own; counted
    together, request by request, they also find a sweep mixed into a product's or a chat's
    traffic (the shares of the parts average the two).

    Most of what it adds comes from casual typing, which a harvester can fake for free by
    lowercasing its prompts, so it weighs at most ``max_weight``, as ``casual`` does: faking
    costs a sweep at most about 4 of log-odds, not the 6 or more fitting would give."""

    name = "fresh_questions"
    max_weight = 2.5

    def value(self, s: RingStats) -> float:
        return s.fresh * s.evidence

    def describe(self, s: RingStats) -> str:
        return (
            f"{s.fresh:.0%} of the last {s.n} requests are fresh single-turn questions, "
            "each asking what no other asks"
        )


class SingleTurnSignal(_RingSignal):
    """Share of recent requests sent without any conversation history."""

    name = "single_turn"

    def value(self, s: RingStats) -> float:
        return (1.0 - s.share(Flag.MULTI_TURN)) * s.evidence

    def describe(self, s: RingStats) -> str:
        return f"{1.0 - s.share(Flag.MULTI_TURN):.0%} of the last {s.n} requests single-turn"


class ConversationSignal(_RingSignal):
    """Follow-ups that refer to earlier answers: what people do and sweeps do not (benign)."""

    name = "conversation"
    direction = -1

    def value(self, s: RingStats) -> float:
        return min(1.0, 2.0 * s.share(Flag.FOLLOW_UP)) * s.evidence

    def describe(self, s: RingStats) -> str:
        share = s.share(Flag.FOLLOW_UP)
        return f"{share:.0%} of the last {s.n} requests follow up on an earlier answer"


class PayloadSignal(_RingSignal):
    """Requests that bring their own material: documents to work on, tools (benign)."""

    name = "payload"
    direction = -1

    def value(self, s: RingStats) -> float:
        return max(s.share(Flag.DOCUMENT), s.share(Flag.TOOLS)) * s.evidence

    def describe(self, s: RingStats) -> str:
        share = max(s.share(Flag.DOCUMENT), s.share(Flag.TOOLS))
        return f"{share:.0%} of the last {s.n} requests carry documents or tools"


class TemplatedSignal(_RingSignal):
    """Share of recent requests filled into one template."""

    name = "templated"
    direction = 0  # scripts fill templates, and so do batch jobs

    def value(self, s: RingStats) -> float:
        return max(0.0, (s.top_template - 0.2) / 0.8) * s.evidence

    def describe(self, s: RingStats) -> str:
        return f"{s.top_template:.0%} of the last {s.n} requests share one template"


class ReasoningSignal(_RingSignal):
    """Share of recent requests that demand the full reasoning, or the longest outputs."""

    name = "reasoning"

    def value(self, s: RingStats) -> float:
        return max(s.share(Flag.REASONING), s.share(Flag.LONG_OUTPUT)) * s.evidence

    def describe(self, s: RingStats) -> str:
        share = max(s.share(Flag.REASONING), s.share(Flag.LONG_OUTPUT))
        return f"{share:.0%} of the last {s.n} requests ask for full reasoning or maximal output"


class ExtractionSignal(_RingSignal):
    """Share of recent requests that sample several answers or read logits out."""

    name = "extraction"

    def value(self, s: RingStats) -> float:
        return max(s.share(Flag.LOGIT), 0.6 * s.share(Flag.SAMPLES)) * s.evidence

    def describe(self, s: RingStats) -> str:
        share = max(s.share(Flag.LOGIT), s.share(Flag.SAMPLES))
        return f"{share:.0%} of the last {s.n} requests use n > 1 or logprobs with logit_bias"


class RotationSignal(_RingSignal):
    """One key, many clients and networks: rotation to look like many people."""

    name = "rotation"

    def value(self, s: RingStats) -> float:
        spread = max(0, s.clients - 2) + max(0, s.networks - 2)
        return saturate(spread, 4.0) * s.evidence

    def describe(self, s: RingStats) -> str:
        return f"{s.clients} clients and {s.networks} networks in the last {s.n} requests"


class CasualSignal(_RingSignal):
    """Share of recent prompts typed the way people type in a hurry (a lowercase start, no
    closing punctuation, "i" for "I"): evidence of a person, since sweeps are written by
    scripts and generators. A harvester replaying real users' prompts has it too, and any
    harvester can lowercase its own, so it only ever lowers a score, and by little.

    People's hurry comes and goes from one prompt to the next (a third to two thirds of a
    ring's prompts); a ring of 12 or more typed casually almost throughout (85%) is a script
    lowercasing every prompt, and counts as typed by nobody: here, and for the fresh
    questions its prompts then are."""

    name = "casual"
    direction = -1
    max_weight = 2.5

    def value(self, s: RingStats) -> float:
        return s.share(Flag.CASUAL) * s.evidence

    def describe(self, s: RingStats) -> str:
        return f"{s.share(Flag.CASUAL):.0%} of the last {s.n} prompts typed casually"


class OrphanSignal(_RingSignal):
    """Share of recent requests that open by acknowledging an answer ("Thanks! Next: ...",
    "got it. ...") without sending the conversation it came in: a person says thanks in a
    conversation, so a key that does it in single requests is dressing a sweep up as one."""

    name = "orphan"

    def value(self, s: RingStats) -> float:
        return s.share(Flag.ORPHAN) * s.evidence

    def describe(self, s: RingStats) -> str:
        return (
            f"{s.share(Flag.ORPHAN):.0%} of the last {s.n} requests acknowledge an earlier "
            "answer but send no conversation"
        )


class FabricatedHistorySignal(_RingSignal):
    """Share of recent requests whose history quotes a question the key never asked (see
    ``_unlived``): made-up conversations, sent to look like a person's."""

    name = "fabricated_history"

    def value(self, s: RingStats) -> float:
        return s.unlived * s.evidence

    def describe(self, s: RingStats) -> str:
        return (
            f"{s.unlived:.0%} of the last {s.n} requests carry a conversation history whose "
            "earlier questions the key never asked"
        )


BEHAVIOUR_SIGNALS: tuple[type[Signal], ...] = (
    RecentNoveltySignal,
    FreshQuestionsSignal,
    SingleTurnSignal,
    ConversationSignal,
    PayloadSignal,
    TemplatedSignal,
    ReasoningSignal,
    ExtractionSignal,
    RotationSignal,
    CasualSignal,
    OrphanSignal,
    FabricatedHistorySignal,
)
