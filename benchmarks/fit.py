"""Fit the suspicion model's weights offline, on simulated traffic, as plain numbers.

Runs `guard simulate` traffic through the real pipeline (the default policy's windows and
signals, replay's usage estimate) and records every signal's value at every request, labelled
benign or harvester. A logistic regression is fitted by projected gradient descent (numpy):

- every actor class weighs the same, and within a class every key the same (a key's requests
  share its weight), so the many keys of a campaign or the busiest key cannot drown the rest;
  every request counts because the policy acts on every request, not only on a key's last;
- every weight keeps its signal's declared direction (``Signal.direction``: evidence of
  harvesting weighs >= 0, evidence of a real user <= 0), so a simulator artefact cannot turn
  a signal around;
- no weight exceeds ``--cap`` in size (6 by default): the simulator's people are tidier than
  real ones (one client, two networks, documents only when benign), and a signal allowed to
  decide alone on simulated traffic would decide alone on real traffic too;
- a light L2 penalty (``--l2``) settles the rest.

The weights are printed as the `scoring:` block of a policy, ready to paste. Retune this way
when the signals change, or on your own labelled traffic (``--traffic``: lines with ``label``
and ``class`` or ``actor``, as ``guard replay`` reads them); then check the result with
`benchmarks/detection.py` on *other* seeds than the ones fitted on.

    python benchmarks/fit.py [--seeds 0] [--days 1] [--l2 0.0001] [--cap 6]
    python benchmarks/fit.py --traffic labelled.jsonl [more.jsonl ...]
"""

from __future__ import annotations

import argparse
import asyncio
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from guard.pipeline import Pipeline
from guard.replay import estimate_usage
from guard.replay.report import UNLABELLED, class_of, label_of
from guard.replay.traffic import TrafficReader
from guard.signals import SIGNAL_NAMES, default_signals
from guard.simulate import SimConfig, iter_requests

Sample = tuple[str, str, str, list[float]]  # class, label, key, signal values


async def collect(
    lines: Iterable[Mapping[str, Any] | None], source: str, policy: str | None
) -> tuple[list[str], list[Sample]]:
    """Every labelled request's signals, replayed through the real pipeline."""
    now = [0.0]
    pipeline = Pipeline(
        policy, secret="fit", clock=lambda: now[0], store="memory://?max_keys=2000000"
    )
    names: list[str] = []
    samples: list[Sample] = []
    for line in lines:
        if line is None or label_of(line) == UNLABELLED:
            continue
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
        if not names:  # the signals, without the scorer's "persistent" (no signal)
            names = sorted(SIGNAL_NAMES)
        values = {s.name: s.value for s in inspection.score.signals}
        row = [values[n] for n in names]
        samples.append((class_of(line), label_of(line), f"{source}:{key}", row))
    return names, samples


def fit(
    names: list[str], samples: list[Sample], l2: float, cap: float, steps: int = 20000
) -> tuple[float, dict[str, float]]:
    x = np.array([s[3] for s in samples], dtype=float)
    y = np.array([1.0 if s[1] == "harvester" else 0.0 for s in samples])
    per_key: dict[str, int] = defaultdict(int)
    keys_per_class: dict[str, set[str]] = defaultdict(set)
    classes_per_label: dict[str, set[str]] = defaultdict(set)
    for cls, label, key, _ in samples:
        per_key[key] += 1
        keys_per_class[cls].add(key)
        classes_per_label[label].add(cls)
    w_sample = np.array(
        [
            1.0 / per_key[key] / len(keys_per_class[cls]) / len(classes_per_label[label])
            for cls, label, key, _ in samples
        ]
    )
    w_sample /= w_sample.sum()
    signals = {s.name: s for s in default_signals()}
    sign = np.array([signals[n].direction if n in signals else 0 for n in names], dtype=float)
    limit = np.array(
        [min(cap, signals[n].max_weight or cap) if n in signals else cap for n in names]
    )
    weights = np.zeros(x.shape[1])
    bias = 0.0
    rate = 4.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        g = p - y
        weights -= rate * (x.T @ (w_sample * g) + l2 * weights)
        weights = np.where(sign * weights < 0, 0.0, weights)  # keep each sign
        weights = np.clip(weights, -limit, limit)
        bias -= rate * float(np.sum(w_sample * g))
    return bias, {n: float(w) for n, w in zip(names, weights, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--traffic",
        nargs="*",
        default=[],
        help="labelled traffic files (the DESIGN.md contract) to fit on instead of simulating",
    )
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--l2", type=float, default=0.0001)
    parser.add_argument("--cap", type=float, default=6.0, help="largest weight, either sign")
    parser.add_argument("--policy", default=None)
    args = parser.parse_args()
    names: list[str] = []
    samples: list[Any] = []
    sources: list[tuple[str, Iterable[Mapping[str, Any] | None]]] = [
        (path, TrafficReader(path)) for path in args.traffic
    ] or [
        (f"seed {seed}", iter_requests(SimConfig(seed=seed, days=args.days))) for seed in args.seeds
    ]
    for source, lines in sources:
        names, more = asyncio.run(collect(lines, source, args.policy))
        samples.extend(more)
    bias, weights = fit(names, samples, args.l2, args.cap)
    fitted_on = ", ".join(args.traffic) or f"seeds {args.seeds} ({args.days:g} days)"
    print(f"# fitted on {fitted_on}, {len(samples)} requests, l2={args.l2}, cap={args.cap}")
    print("scoring:")
    print(f"  bias: {bias:.2f}")
    print("  weights:")
    for name in names:
        print(f"    {name}: {weights[name]:.2f}")
    by_class: dict[str, list[float]] = defaultdict(list)
    for cls, _label, _key, values in samples:
        z = bias + sum(weights[n] * v for n, v in zip(names, values, strict=True))
        by_class[cls].append(1 / (1 + math.exp(-z)))
    print("\n# mean fitted score per class (training requests)")
    for cls, scores in sorted(by_class.items()):
        print(f"#   {cls:<22} {sum(scores) / len(scores):.3f}")


if __name__ == "__main__":
    main()
