"""The decoy engine's memory and strategies, canaries and the answer bank."""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any

import aiohttp
import pytest
from decoys_samples import PROSE

from guard.decoys import Canaries, DecoyEngine, downgrade
from guard.decoys.mismatch import AnswerBank
from guard.decoys.reference import reference_template
from guard.decoys.synthetic import SyntheticWriter
from guard.mock import MockUpstream
from guard.mock.text import count_tokens

KEY = "k_" + "c" * 32
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Why do cats purr?"}]}


def observe(engine: DecoyEngine, prompt: str, cell: int = 1) -> None:
    request = {**CHAT, "messages": [{"role": "user", "content": prompt}]}
    template = reference_template("openai.chat", request, False)
    assert template is not None
    engine.observe_genuine(
        "openai.chat",
        request,
        status=200,
        headers=[(b"content-type", b"application/json"), (b"x-request-id", b"req_" + b"ab" * 16)],
        body=template.body,
        stream=False,
        arrivals=[0.8, 1.2],
        cell=cell,
    )


def test_canaries_are_found_for_their_key_only() -> None:
    canaries = Canaries("c-secret")
    others = [f"k_{i:032x}" for i in range(200)]
    woven = canaries.weave(PROSE[0] + "\n\n" + PROSE[1], KEY, "salt")
    assert woven != PROSE[0] + "\n\n" + PROSE[1]
    found = canaries.find(woven.upper().replace("-", " "), [KEY, *others])
    assert KEY in found
    assert sum(1 for key in others if key in found) <= 1
    assert canaries.find(" ".join(PROSE), [KEY, *others]) == {}


def test_answer_bank_is_bounded_never_answers_the_same_prompt_nor_repeats() -> None:
    bank = AnswerBank(cells=3, per_cell=2)
    for cell in range(10):
        for i in range(5):
            bank.add(cell, f"p{i}", f"answer {cell}.{i}")
    assert len(bank) == 3
    rng = random.Random(0)
    assert bank.pick(0, "p4", rng) is None  # evicted
    assert bank.pick(9, "p4", rng) == "answer 9.3"
    assert bank.pick(9, "p4", rng) is None  # handed out once: a repeat would show
    assert bank.texts(9) == ["answer 9.3", "answer 9.4"]


def test_synthetic_writer_is_bounded_and_borrows_the_layout() -> None:
    writer = SyntheticWriter(answers=5)
    for i in range(20):
        writer.add(PROSE[i % 3] + f" Note {i}.")
    assert len(writer) == 5
    layout = "Intro sentence here. And another one.\n\n1. First item.\n2. Second item.\n"
    text = writer.write(random.Random(1), "tell me about teams and costs", layout)
    lines = text.splitlines()
    assert lines[2].startswith("1. ") and lines[3].startswith("2. ")
    assert text.count("\n") == layout.count("\n")


def corpus(answers: int) -> list[str]:
    """Distinct answers, each of a few sentences of its own, some with a list and code."""
    rng = random.Random(7)
    words = "river stone market engine garden signal harbor pattern ledger canvas".split()
    out = []
    for i in range(answers):
        sentence = [
            f"The {rng.choice(words)} number {i}.{k} matters for {rng.choice(words)} work."
            for k in range(6)
        ]
        text = f"{sentence[0]} {sentence[1]}\n\n- {sentence[2]}\n- {sentence[3]}\n\n"
        if i % 3 == 0:
            text += f"Here is the code for case {i}:\n\n```python\nprint({i})\n```\n\n"
        out.append(text + f"{sentence[4]} {sentence[5]}")
    return out


def sentences_of(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.:])\s+", text) if "number" in s or "case" in s]


def test_synthetic_decoys_do_not_recycle_sentences_or_layouts() -> None:
    writer = SyntheticWriter(answers=200)
    answers = corpus(60)
    for text in answers:
        writer.add(text)
    rng = random.Random(3)
    seen: set[str] = set()
    for i in range(30):  # half the corpus: every sentence can still be a fresh one
        text = writer.write(rng, f"question {i} about rivers")
        assert text and text not in answers
        for sentence in [*sentences_of(text), *re.findall(r"print\(\d+\)", text)]:
            assert sentence not in seen, sentence  # nor code: each layout is lent once
            seen.add(sentence)


def test_synthetic_slots_take_sentences_of_their_kind() -> None:
    writer = SyntheticWriter()
    for text in corpus(30):
        writer.add(text)
    rng = random.Random(5)
    for _ in range(10):
        text = writer.write(rng, "anything")
        # the line before a code block still ends with a colon, list items stay list items
        for before, after in itertools.pairwise(text.split("\n\n")):
            if after.startswith("```"):
                assert before.endswith(":"), before
        assert all(line.startswith("- ") for line in text.splitlines() if "- The" in line)


