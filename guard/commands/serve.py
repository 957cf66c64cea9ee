"""``guard serve``: guard as a reverse proxy in front of an OpenAI/Anthropic-compatible API."""

from __future__ import annotations

import argparse
from typing import Any

from guard.cli import add_common_options, env

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run guard as a reverse proxy in front of an upstream"
    )
    parser.add_argument(
        "--upstream",
        default=env("UPSTREAM", "mock"),
        help="'mock' (built-in mock LLM API) or the upstream base URL (env GUARD_UPSTREAM)",
    )
    parser.add_argument(
        "--host", default=env("HOST", "127.0.0.1"), help="listen address (env GUARD_HOST)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(env("PORT", "8080") or 8080),
        help="listen port (env GUARD_PORT)",
    )
    add_common_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from guard.server import build_app

    app = build_app(args.upstream, policy=args.policy, store=args.store)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        lifespan="on",
        # The upstream's own Date and Server headers are forwarded; don't add a second pair.
        server_header=args.upstream == "mock",
        date_header=args.upstream == "mock",
    )
    return 0
