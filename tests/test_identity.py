from __future__ import annotations

import logging

import pytest

from guard.identity import Identifier, TrustedProxies, resolve_secret


def headers(**values: str) -> list[tuple[bytes, bytes]]:
    return [(k.replace("_", "-").encode(), v.encode()) for k, v in values.items()]


def test_key_id_is_keyed_hash_never_the_key() -> None:
    ident = Identifier(b"secret-1")
    identity = ident.identify(headers(authorization="Bearer sk-live-abc123"), "203.0.113.7")
    assert identity.has_key
    assert identity.key_id.startswith("k_")
    assert "sk-live-abc123" not in repr(identity)
    # Same key, same secret: same id; another secret: another id.
    assert Identifier(b"secret-1").key_id("sk-live-abc123") == identity.key_id
    assert Identifier(b"secret-2").key_id("sk-live-abc123") != identity.key_id


def test_key_sources() -> None:
    ident = Identifier(b"s", key_headers=["authorization", "x-api-key", "x-custom-key"])
    bearer = ident.identify(headers(authorization="Bearer k1"), "1.2.3.4")
    x_api = ident.identify(headers(x_api_key="k1"), "1.2.3.4")
    custom = ident.identify(headers(x_custom_key="k1"), "1.2.3.4")
    assert bearer.key_id == x_api.key_id == custom.key_id == ident.key_id("k1")


def test_configured_header_order_wins() -> None:
    ident = Identifier(b"s", key_headers=["x-api-key", "authorization"])
    both = ident.identify(headers(authorization="Bearer a", x_api_key="b"), "1.2.3.4")
    assert both.key_id == ident.key_id("b")


def test_no_key_is_identified_by_ip() -> None:
    ident = Identifier(b"s")
    anonymous = ident.identify(headers(user_agent="curl/8"), "198.51.100.9")
    assert not anonymous.has_key
    assert anonymous.key_id == "ip:198.51.100.9"
    empty_bearer = ident.identify(headers(authorization="Bearer "), "198.51.100.9")
    assert not empty_bearer.has_key


def test_forwarded_for_ignored_without_trusted_proxies() -> None:
    ident = Identifier(b"s")
    identity = ident.identify(headers(x_forwarded_for="9.9.9.9"), "10.0.0.1")
    assert identity.ip == "10.0.0.1"


@pytest.mark.parametrize(
    ("trusted", "peer", "xff", "expected"),
    [
        (["10.0.0.1"], "10.0.0.1", "203.0.113.5", "203.0.113.5"),
        # Walk from the right: the client may prepend anything it likes.
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (["10.0.0.0/8"], "10.0.0.1", "6.6.6.6, 203.0.113.5, 10.2.3.4", "203.0.113.5"),
        (["10.0.0.1"], "192.0.2.1", "203.0.113.5", "192.0.2.1"),  # untrusted peer
        (["*"], "192.0.2.1", "203.0.113.5", "203.0.113.5"),
        (["10.0.0.0/8"], "10.0.0.1", "10.1.1.1, 10.2.2.2", "10.1.1.1"),  # all trusted
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_trusted_proxies(trusted: list[str], peer: str, xff: str, expected: str) -> None:
    assert TrustedProxies(trusted).client_ip(peer, xff) == expected


def test_client_fingerprint_depends_on_agent_and_header_order() -> None:
    ident = Identifier(b"s")
    a = ident.identify([(b"user-agent", b"OpenAI/Python 1.0"), (b"accept", b"*/*")], "1.1.1.1")
    b = ident.identify([(b"accept", b"*/*"), (b"user-agent", b"OpenAI/Python 1.0")], "1.1.1.1")
    c = ident.identify([(b"user-agent", b"OpenAI/Python 1.0"), (b"accept", b"*/*")], "2.2.2.2")
    assert a.client != b.client
    assert a.client == c.client


def test_secret_resolution(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("GUARD_SECRET", "from-env")
    assert resolve_secret(None) == b"from-env"
    assert resolve_secret("configured") == b"configured"
    monkeypatch.delenv("GUARD_SECRET")
    with caplog.at_level(logging.WARNING, logger="guard.identity"):
        first, second = resolve_secret(None), resolve_secret(None)
    assert first != second and len(first) == 32
    assert "random per-process secret" in caplog.text
