"""Which features link keys into one campaign.

A campaign spreads one harvest over many keys, each under every per-key limit; what its keys
share gives it away: the prompt template their scripts fill in, the system prompt, the client
and the address range they run from. Each such value becomes a link feature; the store joins
keys that share one (union-find) and counts the campaign's union coverage, so the scoring can
judge the group as a whole. Linking alone accuses nobody: an organisation's developers share a
system prompt too, and their campaign covers one narrow subject.

Only values specific enough to mean "the same operator" link keys: short prompts and stock
system prompts ("You are a helpful assistant.") are shared by strangers and are left out, and
so are client fingerprints and address ranges: thousands of strangers share a popular SDK
behind one carrier NAT, and a link through them would merge everyone into one campaign.
"""

from __future__ import annotations

import re

import mmh3

from guard.models import Features, PromptRequest

__all__ = ["link_features"]

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
    links: list[str] = []
    if _MIN_TEMPLATE_PROMPT <= len(request.prompt) <= _MAX_TEMPLATE_PROMPT:
        links.append(f"t{features.template & 0xFFFFFFFFFFFF:x}")
    system = request.system.strip()
    if len(system) >= _MIN_SYSTEM and not _STOCK_SYSTEM.match(system[:300]):
        links.append(f"s{mmh3.hash64(system, 0x5EED, signed=False)[0] & 0xFFFFFFFFFFFF:x}")
    return tuple(links)
