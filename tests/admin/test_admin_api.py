"""The admin API's JSON documents after real SDK traffic through guard."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any

import pytest
from admin_traffic import BENIGN, HARVESTER, SYBILS, admin, guard_app, key_id, send_traffic

from guard.errors import StoreError
from guard.server import GuardApp
from guard.store.memory import MemoryStore

CONTRACT_FIELDS = ("requests", "score", "first_flagged", "actions", "reasons", "campaign")


@pytest.fixture(scope="module")
def served() -> tuple[GuardApp, dict[str, int]]:
    """One app that served the whole traffic mix (built once: the SDK calls dominate)."""
    app = guard_app()
    sent = asyncio.run(send_traffic(app))
    return app, sent


async def get(app: Any, path: str) -> Any:
    async with admin(app) as client:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


async def test_keys_lists_every_key_with_the_report_fields(served: Any) -> None:
    app, sent = served
    body = await get(app, "/_guard/keys")
    assert body["window"] == "day" and body["count"] == len(sent)
    keys = body["keys"]
    assert set(keys) == {key_id(app, raw) for raw in sent}
    for raw, count in sent.items():
        entry = keys[key_id(app, raw)]
        assert tuple(entry)[: len(CONTRACT_FIELDS)] == CONTRACT_FIELDS
        assert entry["requests"] == count
        assert sum(entry["actions"].values()) == count
        assert 0.0 <= entry["score"] <= 1.0
        assert isinstance(entry["reasons"], list)
        assert entry["coverage"] >= 1
        assert entry["action"] in {"allow", "log", "block"}
        assert entry["route"] == "openai.chat" and entry["tier"] == "default"
        assert entry["output_tokens"] > 0
    harvester = keys[key_id(app, HARVESTER)]
    assert harvester["actions"].get("block", 0) > 0
    assert isinstance(harvester["first_flagged"], int) and harvester["first_flagged"] > 1
    assert harvester["coverage"] > 12
    benign = keys[key_id(app, BENIGN)]
    assert benign["actions"] == {"allow": sent[BENIGN]} and benign["first_flagged"] is None


async def test_no_raw_key_anywhere(served: Any) -> None:
    app, sent = served
    async with admin(app) as client:
        bodies = [
            (await client.get(path)).text
            for path in (
                "/_guard/keys",
                "/_guard/campaigns",
                "/_guard/api/summary",
                "/_guard/metrics",
                f"/_guard/keys/{key_id(app, HARVESTER)}",
            )
        ]
    for raw in sent:
        assert all(raw not in body for body in bodies)


async def test_keys_limit(served: Any) -> None:
    app, _ = served
    body = await get(app, "/_guard/keys?limit=2")
    assert body["count"] == 2 and len(body["keys"]) == 2
    async with admin(app) as client:
        for bad in ("0", "1001", "many"):
            response = await client.get(f"/_guard/keys?limit={bad}")
            assert response.status_code == 400
            assert "limit must be a whole number" in response.json()["error"]["message"]


async def test_one_key_has_windows_signals_and_recent_decisions(served: Any) -> None:
    app, sent = served
    kid = key_id(app, HARVESTER)
    body = await get(app, f"/_guard/keys/{kid}")
    assert body["key_id"] == kid and body["requests"] == sent[HARVESTER]
    assert set(body["windows"]) == {"hour", "day", "week"}
    assert body["windows"]["day"]["requests"] == sent[HARVESTER]
    assert body["windows"]["day"]["suspect"] == sent[HARVESTER]  # scoring.suspect_at: 0
    assert {s["name"] for s in body["signals"]} >= {"coverage", "volume"}
    assert all(isinstance(s["reason"], str) for s in body["signals"])
    assert all(s["reason"] for s in body["signals"] if s["value"] >= 0.5)  # the reasons
    recent = body["recent"]
    assert len(recent) == 20  # bounded: the harvester sent more
    times = [r["ts"] for r in recent]
    assert times == sorted(times, reverse=True)  # newest first
    assert recent[0]["action"] == "block" and recent[0]["rule"] == "over-budget"
    assert recent[0]["coverage"] == body["coverage"]
    assert set(recent[0]) == {"ts", "action", "enforced", "rule", "score", "coverage", "reasons"}
    assert body["series"] and body["series"][-1][1] == body["coverage"]


async def test_unknown_key_is_404(served: Any) -> None:
    app, _ = served
    async with admin(app) as client:
        response = await client.get("/_guard/keys/k_nobody")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No key 'k_nobody' is tracked."


async def test_campaigns_link_the_sybils(served: Any) -> None:
    app, sent = served
    body = await get(app, "/_guard/campaigns")
    assert body["count"] >= 1
    keys = (await get(app, "/_guard/keys"))["keys"]
    sybil_campaigns = {keys[key_id(app, s)]["campaign"] for s in SYBILS}
    assert len(sybil_campaigns) == 1
    (campaign_id,) = sybil_campaigns
    assert re.fullmatch(r"c-[0-9a-f]+", campaign_id)
    campaign = body["campaigns"][campaign_id]
    assert campaign["keys"] >= len(SYBILS)
    assert campaign["coverage"] >= max(keys[key_id(app, s)]["coverage"] for s in SYBILS)
    assert campaign["requests"] >= sum(sent[s] for s in SYBILS)
    assert set(campaign["windows"]) == {"hour", "day", "week"}


async def test_summary_has_what_the_dashboard_draws(served: Any) -> None:
    app, sent = served
    body = await get(app, "/_guard/api/summary")
    policy = app.pipeline.policy
    assert body["policy"] == {
        "source": "<mapping>",
        "hash": policy.hash,
        "mode": "enforce",
        "fail": "open",
        "rules": 2,
        "tiers": [],
    }
    assert body["store"] == {"ok": True, "backend": "memory"}
    assert body["totals"]["requests"] == sum(sent.values())
    assert body["totals"]["keys"] == len(sent)
    assert body["totals"]["flagged"] >= 1
    timeline = body["timeline"]
    assert timeline["bucket"] == 10.0
    assert all(len(counts) == timeline["count"] for counts in timeline["actions"].values())
    assert sum(sum(c) for c in timeline["actions"].values()) == sum(sent.values())
    assert timeline["actions"]["block"] and timeline["actions"]["allow"]
    top = body["top_keys"]
    assert len(top) == len(sent)
    assert [k["score"] for k in top] == sorted((k["score"] for k in top), reverse=True)
    assert all(k["series"] and k["series"][-1][1] == k["coverage"] for k in top)
    assert body["campaigns"] and body["campaigns"][0]["series"]


class DownStore(MemoryStore):
    """A store whose backend is gone: ping fails and every read raises."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    async def ping(self) -> bool:
        if self.mode == "hang":
            await asyncio.sleep(30)
        if self.mode == "raise":
            raise StoreError("connection refused")
        return False

    async def keys(self, limit: int = 1000) -> list[str]:
        raise StoreError("connection refused")

    async def campaigns(self, now: float, spec: Any, limit: int = 100) -> Sequence[Any]:  # type: ignore[override]
        raise StoreError("connection refused")


