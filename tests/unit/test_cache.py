"""The persistent model-output cache: exact bytes back, a size cap with LRU eviction, shared by
threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from dragoman.cache import Cache, cache_key


def test_exact_bytes_back_and_keys_by_model_revision_and_text(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite")
    k1 = cache_key("e5", "0.3.0", "Песков заявил.")
    assert k1 != cache_key("e5", "0.3.1", "Песков заявил.") != cache_key("e5", "0.3.0", "x")
    blob = bytes(range(256)) * 3
    cache.put(k1, blob)
    assert cache.get(k1) == blob and cache.get("nope") is None
    assert (cache.hits, cache.misses) == (1, 1)
    cache.close()
    assert Cache(tmp_path / "c.sqlite").get(k1) == blob  # persists


def test_size_cap_evicts_least_recently_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite", max_bytes=1000)
    for i in range(5):
        cache.put(f"k{i}", b"x" * 200)
        time.sleep(0.01)
    cache.get("k0")  # k0 is now the most recently used
    time.sleep(0.01)
    cache.put("k5", b"y" * 200)  # 1200 bytes > 1000: the oldest go
    n, total = cache.size()
    assert total <= 1000 and n < 6
    assert cache.get("k0") is not None and cache.get("k5") is not None
    assert cache.get("k1") is None


def _writer(path: str, start: int) -> None:
    cache = Cache(Path(path), max_bytes=50_000)
    for i in range(start, start + 200):
        cache.put(f"k{i}", f"v{i}".encode() * 10)
        assert cache.get(f"k{i}") == f"v{i}".encode() * 10


def test_threads_and_processes_share_it_under_eviction(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Cache(path, max_bytes=50_000)
    threads = [threading.Thread(target=_writer, args=(str(path), i * 1000)) for i in range(3)]
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), 10_000 + i * 1000)) for i in range(2)]
    for t in threads:
        t.start()
    for p in procs:
        p.start()
    for t in threads:
        t.join()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    n, total = Cache(path, max_bytes=50_000).size()
    assert 0 < n <= 1000 and total <= 50_000
