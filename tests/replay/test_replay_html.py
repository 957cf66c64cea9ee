"""The HTML report: self-contained, with its plots, and safe against hostile traffic."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from replay_traffic import T0, chat, line, mixed_traffic

from guard.replay import render_html, replay

HOSTILE_KEY = "<script>alert(1)</script>"
HOSTILE_ACTOR = '"><img src=x onerror=alert(2)>'
HOSTILE_CAMPAIGN = "c-</title><script>alert(3)</script>"


class Elements(HTMLParser):
    """Collects every start tag and attribute the browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
async def report() -> dict[str, Any]:
    records = mixed_traffic()
    for i in range(6):
        records.append(
            line(T0 + 900 + i, HOSTILE_KEY, chat(f"Explain topic {i} step by step."),
                 label="harvester<marquee>", actor=HOSTILE_ACTOR)
        )  # fmt: skip
    policy = {"rules": [{"name": "too-many", "when": "requests.hour > 5", "then": "block"}]}
    return await replay(records, policy=policy)


def with_campaigns(report: dict[str, Any]) -> dict[str, Any]:
    """The report as it would read once keys are linked into campaigns."""
    linked = copy.deepcopy(report)
    for name in ("sk-sweep", HOSTILE_KEY):
        linked["keys"][name]["campaign"] = HOSTILE_CAMPAIGN
    linked["keys"]["sk-focused"]["campaign"] = "c-2"
    linked["campaigns"] = {
        HOSTILE_CAMPAIGN: {"keys": 2, "coverage": 17, "requests": 18, "flagged": 2,
                           "labels": {"harvester": 1, "harvester<marquee>": 1}},
        "c-2": {"keys": 1, "coverage": 1, "requests": 5, "flagged": 0, "labels": {"benign": 1}},
    }  # fmt: skip
    return linked


def test_the_page_is_self_contained_with_its_plots(report: dict[str, Any]) -> None:
    unlinked = {**report, "campaigns": {}}
    unlinked["keys"] = {k: {**v, "campaign": None} for k, v in report["keys"].items()}
    page = render_html(unlinked)
    elements = parse(page)
    assert page.startswith("<!DOCTYPE html>")
    assert elements.tags.count("svg") == 3  # score histogram, coverage, score over time ...
    assert "No campaigns" in page  # ... and a note instead of an empty campaign graph
    assert "script" not in elements.tags
    assert not any(name in ("src", "href") for name, _ in elements.attributes)
    assert not any(name.startswith("on") for name, _ in elements.attributes)
    assert "Most suspicious keys" in page and "sk-sweep" in page
    # The score histogram has a bar per label that has keys.
    assert re.search(r'<rect [^>]*fill="#2f7ed8"', page)  # benign
    # Every timeline key is in the legend.
    for name in report["timeline"]:
        if name != HOSTILE_KEY:
            assert name in page


def test_traffic_strings_are_escaped(report: dict[str, Any]) -> None:
    page = render_html(with_campaigns(report))
    elements = parse(page)
    assert "script" not in elements.tags
    assert "img" not in elements.tags
    assert "marquee" not in elements.tags
    assert not any(name.startswith("on") for name, _ in elements.attributes)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "alert(3)" in page and "<script>alert(3)" not in page


def test_campaigns_are_drawn_as_groups(report: dict[str, Any]) -> None:
    page = render_html(with_campaigns(report))
    elements = parse(page)
    assert elements.tags.count("svg") == 4
    assert "No campaigns" not in page
    graph = re.findall(r"<svg[^>]*aria-label=\"Keys grouped by campaign\".*?</svg>", page, re.S)
    assert len(graph) == 1
    # One hull per campaign plus one dot per member key.
    assert graph[0].count("<circle") == 2 + 3
    assert "17 cells" in graph[0]


def test_a_report_without_keys_still_renders() -> None:
    page = render_html({"requests": 0, "keys": {}, "campaigns": {}})
    assert "No key was inspected" in page
    parse(page)


def test_tables_stay_bounded_whatever_the_traffic_says(report: dict[str, Any]) -> None:
    """Labels and classes come from the traffic file: a hostile one must not bloat the page."""
    entry = report["classes"]["sweeper"]
    flooded = {**report, "classes": {f"class-{i:03d}": {**entry, "keys": i} for i in range(100)}}
    page = render_html(flooded)
    assert "class-099" in page and "class-060" in page and "class-059" not in page
    assert "The 40 largest of 100 are shown." in page
