"""``guard serve``: guard as a reverse proxy in front of an OpenAI/Anthropic-compatible API.

Settings come from flags, ``GUARD_*`` environment variables and an optional YAML config file,
in that order of precedence (see :mod:`guard.config`). Start-up errors are one line on stderr
and exit status 1.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
from typing import Any

__all__ = ["register"]

logger = logging.getLogger("guard.server")

_EPILOG = """\
precedence: flags > environment variables (GUARD_*) > config file (--config) > defaults.
The admin API and dashboard (/_guard/) need an admin token (GUARD_ADMIN_TOKEN); without one,
only /_guard/health answers. SIGHUP reloads the policy file. --workers > 1 needs a shared
store (redis://) and reads its settings from the environment (guard.server:app_from_env).
"""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run guard as a reverse proxy in front of an upstream",
        description="Run guard as a reverse proxy in front of an OpenAI/Anthropic-compatible "
        "API, with its admin API and dashboard under /_guard/.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        # Only flags actually given land in the namespace: the others fall back to the
        # environment, then the config file, which argparse defaults would hide.
        argument_default=argparse.SUPPRESS,
    )
    add = parser.add_argument
    add("--config", metavar="FILE", help="YAML file of settings (env GUARD_CONFIG)")
    add(
        "--upstream",
        metavar="URL",
        help="'mock' (built-in mock LLM API) or the upstream base URL "
        "(env GUARD_UPSTREAM; default mock)",
    )
    add(
        "--route",
        dest="routes",
        action="append",
        metavar="PREFIX=URL",
        help="send paths under PREFIX to another upstream; repeatable "
        "(env GUARD_ROUTES=PREFIX=URL,PREFIX=URL)",
    )
    add("--host", metavar="ADDRESS", help="listen address (env GUARD_HOST; default 127.0.0.1)")
    add("--port", help="listen port (env GUARD_PORT; default 8080)")
    add(
        "--connect-timeout",
        dest="connect_timeout",
        metavar="SECONDS",
        help="seconds to connect to an upstream (env GUARD_CONNECT_TIMEOUT; default 10)",
    )
    add(
        "--read-timeout",
        dest="read_timeout",
        metavar="SECONDS",
        help="longest silence while reading an upstream's answer "
        "(env GUARD_READ_TIMEOUT; default 300)",
    )
    add(
        "--retries",
        metavar="N",
        help="retries when connecting to an upstream fails, never once a "
        "request was sent (env GUARD_RETRIES; default 0)",
    )
    add(
        "--max-connections",
        metavar="N",
        dest="max_connections",
        help="pooled connections per upstream (env GUARD_MAX_CONNECTIONS; default 100)",
    )
    add(
        "--policy",
        metavar="FILE",
        help="policy YAML file (env GUARD_POLICY; default: the bundled policy)",
    )
    add(
        "--policy-poll",
        dest="policy_poll",
        metavar="SECONDS",
        help="seconds between checks of the policy file for changes, 0 for SIGHUP only "
        "(env GUARD_POLICY_POLL; default 1)",
    )
    add(
        "--store",
        metavar="URL",
        help="state store URL: memory:// or redis://host:6379/0 "
        "(env GUARD_STORE; default memory://)",
    )
    add(
        "--admin-token",
        metavar="TOKEN",
        dest="admin_token",
        help="token of the admin API; prefer the environment variable "
        "(env GUARD_ADMIN_TOKEN; default: admin API disabled)",
    )
    add(
        "--secret",
        help="HMAC secret of key ids; prefer the environment variable "
        "(env GUARD_SECRET; default: the policy's, else random per process)",
    )
    add(
        "--workers",
        metavar="N",
        help="worker processes; more than 1 needs --store redis:// (env GUARD_WORKERS; default 1)",
    )
    add(
        "--graceful-timeout",
        dest="graceful_timeout",
        metavar="SECONDS",
        help="seconds in-flight requests get to finish at shutdown "
        "(env GUARD_GRACEFUL_TIMEOUT; default 30)",
    )
    add(
        "--log-level",
        dest="log_level",
        choices=["debug", "info", "warning", "error"],
        help="log level: one line per decision at info, per request at debug "
        "(env GUARD_LOG_LEVEL; default info)",
    )
    add(
        "--log-format",
        dest="log_format",
        choices=["json", "text"],
        help="log lines as JSON objects or text (env GUARD_LOG_FORMAT; default json)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guard.config import load_config
    from guard.logs import configure_logging

    flags = {k: v for k, v in vars(args).items() if k not in ("command", "run", "config")}
    config = load_config(flags, os.environ, getattr(args, "config", None))
    configure_logging(config.log_level, config.log_format)
    if config.workers > 1:
        return _run_workers(config)
    import uvicorn

    from guard.server import app_from_config

    app = app_from_config(config)
    uvicorn.run(app, **_uvicorn_options(config))
    return 0


def _uvicorn_options(config: Any) -> dict[str, Any]:
    mock_only = config.upstream == "mock" and not config.routes
    return {
        "host": config.host,
        "port": config.port,
        "lifespan": "on",
        "log_config": None,  # guard.logs configured the handlers
        "log_level": config.log_level,
        # The pipeline logs each request at debug; uvicorn's access lines would double it.
        "access_log": config.log_level == "debug",
        # Client addresses are guard's business (policy identity.trusted_proxies).
        "proxy_headers": False,
        # The upstream's own Date and Server headers are forwarded; don't add a second pair.
        "server_header": mock_only,
        "date_header": mock_only,
        "timeout_graceful_shutdown": math.ceil(config.graceful_timeout),
    }


def _run_workers(config: Any) -> int:
    """Several processes: uvicorn imports ``guard.server:app_from_env`` in each."""
    import secrets
    import shutil
    import tempfile

    import uvicorn

    from guard.policy import load_policy
    from guard.store import open_store

    policy = load_policy(config.policy)  # fail here, once, rather than in every worker
    open_store(config.store)
    environ = config.to_env()
    if config.secret is None and policy.identity.secret is None:
        logger.warning(
            "No secret configured (GUARD_SECRET): generated one shared by this run's workers; "
            "key ids will change when guard restarts."
        )
        environ["GUARD_SECRET"] = secrets.token_hex(32)
    metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="guard-metrics-")
        environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    os.environ.update(environ)
    try:
        uvicorn.run(
            "guard.server:app_from_env",
            factory=True,
            workers=config.workers,
            **_uvicorn_options(config),
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0
