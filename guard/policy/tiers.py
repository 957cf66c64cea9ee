"""Tiers: which group a request belongs to, and what that group's policy is.

A request belongs to exactly one tier: the first (in the policy's order) whose match holds,
else the implicit tier ``default``. Each :class:`Tier` is the policy as that group sees it,
computed once when the policy loads: the policy's budgets and rate limits with the tier's laid
over them, its scoring with the tier's changes, and its rules after the tier's own.

Matching runs on every request, so everything is precompiled: key ids in a frozenset, networks
grouped by prefix length (one set lookup per length), header names as bytes.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from guard.errors import PolicyError, PolicyProblem
from guard.models import Identity
from guard.policy.decide import Decider
from guard.policy.model import (
    Budgets,
    Policy,
    RateLimitConfig,
    Rule,
    ScoringConfig,
    TierConfig,
    TierMatch,
    parse_key_id,
)
from guard.policy.typed import Where
from guard.store.base import RateLimit, SketchSpec

__all__ = ["DEFAULT_TIER", "Tier", "TierCheck", "TierMatcher", "key_list_problems"]

DEFAULT_TIER = "default"

Headers = Sequence[tuple[bytes, bytes]]
Locate = Callable[[str], Where | None]


@dataclass(frozen=True, eq=False)
class Tier:
    """The policy as one tier sees it; the pipeline uses one of these per request."""

    name: str
    budgets: Budgets
    rate_limits: dict[str, RateLimitConfig]
    scoring: ScoringConfig
    rules: tuple[Rule, ...]  # the tier's own rules first, then the inherited ones
    own_rules: int  # how many of ``rules`` are the tier's own
    decider: Decider
    spec: SketchSpec
    description: str = ""
    _limits: tuple[RateLimit, ...] = field(default=(), repr=False)

    def sketch_spec(self) -> SketchSpec:
        """The windows and precision the store keeps (the same for every tier)."""
        return self.spec

    def rate_limit_list(self) -> tuple[RateLimit, ...]:
        """The rate limits checked for the tier's requests, in the store's form."""
        return self._limits


@dataclass(frozen=True, slots=True)
class TierCheck:
    """How one tier's match fared for a request (for ``guard explain``)."""

    tier: str
    matched: bool
    reasons: tuple[str, ...]


