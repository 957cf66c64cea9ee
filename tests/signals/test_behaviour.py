from __future__ import annotations

import math

from guard.models import (
    Api,
    CampaignState,
    Features,
    Identity,
    KeyState,
    PromptRequest,
    WindowCounts,
)
from guard.profile import Flag, RequestRecord
from guard.signals import SignalContext
from guard.signals.behaviour import (
    CasualSignal,
    ConversationSignal,
    ExtractionSignal,
    FabricatedHistorySignal,
    FreshQuestionsSignal,
    OrphanSignal,
    PayloadSignal,
    ReasoningSignal,
    RecentNoveltySignal,
    RingStats,
    RotationSignal,
    SingleTurnSignal,
    TemplatedSignal,
)
from guard.signals.campaign import CampaignSignal

IDENTITY = Identity("k_1", True, "203.0.113.1", "fp")


def ring(
    n: int,
    *,
    cells: int | None = None,
    templates: int | None = None,
    flags: int = 0,
    clients: int = 1,
    networks: int = 1,
    gap: float = 10.0,
) -> tuple[bytes, ...]:
    """``n`` records, newest first, cycling over the given numbers of distinct values."""
    return tuple(
        RequestRecord(
            1000.0 - i * gap,
            1 + i % (cells or n),  # 0 stands for no word (guard.profile.cell16)
            i % (templates or n),
            0,
            1 + i % clients,
            1 + i % networks,
            80,
            0,
            flags,
        ).pack()
        for i in range(n)
    )


def context(recent: tuple[bytes, ...], campaign: CampaignState | None = None) -> SignalContext:
    request = PromptRequest(Api.OPENAI, "openai.chat", "hello")
    state = KeyState({"day": WindowCounts()}, recent=recent, campaign=campaign)
    return SignalContext(IDENTITY, request, Features(0, 0), state, "day", 8, RingStats.of(recent))


def test_ring_stats() -> None:
    stats = RingStats.of(ring(40, cells=10, templates=4, flags=Flag.MULTI_TURN | Flag.STREAM))
    assert stats.n == 40 and stats.evidence == 12 / 13  # capped from 36 requests on
    assert stats.distinct_cells == 10 / 40 and stats.top_template == 10 / 40
    assert stats.share(Flag.MULTI_TURN) == 1.0 and stats.share(Flag.STREAM) == 1.0
    assert stats.share(Flag.REASONING) == 0.0
    assert stats.median_gap == 10.0
    assert RingStats.of(()).n == 0 and RingStats.of(()).median_gap == math.inf


def test_median_gap_ignores_record_order() -> None:
    records = list(ring(5, gap=3.0))
    shuffled = (records[2], records[0], records[4], records[1], records[3])
    assert RingStats.of(tuple(shuffled)).median_gap == 3.0


def test_evidence_grows_with_the_ring_up_to_a_cap() -> None:
    factors = [RingStats.of(ring(n)).evidence for n in (2, 8, 24, 36, 48)]
    assert factors[:3] == [2 / 5, 8 / 11, 24 / 27]
    assert factors[3] == factors[4] == 12 / 13  # a full ring: what 48 / (48 + 4) gave


def test_two_requests_are_not_yet_evidence() -> None:
    sweep = RecentNoveltySignal().evaluate(context(ring(2)))
    assert sweep.value == 2 / 5  # all distinct, shrunk towards "no evidence"
    assert RecentNoveltySignal().evaluate(context(ring(48))).value > 0.9


def test_sweep_versus_conversation() -> None:
    sweep = context(ring(48, templates=1, flags=Flag.REASONING))
    person = context(ring(48, cells=6, flags=Flag.MULTI_TURN | Flag.FOLLOW_UP))
    for signal in (RecentNoveltySignal(), SingleTurnSignal(), TemplatedSignal(), ReasoningSignal()):
        assert signal.measure(sweep) > 0.85 > signal.measure(person) + 0.5, signal.name
    assert ConversationSignal().measure(person) > 0.9 and ConversationSignal().measure(sweep) == 0
    assert "100% of the last 48 requests share one template" in TemplatedSignal().explain(sweep, 1)


def test_payload_extraction_rotation() -> None:
    documents = context(ring(48, flags=Flag.DOCUMENT))
    assert PayloadSignal().measure(documents) > 0.9
    logits = context(ring(48, flags=Flag.LOGIT))
    samples = context(ring(48, flags=Flag.SAMPLES))
    assert ExtractionSignal().measure(logits) > 0.9 > ExtractionSignal().measure(samples) > 0.5
    rotating = context(ring(48, clients=8, networks=8))
    steady = context(ring(48, clients=2, networks=1))
    assert RotationSignal().measure(rotating) > 0.6 and RotationSignal().measure(steady) == 0
    assert "8 clients and 8 networks" in RotationSignal().explain(rotating, 0.8)


