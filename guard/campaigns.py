"""Which features link keys into one campaign, and when.

A campaign spreads one harvest over many keys, each under every per-key limit; what its keys
share gives it away: the prompt template their scripts fill in, the system prompt, the client
and the address range they run from. Each such value becomes a link feature; the store joins
keys that share one (union-find) and counts the campaign's union coverage, so the scoring can
judge the group as a whole. Linking alone accuses nobody: an organisation's developers share a
system prompt too, and their campaign covers one narrow subject.

A key links through a feature only once the feature is a *habit* of that key: at least
``LINK_AFTER`` of its recent requests, and ``LINK_SHARE`` of them, carry it (read off the key's
ring). Everyday question frames ("what is the difference between X and Y?") are shared by
strangers, who each use one now and then; linking on every occurrence made one campaign of
every key through chains of such coincidences (union-find cannot undo a link). A script fills
the same template request after request, so its keys still link by their second or third
request.

A frame around free questions ("Write a long-form answer (at least 800 words) to:
{question}") gives each prompt its own whole-template fingerprint, since the question's
phrasing words are part of its skeleton; its head (or, for "{question} Answer
comprehensively.", its tail) stays the same. Heads and tails are far less specific than whole
templates (people start many requests "can you explain to me how ..."), so a key links through
one only when it is a stronger habit: ``LINK_AFTER_END`` requests and ``LINK_SHARE_END`` of the
ring.

A key's first request cannot show a habit, yet a campaign's throw-away keys each start with
one: so a key's first request joins a campaign that already links ``JOIN_AT`` keys or more
through one of its features (``first_sight_links``, ``Store.join``), claiming no feature for
itself. A stranger sharing a frame with one other key links nobody; a new key filling the
template of a campaign of hundreds is one more of its keys from its first request.

Only values specific enough to mean "the same operator" link keys: short prompts and stock
system prompts ("You are a helpful assistant.") are shared by strangers and are left out, and
so are client fingerprints and address ranges: thousands of strangers share a popular SDK
behind one carrier NAT, and a link through them would merge everyone into one campaign.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import mmh3

from guard.models import Features, PromptRequest
from guard.profile import HEAD_BYTES, SYSTEM_BYTES, TAIL_BYTES, TEMPLATE_BYTES

__all__ = [
    "JOIN_AT",
    "LINK_AFTER",
    "LINK_AFTER_END",
    "LINK_SHARE",
    "LINK_SHARE_END",
    "first_sight_links",
    "habitual_links",
    "link_features",
]

LINK_AFTER = 2
"""Requests among a key's recent ones that must carry a feature before the key links by it."""

LINK_SHARE = 0.25
"""Share of a key's recent requests that must carry a feature before the key links by it."""

LINK_AFTER_END = 3
""":data:`LINK_AFTER` for a template's head or tail."""

LINK_SHARE_END = 0.5
""":data:`LINK_SHARE` for a template's head or tail."""

JOIN_AT = 8
"""Keys a campaign must link before a key's first request joins it (see ``first_sight_links``)."""

# Link again at these counts only: the store's link is idempotent, and a handful of calls per
# key and feature keeps the extra round trip off almost every request.
_CHECKPOINTS = frozenset({2, 3, 4, 6, 8, 12, 16, 24, 32})

_MIN_TEMPLATE_PROMPT = 40  # characters: shorter prompts ("hi", "continue") are everyone's
# Longer prompts are mostly pasted material; the featurizer reads a template only from their
# head and tail, which pasted documents share too often to say "same operator".
_MAX_TEMPLATE_PROMPT = 4000
_MIN_SYSTEM = 40
_STOCK_SYSTEM = re.compile(
    r"^\W*you are (?:a |an )?(?:helpful|friendly|useful|smart|intelligent|ai|chat|large "
    r"language model)[\w ,-]*(?:assistant|model|chatbot)\W*(?:\w+\W*){0,12}$",
    re.IGNORECASE,
)


def link_features(request: PromptRequest, features: Features) -> tuple[str, ...]:
    """The link features of one request (hashed, so no prompt text reaches the store)."""
    return tuple(feature for feature, *_ in _features(request, features))


def habitual_links(
    request: PromptRequest, features: Features, recent: Sequence[bytes]
) -> tuple[str, ...]:
    """The request's link features that are a habit of its key, to link by now.

    ``recent`` is the key's ring of packed request records, newest (this request's) first.
    Only features whose count in the ring has just reached one of a few checkpoints are
    returned, so most requests return nothing and cost the store no call.
    """
    if not recent:
        return ()
    found = _features(request, features)
    if not found:
        return ()
    n = len(recent)
    current = recent[0]
    links: list[str] = []
    for feature, field, after, share in found:
        mine = current[field]
        count = sum(1 for record in recent if record[field] == mine)
        if count in _CHECKPOINTS and count >= after and count >= share * n:
            links.append(feature)
    return tuple(links)


def first_sight_links(
    request: PromptRequest, features: Features, recent: Sequence[bytes]
) -> tuple[str, ...]:
    """The link features by which a key's first request may join an established campaign
    (``Store.join``); none on any later request, when habits decide (``habitual_links``)."""
    if len(recent) != 1:
        return ()
    return link_features(request, features)


def _features(request: PromptRequest, features: Features) -> list[tuple[str, slice, int, float]]:
    """Each link feature with the ring field that tells whether earlier requests carried it,
    and the habit it takes (requests, share of the ring)."""
    links: list[tuple[str, slice, int, float]] = []
    if _MIN_TEMPLATE_PROMPT <= len(request.prompt) <= _MAX_TEMPLATE_PROMPT:
        links.append(
            (f"t{features.template & 0xFFFFFFFFFFFF:x}", TEMPLATE_BYTES, LINK_AFTER, LINK_SHARE)
        )
        if features.head:
            head = f"h{features.head & 0xFFFFFFFFFFFF:x}"
            links.append((head, HEAD_BYTES, LINK_AFTER_END, LINK_SHARE_END))
        if features.tail:
            tail = f"e{features.tail & 0xFFFFFFFFFFFF:x}"
            links.append((tail, TAIL_BYTES, LINK_AFTER_END, LINK_SHARE_END))
    system = request.system.strip()
    if len(system) >= _MIN_SYSTEM and not _STOCK_SYSTEM.match(system[:300]):
        hashed = mmh3.hash64(system, 0x5EED, signed=False)[0] & 0xFFFFFFFFFFFF
        links.append((f"s{hashed:x}", SYSTEM_BYTES, LINK_AFTER, LINK_SHARE))
    return links
