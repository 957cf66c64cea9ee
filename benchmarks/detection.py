"""Detection benchmark: `guard simulate` -> `guard replay` on several seeds, scored per class.

Every actor class weighs the same (the many keys of one campaign cannot hide misses
elsewhere). Prints, per seed and overall, and per class:

- per-key ROC AUC (benign vs harvester keys, each class weighted equally);
- TPR at 1% FPR, macro-averaged over harvester classes;
- median requests before a single-key harvester is first flagged (per class, then the median
  over classes);
- share of campaign keys flagged;
- harvest yield: share of harvester requests that still got the genuine answer (allowed,
  logged, tarpitted, watermarked or capped), classes weighted equally;
- benign collateral: share of benign requests that got an action a client can notice;
- replay throughput (requests/s).

    python benchmarks/detection.py [--seeds 0 1 2] [--days 2] [--policy FILE] [--json out.json]
    python benchmarks/detection.py --report report.json   # score an existing replay report
    python benchmarks/detection.py --featurizer embed     # cells from guard[embed] instead
    python benchmarks/detection.py --hurried   # harvesters fake a person's hurried typing
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from guard.policy.loader import bundled_policy
from guard.replay import replay
from guard.simulate import SimConfig, iter_requests

GENUINE = {"allow", "log", "tarpit", "watermark", "cap"}  # the client got the real answer
UNNOTICED = {"allow", "log", "watermark"}  # nothing a client can notice
CAMPAIGN_CLASSES = {"sybil", "stealth-campaign"}
TARGETS = {
    "auc": (">=", 0.99),
    "tpr_at_1fpr": (">=", 0.95),
    "median_to_flag": ("<=", 50),
    "campaign_flagged": (">=", 0.90),
    "harvest_yield": ("<=", 0.10),
    "benign_collateral": ("<=", 0.005),
    "throughput": (">=", 2000),
}


def weighted_auc(pos: Sequence[tuple[float, float]], neg: Sequence[tuple[float, float]]) -> float:
    """ROC AUC with weighted samples: P(score_pos > score_neg) + 0.5 P(tie)."""
    events = sorted([(s, w, 1) for s, w in pos] + [(s, w, 0) for s, w in neg])
    total_pos = sum(w for _, w in pos)
    total_neg = sum(w for _, w in neg)
    if not total_pos or not total_neg:
        return float("nan")
    area = 0.0
    neg_below = 0.0
    i = 0
    while i < len(events):
        j = i
        tie_pos = tie_neg = 0.0
        while j < len(events) and events[j][0] == events[i][0]:
            if events[j][2]:
                tie_pos += events[j][1]
            else:
                tie_neg += events[j][1]
            j += 1
        area += tie_pos * (neg_below + 0.5 * tie_neg)
        neg_below += tie_neg
        i = j
    return area / (total_pos * total_neg)


def score_report(report: Mapping[str, Any]) -> dict[str, Any]:
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in report["keys"].values():
        by_class[str(entry.get("class") or entry.get("label"))].append(entry)
    labels = {c: entries[0].get("label") for c, entries in by_class.items()}
    benign = [c for c, label in labels.items() if label == "benign"]
    harvest = [c for c, label in labels.items() if label == "harvester"]

    def weighted(classes: list[str]) -> list[tuple[float, float]]:
        return [
            (float(e["score"] or 0.0), 1.0 / len(by_class[c]) / len(classes))
            for c in classes
            for e in by_class[c]
        ]

    auc = weighted_auc(weighted(harvest), weighted(benign))
    # The threshold giving at most 1% class-weighted false positives.
    neg = sorted(weighted(benign), reverse=True)
    budget, spent, threshold = 0.01, 0.0, float("inf")
    for s, w in neg:
        if spent + w > budget + 1e-12:
            threshold = s
            break
        spent += w
    else:
        threshold = -1.0
    per_class: dict[str, dict[str, Any]] = {}
    for c in sorted(by_class):
        entries = by_class[c]
        requests = sum(e["requests"] for e in entries)
        enforced: dict[str, int] = defaultdict(int)
        for e in entries:
            for action, n in (e.get("enforced") or e.get("actions") or {}).items():
                enforced[action] += n
        genuine = sum(n for a, n in enforced.items() if a in GENUINE)
        unnoticed = sum(n for a, n in enforced.items() if a in UNNOTICED)
        flagged = [e["first_flagged"] for e in entries if e.get("first_flagged")]
        per_class[c] = {
            "label": labels[c],
            "keys": len(entries),
            "requests": requests,
            "mean_score": statistics.fmean(float(e["score"] or 0) for e in entries),
            "detected": sum(float(e["score"] or 0) > threshold for e in entries) / len(entries),
            "flagged": len(flagged) / len(entries),
            "median_to_flag": statistics.median(flagged) if flagged else None,
            "genuine": genuine / requests if requests else 1.0,
            "noticed": 1 - unnoticed / requests if requests else 0.0,
        }
    single = [c for c in harvest if c not in CAMPAIGN_CLASSES]
    to_flag = [per_class[c]["median_to_flag"] for c in single]
    campaign_keys = [e for c in harvest if c in CAMPAIGN_CLASSES for e in by_class[c]]
    return {
        "auc": auc,
        "threshold": threshold,
        "tpr_at_1fpr": statistics.fmean(per_class[c]["detected"] for c in harvest)
        if harvest
        else 0,
        "median_to_flag": statistics.median(t if t is not None else float("inf") for t in to_flag)
        if to_flag
        else None,
        "campaign_flagged": sum(1 for e in campaign_keys if e.get("first_flagged"))
        / len(campaign_keys)
        if campaign_keys
        else None,
        "harvest_yield": statistics.fmean(per_class[c]["genuine"] for c in harvest)
        if harvest
        else 0,
        "benign_collateral": statistics.fmean(per_class[c]["noticed"] for c in benign)
        if benign
        else 0,
        "throughput": report.get("throughput"),
        "classes": per_class,
    }


def print_summary(name: str, s: Mapping[str, Any]) -> None:
    def fmt(metric: str) -> str:
        value = s.get(metric)
        if value is None:
            return "   n/a"
        op, target = TARGETS[metric]
        ok = value >= target if op == ">=" else value <= target
        shown = f"{value:.4f}" if isinstance(value, float) and value < 10 else f"{value:.0f}"
        return f"{shown} ({'ok' if ok else 'MISS'} {op} {target})"

    print(f"\n== {name}")
    for metric in TARGETS:
        print(f"  {metric:<18} {fmt(metric)}")


def print_classes(s: Mapping[str, Any]) -> None:
    print(
        f"\n  {'class':<22} {'label':<9} {'keys':>5} {'reqs':>7} {'score':>6} {'det@1%':>7} "
        f"{'flagged':>8} {'to-flag':>8} {'genuine':>8} {'noticed':>8}"
    )
    for c, row in sorted(s["classes"].items(), key=lambda kv: (kv[1]["label"], kv[0])):
        to_flag = row["median_to_flag"]
        print(
            f"  {c:<22} {row['label']:<9} {row['keys']:>5} {row['requests']:>7} "
            f"{row['mean_score']:>6.3f} {row['detected']:>7.2f} {row['flagged']:>8.2f} "
            f"{to_flag if to_flag is not None else '-':>8} {row['genuine']:>8.3f} "
            f"{row['noticed']:>8.4f}"
        )


def with_featurizer(policy: str | None, featurizer: str, into: Path) -> str | None:
    """``policy`` (default: the bundled one) with another featurizer: a file importing it."""
    if featurizer == "lexical":
        return policy
    base = Path(policy).resolve() if policy else bundled_policy()
    path = into / "policy.yaml"
    path.write_text(f"import: [{json.dumps(str(base))}]\nfeaturizer: {featurizer}\n")
    return str(path)


async def run_seed(
    seed: int, days: float, policy: str | None, keys: int, hurried: bool = False
) -> dict[str, Any]:
    config = SimConfig(seed=seed, days=days, keys=keys, hurried=hurried)
    started = time.perf_counter()
    report = await replay(iter_requests(config), policy=policy)
    seconds = time.perf_counter() - started
    print(f"seed {seed}: {report['requests']} requests replayed in {seconds:.0f}s", file=sys.stderr)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--keys", type=int, default=400, help="benign keys per seed")
    parser.add_argument("--policy", default=None)
    parser.add_argument(
        "--featurizer",
        choices=["lexical", "embed"],
        default="lexical",
        help="run the policy with this featurizer (embed needs the guard[embed] extra)",
    )
    parser.add_argument(
        "--hurried",
        action="store_true",
        help="harvesters fake a person's hurried typing (guard simulate --hurried)",
    )
    parser.add_argument("--report", nargs="*", help="score existing replay report(s) instead")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    reports: list[tuple[str, dict[str, Any]]] = []
    if args.report:
        for path in args.report:
            with open(path) as f:
                reports.append((path, json.load(f)))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            policy = with_featurizer(args.policy, args.featurizer, Path(tmp))
            for seed in args.seeds:
                report = asyncio.run(run_seed(seed, args.days, policy, args.keys, args.hurried))
                reports.append((f"seed {seed}", report))
    scores = []
    for name, report in reports:
        s = score_report(report)
        scores.append(s)
        print_summary(name, s)
        print_classes(s)
    if len(scores) > 1:
        overall = {
            metric: statistics.fmean(s[metric] for s in scores if s.get(metric) is not None)
            for metric in TARGETS
            if any(s.get(metric) is not None for s in scores)
        }
        print_summary("overall (mean over seeds)", overall)
    if args.json:
        with open(args.json, "w") as f:
            runs = [{"name": n, **s} for (n, _), s in zip(reports, scores, strict=True)]
            json.dump({"runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
