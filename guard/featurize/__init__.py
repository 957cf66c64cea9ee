"""Featurize prompts: normalise, shingle, hash (mmh3) into SimHash, LSH bands and cells."""

from guard.featurize.featurizer import Featurizer, estimate_tokens
from guard.featurize.simhash import hamming

__all__ = ["Featurizer", "estimate_tokens", "hamming"]
