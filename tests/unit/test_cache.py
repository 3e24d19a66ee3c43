"""The persistent model-output cache: exact bytes back, a size cap with LRU eviction, shared by
threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from dragoman.cache import Cache, cache_key
from dragoman.config import Settings
from dragoman.domain import Article


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


def test_ner_results_come_from_the_cache_identical(tmp_path: Path) -> None:
    """A second finder on the same cache tags nothing: spaCy and natasha are never called, and
    the spans are the same; a sentence repeated within one call is tagged once."""
    from dragoman.brief.entities import EntityFinder, Gazetteer

    store = Cache(tmp_path / "c.sqlite")
    en = [
        "Russian President Vladimir Putin met Alexander Lukashenko in Minsk.",
        "The United Nations said the convoy was hit near Aleppo.",
        "Russian President Vladimir Putin met Alexander Lukashenko in Minsk.",
    ]
    ru = ["Песков заявил журналистам в Москве, что Путин не встречался с Пригожиным."]
    first = EntityFinder(Gazetteer(), store=store)
    tagged_en, tagged_ru = first._ner(en, "en"), first._ner(ru, "ru")
    assert any(label == "PERSON" for _, _, label, _ in tagged_en[0])
    assert tagged_ru[0] and tagged_en[0] == tagged_en[2]
    entries, _ = store.size()
    assert entries == 3  # two distinct English sentences and one Russian

    second = EntityFinder(Gazetteer(), store=store)

    def no_model(*_: object) -> list[list[tuple[int, int, str, str]]]:
        raise AssertionError("the NER model ran on a cached sentence")

    second._tag = no_model  # type: ignore[method-assign]
    assert second._ner(en, "en") == tagged_en
    assert second._ner(ru, "ru") == tagged_ru
    assert second.ner_loaded() == []  # not even loaded
    assert second._ner(["Ни одного имени тут нет."], "ar") == [[]]  # no NER model for ar: none


async def test_translations_come_from_the_cache_identical(
    tmp_path: Path, settings: Settings
) -> None:
    """Chunks translated before by the same model, revision and decoding options are not run
    again; a repeated chunk within one request runs once; other options miss."""
    import dataclasses

    from dragoman.domain import TranslateJob
    from dragoman.engine import Engine

    settings = dataclasses.replace(
        settings, embedded=False, metrics_port=-1, cache_path=str(tmp_path / "cache.sqlite")
    )
    texts = ["Песков заявил журналистам.", "Сделка сорвалась.", "Песков заявил журналистам."]
    job = TranslateJob(texts=tuple(texts), source_language="ru", target_language="en")

    async def translate(s: Settings) -> tuple[list[str], int]:
        engine = Engine(s)
        engine.load()
        out = await engine.translation.translate(job)
        [scheduler] = engine.pool.all()
        ran = scheduler.stats.items
        await engine.close()
        return [r.text for r in out], ran

    cold, ran = await translate(settings)
    assert ran == 2 and cold[0] == cold[2]  # the repeated sentence ran once
    warm, ran = await translate(settings)
    assert warm == cold and ran == 0
    _, ran = await translate(dataclasses.replace(settings, max_output_tokens=4))
    assert ran == 2  # other decoding options: another key


async def test_a_brief_from_the_cache_is_byte_identical(
    tmp_path: Path, empty_models: Settings, example_articles: list[Article]
) -> None:
    """The same brief uncached, cold (filling the cache) and warm (embeddings and NER results
    all from the cache, in a new engine)."""
    import dataclasses

    from dragoman.brief import types as bt
    from dragoman.client import local_brief_json
    from dragoman.engine import Engine

    async def brief(cache_path: str) -> tuple[str, int, int]:
        engine = Engine(dataclasses.replace(empty_models, cache_path=cache_path, metrics_port=-1))
        engine.load(preload=False)
        out = await engine.brief(bt.BriefJob(tuple(example_articles), "en"))
        store = engine.store
        hits, misses = (store.hits, store.misses) if store else (0, 0)
        await engine.close()
        return local_brief_json(out), hits, misses

    path = str(tmp_path / "cache.sqlite")
    plain, _, _ = await brief("")
    cold, _, cold_misses = await brief(path)
    warm, warm_hits, warm_misses = await brief(path)
    assert cold == plain and warm == plain
    assert cold_misses > 0 and warm_misses == 0 and warm_hits >= cold_misses
