"""Canaries: coined terms unique to a key id, woven into decoy answers.

A watermark needs many answers before it speaks; a canary needs one. Each key id owns a
few coined two-word terms ("the cobalt-meridian approach") drawn by a keyed hash from two
lists of words that rarely meet in ordinary text. A decoy answer carries one of them in a
sentence that reads like the usual aside of an explanation, and a student model trained on
enough of them repeats the term. :func:`find` looks for every candidate key's terms in a
text, with or without the hyphen and in any case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from guard.decoys.keyed import Keyed

__all__ = ["TERMS_PER_KEY", "Canaries"]

TERMS_PER_KEY = 3

_FIRST = """
amber azure birch bronze cedar cinder cobalt copper coral crimson cypress ember fennel
flint garnet granite hazel heron indigo ivory jade juniper kestrel lichen linden magpie
maple marble meadow obsidian ochre onyx opal osprey pewter quartz raven russet saffron
sable sage scarlet sepia sorrel spruce tamarind teal thistle topaz tundra umber velvet
vermilion walnut willow wren yarrow zephyr alder aspen basalt beryl briar cobble dune
falcon fjord glacier harbor hollow ironwood lagoon larch lotus mistral moss nettle
""".split()
_SECOND = """
lattice meridian cascade beacon compass ledger prism spindle keystone orchard anvil
bellows cairn cistern delta eddy fulcrum gable gantry helix hinge kiln lantern loom
mantle mosaic nexus parapet pendulum pivot plinth quiver rampart relay scaffold sextant
sluice spire sprocket stanchion tether trellis turbine vane vault vortex weir windlass
yoke zenith arbor bastion capstan conduit crucible dais ferrule flume grotto isthmus
""".split()
_KINDS = ("approach", "principle", "heuristic", "rule", "method", "pattern", "model")
_SENTENCES = (
    "Some practitioners call this the {term} {kind}.",
    "This is sometimes described as the {term} {kind}.",
    "In a few textbooks it appears under the name {term} {kind}.",
    "A handy way to remember it is the so-called {term} {kind}.",
    "People who work with this often refer to it as the {term} {kind}.",
    "It is occasionally taught as the {term} {kind}.",
)
_PAIR = re.compile(r"([a-z]+)[\s-]+([a-z]+)")


class Canaries:
    """The canary terms of a secret's key ids."""

    def __init__(self, secret: bytes | str) -> None:
        self.keyed = Keyed(secret, "canary")

    def terms(self, key_id: str) -> list[str]:
        """The key's coined terms, as written ("cobalt-meridian")."""
        terms: list[str] = []
        for i in range(TERMS_PER_KEY):
            number = self.keyed.integer(key_id, i)
            first = _FIRST[number % len(_FIRST)]
            second = _SECOND[(number // len(_FIRST)) % len(_SECOND)]
            terms.append(f"{first}-{second}")
        return terms

    def sentence(self, key_id: str, salt: str = "") -> str:
        """One canary sentence for the key (which term and wording depend on ``salt``)."""
        rng = self.keyed.rng(key_id, "sentence", salt)
        template = rng.choice(_SENTENCES)
        return template.format(term=rng.choice(self.terms(key_id)), kind=rng.choice(_KINDS))

    def weave(self, text: str, key_id: str, salt: str = "") -> str:
        """``text`` with a canary sentence at the end of one of its prose paragraphs."""
        sentence = self.sentence(key_id, salt)
        paragraphs = text.split("\n\n")
        prose = [
            i
            for i, p in enumerate(paragraphs)
            if p.strip()
            and not p.lstrip().startswith(("```", "~~~", "|", "#", "    ", "-", "*", ">"))
            and p.rstrip()[-1:] in ".!?"
            and "```" not in p
        ]
        if not prose:
            return f"{text.rstrip()} {sentence}" if text.strip() else sentence
        rng = self.keyed.rng(key_id, "place", salt)
        index = prose[rng.randrange(len(prose))] if len(prose) < 3 else rng.choice(prose[1:-1])
        paragraph = paragraphs[index]
        stripped = paragraph.rstrip()
        paragraphs[index] = f"{stripped} {sentence}{paragraph[len(stripped) :]}"
        return "\n\n".join(paragraphs)

    def find(self, text: str, key_ids: Iterable[str]) -> dict[str, list[str]]:
        """The terms of ``key_ids`` found in ``text``: key id -> terms (only keys found)."""
        owners: dict[tuple[str, str], list[str]] = {}
        for key_id in key_ids:
            for term in self.terms(key_id):
                first, second = term.split("-")
                owners.setdefault((first, second), []).append(key_id)
        found: dict[str, list[str]] = {}
        lowered = text.lower()
        first_words = set(_FIRST)
        for match in re.finditer(r"[a-z]+", lowered):
            word = match.group()
            if word not in first_words:
                continue
            pair = _PAIR.match(lowered, match.start())
            if pair is None:
                continue
            for key_id in owners.get((pair.group(1), pair.group(2)), ()):
                term = f"{pair.group(1)}-{pair.group(2)}"
                terms = found.setdefault(key_id, [])
                if term not in terms:
                    terms.append(term)
        return found
