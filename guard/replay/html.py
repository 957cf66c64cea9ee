"""The replay report as one self-contained HTML page, readable at a glance.

Rendered from the report dict alone (so a saved ``report.json`` can be rendered again), with
inline CSS and inline SVG: no script, no external file, nothing fetched. Key names, labels,
actors and campaign ids come from the traffic file, which an attacker may have written, so
every one of them goes through :func:`guard.replay.svg.esc`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from guard.replay.svg import (
    Bars,
    Cluster,
    Line,
    Node,
    campaign_graph,
    esc,
    histogram,
    line_chart,
)

__all__ = ["render_html", "write_html"]

_LABEL_COLORS = {"benign": "#2f7ed8", "harvester": "#e4572e", "unlabelled": "#8a8a8a"}
_OTHER_COLORS = ("#8e6bbf", "#3aa17e", "#d4a72c", "#5b6770", "#17becf", "#c2185b")
_LINE_COLORS = (
    "#e4572e", "#2f7ed8", "#3aa17e", "#8e6bbf", "#d4a72c",
    "#17becf", "#c2185b", "#6d4c41", "#7cb342", "#5c6bc0",
)  # fmt: skip
_BINS = 20
_TOP_KEYS = 50
_GRAPH_CAMPAIGNS = 24
_GRAPH_NODES = 120
_TABLE_CAMPAIGNS = 20
_TABLE_GROUPS = 40  # rows of the label and class tables (the JSON report has them all)
_PLOT_LABELS = 8  # labels in the score histogram

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;color:#222;margin:0;
background:#fafafa}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px}
.sub{color:#666;margin:0 0 16px;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:10px 12px}
.card b{display:block;font-size:20px}.card span{color:#666;font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.key{font-family:ui-monospace,monospace;overflow-wrap:anywhere;max-width:220px}
.bar{display:inline-block;height:8px;background:#e4572e;border-radius:2px;margin-right:6px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;margin:4px 0 0}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;
vertical-align:-2px}.note{color:#666}figure{margin:0;background:#fff;border:1px solid #e2e2e2;
border-radius:6px;padding:8px}
"""


def write_html(report: Mapping[str, Any], path: str | Path) -> None:
    Path(path).write_text(render_html(report), encoding="utf-8")


def render_html(report: Mapping[str, Any]) -> str:
    """The whole page for a replay report."""
    keys: Mapping[str, Mapping[str, Any]] = report.get("keys", {})
    colors = _label_colors(keys)
    sections = [
        _header(report),
        _summary(report, keys),
        _labels_table(report.get("labels", {}), colors),
        _score_distribution(keys, colors),
        _timeline(report, keys),
        _campaigns(report.get("campaigns", {}), keys, colors),
        _top_keys(keys),
        _classes_table(report.get("classes", {})),
        _footer(report),
    ]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<title>guard replay report</title>"
        # No script may run and nothing may be fetched, whatever ends up in the page.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<style>{_CSS}</style></head><body><main>{''.join(sections)}</main></body></html>\n"
    )


