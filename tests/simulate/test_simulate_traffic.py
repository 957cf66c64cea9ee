"""The generated traffic file: contract shape, every class, labels, order, limits, diversity,
and reproducibility."""

from __future__ import annotations

import bisect
import io
import json
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from guard.adapters import Router
from guard.simulate import (
    BENIGN_CLASSES,
    CLASSES,
    HARVESTER_CLASSES,
    SimConfig,
    build_cast,
    iter_requests,
    write_traffic,
)
from guard.simulate.actors import SYBIL_DAILY_CAP
from guard.simulate.actors.base import hurry

SMALL = SimConfig(seed=11, keys=60, days=0.5, campaign_keys=40, sharegpt=False)

Record = dict[str, Any]


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(iter_requests(SMALL))


def test_every_line_follows_the_traffic_contract(records: list[Record]) -> None:
    router = Router()
    paths = Counter()
    for record in records:
        assert isinstance(record["ts"], float)
        assert record["key"].startswith("sk-")
        assert record["method"] == "POST"
        assert isinstance(record["ip"], str) and ("." in record["ip"] or ":" in record["ip"])
        assert record["label"] in ("benign", "harvester")
        assert record["actor"].startswith(record["class"] + "-")
        headers = record["headers"]
        assert headers["user-agent"]
        assert all(k == k.lower() for k in headers)
        adapter = router.match(record["path"])
        assert adapter is not None, record["path"]
        parsed = adapter.parse(record["body"])  # raises on a body the API would refuse
        assert parsed.prompt.strip(), record
        paths[record["path"]] += 1
    assert set(paths) == {
        "/v1/chat/completions",
        "/v1/messages",
        "/v1/responses",
        "/v1/completions",
    }


def test_lines_are_in_time_order_inside_the_period(records: list[Record]) -> None:
    times = [r["ts"] for r in records]
    assert times == sorted(times)
    assert SMALL.start <= times[0] and times[-1] < SMALL.end


def test_every_class_is_present_with_its_label(records: list[Record]) -> None:
    labels = {r["class"]: r["label"] for r in records}
    assert set(labels) == set(CLASSES)
    assert all(labels[c] == "benign" for c in BENIGN_CLASSES)
    assert all(labels[c] == "harvester" for c in HARVESTER_CLASSES)
    assert len(HARVESTER_CLASSES) == 11 and len(BENIGN_CLASSES) == 9


def test_keys_belong_to_one_actor_and_benign_key_count(records: list[Record]) -> None:
    owner: dict[str, tuple[str, str]] = {}
    for r in records:
        assert owner.setdefault(r["key"], (r["actor"], r["label"])) == (r["actor"], r["label"])
    benign = {k for k, (_, label) in owner.items() if label == "benign"}
    assert len(benign) == SMALL.keys  # every benign key shows up
    sybil = Counter(actor for actor, _ in owner.values() if actor.startswith("sybil-"))
    assert sybil == {"sybil-1": SMALL.campaign_keys, "sybil-2": SMALL.campaign_keys}


def test_campaign_keys_stay_under_the_per_key_daily_cap() -> None:
    config = SimConfig(seed=4, keys=20, days=3, campaign_keys=15, sharegpt=False, scale=3.0)
    times: dict[str, list[float]] = defaultdict(list)
    for actor in build_cast(config)[1]:
        if actor.cls in ("sybil", "stealth-campaign"):
            for ts, render in sorted(actor.plan(), key=lambda e: e[0]):
                times[render().key].append(ts)
    assert len(times) > 30
    for ts in times.values():
        busiest = max(bisect.bisect_left(ts, t + 86400) - i for i, t in enumerate(ts))
        assert busiest <= SYBIL_DAILY_CAP


def _prompts(records: list[Record], cls: str) -> list[str]:
    router = Router()
    out = []
    for r in records:
        if r["class"] == cls:
            adapter = router.match(r["path"])
            assert adapter is not None
            out.append(adapter.parse(r["body"]).prompt)
    return out


@pytest.mark.parametrize(
    "cls", ["broad-sweeper", "templated-sweeper", "deep-distiller", "slow-and-low", "stealth"]
)
def test_sweeps_rarely_repeat_a_prompt(records: list[Record], cls: str) -> None:
    prompts = _prompts(records, cls)
    assert len(prompts) > 20
    assert len(set(prompts)) / len(prompts) > 0.95


def test_broad_sweep_spans_many_domains_and_deep_distiller_one(records: list[Record]) -> None:
    from guard.simulate.subjects import DOMAINS, domain_named

    def domains_hit(prompts: list[str]) -> set[str]:
        hit = set()
        for d in DOMAINS:
            names = [e.lower() for e in d.entities if len(e) > 5]
            if any(name in p.lower() for p in prompts for name in names):
                hit.add(d.name)
        return hit

    broad = domains_hit(_prompts(records, "broad-sweeper"))
    assert len(broad) >= 30
    deep = [r for r in records if r["actor"] == "deep-distiller-1"]
    deep_prompts = _prompts(deep, "deep-distiller")
    medicine = [e.lower() for e in domain_named("medicine").entities]
    share = sum(any(m in p.lower() for m in medicine) for p in deep_prompts) / len(deep_prompts)
    assert share > 0.8