@functools.lru_cache(maxsize=8192)
def _address(ip: str) -> tuple[int, int] | None:
    """(version, integer) of an IP address; parsing one costs microseconds, so it is cached."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return address.version, int(address)


class _Networks:
    """IP networks as sets of network addresses per prefix length: one lookup per length."""

    def __init__(self, networks: Sequence[str]) -> None:
        groups: dict[tuple[int, int], set[int]] = {}
        for text in networks:
            network = ipaddress.ip_network(text, strict=False)
            key = (network.version, network.prefixlen)
            groups.setdefault(key, set()).add(int(network.network_address))
        self._groups = [
            (version, (128 if version == 6 else 32) - length, frozenset(addresses))
            for (version, length), addresses in sorted(groups.items())
        ]

    def __contains__(self, ip: str) -> bool:
        parsed = _address(ip)
        if parsed is None:
            return False
        version, value = parsed
        for group_version, shift, addresses in self._groups:
            if group_version == version and (value >> shift) << shift in addresses:
                return True
        return False


class _Match:
    """One compiled ``match`` entry; every criterion it has must hold."""

    def __init__(self, config: TierMatch, key_ids: frozenset[str] | None) -> None:
        self.key_ids = key_ids
        prefix = config.key_id_prefix
        self.prefixes: tuple[str, ...] = (
            (prefix,) if isinstance(prefix, str) else tuple(prefix or ())
        )
        self.has_keys = key_ids is not None or bool(self.prefixes)
        self.networks = _Networks(config.ips) if config.ips else None
        self.headers: dict[bytes, frozenset[bytes] | None] = {}
        for name, values in config.headers.items():
            wanted = [values] if isinstance(values, str) else values
            encoded = (
                None if "*" in wanted else frozenset(v.strip().encode("latin-1") for v in wanted)
            )
            self.headers[name.strip().lower().encode("latin-1")] = encoded
        self.has_key = config.has_key

    def __call__(self, identity: Identity, headers: Headers) -> bool:
        if self.has_key is not None and identity.has_key is not self.has_key:
            return False
        if self.has_keys and not self._key(identity.key_id):
            return False
        if self.headers and not self._headers(headers):
            return False
        return self.networks is None or identity.ip in self.networks

    def _key(self, key_id: str) -> bool:
        if self.key_ids is not None and key_id in self.key_ids:
            return True
        return bool(self.prefixes) and key_id.startswith(self.prefixes)

    def _headers(self, headers: Headers) -> bool:
        return _headers_match(headers, self.headers)

    def explain(self, identity: Identity, headers: Headers) -> Iterator[str]:
        if self.has_key is not None:
            ok = identity.has_key is self.has_key
            has, wanted = str(identity.has_key).lower(), str(self.has_key).lower()
            yield f"has_key is {has}, wanted {wanted}: {_yes(ok)}"
        if self.has_keys:
            yield f"key id {identity.key_id} listed: {_yes(self._key(identity.key_id))}"
        if self.networks is not None:
            yield f"ip {identity.ip} in ips: {_yes(identity.ip in self.networks)}"
        for name, values in self.headers.items():
            ok = _headers_match(headers, {name: values})
            yield f"header {name.decode('latin-1')} matches: {_yes(ok)}"


def _headers_match(headers: Headers, wanted: dict[bytes, frozenset[bytes] | None]) -> bool:
    """Whether every wanted header is present with one of its values (None: any value)."""
    found: set[bytes] = set()
    for name, value in headers:
        if name in wanted and name not in found:
            values = wanted[name]
            if values is None or value.strip() in values:
                found.add(name)
    return len(found) == len(wanted)


def _yes(ok: bool) -> str:
    return "yes" if ok else "no"


class _KeyLists:
    """Reads the key ids a policy's tiers list (inline and in key list files), once."""

    def __init__(self, policy: Policy, locate: Locate | None) -> None:
        self.problems: list[PolicyProblem] = []
        self.files: list[str] = []
        self._locate = locate
        self._digest = hashlib.sha256()
        self.ids: list[list[frozenset[str] | None]] = []
        base = policy.base_dir
        for index, config in enumerate(policy.tiers):
            per_match = []
            for i, entry in enumerate(config.matches):
                path = f"tiers[{index}].match" + (
                    f"[{i}]" if isinstance(config.match, list) else ""
                )
                per_match.append(self._key_ids(entry, base, path))
            self.ids.append(per_match)

    def digest(self) -> str:
        return self._digest.hexdigest()

    def _key_ids(self, config: TierMatch, base: Path, path: str) -> frozenset[str] | None:
        if not config.key_ids and config.key_list is None:
            self._digest.update(b"\0")
            return None
        ids = set(config.key_ids)
        if config.key_list is not None:
            key_list = config.key_list
            ids.update(self._read(base / key_list, key_list, f"{path}.key_list"))
        self._digest.update("\n".join(sorted(ids)).encode() + b"\0")
        return frozenset(ids)

    def _read(self, file: Path, written: str, path: str) -> set[str]:
        display = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            self._problem(
                f"{path}: cannot read key list {written!r}: {reason} (looked for {display}); "
                "create it (one key id per line) or fix the path, which is relative to the "
                "policy file",
                self._locate(path) if self._locate else None,
            )
            return set()
        self.files.append(display)
        ids: set[str] = set()
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                ids.add(parse_key_id(line))
            except ValueError as exc:
                self._problem(str(exc), Where(display, number, raw.index(line) + 1))
        return ids

    def _problem(self, message: str, where: Where | None) -> None:
        if where is None:
            self.problems.append(PolicyProblem(message))
        else:
            self.problems.append(PolicyProblem(message, where.file, where.line, where.column))


