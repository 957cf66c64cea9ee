"""``guard trace``: is a suspect text watermarked for one of our keys?

Reads suspect texts (e.g. generations of a student model suspected of training on harvested
answers) and, for each candidate key id, prints the watermark test (number of units of
evidence, z-score, p-value and the p-value adjusted for the number of candidates) and any
of the key's canary terms found. Candidates come from ``--key-id``, a ``--keys`` file, or
every key id found in a file of seen keys (``--all-seen``: an audit log, a replay report,
the admin API's key list).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from guard.cli import env
from guard.errors import GuardError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "trace",
        help="test suspect texts for the watermark and canaries of key ids",
        description="Test suspect texts (files of text, JSON Lines or API responses) for the "
        "watermark and canaries of candidate key ids.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="suspect texts ('-': stdin)")
    parser.add_argument(
        "--secret",
        default=env("SECRET"),
        help="the secret guard ran with (env GUARD_SECRET)",
    )
    parser.add_argument(
        "--key-id",
        action="append",
        default=[],
        metavar="K",
        help="a candidate key id ('k_...', repeatable)",
    )
    parser.add_argument("--keys", metavar="FILE", help="a file of key ids, one per line")
    parser.add_argument(
        "--all-seen",
        metavar="FILE",
        help="every key id in this file (audit log, replay report, admin key list)",
    )
    parser.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    parser.add_argument("--json", action="store_true", help="print every result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guard.decoys.trace import key_ids_in, read_texts, trace

    if not args.secret:
        raise GuardError(
            "trace needs the secret guard ran with: pass --secret or set GUARD_SECRET."
        )
    candidates: list[str] = []
    for key_id in args.key_id:
        found = key_ids_in(key_id)
        if not found:
            raise GuardError(f"{key_id!r} is not a key id ('k_' and 32 hex digits).")
        candidates.extend(found)
    for name, path in (("--keys", args.keys), ("--all-seen", args.all_seen)):
        if path:
            candidates.extend(key_ids_in(_read(path, name)))
    if not candidates:
        raise GuardError(
            "no candidate key ids: give --key-id, --keys FILE or --all-seen FILE "
            "(e.g. the audit log)."
        )
    texts: list[str] = []
    for path in args.files:
        content = sys.stdin.read() if path == "-" else _read(path, "FILE")
        texts.extend(read_texts(path, content))
    results = trace(args.secret, texts, candidates)
    if args.json:
        report = {"texts": len(texts), "candidates": len(results)}
        print(json.dumps({**report, "results": [r.as_dict() for r in results]}, indent=2))
        return 0
    print(f"{len(texts)} text(s), {len(results)} candidate key id(s)")
    print(f"{'key id':<36} {'units':>6} {'z':>7} {'p-value':>10} {'adjusted':>10}  canaries")
    for result in results[: max(1, args.top)]:
        score = result.watermark
        print(
            f"{result.key_id:<36} {score.units:>6} {score.z:>7.2f} {score.p_value:>10.3g} "
            f"{result.adjusted_p:>10.3g}  {', '.join(result.canaries) or '-'}"
        )
    return 0


def _read(path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as fp:
            return fp.read()
    except OSError as exc:
        raise GuardError(f"cannot read {what} {path!r}: {exc.strerror}.") from None
