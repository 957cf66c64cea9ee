"""Merge every actor's plan into one time-ordered stream and write it as JSONL.

Plans are small (a timestamp and a closure per request); bodies are rendered one by one as
the k-way merge reaches them and written straight out, so memory stays flat however long
the run.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from guard.simulate.actors import Actor, Event
from guard.simulate.cast import CLASSES, SimConfig, build_cast

__all__ = ["ClassSummary", "Summary", "iter_requests", "write_traffic"]


@dataclass(slots=True)
class ClassSummary:
    label: str
    keys: set[str] = field(default_factory=set)
    requests: int = 0


@dataclass(slots=True)
class Summary:
    """Per-class counts of what a run wrote."""

    classes: dict[str, ClassSummary] = field(default_factory=dict)

    def add(self, record: dict[str, Any]) -> None:
        entry = self.classes.get(record["class"])
        if entry is None:
            entry = self.classes[record["class"]] = ClassSummary(record["label"])
        entry.keys.add(record["key"])
        entry.requests += 1

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.classes.values())

    def table(self) -> str:
        """A plain-text table: class, label, keys, requests."""
        rows = [("class", "label", "keys", "requests")]
        order = {name: i for i, name in enumerate(CLASSES)}
        for name in sorted(self.classes, key=lambda n: (order.get(n, len(order)), n)):
            c = self.classes[name]
            rows.append((name, c.label, str(len(c.keys)), str(c.requests)))
        keys = sum(len(c.keys) for c in self.classes.values())
        rows.append(("total", "", str(keys), str(self.requests)))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = []
        for n, row in enumerate(rows):
            lines.append(
                "  ".join(
                    cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                    for i, cell in enumerate(row)
                ).rstrip()
            )
            if n == 0 or n == len(rows) - 2:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _stream(index: int, actor: Actor, events: list[Event]) -> Iterator[tuple[float, int, int, Any]]:
    events.sort(key=itemgetter(0))
    for seq, (ts, render) in enumerate(events):
        yield ts, index, seq, (actor, render)


def iter_requests(config: SimConfig) -> Iterator[dict[str, Any]]:
    """Every request of the run, in time order, as traffic-file records."""
    world, cast = build_cast(config)
    streams = [_stream(i, actor, actor.plan()) for i, actor in enumerate(cast)]
    end = world.end
    for ts, _, _, (actor, render) in heapq.merge(*streams):
        if ts >= end:
            continue
        call = render()
        yield {
            "ts": round(ts, 3),
            "key": call.key,
            "ip": call.ip,
            "method": "POST",
            "path": call.path,
            "headers": call.headers,
            "body": call.body,
            "label": actor.label,
            "actor": actor.name,
            "class": actor.cls,
        }


def write_traffic(config: SimConfig, out: str | Path | IO[str]) -> Summary:
    """Write the run to ``out`` (a path or an open text file) and return its summary."""
    summary = Summary()
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8") as fp:
            _write(config, fp, summary)
    else:
        _write(config, out, summary)
    return summary


def _write(config: SimConfig, fp: IO[str], summary: Summary) -> None:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    write = fp.write
    for record in iter_requests(config):
        summary.add(record)
        write(dumps(record))
        write("\n")
