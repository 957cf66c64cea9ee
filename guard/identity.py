"""Who sent a request: a keyed hash of the API key, the client IP, a client fingerprint.

The raw API key is read here and nowhere else; only its HMAC leaves this module, so no store,
log or report can ever hold a key that works against the API.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
from collections.abc import Iterable, Sequence

import mmh3

from guard.models import Identity

__all__ = ["Identifier", "TrustedProxies", "resolve_secret"]

logger = logging.getLogger("guard.identity")

Headers = Sequence[tuple[bytes, bytes]]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def resolve_secret(configured: str | None = None) -> bytes:
    """The HMAC secret: the configured one, else ``GUARD_SECRET``, else a random one.

    A random secret makes key ids differ between processes and restarts, which breaks shared
    state and tracing, hence the warning.
    """
    value = configured or os.environ.get("GUARD_SECRET")
    if value:
        return value.encode()
    logger.warning(
        "No secret configured (policy identity.secret or GUARD_SECRET): using a random "
        "per-process secret, so key ids will not match across processes or restarts."
    )
    return secrets.token_bytes(32)


class TrustedProxies:
    """Addresses whose X-Forwarded-For we believe.

    Mirrors uvicorn's ProxyHeadersMiddleware: the header is only trusted when the direct peer
    is a trusted proxy, and it is walked from the right because every proxy appends the peer
    it saw; the first untrusted hop is the client (anything left of it may be forged). See
    https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For#security_and_privacy_concerns
    """

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.always = False
        self.hosts: set[str] = set()
        self.networks: list[IPNetwork] = []
        for entry in entries:
            entry = entry.strip()
            if entry == "*":
                self.always = True
            elif "/" in entry:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            else:
                self.hosts.add(str(ipaddress.ip_address(entry)) if _is_ip(entry) else entry)

    def __bool__(self) -> bool:
        return self.always or bool(self.hosts) or bool(self.networks)

    def __contains__(self, host: str) -> bool:
        if self.always or host in self.hosts:
            return True
        if not self.networks:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client_ip(self, peer: str, forwarded_for: str | None) -> str:
        if not forwarded_for or peer not in self:
            return peer
        hops = [hop.strip() for hop in forwarded_for.split(",")]
        for hop in reversed(hops):
            if hop and hop not in self:
                return hop
        # Every hop is a trusted proxy: the leftmost is the closest we get to the client.
        return hops[0] or peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class Identifier:
    """Turns ASGI request headers and peer address into an :class:`Identity`."""

    def __init__(
        self,
        secret: bytes,
        *,
        key_headers: Sequence[str] = ("authorization", "x-api-key"),
        trusted_proxies: Iterable[str] = (),
    ) -> None:
        self._secret = secret
        self._key_headers = [h.lower().encode("latin-1") for h in key_headers]
        self._proxies = TrustedProxies(trusted_proxies)

    def key_id(self, raw_key: str) -> str:
        """The keyed hash that stands for a raw key everywhere in guard."""
        digest = hmac.new(self._secret, raw_key.encode(), hashlib.sha256).hexdigest()
        return "k_" + digest[:32]

    def identify(self, headers: Headers, peer: str) -> Identity:
        found: dict[bytes, bytes] = {}
        names: list[bytes] = []
        forwarded_for: list[bytes] = []
        for name, value in headers:
            names.append(name)
            if name in self._key_headers and name not in found:
                found[name] = value
            elif name == b"x-forwarded-for":
                forwarded_for.append(value)
        raw_key = ""
        for name in self._key_headers:
            sent = found.get(name)
            if sent is None:
                continue
            raw_key = _strip_scheme(sent.decode("latin-1").strip())
            if raw_key:
                break
        xff = b",".join(forwarded_for).decode("latin-1") if forwarded_for else None
        ip = self._proxies.client_ip(peer, xff) if self._proxies else peer
        user_agent = _header(headers, b"user-agent")
        client = mmh3.hash_bytes(b"\n".join([user_agent, *names])).hex()[:16]
        if raw_key:
            return Identity(self.key_id(raw_key), True, ip, client, user_agent.decode("latin-1"))
        return Identity("ip:" + ip, False, ip, client, user_agent.decode("latin-1"))


def _strip_scheme(value: str) -> str:
    scheme, _, credentials = value.partition(" ")
    if scheme.lower() in ("bearer", "token", "basic"):
        return credentials.strip()
    return value


def _header(headers: Headers, name: bytes) -> bytes:
    for key, value in headers:
        if key == name:
            return value
    return b""
