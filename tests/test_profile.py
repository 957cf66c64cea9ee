from __future__ import annotations

import struct

import pytest

from guard.models import Api, Features, Identity, PromptRequest, Turn
from guard.profile import Flag, RequestRecord, network_of

IDENTITY = Identity("k_1", True, "198.51.100.23", "fp-1")
FEATURES = Features(
    simhash=0,
    cell=(7 << 40) | 0x1234,
    template=0xABCDEF0123,
    runners_up=((9 << 36) | 0x5678, 0x10000),
    head=(3 << 20) | 0x4321,
)


def record(prompt: str = "What is the capital of France?", **params: object) -> RequestRecord:
    request = PromptRequest(Api.OPENAI, "openai.chat", prompt, **params)  # type: ignore[arg-type]
    return RequestRecord.of(100.5, IDENTITY, request, FEATURES)


def test_record_round_trips_in_40_bytes() -> None:
    rec = record(max_tokens=300, system="You are a careful reviewer of legal contracts today.")
    packed = rec.pack()
    assert len(packed) == 40
    back = RequestRecord.unpack(packed)
    assert back.ts == 100.5
    assert back.cell == FEATURES.cell & 0xFFFFFFFF
    assert back.template == FEATURES.template & 0xFFFFFFFF
    assert (back.second, back.third) == (0x5678, 1)  # 16 bits of each, never 0
    assert (back.head, back.tail) == (0x4321, 0)  # 0: the template has no tail
    assert back.max_tokens == 300 and back.prompt_chars == len("What is the capital of France?")
    assert back.system != 0 and back.client != 0 and back.network != 0
    assert back.prompt == rec.prompt != 0 and back.parent == 0  # single-turn: no earlier question


def test_large_values_are_clamped_not_wrapped() -> None:
    rec = record("x" * 100_000, max_tokens=1_000_000)
    back = RequestRecord.unpack(rec.pack())
    assert back.prompt_chars == 0xFFFF and back.max_tokens == 0xFFFF


def test_flags_read_what_the_request_asks_for() -> None:
    plain = record()
    assert plain.flags == 0
    history = (
        Turn("user", "How do I sort a list in Python?"),
        Turn("assistant", "Use sorted(items)."),
        Turn("user", "Thanks, but what about sorting by a key?"),
    )
    follow_up = record("Thanks, but what about sorting by a key?", conversation=history)
    assert follow_up.flags & Flag.MULTI_TURN and follow_up.flags & Flag.FOLLOW_UP
    new_subject = "Name three rivers in Peru."
    fresh = record(new_subject, conversation=(*history[:2], Turn("user", new_subject)))
    assert fresh.flags & Flag.MULTI_TURN and not fresh.flags & Flag.FOLLOW_UP
    everything = record(
        "Solve 12*7 and show your reasoning step by step.",
        n=4,
        logprobs=True,
        logit_bias=True,
        max_tokens=8192,
        tools=2,
        stream=True,
        system="Be terse.",
    )
    for flag in (
        Flag.REASONING,
        Flag.SAMPLES,
        Flag.LOGIT,
        Flag.LONG_OUTPUT,
        Flag.TOOLS,
        Flag.STREAM,
        Flag.SYSTEM,
    ):
        assert everything.flags & flag, flag
    assert not record(logprobs=True).flags & Flag.LOGIT  # logprobs alone is not extraction


def test_a_long_pasted_document_is_a_payload() -> None:
    document = "Summarise this contract:\n\n" + " ".join(["The tenant shall pay rent."] * 60)
    assert record(document).flags & Flag.DOCUMENT
    question = " ".join(["why"] * 30)
    assert not record(question).flags & Flag.DOCUMENT


