"""Featurize prompts: normalise, tokenise, hash (mmh3) into SimHash, LSH bands and cells.

See docs/featurizer.md for the scheme and its measured behaviour.
"""

from __future__ import annotations

from guard.featurize.featurizer import Featurizer, estimate_tokens
from guard.featurize.simhash import hamming

__all__ = ["Featurizer", "estimate_tokens", "hamming"]
