"""The replay report: the DESIGN.md contract, then extra fields that explain it.

Contract fields (fixed)::

    {"requests": int,
     "keys": {key: {"requests", "score", "first_flagged", "actions", "reasons", "campaign"}},
     "campaigns": {id: {"keys", "coverage"}}}

- ``requests`` counts inspected requests (each got a decision); lines that were skipped,
  invalid or refused as bad requests are counted under ``traffic`` and ``errors`` instead.
- per key, ``requests`` and ``first_flagged`` (1-based) count that key's inspected requests;
  ``actions`` counts ``decision.action`` (a shadow decision counts as what it would have
  done; ``enforced`` counts what was applied); ``score`` is the score of the key's last
  request; ``reasons`` are those of its highest-scoring request (the latest one on ties),
  and ``persistent`` last when persistence held the key's score on any request;
  ``campaign`` is the campaign of its last request.
- a campaign's members are the keys whose last request named it; ``coverage`` is their
  union coverage in the policy's longest window at the end of the traffic.

Extras, per key: ``enforced``, ``rules`` (counts by deciding rule), ``max_score``, ``held``
(requests whose score persistence held up), ``why``
(the sentences behind ``reasons``), ``label`` (``harvester`` if any line of the key says so,
else its first line's), ``line_labels`` (counts, only when its lines disagree), ``actor``,
``class``, ``key_id``, ``tier``, ``errors``, ``coverage`` (distinct cells in the longest
window at the end), ``peak_coverage``, ``first_ts``, ``last_ts``. Per campaign:
``requests``, ``flagged``, ``labels``. Top level: ``version``, ``traffic`` (lines, skipped,
invalid, invalid_lines, out_of_order, start, end), ``errors``, ``error_types``, ``policy``
(path, sha256, mode), ``windows``, ``usage_estimate``, ``actions``, ``enforced``, ``labels``
and ``classes`` (per-group summaries), ``requests_by_label`` (by each line's own label),
``timeline`` (coverage and score over time of the plotted keys), ``duration``,
``throughput``. Keys are listed in order of first appearance, so the same traffic always
yields the same report apart from the timing fields ``duration`` and ``throughput``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from guard.replay.tally import KeyTally

__all__ = [
    "SCORE_DIGITS",
    "TIMING_FIELDS",
    "UNLABELLED",
    "class_of",
    "key_entry",
    "pick_timeline",
    "summarise",
]

SCORE_DIGITS = 6
"""Scores are rounded to this many decimals: stable output, and fine enough to rank keys."""

TIMING_FIELDS = ("duration", "throughput")
"""Top-level fields that depend on the machine, not on the traffic (drop them to compare)."""

UNLABELLED = "unlabelled"


def key_entry(tally: KeyTally, coverage: int | None) -> dict[str, Any]:
    """One key's report entry: the contract's fields first, then the extras."""
    return {
        "requests": tally.requests,
        "score": round(tally.score, SCORE_DIGITS),
        "first_flagged": tally.first_flagged,
        "actions": dict(tally.actions),
        "reasons": tally.reasons,
        "campaign": tally.campaign,
        "enforced": dict(tally.enforced),
        "rules": dict(tally.rules),
        "max_score": round(tally.peak.value, SCORE_DIGITS) if tally.peak is not None else 0.0,
        "held": tally.held,
        "why": tally.explanations,
        "label": tally.label,
        "line_labels": _labels(tally.line_labels),
        "actor": tally.actor,
        "class": tally.cls,
        "key_id": tally.key_id,
        "tier": tally.tier,
        "errors": tally.errors,
        "coverage": coverage,
        "peak_coverage": tally.peak_coverage,
        "first_ts": tally.first_ts,
        "last_ts": tally.last_ts,
    }


def class_of(entry: Mapping[str, Any]) -> str:
    """The actor class a key belongs to, for the per-class summary.

    The line's ``class`` when given; else its ``actor`` without a trailing instance number
    (``sybil-3`` -> ``sybil``); else its ``label``.
    """
    cls = entry.get("class")
    if isinstance(cls, str) and cls:
        return cls
    actor = entry.get("actor")
    if isinstance(actor, str) and actor:
        stem = actor.rstrip("0123456789")
        stem = stem.rstrip("-_#. ") if stem != actor else actor
        return stem or actor
    label = entry.get("label")
    return label if isinstance(label, str) and label else UNLABELLED


def label_of(entry: Mapping[str, Any]) -> str:
    label = entry.get("label")
    return label if isinstance(label, str) and label else UNLABELLED


def summarise(
    entries: Iterable[Mapping[str, Any]], group: Callable[[Mapping[str, Any]], str]
) -> dict[str, dict[str, Any]]:
    """Per group: keys, requests, keys flagged, when they were flagged, what was done.

    ``acted_share`` is the share of the group's requests whose *enforced* action was anything
    but allow or log, i.e. requests a client could notice.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(group(entry), []).append(entry)
    summary: dict[str, dict[str, Any]] = {}
    for name in sorted(groups):
        members = groups[name]
        flagged = [e["first_flagged"] for e in members if e["first_flagged"] is not None]
        requests = sum(e["requests"] for e in members)
        actions: dict[str, int] = {}
        enforced: dict[str, int] = {}
        for entry in members:
            _add_counts(actions, entry["actions"])
            _add_counts(enforced, entry["enforced"])
        quiet = enforced.get("allow", 0) + enforced.get("log", 0)
        summary[name] = {
            "keys": len(members),
            "requests": requests,
            "errors": sum(e["errors"] for e in members),
            "flagged": len(flagged),
            "flagged_share": round(len(flagged) / len(members), 6),
            "median_first_flagged": statistics.median(flagged) if flagged else None,
            "mean_score": round(statistics.fmean(e["score"] for e in members), SCORE_DIGITS),
            "actions": dict(sorted(actions.items())),
            "enforced": dict(sorted(enforced.items())),
            "acted_share": round(1 - quiet / requests, 6) if requests else 0.0,
        }
    return summary


def pick_timeline(
    keys: Mapping[str, Mapping[str, Any]], series: Mapping[str, Any], n: int
) -> list[str]:
    """The keys whose coverage over time the report plots.

    The ``n`` keys that reached the most coverage (ties: higher score, then name); when the
    traffic is labelled and none of them is benign, the last few places go to the benign keys
    with the most coverage, so the plot always shows what normal looks like.
    """

    def rank(key: str) -> tuple[float, float, str]:
        entry = keys[key]
        return (-entry["peak_coverage"], -entry["score"], key)

    candidates = sorted((k for k in keys if k in series and keys[k]["requests"]), key=rank)
    chosen = candidates[:n]
    benign = [k for k in candidates if keys[k].get("label") == "benign"]
    if benign and n >= 4 and not any(keys[k].get("label") == "benign" for k in chosen):
        room = min(3, len(benign))
        chosen = chosen[: n - room] + benign[:room]
    return chosen


def _labels(counts: Mapping[str | None, int] | None) -> dict[str, int] | None:
    if counts is None:
        return None
    return {name or UNLABELLED: counts[name] for name in sorted(counts, key=lambda n: n or "")}


def _add_counts(into: dict[str, int], counts: Mapping[str, int]) -> None:
    for name, count in counts.items():
        into[name] = into.get(name, 0) + count
