"""``guard explain``: which tier, rules and conditions decide a request, and why.

Runs a policy on one request body and an optional key state (window counts, rate-limit
outcomes, score or signals, campaign) without a store or an upstream, and prints the tier
match, the score with its signals, every rule with the value of each of its conditions, and
the decision. ``--key`` also prints the key id to list in a tier's ``key_ids``.
"""

from __future__ import annotations

import argparse
from typing import Any

from guard.cli import env

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "explain",
        help="show which tier, rules and conditions decide a request under a policy",
        description="Explain a policy's decision for one request, without a store.",
    )
    parser.add_argument(
        "--policy",
        default=env("POLICY"),
        help="policy YAML file (env GUARD_POLICY; default: the bundled default policy)",
    )
    parser.add_argument(
        "--request",
        required=True,
        metavar="FILE",
        help="JSON request body, or a traffic-file record with path, key, ip, headers and body",
    )
    parser.add_argument(
        "--key-state",
        metavar="FILE",
        help="JSON state of the key: windows, rates, signals, score, campaign (default: new key)",
    )
    parser.add_argument(
        "--path", help="request path (default: the record's, else /v1/chat/completions)"
    )
    parser.add_argument("--key", help="the caller's API key (default: the record's, else none)")
    parser.add_argument("--ip", help="the caller's IP (default: the record's, else 127.0.0.1)")
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="a request header, for tiers that match headers (repeatable)",
    )
    parser.add_argument(
        "--secret",
        default=env("SECRET"),
        help="HMAC secret for key ids (env GUARD_SECRET; default: the policy's)",
    )
    parser.add_argument("--json", action="store_true", help="print the explanation as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from guard.errors import BadRequest
    from guard.policy import load_policy
    from guard.policy.explain import as_json, explain_request, parse_key_state, render

    policy = load_policy(args.policy)
    record = _read_json(Path(args.request))
    body: Any = record
    headers: list[tuple[str, str]] = []
    defaults: dict[str, Any] = {}
    if isinstance(record, dict) and "body" in record:
        body = record["body"]
        defaults = record
        headers = [(str(k), str(v)) for k, v in (record.get("headers") or {}).items()]
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep:
            raise BadRequest(f"--header {item!r}: write it as NAME:VALUE")
        headers.append((name.strip(), value.strip()))
    state = None
    if args.key_state:
        path = Path(args.key_state)
        state = parse_key_state(_read_text(path), str(path))
    explanation = explain_request(
        policy,
        body,
        path=args.path or defaults.get("path") or "/v1/chat/completions",
        key=args.key or defaults.get("key"),
        ip=args.ip or defaults.get("ip") or "127.0.0.1",
        headers=headers,
        state=state,
        secret=args.secret,
    )
    if args.json:
        print(json.dumps(as_json(explanation), indent=2))
    else:
        print(render(explanation), end="")
    return 0


def _read_text(path: Any) -> str:
    from guard.errors import BadRequest

    try:
        text: str = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return text


def _read_json(path: Any) -> Any:
    import json

    from guard.errors import BadRequest

    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