def key_list_problems(policy: Policy, locate: Locate | None = None) -> list[PolicyProblem]:
    """Problems reading the policy's key lists (what :class:`TierMatcher` would raise)."""
    return _KeyLists(policy, locate).problems


class TierMatcher:
    """The compiled tiers of a policy: ``match(identity, headers)`` picks a request's tier.

    Key lists are read here, once per load; :class:`PolicyError` if one cannot be read.
    """

    def __init__(self, policy: Policy, *, locate: Locate | None = None) -> None:
        lists = _KeyLists(policy, locate)
        if lists.problems:
            raise PolicyError(lists.problems)
        self.files = lists.files
        self._list_digest = lists.digest()
        spec = policy.sketch_spec()
        self.default = _tier_of(policy, None, spec)
        self._by_name: dict[str, Tier] = {DEFAULT_TIER: self.default}
        self._tiers: list[tuple[Tier, list[_Match]]] = []
        for config, ids in zip(policy.tiers, lists.ids, strict=True):
            matches = [_Match(m, key_ids) for m, key_ids in zip(config.matches, ids, strict=True)]
            tier = _tier_of(policy, config, spec)
            self._by_name.setdefault(config.name, tier)
            self._tiers.append((tier, matches))

    def match(self, identity: Identity, headers: Headers) -> Tier:
        """The first tier whose match holds for the request, else the default tier."""
        for tier, matches in self._tiers:
            for match in matches:
                if match(identity, headers):
                    return tier
        return self.default

    def __getitem__(self, name: str) -> Tier:
        return self._by_name[name]

    def __iter__(self) -> Iterator[Tier]:
        """Every tier, in the policy's order, then the default tier."""
        yield from (tier for tier, _ in self._tiers)
        yield self.default

    def explain(self, identity: Identity, headers: Headers) -> list[TierCheck]:
        """Each tier tried, in order, up to the one that matched, with the reasons."""
        checks: list[TierCheck] = []
        for tier, matches in self._tiers:
            reasons: list[str] = []
            matched = False
            for i, match in enumerate(matches):
                prefix = f"match[{i}]: " if len(matches) > 1 else ""
                reasons.extend(prefix + reason for reason in match.explain(identity, headers))
                if match(identity, headers):
                    matched = True
                    break
            checks.append(TierCheck(tier.name, matched, tuple(reasons)))
            if matched:
                return checks
        checks.append(TierCheck(DEFAULT_TIER, True, ("no tier matched",)))
        return checks

    def key_list_digest(self) -> str:
        """sha256 of the key ids the tiers list, part of the policy's hash."""
        return self._list_digest


def _tier_of(policy: Policy, config: TierConfig | None, spec: SketchSpec) -> Tier:
    if config is None:
        name, budgets, limits = DEFAULT_TIER, policy.budgets, dict(policy.rate_limits)
        scoring, description = policy.scoring, "requests no tier matches"
        own: tuple[Rule, ...] = ()
        inherited: tuple[Rule, ...] = tuple(policy.rules)
    else:
        name = config.name
        budgets = policy.budgets.overridden(config.budgets)
        merged = {**policy.rate_limits, **config.rate_limits}
        limits = {n: limit for n, limit in merged.items() if limit is not None}
        scoring = config.scoring.apply(policy.scoring)
        own = tuple(config.rules)
        inherited = tuple(policy.rules) if config.inherit_rules else ()
        description = config.description or ""
    rules = own + inherited
    return Tier(
        name,
        budgets,
        limits,
        scoring,
        rules,
        len(own),
        Decider(policy, rules, tier=name),
        spec,
        description,
        tuple(limit.limit(n) for n, limit in limits.items()),
    )
