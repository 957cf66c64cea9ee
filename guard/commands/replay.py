"""``guard replay``: run a traffic file through the pipeline on a simulated clock, report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from guard.cli import add_log_level, env

__all__ = ["main", "register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay",
        help="replay a traffic file (JSONL) through a policy and report per-key verdicts",
        description=(
            "Replay a traffic file through the same pipeline as live traffic, on a simulated "
            "clock (each line's ts), and write the replay report."
        ),
    )
    parser.add_argument("traffic", help="traffic file: JSON lines (optionally .gz)")
    parser.add_argument(
        "--policy",
        default=env("POLICY"),
        help="policy YAML file (env GUARD_POLICY; default: the bundled default policy)",
    )
    parser.add_argument(
        "--json",
        dest="json_out",
        metavar="PATH",
        help="write the JSON report here ('-': stdout; the default when --html is not given)",
    )
    parser.add_argument("--html", dest="html_out", metavar="PATH", help="write an HTML report")
    parser.add_argument(
        "--secret",
        help="HMAC secret for key ids and semantic cells (default: the policy's, else env "
        "GUARD_SECRET, else a fixed replay secret, so that reports are reproducible)",
    )
    # Deliberately not GUARD_STORE: a replay must not write into a live store by accident.
    parser.add_argument(
        "--store",
        default="memory://?max_keys=2000000",
        help="state store URL (default memory://; a redis:// store should be a scratch one)",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="replay only the first N lines")
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only when stderr is a terminal)",
    )
    # Every non-allow decision is logged at info: millions of lines on a long replay.
    add_log_level(parser, default="warning")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from guard.replay import replay, write_html

    traffic = Path(args.traffic)
    if not traffic.is_file():
        print(f"guard replay: traffic file {str(traffic)!r} not found.", file=sys.stderr)
        return 1
    if args.limit is not None and args.limit < 0:
        print("guard replay: --limit must be 0 or more.", file=sys.stderr)
        return 1
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    report = asyncio.run(
        replay(
            traffic,
            policy=args.policy,
            secret=args.secret,
            store=args.store,
            progress=progress,
            limit=args.limit,
        )
    )
    json_out = args.json_out or (None if args.html_out else "-")
    if json_out == "-":
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif json_out:
        with open(json_out, "w", encoding="utf-8") as out:
            json.dump(report, out, indent=1)
            out.write("\n")
    if args.html_out:
        write_html(report, args.html_out)
    print(_summary(report, json_out, args.html_out), file=sys.stderr)
    return 0


def _summary(report: dict[str, Any], json_out: str | None, html_out: str | None) -> str:
    keys = report["keys"]
    flagged = sum(1 for entry in keys.values() if entry["first_flagged"] is not None)
    throughput = report.get("throughput") or 0.0
    written = [p for p in (json_out, html_out) if p and p != "-"]
    where = f"; wrote {', '.join(written)}" if written else ""
    return (
        f"guard replay: {report['requests']:,} requests from {len(keys):,} keys in "
        f"{report['duration']:.1f}s ({throughput:,.0f} requests/s); flagged {flagged:,} of "
        f"{len(keys):,} keys; {len(report['campaigns']):,} campaigns{where}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m guard.commands.replay ...``: the same as ``guard replay ...``."""
    from guard.cli import main as cli_main

    return cli_main(["replay", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
