"""Keyed pseudo-random choices: the one source of "randomness" every decoy module uses.

Watermarks and canaries must be reproducible by ``guard trace`` from the secret and a key id
alone, and perturbations must not differ between two replicas answering the same key, so
nothing here reads a clock or a global random state: every choice is a keyed BLAKE2b hash of
(secret, purpose, key id, context). The purpose label keeps the streams of different modules
independent even for the same key and context.
"""

from __future__ import annotations

import hashlib
import random

__all__ = ["Keyed"]

_SCALE = 1.0 / float(1 << 64)


class Keyed:
    """Keyed hashes of a secret, for one purpose (``"watermark"``, ``"perturb"``, ...)."""

    __slots__ = ("_key", "purpose")

    def __init__(self, secret: bytes | str, purpose: str) -> None:
        raw = secret.encode() if isinstance(secret, str) else secret
        # BLAKE2b keys are at most 64 bytes: derive one per purpose from the secret.
        self._key = hashlib.blake2b(raw, digest_size=32, person=b"guard-decoys").digest()
        self.purpose = purpose

    def integer(self, *parts: str | int) -> int:
        """A 64-bit integer drawn from ``parts``."""
        material = "\x1f".join([self.purpose, *map(str, parts)]).encode()
        digest = hashlib.blake2b(material, digest_size=8, key=self._key).digest()
        return int.from_bytes(digest, "big")

    def unit(self, *parts: str | int) -> float:
        """A number in [0, 1) drawn from ``parts``."""
        return self.integer(*parts) * _SCALE

    def rng(self, *parts: str | int) -> random.Random:
        """A private random stream drawn from ``parts`` (for choices made many at a time)."""
        return random.Random(self.integer(*parts))