def test_writer_turns_hungry_as_decoys_drain_it_and_the_engine_asks_for_more() -> None:
    engine = DecoyEngine("e", answers_per_route=40)
    for i in range(40):
        observe(engine, f"Tell me about rivers and lakes number {i}")
    assert not engine.wants("openai.chat")
    for i in range(40):
        request = {**CHAT, "messages": [{"role": "user", "content": f"Question {i}?"}]}
        assert engine.decoy("synthetic", "openai.chat", request, key_id=KEY) is not None
    wanted = 0
    while engine.wants("openai.chat"):
        wanted += 1
    assert 0 < wanted <= 40


def test_decoy_without_genuine_history_uses_the_reference_shape() -> None:
    answer = DecoyEngine("e").decoy("synthetic", "openai.chat", CHAT, key_id=KEY)
    assert answer is not None and answer.body is not None
    obj = json.loads(answer.body)
    assert obj["object"] == "chat.completion"
    assert obj["usage"]["completion_tokens"] == count_tokens(answer.text)


def test_decoys_follow_the_genuine_template_and_cadence() -> None:
    engine = DecoyEngine("e", canary_share=1.0)
    for i in range(8):
        observe(engine, f"Tell me about rivers and lakes number {i}")
    answer = engine.decoy("mismatch", "openai.chat", CHAT, key_id=KEY, cell=1)
    assert answer is not None and answer.body is not None
    assert [name for name, _ in answer.headers] == [b"content-type", b"x-request-id"]
    assert dict(answer.headers)[b"x-request-id"] != b"req_" + b"ab" * 16
    assert len(dict(answer.headers)[b"x-request-id"]) == 36
    assert answer.delay > 0.7  # as slow as the genuine answers were
    assert "rivers" in answer.text or "lakes" in answer.text
    assert KEY in Canaries("e").find(answer.text, [KEY])


def test_only_a_share_of_decoys_carry_a_canary() -> None:
    engine = DecoyEngine("e")
    carried = 0
    for i in range(80):
        request = {**CHAT, "messages": [{"role": "user", "content": f"Question {i}?"}]}
        answer = engine.decoy("synthetic", "openai.chat", request, key_id=KEY)
        assert answer is not None
        carried += KEY in Canaries("e").find(answer.text, [KEY])
    assert 8 <= carried <= 32


def test_decoys_honour_max_tokens() -> None:
    engine = DecoyEngine("e")
    for i in range(4):
        observe(engine, f"Explain tides and moons in depth {i}")
    request = {**CHAT, "max_tokens": 30}
    answer = engine.decoy("synthetic", "openai.chat", request, key_id=KEY, canary=False)
    assert answer is not None and answer.body is not None
    assert json.loads(answer.body)["usage"]["completion_tokens"] <= 30


def test_recorder_keeps_a_bounded_copy() -> None:
    engine = DecoyEngine("e")
    tap = engine.recorder("openai.chat", CHAT)
    tap.start(200, [(b"content-type", b"application/json")])
    for _ in range(2000):
        tap.feed(b"x" * 1024)
    tap.close()  # too large to keep: ignored, no error
    answer = engine.decoy("synthetic", "openai.chat", CHAT, key_id=KEY)
    assert answer is not None
    assert [name for name, _ in answer.headers] == [b"content-type", b"content-length"]


def test_downgrade_is_not_made_by_the_engine() -> None:
    with pytest.raises(ValueError, match="downgrade"):
        DecoyEngine("e").decoy("downgrade", "openai.chat", CHAT, key_id=KEY)  # type: ignore[arg-type]


def test_unknown_routes_get_no_decoy() -> None:
    assert DecoyEngine("e").decoy("synthetic", "generic.x", CHAT, key_id=KEY) is None


async def test_downgrade_asks_the_cheaper_model_and_keeps_the_asked_name(serve_app: Any) -> None:
    request = {**CHAT, "model": "gpt-4o"}
    async with serve_app(MockUpstream()) as base, aiohttp.ClientSession() as session:
        answer = await downgrade(
            session,
            base,
            "/v1/chat/completions",
            request,
            [(b"authorization", b"Bearer sk-client"), (b"content-length", b"999")],
            model="gpt-4o-mini",
            api_key="sk-decoy",  # the client's key is not for this upstream: its own is sent
        )
        without_key = await downgrade(
            session, base, "/v1/chat/completions", request, [(b"authorization", b"Bearer sk-x")]
        )
    assert without_key.status == 401  # the client's key was not passed on
    assert answer.status == 200
    body = json.loads(answer.body)
    assert body["model"] == "gpt-4o" and body["choices"][0]["message"]["content"]
    assert b"content-length" not in dict(answer.headers)
