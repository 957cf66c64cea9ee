"""Fit the suspicion model's weights offline, on simulated traffic, as plain numbers.

Runs `guard simulate` traffic through the real pipeline (the default policy's windows and
signals) and records every signal's value per key at checkpoints (its 8th, 16th, 32nd, 64th,
... request and its last), labelled benign or harvester. A logistic regression with L2
regularisation is fitted by projected gradient descent (numpy), each actor class weighted
equally, every weight kept to its signal's declared direction (``Signal.direction``: evidence
of harvesting weighs >= 0, evidence of a real user <= 0), so a simulator artefact cannot flip
what a signal means; the weights are printed as the `scoring:` block of a policy, ready to
paste. Retune this way when the signals change or after looking at your own traffic; then
check the result with `benchmarks/detection.py` on *other* seeds than the ones fitted on.

    python benchmarks/fit.py [--seeds 0] [--days 2] [--l2 0.01]
"""

from __future__ import annotations

import argparse
import asyncio
import math
from collections import defaultdict
from typing import Any

import numpy as np

from guard.pipeline import Pipeline
from guard.replay import estimate_usage
from guard.signals import default_signals
from guard.simulate import SimConfig, iter_requests

CHECKPOINTS = {8, 16, 32, 64, 128, 256, 512, 1024}


async def collect(
    seed: int, days: float, policy: str | None
) -> tuple[list[str], list[tuple[str, str, list[float]]]]:
    now = [0.0]
    pipeline = Pipeline(
        policy, secret="fit", clock=lambda: now[0], store="memory://?max_keys=2000000"
    )
    names: list[str] = []
    last: dict[str, tuple[str, str, list[float]]] = {}
    counts: dict[str, int] = defaultdict(int)
    samples: list[tuple[str, str, list[float]]] = []
    for line in iter_requests(SimConfig(seed=seed, days=days)):
        now[0] = max(now[0], line["ts"])
        adapter = pipeline.route(line["path"])
        if adapter is None:
            continue
        headers = [
            (k.lower().encode(), str(v).encode()) for k, v in (line.get("headers") or {}).items()
        ]
        key = line["key"]
        auth = (
            (b"x-api-key", key.encode())
            if line["path"].endswith("/messages")
            else (b"authorization", f"Bearer {key}".encode())
        )
        headers.append(auth)
        identity = pipeline.identify(headers, line.get("ip", ""))
        try:
            inspection = await pipeline.evaluate(adapter, identity, line["body"], headers)
        except Exception:
            continue
        await pipeline.account(inspection, estimate_usage(inspection))  # as guard replay does
        if not names:
            names = [s.name for s in sorted(inspection.score.signals, key=lambda s: s.name)]
        values = {s.name: s.value for s in inspection.score.signals}
        row = (line["class"], line["label"], [values[n] for n in names])
        counts[key] += 1
        if counts[key] in CHECKPOINTS:
            samples.append(row)
        last[key] = row
    samples.extend(last.values())
    return names, samples


def fit(
    names: list[str], samples: list[tuple[str, str, list[float]]], l2: float
) -> tuple[float, dict[str, float]]:
    x = np.array([s[2] for s in samples], dtype=float)
    y = np.array([1.0 if s[1] == "harvester" else 0.0 for s in samples])
    per_class: dict[str, int] = defaultdict(int)
    for s in samples:
        per_class[s[0]] += 1
    classes_by_label: dict[str, set[str]] = defaultdict(set)
    for s in samples:
        classes_by_label[s[1]].add(s[0])
    w_sample = np.array([1.0 / per_class[s[0]] / len(classes_by_label[s[1]]) for s in samples])
    w_sample /= w_sample.sum()
    directions = {s.name: s.direction for s in default_signals()}
    sign = np.array([directions.get(n, 0) for n in names], dtype=float)
    weights = np.zeros(x.shape[1])
    bias = 0.0
    rate = 2.0
    for _ in range(20000):
        z = x @ weights + bias
        p = 1 / (1 + np.exp(-z))
        g = p - y
        grad_w = x.T @ (w_sample * g) + l2 * weights
        grad_b = float(np.sum(w_sample * g))
        weights -= rate * grad_w
        weights = np.where(sign * weights < 0, 0.0, weights)  # keep each sign
        bias -= rate * grad_b
    return bias, {n: float(w) for n, w in zip(names, weights, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--l2", type=float, default=0.001)
    parser.add_argument("--policy", default=None)
    args = parser.parse_args()
    names: list[str] = []
    samples: list[Any] = []
    for seed in args.seeds:
        names, more = asyncio.run(collect(seed, args.days, args.policy))
        samples.extend(more)
    bias, weights = fit(names, samples, args.l2)
    # The fitted scale is arbitrary for ranking; shift the bias so a typical benign key sits low.
    print(f"# fitted on seeds {args.seeds}, {len(samples)} samples, l2={args.l2}")
    print("scoring:")
    print(f"  bias: {bias:.2f}")
    print("  weights:")
    for name in names:
        print(f"    {name}: {weights[name]:.2f}")
    by_class: dict[str, list[float]] = defaultdict(list)
    for cls, _label, values in samples:
        z = bias + sum(weights[n] * v for n, v in zip(names, values, strict=True))
        by_class[cls].append(1 / (1 + math.exp(-z)))
    print("\n# mean fitted score per class (training samples)")
    for cls, scores in sorted(by_class.items()):
        print(f"#   {cls:<22} {sum(scores) / len(scores):.3f}")


if __name__ == "__main__":
    main()
