"""The admin API's JSON documents, built from the shared store and this process's activity.

Key entries carry the replay report's fields (DESIGN.md, contract: admin API): ``requests``,
``score``, ``first_flagged``, ``actions``, ``reasons``, ``campaign``, then ``coverage`` and
the last verdict. What the store holds is shared by every instance; ``actions`` and
``first_flagged`` are counted by this process since it started (the store keeps no history).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guard import __version__
from guard.admin.activity import Activity
from guard.errors import StoreError
from guard.models import CampaignState, KeyState, WindowCounts

if TYPE_CHECKING:
    from guard.pipeline import Pipeline

__all__ = ["campaigns", "health", "key_detail", "keys", "summary"]

SCORE_DIGITS = 6


async def health(pipeline: Pipeline, timeout: float) -> tuple[bool, dict[str, Any]]:
    """Whether the store answers ``ping`` within ``timeout``, and what is being served.

    Health needs no token, so the policy is named by its file name and hash only.
    """
    store_ok, latency = await _ping(pipeline, timeout)
    policy = pipeline.policy
    body = {
        "status": "ok" if store_ok else "unavailable",
        "version": __version__,
        "store": {
            "ok": store_ok,
            "backend": _backend(pipeline),
            "latency_ms": round(latency * 1000, 3) if store_ok else None,
        },
        "policy": {"hash": policy.hash, "source": _name(policy.source), "mode": policy.mode},
    }
    return store_ok, body


async def keys(pipeline: Pipeline, activity: Activity, limit: int) -> dict[str, Any]:
    """``{"window", "count", "keys": {key_id: entry}}``, most recently active first."""
    now = pipeline.clock()
    ids = await pipeline.store.keys(limit)
    entries = await asyncio.gather(*(_entry(pipeline, activity, k, now) for k in ids))
    found = {k: e for k, (e, _) in zip(ids, entries, strict=True) if e is not None}
    return {"window": activity.window, "count": len(found), "keys": found}


async def key_detail(pipeline: Pipeline, activity: Activity, key_id: str) -> dict[str, Any] | None:
    """One key's entry, its windows, latest signals and recent decisions; None if unknown."""
    entry, state = await _entry(pipeline, activity, key_id, pipeline.clock())
    if entry is None:
        return None
    local = activity.peek(key_id)
    entry = {"key_id": key_id, **entry}
    entry["windows"] = (
        {name: _counts(counts) for name, counts in state.windows.items()} if state else {}
    )
    entry["signals"] = (
        [{"name": s.name, "value": round(s.value, 4), "reason": s.reason} for s in local.signals]
        if local is not None
        else []
    )
    entry["recent"] = [record.to_json() for record in activity.recent(key_id)]
    entry["series"] = local.series.points_list() if local is not None else []
    return entry


async def campaigns(pipeline: Pipeline, activity: Activity, limit: int) -> dict[str, Any]:
    """``{"window", "count", "campaigns": {id: {"keys", "coverage", "requests", "windows"}}}``."""
    window = activity.window
    found = await pipeline.store.campaigns(pipeline.clock(), pipeline.spec, limit)
    return {
        "window": window,
        "count": len(found),
        "campaigns": {c.id: _campaign(c, window) for c in found},
    }