async def test_health_ok() -> None:
    app = guard_app()
    async with admin(app, token=None) as client:
        response = await client.get("/_guard/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["store"]["ok"] is True
    assert body["store"]["backend"] == "memory" and body["store"]["latency_ms"] >= 0
    assert body["policy"] == {
        "hash": app.pipeline.policy.hash,
        "source": "<mapping>",
        "mode": "enforce",
    }
    assert body["version"]


@pytest.mark.parametrize("mode", ["false", "raise", "hang"])
async def test_health_503_when_the_store_is_down(mode: str) -> None:
    app = guard_app(store=DownStore(mode))
    app.admin.store_timeout = 0.05
    async with admin(app, token=None) as client:
        response = await client.get("/_guard/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["store"] == {"ok": False, "backend": "down", "latency_ms": None}


async def test_store_errors_are_503_and_summary_degrades() -> None:
    app = guard_app(store=DownStore("raise"))
    async with admin(app) as client:
        keys = await client.get("/_guard/keys")
        campaigns = await client.get("/_guard/campaigns")
        summary = await client.get("/_guard/api/summary")
    assert keys.status_code == campaigns.status_code == 503
    assert keys.json()["error"]["message"] == "The state store is unavailable: connection refused"
    assert summary.status_code == 200 and summary.json()["store"]["ok"] is False


async def test_health_names_a_policy_file_by_its_name_only(tmp_path: Any) -> None:
    policy = tmp_path / "secret-dir" / "prod.yaml"
    policy.parent.mkdir()
    policy.write_text("rules: []\n")
    app = guard_app(policy=str(policy))
    async with admin(app, token=None) as client:
        body = (await client.get("/_guard/health")).json()
    assert body["policy"]["source"] == "prod.yaml"
    async with admin(app) as client:
        summary = (await client.get("/_guard/api/summary")).json()
    assert summary["policy"]["source"] == str(policy)


async def test_unknown_admin_path_is_404() -> None:
    async with admin(guard_app()) as client:
        response = await client.get("/_guard/nothing")
    assert response.status_code == 404
