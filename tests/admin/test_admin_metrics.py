"""/_guard/metrics: Prometheus text that parses and counts what guard did."""

from __future__ import annotations

from typing import Any

from admin_traffic import admin, guard_app, send_traffic
from prometheus_client.parser import text_string_to_metric_families

from guard.admin import Metrics
from guard.policy import load_policy


def samples(text: str) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def total(found: dict[str, list[Any]], name: str, **labels: str) -> float:
    return sum(
        float(s.value)
        for s in found.get(name, [])
        if all(s.labels.get(k) == v for k, v in labels.items())
    )


async def test_metrics_parse_and_count_the_traffic() -> None:
    app = guard_app()
    sent = await send_traffic(app, rounds=18)
    requests = sum(sent.values())
    async with admin(app) as client:
        response = await client.get("/_guard/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = samples(response.text)
    assert total(found, "guard_requests_total") == requests
    assert total(found, "guard_requests_total", route="openai.chat", tier="default") == requests
    blocked = total(found, "guard_requests_total", action="block")
    assert blocked > 0
    assert total(found, "guard_enforced_actions_total", action="block") == blocked
    assert total(found, "guard_enforced_actions_total") == requests
    assert total(found, "guard_suspicion_score_count") == requests
    assert total(found, "guard_coverage_cells_count") == requests
    assert total(found, "guard_coverage_cells_sum") >= requests
    # One observe and one record per request; forwarded requests only for upstream latency.
    assert total(found, "guard_store_seconds_count", operation="observe") == requests
    assert total(found, "guard_store_seconds_count", operation="record") == requests
    assert total(found, "guard_store_errors_total") == 0
    assert total(found, "guard_upstream_seconds_count") == requests - blocked
    assert total(found, "guard_tokens_total", direction="input") > 0
    assert total(found, "guard_tokens_total", direction="output") > 0
    (info,) = found["guard_policy_info"]
    assert info.value == 1
    assert info.labels == {
        "hash": app.pipeline.policy.hash,
        "source": "<mapping>",
        "mode": "enforce",
    }


async def test_each_app_has_its_own_registry() -> None:
    first, second = guard_app(), guard_app()
    await send_traffic(first, rounds=2)
    async with admin(second) as client:
        found = samples((await client.get("/_guard/metrics")).text)
    assert total(found, "guard_requests_total") == 0


def test_store_errors_counted_by_operation() -> None:
    metrics = Metrics()
    metrics.on_store("observe", 0.002, False)
    metrics.on_store("observe", 1.5, True)
    metrics.on_store("record", 0.001, True)
    found = samples(metrics.render().decode())
    assert total(found, "guard_store_errors_total", operation="observe") == 1
    assert total(found, "guard_store_errors_total", operation="record") == 1
    assert total(found, "guard_store_seconds_count", operation="observe") == 2


def test_policy_info_follows_a_reload() -> None:
    metrics = Metrics()
    old = load_policy({"mode": "enforce"})
    new = load_policy({"mode": "shadow"})
    metrics.set_policy(old)
    metrics.set_policy(new)
    (info,) = samples(metrics.render().decode())["guard_policy_info"]
    assert info.labels["hash"] == new.hash and info.labels["mode"] == "shadow"
