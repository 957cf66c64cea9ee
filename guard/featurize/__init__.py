"""Featurize prompts: normalise, tokenise, hash (mmh3) into SimHash, LSH bands and cells.

See docs/featurizer.md for the scheme and its measured behaviour.
"""

from __future__ import annotations

from typing import Literal

from guard.featurize.featurizer import Featurizer, estimate_tokens
from guard.featurize.simhash import hamming

__all__ = ["Featurizer", "FeaturizerKind", "estimate_tokens", "featurizer_for", "hamming"]

FeaturizerKind = Literal["lexical", "embed"]


def featurizer_for(kind: FeaturizerKind, *, seed: int = 0) -> Featurizer:
    """The featurizer a policy names: ``lexical`` (the default) or ``embed``, whose cells come
    from a sentence embedding (the ``guard[embed]`` extra; imported only when chosen, since
    it brings numpy and onnxruntime along)."""
    if kind == "embed":
        from guard.featurize.embed import EmbedFeaturizer

        return EmbedFeaturizer(seed=seed)
    return Featurizer(seed=seed)
