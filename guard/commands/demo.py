"""``guard demo``: guard on the built-in mock upstream, a mix of traffic, the verdicts."""

from __future__ import annotations

import argparse
from typing import Any

from guard.cli import add_common_options

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run guard on the mock upstream, send benign and harvester traffic, show decisions",
    )
    # The demo prints its own report; decisions are logged only when asked for.
    add_common_options(parser, log_level="warning")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the demo traffic")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from guard.demo import run_demo

    return asyncio.run(run_demo(policy=args.policy, store=args.store, seed=args.seed))
