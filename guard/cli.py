"""The ``guard`` command line.

Every flag also reads an environment variable (``GUARD_<FLAG>``), named in its help text.
Start-up errors are one clear line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from guard.errors import GuardError

__all__ = ["main"]


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"GUARD_{name}", default)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        default=_env("POLICY"),
        help="policy YAML file (env GUARD_POLICY; default: the bundled default policy)",
    )
    parser.add_argument(
        "--store",
        default=_env("STORE", "memory://"),
        help="state store URL: memory:// or redis://host:6379/0 (env GUARD_STORE)",
    )
    parser.add_argument(
        "--log-level",
        default=_env("LOG_LEVEL", "info"),
        choices=["debug", "info", "warning", "error"],
        help="log level (env GUARD_LOG_LEVEL)",
    )


def _parser() -> argparse.ArgumentParser:
    from guard import __version__

    parser = argparse.ArgumentParser(
        prog="guard", description="Protect an LLM API from distillation harvesting."
    )
    parser.add_argument("--version", action="version", version=f"guard {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="run guard as a reverse proxy in front of an upstream"
    )
    serve.add_argument(
        "--upstream",
        default=_env("UPSTREAM", "mock"),
        help="'mock' (built-in mock LLM API) or the upstream base URL (env GUARD_UPSTREAM)",
    )
    serve.add_argument(
        "--host", default=_env("HOST", "127.0.0.1"), help="listen address (env GUARD_HOST)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=int(_env("PORT", "8080") or 8080),
        help="listen port (env GUARD_PORT)",
    )
    _add_common(serve)
    serve.set_defaults(run=_serve)

    demo = commands.add_parser(
        "demo",
        help="run guard on the mock upstream, send benign and harvester traffic, show decisions",
    )
    _add_common(demo)
    demo.add_argument("--seed", type=int, default=7, help="random seed of the demo traffic")
    # The demo prints its own report; decisions are logged only when asked for.
    demo.set_defaults(run=_demo, log_level=_env("LOG_LEVEL", "warning"))
    return parser


def _serve(args: argparse.Namespace) -> int:
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


def _demo(args: argparse.Namespace) -> int:
    import asyncio

    from guard.demo import run_demo

    return asyncio.run(run_demo(policy=args.policy, store=args.store, seed=args.seed))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except GuardError as exc:
        print(f"guard {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
