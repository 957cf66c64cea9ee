"""``guard serve``'s settings, read from flags, environment variables and a config file.

Precedence, as in uvicorn (whose flags win over its ``UVICORN_*`` variables and ``--env-file``):
**command-line flags > environment variables (``GUARD_*``) > config file > defaults**. Each
setting is taken whole from the first source that sets it (``routes`` from a flag replace the
file's routes rather than merging with them).

The config file is YAML (``--config FILE`` or ``GUARD_CONFIG``) with the settings' names as
keys; unknown keys are errors::

    host: 0.0.0.0
    port: 8080
    upstream: https://api.openai.com         # the default upstream ('mock': built-in mock)
    routes:                                  # path prefix -> upstream, longest prefix wins
      /v1/messages: https://api.anthropic.com
    connect_timeout: 10                      # seconds to open a connection to an upstream
    read_timeout: 300                        # longest silence while reading an answer
    retries: 1                               # retries when connecting fails (never after)
    max_connections: 100                     # pooled connections per upstream
    policy: /etc/guard/policy.yaml
    store: redis://redis:6379/0
    workers: 1                               # > 1 needs a shared store (redis://)
    log_level: info
    log_format: json
    graceful_timeout: 30                     # seconds in-flight streams get at shutdown
    policy_poll: 1                           # seconds between policy file checks (0: off)

``admin_token`` and ``secret`` may be written there too, but are better passed as
``GUARD_ADMIN_TOKEN`` and ``GUARD_SECRET`` (flags show up in ``ps``).
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from guard.errors import GuardError
from guard.logs import LOG_FORMATS, LOG_LEVELS

__all__ = ["ConfigError", "ServeConfig", "load_config", "parse_routes"]


class ConfigError(GuardError):
    """A serve setting is invalid; the message names the setting and where it came from."""


@dataclass(frozen=True)
class ServeConfig:
    """Every setting of ``guard serve``, after precedence has been applied and checked."""

    host: str = "127.0.0.1"
    port: int = 8080
    upstream: str = "mock"
    routes: Mapping[str, str] = field(default_factory=dict)
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    retries: int = 0
    max_connections: int = 100
    policy: str | None = None
    store: str = "memory://"
    admin_token: str | None = None
    secret: str | None = None
    workers: int = 1
    log_level: str = "info"
    log_format: str = "json"
    graceful_timeout: float = 30.0
    policy_poll: float = 1.0

    def upstreams(self) -> list[tuple[str, str]]:
        """(path prefix, upstream) pairs, longest prefix first, ending with ('/', default)."""
        pairs = sorted(self.routes.items(), key=lambda item: len(item[0]), reverse=True)
        return [*pairs, ("/", self.upstream)]

    def to_env(self) -> dict[str, str]:
        """The settings as ``GUARD_*`` variables: how ``--workers`` hands them to each worker
        (uvicorn starts workers from an import string, so they cannot receive objects)."""
        out: dict[str, str] = {}
        for spec in _SETTINGS.values():
            value = getattr(self, spec.name)
            if value is None:
                continue
            if spec.name == "routes":
                out[spec.env] = ",".join(f"{prefix}={url}" for prefix, url in value.items())
            else:
                out[spec.env] = str(value)
        return out


@dataclass(frozen=True)
class _Setting:
    name: str
    parse: Callable[[Any, str], Any]

    @property
    def env(self) -> str:
        return "GUARD_" + self.name.upper()


def _text(value: Any, where: str) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise ConfigError(f"{where} must be a string.")
    return str(value)


def _optional_text(value: Any, where: str) -> str | None:
    text = _text(value, where)
    return text or None


def _number(minimum: float, *, integer: bool = False) -> Callable[[Any, str], Any]:
    def parse(value: Any, where: str) -> Any:
        kind = "a whole number" if integer else "a number"
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be {kind}, not {value!r}.")
        try:
            number = int(value) if integer else float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where} must be {kind}, not {value!r}.") from None
        if not math.isfinite(number) or number < minimum:
            raise ConfigError(f"{where} must be at least {minimum:g}, not {value!r}.")
        return number

    return parse


def _choice(choices: tuple[str, ...]) -> Callable[[Any, str], str]:
    def parse(value: Any, where: str) -> str:
        text = _text(value, where).lower()
        if text not in choices:
            raise ConfigError(f"{where} must be one of {', '.join(choices)}, not {value!r}.")
        return text

    return parse


def parse_routes(value: Any, where: str = "routes") -> dict[str, str]:
    """Routes from a mapping, a list of ``PREFIX=URL`` or a comma-separated string of them."""
    if isinstance(value, Mapping):
        items = [(str(k), _text(v, f"{where}[{k!r}]")) for k, v in value.items()]
    else:
        entries = value.split(",") if isinstance(value, str) else value
        if not isinstance(entries, (list, tuple)):
            raise ConfigError(f"{where} must map path prefixes to upstream URLs.")
        items = []
        for entry in entries:
            if not str(entry).strip():
                continue
            prefix, sep, url = str(entry).strip().partition("=")
            if not sep or not url.strip():
                raise ConfigError(
                    f"{where}: {entry!r} is not PREFIX=URL (e.g. /v1/messages=http://host:9000)."
                )
            items.append((prefix.strip(), url.strip()))
    routes: dict[str, str] = {}
    for prefix, url in items:
        if not prefix.startswith("/"):
            raise ConfigError(f"{where}: the path prefix {prefix!r} must start with '/'.")
        routes[prefix] = url
    return routes


_SETTINGS: dict[str, _Setting] = {
    s.name: s
    for s in (
        _Setting("host", _text),
        _Setting("port", _number(0, integer=True)),
        _Setting("upstream", _text),
        _Setting("routes", parse_routes),
        _Setting("connect_timeout", _number(0.001)),
        _Setting("read_timeout", _number(0.001)),
        _Setting("retries", _number(0, integer=True)),
        _Setting("max_connections", _number(1, integer=True)),
        _Setting("policy", _optional_text),
        _Setting("store", _text),
        _Setting("admin_token", _optional_text),
        _Setting("secret", _optional_text),
        _Setting("workers", _number(1, integer=True)),
        _Setting("log_level", _choice(LOG_LEVELS)),
        _Setting("log_format", _choice(LOG_FORMATS)),
        _Setting("graceful_timeout", _number(0)),
        _Setting("policy_poll", _number(0)),
    )
}


def load_config(
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    file: str | os.PathLike[str] | None = None,
) -> ServeConfig:
    """Merge the sources, highest precedence first: ``flags`` (only those given), ``environ``
    (``GUARD_*``), then ``file`` (else ``GUARD_CONFIG``'s file, if set), then the defaults."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None and k in _SETTINGS}
    environ = os.environ if environ is None else environ
    file = file or environ.get("GUARD_CONFIG") or None
    from_file = _read_file(file) if file else {}
    values: dict[str, Any] = {}
    for name, spec in _SETTINGS.items():
        if name in flags:
            values[name] = spec.parse(flags[name], f"--{name.replace('_', '-')}")
        elif spec.env in environ:
            values[name] = spec.parse(environ[spec.env], spec.env)
        elif name in from_file:
            values[name] = spec.parse(from_file[name], f"{file}: {name}")
    config = ServeConfig(**values)
    _check(config)
    return config


def _read_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}.") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: the config file is not valid YAML: {problem}.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the config file must be a mapping of setting: value.")
    normal = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = [k for k in normal if k not in _SETTINGS]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(_SETTINGS), n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"{path}: unknown setting {', '.join(hints)}.")
    return normal


def _check(config: ServeConfig) -> None:
    """Combinations that cannot work, refused before anything starts."""
    if config.workers > 1 and config.store.startswith("memory:"):
        raise ConfigError(
            f"--workers {config.workers} needs a shared store: with {config.store} every worker "
            "would count its own share of each key's traffic. Use --store redis://host:6379/0 "
            "(GUARD_STORE), or run one worker per process."
        )
    for prefix, upstream in config.upstreams():
        if upstream != "mock" and not upstream.startswith(("http://", "https://")):
            where = "--upstream" if prefix == "/" else f"route {prefix}"
            raise ConfigError(
                f"{where}: the upstream must be 'mock' or an http(s) base URL such as "
                f"http://127.0.0.1:9000, not {upstream!r}."
            )
