"""guard serve's settings: precedence flags > env > config file > defaults, and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.config import ConfigError, ServeConfig, load_config, parse_routes


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "guard.yaml"
    path.write_text(text)
    return path


def test_defaults_when_nothing_is_set() -> None:
    assert load_config({}, {}) == ServeConfig()
    assert ServeConfig().upstream == "mock" and ServeConfig().log_format == "json"


def test_flags_beat_env_beat_file_beat_defaults(tmp_path: Path) -> None:
    config_file = write(
        tmp_path,
        "host: 10.0.0.1\nport: 7000\nstore: redis://file:6379/0\nread_timeout: 60\n"
        "log_level: warning\n",
    )
    environ = {"GUARD_PORT": "7100", "GUARD_STORE": "redis://env:6379/0"}
    flags = {"port": "7200", "host": None}  # None: flag not given
    config = load_config(flags, environ, config_file)
    assert config.port == 7200  # flag
    assert config.store == "redis://env:6379/0"  # env over file
    assert config.host == "10.0.0.1"  # file over default
    assert config.read_timeout == 60.0
    assert config.log_level == "warning"
    assert config.connect_timeout == ServeConfig().connect_timeout  # default


def test_config_file_named_by_guard_config(tmp_path: Path) -> None:
    config_file = write(tmp_path, "upstream: http://127.0.0.1:9000\n")
    config = load_config({}, {"GUARD_CONFIG": str(config_file)})
    assert config.upstream == "http://127.0.0.1:9000"


def test_routes_from_each_source(tmp_path: Path) -> None:
    config_file = write(tmp_path, "routes:\n  /v1/messages: http://anthropic:1\n")
    assert load_config({}, {}, config_file).routes == {"/v1/messages": "http://anthropic:1"}
    environ = {"GUARD_ROUTES": "/v1/messages=http://a:1, /v1/embeddings=http://b:2"}
    assert load_config({}, environ, config_file).routes == {
        "/v1/messages": "http://a:1",
        "/v1/embeddings": "http://b:2",
    }
    # A flag replaces the whole mapping rather than merging with it.
    flags = {"routes": ["/v1/responses=http://c:3"]}
    assert load_config(flags, environ, config_file).routes == {"/v1/responses": "http://c:3"}


def test_upstreams_longest_prefix_first_then_default() -> None:
    config = ServeConfig(
        upstream="http://default:1", routes={"/v1": "http://a:1", "/v1/messages": "http://b:1"}
    )
    assert config.upstreams() == [
        ("/v1/messages", "http://b:1"),
        ("/v1", "http://a:1"),
        ("/", "http://default:1"),
    ]


def test_to_env_round_trips() -> None:
    config = ServeConfig(
        host="0.0.0.0",
        port=9,
        upstream="http://u:1",
        routes={"/v1/messages": "http://a:1"},
        retries=2,
        policy="/etc/guard/policy.yaml",
        store="redis://r:6379/0",
        admin_token="t",
        secret="s",
        workers=3,
        log_level="debug",
        log_format="text",
        graceful_timeout=5.5,
        policy_poll=0,
    )
    assert load_config({}, config.to_env()) == config


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"GUARD_PORT": "eighty"}, "GUARD_PORT must be a whole number, not 'eighty'."),
        ({"GUARD_WORKERS": "0"}, "GUARD_WORKERS must be at least 1, not '0'."),
        ({"GUARD_READ_TIMEOUT": "-1"}, "GUARD_READ_TIMEOUT must be at least 0.001"),
        ({"GUARD_LOG_FORMAT": "xml"}, "GUARD_LOG_FORMAT must be one of json, text, not 'xml'."),
        ({"GUARD_ROUTES": "/v1/messages"}, "is not PREFIX=URL"),
        ({"GUARD_ROUTES": "v1=http://a:1"}, "the path prefix 'v1' must start with '/'"),
        ({"GUARD_UPSTREAM": "ftp://x"}, "the upstream must be 'mock' or an http(s) base URL"),
    ],
)
def test_invalid_values_name_the_setting(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({}, environ)
    assert message in str(caught.value)


def test_flag_errors_name_the_flag() -> None:
    with pytest.raises(ConfigError, match="--max-connections must be at least 1"):
        load_config({"max_connections": "0"}, {})


def test_unknown_file_setting_suggests_the_right_one(tmp_path: Path) -> None:
    config_file = write(tmp_path, "upstreem: http://a:1\nport: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_config({}, {}, config_file)
    assert (
        str(caught.value)
        == f"{config_file}: unknown setting 'upstreem' (did you mean 'upstream'?)."
    )


def test_dashes_are_accepted_in_file_keys(tmp_path: Path) -> None:
    config_file = write(tmp_path, "read-timeout: 12\n")
    assert load_config({}, {}, config_file).read_timeout == 12.0


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config({}, {}, tmp_path / "missing.yaml")
    broken = write(tmp_path, "port: [1\n")
    with pytest.raises(ConfigError, match=r"guard.yaml:2:1: the config file is not valid YAML"):
        load_config({}, {}, broken)
    listed = write(tmp_path, "- port\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config({}, {}, listed)


def test_workers_need_a_shared_store() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"workers": "2"}, {})
    assert "--workers 2 needs a shared store" in str(caught.value)
    assert "redis://" in str(caught.value)
    config = load_config({"workers": "2"}, {"GUARD_STORE": "redis://127.0.0.1:6379/0"})
    assert config.workers == 2


def test_parse_routes_forms() -> None:
    assert parse_routes("") == {}
    assert parse_routes(["/a=http://x:1", ""]) == {"/a": "http://x:1"}
    assert parse_routes({"/a": "http://x:1"}) == {"/a": "http://x:1"}
    with pytest.raises(ConfigError):
        parse_routes(42)


# The deployment examples stay in step with the code -------------------------------------------

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_example_serve_config_loads() -> None:
    config = load_config({}, {}, EXAMPLES / "serve.yaml")
    assert config.store.startswith("redis://") and config.routes == {
        "/v1/messages": "https://api.anthropic.com"
    }


def test_compose_example_is_consistent(tmp_path: Path) -> None:
    import shutil

    import yaml

    from guard.policy import load_policy

    compose = yaml.safe_load((EXAMPLES / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"redis", "guard-1", "guard-2", "nginx"} <= set(services)
    for name in ("guard-1", "guard-2"):
        environment = services[name]["environment"]
        assert environment["GUARD_STORE"] == "redis://redis:6379/0"
        assert load_config({}, {"GUARD_STORE": environment["GUARD_STORE"], "GUARD_WORKERS": "2"})
    # The policy as the Dockerfile lays it out: /etc/guard/{compose-policy.yaml,policies/}.
    shutil.copy(EXAMPLES / "compose-policy.yaml", tmp_path)
    shutil.copytree(EXAMPLES.parent / "policies", tmp_path / "policies")
    policy = load_policy(tmp_path / "compose-policy.yaml")
    nginx_ip = services["nginx"]["networks"]["guard"]["ipv4_address"]
    assert policy.identity.trusted_proxies == [nginx_ip]
    assert "guard-1:8080" in (EXAMPLES / "nginx.conf").read_text()


def test_systemd_unit_runs_a_valid_command() -> None:
    from guard.cli import _parser

    unit = (EXAMPLES / "guard.service").read_text()
    (exec_start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    argv = exec_start.split()[1:]
    assert argv[0] == "serve"
    args = _parser().parse_args(argv)
    assert args.config == "/etc/guard/serve.yaml"