def test_campaign_signal_needs_a_sweeping_group() -> None:
    def campaign(keys: int, cells: int, requests: int) -> CampaignState:
        return CampaignState("c-1", keys, {"day": WindowCounts(cells, requests, 0, 0)})

    signal = CampaignSignal()
    assert signal.measure(context((), None)) == 0.0
    script = ring(20, templates=2)  # the key fills two templates
    sweeping = context(script, campaign(50, 950, 1000))
    narrow = context(script, campaign(50, 100, 1000))  # an organisation on one codebase
    young = context(script, campaign(50, 10, 10))
    assert signal.measure(sweeping) > 0.6 and signal.measure(narrow) < 0.25
    assert signal.measure(young) == 0.0
    assert "campaign c-1 of 50 keys" in signal.explain(sweeping, 1.0)
    # A member writing its own prompts keeps little more than a quarter of the weight.
    person = context(ring(40), campaign(50, 950, 1000))
    assert signal.measure(sweeping) / 4 < signal.measure(person) < signal.measure(sweeping) / 3


def framed(cells: list[int], seconds: list[int], thirds: list[int]) -> tuple[bytes, ...]:
    """Records whose prompts' three heaviest terms name ``cells``, ``seconds``, ``thirds``."""
    return tuple(
        RequestRecord(1000.0 - i, cell, 7, 0, 1, 1, 80, 0, 0, second, third).pack()
        for i, (cell, second, third) in enumerate(zip(cells, seconds, thirds, strict=True))
    )


def test_novelty_reads_past_a_frame_word_to_what_varies() -> None:
    # "Generate a high-quality instructional response... Prompt: <question>": the frame's
    # words are the heaviest of every prompt; the subjects come next.
    n = 40
    frame = framed([0xAB_0001] * n, [0x0002] * n, [100 + i for i in range(n)])
    assert RingStats.of(frame).distinct_cells == 1.0
    # Without the runners-up (an older record format, or prompts of one word) it is one cell.
    bare = framed([0xAB_0001] * n, [0] * n, [0] * n)
    assert RingStats.of(bare).distinct_cells == 1 / n


def test_a_focused_key_stays_focused() -> None:
    # One subject, a few angles on it, asked again and again: the frame rule finds the
    # recurring words and what is left repeats too.
    n = 40
    angles = [0x0100 + i % 4 for i in range(n)]
    focused = framed([0xCD_0005] * n, angles, [0x0200 + i % 3 for i in range(n)])
    assert RingStats.of(focused).distinct_cells <= 4 / n


def test_varied_cells_are_counted_as_they_are() -> None:
    n = 40
    cells = [0x1_0000 * (i + 1) + i for i in range(n)]
    seconds = [0x0009] * n  # a common word everywhere, but never the heaviest
    assert RingStats.of(framed(cells, seconds, [0] * n)).distinct_cells == 1.0
    # A frame word in a few prompts only is not a frame.
    few = [0xEE_0003 if i < 5 else c for i, c in enumerate(cells)]
    assert RingStats.of(framed(few, [i + 1 for i in range(n)], [0] * n)).distinct_cells == 36 / n


def test_casual_typing_is_evidence_of_a_person_and_weighs_little() -> None:
    n = 20
    typed = context(mixed([Flag.CASUAL if i % 2 else 0 for i in range(n)], list(range(1, n + 1))))
    tidy = context(ring(n))
    assert CasualSignal().measure(typed) == 0.5 * 20 / 23  # half the prompts, times the evidence
    assert CasualSignal().measure(tidy) == 0.0
    assert "50% of the last 20 prompts typed casually" in CasualSignal().explain(typed, 1.0)
    # Anyone can lowercase a prompt: fitting may not weigh it like what cannot be faked.
    assert CasualSignal.direction == -1
    assert CasualSignal.max_weight is not None and CasualSignal.max_weight < 6


def mixed(flags: list[int], cells: list[int]) -> tuple[bytes, ...]:
    """Records with the given flags and cells, newest first."""
    return tuple(
        RequestRecord(1000.0 - i, cell, i, 0, 1, 1, 80, 0, flag).pack()
        for i, (flag, cell) in enumerate(zip(flags, cells, strict=True))
    )


