"""guard replay: the report contract, the simulated clock, determinism."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from replay_traffic import T0, chat, line, messages, mixed_traffic, write_jsonl

from guard.replay import TIMING_FIELDS, replay
from guard.store.memory import MemoryStore

# Throttle a key's 6th request within an hour and every one after it.
THROTTLE_AFTER_5: dict[str, Any] = {
    "scoring": {"bias": -6.0, "weights": {"elicitation": 4.0}},
    "rules": [{"name": "too-many", "when": "requests.hour > 5", "then": "throttle"}],
}

CONTRACT_KEY_FIELDS = {"requests", "score", "first_flagged", "actions", "reasons", "campaign"}


def without_timing(report: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in report.items() if name not in TIMING_FIELDS}


@pytest.fixture
def traffic_file(tmp_path: Path) -> Path:
    records: list[Any] = mixed_traffic()
    # Lines guard would not inspect, or could not read, between the requests.
    records.insert(3, line(T0 + 40, "sk-app", None, path="/v1/models", method="GET"))
    records.insert(5, line(T0 + 41, "sk-app", {}, path="/healthz"))
    records.insert(7, '{"ts": 1764201642.0, "key": "sk-trunc')
    records.insert(9, "[1, 2, 3]")
    records.insert(11, json.dumps({"ts": "yesterday", "key": "sk-app", "path": "/v1/messages"}))
    return write_jsonl(tmp_path / "traffic.jsonl", records)


async def test_report_matches_the_contract(traffic_file: Path) -> None:
    report = await replay(traffic_file, policy=THROTTLE_AFTER_5)

    assert report["requests"] == 12 + 5 + 3
    assert list(report)[:3] == ["requests", "keys", "campaigns"]
    assert list(report["keys"]) == ["sk-sweep", "sk-focused", "sk-app"]  # first appearance
    for entry in report["keys"].values():
        assert CONTRACT_KEY_FIELDS <= set(entry)
        assert type(entry["requests"]) is int
        assert type(entry["score"]) is float and 0.0 <= entry["score"] <= 1.0
        assert entry["first_flagged"] is None or type(entry["first_flagged"]) is int
        assert all(type(k) is str and type(v) is int for k, v in entry["actions"].items())
        assert sum(entry["actions"].values()) == entry["requests"]
        assert all(type(reason) is str for reason in entry["reasons"])
        assert entry["campaign"] is None or type(entry["campaign"]) is str
    for campaign, info in report["campaigns"].items():
        members = [k for k, e in report["keys"].items() if e["campaign"] == campaign]
        assert info["keys"] == len(members)
        assert type(info["coverage"]) is int

    sweep = report["keys"]["sk-sweep"]
    assert sweep["requests"] == 12
    assert sweep["first_flagged"] == 6
    assert sweep["actions"] == {"allow": 5, "throttle": 7}
    assert sweep["enforced"] == {"allow": 5, "throttle": 7}
    assert sweep["rules"] == {"too-many": 7}
    assert "elicitation" in sweep["reasons"]
    assert sweep["label"] == "harvester" and sweep["actor"] == "sweeper-1"
    assert sweep["key_id"].startswith("k_")
    assert sweep["coverage"] >= 1 and sweep["peak_coverage"] >= sweep["coverage"]

    focused = report["keys"]["sk-focused"]
    assert focused["requests"] == 5
    assert focused["first_flagged"] is None
    assert focused["actions"] == {"allow": 5}
    assert focused["class"] == "focused"
    assert focused["score"] < sweep["score"]

    app = report["keys"]["sk-app"]
    assert (app["requests"], app["errors"], app["actions"]) == (3, 1, {"allow": 3})

    traffic = report["traffic"]
    assert traffic["lines"] == 26
    assert traffic["skipped"] == 2  # a GET, and a path no adapter knows
    assert traffic["invalid"] == 3
    assert traffic["invalid_lines"] == [8, 10, 12]
    assert report["errors"] == 1 and report["error_types"] == {"BadRequest": 1}
    assert report["actions"] == {"allow": 13, "throttle": 7}
    assert report["labels"]["harvester"]["flagged"] == 1
    assert report["labels"]["benign"] == {
        **report["labels"]["benign"],
        "keys": 2,
        "requests": 8,
        "flagged": 0,
        "acted_share": 0.0,
    }
    assert set(report["classes"]) == {"sweeper", "focused", "app"}
    assert report["classes"]["sweeper"]["median_first_flagged"] == 6
    assert report["policy"]["path"] == "<mapping>" and len(report["policy"]["sha256"]) == 64
    assert report["throughput"] > 0
    json.dumps(report, allow_nan=False)  # the report is plain JSON


async def test_shadow_mode_counts_decisions_but_enforces_none(traffic_file: Path) -> None:
    report = await replay(traffic_file, policy={**THROTTLE_AFTER_5, "mode": "shadow"})
    sweep = report["keys"]["sk-sweep"]
    assert sweep["actions"] == {"allow": 5, "throttle": 7}
    assert sweep["enforced"] == {"allow": 12}
    assert sweep["first_flagged"] == 6  # flagged: the decision was not allow
    assert report["enforced"] == {"allow": 20}
    assert report["policy"]["mode"] == "shadow"


async def test_the_simulated_clock_slides_the_day_window() -> None:
    """Six requests on each of two days, two days apart, against a budget of 4 a day.

    On a simulated clock the day window has emptied by the second day, so requests 5-6 of
    each day are throttled; on one clock shared by all lines 5-12 would be.
    """
    policy = {
        "windows": {"hour": "1h", "day": {"seconds": "24h", "buckets": 6}},
        "budgets": {"requests": {"day": 4}},
        "rules": [{"name": "daily", "when": "budget.requests.day > 1", "then": "throttle"}],
    }
    records = [
        line(T0 + day * 2 * 86400 + i * 60, "sk-slow", chat(f"question {day} {i}"))
        for day in range(2)
        for i in range(6)
    ]
    report = await replay(records, policy=policy)
    entry = report["keys"]["sk-slow"]
    assert entry["actions"] == {"allow": 8, "throttle": 4}
    assert entry["first_flagged"] == 5
    assert report["traffic"]["start"] == T0
    assert report["traffic"]["end"] == T0 + 2 * 86400 + 300


async def test_time_never_runs_backwards() -> None:
    policy = {
        "windows": {"minute": {"seconds": "1m", "buckets": 2}, "day": "24h"},
        "rules": [{"name": "burst", "when": "requests.minute > 2", "then": "throttle"}],
    }
    # The third line is stamped an hour early: it is counted at the clock's current time.
    records = [
        line(T0 + 3600, "sk-a", chat("one")),
        line(T0 + 3601, "sk-a", chat("two")),
        line(T0, "sk-a", chat("three")),
    ]
    report = await replay(records, policy=policy)
    assert report["traffic"]["out_of_order"] == 1
    assert report["keys"]["sk-a"]["actions"] == {"allow": 2, "throttle": 1}


async def test_the_same_traffic_gives_the_same_report(traffic_file: Path) -> None:
    first = await replay(traffic_file, policy=THROTTLE_AFTER_5)
    second = await replay(traffic_file, policy=THROTTLE_AFTER_5)
    assert without_timing(first) == without_timing(second)
    # The same lines given as objects replay identically.
    records = [json.loads(text) for text in traffic_file.read_text().splitlines()[:6]]
    from_file = await replay(traffic_file, policy=THROTTLE_AFTER_5, limit=6)
    from_objects = await replay(records, policy=THROTTLE_AFTER_5)
    assert without_timing(from_file) == without_timing(from_objects)


async def test_a_different_secret_changes_key_ids_only_where_it_should(traffic_file: Path) -> None:
    first = await replay(traffic_file, policy=THROTTLE_AFTER_5, secret="one")
    second = await replay(traffic_file, policy=THROTTLE_AFTER_5, secret="two")
    assert first["keys"]["sk-sweep"]["key_id"] != second["keys"]["sk-sweep"]["key_id"]
    assert first["keys"]["sk-sweep"]["actions"] == second["keys"]["sk-sweep"]["actions"]


async def test_limit_stops_after_that_many_lines(traffic_file: Path) -> None:
    report = await replay(traffic_file, policy=THROTTLE_AFTER_5, limit=4)
    assert report["traffic"]["lines"] == 4
    assert report["requests"] == 3  # the fourth line is a GET


async def test_gzip_traffic(tmp_path: Path) -> None:
    plain = write_jsonl(tmp_path / "t.jsonl", mixed_traffic())
    packed = tmp_path / "t.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert without_timing(await replay(plain)) == without_timing(await replay(packed))


async def test_keys_are_sent_the_way_each_api_expects() -> None:
    """One key on both APIs is one key id; a policy reading only x-api-key sees it too."""
    records = [
        line(T0, "sk-both", chat("hello there")),
        line(T0 + 1, "sk-both", messages("hello again"), path="/v1/messages"),
        line(T0 + 2, None, chat("no key at all"), ip="192.0.2.55"),
    ]
    report = await replay(records)
    assert report["keys"]["sk-both"]["requests"] == 2
    assert report["keys"]["ip:192.0.2.55"]["key_id"] == "ip:192.0.2.55"

    only_x_api_key = {"identity": {"key_headers": ["x-api-key"]}}
    report = await replay(records, policy=only_x_api_key)
    assert report["keys"]["sk-both"]["key_id"].startswith("k_")
    assert report["keys"]["sk-both"]["requests"] == 2

    required = {"identity": {"require_key": True}}
    report = await replay(records, policy=required)
    assert report["keys"]["ip:192.0.2.55"]["errors"] == 1
    assert report["error_types"] == {"MissingApiKey": 1}


async def test_a_store_passed_in_holds_the_replayed_state() -> None:
    store = MemoryStore()
    report = await replay([line(T0, "sk-one", chat("hi"))], store=store)
    key_id = report["keys"]["sk-one"]["key_id"]
    meta = await store.meta(key_id)
    assert meta is not None and meta["action"] == "allow"


async def test_empty_traffic() -> None:
    report = await replay([])
    assert (report["requests"], report["keys"], report["campaigns"]) == (0, {}, {})
    assert report["traffic"]["start"] is None


async def test_mixed_labels_make_a_harvester_key_and_lines_count_by_their_own_label() -> None:
    """A hydra key carries real traffic with a sweep mixed in: each line has its own label."""
    records = [
        line(T0 + i, "sk-hydra", chat(f"question {i}"), label="benign" if i % 3 else "harvester")
        for i in range(6)
    ]
    records.append(line(T0 + 10, "sk-plain", chat("hello"), label="benign"))
    report = await replay(records, policy=THROTTLE_AFTER_5)
    hydra = report["keys"]["sk-hydra"]
    assert hydra["label"] == "harvester"
    assert hydra["line_labels"] == {"benign": 4, "harvester": 2}
    assert report["keys"]["sk-plain"]["line_labels"] is None
    assert report["requests_by_label"] == {
        "benign": {"requests": 5, "actions": {"allow": 4, "throttle": 1},
                   "enforced": {"allow": 4, "throttle": 1}},
        "harvester": {"requests": 2, "actions": {"allow": 2}, "enforced": {"allow": 2}},
    }  # fmt: skip


async def test_a_key_held_by_persistence_says_so(tmp_path: Path) -> None:
    # Two requests asking for the full reasoning score ~1 and count as suspect; the plain
    # ones after them score ~0 on their own and are held at suspect_at.
    policy = {
        "scoring": {"bias": -5.0, "weights": {"elicitation": 20.0}, "suspect_after": 2},
        "rules": [{"name": "suspect", "when": "score >= 0.9", "then": "watermark"}],
    }
    asks = "Solve 17 * 23. Think step by step and show all of your reasoning."
    bodies = [chat(asks), chat(asks + " Again."), *(chat(f"What is {n} + 1?") for n in range(4))]
    records = [line(T0 + 60 * i, "sk-held", body) for i, body in enumerate(bodies)]
    records.append(line(T0 + 600, "sk-plain", chat("What is 2 + 2?")))
    report = await replay(write_jsonl(tmp_path / "held.jsonl", records), policy=policy)
    held = report["keys"]["sk-held"]
    assert held["held"] == 4 and held["actions"] == {"watermark": 6}
    assert held["reasons"][0] == "elicitation" and held["reasons"][-1] == "persistent"
    assert held["score"] == 0.92
    plain = report["keys"]["sk-plain"]
    assert plain["held"] == 0 and "persistent" not in plain["reasons"]