async def summary(
    pipeline: Pipeline, activity: Activity, *, top: int = 10, timeout: float = 1.0
) -> dict[str, Any]:
    """Everything the dashboard draws, in one document."""
    now = pipeline.clock()
    policy = pipeline.policy
    window = activity.window
    store_ok, _ = await _ping(pipeline, timeout)
    found: list[CampaignState] = []
    if store_ok:
        try:
            found = await asyncio.wait_for(
                pipeline.store.campaigns(now, pipeline.spec, top), timeout
            )
        except (StoreError, asyncio.TimeoutError):
            store_ok = False
    top_keys = []
    for key_id, entry in activity.top_keys(top):
        top_keys.append(
            {
                "key_id": key_id,
                "score": round(entry.score, 4),
                "coverage": entry.coverage,
                "requests": entry.requests,
                "first_flagged": entry.first_flagged,
                "actions": dict(entry.actions),
                "reasons": entry.reasons,
                "campaign": entry.campaign,
                "tier": entry.tier,
                "last_seen": round(entry.last_seen, 3),
                "series": entry.series.points_list(),
            }
        )
    campaign_rows = []
    for campaign in found:
        series = activity.campaigns.get(campaign.id)
        campaign_rows.append(
            {
                "id": campaign.id,
                **_campaign(campaign, window),
                "series": series.points_list() if series is not None else [],
            }
        )
    flagged = sum(1 for _, e in activity.items() if e.first_flagged is not None)
    return {
        "version": __version__,
        "now": round(now, 3),
        "uptime": round(time.time() - activity.started, 1),
        "window": window,
        "policy": {
            "source": policy.source,
            "hash": policy.hash,
            "mode": policy.mode,
            "fail": policy.fail,
            "rules": policy.rule_count,
            "tiers": [tier.name for tier in policy.tiers],
        },
        "store": {"ok": store_ok, "backend": _backend(pipeline)},
        "totals": {
            "requests": activity.requests,
            "keys": len(activity.keys),
            "flagged": flagged,
            "campaigns": len(found),
        },
        "timeline": activity.timeline(now),
        "top_keys": top_keys,
        "campaigns": campaign_rows,
    }


# Helpers -------------------------------------------------------------------------------------


async def _entry(
    pipeline: Pipeline, activity: Activity, key_id: str, now: float
) -> tuple[dict[str, Any] | None, KeyState | None]:
    store = pipeline.store
    state, meta = await asyncio.gather(store.state(key_id, now, pipeline.spec), store.meta(key_id))
    local = activity.peek(key_id)
    if state is None and meta is None and local is None:
        return None, None
    meta = meta or {}
    window = activity.window
    counts = state.window(window) if state is not None else WindowCounts()
    longest = _longest(state)
    campaign = state.campaign.id if state is not None and state.campaign else None
    score = meta.get("score", local.score if local is not None else 0.0)
    entry: dict[str, Any] = {
        "requests": longest.requests,
        "score": round(float(score), SCORE_DIGITS),
        "first_flagged": local.first_flagged if local is not None else None,
        "actions": dict(local.actions) if local is not None else {},
        "reasons": list(meta.get("reasons", local.reasons if local is not None else [])),
        "campaign": campaign or meta.get("campaign"),
        "coverage": counts.distinct_cells,
        "action": meta.get("action"),
        "enforced": meta.get("enforced"),
        "rule": meta.get("rule") or None,
        "tier": meta.get("tier", local.tier if local is not None else None),
        "route": meta.get("route"),
        "last_seen": meta.get("last_seen"),
        "input_tokens": longest.input_tokens,
        "output_tokens": longest.output_tokens,
    }
    return entry, state


def _longest(state: KeyState | None) -> WindowCounts:
    """The counts of the window that remembers most (what ``requests`` reports)."""
    if state is None or not state.windows:
        return WindowCounts()
    return max(state.windows.values(), key=lambda c: (c.requests, c.distinct_cells))


def _counts(counts: WindowCounts) -> dict[str, int]:
    return {
        "distinct_cells": counts.distinct_cells,
        "requests": counts.requests,
        "input_tokens": counts.input_tokens,
        "output_tokens": counts.output_tokens,
        "suspect": counts.suspect,
    }


def _campaign(campaign: CampaignState, window: str) -> dict[str, Any]:
    counts = campaign.window(window)
    return {
        "keys": campaign.keys,
        "coverage": counts.distinct_cells,
        "requests": counts.requests,
        "windows": {name: _counts(c) for name, c in campaign.windows.items()},
    }


async def _ping(pipeline: Pipeline, timeout: float) -> tuple[bool, float]:
    start = time.perf_counter()
    try:
        ok = await asyncio.wait_for(pipeline.store.ping(), timeout)
    except Exception:  # any failure, timeouts included, is "not reachable"
        ok = False
    return bool(ok), time.perf_counter() - start


def _backend(pipeline: Pipeline) -> str:
    name = type(pipeline.store).__name__
    return name.removesuffix("Store").lower() or name


def _name(source: str) -> str:
    if source.startswith("<") and source.endswith(">"):
        return source
    return Path(source).name