def test_shapes_of_the_hard_cases(records: list[Record]) -> None:
    router = Router()
    by_class: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        adapter = router.match(r["path"])
        assert adapter is not None
        by_class[r["class"]].append(adapter.parse(r["body"]))

    def share(cls: str, test: Any) -> float:
        return sum(map(test, by_class[cls])) / len(by_class[cls])

    assert share("focused-user", lambda p: p.turns > 1) > 0.5
    assert share("new-chat-user", lambda p: p.turns == 1) == 1.0
    assert share("app-key", lambda p: bool(p.system)) == 1.0
    assert share("agent-framework", lambda p: p.tools > 0) == 1.0
    assert share("logit-extractor", lambda p: p.logit_bias and p.logprobs) == 1.0
    assert share("logit-extractor", lambda p: p.n > 1) > 0.3
    assert share("reasoning-harvester", lambda p: (p.max_tokens or 0) >= 16384) == 1.0
    assert share("stealth", lambda p: p.turns > 1) > 0.5
    assert share("stealth", lambda p: (p.max_tokens or 0) <= 8192) == 1.0
    assert share("qa-product", lambda p: p.turns == 1) == 1.0
    assert share("batch-job", lambda p: p.turns == 1) == 1.0
    # The organisation shares one system prompt and one client build across its keys.
    org = [r for r in records if r["class"] == "organisation"]
    assert len({r["headers"]["user-agent"] for r in org}) == 1
    assert len({r["ip"].rsplit(".", 1)[0] for r in org}) == 1
    assert len({r["key"] for r in org}) > 2


def test_people_resume_conversations_after_long_pauses() -> None:
    """Products' end users come back to yesterday's chat: a history whose previous turn the
    key sent many hours earlier (the hard case for telling lived histories from made-up)."""
    router = Router()
    sent: dict[tuple[str, str], float] = {}
    pauses = []
    for r in iter_requests(SimConfig(seed=5, keys=120, days=2.0, sharegpt=False)):
        if r["class"] not in ("app-key", "focused-user"):
            continue
        adapter = router.match(r["path"])
        assert adapter is not None
        request = adapter.parse(r["body"])
        users = [t.text for t in request.conversation if t.role == "user"]
        if len(users) > 1 and (r["key"], users[-2]) in sent:
            pauses.append(r["ts"] - sent[(r["key"], users[-2])])
        sent[(r["key"], request.prompt)] = r["ts"]
    assert pauses and max(pauses) > 2 * 3600
    assert 0.01 < sum(p > 2 * 3600 for p in pauses) / len(pauses) < 0.2


def test_stealth_campaign_keys_share_no_fingerprint(records: list[Record]) -> None:
    campaign = [r for r in records if r["class"] == "stealth-campaign"]
    keys = {r["key"] for r in campaign}
    agents = {r["headers"]["user-agent"] for r in campaign}
    nets = {r["ip"].rsplit(".", 1)[0] for r in campaign}
    assert len(keys) > 5
    assert len(agents) > len(keys) / 3
    assert len(nets) > len(keys)


def test_same_seed_same_file_other_seed_other_file(tmp_path: Path) -> None:
    config = SimConfig(seed=3, keys=20, days=0.2, campaign_keys=10, sharegpt=False)
    one, two = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_traffic(config, one)
    write_traffic(config, two)
    assert one.read_bytes() == two.read_bytes()
    other = io.StringIO()
    write_traffic(SimConfig(seed=4, keys=20, days=0.2, campaign_keys=10, sharegpt=False), other)
    assert other.getvalue().encode() != one.read_bytes()


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from guard.simulate import SimConfig, write_traffic\n"
        "write_traffic(SimConfig(seed=9, keys=15, days=0.1, campaign_keys=6, sharegpt=False),"
        " sys.stdout)\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and outputs[0]


def test_a_twenty_thousand_request_run_completes(tmp_path: Path) -> None:
    out = tmp_path / "big.jsonl"
    config = SimConfig(seed=1, keys=100, days=0.8, campaign_keys=80, sharegpt=False)
    summary = write_traffic(config, out)
    assert summary.requests >= 20_000
    with open(out, encoding="utf-8") as fp:
        assert sum(1 for _ in fp) == summary.requests
    assert {json.loads(line)["class"] for line in out.read_text().splitlines()[-2000:]}


def test_summary_counts_keys_and_requests_per_class(records: list[Record]) -> None:
    summary = write_traffic(SMALL, io.StringIO())
    assert summary.requests == len(records)
    for cls in CLASSES:
        mine = [r for r in records if r["class"] == cls]
        entry = summary.classes[cls]
        assert entry.requests == len(mine)
        assert len(entry.keys) == len({r["key"] for r in mine})
    table = summary.table()
    assert "sybil" in table and str(len(records)) in table


def test_hurried_harvesters_type_like_people_and_nothing_else_changes() -> None:
    plain = list(iter_requests(SMALL))
    hurried = list(iter_requests(replace(SMALL, hurried=True)))
    assert len(plain) == len(hurried)
    changed = 0
    for a, b in zip(plain, hurried, strict=True):
        if a["label"] != "harvester":
            assert a == b  # the benign traffic is the same, byte for byte
            continue
        assert {k: v for k, v in a.items() if k != "body"} == {
            k: v for k, v in b.items() if k != "body"
        }
        changed += a["body"] != b["body"]
    assert changed > 0.5 * sum(1 for a in plain if a["label"] == "harvester")


def test_hurry_lowercases_the_first_letter_and_drops_the_closing_mark() -> None:
    turns = [("user", "What is X?"), ("assistant", "A thing."), ("user", "Explain Y in detail.")]
    assert hurry(turns) == [*turns[:2], ("user", "explain Y in detail")]
    assert hurry([("user", "Hi"), ("assistant", "Hello.")])[-1] == ("assistant", "Hello.")
