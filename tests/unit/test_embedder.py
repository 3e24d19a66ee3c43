"""The embedding cache: bounded, least recently used out first, and safe while other threads fill
it (it raised KeyError once full when one call cleared it under another)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import numpy as np

from dragoman.backends.e5_embedder import E5Embedder


def test_small_cache_under_concurrent_calls_never_fails() -> None:
    e = E5Embedder(cache_size=8)
    texts = [f"Sentence number {n} about the harbour." for n in range(40)]
    reference = e.embed(texts)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for r in range(6):
                chunk = [texts[(offset + r * 7 + i) % 40] for i in range(9)]
                got = e.embed(chunk)
                idx = [texts.index(t) for t in chunk]
                assert np.allclose(got, reference[idx], atol=1e-5)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(e._cache) <= 8


def test_least_recently_used_is_evicted_first() -> None:
    e = E5Embedder(cache_size=2)
    a, b, c = "The port reopened.", "Rain fell overnight.", "Talks resume on Monday."
    e.embed([a])
    e.embed([b])
    e.embed([a])  # a is now the most recent
    e.embed([c])

    def key(t: str) -> bytes:
        return hashlib.blake2b(t.encode(), digest_size=16).digest()

    assert set(e._cache) == {key(a), key(c)}  # b, the least recently used, went


def test_persistent_store_gives_byte_identical_vectors_to_a_new_process(tmp_path: Path) -> None:
    from dragoman.cache import Cache

    texts = ["Floodwater cut off the town.", "Паводок отрезал город.", "عزلت الفيضانات المدينة."]
    first = E5Embedder(store=Cache(tmp_path / "c.sqlite"))
    fresh = first.embed(texts)
    store = Cache(tmp_path / "c.sqlite")
    second = E5Embedder(store=store)  # another process would open the same file
    second._model = None  # type: ignore[assignment]  # any model call now fails: hits only
    again = second.embed(texts)
    assert again.tobytes() == fresh.tobytes()
    assert store.hits == 3 and store.misses == 0