def test_a_ring_typed_in_a_hurry_throughout_is_a_script() -> None:
    # People's hurry comes and goes; a script that lowercases every prompt types the same way
    # every time: its typing is evidence of nobody, and its questions are fresh ones.
    scripted = RingStats.of(ring(20, flags=Flag.CASUAL))
    assert scripted.share(Flag.CASUAL) == 0.0
    assert scripted.fresh == 1.0
    nearly = [0 if i == 0 else Flag.CASUAL for i in range(20)]  # 95%: still throughout
    assert RingStats.of(mixed(nearly, list(range(1, 21)))).share(Flag.CASUAL) == 0.0
    person = [0 if i % 4 == 0 else Flag.CASUAL for i in range(20)]  # 75%: a person's hurry
    assert RingStats.of(mixed(person, list(range(1, 21)))).share(Flag.CASUAL) == 0.75
    # A few requests cannot tell a habit from chance.
    assert RingStats.of(ring(11, flags=Flag.CASUAL)).share(Flag.CASUAL) == 1.0


def test_fresh_questions_count_each_request_for_what_it_is() -> None:
    signal = FreshQuestionsSignal()
    sweep = context(ring(40))  # single-turn, tidy, each on its own subject
    assert signal.measure(sweep) == 12 / 13
    assert "100% of the last 40 requests are fresh" in signal.explain(sweep, 1.0)
    # Each thing a person's request often has makes it no fresh question.
    for personal in (Flag.MULTI_TURN, Flag.DOCUMENT, Flag.TOOLS):
        assert signal.measure(context(ring(40, flags=personal))) == 0.0, personal
    # A prompt typed in a hurry too, as people type some of theirs.
    hurried = [Flag.CASUAL if i % 5 < 3 else 0 for i in range(40)]
    assert RingStats.of(mixed(hurried, list(range(1, 41)))).fresh == 0.4
    # Nor does coming back to a subject: ten subjects, four requests each.
    assert signal.measure(context(ring(40, cells=10))) == 0.0
    # A sweep mixed into a person's traffic: the sweep's requests count, and only they.
    n = 40
    flags = [0 if i % 2 else Flag.MULTI_TURN | Flag.CASUAL for i in range(n)]
    cells = [1000 + i if i % 2 else 7 for i in range(n)]  # the person stays on one subject
    stats = RingStats.of(mixed(flags, cells))
    assert stats.fresh == 0.5
    # ... where the shares of the parts average the two.
    assert stats.share(Flag.MULTI_TURN) == 0.5 and stats.share(Flag.CASUAL) == 0.5


def test_a_fresh_question_is_its_subject_and_what_it_asks_about_it() -> None:
    # A sweep through one domain comes back to each entity for another aspect ("the
    # diagnosis of hypertension", "the prognosis of hypertension"): each is a fresh question.
    n = 40
    entities = [1 + i % 8 for i in range(n)]
    aspects = [100 + i for i in range(n)]
    assert RingStats.of(framed(entities, aspects, [0] * n)).fresh == 1.0
    # The same two words asked again, in either order, are the same question.
    swapped = [a if i % 2 else e for i, (e, a) in enumerate(zip(entities, aspects, strict=True))]
    others = [e if i % 2 else a for i, (e, a) in enumerate(zip(entities, aspects, strict=True))]
    twice = framed(entities + swapped, aspects + others, [0] * 2 * n)
    assert RingStats.of(twice).fresh == 0.0
    # A subject asked about with no second word is one question each time.
    assert RingStats.of(framed(entities, [0] * n, [0] * n)).fresh == 0.0


def test_a_subject_of_two_words_leaves_its_aspect_third() -> None:
    # "The history of fiduciary duty", "an example of fiduciary duty": the subject's two
    # words are the heaviest, and what is asked about it comes third.
    n = 40
    subjects = [1 + i % 8 for i in range(n)]
    rest = [50 + i % 8 for i in range(n)]
    aspects = [100 + i for i in range(n)]
    assert RingStats.of(framed(subjects, rest, aspects)).fresh == 1.0
    # The same subject with nothing else to tell its requests apart: five of each.
    assert RingStats.of(framed(subjects, rest, [0] * n)).fresh == 0.0


def test_fresh_questions_weigh_little_since_casual_typing_is_free_to_fake() -> None:
    assert FreshQuestionsSignal.max_weight is not None and FreshQuestionsSignal.max_weight < 6
    assert FreshQuestionsSignal.direction == 1


def test_fresh_questions_read_past_a_frame() -> None:
    n = 40
    frame = framed([0xAB_0001] * n, [0x0002] * n, [100 + i for i in range(n)])
    assert RingStats.of(frame).fresh == 1.0


