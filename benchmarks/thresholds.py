"""Harvest yield against benign collateral at several perturb thresholds, from the per-request
scores of labelled traffic under the shipped model (no replay of the decisions themselves).

    python benchmarks/thresholds.py --traffic s1.jsonl s2.jsonl

Every request is scored as the pipeline scores it (``fit.collect``); a request counts as
answered genuinely unless its score reaches the threshold or the default policy's campaign
rule holds for it. Throttles are not counted, nor is a score held up by the key's suspect
requests (scoring.suspect_after). Classes weigh the same, as in detection.py.
"""

from __future__ import annotations

import argparse
import asyncio
import math
from collections import defaultdict

from fit import collect

from guard.replay.traffic import TrafficReader
from guard.signals.weights import DEFAULT_BIAS, DEFAULT_WEIGHTS

THRESHOLDS = (0.86, 0.88, 0.90, 0.92, 0.94, 0.96)


def campaign_rule(values: dict[str, float]) -> bool:
    """The default policy's `campaign` rule."""
    return values["campaign"] >= 0.4 and values["payload"] < 0.5 and values["short_answers"] < 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--traffic", nargs="+", required=True, help="labelled traffic files")
    args = parser.parse_args()
    rows: list[tuple[str, str, float, bool]] = []
    for path in args.traffic:
        names, samples = asyncio.run(collect(TrafficReader(path), path, None))
        for cls, label, _key, row in samples:
            values = dict(zip(names, row, strict=True))
            z = DEFAULT_BIAS + sum(DEFAULT_WEIGHTS.get(n, 0.0) * v for n, v in values.items())
            rows.append((cls, label, 1.0 / (1.0 + math.exp(-z)), campaign_rule(values)))
    print(f"{'perturb at':>10}  {'harvest yield':>13}  {'benign collateral':>17}")
    for threshold in THRESHOLDS:
        acted: dict[tuple[str, str], list[bool]] = defaultdict(list)
        for cls, label, score, rule in rows:
            acted[(label, cls)].append(score >= threshold or rule)
        yields = [1 - sum(v) / len(v) for (label, _), v in acted.items() if label == "harvester"]
        hits = [sum(v) / len(v) for (label, _), v in acted.items() if label == "benign"]
        print(
            f"{threshold:>10.2f}  {sum(yields) / len(yields):>13.3f}  "
            f"{sum(hits) / len(hits):>16.2%}"
        )


if __name__ == "__main__":
    main()
