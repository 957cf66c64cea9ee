"""The ``guard`` command line.

Each subcommand lives in ``guard/commands/<name>.py`` with a ``register(subparsers)`` function;
heavy imports happen inside the command, so ``guard --help`` stays instant. Every flag also
reads an environment variable (``GUARD_<FLAG>``), named in its help text. Start-up errors are
one clear line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence

from guard.errors import GuardError

__all__ = ["COMMANDS", "add_common_options", "env", "main"]

COMMANDS = ("serve", "demo", "simulate", "replay", "check", "schema", "explain", "trace")


def env(name: str, default: str | None = None) -> str | None:
    """The value of ``GUARD_<name>``, the fallback of the flag of that name."""
    return os.environ.get(f"GUARD_{name}", default)


def add_common_options(parser: argparse.ArgumentParser, *, log_level: str = "info") -> None:
    """--policy, --store and --log-level, shared by the commands that run a pipeline."""
    parser.add_argument(
        "--policy",
        default=env("POLICY"),
        help="policy YAML file (env GUARD_POLICY; default: the bundled default policy)",
    )
    parser.add_argument(
        "--store",
        default=env("STORE", "memory://"),
        help="state store URL: memory:// or redis://host:6379/0 (env GUARD_STORE)",
    )
    add_log_level(parser, default=log_level)


def add_log_level(parser: argparse.ArgumentParser, *, default: str = "info") -> None:
    parser.add_argument(
        "--log-level",
        default=env("LOG_LEVEL", default),
        choices=["debug", "info", "warning", "error"],
        help=f"log level (env GUARD_LOG_LEVEL; default {default})",
    )


def _parser() -> argparse.ArgumentParser:
    from guard import __version__

    parser = argparse.ArgumentParser(
        prog="guard", description="Protect an LLM API from distillation harvesting."
    )
    parser.add_argument("--version", action="version", version=f"guard {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"guard.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(args, "log_level", "warning").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
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