def _label_colors(keys: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    colors = dict(_LABEL_COLORS)
    others = sorted({_label(e) for e in keys.values()} - set(colors))
    for i, label in enumerate(others):
        colors[label] = _OTHER_COLORS[i % len(_OTHER_COLORS)]
    return colors


def _label(entry: Mapping[str, Any]) -> str:
    label = entry.get("label")
    return label if isinstance(label, str) and label else "unlabelled"


def _label_order(labels: Sequence[str]) -> list[str]:
    first = [name for name in ("benign", "harvester") if name in labels]
    return first + sorted(name for name in labels if name not in first)


def _largest(groups: Mapping[str, Mapping[str, Any]], limit: int) -> tuple[list[str], str]:
    """The ``limit`` groups with the most keys, and a note saying how many were left out."""
    names = sorted(groups, key=lambda n: (-int(groups[n].get("keys") or 0), n))
    if len(names) <= limit:
        return list(groups), ""
    return names[:limit], f'<p class="note">The {limit} largest of {len(names):,} are shown.</p>'


def _when(ts: float | None, *, seconds: bool = False) -> str:
    if ts is None:
        return "-"
    moment = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " UTC"


def _int(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else "-"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _counts(counts: Mapping[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{esc(name)} {count:,}" for name, count in ordered) or "-"


def _swatch(color: str) -> str:
    return f'<span class="sw" style="background:{color}"></span>'


def _header(report: Mapping[str, Any]) -> str:
    policy = report.get("policy", {})
    traffic = report.get("traffic", {})
    digest = policy.get("sha256") or ""
    throughput = report.get("throughput")
    speed = f", {throughput:,.0f} requests/s" if isinstance(throughput, (int, float)) else ""
    return (
        "<h1>guard replay report</h1>"
        f'<p class="sub">policy {esc(policy.get("path", "?"))} '
        f"(sha256 {esc(digest[:12])}, mode {esc(policy.get('mode', '?'))}) &middot; "
        f"traffic {esc(_when(traffic.get('start')))} to {esc(_when(traffic.get('end')))} &middot; "
        f"replayed in {report.get('duration', 0):.1f}s{speed}</p>"
    )


def _summary(report: Mapping[str, Any], keys: Mapping[str, Mapping[str, Any]]) -> str:
    traffic = report.get("traffic", {})
    flagged = sum(1 for e in keys.values() if e.get("first_flagged") is not None)
    enforced = report.get("enforced", {})
    requests = report.get("requests", 0)
    acted = requests - enforced.get("allow", 0) - enforced.get("log", 0)
    cards = [
        (_int(requests), "requests inspected"),
        (_int(len(keys)), "keys"),
        (f"{flagged:,} ({_share(flagged, len(keys))})", "keys flagged"),
        (f"{acted:,} ({_share(acted, requests)})", "requests acted on"),
        (_int(len(report.get("campaigns", {}))), "campaigns"),
        (_int(report.get("errors", 0)), "bad requests"),
        (_int(traffic.get("skipped", 0)), "lines not inspected"),
        (_int(traffic.get("invalid", 0)), "invalid lines"),
    ]
    body = "".join(
        f"<div class=card><b>{value}</b><span>{esc(text)}</span></div>" for value, text in cards
    )
    return f'<h2>Summary</h2><div class="cards">{body}</div>'


def _labels_table(labels: Mapping[str, Mapping[str, Any]], colors: Mapping[str, str]) -> str:
    if not labels:
        return ""
    shown, note = _largest(labels, _TABLE_GROUPS)
    rows = []
    for name in _label_order(shown):
        s = labels[name]
        median = s.get("median_first_flagged")
        rows.append(
            f"<tr><td>{_swatch(colors.get(name, '#8a8a8a'))}{esc(name)}</td>"
            f'<td class="n">{_int(s["keys"])}</td><td class="n">{_int(s["requests"])}</td>'
            f'<td class="n">{_int(s["flagged"])} ({_share(s["flagged"], s["keys"])})</td>'
            f'<td class="n">{esc(median) if median is not None else "-"}</td>'
            f'<td class="n">{s["mean_score"]:.3f}</td>'
            f'<td class="n">{100 * s["acted_share"]:.2f}%</td></tr>'
        )
    return (
        "<h2>By label</h2><table><tr><th>label</th><th>keys</th><th>requests</th>"
        "<th>keys flagged</th><th>median requests to flag</th><th>mean score</th>"
        "<th>requests acted on</th></tr>" + "".join(rows) + "</table>" + note
    )


def _score_distribution(keys: Mapping[str, Mapping[str, Any]], colors: Mapping[str, str]) -> str:
    counts: dict[str, list[int]] = {}
    for entry in keys.values():
        if not entry.get("requests"):
            continue
        bins = counts.setdefault(_label(entry), [0] * _BINS)
        bins[min(_BINS - 1, int(float(entry.get("score", 0.0)) * _BINS))] += 1
    if not counts:
        return '<h2>Score distribution</h2><p class="note">No key was inspected.</p>'
    groups = [
        Bars(label, colors.get(label, "#8a8a8a"), counts[label], sum(counts[label]))
        for label in _label_order(sorted(counts, key=lambda n: (-sum(counts[n]), n))[:_PLOT_LABELS])
    ]
    legend = "".join(
        f"<span>{_swatch(g.color)}{esc(g.label)} ({g.total:,} keys)</span>" for g in groups
    )
    chart = histogram(groups, title="Final score per key, by label", x_label="final score")
    return f'<h2>Score distribution</h2><figure>{chart}<div class="legend">{legend}</div></figure>'


def _timeline(report: Mapping[str, Any], keys: Mapping[str, Mapping[str, Any]]) -> str:
    timeline: Mapping[str, Sequence[Sequence[float]]] = report.get("timeline", {})
    window = report.get("windows", {}).get("timeline", "day")
    title = f"<h2>Coverage over time (top keys, {esc(window)} window)</h2>"
    if not timeline:
        return title + '<p class="note">No timeline was recorded.</p>'
    xs = [point[0] for points in timeline.values() for point in points]
    span = (max(xs) - min(xs)) if xs else 0.0

    def x_format(ts: float) -> str:
        moment = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
        return moment.strftime("%m-%d" if span > 3 * 86400 else "%m-%d %H:%M")

    coverage_lines = []
    score_lines = []
    legend = []
    for i, (name, points) in enumerate(timeline.items()):
        color = _LINE_COLORS[i % len(_LINE_COLORS)]
        entry = keys.get(name, {})
        label = _label(entry)
        dashed = label == "benign"
        tip = f"{name} ({label}): final score {entry.get('score', 0):.2f}"
        coverage_lines.append(Line(tip, color, [(p[0], p[1]) for p in points], dashed))
        score_lines.append(Line(tip, color, [(p[0], p[2]) for p in points], dashed))
        style = "dashed" if dashed else "solid"
        legend.append(
            f'<span title="{esc(name)}">{_swatch(color)}<span class="key">'
            f"{esc(_short(name))}</span> ({esc(label)}, {style})</span>"
        )
    coverage = line_chart(
        coverage_lines,
        title="Distinct semantic cells per key over time",
        y_label=f"distinct cells ({window})",
        x_format=x_format,
    )
    scores = line_chart(
        score_lines,
        title="Suspicion score per key over time",
        y_label="score",
        x_format=x_format,
        y_max=1.0,
    )
    return (
        f'{title}<figure>{coverage}<div class="legend">{"".join(legend)}</div></figure>'
        f"<h2>Score over time (same keys)</h2><figure>{scores}</figure>"
    )


def _campaigns(
    campaigns: Mapping[str, Mapping[str, Any]],
    keys: Mapping[str, Mapping[str, Any]],
    colors: Mapping[str, str],
) -> str:
    title = "<h2>Campaigns</h2>"
    if not campaigns:
        return title + '<p class="note">No campaigns: no keys were linked as acting together.</p>'
    members: dict[str, list[str]] = {}
    for name, entry in keys.items():
        campaign = entry.get("campaign")
        if isinstance(campaign, str) and campaign in campaigns:
            members.setdefault(campaign, []).append(name)
    order = sorted(campaigns, key=lambda c: (-int(campaigns[c].get("keys") or 0), c))
    clusters = []
    for campaign in order[:_GRAPH_CAMPAIGNS]:
        names = sorted(members.get(campaign, []), key=lambda n: (-keys[n].get("score", 0), n))
        info = campaigns[campaign]
        nodes = [
            Node(
                n,
                colors.get(_label(keys[n]), "#8a8a8a"),
                f"{n} ({_label(keys[n])}), score {keys[n].get('score', 0):.2f}"
                + (
                    f", flagged at request {keys[n]['first_flagged']}"
                    if keys[n].get("first_flagged") is not None
                    else ""
                ),
                keys[n].get("first_flagged") is not None,
            )
            for n in names[:_GRAPH_NODES]
        ]
        coverage = info.get("coverage")
        caption = f"{_int(info.get('keys'))} keys" + (
            f", {coverage:,} cells" if isinstance(coverage, int) else ""
        )
        clusters.append(Cluster(campaign, caption, nodes, len(names)))
    graph = campaign_graph(clusters, title="Keys grouped by campaign")
    shown = (
        f'<p class="note">The {_GRAPH_CAMPAIGNS} largest of {len(campaigns):,} campaigns '
        "are drawn.</p>"
        if len(campaigns) > _GRAPH_CAMPAIGNS
        else ""
    )
    legend = "".join(
        f"<span>{_swatch(color)}{esc(label)}</span>"
        for label, color in colors.items()
        if any(
            _label(keys[n]) == label for c in order[:_GRAPH_CAMPAIGNS] for n in members.get(c, [])
        )
    )
    rows = []
    for campaign in order[:_TABLE_CAMPAIGNS]:
        info = campaigns[campaign]
        rows.append(
            f'<tr><td class="key">{esc(campaign)}</td><td class="n">{_int(info.get("keys"))}</td>'
            f'<td class="n">{_int(info.get("coverage"))}</td>'
            f'<td class="n">{_int(info.get("requests"))}</td>'
            f'<td class="n">{_int(info.get("flagged"))}</td>'
            f"<td>{_counts(info.get('labels', {}))}</td></tr>"
        )
    table = (
        "<table><tr><th>campaign</th><th>keys</th><th>union coverage</th><th>requests</th>"
        "<th>keys flagged</th><th>labels</th></tr>" + "".join(rows) + "</table>"
    )
    return (
        f'{title}{shown}<figure>{graph}<div class="legend">{legend}'
        "<span>dark ring: flagged</span></div></figure><br>" + table
    )


def _top_keys(keys: Mapping[str, Mapping[str, Any]]) -> str:
    ranked = sorted(
        (name for name, entry in keys.items() if entry.get("requests")),
        key=lambda n: (
            -keys[n].get("score", 0),
            -keys[n].get("max_score", 0),
            -keys[n].get("requests", 0),
            n,
        ),
    )[:_TOP_KEYS]
    if not ranked:
        return ""
    rows = []
    for rank, name in enumerate(ranked, 1):
        e = keys[name]
        who = " / ".join(esc(v) for v in (e.get("label"), e.get("actor"), e.get("class")) if v)
        score = float(e.get("score", 0))
        reasons = ", ".join(esc(r) for r in e.get("reasons", [])) or "-"
        why = esc("; ".join(e.get("why", [])))
        campaign = e.get("campaign")
        rows.append(
            f'<tr><td class="n">{rank}</td><td class="key">{esc(name)}</td><td>{who or "-"}</td>'
            f'<td class="n">{_int(e.get("requests"))}</td>'
            f'<td><span class="bar" style="width:{round(60 * score)}px"></span>{score:.3f}</td>'
            f'<td class="n">{_int(e.get("first_flagged"))}</td>'
            f"<td>{_counts(e.get('actions', {}))}</td>"
            f'<td title="{why}">{reasons}</td>'
            f'<td class="key">{esc(campaign) if campaign is not None else "-"}</td>'
            f'<td class="n">{_int(e.get("coverage"))}</td></tr>'
        )
    return (
        f"<h2>Most suspicious keys (top {len(ranked)})</h2>"
        "<table><tr><th>#</th><th>key</th><th>label / actor / class</th><th>requests</th>"
        "<th>score</th><th>first flagged</th><th>actions</th><th>reasons</th><th>campaign</th>"
        "<th>coverage</th></tr>" + "".join(rows) + "</table>"
    )


def _classes_table(classes: Mapping[str, Mapping[str, Any]]) -> str:
    if not classes:
        return ""
    shown, note = _largest(classes, _TABLE_GROUPS)
    rows = []
    for name in shown:
        s = classes[name]
        median = s.get("median_first_flagged")
        rows.append(
            f'<tr><td>{esc(name)}</td><td class="n">{_int(s["keys"])}</td>'
            f'<td class="n">{_int(s["requests"])}</td>'
            f'<td class="n">{_int(s["flagged"])} ({_share(s["flagged"], s["keys"])})</td>'
            f'<td class="n">{esc(median) if median is not None else "-"}</td>'
            f'<td class="n">{s["mean_score"]:.3f}</td>'
            f"<td>{_counts(s.get('enforced', {}))}</td></tr>"
        )
    return (
        "<h2>By class</h2><table><tr><th>class</th><th>keys</th><th>requests</th>"
        "<th>keys flagged</th><th>median requests to flag</th><th>mean score</th>"
        "<th>enforced actions</th></tr>" + "".join(rows) + "</table>" + note
    )


def _footer(report: Mapping[str, Any]) -> str:
    windows = report.get("windows", {})
    return (
        f'<h2>Notes</h2><p class="note">Coverage is counted in the '
        f"{esc(windows.get('coverage', '?'))} window. A key is flagged at its first request "
        "whose decision is anything but allow (shadow decisions included). Usage estimate: "
        f"{esc(report.get('usage_estimate', '-'))}.</p>"
    )


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"