def test_columns_of_a_ring_newest_first_skip_foreign_records() -> None:
    ring = tuple(
        RequestRecord(
            float(t), t, 10 + t, 0, 3, 4, 50, 0, int(Flag.STREAM), 20 + t, 30, head=t, tail=7
        ).pack()
        for t in (3, 2, 1)
    )
    # Records of older formats: 36 bytes (before prompt hashes), 32 (before template heads).
    old = struct.pack("<dIIHHHHHHHHHH", 9.0, 9, 9, 0, 9, 9, 9, 0, 0, 0, 0, 0, 0)
    older = struct.pack("<dIIHHHHHHHH", 9.0, 9, 9, 0, 9, 9, 9, 0, 0, 0, 0)
    columns = RequestRecord.columns((*ring, b"not a record", old, older))
    assert columns is not None
    assert columns.ts == (3.0, 2.0, 1.0) and columns.cell == (3, 2, 1)
    assert columns.template == (13, 12, 11) and columns.flags == (256, 256, 256)
    assert columns.client == (3, 3, 3) and columns.network == (4, 4, 4)
    assert columns.second == (23, 22, 21) and columns.third == (30, 30, 30)
    unpacked = [RequestRecord.unpack(record) for record in ring]
    assert [(r.head, r.tail) for r in unpacked] == [(3, 7), (2, 7), (1, 7)]
    assert RequestRecord.columns(()) is None
    assert RequestRecord.columns((b"short",)) is None


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.7", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),
        ("not-an-ip", "not-an-ip"),
    ],
)
def test_network_of(ip: str, network: str) -> None:
    assert network_of(ip) == network


def test_record_format_is_fixed() -> None:
    # Rings in Redis outlive a deploy: the layout is part of the stored format, and a change
    # must come with a new size (records of another size are skipped, never misread).
    packed = RequestRecord(1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15).pack()
    assert packed == struct.pack("<dIIHHHHHHHHHHHH", 1.5, *range(2, 16))


@pytest.mark.parametrize(
    ("prompt", "casual"),
    [
        ("how do i fix this", True),
        ("hey can you explain monads", True),
        ("i need help with my essay.", True),
        ("Why does my code say i is undefined", True),
        ("What is the capital of France?", False),
        ("Explain the causes of the First World War in detail.", False),
        ('{"task": "classify"}', False),
        ("Summarize: (see above)", False),
        # A form's last field ends without punctuation: a template's layout, not typing.
        ("Explain the following topic in depth.\nTopic: the causes of inflation", False),
        ("Answer for our customer.\nQuestion: how do i export a report", True),
        ("Explain the following topic in depth.\nthe causes of inflation", True),
        ("   ", False),
    ],
)
def test_casual_prompts_are_flagged(prompt: str, casual: bool) -> None:
    assert bool(record(prompt).flags & Flag.CASUAL) is casual


def test_an_acknowledgement_without_a_conversation_is_an_orphan() -> None:
    orphan = record("cool. What did people eat in ancient Rome?")
    assert orphan.flags & Flag.ORPHAN
    # The acknowledgement is cover, not how its sender types: casual is judged on the rest.
    assert not orphan.flags & Flag.CASUAL
    assert record("cool. what did people eat in ancient Rome").flags & Flag.CASUAL
    # In a conversation it replies to something: no orphan, whatever it says.
    history = (
        Turn("user", "What did people eat in ancient Greece?"),
        Turn("assistant", "Bread, olives and wine."),
        Turn("user", "cool. What did people eat in ancient Rome?"),
    )
    assert not record("cool. What did people eat in ancient Rome?", conversation=history).flags & (
        Flag.ORPHAN
    )
    assert not record("What did people eat in ancient Rome?").flags & Flag.ORPHAN


def test_a_record_keeps_its_prompt_and_the_question_before_it_as_histories_quote_them() -> None:
    first = record("How do I sort a list in Python?")
    history = (
        Turn("user", "How do I sort a list in Python?"),
        Turn("assistant", "Use sorted(items)."),
        Turn("user", "  And by a key?  "),
    )
    second = record("  And by a key?  ", conversation=history)
    assert second.parent == first.prompt != 0  # the history quotes what the key asked
    assert second.prompt == record("And by a key?").prompt  # surrounding spaces aside
    # Tool turns and several answers between: still the user turn before the last one.
    agent = (
        Turn("user", "How do I sort a list in Python?"),
        Turn("assistant", "Let me check."),
        Turn("tool", "sorted(iterable, key=None)"),
        Turn("assistant", "Use sorted(items)."),
        Turn("user", "And by a key?"),
    )
    assert record("And by a key?", conversation=agent).parent == first.prompt
    # A task and the tool calls it set off, with no user turn after: no earlier question.
    tools = (Turn("user", "Book a flight."), Turn("assistant", "..."), Turn("tool", "ok"))
    assert record("Book a flight.", conversation=tools).parent == 0
