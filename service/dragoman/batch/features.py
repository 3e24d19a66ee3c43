"""Articles of a feed -> what story clustering compares: the mean e5 vector of the title and lead
sentences, centered on its language, and the actors named anywhere in the first sentences
(entities joined across scripts, as the brief finds them).

Language centering: multilingual-e5 puts every text of a language in one region, so that two
articles of different stories in one language score higher than one story told in two
languages (dev set: 0.92-0.93 against 0.92). Each article's vector has CENTERING x its
language's mean vector subtracted (data/language_means.json, made by bench/language_means.py
from the project's own texts, never from the feed or the dev set) and is normalised again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dragoman.backends.e5_embedder import E5Embedder
from dragoman.batch.cluster import LEAD_SENTENCES, ArticleFeatures
from dragoman.brief.clean import clean_page, clean_title
from dragoman.brief.entities import EntityFinder
from dragoman.brief.ingest import published_date
from dragoman.domain import SUPPORTED_LANGUAGES, Article
from dragoman.languages import LanguageDetector
from dragoman.text import split_sentences

ACTOR_SENTENCES = 30  # sentences read for actors: the lead names a story's actors
EMBED_CALL = 256  # sentences per embedding call (the caller is checked between calls)
# Share of its language's mean vector taken off each article's vector (calibrated with the
# threshold on the dev set: bench/quality/cluster.py).
CENTERING = 0.8
MEANS = Path(__file__).with_name("data") / "language_means.json"


@cache
def language_means(model: str) -> dict[str, NDArray[np.float32]]:
    """Each language's mean story vector for `model` (none for another model)."""
    data = json.loads(MEANS.read_text(encoding="utf-8"))
    if data["model"] != model:
        return {}
    return {lang: np.asarray(v, dtype=np.float32) for lang, v in data["means"].items()}


def centered(
    vector: NDArray[np.float32], lang: str, means: dict[str, NDArray[np.float32]]
) -> NDArray[np.float32]:
    """A unit vector with CENTERING x its language's mean taken off, normalised again (as it
    is for a language without a mean)."""
    mean = means.get(lang)
    v = vector if mean is None else vector - CENTERING * mean
    out: NDArray[np.float32] = (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)
    return out


def _checked(n: int, check: Callable[[], None]) -> Iterator[int]:
    for i in range(0, n, EMBED_CALL):
        check()
        yield i


def leads(
    articles: Sequence[Article],
    detector: LanguageDetector,
    check: Callable[[], None] = lambda: None,
) -> tuple[list[list[str]], list[str]]:
    """Per article: its title and first sentences (page furniture removed), and its language
    (detected where the article gives none)."""
    out: list[list[str]] = []
    langs: list[str] = []
    for a in articles:
        check()
        text = clean_page(a.text)
        lang = a.language or detector.detect(text).language
        sentences = [s.text for s in split_sentences(text, lang)][:ACTOR_SENTENCES]
        title = clean_title(a.title)
        if title and sentences and sentences[0].startswith(title):
            sentences = sentences[1:]
        out.append(([title] if title else []) + sentences)
        langs.append(lang)
    return out, langs


def lead_vectors(
    leads: Sequence[list[str]],
    embedder: E5Embedder,
    check: Callable[[], None] = lambda: None,
    *,
    langs: Sequence[str] | None,
) -> list[NDArray[np.float32]]:
    """Per article: the normalised mean e5 vector of its title and lead sentences (every text
    embedded in few large calls), centered on the article's language (`langs`; None: not
    centered)."""
    texts = [t for lead in leads for t in (lead[: LEAD_SENTENCES + 1] or [" "])]
    rows = (
        np.concatenate(
            [embedder.embed(texts[i : i + EMBED_CALL]) for i in _checked(len(texts), check)]
        )
        if texts
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    means = language_means(embedder.name) if langs is not None else {}
    vectors = []
    at = 0
    for k, lead in enumerate(leads):
        n = len(lead[: LEAD_SENTENCES + 1] or [" "])
        mean = rows[at : at + n].mean(axis=0)
        at += n
        unit = mean / max(float(np.linalg.norm(mean)), 1e-12)
        vectors.append(centered(unit, langs[k] if langs is not None else "", means))
    return vectors


def feed_actors(
    leads: Sequence[list[str]],
    langs: Sequence[str],
    entities: EntityFinder,
    check: Callable[[], None] = lambda: None,
) -> list[frozenset[str]]:
    """Per article: the entity ids it names, found over the whole feed at once so that names
    join across languages and scripts (none for an unsupported language)."""
    by_lang: dict[str, list[str]] = {}
    where: list[tuple[str, int, int]] = []  # article -> (language, first sentence, count)
    for lead, lang in zip(leads, langs, strict=True):
        if lang not in SUPPORTED_LANGUAGES:
            where.append((lang, 0, 0))
            continue
        pool = by_lang.setdefault(lang, [])
        where.append((lang, len(pool), len(lead)))
        pool.extend(lead)
    check()
    found = entities.find(by_lang, check=check) if by_lang else {}
    return [
        frozenset(m.entity_id for row in found.get(lang, [])[start : start + count] for m in row)
        for lang, start, count in where
    ]


def features(
    articles: Sequence[Article],
    embedder: E5Embedder,
    detector: LanguageDetector,
    entities: EntityFinder,
    check: Callable[[], None] = lambda: None,
) -> list[ArticleFeatures]:
    """One ArticleFeatures per article, in order: the entity pass runs in a thread beside the
    embeddings (NER and e5 each keep a core busy). Articles in unsupported languages get a
    vector of their text all the same (e5 is multilingual) and no actors."""
    texts, langs = leads(articles, detector, check)
    with ThreadPoolExecutor(1, thread_name_prefix="features-ner") as pool:
        finding = pool.submit(feed_actors, texts, langs, entities, check)
        vectors = lead_vectors(texts, embedder, check, langs=langs)
        actors = finding.result()
    return [
        ArticleFeatures(a.id, vec, named, published_date(a.published))
        for a, vec, named in zip(articles, vectors, actors, strict=True)
    ]