def test_a_member_filling_one_frame_counts_as_scripted() -> None:
    # "Answer as an expert {field} professor. Question: {q}": each question gives the prompt
    # another template fingerprint, but the frame's words stay the heaviest.
    n = 40
    frame = framed([0xAB_0001] * n, [0x0002] * n, [100 + i for i in range(n)])
    stats = RingStats.of(frame)
    assert stats.framed == 1.0 and stats.top_template == 1.0  # framed() uses one template
    free = tuple(
        RequestRecord(1000.0 - i, 0xAB_0001, i, 0, 1, 1, 80, 0, 0, 0x0002, 100 + i).pack()
        for i in range(n)
    )
    stats = RingStats.of(free)
    assert stats.framed == 1.0 and stats.top_template == 1 / n
    campaign = CampaignState("c-1", 50, {"day": WindowCounts(950, 1000, 0, 0)})
    signal = CampaignSignal()
    scripted = signal.measure(context(free, campaign))
    person = signal.measure(context(ring(40), campaign))
    assert scripted > 3 * person and scripted > 0.6
    assert "100% of this key's recent requests fill one template or frame" in signal.explain(
        context(free, campaign), scripted
    )
    assert RingStats.of(ring(40)).framed == 0.0


def test_orphan_acknowledgements_are_a_share_of_the_ring() -> None:
    n = 30
    flags = [Flag.ORPHAN if i % 3 == 0 else 0 for i in range(n)]
    stats = context(mixed(flags, list(range(1, n + 1))))
    assert OrphanSignal().measure(stats) == (1 / 3) * (n / (n + 3))
    assert "33% of the last 30 requests acknowledge an earlier answer" in OrphanSignal().explain(
        stats, 0.3
    )
    assert OrphanSignal().measure(context(ring(n))) == 0.0


def conversations(parents: list[int], *, gap: float = 60.0) -> tuple[bytes, ...]:
    """Multi-turn records, newest first: request i asks question 100 + i and its history
    quotes ``parents[i]`` (0: none)."""
    n = len(parents)
    return tuple(
        RequestRecord(
            1e6 - i * gap,
            1 + i,
            i,
            0,
            1,
            1,
            80,
            0,
            int(Flag.MULTI_TURN | Flag.FOLLOW_UP) if parents[i] else 0,
            prompt=100 + i,
            parent=parents[i],
        ).pack()
        for i in range(n)
    )


def test_a_history_quoting_questions_the_key_never_asked_is_fabricated() -> None:
    n = 20
    # Lived: each request's history quotes the question the key asked just before it.
    lived = RingStats.of(conversations([100 + i + 1 for i in range(n - 1)] + [0]), complete=True)
    assert lived.unlived == 0.0 and lived.share(Flag.MULTI_TURN) == (n - 1) / n
    # Written: each history quotes a question no request of the key carried.
    made_up = conversations([5000 + i for i in range(n)])
    written = RingStats.of(made_up, complete=True)
    assert written.unlived == 1.0
    # A made-up conversation is no conversation: the requests count as fresh single turns.
    assert written.share(Flag.MULTI_TURN) == 0.0 and written.share(Flag.FOLLOW_UP) == 0.0
    assert written.fresh == 1.0
    signal = FabricatedHistorySignal()
    assert signal.measure(context(made_up)) == 0.0  # the ring may have forgotten the questions
    ctx = SignalContext(
        IDENTITY,
        PromptRequest(Api.OPENAI, "openai.chat", "hello"),
        Features(0, 0),
        KeyState({"day": WindowCounts(requests=n)}, recent=made_up),
        "day",
        8,
    )
    assert signal.measure(ctx) == n / (n + 3)  # the ring holds all the day's requests
    assert "100% of the last 20 requests carry a conversation history" in signal.explain(ctx, 1)


def test_a_history_is_only_judged_where_the_ring_would_hold_its_question() -> None:
    n = 20
    parents = [5000 + i for i in range(n)]
    # Busy: the ring spans 19 minutes and may have dropped what the histories quote.
    assert RingStats.of(conversations(parents, gap=60.0)).unlived == 0.0
    # The ring reaches back 3 hours: requests an hour or more newer than its oldest are judged.
    spread = RingStats.of(conversations(parents, gap=600.0))
    assert spread.unlived == 14 / 20  # 0..13 are 70 to 190 minutes newer than the oldest


def test_a_preamble_quoted_by_every_request_is_no_fabrication() -> None:
    # Few-shot examples sent with each question: the same made-up exchange every time.
    stats = RingStats.of(conversations([777] * 20), complete=True)
    assert stats.unlived == 0.0
