"""``guard check FILE...``: validate policies before deploying them.

Prints ``FILE: ok (N rules, M tiers, hash H)`` for each valid file, or every problem of each
invalid one (file:line:column, rule, and how to fix it); exits 1 if any file is invalid, so
it fits in CI and pre-commit hooks.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="validate policy files: print 'ok' with their hash, or every problem found",
        description="Validate policy files. Exit status 0 when all are valid, 1 otherwise.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="policy YAML files")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guard.errors import PolicyError
    from guard.policy import load_policy

    failed = 0
    for file in args.files:
        try:
            policy = load_policy(file)
        except PolicyError as exc:
            failed += 1
            count = len(exc.problems)
            print(f"{file}: {count} problem{'s' if count != 1 else ''}")
            for problem in exc.problems:
                print(f"  {problem}")
            continue
        rules, tiers = policy.rule_count, len(policy.tiers)
        print(
            f"{file}: ok ({rules} rule{'s' if rules != 1 else ''}, "
            f"{tiers} tier{'s' if tiers != 1 else ''}, hash {policy.hash})"
        )
    return 1 if failed else 0
