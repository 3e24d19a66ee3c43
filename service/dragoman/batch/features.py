"""Articles of a feed -> what story clustering compares: the mean e5 vector of the title and lead
sentences, and the actors named anywhere in the first sentences (entities joined across
scripts, as the brief finds them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from dragoman.backends.e5_embedder import E5Embedder
from dragoman.batch.cluster import LEAD_SENTENCES, ArticleFeatures
from dragoman.brief.clean import clean_page, clean_title
from dragoman.brief.entities import EntityFinder
from dragoman.brief.ingest import published_date
from dragoman.domain import SUPPORTED_LANGUAGES, Article
from dragoman.languages import LanguageDetector
from dragoman.text import split_sentences

ACTOR_SENTENCES = 30  # sentences read for actors: the lead names a story's actors


def features(
    articles: Sequence[Article],
    embedder: E5Embedder,
    detector: LanguageDetector,
    entities: EntityFinder,
    check: Callable[[], None] = lambda: None,
) -> list[ArticleFeatures]:
    """One ArticleFeatures per article, in order. Articles in unsupported languages get a
    vector of their text all the same (e5 is multilingual) and no actors."""
    leads: list[list[str]] = []
    langs: list[str] = []
    for a in articles:
        check()
        text = clean_page(a.text)
        lang = a.language or detector.detect(text).language
        sentences = [s.text for s in split_sentences(text, lang)][:ACTOR_SENTENCES]
        title = clean_title(a.title)
        if title and sentences and sentences[0].startswith(title):
            sentences = sentences[1:]
        leads.append(([title] if title else []) + sentences)
        langs.append(lang)
    vectors = []
    for lead in leads:
        check()
        rows = embedder.embed(lead[: LEAD_SENTENCES + 1] or [" "])
        mean = rows.mean(axis=0)
        vectors.append((mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32))
    # Entities over the whole feed at once, so names join across languages and scripts.
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
    found = entities.find(by_lang) if by_lang else {}
    out = []
    for a, vec, (lang, start, count) in zip(articles, vectors, where, strict=True):
        mentions = found.get(lang, [])[start : start + count]
        actors = frozenset(m.entity_id for row in mentions for m in row)
        out.append(ArticleFeatures(a.id, vec, actors, published_date(a.published)))
    return out
