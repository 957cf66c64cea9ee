"""Inline SVG charts for the HTML report, drawn in Python (no JavaScript, no external files).

Every text that can come from a traffic file (key names, labels, campaign ids) is escaped
here, at the point where it enters markup; numbers are formatted, never interpolated raw.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Bars",
    "Cluster",
    "Line",
    "Node",
    "campaign_graph",
    "esc",
    "histogram",
    "line_chart",
    "nice_ticks",
]

_W = 720
_H = 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 14, 40
_FONT = 'font-family="system-ui,sans-serif" font-size="11"'


def esc(value: object) -> str:
    """``value`` as text safe inside HTML or SVG, in element content and in attributes."""
    return html.escape(str(value), quote=True)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 up to at least ``top`` (steps of 1, 2 or 5 times 10**k)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:g}"


def _frame(title: str, body: list[str], width: int = _W, height: int = _H) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{esc(title)}" {_FONT}>'
        f"<title>{esc(title)}</title>{''.join(body)}</svg>"
    )


def _axes(
    x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[float], y_top: float, y_label: str
) -> list[str]:
    """Grid lines and labels; ``x_ticks`` are (position in [0, 1], text)."""
    plot_w = _W - _LEFT - _RIGHT
    plot_h = _H - _TOP - _BOTTOM
    parts: list[str] = []
    for tick in y_ticks:
        y = _TOP + plot_h * (1 - tick / y_top)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}" stroke="#e3e3e3"/>'
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{esc(_number(tick))}</text>"
        )
    for position, text in x_ticks:
        x = _LEFT + plot_w * position
        anchor = "end" if position >= 1 and len(text) > 4 else "middle"
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP + plot_h}" x2="{x:.1f}" y2="{_TOP + plot_h + 4}" '
            f'stroke="#999"/><text x="{x:.1f}" y="{_TOP + plot_h + 16}" text-anchor="{anchor}" '
            f'fill="#555">{esc(text)}</text>'
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{_W - _RIGHT}" y2="{_TOP + plot_h}" '
        f'stroke="#999"/><text x="14" y="{_TOP + plot_h / 2:.1f}" fill="#555" '
        f'transform="rotate(-90 14 {_TOP + plot_h / 2:.1f})" text-anchor="middle">'
        f"{esc(y_label)}</text>"
    )
    return parts


@dataclass(frozen=True)
class Bars:
    """One group of a histogram: ``counts`` per bin out of ``total`` keys."""

    label: str
    color: str
    counts: Sequence[int]
    total: int


def histogram(groups: Sequence[Bars], *, title: str, x_label: str) -> str:
    """Side-by-side bars per bin, each group as a share (%) of its own keys.

    Shares rather than counts, so 400 benign keys and 4,000 sybil keys are comparable.
    """
    bins = max((len(g.counts) for g in groups), default=0)
    if not bins or not groups:
        return _frame(title, [])
    shares = [[100 * c / g.total if g.total else 0.0 for c in g.counts] for g in groups]
    y_ticks = nice_ticks(max(max(s) for s in shares) or 1.0)
    y_top = y_ticks[-1]
    plot_w = _W - _LEFT - _RIGHT
    plot_h = _H - _TOP - _BOTTOM
    bin_w = plot_w / bins
    bar_w = bin_w * 0.86 / len(groups)
    x_ticks = [(i / 5, f"{i / 5:.1f}") for i in range(6)]
    parts = _axes(x_ticks, y_ticks, y_top, "% of the label's keys")
    for g, (group, group_shares) in enumerate(zip(groups, shares, strict=True)):
        for b, share in enumerate(group_shares):
            if not share:
                continue
            height = plot_h * share / y_top
            x = _LEFT + b * bin_w + bin_w * 0.07 + g * bar_w
            y = _TOP + plot_h - height
            low, high = b / bins, (b + 1) / bins
            tip = (
                f"{group.label}: {group.counts[b]:,} keys ({share:.1f}%), "
                f"score {low:.2f}-{high:.2f}"
            )
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{group.color}"><title>{esc(tip)}</title></rect>'
            )
    parts.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_H - 6}" text-anchor="middle" fill="#555">'
        f"{esc(x_label)}</text>"
    )
    return _frame(title, parts)


@dataclass(frozen=True)
class Line:
    """One series of a line chart: (x, y) points in data units."""

    label: str
    color: str
    points: Sequence[tuple[float, float]]
    dashed: bool = False


def line_chart(
    lines: Sequence[Line],
    *,
    title: str,
    y_label: str,
    x_format: Callable[[float], str],
    y_max: float | None = None,
) -> str:
    """Polylines over a shared x range (simulated time); ``x_format`` labels the x ticks."""
    xs = [x for line in lines for x, _ in line.points]
    if not xs:
        return _frame(title, [])
    x_min, x_max = min(xs), max(xs)
    span = (x_max - x_min) or 1.0
    top = y_max if y_max is not None else max(y for line in lines for _, y in line.points)
    y_ticks = nice_ticks(top or 1.0)
    y_top = y_ticks[-1]
    plot_w = _W - _LEFT - _RIGHT
    plot_h = _H - _TOP - _BOTTOM
    x_ticks = [(i / 4, x_format(x_min + span * i / 4)) for i in range(5)]
    parts = _axes(x_ticks, y_ticks, y_top, y_label)
    for line in lines:
        coords = " ".join(
            f"{_LEFT + plot_w * (x - x_min) / span:.1f},{_TOP + plot_h * (1 - y / y_top):.1f}"
            for x, y in line.points
        )
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{line.color}" stroke-width="1.8"'
            f"{dash}><title>{esc(line.label)}</title></polyline>"
        )
    return _frame(title, parts)


@dataclass(frozen=True)
class Node:
    """A key in the campaign graph."""

    key: str
    color: str
    tip: str
    flagged: bool


@dataclass(frozen=True)
class Cluster:
    """A campaign: its name, a line of figures, its drawn members and its size in all."""

    name: str
    caption: str
    nodes: Sequence[Node] = field(default_factory=tuple)
    size: int = 0


_GRAPH_W = 960
_SPACING = 7.5  # distance scale between neighbouring nodes in a cluster
_GAP = 22
_CHAR_W = 6.2  # average width of a character at the chart's font size
_NAME_CHARS = 30


def campaign_graph(clusters: Sequence[Cluster], *, title: str) -> str:
    """Keys as dots grouped by campaign: a hull around each campaign, spokes to its members.

    Members are laid out on a sunflower spiral (even density, no overlaps, no iteration), and
    campaigns are packed in rows in the order given, each in a slot wide enough for its
    captions.
    """
    golden = math.pi * (3 - math.sqrt(5))
    placed: list[tuple[Cluster, str, str, float, float, float]] = []
    x = y = row_height = 0.0
    for cluster in clusters:
        more = cluster.size - len(cluster.nodes)
        name = _shorten(cluster.name, _NAME_CHARS)
        caption = cluster.caption + (f", {more:,} not drawn" if more > 0 else "")
        radius = _SPACING * math.sqrt(max(1, len(cluster.nodes))) + 12
        slot = max(2 * radius, _CHAR_W * max(len(name), len(caption)))
        height = 2 * radius + 34
        if x and x + slot > _GRAPH_W - _GAP:
            x = 0.0
            y += row_height + _GAP
            row_height = 0.0
        placed.append((cluster, name, caption, _GAP + x + slot / 2, 8 + y + radius, radius))
        x += slot + _GAP
        row_height = max(row_height, height)
    total_height = 8 + y + row_height + 8
    parts: list[str] = []
    for cluster, name, caption, cx, cy, radius in placed:
        parts.append(
            f'<g><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#f3efe6" '
            f'stroke="#b9a77f" stroke-width="1.2"><title>{esc(cluster.name)}: '
            f"{esc(caption)}</title></circle>"
        )
        spokes: list[str] = []
        dots: list[str] = []
        for i, node in enumerate(cluster.nodes):
            r = _SPACING * math.sqrt(i + 0.5)
            nx = cx + r * math.cos(i * golden)
            ny = cy + r * math.sin(i * golden)
            spokes.append(f"M{cx:.1f} {cy:.1f}L{nx:.1f} {ny:.1f}")
            stroke = ' stroke="#222" stroke-width="0.9"' if node.flagged else ""
            dots.append(
                f'<circle cx="{nx:.1f}" cy="{ny:.1f}" r="3.1" fill="{node.color}"{stroke}>'
                f"<title>{esc(node.tip)}</title></circle>"
            )
        if spokes:
            parts.append(f'<path d="{" ".join(spokes)}" stroke="#cdbf9e" stroke-width="0.5"/>')
        parts.extend(dots)
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + radius + 14:.1f}" text-anchor="middle" fill="#222">'
            f'{esc(name)}</text><text x="{cx:.1f}" y="{cy + radius + 27:.1f}" '
            f'text-anchor="middle" fill="#666">{esc(caption)}</text></g>'
        )
    return _frame(title, parts, _GRAPH_W, max(60, math.ceil(total_height)))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "\u2026"
